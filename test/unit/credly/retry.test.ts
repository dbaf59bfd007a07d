import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  BadgeAlreadyIssuedError,
  CredlyAbortError,
  CredlyConnectionError,
  CredlyTimeoutError,
  CredlyValidationError,
  DEFAULT_RETRY_TIMING,
  InternalServerError,
  NotFoundError,
  RateLimitError,
} from '../../../src/index.js';
// Internal: not part of the public API.
import { computeDelay, isRetryable, parseRetryAfter } from '../../../src/credly/retry.js';

const details = (status: number) => ({ status, method: 'GET', path: '/x', serverMessage: 'm', body: undefined, headers: {} });

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-28T12:00:00Z');
  it.each([
    ['0', 0],
    ['3', 3000],
    ['1.5', 1500],
    [' 120 ', 120_000],
    ['Sat, 28 Nov 2026 12:00:10 GMT', 10_000],
    ['Sat, 28 Nov 2026 11:59:00 GMT', 0],
  ])('%j → %d ms', (header, ms) => {
    expect(parseRetryAfter(header, now)).toBe(ms);
  });

  it.each([undefined, null, '', 'soon', '-5'])('%j → undefined', (header) => {
    expect(parseRetryAfter(header as string | undefined, now)).toBeUndefined();
  });
});

describe('computeDelay', () => {
  const noJitter = { ...DEFAULT_RETRY_TIMING, jitter: false };
  it('doubles from 500 ms and caps at 8 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => computeDelay(n, undefined, noJitter))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('uses Retry-After as it is, without jitter', () => {
    expect(computeDelay(1, 2500, DEFAULT_RETRY_TIMING, () => 0.99)).toBe(2500);
  });

  it('jitter only shortens the wait, by at most a quarter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (retry, r) => {
        const full = computeDelay(retry, undefined, noJitter);
        const jittered = computeDelay(retry, undefined, DEFAULT_RETRY_TIMING, () => r);
        expect(jittered).toBeLessThanOrEqual(full);
        expect(jittered).toBeGreaterThanOrEqual(Math.floor(full * 0.75));
      }),
    );
  });
});

describe('isRetryable', () => {
  const cases: Array<[string, Error, boolean, boolean]> = [
    // error, GET?, POST?
    ['429', new RateLimitError(details(429)), true, true],
    ['500', new InternalServerError(details(500)), true, false],
    ['503', new InternalServerError(details(503)), true, false],
    ['connection reset', new CredlyConnectionError('GET', '/x', 'reset', 'ECONNRESET'), true, false],
    ['timeout', new CredlyTimeoutError('GET', '/x', 10), true, false],
    ['401', new AuthenticationError(details(401)), false, false],
    ['404', new NotFoundError(details(404)), false, false],
    ['422 duplicate', new BadgeAlreadyIssuedError(details(422)), false, false],
    ['abort', new CredlyAbortError('stop'), false, false],
    ['validation', new CredlyValidationError('request', 'x', []), false, false],
    ['other error', new Error('boom'), false, false],
  ];
  it.each(cases)('%s: GET %s, POST %s', (_name, error, get, post) => {
    expect(isRetryable('GET', error)).toBe(get);
    expect(isRetryable('PUT', error)).toBe(get);
    expect(isRetryable('DELETE', error)).toBe(get);
    expect(isRetryable('POST', error)).toBe(post);
  });

  it('lets POST retry 5xx and connection errors only with retryUnsafe', () => {
    expect(isRetryable('POST', new InternalServerError(details(502)), true)).toBe(true);
    expect(isRetryable('POST', new CredlyConnectionError('POST', '/x', 'reset'), true)).toBe(true);
    expect(isRetryable('POST', new NotFoundError(details(404)), true)).toBe(false);
  });
});
