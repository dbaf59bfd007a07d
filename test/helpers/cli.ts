import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli as runCliInProcess } from '../../src/cli/run.js';
import type { StopReason } from '../../src/cli/runtime.js';

export const CLI_SOURCE = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
/** The CLI built once per test run by test/global/build-cli.ts. */
export const CLI_BUILT = fileURLToPath(new URL('../../dist/cli.cjs', import.meta.url));
/** tsx's loader, for the child scripts that run from source. */
export const TSX = createRequire(import.meta.url).resolve('tsx');
/** node arguments that start the built CLI as a process. */
export const NODE_ARGS = [CLI_BUILT];

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRunOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string | undefined>;
  /** Abort with 'SIGINT' or 'SIGTERM' to play the operator's signal. */
  readonly signal?: AbortSignal;
  /** Pretend stderr is a terminal of this width. */
  readonly tty?: { readonly columns: number };
}

/** The process environment with the test's overrides; undefined removes a variable. */
export function mergedEnv(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = { ...process.env, ...overrides };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return env as Record<string, string>;
}

/** A stream that keeps what is written to it. */
export function captureStream(tty?: { columns: number }): Writable & { text(): string; isTTY?: boolean; columns?: number } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  }) as Writable & { text(): string; isTTY?: boolean; columns?: number };
  stream.text = () => text;
  if (tty) Object.assign(stream, { isTTY: true, columns: tty.columns, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return stream;
}

/** Runs the CLI in this process (the default: fast, same behaviour as the process). */
export async function runCli(args: string[], options: CliRunOptions = {}): Promise<CliResult> {
  const stdout = captureStream();
  const stderr = captureStream(options.tty);
  const code = await runCliInProcess({ argv: args, env: mergedEnv(options.env), stdout, stderr, cwd: options.cwd ?? process.cwd(), ...(options.signal ? { signal: options.signal } : {}) });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** Starts the built CLI as a process, for what only a process shows: signals, EPIPE, exit codes. */
export function spawnCli(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [CLI_BUILT, ...args], { cwd: options.cwd ?? process.cwd(), env: mergedEnv(options.env), stdio: 'pipe' });
}

/** Runs the built CLI as a process to its end. */
export function runCliProcess(args: string[], options: { cwd?: string; env?: Record<string, string | undefined>; signalAfter?: { pattern: RegExp; signal: StopReason | 'SIGKILL'; times?: number } } = {}): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const proc = spawnCli(args, options);
    proc.stdin.end();
    let stdout = '';
    let stderr = '';
    let sent = false;
    const watch = () => {
      const when = options.signalAfter;
      if (!when || sent || !when.pattern.test(stdout + stderr)) return;
      sent = true;
      for (let i = 0; i < (when.times ?? 1); i += 1) proc.kill(when.signal);
    };
    proc.stdout.on('data', (c) => ((stdout += c), watch()));
    proc.stderr.on('data', (c) => ((stderr += c), watch()));
    proc.on('error', reject);
    proc.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** No CREDLY_* from the developer's shell leaks into a test. */
export const cleanEnv = { CREDLY_ORGANIZATION_ID: undefined, CREDLY_API_TOKEN: undefined, CREDLY_ENV: undefined, CREDLY_BASE_URL: undefined, CREDLY_LEDGER: undefined, CREDLY_ORG_ID: undefined, CREDLY_AUTH_TOKEN: undefined };
