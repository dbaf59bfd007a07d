import { isAbsolute, resolve } from 'node:path';

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
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  /** Aborted, with a StopReason as its reason, when the operator asks the run to stop. */
  readonly signal: AbortSignal;
  /** The exit code the run ends with; commands set it. */
  exitCode: number;
  /** A path the user typed, relative to the run's working directory. */
  path(p: string): string;
}

export interface CliContextOptions {
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  readonly signal?: AbortSignal | undefined;
}

export function createCliContext(options: CliContextOptions): CliContext {
  return {
    env: options.env,
    cwd: options.cwd,
    stdout: options.stdout,
    stderr: options.stderr,
    signal: options.signal ?? new AbortController().signal,
    exitCode: 0,
    path: (p) => (isAbsolute(p) ? p : resolve(options.cwd, p)),
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
