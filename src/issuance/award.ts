import type { FailureClass } from '../credly/failure.js';

/**
 * The exactly-once protocol for one award, as a pure state machine (DESIGN.md, "Exactly-once
 * issuance"). The executor performs each step's action (write the intent, send, look up, wait,
 * record) and feeds back what happened; this decides what comes next. Nothing here does I/O.
 */

/** Why a look-up is being made: it decides what "not found" means. */
export type LookupReason = 'taken-over' | 'maybe-processed' | 'maybe-duplicate';

export type AwardStep =
  /** Make the intent (`issuing`, attempt n+1) durable, then send. */
  | { readonly do: 'send'; readonly attempt: number }
  /** Look the badge up in Credly before anything else is sent. */
  | { readonly do: 'look-up'; readonly reason: LookupReason; readonly attempt: number; readonly error?: string }
  /** Wait, then send again (refused before processing, or not found after an ambiguous failure). */
  | { readonly do: 'wait-and-send'; readonly attempt: number; readonly waitMs: number; readonly why: string }
  | { readonly do: 'issued'; readonly badgeId: string; readonly how: 'issued' | 'already-issued' }
  | { readonly do: 'failed'; readonly reason: string }
  /** Credly refused the credentials: record this award failed and stop the whole run. */
  | { readonly do: 'stop-run'; readonly reason: string }
  /** The outcome cannot be known now (the look-up failed): leave it `issuing` for a later look-up. */
  | { readonly do: 'leave-issuing'; readonly reason: string };

export interface AwardPolicy {
  /** Issue requests per award in one run after ambiguous failures or rate limits. */
  readonly maxAttempts: number;
  /** First wait before sending again (doubled each time). */
  readonly retryDelayMs: number;
}

/**
 * Where an award starts once claimed: a taken-over award may have been sent, so it is looked up
 * first. `attempt` counts this run's sends only (the record counts them over all runs).
 */
export function firstStep(takenOver: boolean): AwardStep {
  return takenOver ? { do: 'look-up', reason: 'taken-over', attempt: 0 } : { do: 'send', attempt: 1 };
}

export type SendResult =
  | { readonly ok: true; readonly badgeId: string }
  | { readonly ok: false; readonly failure: FailureClass; readonly message: string; readonly retryAfterMs?: number | undefined };

/** After a send (attempt `attempt`, already counted). */
export function afterSend(result: SendResult, attempt: number, policy: AwardPolicy): AwardStep {
  if (result.ok) return { do: 'issued', badgeId: result.badgeId, how: 'issued' };
  switch (result.failure) {
    case 'credentials':
      return { do: 'stop-run', reason: `Credly refused the credentials (${result.message}); check the token and the environment` };
    case 'maybe-duplicate':
      return { do: 'look-up', reason: 'maybe-duplicate', attempt, error: result.message };
    case 'maybe-processed':
      return { do: 'look-up', reason: 'maybe-processed', attempt, error: result.message };
    case 'rate-limited':
      if (attempt >= policy.maxAttempts) return { do: 'failed', reason: `rate limited by Credly ${attempt} time(s); last: ${result.message}` };
      return { do: 'wait-and-send', attempt: attempt + 1, waitMs: result.retryAfterMs ?? backoff(attempt, policy), why: 'rate limited (not processed)' };
    case 'not-sent':
    case 'refused':
      return { do: 'failed', reason: result.message };
  }
}

export type LookupResult = { readonly found: true; readonly badgeId: string } | { readonly found: false } | { readonly error: string };

/** After a look-up made for `reason`. */
export function afterLookup(result: LookupResult, step: Extract<AwardStep, { do: 'look-up' }>, policy: AwardPolicy): AwardStep {
  if ('error' in result) {
    return { do: 'leave-issuing', reason: `outcome unknown (the look-up failed: ${result.error}); the award stays "issuing" and the next run looks it up again` };
  }
  if (result.found) {
    // Found after our own ambiguous send (or a crashed run's): this ledger created it.
    return { do: 'issued', badgeId: result.badgeId, how: step.reason === 'maybe-duplicate' ? 'already-issued' : 'issued' };
  }
  switch (step.reason) {
    case 'maybe-duplicate':
      // Not a duplicate after all: Credly refused the badge, and says why.
      return { do: 'failed', reason: step.error ?? 'refused by Credly' };
    case 'taken-over':
      // Whoever held it did not get as far as creating the badge: send it now, as it was.
      return { do: 'send', attempt: step.attempt + 1 };
    case 'maybe-processed':
      if (step.attempt >= policy.maxAttempts) return { do: 'failed', reason: `no badge after ${step.attempt} attempt(s); last: ${step.error ?? 'unknown'}` };
      return { do: 'wait-and-send', attempt: step.attempt + 1, waitMs: backoff(step.attempt, policy), why: `no badge found after: ${step.error ?? 'an ambiguous failure'}` };
  }
}

export function backoff(attempt: number, policy: AwardPolicy): number {
  return policy.retryDelayMs * 2 ** Math.max(0, attempt - 1);
}
