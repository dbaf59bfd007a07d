import { describe, expect, it } from 'vitest';
import { parseRateLimit } from '../../src/testing/index.js';
import { FixedWindowLimiter } from '../../src/testing/fake-credly/rate-limit.js';
import { Pacer } from '../../src/issuance/pacer.js';
import { numberOption } from '../../src/cli/options.js';

describe('rate limits', () => {
  it('parses N/s and N/m', () => {
    expect(parseRateLimit('100/s')).toEqual({ requests: 100, windowMs: 1000 });
    expect(parseRateLimit('600 / m')).toEqual({ requests: 600, windowMs: 60_000 });
    expect(parseRateLimit('25')).toEqual({ requests: 25, windowMs: 1000 });
    expect(() => parseRateLimit('fast')).toThrow(/should look like 100\/s or 600\/m/);
    expect(() => parseRateLimit('0/s')).toThrow(/"0\/s" should be at least 1 request/);
  });

  it('lets N requests through per window, then says how long until the next', () => {
    const limiter = new FixedWindowLimiter({ requests: 2, windowMs: 1000 });
    expect([limiter.take(0), limiter.take(100), limiter.take(400)]).toEqual([null, null, 600]);
    expect(limiter.take(1000)).toBeNull();
    expect(limiter.take(2500)).toBeNull();
    expect(limiter.limited).toBe(1);
    expect(() => new FixedWindowLimiter({ requests: 0 })).toThrow(RangeError);
  });

  it('paces requests 1/rate apart, and never waits without a rate', async () => {
    let now = 0;
    const waits: number[] = [];
    const pacer = new Pacer(50, async (ms) => void waits.push(ms), () => now);
    await Promise.all([pacer.wait(), pacer.wait(), pacer.wait()]);
    expect(waits).toEqual([20, 40]);
    now = 1000;
    await pacer.wait();
    expect(waits).toEqual([20, 40]);
    const free = new Pacer(undefined, async () => void waits.push(-1));
    await free.wait();
    expect(waits).toHaveLength(2);
  });

  it('CLI number options name the option and the bounds', () => {
    expect(numberOption('--concurrency', { min: 1, max: 64 })('8')).toBe(8);
    expect(() => numberOption('--concurrency', { min: 1, max: 64 })('0')).toThrow('--concurrency must be a whole number at least 1 and at most 64, got "0"');
    expect(() => numberOption('--port')('4.5')).toThrow(/whole number/);
  });
});
