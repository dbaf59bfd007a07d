import type { Command } from 'commander';
import { config as loadDotenv } from 'dotenv';
import { CredlyClient } from '../credly/client.js';
import type { RequestOptions } from '../credly/transport.js';
import { AuthenticationError, CredlyConfigError, PermissionDeniedError } from '../credly/errors.js';
import type { Logger, LogLevel } from '../credly/logger.js';
import type { Ledger } from '../ledger/contract.js';
import { LedgerError } from '../ledger/errors.js';
import { openLedger as openLedgerUrl, type OpenLedgerOptions } from '../ledger/open.js';
import { CliError } from './errors.js';
import { describeSystemError } from './system-errors.js';

/** Options every command that talks to Credly shares. */
export interface CredlyFlags {
  readonly production?: boolean;
  readonly baseUrl?: string;
}

/** Adds the options of commands that talk to Credly. */
export function withCredlyOptions(command: Command): Command {
  return command
    .option('--production', 'write to production Credly (the default is the sandbox; CREDLY_ENV=production also works)')
    .option('--base-url <url>', 'another Credly API base URL, e.g. a fake Credly (CREDLY_BASE_URL)');
}

export const DEFAULT_LEDGER = 'credly-microcredentials.ledger';

/** Loads `.env` (or --dotenv) into `env`; variables already set win. */
export function loadEnvFile(path: string, env: Record<string, string | undefined>): void {
  loadDotenv({ path, quiet: true, processEnv: env as Record<string, string> });
}

/** The client, from the environment and flags; sandbox unless production is asked for. */
export function clientFrom(flags: CredlyFlags, env: Record<string, string | undefined>, log?: { readonly logger: Logger; readonly logLevel: LogLevel }): CredlyClient {
  const environment = flags.production ? 'production' : undefined;
  try {
    return CredlyClient.fromEnv(env, {
      ...(environment ? { environment } : {}),
      ...(flags.baseUrl ? { baseUrl: flags.baseUrl } : {}),
      userAgent: 'credly-microcredentials-cli',
      ...(log ? { logger: log.logger, logLevel: log.logLevel } : {}),
    });
  } catch (error) {
    if (error instanceof CredlyConfigError) throw new CliError(`configuration: ${error.message}`);
    throw error;
  }
}

/**
 * Refuses to go on when Credly refuses the credentials (401/403): one line, exit 1, before any
 * award or template is touched.
 */
export async function verifyCredentials(client: CredlyClient, options?: RequestOptions): Promise<void> {
  try {
    await client.organizations.get(undefined, options);
  } catch (error) {
    if (error instanceof AuthenticationError || error instanceof PermissionDeniedError) {
      client.close();
      throw error;
    }
    // Anything else (Credly unreachable) is left to the command, which reports it per item.
  }
}

/** Says where the command is about to write, before it writes. */
export function announceTarget(client: CredlyClient, stream: NodeJS.WritableStream): void {
  const { environment, baseUrl } = client.config;
  const label = environment === 'production' ? 'PRODUCTION Credly' : environment === 'sandbox' ? 'the Credly sandbox' : 'a custom Credly';
  stream.write(`Writing to ${label} (${baseUrl}), organization ${client.organizationId}\n`);
}

/** Options of commands that write the ledger: who may take it and how long to wait. */
export interface LockFlags {
  readonly forceUnlock?: boolean;
  /** Seconds. */
  readonly lockTtl?: number;
  /** Seconds. */
  readonly waitForLock?: number;
}

/** Adds the ledger options of commands that write it (the default ledger from the run's environment). */
export function withLedgerOptions(command: Command, env: Record<string, string | undefined>): Command {
  return command
    .option('--ledger <path|url>', 'the ledger: a file path, or postgres://… (CREDLY_LEDGER)', env.CREDLY_LEDGER ?? DEFAULT_LEDGER)
    .option('--lock-ttl <seconds>', "file ledger: how long this job's lease lives unless renewed (renewed every third of it)", (v: string) => positiveSeconds('--lock-ttl', v), 30)
    .option('--wait-for-lock <seconds>', 'file ledger: wait this long for a running job to release the ledger', (v: string) => positiveSeconds('--wait-for-lock', v, true), 0)
    .option('--force-unlock', "file ledger: take over a lease whose holder stopped renewing it (refused while it is renewed)");
}

function positiveSeconds(flag: string, value: string, zero = false): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (!zero && n === 0)) throw new CliError(`${flag} ${value}: give a number of seconds${zero ? '' : ' above 0'}, e.g. ${flag} 30`);
  return n;
}

/** Opens the ledger a command names; ledger problems become one-line errors. */
export async function openLedger(target: string, flags: LockFlags = {}, extra: OpenLedgerOptions = {}): Promise<Ledger> {
  try {
    return await openLedgerUrl(target, {
      ...(flags.forceUnlock ? { forceUnlock: true } : {}),
      ...(flags.lockTtl !== undefined ? { lockTtlMs: flags.lockTtl * 1000 } : {}),
      ...(flags.waitForLock !== undefined ? { waitForLockMs: flags.waitForLock * 1000 } : {}),
      ...extra,
    });
  } catch (error) {
    if (error instanceof LedgerError) throw new CliError(error.message, 1, error.code);
    const system = describeSystemError(Object.assign(Object.create(error as object) as object, { path: undefined }));
    if (system) throw new CliError(`the ledger ${target}: ${system.message} (--ledger or CREDLY_LEDGER)`, 1, `LEDGER_${system.code}`);
    throw error;
  }
}

/** The ledger a command names: a file path relative to the run's directory, or a URL as given. */
export function ledgerTarget(ctx: { path(p: string): string }, target: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) && !/^[a-z]:[\\/]/i.test(target) ? target : ctx.path(target);
}
