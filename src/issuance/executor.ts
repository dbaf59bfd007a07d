import { randomUUID } from 'node:crypto';
import type { CredlyClient } from '../credly/client.js';
import type { IssuedBadge } from '../credly/schemas/badge.js';
import { classifyFailure } from '../credly/failure.js';
import type { Logger } from '../credly/logger.js';
import type { DuplicateBehavior, IssueBadgeParams } from '../credly/schemas/requests.js';
import type { RequestOptions } from '../credly/transport.js';
import { holdsBadge, type AwardPatch, type AwardRecord, type Claim, type Ledger, type PlannedAward } from '../ledger/contract.js';
import { claimBatch, findAwards, planAndClaim, planAwards } from '../ledger/batch.js';
import { LeaseLostError, LedgerError } from '../ledger/errors.js';
import { intentPatch } from '../ledger/records.js';
import { credlyStatusOf } from '../lifecycle/credly-status.js';
import type { TextEvidenceType } from '../mapping/issue-payload.js';
import { afterLookup, afterSend, firstStep, type AwardPolicy, type AwardStep, type SendResult } from './award.js';
import { Pacer, pacedRate, rateBucket } from './pacer.js';
import { buildAward, decideRow, planRow, rowKey, type MicrocredentialEntry, type PlanContext, type RowPlan, type RowToIssue } from './plan.js';
import { RowsSeen } from './rows-seen.js';
import { SendSlots } from './send-slots.js';
import { checkTemplates, type TemplateCheck } from './template-check.js';
import { ReportBuilder, type AwardOutcome, type IssuanceReport, type Outcome } from './report.js';
import type { RosterRow } from './roster.js';

export type { MicrocredentialEntry } from './plan.js';

export interface ProgressEvent {
  readonly type: 'award';
  readonly outcome: Outcome;
  readonly row: number | null;
  /** Awards settled so far in this run (every outcome). */
  readonly done: number;
  readonly totals: Readonly<Record<Outcome, number>>;
}

