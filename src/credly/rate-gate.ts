/**
 * Run-wide pacing learned from 429s. Credly publishes no limit (credly-api.md §4), so the client
 * learns one: after a 429 every request of this client holds until the wait is over (not only the
 * one that was refused), and requests start further apart, a spacing that doubles with each
 * episode of 429s and shrinks by 5 % with each success. The 429s of one burst (requests sent
 * before the pause began) count as one episode: they say nothing new about the rate. A job of many awards thus slows down as a whole instead of
 * each award hammering on its own.
 */
export interface RateGateOptions {
  readonly now: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The widest spacing learned (5 s by default). */
  readonly maxSpacingMs?: number;
}

/** The first spacing after a 429, in ms. */
const FIRST_SPACING_MS = 100;
/** The narrowest spacing a later 429 doubles from, in ms. */
const MIN_SPACING_MS = 10;
/** Each success shortens the spacing by this share (5 %): slowly, to stay near a rate that works. */
const RECOVERY = 0.95;

export class RateGate {
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #maxSpacingMs: number;
  #pausedUntil = 0;
  #spacingMs = 0;
  #nextStart = 0;

  constructor(options: RateGateOptions) {
    this.#now = options.now;
    this.#sleep = options.sleep;
    this.#maxSpacingMs = options.maxSpacingMs ?? 5_000;
  }

  /** The spacing between request starts learned so far (0 until a 429). */
  get spacingMs(): number {
    return this.#spacingMs;
  }

  /** When the current run-wide pause ends (epoch ms; 0 when none was ever set). */
  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  /**
   * Waits for the run-wide pause and the learned spacing. A request retrying after its own 429
   * wait (`waitedUntil`, when that wait ends) waits only for a pause set later than that. Retries
   * that come out of one pause together are spaced like any other requests, so they do not
   * meet the limit again as one burst. The wait ends early, with the sleep's rejection, when
   * `signal` fires.
   */
  async beforeAttempt(signal?: AbortSignal, waitedUntil = 0): Promise<void> {
    const now = this.#now();
    const pause = this.#pausedUntil > waitedUntil ? this.#pausedUntil : 0;
    const slot = Math.max(now, pause, this.#spacingMs > 0 ? this.#nextStart : 0);
    this.#nextStart = slot + this.#spacingMs;
    if (slot > now) await this.#sleep(slot - now, signal);
  }

  /** A 429 with the wait chosen for it: the whole client pauses that long, and spaces requests wider. */
  onRateLimited(waitMs: number): void {
    const now = this.#now();
    if (now >= this.#pausedUntil) {
      // A new episode (not one more 429 of the burst that started the current pause).
      this.#spacingMs = Math.min(this.#maxSpacingMs, this.#spacingMs === 0 ? FIRST_SPACING_MS : Math.max(MIN_SPACING_MS, this.#spacingMs * 2));
    }
    this.#pausedUntil = Math.max(this.#pausedUntil, now + waitMs);
  }

  onSuccess(): void {
    if (this.#spacingMs === 0) return;
    this.#spacingMs = this.#spacingMs * RECOVERY < 1 ? 0 : this.#spacingMs * RECOVERY;
  }
}
