import type { Command } from 'commander';
import { config as loadDotenv } from 'dotenv';
import { CredlyClient } from '../credly/client.js';
import { AuthenticationError, CredlyConfigError, PermissionDeniedError } from '../credly/errors.js';
import type { Logger, LogLevel } from '../credly/logger.js';
import { FileLedger, LedgerCorruptError, LedgerLockedError } from '../issuance/file-ledger.js';
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
export async function verifyCredentials(client: CredlyClient): Promise<void> {
  try {
    await client.organizations.get();
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

export async function openLedger(path: string, forceUnlock = false): Promise<FileLedger> {
  try {
    return await FileLedger.open(path, { forceUnlock });
  } catch (error) {
    if (error instanceof LedgerLockedError || error instanceof LedgerCorruptError) throw new CliError(error.message, 1, error.code);
    const system = describeSystemError(Object.assign(Object.create(error as object) as object, { path: undefined }));
    if (system) throw new CliError(`the ledger ${path}: ${system.message} (--ledger or CREDLY_LEDGER)`, 1, `LEDGER_${system.code}`);
    throw error;
  }
}
