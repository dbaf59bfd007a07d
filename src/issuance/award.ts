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
  | {
      readonly do: 'look-up';
      readonly reason: LookupReason;
      readonly attempt: number;
      readonly error?: string;
      /** Look-ups of this step that failed already (the client's own retries inside each). */
      readonly failedLookups?: number;
      /** Why the last of them failed. */
      readonly lookupError?: string;
      /** Wait this long first (after a look-up that failed). */
      readonly waitMs?: number;
    }
  /** Wait, then send again (refused before processing, or not found after an ambiguous failure). */
  | { readonly do: 'wait-and-send'; readonly attempt: number; readonly waitMs: number; readonly why: string }
  /**
   * The badge exists. `how` is what the ledger records (did this ledger create it?); `byThisRun`
   * is what the run reports: a badge an earlier, crashed run created is not this run's `issued`.
   */
  | { readonly do: 'issued'; readonly badgeId: string; readonly how: 'issued' | 'already-issued'; readonly byThisRun: boolean }
  | { readonly do: 'failed'; readonly reason: string }
  /** Credly refused the credentials: record this award failed and stop the whole run. */
  | { readonly do: 'stop-run'; readonly reason: string }
  /** The outcome cannot be known now (the look-up failed): leave it `issuing` for a later look-up. */
  | { readonly do: 'leave-issuing'; readonly reason: string };

export interface AwardPolicy {
  /**
   * Issue requests per award in one run after ambiguous failures, and look-ups in a row that may
   * fail (each after the client's own retries) before the award is left for the next run.
   */
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
export function afterSend(result: SendResult, attempt: number, _policy: AwardPolicy): AwardStep {
  if (result.ok) return { do: 'issued', badgeId: result.badgeId, how: 'issued', byThisRun: true };
  switch (result.failure) {
    case 'credentials':
      return { do: 'stop-run', reason: `Credly refused the credentials (${result.message}); check the token and the environment` };
    case 'maybe-duplicate':
      return { do: 'look-up', reason: 'maybe-duplicate', attempt, error: result.message };
    case 'maybe-processed':
      return { do: 'look-up', reason: 'maybe-processed', attempt, error: result.message };
    case 'rate-limited':
      // The client already waited out 429s up to its budget, slowing the whole run; one that
      // reaches here fails this award for this run (nothing was processed), and the next run sends it.
      return { do: 'failed', reason: `rate limited by Credly beyond the client's wait budget (not processed; the next run sends it): ${result.message}` };
    case 'not-sent':
    case 'refused':
      return { do: 'failed', reason: result.message };
  }
}

export type LookupResult = { readonly found: true; readonly badgeId: string } | { readonly found: false } | { readonly error: string };

/** After a look-up made for `reason`. */
export function afterLookup(result: LookupResult, step: Extract<AwardStep, { do: 'look-up' }>, policy: AwardPolicy): AwardStep {
  if ('error' in result) {
    // Credly failing for a moment (the client's retries spent) is no reason to leave the award to
    // the next run, which a multi-worker job may not have: look again after a backoff.
    const failed = (step.failedLookups ?? 0) + 1;
    if (failed < policy.maxAttempts) return { ...step, failedLookups: failed, lookupError: result.error, waitMs: backoff(failed, policy) };
    return { do: 'leave-issuing', reason: `outcome unknown (the look-up failed ${failed} time(s); last: ${result.error}); the award stays "issuing" and the next run looks it up again` };
  }
  if (result.found) {
    switch (step.reason) {
      case 'maybe-processed':
        // Our own ambiguous send went through.
        return { do: 'issued', badgeId: result.badgeId, how: 'issued', byThisRun: step.attempt > 0 };
      case 'taken-over':
        // A send before this run (a crashed run's, a dead worker's) went through: this ledger created it, this run did not.
        return { do: 'issued', badgeId: result.badgeId, how: 'issued', byThisRun: false };
      case 'maybe-duplicate':
        return { do: 'issued', badgeId: result.badgeId, how: 'already-issued', byThisRun: false };
    }
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
