import { describe, expect, it } from 'vitest';
import { afterLookup, afterSend, firstStep, type AwardStep } from '../../../src/issuance/award.js';

const policy = { maxAttempts: 3, retryDelayMs: 100 };
const lookup = (reason: 'taken-over' | 'maybe-processed' | 'maybe-duplicate', attempt = 1, error = 'boom') =>
  ({ do: 'look-up', reason, attempt, error }) as Extract<AwardStep, { do: 'look-up' }>;

describe('the per-award protocol (pure)', () => {
  it('starts with a send, or with a look-up when the award was taken over', () => {
    expect(firstStep(false)).toEqual({ do: 'send', attempt: 1 });
    expect(firstStep(true)).toEqual({ do: 'look-up', reason: 'taken-over', attempt: 0 });
  });

  it('201: issued by this run', () => {
    expect(afterSend({ ok: true, badgeId: 'b' }, 1, policy)).toEqual({ do: 'issued', badgeId: 'b', how: 'issued', byThisRun: true });
  });

  it('a failure that may have been processed, or may be a duplicate, is looked up before anything else', () => {
    expect(afterSend({ ok: false, failure: 'maybe-processed', message: '503' }, 1, policy)).toMatchObject({ do: 'look-up', reason: 'maybe-processed', attempt: 1 });
    expect(afterSend({ ok: false, failure: 'maybe-duplicate', message: '409 conflict' }, 1, policy)).toMatchObject({ do: 'look-up', reason: 'maybe-duplicate' });
  });

  it('credentials stop the run; a refusal fails the award; a 429 past the client\'s budget fails it for this run', () => {
    expect(afterSend({ ok: false, failure: 'credentials', message: '401' }, 1, policy).do).toBe('stop-run');
    expect(afterSend({ ok: false, failure: 'refused', message: '404 template' }, 1, policy)).toEqual({ do: 'failed', reason: '404 template' });
    expect(afterSend({ ok: false, failure: 'rate-limited', message: '429' }, 1, policy)).toMatchObject({ do: 'failed', reason: expect.stringMatching(/not processed; the next run sends it/) });
  });

  it('found after a look-up: who created it decides what the run reports', () => {
    expect(afterLookup({ found: true, badgeId: 'b' }, lookup('maybe-processed'), policy)).toMatchObject({ do: 'issued', how: 'issued', byThisRun: true });
    expect(afterLookup({ found: true, badgeId: 'b' }, lookup('taken-over', 0), policy)).toMatchObject({ do: 'issued', how: 'issued', byThisRun: false });
    expect(afterLookup({ found: true, badgeId: 'b' }, lookup('maybe-duplicate'), policy)).toMatchObject({ do: 'issued', how: 'already-issued', byThisRun: false });
  });

  it('not found: a duplicate that was not one is a refusal with Credly\'s words; an ambiguous send is sent again, bounded', () => {
    expect(afterLookup({ found: false }, lookup('maybe-duplicate', 1, '422 recipient email is invalid'), policy)).toEqual({ do: 'failed', reason: '422 recipient email is invalid' });
    expect(afterLookup({ found: false }, lookup('taken-over', 0), policy)).toEqual({ do: 'send', attempt: 1 });
    expect(afterLookup({ found: false }, lookup('maybe-processed', 1), policy)).toMatchObject({ do: 'wait-and-send', attempt: 2, waitMs: 100 });
    expect(afterLookup({ found: false }, lookup('maybe-processed', 3), policy)).toMatchObject({ do: 'failed', reason: expect.stringMatching(/no badge after 3 attempt/) });
  });

  it('a failed look-up is made again after a backoff, keeping why it was made; after maxAttempts failures in a row the award is left issuing', () => {
    const first = afterLookup({ error: 'ECONNRESET' }, lookup('maybe-duplicate', 1, '409 conflict'), policy);
    expect(first).toEqual({ do: 'look-up', reason: 'maybe-duplicate', attempt: 1, error: '409 conflict', failedLookups: 1, lookupError: 'ECONNRESET', waitMs: 100 });
    const second = afterLookup({ error: 'timeout' }, first as Extract<AwardStep, { do: 'look-up' }>, policy);
    expect(second).toMatchObject({ do: 'look-up', failedLookups: 2, lookupError: 'timeout', waitMs: 200 });
    // Found on the third: what the send's failure meant still decides (a duplicate: already issued).
    expect(afterLookup({ found: true, badgeId: 'b' }, second as Extract<AwardStep, { do: 'look-up' }>, policy)).toMatchObject({ do: 'issued', how: 'already-issued' });
    expect(afterLookup({ found: false }, second as Extract<AwardStep, { do: 'look-up' }>, policy)).toEqual({ do: 'failed', reason: '409 conflict' });
    expect(afterLookup({ error: '503' }, second as Extract<AwardStep, { do: 'look-up' }>, policy)).toEqual({
      do: 'leave-issuing',
      reason: 'outcome unknown (the look-up failed 3 time(s); last: 503); the award stays "issuing" and the next run looks it up again',
    });
    expect(afterLookup({ error: 'timeout' }, lookup('taken-over', 0), { maxAttempts: 1, retryDelayMs: 100 })).toMatchObject({ do: 'leave-issuing' });
  });
});