export interface IssuanceOptions {
  readonly client: CredlyClient;
  readonly ledger: Ledger;
  readonly microcredentials: readonly MicrocredentialEntry[];
  /** Awards in flight at once (8 by default). */
  readonly concurrency?: number;
  /**
   * Requests to Credly per second (none by default). On a ledger that shares a rate between
   * workers (PostgreSQL) it is the rate of the whole job, not of this worker. Every request the run
   * makes waits for its turn, retries included, and requests are paced 3 % under it (RATE_MARGIN).
   */
  readonly ratePerSecond?: number;
  /** Validate and plan without sending anything or writing the ledger. */
  readonly dryRun?: boolean;
  /** Stops starting new awards; those in flight finish and are recorded. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Each award's outcome as it settles (stream it to a file for large runs). */
  readonly onOutcome?: (outcome: AwardOutcome) => void;
  /** Outcomes the returned report holds (10,000 by default; 0 for none). */
  readonly keepOutcomes?: number;
  /** Issue requests per award in one run, after ambiguous failures (3 by default). */
  readonly maxAttempts?: number;
  /** First wait before re-sending after an ambiguous failure (doubled each time; 500 ms by default). */
  readonly retryDelayMs?: number;
  /** How long this worker's hold on an award lives unless renewed (30 s by default; renewed every third of it). */
  readonly leaseMs?: number;
  /** This worker's id in the ledger (the ledger handle's owner by default). */
  readonly owner?: string;
  readonly suppressNotifications?: boolean;
  readonly textEvidenceType?: TextEvidenceType;
  /**
   * Credly's `duplicate_behavior` on each issue request (`replace` re-certifies a learner whose
   * badge was issued outside the ledger). Awards this ledger already issued are still skipped:
   * re-certify those with `replaceAward`.
   */
  readonly duplicateBehavior?: DuplicateBehavior;
  readonly logger?: Logger;
  /**
   * The templates' check (`checkTemplates`), when the caller started it already, e.g. beside its
   * credentials check, so that the run does not wait for one round trip after the other. Without
   * it the run checks them first (with `record: !dryRun` and this run's request options).
   */
  readonly templateCheck?: Promise<TemplateCheck>;
  /** @internal Test seam: the clock. */
  readonly now?: () => Date;
  /** @internal Test seam: waits. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The longest pause of a reader that trails another worker's (see `planPending`). */
const TRAILING_PAUSE_MS = 250;

/** The run cannot go on (credentials refused, the ledger cannot be written, its lease was lost). */
class StopRun extends Error {}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Issues the roster's badges exactly once: a pure planner decides what each row asks for
 * (plan.ts), a pure state machine what the protocol does after each response (award.ts), and this
 * executor does the I/O: claims, durable intents, requests, look-ups, pacing, leases and writes.
 *
 * Any number of workers may run it on one shared ledger: each loads the roster (planning an award
 * twice is harmless), claims the awards it issues, and finally claims whatever is left (awards
 * planned by workers that died, or left `issuing` by them: those are looked up before anything is
 * sent). Each returns its own share of the report.
 */
export async function issueBadges(rows: AsyncIterable<RosterRow> | Iterable<RosterRow>, options: IssuanceOptions): Promise<IssuanceReport> {
  const { client, ledger } = options;
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? abortableSleep;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const policy: AwardPolicy = { maxAttempts: Math.max(1, options.maxAttempts ?? 3), retryDelayMs: options.retryDelayMs ?? 500 };
  const leaseMs = options.leaseMs ?? 30_000;
  const owner = options.owner ?? ledger.owner;
  const dryRun = options.dryRun ?? false;
  const log = options.logger;
  const report = new ReportBuilder(now, options.keepOutcomes ?? 10_000);
  const runStartedAt = now().getTime();
  const signal = options.signal;
  const cancelled = () => signal?.aborted === true;
  const stamp = () => now().toISOString();
  // A stop (SIGTERM) ends the client's waits (429s, Retry-After), never a request in flight.
  const waits = signal ? { waitSignal: signal } : {};

  // Pacing: a rate shared through the ledger by every worker, or this process's own. Every request
  // the run makes to Credly waits for its turn (issues, look-ups and their pages, the template
  // checks, and the client's own retries after a 429), through the client's beforeAttempt hook.
  // Paced a little under the rate (RATE_MARGIN), so that late timers do not put one request too many in a window.
  const rate = options.ratePerSecond ? pacedRate(options.ratePerSecond) : undefined;
  const localPacer = new Pacer(rate, (ms) => sleep(ms));
  const pace = (wait?: AbortSignal): Promise<void> =>
    rate && ledger.takeRateSlot ? ledger.takeRateSlot(rateBucket(client.organizationId), rate, wait ?? signal) : localPacer.wait();
  const requestOptions: RequestOptions = { ...waits, ...(rate ? { beforeAttempt: ({ signal: wait }) => pace(wait) } : {}) };

  let done = 0;
  const settle = (outcome: AwardOutcome) => {
    report.add(outcome);
    done += 1;
    options.onOutcome?.(outcome);
    options.onProgress?.({ type: 'award', outcome: outcome.outcome, row: outcome.row, done, totals: report.totals });
  };

  // ---- templates: refuse those archived or deleted in Credly since the last run, with a reason.
  // (A caller may have started the check already, beside its credentials check.)
  const { templates, unusable, credentialsRefused } = await (options.templateCheck ??
    checkTemplates({ client, ledger, microcredentials: options.microcredentials, requestOptions, record: !dryRun, now }));
  if (credentialsRefused !== undefined) {
    // Nothing else will work either: stop before any award is attempted.
    report.stoppedBecause = `Credly refused the credentials (${credentialsRefused}); check the token and the environment`;
    return report.build(dryRun);
  }
  const context: PlanContext = {
    microcredentials: new Map(options.microcredentials.map((entry) => [entry.microcredential.id, entry])),
    microcredentialByTemplate: new Map([...templates.values()].map((t) => [t.templateId, t.microcredentialId])),
    template: (id) => templates.get(id),
    unusable,
    now: now(),
    suppressNotifications: options.suppressNotifications,
    textEvidenceType: options.textEvidenceType,
    duplicateBehavior: options.duplicateBehavior,
  };

  const sendSlots = new SendSlots(concurrency);

  // ---- claims held by this worker, renewed while their requests are in flight.
  const held = new Map<string, Claim>();
  /**
   * When each held claim's lease was last known live: this process's monotonic clock, read before
   * the statement that claimed, renewed or wrote it under the claim (the lease runs from that
   * statement on). Renewals keep it within a third of the lease; an older one means they were held
   * up (a paused process, a stalled connection), and the lease may have run out.
   */
  const liveSince = new Map<string, number>();
  const renewal = dryRun
    ? undefined
    : setInterval(() => {
        if (held.size === 0) return;
        const at = performance.now();
        const claims = [...held.values()];
        ledger.renewClaims(claims, leaseMs).then(
          (lost) => {
            const gone = new Set(lost);
            for (const claim of claims) if (!gone.has(claim.key) && held.get(claim.key) === claim) liveSince.set(claim.key, Math.max(at, liveSince.get(claim.key) ?? at));
            for (const key of lost) log?.warn(`award ${key}: this worker's lease was lost; another worker takes it over`);
          },
          (error: unknown) => log?.warn(`could not renew leases: ${describe(error)}`),
        );
      }, Math.max(20, Math.floor(leaseMs / 3)));
  renewal?.unref();

  let stop: StopRun | undefined;
  let ledgerBroken = false;
  const fatal = (error: unknown): StopRun => {
    ledgerBroken = true;
    stop ??= new StopRun(error instanceof LedgerError ? error.message : `the ledger cannot be written: ${describe(error)}`);
    return stop;
  };
  /** A claimed write; a LeaseLostError means another worker owns the award now. */
  const write = async (claim: Claim, patch: AwardPatch) => {
    const at = performance.now();
    const record = await ledger.writeAward(claim.key, patch, { claim });
    liveSince.set(claim.key, at); // the write required a live lease
    return record;
  };
  /**
   * Right before a request is sent under a claim whose lease was last known live more than half a
   * lease ago, the lease is renewed first, and nothing is sent if it was lost: another worker may
   * have taken the award over meanwhile, found no badge and sent it. (An award claimed with its
   * intent recorded is sent without a write of its own, perhaps long after its claim.) Costs
   * nothing while the renewals keep up.
   */
  const confirmLease = async (claim: Claim): Promise<void> => {
    const at = performance.now();
    if (at - (liveSince.get(claim.key) ?? -Infinity) <= leaseMs / 2) return;
    const lost = await ledger.renewClaims([claim], leaseMs);
    if (lost.length > 0) throw new LeaseLostError(`award ${claim.key}: this worker's lease ran out before its request was sent`);
    liveSince.set(claim.key, at);
  };
  const outcomeWrites = new Set<Promise<void>>();
  const track = (promise: Promise<unknown>, onLost: () => void) => {
    const tracked: Promise<void> = promise
      .then(() => undefined)
      .catch((error: unknown) => {
        if (error instanceof LeaseLostError) onLost();
        else fatal(error);
      })
      .finally(() => outcomeWrites.delete(tracked));
    outcomeWrites.add(tracked);
  };

  /** The protocol for one claimed award. */
  const runClaim = async (claim: Claim, row: number | null): Promise<void> => {
    held.set(claim.key, claim);
    // Claimed one round trip ago, unless claimed in a batch (noted then: it may have waited for a slot since).
    if (!liveSince.has(claim.key)) liveSince.set(claim.key, performance.now());
    let record: AwardRecord = claim.record;
    const request: IssueBadgeParams | null = record.request;
    const base = { row, microcredentialId: record.microcredentialId, email: record.email, key: record.key };
    /** Whether this award's outcome is in this worker's report already: it is reported once. */
    let settled = false;
    const settleOnce = (outcome: AwardOutcome) => {
      settled = true;
      settle(outcome);
    };
    const lost = () => {
      handled.add(claim.key);
      released.add(claim.key);
      // Lost after its outcome was reported (the outcome's write was refused): that outcome stands.
      if (settled) return;
      settleOnce({ ...base, outcome: 'skipped', reason: 'another worker took this award over after this worker lost its lease: it is in that worker\'s report', attempts: record.attempts });
    };
    if (claim.takenOver) report.reconciled += 1;
    let step: AwardStep = firstStep(claim.takenOver);
    let lastAction: 'send' | 'look-up' | undefined;
    /** The badge the last look-up found: its state on Credly is recorded with the outcome. */
    let foundBadge: IssuedBadge | undefined;
    // A batch claim may have recorded the first send's intent already (durable before it returned).
    let intentRecorded = claim.intent === true;
    let holdsSlot = false;
    /**
     * Gives the slot to the next award as soon as a request is answered, and lets that award's
     * request go out (its continuation runs in the microtasks this yields to) before this one's
     * outcome is written and reported: the slots' requests follow each other without this
     * award's bookkeeping between them.
     */
    const releaseSlot = async (): Promise<void> => {
      if (!holdsSlot) return;
      holdsSlot = false;
      sendSlots.release();
      await new Promise<void>((resolve) => setImmediate(resolve));
    };
    /** Waits for a slot to talk to Credly; false when the run stopped meanwhile (nothing more is sent). */
    const takeSlot = async (): Promise<boolean> => {
      if (!holdsSlot) {
        await sendSlots.acquire();
        holdsSlot = true;
      }
      return !stop;
    };
    try {
      for (;;) {
        switch (step.do) {
          case 'send': {
            if (!request) {
              step = { do: 'failed', reason: 'no request was recorded for this award: run its roster again' };
              break;
            }
            // Step 2: the intent is durable before anything is sent.
            // It is written before this award has a slot, while others' requests are in flight, so
            // that a slot never waits for the disk.
            if (intentRecorded) intentRecorded = false;
            else record = await write(claim, { ...intentPatch(record), request });
            if (!(await takeSlot())) {
              // Not sent, and known not to be: "failed" lets the next run send it without a look-up.
              step = { do: 'failed', reason: `not sent: the run stopped (${stop!.message})` };
              break;
            }
            // A job that lost the ledger's lease sends nothing more, prepared awards included:
            // a job that took the ledger over looks this award up, and would find it only too late.
            ledger.checkLease?.();
            // Nor does a worker whose lease on this award may have run out.
            await confirmLease(claim);
            lastAction = 'send';
            let result: SendResult;
            try {
              // Only the badge's id is read from the answer (it embeds the whole template).
              result = { ok: true, badgeId: await client.badges.issueReturningId(request, requestOptions) };
            } catch (error) {
              if (error instanceof LedgerError) throw error; // the rate slot could not be taken: nothing was sent
              const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs;
              result = { ok: false, failure: classifyFailure(error), message: describe(error), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
            }
            step = afterSend(result, step.attempt, policy);
            // A refusal that stops the run keeps its slot until the run is marked stopped, so that no prepared award is sent after it.
            if (step.do !== 'stop-run') await releaseSlot();
            break;
          }
          case 'look-up': {
            if (step.waitMs) {
              // After a failed look-up: the slot is free while this award waits.
              log?.info(`award ${record.key}: the look-up failed (${step.lookupError ?? 'unknown'}); looking again in ${step.waitMs} ms`);
              await sleep(step.waitMs, signal);
              step = { ...step, waitMs: 0 };
              if (cancelled()) {
                step = { do: 'leave-issuing', reason: `not looked up again (the look-up failed: ${step.lookupError ?? 'unknown'}): the run was cancelled; the award stays "issuing" and the next run looks it up` };
                break;
              }
            }
            if (!(await takeSlot())) {
              // It may have been sent before: it stays "issuing", for the next run to look up.
              step = { do: 'leave-issuing', reason: `not looked up: the run stopped (${stop!.message})` };
              break;
            }
            lastAction = 'look-up';
            let found;
            try {
              const badge = await client.badges.findExisting(record.templateId, { issuerEarnerId: record.earnerId, email: record.email }, requestOptions);
              foundBadge = badge ?? undefined;
              found = badge ? ({ found: true, badgeId: badge.id } as const) : ({ found: false } as const);
            } catch (error) {
              if (error instanceof LedgerError) throw error;
              if (classifyFailure(error) === 'credentials') {
                step = { do: 'stop-run', reason: `Credly refused the credentials (${describe(error)}); check the token and the environment` };
                break;
              }
              found = { error: describe(error) };
            }
            step = afterLookup(found, step, policy);
            if (step.do !== 'stop-run') await releaseSlot();
            break;
          }
          case 'wait-and-send':
            log?.info(`award ${record.key}: ${step.why}; sending again in ${step.waitMs} ms (attempt ${step.attempt})`);
            await sleep(step.waitMs, signal);
            if (cancelled()) {
              step = { do: 'failed', reason: `cancelled before it could be sent again (${step.why}); the next run sends it` };
              break;
            }
            step = { do: 'send', attempt: step.attempt };
            break;
          case 'issued': {
            const { badgeId, how, byThisRun } = step;
            // The outcome's write need not hold the award's slot: if the process dies before it
            // is durable, the award is still "issuing" and the next run looks it up.
            // Lazy: an outcome lost in a crash leaves the award "issuing", looked up before any resend.
            // Found by a look-up (a stopped run's badge, or one Credly had already), its state there
            // (a learner may have accepted it since) is known now: recorded, as reconcile would.
            // A revoked one is left to reconcile, which revokes the award.
            const seen = lastAction === 'look-up' && foundBadge?.id === badgeId && !record.credly && foundBadge.state !== 'revoked' ? credlyStatusOf(foundBadge, null, now()) : undefined;
            track(ledger.writeAward(claim.key, { state: 'issued', badgeId, how, issuedAt: stamp(), lastError: null, ...(seen ? { credly: seen } : {}) }, { claim, lazy: true }), lost);
            settleOnce({
              ...base,
              outcome: byThisRun ? 'issued' : 'already-issued',
              badgeId,
              attempts: record.attempts,
              ...(byThisRun ? {} : { reason: how === 'already-issued' ? 'Credly already had this badge' : 'created by an earlier run that stopped before recording it' }),
            });
            return;
          }
          case 'failed': {
            const { reason } = step;
            track(ledger.writeAward(claim.key, { state: 'failed', lastError: reason }, { claim, lazy: true }), lost);
            settleOnce({ ...base, outcome: 'failed', reason, attempts: record.attempts });
            return;
          }
          case 'stop-run':
            // Refused before processing: a send made nothing. After a look-up, the award stays as it was.
            if (lastAction === 'send') await write(claim, { state: 'failed', lastError: step.reason }).catch(() => undefined);
            settleOnce({ ...base, outcome: 'failed', reason: step.reason, attempts: record.attempts });
            stop ??= new StopRun(step.reason);
            return;
          case 'leave-issuing':
            // Release the lease: the next run (or another worker) takes it over and looks it up.
            handled.add(claim.key);
            released.add(claim.key);
            track(ledger.writeAward(claim.key, { lastError: step.reason }, { claim, release: true }), lost);
            settleOnce({ ...base, outcome: 'failed', reason: step.reason, attempts: record.attempts });
            return;
        }
      }
    } catch (error) {
      if (error instanceof LeaseLostError) return lost();
      // The ledger could not be written (full disk, lost lease): nothing more is sent.
      settleOnce({ ...base, outcome: 'failed', reason: describe(error), attempts: record.attempts });
      throw fatal(error);
    } finally {
      held.delete(claim.key);
      liveSince.delete(claim.key);
      if (holdsSlot) sendSlots.release();
    }
  };

  // ---- bounded concurrency without queueing the roster: the reader waits for a free place.
  // Row by row (memory and file ledgers), twice `concurrency` awards are under way: `concurrency`
  // talk to Credly (sendSlots), as many more are planned, claimed and have their intent made
  // durable meanwhile, so that a slot that frees sends at once. Batches (below) keep claims ready
  // ahead of the slots instead.
  const inFlight = new Set<Promise<void>>();
  /** Whoever waits for a place (the reader): woken by the next award that ends. */
  let placeFreed: (() => void) | undefined;
  const start = (task: () => Promise<void>) => {
    const promise: Promise<void> = task()
      .catch((error: unknown) => {
        fatal(error);
      })
      .finally(() => {
        inFlight.delete(promise);
        const wake = placeFreed;
        placeFreed = undefined;
        wake?.();
        if (batched) {
          startReady();
          void refill();
        }
      });
    inFlight.add(promise);
  };
  const waitForPlace = async () => {
    // Not Promise.race over every award under way: each call would add a reaction to each of them.
    while (inFlight.size >= 2 * concurrency) await new Promise<void>((resolve) => (placeFreed = resolve));
  };
  /** Starts the task once there is a place; false when the run stopped or was cancelled meanwhile (it does not start). */
  const launch = async (task: () => Promise<void>): Promise<boolean> => {
    await waitForPlace();
    // A row read before a stop or a cancel, that waited for a place: nothing new starts after either.
    if (stop || cancelled()) return false;
    start(task);
    return true;
  };

  /**
   * Awards of this run that a drain must not claim again: those the drains took (their rows, read
   * later, are skipped) and those this run left claimable (left "issuing" after a failed look-up,
   * or lost to another worker). Not every award of the run: the others are settled, which no
   * claim takes, and this set stays as small as the leftovers.
   */
  const handled = new Set<string>();
  /** Awards this run let go of while they stay claimable (left "issuing", or lost): no claim of this run takes them again. */
  const released = new Set<string>();

  // ---- batches, on a ledger shared by several workers that plans and claims many awards per
  // round trip (PostgreSQL): the reader plans rows a batch at a time and never waits for a slot;
  // slots are filled from the claimable awards, a few at a time, each claim recording the first
  // send's intent in the same durable write, so that a slot that frees starts its next award at
  // once. A few claims wait ready beyond the slots, so that claiming is not on any award's path.
  const batched = !dryRun && typeof ledger.planAwards === 'function' && typeof ledger.claimBatch === 'function';
  const ready: Claim[] = [];
  const readyAhead = Math.max(2, concurrency);
  /** False once a claim found fewer awards than it asked for, until the reader plans the next batch. */
  let claimable = true;
  let planned = 0; // batches planned, so that a claim that raced a batch does not stop the claims
  let claiming: Promise<void> | undefined;
  /** Set once the run winds down: nothing more is claimed or started. */
  let windingDown = false;
  /** Awards of this run's roster rows: those this worker claimed, and all of them. */
  let rosterClaims = 0;
  let rosterAwards = 0;
  const startReady = () => {
    while (ready.length > 0 && inFlight.size < concurrency && !windingDown && !stop && !cancelled()) {
      const claim = ready.shift()!;
      start(() => runClaim(claim, claim.record.row ?? null));
    }
  };
  const claimLoop = async () => {
    try {
        while (claimable && !windingDown && !stop && !cancelled()) {
          const room = concurrency + readyAhead - inFlight.size - ready.length;
          // Claim when half the ready ones are gone, several at a time (not one per award that
          // settles), while the other half covers the claim's round trip.
          if (room <= 0 || ready.length * 2 > readyAhead) return;
          const batch = planned;
          const at = performance.now();
          const claims = await claimBatch(ledger, { owner, leaseMs, limit: room, intent: true, ...(released.size ? { exclude: released } : {}) });
          if (claims.length < room && batch === planned) claimable = false;
          for (const claim of claims) {
            handled.add(claim.key);
            held.set(claim.key, claim);
            liveSince.set(claim.key, at);
            if (seen.has(claim.key)) rosterClaims += 1;
            ready.push(claim);
          }
          startReady();
        }
    } catch (error) {
      fatal(error);
    }
  };
  /** Claims in the background (one claim in flight at a time) until the slots and the ready ones are full. */
  const refill = (): Promise<void> => (claiming ??= claimLoop().finally(() => (claiming = undefined)));
  /** Claims and runs whatever is claimable until nothing is left and nothing runs. */
  const drainBatched = async () => {
    while (!stop && !cancelled()) {
      claimable = true;
      await refill();
      if (ready.length === 0 && inFlight.size === 0) return;
      if (inFlight.size > 0) await Promise.race(inFlight);
    }
  };
  /**
   * An award seen again after a failure (or planned without a request): planned again with this
   * row's request, whose evidence may have been fixed. Refused when the record changed meanwhile.
   */
  const replan = (plan: Extract<RowPlan, { do: 'issue' }>, version: number) =>
    ledger.writeAward(plan.key, { state: 'planned', request: plan.request, snapshot: plan.award.snapshot ?? null, row: plan.row, templateId: plan.award.templateId, lastError: null }, { version });
  const pending: Array<{ row: RosterRow; decided: RowToIssue }> = [];
  let batchSize = concurrency + readyAhead;
  /** True while another worker's reader is ahead of this one (this worker's last batch was all planned already). */
  let trailing = false;
  /** Plans the rows read so far in one round trip; what the ledger held already is decided again from its record. */
  const planPending = async () => {
    const items = pending.splice(0);
    if (items.length === 0) return;
    batchSize = Math.min(500, batchSize * 2);
    // Behind another worker's reader, the awards are looked up first (their state only), and only
    // those not in the ledger are built (request, snapshot) and planned: a worker does not build
    // again what another one has planned. Ahead, or alone, they are planned at once.
    const known = trailing ? await findAwards(ledger, items.map((item) => item.decided.key)) : undefined;
    const plans: Array<Extract<RowPlan, { do: 'issue' }> | undefined> = items.map((item, index) => (known?.[index] ? undefined : buildAward(item.decided, context)));
    const toPlan = plans.flatMap((plan) => (plan ? [plan.award] : []));
    const planResults = toPlan.length ? await planAwards(ledger, toPlan) : [];
    let next = 0;
    const results = items.map((_, index): PlannedAward => {
      const found = known?.[index];
      return found ? { created: false, existing: found } : planResults[next++]!;
    });
    let created = 0;
    for (const [index, { row, decided }] of items.entries()) {
      const result = results[index]!;
      if (result.created) {
        rosterAwards += 1;
        created += 1;
        continue;
      }
      const existing = result.existing;
      // Only a settled award makes the row's plan another one (planRow's rule); planned, issuing
      // and failed awards keep it, which spares planning the row twice.
      const settled = existing.state === 'issued' || existing.state === 'replaced' || existing.state === 'revoked';
      if (settled && existing.state !== 'revoked' && Date.parse(existing.updatedAt) >= runStartedAt) {
        // Issued since this run started, by another worker of this job (judged by the ledger's
        // clock against this host's): in that worker's report, as if it had held it.
        rosterAwards += 1;
        continue;
      }
      const again = settled ? decideRow(row, context, existing, undefined) : decided;
      if (again.do !== 'build') {
        settlePlan(again);
        continue;
      }
      rosterAwards += 1;
      if (existing.state === 'failed' || (existing.state === 'planned' && !existing.hasRequest)) {
        await replan((plans[index] ??= buildAward(decided, context)), existing.version).catch(() => undefined);
      }
    }
    planned += 1;
    trailing = created === 0;
    claimable = true;
    void refill();
    // Another worker planned every row of this batch: it reads ahead of this one, and this reader
    // adds nothing to what can be claimed. It goes on at about a row a millisecond, so that its
    // reading is spread over the job instead of taking the processor while every worker starts.
    // (Should that worker stop, the next batch this one plans is new, and it reads at full speed.)
    if (created === 0 && !stop && !cancelled()) await sleep(Math.min(TRAILING_PAUSE_MS, items.length), signal);
  };
  /** Claims that never started (the run stopped): their intents are taken back, as nothing was sent, and their leases end. */
  const releaseReady = async () => {
    for (const claim of ready.splice(0)) {
      held.delete(claim.key);
      liveSince.delete(claim.key);
      const patch: AwardPatch = claim.intent ? { state: 'planned', attempts: claim.record.attempts - 1 } : {};
      await ledger.writeAward(claim.key, patch, { claim, release: true }).catch(() => undefined);
    }
  };

  const drain = async () => {
    if (batched) return drainBatched();
    while (!stop && !cancelled()) {
      // A place first, then the claim: a claim is not held while waiting, nor taken after a stop or a cancel.
      await waitForPlace();
      if (stop || cancelled()) return;
      // Not the awards this run settled already (one left "issuing" after a failed look-up waits for the next run).
      const claim = await ledger.claimNext({ owner, leaseMs, exclude: handled });
      if (!claim) return;
      handled.add(claim.key);
      start(() => runClaim(claim, claim.record.row ?? null));
    }
  };

  /** Plans (or re-plans) a row's award, claims it and runs it; an award another worker holds is its. */
  const planAndRun = async (plan: Extract<RowPlan, { do: 'issue' }>, base: { row: number; microcredentialId: string; email: string; key: string }): Promise<void> => {
    let claim: Claim | null;
    try {
      // A new award is planned, claimed and has its first send's intent recorded in one write
      // (one record in the file ledger instead of three).
      const planned = await planAndClaim(ledger, plan.award, { owner, leaseMs, intent: true });
      if (planned.created) claim = planned.claim;
      else {
        let record = planned.record;
        if (record.state === 'failed' || (record.state === 'planned' && record.request === null)) record = await replan(plan, record.version).catch(() => record);
        claim = await ledger.claimAward(plan.key, { owner, leaseMs });
      }
      if (!claim) {
        const current = await ledger.getAward(plan.key);
        if (current && holdsBadge(current.state)) {
          settle({ ...base, outcome: 'already-issued', badgeId: current.badgeId ?? undefined, attempts: current.attempts, reason: 'issued by another worker' });
        } else {
          report.heldElsewhere += 1; // Another worker is issuing it: it is in that worker's report.
        }
        return;
      }
    } catch (error) {
      // Another worker holds it now (a shared ledger): it is in that worker's report.
      if (error instanceof LeaseLostError) {
        report.heldElsewhere += 1;
        return;
      }
      // The ledger could not be written (full disk, lost lease): nothing was sent for it, nor will be.
      settle({ ...base, outcome: 'failed', reason: describe(error) });
      throw fatal(error);
    }
    await runClaim(claim, plan.row);
  };

  /** Reports a row that asks for no request. */
  const settlePlan = (plan: Exclude<RowPlan, { do: 'issue' }>) => {
    switch (plan.do) {
      case 'invalid':
        return settle({ row: plan.row, outcome: 'invalid', ...(plan.microcredentialId ? { microcredentialId: plan.microcredentialId } : {}), ...(plan.email ? { email: plan.email } : {}), ...(plan.key ? { key: plan.key } : {}), problems: plan.problems });
      case 'skip':
        return settle({ row: plan.row, outcome: 'skipped', microcredentialId: plan.microcredentialId, email: plan.email, key: plan.key, badgeId: plan.badgeId, reason: plan.reason });
      case 'fail':
        return settle({ row: plan.row, outcome: 'failed', microcredentialId: plan.microcredentialId, email: plan.email, key: plan.key, reason: plan.reason });
      case 'already-issued':
        return settle({ row: plan.row, outcome: 'already-issued', microcredentialId: plan.microcredentialId, email: plan.email, key: plan.key, badgeId: plan.badgeId ?? undefined, attempts: plan.attempts, reason: 'issued in an earlier run' });
    }
  };

  const seen = new RowsSeen();
  /** An award in flight under another worker's live lease. */
  const heldByAnother = (record: AwardRecord | undefined): boolean =>
    !!record?.lease && record.lease.owner !== owner && (record.state === 'planned' || record.state === 'issuing') && Date.parse(record.lease.until) > now().getTime();
  try {
    // Step 7: what earlier runs or dead workers left, before anything new. (Batches claim taken-over
    // awards first, then planned ones in load order: the first claims start now, the others as slots free.)
    if (batched) await refill();
    else if (!dryRun) await drain();
    try {
      for await (const row of rows) {
        if (stop) break;
        if (cancelled()) break;
        report.rows += 1;
        const key = rowKey(row, context);
        // Settled in this run already (drained before its row was read): reported once.
        if (key && handled.has(key) && !seen.has(key)) {
          seen.add(key, row.row);
          continue;
        }
        // Batches learn what the ledger holds when they are planned, not one read per row.
        const existing = key && !batched ? await ledger.getAward(key) : undefined;
        if (key && !dryRun && !seen.has(key) && heldByAnother(existing)) {
          // Another worker holds it (several workers on one shared ledger): its report has it. Not
          // planned or claimed here, so each worker's time goes to the awards no one holds yet.
          // Should the lease have run out meanwhile, the drain at the end takes it over.
          seen.add(key, row.row);
          report.heldElsewhere += 1;
          continue;
        }
        const earlierRow = key ? seen.firstRow(key) : undefined;
        if (key) seen.add(key, row.row);
        if (batched) {
          // Decided now, built (request, snapshot) when its batch is planned, and only if no other
          // worker has planned it; the awards are claimed as slots free up.
          const decided = decideRow(row, context, undefined, earlierRow);
          if (decided.do !== 'build') {
            settlePlan(decided);
            continue;
          }
          pending.push({ row, decided });
          if (pending.length >= batchSize) await planPending();
          continue;
        }
        const plan = planRow(row, context, existing, earlierRow);
        if (plan.do !== 'issue') {
          settlePlan(plan);
          continue;
        }
        const base = { row: plan.row, microcredentialId: plan.microcredentialId, email: plan.email, key: plan.key };
        if (dryRun) {
          settle({ ...base, outcome: 'planned', ...(existing?.state === 'issuing' ? { reason: 'left "issuing" by an earlier run: would be looked up' } : {}) });
          continue;
        }
        // Planning and claiming take the award's slot too: on a shared ledger they are round trips,
        // and the reader must not wait for them one row at a time.
        if (!(await launch(() => planAndRun(plan, base)))) {
          report.rows -= 1; // not started: one of the rows not reached
          break;
        }
      }
      if (batched && !stop && !cancelled()) await planPending();
    } catch (error) {
      // The ledger could not be read or written (a full disk, a lost lease): stop, and say why.
      if (!(error instanceof LedgerError)) throw error;
      fatal(error);
    }
    if (!batched) await Promise.all(inFlight);
    // Awards planned by workers that died before claiming them.
    if (!dryRun && !stop) await drain();
  } finally {
    windingDown = true;
    await claiming;
    await Promise.all(inFlight);
    await releaseReady();
    await Promise.all(outcomeWrites);
    if (renewal) clearInterval(renewal);
  }
  // The awards of this worker's rows that another worker issued (or holds): in that worker's report.
  if (batched) report.heldElsewhere += Math.max(0, rosterAwards - rosterClaims);
  if (stop) report.stoppedBecause = stop.message;
  if (cancelled()) report.cancelled = true;
  const built = report.build(dryRun);
  if (!dryRun && !ledgerBroken) {
    const failures = built.awards
      .filter((a) => a.outcome === 'failed' || a.outcome === 'invalid')
      .slice(0, 20)
      .map((a) => ({ key: a.key, row: a.row, reason: a.reason ?? a.problems?.map((p) => `${p.field}: ${p.message}`).join('; ') ?? '' }));
    await ledger
      .putRun({ runId: randomUUID(), command: 'issue', owner, startedAt: built.startedAt, finishedAt: built.finishedAt, totals: built.totals, failures, stoppedBecause: built.stoppedBecause })
      .catch((error: unknown) => log?.warn(`could not record the run: ${describe(error)}`));
  }
  return built;
}
