import type { Command } from 'commander';
import { config as loadDotenv } from 'dotenv';
import { CredlyClient } from '../credly/client.js';
import { CredlyConfigError } from '../credly/errors.js';
import type { Ledger } from '../ledger/contract.js';
import { LedgerError } from '../ledger/errors.js';
import { openLedger as openLedgerUrl, type OpenLedgerOptions } from '../ledger/open.js';
import { CliError } from './errors.js';

/** Options every command that talks to Credly shares. */
export interface CredlyFlags {
  readonly production?: boolean;
  readonly baseUrl?: string;
  readonly envFile?: string;
}

/** Adds the options of commands that talk to Credly. */
export function withCredlyOptions(command: Command): Command {
  return command
    .option('--production', 'write to production Credly (the default is the sandbox; CREDLY_ENV=production also works)')
    .option('--base-url <url>', 'another Credly API base URL, e.g. a fake Credly (CREDLY_BASE_URL)');
}

export const DEFAULT_LEDGER = 'credly-microcredentials.ledger';

/** Loads `.env` (or --env-file) into process.env; variables already set win. */
export function loadEnvFile(path: string | undefined): void {
  loadDotenv({ path: path ?? '.env', quiet: true });
}

/** The client, from the environment and flags; sandbox unless production is asked for. */
export function clientFrom(flags: CredlyFlags, env: NodeJS.ProcessEnv = process.env): CredlyClient {
  const environment = flags.production ? 'production' : undefined;
  try {
    return CredlyClient.fromEnv(env, {
      ...(environment ? { environment } : {}),
      ...(flags.baseUrl ? { baseUrl: flags.baseUrl } : {}),
      userAgent: 'credly-microcredentials-cli',
    });
  } catch (error) {
    if (error instanceof CredlyConfigError) throw new CliError(`configuration: ${error.message}`);
    throw error;
  }
}

/** Says where the command is about to write, before it writes. */
export function announceTarget(client: CredlyClient, stream: NodeJS.WritableStream = process.stderr): void {
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

/** Adds the ledger options of commands that write it. */
export function withLedgerOptions(command: Command): Command {
  return command
    .option('--ledger <path|url>', 'the ledger: a file path, or postgres://… (CREDLY_LEDGER)', process.env.CREDLY_LEDGER ?? DEFAULT_LEDGER)
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
    if (error instanceof LedgerError) throw new CliError(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EROFS' || code === 'ENOENT' || code === 'ENOSPC' || code === 'ENOTDIR') {
      throw new CliError(`cannot open the ledger ${target} (${code}): check that its directory exists and is writable, and that the disk has room`);
    }
    throw error;
  }
}
