import { describe, expect, it } from 'vitest';
import { progressReporter, rateAndEta } from '../../src/cli/progress.js';
import { redactingStream } from '../../src/cli/runtime.js';
import { captureStream } from '../helpers/cli.js';

const event = (done: number) => ({ done, totals: { issued: done, 'already-issued': 0, failed: 0, invalid: 0, skipped: 0, planned: 0 } }) as never;

describe('progress', () => {
  it('rate and ETA from the awards done so far', () => {
    expect(rateAndEta(50, 200, 10_000)).toEqual({ rate: '5.0/s', eta: '30s' });
    expect(rateAndEta(100, 1000, 5_000)).toEqual({ rate: '20/s', eta: '45s' });
    expect(rateAndEta(10, 1000, 10_000)).toEqual({ rate: '1.0/s', eta: '16m 30s' });
    expect(rateAndEta(0, 100, 0).eta).toBe('?');
  });

  it('without a terminal: timestamped lines with rate and ETA', () => {
    const out = captureStream();
    let t = Date.parse('2026-03-02T14:00:00Z');
    const progress = progressReporter(20, out, () => t);
    t += 4_000;
    progress.onProgress(event(2));
    expect(out.text()).toBe('2026-03-02T14:00:04.000Z progress: 2/20 awards (issued 2, already issued 0, failed 0, invalid 0, skipped 0) 0.5/s, ETA 36s\n');
  });

  it('on a terminal: nothing is drawn before the first award (the banner stays whole), and a message gets its own line', () => {
    const out = captureStream({ columns: 120 });
    let t = 0;
    const progress = progressReporter(10, out, () => t);
    out.write('Writing to the Credly sandbox (…), organization o\n');
    expect(out.text()).toBe('Writing to the Credly sandbox (…), organization o\n');
    t = 2_000;
    progress.onProgress(event(4));
    expect(out.text()).toMatch(/issuing .* 4\/10 \| 2\.0\/s ETA 3s \| issued 4/);
    progress.interrupt('stopping: awards in flight finish');
    expect(out.text()).toMatch(/\nstopping: awards in flight finish\n/);
    const before = out.text().length;
    progress.around(() => out.write('2026-03-02T14:00:02.000Z warn a log line\n'));
    // The bar was cleared before the line (no bar text on the same line) and drawn again after it.
    const after = out.text().slice(before);
    expect(after).toContain('\u001b[2K2026-03-02T14:00:02.000Z warn a log line\n'); // erase the bar's line, then the log line
    expect(after.split('warn a log line\n')[1]).toMatch(/issuing .* 4\/10/);
    progress.stop();
  });
});

describe('redaction of what the CLI prints', () => {
  it('replaces the token, its Basic-auth form and the OAuth secret in every write', () => {
    const out = captureStream();
    const stream = redactingStream(out, () => ['tok-secret-1', 'oauth-secret-2']);
    stream.write(`echo: tok-secret-1 / ${Buffer.from('tok-secret-1:').toString('base64')} / oauth-secret-2\n`);
    expect(out.text()).toBe('echo: [REDACTED] / [REDACTED] / [REDACTED]\n');
  });
});
