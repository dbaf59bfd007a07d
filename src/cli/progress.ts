import { createRequire } from 'node:module';
import type * as CliProgress from 'cli-progress';
import type { ProgressEvent } from '../issuance/executor.js';
import type { CliStream } from './runtime.js';

export interface ProgressReporter {
  readonly onProgress: (event: ProgressEvent) => void;
  /** Prints a message on a line of its own (the bar is cleared first and drawn again after). */
  interrupt(message: string): void;
  /** Runs `write` (which prints whole lines) with the bar cleared, then draws the bar again. */
  around(write: () => void): void;
  stop(): void;
}

/** `12.5/s` and `ETA 1m 20s`, from the awards done so far. */
export function rateAndEta(done: number, total: number | undefined, elapsedMs: number): { rate: string; eta: string } {
  const perSecond = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const rate = `${perSecond >= 10 ? perSecond.toFixed(0) : perSecond.toFixed(1)}/s`;
  if (!total || perSecond === 0 || done >= total) return { rate, eta: done >= (total ?? Infinity) ? 'done' : '?' };
  const seconds = Math.ceil((total - done) / perSecond);
  return { rate, eta: seconds >= 60 ? `${Math.floor(seconds / 60)}m ${seconds % 60}s` : `${seconds}s` };
}

/** cli-progress, loaded for a terminal only: a scheduled job (no terminal) does not pay for loading it at every start. */
const loadCliProgress = (): typeof CliProgress => createRequire(import.meta.url)('cli-progress') as typeof CliProgress;

/**
 * On a terminal, a progress bar with rate and ETA, started at the first award (after the banner)
 * and cleared before any other line is printed. Otherwise timestamped lines (every 10 % or 100 awards).
 */
export function progressReporter(total: number | undefined, stream: CliStream, now: () => number = Date.now): ProgressReporter {
  const started = now();
  if (stream.isTTY && total) {
    const { SingleBar, Presets } = loadCliProgress();
    const bar = new SingleBar(
      { format: 'issuing {bar} {value}/{total} | {rate} ETA {etaText} | issued {issued} already {already} failed {failed} invalid {invalid}', stream: stream as NodeJS.WriteStream, hideCursor: true, clearOnComplete: true },
      Presets.shades_classic,
    );
    let running = false;
    let last: Record<string, string | number> = { issued: 0, already: 0, failed: 0, invalid: 0, rate: '0/s', etaText: '?' };
    let done = 0;
    const stop = () => {
      if (!running) return;
      running = false;
      bar.stop();
    };
    const around = (write: () => void) => {
      const was = running;
      stop();
      write();
      if (was) {
        running = true;
        bar.start(total, done, last);
      }
    };
    return {
      onProgress: (e) => {
        const { rate, eta } = rateAndEta(e.done, total, now() - started);
        done = e.done;
        last = { issued: e.totals.issued, already: e.totals['already-issued'], failed: e.totals.failed, invalid: e.totals.invalid, rate, etaText: eta };
        if (!running) {
          running = true;
          bar.start(total, done, last);
        } else bar.update(done, last);
      },
      interrupt: (message) => around(() => stream.write(`\n${message}\n`)),
      around,
      stop,
    };
  }
  const every = Math.max(1, Math.min(100, total ? Math.ceil(total / 10) : 100));
  return {
    onProgress: (e) => {
      if (e.done % every === 0 || e.done === total) {
        const t = e.totals;
        const { rate, eta } = rateAndEta(e.done, total, now() - started);
        stream.write(`${new Date(now()).toISOString()} progress: ${e.done}${total ? `/${total}` : ''} awards (issued ${t.issued}, already issued ${t['already-issued']}, failed ${t.failed}, invalid ${t.invalid}, skipped ${t.skipped}) ${rate}, ETA ${eta}\n`);
      }
    },
    interrupt: (message) => stream.write(`${new Date(now()).toISOString()} ${message}\n`),
    around: (write) => write(),
    stop: () => {},
  };
}
