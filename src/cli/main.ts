import { getEventListeners } from 'node:events';
import { runCli } from './run.js';
import { EXIT_SIGNAL } from './errors.js';
import type { StopReason } from './runtime.js';
import { tuneV8 } from './v8-tuning.js';

// The process side of the CLI: argv, environment, streams and signals in; the exit code out.
const controller = new AbortController();
const onSignal = (name: StopReason) => {
  // The first signal asks a command that listens for it (issue, webhooks, fake-credly) to finish
  // what is in flight; a second signal, or one no command listens for, stops at once.
  if (controller.signal.aborted || getEventListeners(controller.signal, 'abort').length === 0) process.exit(EXIT_SIGNAL[name]);
  controller.abort(name);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// `status | head -1`: the reader went away. One line and exit 1, not an unhandled 'error' event.
// While the CLI runs it reports the closed pipe itself; this reports one that closes after it.
const PIPE_CLOSED = 'error: the output was closed before everything was written (e.g. piped into head)\n';
let pipeClosed = false;
let running = true;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE' || pipeClosed) return;
  pipeClosed = true;
  if (!running) {
    process.stderr.write(PIPE_CLOSED);
    process.exitCode = 1;
  }
});

async function main(): Promise<void> {
  // Once the modules are loaded (v8-tuning.ts says why not before).
  tuneV8();
  const code = await runCli({ argv: process.argv.slice(2), env: process.env, stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), signal: controller.signal });
  running = false;
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  if (pipeClosed && code === 0) process.stderr.write(PIPE_CLOSED);
  process.exitCode = pipeClosed ? 1 : code;
}

// No top-level await: the CLI is built as CommonJS, which Node loads faster than ES modules.
void main();
