import type { Random } from './random.js';

/**
 * Fault injection, seeded and deterministic. Faults that act *before* the request takes effect
 * leave no trace in the state; faults that act *after* it leave the change made and hide the
 * answer, which is what makes an outcome ambiguous for a client.
 *
 * | kind                 | when   | what the client sees |
 * | `error-5xx`          | before | 500 or 503 `{data:{message}}`, nothing changed |
 * | `reset-before`       | before | the connection is reset, nothing changed |
 * | `rate-limit`         | before | 429 (with Retry-After unless `retryAfterSeconds: null`) |
 * | `reset-after-commit` | after  | the change is made, then the connection is reset |
 * | `slow`               | after  | the change is made, the answer comes after `delayMs` (longer than the client waits) |
 * | `malformed-json`     | after  | the change is made, the body is cut-off JSON |
 * | `html-error`         | after  | the change is made, a proxy's 502 HTML page comes back |
 */
export const FAULT_KINDS = ['error-5xx', 'reset-before', 'rate-limit', 'reset-after-commit', 'slow', 'malformed-json', 'html-error'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRates {
  /** Share of API requests answered 500/503 before taking effect. */
  readonly errorRate?: number;
  readonly resetBeforeRate?: number;
  /** Share of API requests whose connection is reset after the change was made. */
  readonly resetAfterCommitRate?: number;
  /** Share of API requests answered after `slowMs` (after the change was made). */
  readonly slowRate?: number;
  readonly slowMs?: number;
  readonly malformedJsonRate?: number;
  readonly htmlErrorRate?: number;
}

export interface TargetedFault {
  /** A route such as `POST /badges`, `GET /badges/:id`, or `*` for any API route. */
  readonly route?: string;
  readonly kind: FaultKind;
  /** How many matching requests it hits (1 by default). */
  readonly count?: number;
  readonly status?: number;
  readonly delayMs?: number;
  readonly retryAfterSeconds?: number | null;
  /** A Retry-After header value as it is (an HTTP date, say), on `rate-limit` and `error-5xx`. */
  readonly retryAfterHeader?: string;
}

export interface FaultDecision {
  readonly kind: FaultKind;
  readonly status?: number | undefined;
  readonly delayMs?: number | undefined;
  readonly retryAfterSeconds?: number | null | undefined;
  readonly retryAfterHeader?: string | undefined;
}

export class FaultPlan {
  readonly #random: Random;
  #rates: FaultRates;
  readonly #targeted: Array<{ fault: TargetedFault; left: number }> = [];
  /** How many times each kind fired. */
  readonly fired = new Map<FaultKind, number>();

  constructor(rates: FaultRates, random: Random) {
    this.#rates = rates;
    this.#random = random;
  }

  setRates(rates: FaultRates): void {
    this.#rates = rates;
  }

  inject(fault: TargetedFault): void {
    if (!FAULT_KINDS.includes(fault.kind)) throw new RangeError(`unknown fault kind "${fault.kind}"; use one of ${FAULT_KINDS.join(', ')}`);
    this.#targeted.push({ fault, left: fault.count ?? 1 });
  }

  clear(): void {
    this.#targeted.length = 0;
    this.fired.clear();
  }

  /** The fault for this request, if any: targeted faults first, then the random rates. */
  next(route: string): FaultDecision | null {
    const index = this.#targeted.findIndex(({ fault }) => !fault.route || fault.route === '*' || fault.route === route);
    if (index >= 0) {
      const entry = this.#targeted[index]!;
      entry.left -= 1;
      if (entry.left <= 0) this.#targeted.splice(index, 1);
      return this.#fire({ kind: entry.fault.kind, status: entry.fault.status, delayMs: entry.fault.delayMs, retryAfterSeconds: entry.fault.retryAfterSeconds, retryAfterHeader: entry.fault.retryAfterHeader });
    }
    const r = this.#rates;
    const draws: Array<[number | undefined, FaultDecision]> = [
      [r.errorRate, { kind: 'error-5xx' }],
      [r.resetBeforeRate, { kind: 'reset-before' }],
      [r.resetAfterCommitRate, { kind: 'reset-after-commit' }],
      [r.slowRate, { kind: 'slow', delayMs: r.slowMs }],
      [r.malformedJsonRate, { kind: 'malformed-json' }],
      [r.htmlErrorRate, { kind: 'html-error' }],
    ];
    for (const [rate, decision] of draws) {
      // Always draw, so that one rate's presence does not shift another's sequence.
      const draw = this.#random();
      if (rate && draw < rate) return this.#fire(decision);
    }
    return null;
  }

  #fire(decision: FaultDecision): FaultDecision {
    this.fired.set(decision.kind, (this.fired.get(decision.kind) ?? 0) + 1);
    return decision;
  }
}
