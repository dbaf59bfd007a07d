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
