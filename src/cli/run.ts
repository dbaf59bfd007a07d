import { existsSync } from 'node:fs';
import { CommanderError } from 'commander';
import { DomainValidationError } from '../domain/errors.js';
import { isCredlyError } from '../credly/errors.js';
import { loadEnvFile } from './context.js';
import { CliError, EXIT } from './errors.js';
import { describeSystemError } from './system-errors.js';
import { logFormatFrom, logLevelFrom } from './logging.js';
import { createProgram } from './program.js';
import { createCliContext, redactingStream, secretsOf, type CliStream } from './runtime.js';

export interface RunCliOptions {
  /** The arguments after the program name, e.g. ['issue', '--roster', 'r.csv']. */
  readonly argv: readonly string[];
  readonly env?: Record<string, string | undefined>;
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  readonly cwd?: string;
  /** Abort it with 'SIGINT' or 'SIGTERM' as the reason to ask a running command to stop. */
  readonly signal?: AbortSignal;
}

/** The value of `--name <v>` or `--name=<v>` in argv, read before commander parses. */
function flagValue(argv: readonly string[], name: string): string | undefined {
  const at = argv.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
  if (at < 0) return undefined;
  const arg = argv[at]!;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[at + 1];
}

const hasFlag = (argv: readonly string[], name: string) => argv.some((arg) => arg === name || arg.startsWith(`${name}=`));

/**
 * Runs the CLI in this process and resolves with its exit code. It never calls process.exit and
 * writes only to the streams it is given; src/cli/main.ts wires it to the real process.
 */
export async function runCli(options: RunCliOptions): Promise<number> {
  const env = { ...(options.env ?? {}) };
  const cwd = options.cwd ?? process.cwd();
  const argv = options.argv;
  const verbose = hasFlag(argv, '--verbose');
  const json = hasFlag(argv, '--json');
  let epipe = false;
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') epipe = true;
  };
  options.stdout.on?.('error', onStdoutError);
  try {
    if (hasFlag(argv, '--env-file')) {
      throw new CliError('--env-file was renamed --dotenv <file> (Node.js has its own --env-file option)', EXIT.couldNotRun, 'RENAMED_OPTION');
    }
    // The .env file is read before the options, whose defaults come from the environment.
    const dotenv = flagValue(argv, '--dotenv');
    if (dotenv !== undefined) {
      const path = createCliContext({ env, cwd, stdout: options.stdout, stderr: options.stderr }).path(dotenv);
      if (!existsSync(path)) throw new CliError(`--dotenv ${dotenv}: no such file`, EXIT.couldNotRun, 'DOTENV_NOT_FOUND');
      loadEnvFile(path, env);
    } else loadEnvFile(createCliContext({ env, cwd, stdout: options.stdout, stderr: options.stderr }).path('.env'), env);
    const ctx = createCliContext({ env, cwd, stdout: options.stdout, stderr: options.stderr, signal: options.signal, verbose, logLevel: logLevelFrom(verbose, env), logFormat: logFormatFrom(flagValue(argv, '--log-format')) });
    await createProgram(ctx).parseAsync([...argv], { from: 'user' });
    if (epipe) throw Object.assign(new Error('stdout closed'), { code: 'EPIPE' });
    return ctx.exitCode;
  } catch (error) {
    const stderr = redactingStream(options.stderr, () => secretsOf(env));
    const stdout = redactingStream(options.stdout, () => secretsOf(env));
    return reportError(epipe ? Object.assign(new Error('stdout closed'), { code: 'EPIPE' }) : error, { stderr, stdout: epipe ? undefined : stdout, verbose, json });
  } finally {
    options.stdout.removeListener?.('error', onStdoutError);
  }
}

interface Failure {
  readonly code: string;
  readonly message: string;
  readonly exitCode: number;
}

/** What went wrong, as the operator needs it: one line and a code; a stack only for a bug. */
export function describeFailure(error: unknown): Failure & { bug: boolean } {
  if (error instanceof CliError) return { code: error.code, message: error.message, exitCode: error.exitCode, bug: false };
  if (error instanceof DomainValidationError) return { code: error.code, message: error.message, exitCode: EXIT.couldNotRun, bug: false };
  if (isCredlyError(error)) {
    const status = (error as { status?: number }).status;
    const message =
      status === 401
        ? `Credly refused the credentials (401): the token is wrong, expired, or for the other environment; run "credly-microcredentials doctor" (${error.message})`
        : status === 403
          ? `Credly refused the credentials (403): the token may not do this for this organization (a read-only token cannot write) (${error.message})`
          : `Credly: ${error.message}`;
    return { code: error.code, message, exitCode: EXIT.couldNotRun, bug: false };
  }
  const system = describeSystemError(error);
  if (system) return { ...system, exitCode: EXIT.couldNotRun, bug: false };
  const code = (error as { code?: unknown })?.code;
  if (error instanceof Error && typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code)) {
    // This package's own coded errors (an award not in the ledger, a ledger problem): the message says what to do.
    return { code, message: error.message, exitCode: EXIT.couldNotRun, bug: false };
  }
  return { code: 'UNEXPECTED', message: `unexpected error: ${error instanceof Error ? error.message : String(error)} (run with --verbose for the stack, and report it)`, exitCode: EXIT.couldNotRun, bug: true };
}

function reportError(error: unknown, io: { stderr: CliStream; stdout: CliStream | undefined; verbose: boolean; json: boolean }): number {
  if (error instanceof CommanderError) {
    // Help and version exit 0; usage errors were printed by commander.
    if (error.exitCode !== 0 && io.json && io.stdout) io.stdout.write(`${JSON.stringify({ error: { code: 'USAGE', message: error.message.replace(/^error: /, '') } }, null, 2)}\n`);
    return error.exitCode === 0 ? EXIT.ok : EXIT.couldNotRun;
  }
  const failure = describeFailure(error);
  io.stderr.write(`error: ${failure.message}\n`);
  if (io.verbose && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  if (io.json && io.stdout) io.stdout.write(`${JSON.stringify({ error: { code: failure.code, message: failure.message } }, null, 2)}\n`);
  return failure.exitCode;
}
