import { isAbsolute, resolve } from 'node:path';
import type { Logger, LogLevel } from '../credly/logger.js';
import { redactSecrets } from '../credly/redact.js';
import { createCliLogger, type LogFormat } from './logging.js';

/** A stream the CLI writes to: process.stdout or a test's capture. */
export type CliStream = NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };

/** Why a run is asked to stop: the name of the signal the operator sent. */
export type StopReason = 'SIGINT' | 'SIGTERM';

/**
 * Everything a command may touch of the outside world. Commands never read process.* directly,
 * so that the whole CLI runs in-process (tests) exactly as it does as a process (operators).
 */
export interface CliContext {
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
  /** stdout and stderr, with the Credly token and OAuth secret replaced wherever they would appear. */
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  /** Aborted, with a StopReason as its reason, when the operator asks the run to stop. */
  readonly signal: AbortSignal;
  /** Log lines on stderr, at `logLevel` (--verbose, CREDLY_LOG), in `--log-format`. */
  readonly logger: Logger;
  readonly logLevel: LogLevel;
  readonly verbose: boolean;
  /** The exit code the run ends with; commands set it. */
  exitCode: number;
  /** A path the user typed, relative to the run's working directory. */
  path(p: string): string;
  /** The secrets in the environment (token, OAuth secret), to keep out of anything printed or stored. */
  readonly secrets: readonly string[];
}

export interface CliContextOptions {
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  readonly signal?: AbortSignal | undefined;
  readonly logLevel?: LogLevel;
  readonly logFormat?: LogFormat;
  readonly verbose?: boolean;
}

const SECRET_VARIABLES = ['CREDLY_API_TOKEN', 'CREDLY_AUTH_TOKEN', 'CREDLY_OAUTH_CLIENT_SECRET'];

/** The secrets the environment holds. */
export function secretsOf(env: Record<string, string | undefined>): string[] {
  return SECRET_VARIABLES.map((name) => env[name]?.trim()).filter((v): v is string => !!v && v.length >= 4);
}

/** The stream, with every write passed through the redaction of `secrets()`. */
export function redactingStream(stream: CliStream, secrets: () => readonly string[]): CliStream {
  return new Proxy(stream, {
    get(target, key) {
      if (key === 'write') {
        return (chunk: unknown, ...rest: unknown[]) => {
          const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
          return (target.write as (...args: unknown[]) => boolean)(redactSecrets(text, secrets()), ...rest);
        };
      }
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export function createCliContext(options: CliContextOptions): CliContext {
  const secrets = () => secretsOf(options.env);
  const stderr = redactingStream(options.stderr, secrets);
  const logLevel = options.logLevel ?? 'warn';
  return {
    env: options.env,
    cwd: options.cwd,
    stdout: redactingStream(options.stdout, secrets),
    stderr,
    signal: options.signal ?? new AbortController().signal,
    logger: createCliLogger(stderr, logLevel, options.logFormat ?? 'text'),
    logLevel,
    verbose: options.verbose ?? false,
    exitCode: 0,
    path: (p) => (isAbsolute(p) ? p : resolve(options.cwd, p)),
    get secrets() {
      return secrets();
    },
  };
}

/** Resolves when the operator asks the run to stop (never, when nothing can ask). */
export function stopRequested(signal: AbortSignal): Promise<StopReason> {
  if (signal.aborted) return Promise.resolve(stopReasonOf(signal));
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(stopReasonOf(signal)), { once: true }));
}

export function stopReasonOf(signal: AbortSignal): StopReason {
  return signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
}
