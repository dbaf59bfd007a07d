import { CommanderError } from 'commander';
import { DomainValidationError } from '../domain/errors.js';
import { isCredlyError } from '../credly/errors.js';
import { loadEnvFile } from './context.js';
import { CliError, EXIT } from './errors.js';
import { createProgram } from './program.js';
import { createCliContext, type CliStream } from './runtime.js';

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

/**
 * Runs the CLI in this process and resolves with its exit code. It never calls process.exit and
 * writes only to the streams it is given; src/cli/main.ts wires it to the real process.
 */
export async function runCli(options: RunCliOptions): Promise<number> {
  const env = { ...(options.env ?? {}) };
  const ctx = createCliContext({ env, cwd: options.cwd ?? process.cwd(), stdout: options.stdout, stderr: options.stderr, signal: options.signal });
  try {
    // The .env file is read before the options, whose defaults come from the environment.
    const envFile = flagValue(options.argv, '--env-file');
    loadEnvFile(ctx.path(envFile ?? '.env'), env);
    await createProgram(ctx).parseAsync([...options.argv], { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    return reportError(error, ctx.stderr);
  }
}

/** One line for an error the operator can act on; the stack only for a bug. */
function reportError(error: unknown, stderr: CliStream): number {
  if (error instanceof CommanderError) {
    // Help and version exit 0; usage errors were printed by commander.
    return error.exitCode === 0 ? EXIT.ok : EXIT.couldNotRun;
  }
  if (error instanceof CliError) {
    stderr.write(`error: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof DomainValidationError) {
    stderr.write(`error: ${error.message}\n`);
    return EXIT.couldNotRun;
  }
  if (isCredlyError(error)) {
    stderr.write(`error: Credly: ${error.message}\n`);
    return EXIT.couldNotRun;
  }
  stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT.couldNotRun;
}
