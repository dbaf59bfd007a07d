/**
 * The retry policy, pure so that it can be tested without HTTP or clocks.
 *
 * | case                                   | GET, PUT, DELETE | POST (issue, replace, batch, create) |
 * | 429                                    | retry, within rateLimitBudgetMs | retry: the server refused before acting |
 * | 5xx, connection error, timeout         | retry            | no, unless `retryUnsafe`: the badge may exist |
 * | other 4xx, validation, abort           | never            | never |
 */
import {
  CredlyAbortError,
  CredlyApiError,
  CredlyConnectionError,
  CredlyValidationError,
  RateLimitError,
} from './errors.js';

export interface RetryTiming {
  /** First backoff delay without Retry-After. */
  readonly baseDelayMs: number;
  /** Largest backoff delay without Retry-After. */
  readonly maxDelayMs: number;
  /** A Retry-After (on 429 or 503) longer than this is not waited for: the error is thrown, naming the wait. */
  readonly maxRetryAfterMs: number;
  /**
   * Total wait for 429s in one call, Retry-After or backoff (90 s by default: enough to ride out a
   * per-minute window, which one production client assumes). 429s do not count against maxRetries.
   */
  readonly rateLimitBudgetMs: number;
  /** Spread backoff delays by up to −25 % so that many clients do not retry in step. */
  readonly jitter: boolean;
}

export const DEFAULT_RETRY_TIMING: RetryTiming = Object.freeze({
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  rateLimitBudgetMs: 90_000,
  jitter: true,
});

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** Whether sending a request twice does what sending it once does. */
export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method.toUpperCase());
}

/** Whether a failed attempt may be retried. `retryUnsafe` lets POST retry on 5xx and connection errors. */
export function isRetryable(method: string, error: unknown, retryUnsafe = false): boolean {
  if (error instanceof CredlyAbortError || error instanceof CredlyValidationError) return false;
  if (error instanceof RateLimitError) return true;
  const safe = isIdempotent(method) || retryUnsafe;
  if (error instanceof CredlyApiError) return safe && error.status >= 500;
  if (error instanceof CredlyConnectionError) return safe;
  return false;
}

/**
 * Parses Retry-After: delta-seconds or an HTTP date. Returns milliseconds, or undefined when the
 * header is missing or unreadable. A date in the past means "now" (0).
 */
export function parseRetryAfter(value: string | undefined | null, now: number = Date.now()): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date names its month ("Sat, 28 Nov 2026 12:00:10 GMT"); Date.parse alone takes "-5" as a year.
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * The wait before retry number `retry` (1 for the first retry). A server-given delay is used as it
 * is (no jitter); otherwise exponential backoff from `baseDelayMs`, doubled each time, capped,
 * with jitter that only shortens the wait.
 */
export function computeDelay(retry: number, retryAfterMs: number | undefined, timing: RetryTiming, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  const exponential = Math.min(timing.maxDelayMs, timing.baseDelayMs * 2 ** Math.max(0, retry - 1));
  if (!timing.jitter) return exponential;
  return Math.round(exponential * (1 - 0.25 * random()));
}
