/**
 * The share of a rate the engine leaves unused (3 %): requests are paced at 97 % of `--rate`.
 * Credly-like limits count requests in fixed windows as they arrive, and a request never leaves
 * exactly at its slot (timers fire late on a busy machine, a request's path through the client
 * takes time), so that with slots exactly 1/rate apart one window now and then receives one
 * request too many. Measured (bench/workers-part.ts rate) with four workers and `--rate 20/s`
 * against a limit of 20 requests per fixed second, on a 2-core machine kept busy by two other
 * processes: without the margin, 429 shares from 0 to 0.017 (median 0.005 over 11 runs); with
 * it, at most 0.002 (4 runs). See docs/scaling.md, "One rate per Credly organization".
 */
export const RATE_MARGIN = 0.03;

/** The rate requests are paced at for a rate limit of `perSecond`. */
export function pacedRate(perSecond: number): number {
  return perSecond * (1 - RATE_MARGIN);
}

/** The rate bucket of a Credly organization in a ledger that shares a rate between workers. */
export function rateBucket(organizationId: string): string {
  return `credly:${organizationId}`;
}

/**
 * Client-side pacing: requests start no closer than 1/rate seconds apart, so a job stays under
 * Credly's limit instead of meeting 429s. Without a rate it never waits.
 */
export class Pacer {
  readonly #intervalMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  #next = 0;

  constructor(ratePerSecond: number | undefined, sleep: (ms: number) => Promise<void>, now: () => number = () => performance.now()) {
    this.#intervalMs = ratePerSecond && ratePerSecond > 0 ? 1000 / ratePerSecond : 0;
    this.#sleep = sleep;
    this.#now = now;
  }

  async wait(): Promise<void> {
    if (this.#intervalMs === 0) return;
    const now = this.#now();
    const slot = Math.max(now, this.#next);
    this.#next = slot + this.#intervalMs;
    if (slot > now) await this.#sleep(slot - now);
  }
}
