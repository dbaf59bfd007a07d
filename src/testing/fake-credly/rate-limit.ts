/** A fixed-window request limit, as a throttling API would apply it. */
export interface RateLimitOptions {
  /** Requests allowed per window. */
  readonly requests: number;
  /** The window, 1000 ms by default. */
  readonly windowMs?: number;
  /** Send Retry-After (seconds until the window ends) with the 429; true by default. */
  readonly retryAfter?: boolean;
}

export class FixedWindowLimiter {
  readonly #requests: number;
  readonly #windowMs: number;
  readonly retryAfter: boolean;
  #windowStart = 0;
  #count = 0;
  limited = 0;

  constructor(options: RateLimitOptions) {
    if (!Number.isInteger(options.requests) || options.requests < 1) throw new RangeError('rateLimit.requests must be a whole number of 1 or more');
    this.#requests = options.requests;
    this.#windowMs = options.windowMs ?? 1000;
    this.retryAfter = options.retryAfter ?? true;
  }

  /** null when the request may go on; otherwise the ms until the window ends. */
  take(now: number): number | null {
    if (now - this.#windowStart >= this.#windowMs) {
      this.#windowStart = now - ((now - this.#windowStart) % this.#windowMs);
      if (now - this.#windowStart >= this.#windowMs) this.#windowStart = now;
      this.#count = 0;
    }
    if (this.#count < this.#requests) {
      this.#count += 1;
      return null;
    }
    this.limited += 1;
    return this.#windowStart + this.#windowMs - now;
  }
}

/** Parses the CLI's `N/s`, `N/m` or a plain N (per second); N is 1 or more. */
export function parseRateLimit(text: string): RateLimitOptions {
  const match = /^(\d+)\s*(?:\/\s*(s|sec|second|m|min|minute))?$/i.exec(text.trim());
  if (!match) throw new RangeError(`rate limit "${text}" should look like 100/s or 600/m`);
  const requests = Number(match[1]);
  // 0 would mean "no limit" to a caller that tests the rate for truth: refuse it, as the limiter does.
  if (requests < 1) throw new RangeError(`rate limit "${text}" should be at least 1 request, like 100/s or 600/m`);
  const unit = (match[2] ?? 's').toLowerCase();
  return { requests, windowMs: unit.startsWith('m') ? 60_000 : 1000 };
}
