import { SingleBar, Presets } from 'cli-progress';
import type { ProgressEvent } from '../issuance/executor.js';

export interface ProgressReporter {
  readonly onProgress: (event: ProgressEvent) => void;
  stop(): void;
}

/** A progress bar on a terminal; plain log lines (every 10 % or 100 awards) otherwise. */
export function progressReporter(total: number | undefined, stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (stream.isTTY && total) {
    const bar = new SingleBar(
      { format: 'issuing {bar} {value}/{total} | issued {issued} already {already} failed {failed} invalid {invalid}', stream, hideCursor: true },
      Presets.shades_classic,
    );
    bar.start(total, 0, { issued: 0, already: 0, failed: 0, invalid: 0 });
    return {
      onProgress: (e) => bar.update(e.done, { issued: e.totals.issued, already: e.totals['already-issued'], failed: e.totals.failed, invalid: e.totals.invalid }),
      stop: () => bar.stop(),
    };
  }
  const every = Math.max(1, Math.min(100, total ? Math.ceil(total / 10) : 100));
  return {
    onProgress: (e) => {
      if (e.done % every === 0 || e.done === total) {
        const t = e.totals;
        stream.write(`progress: ${e.done}${total ? `/${total}` : ''} awards (issued ${t.issued}, already issued ${t['already-issued']}, failed ${t.failed}, invalid ${t.invalid}, skipped ${t.skipped})\n`);
      }
    },
    stop: () => {},
  };
}
