import type { CredlyClient } from '../credly/client.js';
import {
  AuthenticationError,
  CredlyApiError,
  CredlyConnectionError,
  CredlyValidationError,
  isPossibleDuplicate,
  NotFoundError,
  PermissionDeniedError,
} from '../credly/errors.js';
import type { Logger } from '../credly/logger.js';
import type { DuplicateBehavior, IssueBadgeParams } from '../credly/schemas/requests.js';
import { isApprovedForCredly, type ApprovalRecord } from '../domain/approval.js';
import { awardeeProblems } from '../domain/awardee.js';
import { formatPath } from '../domain/errors.js';
import type { Microcredential } from '../domain/microcredential.js';
import { awardKey, earnerIdFor, issuePayload, type TextEvidenceType } from '../mapping/issue-payload.js';
import type { AwardRecord, Ledger } from './ledger.js';
import { Pacer } from './pacer.js';
import { ReportBuilder, type AwardOutcome, type IssuanceReport, type Outcome } from './report.js';
import type { RosterRow } from './roster.js';

/** A microcredential the run may issue, with its approval state. */
export interface MicrocredentialEntry {
  readonly microcredential: Microcredential;
  readonly approval: Pick<ApprovalRecord, 'state' | 'microcredentialId'>;
}

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
  /** Client-side pacing of requests to Credly, per second (none by default). */
  readonly ratePerSecond?: number;
  /** Validate and plan without sending anything or writing the ledger. */
  readonly dryRun?: boolean;
  /** Stops starting new awards; those in flight finish and are recorded. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Issue requests per award in one run, after ambiguous failures (3 by default). */
  readonly maxAttempts?: number;
  /** First wait before re-sending after an ambiguous failure (doubled each time; 500 ms by default). */
  readonly retryDelayMs?: number;
  readonly suppressNotifications?: boolean;
  readonly textEvidenceType?: TextEvidenceType;
  /**
   * Credly's `duplicate_behavior` on every issue request (re-certification of badges issued
   * outside this ledger: `replace`). Awards this ledger already issued are still skipped.
   */
  readonly duplicateBehavior?: DuplicateBehavior;
  readonly logger?: Logger;
  /** Test seams. */
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The run cannot go on (Credly refused the credentials): no point in hammering. */
class StopRun extends Error {}

/** A failure after which the badge may or may not exist on Credly. */
function isAmbiguous(error: unknown): boolean {
  if (error instanceof CredlyConnectionError) return true; // includes timeouts
  if (error instanceof CredlyApiError) return error.status >= 500;
  if (error instanceof CredlyValidationError) return error.direction === 'response'; // a 2xx we could not read
  return false;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Issues the roster's badges exactly once (DESIGN.md, "Exactly-once issuance"):
 * 1. an award's key is (microcredential, learner), sent as `issuer_earner_id`;
 * 2. the intent (`issuing`, attempt n, the request) is durable before the request is sent;
 * 3. 201 → `issued`;
 * 4. 422 duplicate → look the badge up → `issued` (already);
 * 5. an ambiguous outcome → look up first; found → `issued`; not found → re-send, bounded, with backoff;
 * 6. a terminal failure → `failed` with the reason, and the run goes on; 401/403 stop the run;
 * 7. awards left `issuing` by an earlier run are reconciled before anything new is sent;
 * 8. for a template that allows duplicates the ledger is the only guard, and the look-up before
 *    every re-send is what keeps it to one badge.
 */
export async function issueBadges(rows: AsyncIterable<RosterRow> | Iterable<RosterRow>, options: IssuanceOptions): Promise<IssuanceReport> {
  const { client, ledger } = options;
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? defaultSleep;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const retryDelayMs = options.retryDelayMs ?? 500;
  const dryRun = options.dryRun ?? false;
  const pacer = new Pacer(options.ratePerSecond, sleep);
  const report = new ReportBuilder(now);
  const log = options.logger;

  const byId = new Map(options.microcredentials.map((entry) => [entry.microcredential.id, entry]));
  const unusableInDryRun = new Map<string, string>();
  const byTemplate = new Map<string, string>();
  for (const template of ledger.templates()) byTemplate.set(template.templateId, template.microcredentialId);

  let done = 0;
  const settle = (outcome: AwardOutcome) => {
    report.add(outcome);
    done += 1;
    options.onProgress?.({ type: 'award', outcome: outcome.outcome, row: outcome.row, done, totals: report.totals });
  };

  // A stop (SIGTERM) ends the client's waits (429s, Retry-After), never a request in flight.
  // 429s are the client's: it waits up to its budget and slows the whole run; a 429 that reaches
  // here is a terminal failure for this run, and the award is sent again next run.
  const waits = options.signal ? { waitSignal: options.signal } : {};
  const lookup = async (record: Pick<AwardRecord, 'templateId' | 'earnerId' | 'email'>) => {
    await pacer.wait();
    return client.badges.findExisting(record.templateId, { issuerEarnerId: record.earnerId, email: record.email }, waits);
  };

  const put = (record: AwardRecord) => (dryRun ? Promise.resolve() : ledger.putAward(record));
  const outcomeWrites = new Set<Promise<void>>();
  let writeError: unknown;
  const trackWrite = (write: Promise<void>) => {
    const tracked = write.catch((error: unknown) => {
      writeError ??= error;
    }).finally(() => outcomeWrites.delete(tracked));
    outcomeWrites.add(tracked);
  };
  const stamp = () => now().toISOString();

  /** Steps 2 to 6 for one award; resolves with its outcome. */
  const issueOne = async (start: AwardRecord, request: IssueBadgeParams, row: number | null): Promise<AwardOutcome> => {
    let record = start;
    const base = { row, microcredentialId: record.microcredentialId, email: record.email, key: record.key };
    const finish = async (state: 'issued' | 'failed', fields: Partial<AwardRecord>, outcome: Outcome, reason?: string) => {
      record = { ...record, ...fields, state, updatedAt: stamp() };
      // The outcome's write need not hold the award's slot: the ledger appends in order, and if the
      // process dies before it lands the award is still "issuing" and the next run looks it up.
      // The run waits for every such write before it returns.
      trackWrite(put(record));
      return { ...base, outcome, badgeId: record.badgeId ?? undefined, attempts: record.attempts, ...(reason ? { reason } : {}) };
    };
    for (let attempt = 1; ; attempt += 1) {
      record = { ...record, state: 'issuing', attempts: record.attempts + 1, request, lastError: null, updatedAt: stamp() };
      await put(record); // Step 2: the intent is durable before anything is sent.
      let error: unknown;
      try {
        await pacer.wait();
        const badge = await client.badges.issue(request, waits);
        return await finish('issued', { badgeId: badge.id, how: 'issued' }, 'issued');
      } catch (caught) {
        error = caught;
      }
      if (isPossibleDuplicate(error)) {
        // Any 422 or 409 may be the duplicate rule (its wording is not documented): look first.
        const found = await lookup(record);
        if (found) return finish('issued', { badgeId: found.id, how: 'already-issued' }, 'already-issued');
        return finish('failed', { lastError: describe(error) }, 'failed', describe(error));
      }
      if (error instanceof AuthenticationError || error instanceof PermissionDeniedError) {
        // Refused before it was processed: nothing exists, and nothing else will work either.
        record = { ...record, state: 'failed', lastError: describe(error), updatedAt: stamp() };
        await put(record);
        throw new StopRun(`Credly refused the credentials (${describe(error)}); check the token and the environment`);
      }
      if (isAmbiguous(error)) {
        // Step 5: the badge may exist. Look before sending again.
        const found = await lookup(record);
        if (found) return finish('issued', { badgeId: found.id, how: 'issued' }, 'issued');
        if (attempt < maxAttempts) {
          log?.info(`award ${record.key}: ${describe(error)}; no badge found, sending again (attempt ${attempt + 1})`);
          await sleep(retryDelayMs * 2 ** (attempt - 1));
          continue;
        }
        const reason = `no badge after ${attempt} attempt(s); last: ${describe(error)}`;
        return finish('failed', { lastError: reason }, 'failed', reason);
      }
      // Step 6: terminal (validation 422, 404, archived template, bad request).
      return finish('failed', { lastError: describe(error) }, 'failed', describe(error));
    }
  };

  /** Runs one award; a failed look-up leaves it `issuing` for the next run to reconcile. */
  const runAward = async (start: AwardRecord, request: IssueBadgeParams, row: number | null) => {
    try {
      settle(await issueOne(start, request, row));
    } catch (error) {
      if (error instanceof StopRun) throw error;
      const reason = `outcome unknown (${describe(error)}); the award stays "issuing" and the next run reconciles it`;
      settle({ row, outcome: 'failed', microcredentialId: start.microcredentialId, email: start.email, key: start.key, reason });
    }
  };

  // Bounded concurrency without queueing the roster: the reader waits for a free slot.
  const inFlight = new Set<Promise<void>>();
  let stop: StopRun | undefined;
  const launch = async (task: () => Promise<void>) => {
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (stop) return;
    const promise: Promise<void> = task()
      .catch((error: unknown) => {
        if (error instanceof StopRun) stop ??= error;
        else throw error;
      })
      .finally(() => inFlight.delete(promise));
    inFlight.add(promise);
  };
  const cancelled = () => options.signal?.aborted === true;

  // Templates archived or deleted in Credly since the last run: one look per microcredential, so
  // that the job refuses them with a clear reason even when no webhook receiver shares its ledger.
  for (const { microcredential: micro } of options.microcredentials) {
    const template = ledger.getTemplate(micro.id);
    if (!template || template.state !== 'active') continue;
    let reason: string | undefined;
    try {
      const live = await client.badgeTemplates.get(template.templateId);
      if (live.state === 'archived') reason = 'archived in Credly';
    } catch (error) {
      if (error instanceof NotFoundError) reason = 'deleted in Credly';
      // Anything else: go on; the issue requests will say what is wrong.
    }
    if (reason && !dryRun) await ledger.putTemplate({ ...template, state: 'unusable', unusableReason: reason, updatedAt: stamp() });
    if (reason && dryRun) unusableInDryRun.set(micro.id, reason);
  }

  // Step 7: settle what an earlier run left in flight, before anything new.
  const leftover = [...ledger.awards()].filter((record) => record.state === 'issuing');
  for (const record of leftover) {
    if (stop || cancelled()) break;
    report.reconciled += 1;
    await launch(async () => {
      if (dryRun) {
        settle({ row: null, outcome: 'planned', microcredentialId: record.microcredentialId, email: record.email, key: record.key, reason: 'left "issuing" by an earlier run: would be looked up' });
        return;
      }
      let found;
      try {
        found = await lookup(record);
      } catch (error) {
        settle({ row: null, outcome: 'failed', microcredentialId: record.microcredentialId, email: record.email, key: record.key, reason: `could not reconcile: ${describe(error)}` });
        return;
      }
      if (found) {
        await put({ ...record, state: 'issued', badgeId: found.id, how: 'issued', updatedAt: stamp() });
        settle({ row: null, outcome: 'issued', microcredentialId: record.microcredentialId, email: record.email, key: record.key, badgeId: found.id, attempts: record.attempts });
      } else if (record.request) {
        await runAward(record, record.request, null);
      } else {
        await put({ ...record, state: 'failed', lastError: 'left issuing without a request', updatedAt: stamp() });
      }
    });
  }
  await Promise.all(inFlight);

  const seen = new Map<string, number>();
  try {
    for await (const row of rows) {
      if (stop) break;
      if (cancelled()) {
        report.cancelled = true;
        break;
      }
      report.rows += 1;
      if (!row.ok) {
        settle({ row: row.row, outcome: 'invalid', problems: row.problems });
        continue;
      }
      const microcredentialId = row.microcredentialId ?? (row.templateId ? byTemplate.get(row.templateId) : undefined);
      const entry = microcredentialId ? byId.get(microcredentialId) : undefined;
      const email = row.awardee.learner.email;
      if (!entry) {
        const named = row.microcredentialId ?? `the template ${row.templateId}`;
        settle({ row: row.row, outcome: 'invalid', email, problems: [{ field: 'Microcredential', message: `unknown microcredential ${named}: it is not among those given to this run` }] });
        continue;
      }
      const micro = entry.microcredential;
      const base = { row: row.row, microcredentialId: micro.id, email };
      if (!isApprovedForCredly(entry.approval)) {
        settle({ ...base, outcome: 'skipped', reason: `microcredential ${micro.id} is ${entry.approval.state}, not approved: no badges are issued for it` });
        continue;
      }
      const key = awardKey(micro.id, row.awardee.learner);
      const earlierRow = seen.get(key);
      if (earlierRow !== undefined) {
        settle({ ...base, key, outcome: 'skipped', reason: `the same learner is at row ${earlierRow}: one award` });
        continue;
      }
      seen.set(key, row.row);
      const problems = awardeeProblems(micro, row.awardee);
      if (problems.length) {
        settle({ ...base, key, outcome: 'invalid', problems: problems.map((p) => ({ field: formatPath(p.path), message: p.message })) });
        continue;
      }
      const template = ledger.getTemplate(micro.id);
      const dryRunReason = unusableInDryRun.get(micro.id);
      if (dryRunReason) {
        settle({ ...base, key, outcome: 'failed', reason: `the Credly template of ${micro.id} is unusable (${dryRunReason}): fix it in Credly and run sync-templates` });
        continue;
      }
      if (!template) {
        settle({ ...base, key, outcome: 'failed', reason: `no Credly template is recorded for ${micro.id}: run sync-templates first` });
        continue;
      }
      if (template.state !== 'active') {
        settle({ ...base, key, outcome: 'failed', reason: `the Credly template of ${micro.id} is ${template.state}${template.unusableReason ? ` (${template.unusableReason})` : ''}: fix it in Credly and run sync-templates` });
        continue;
      }
      const existing = ledger.getAward(key);
      if (existing && (existing.state === 'issued' || existing.state === 'replaced')) {
        settle({ ...base, key, outcome: 'already-issued', badgeId: existing.badgeId ?? undefined, attempts: existing.attempts, reason: 'issued in an earlier run' });
        continue;
      }
      if (existing?.state === 'revoked') {
        settle({ ...base, key, outcome: 'skipped', badgeId: existing.badgeId ?? undefined, reason: `revoked (${existing.revocationReason ?? 'no reason'}); use replace to issue it again` });
        continue;
      }
      if (existing?.state === 'issuing') {
        // Its reconciliation above could not reach Credly: leave it for the next run.
        settle({ ...base, key, outcome: 'skipped', reason: 'left "issuing" by an earlier run and not reconciled yet (see the award with no row)' });
        continue;
      }
      const request = issuePayload(micro, row.awardee, {
        templateId: template.templateId,
        now: now(),
        ...(options.suppressNotifications !== undefined ? { suppressNotifications: options.suppressNotifications } : {}),
        ...(options.textEvidenceType ? { textEvidenceType: options.textEvidenceType } : {}),
        ...(options.duplicateBehavior ? { duplicateBehavior: options.duplicateBehavior } : {}),
      });
      if (dryRun) {
        settle({ ...base, key, outcome: 'planned' });
        continue;
      }
      const start: AwardRecord = existing ?? {
        key,
        microcredentialId: micro.id,
        templateId: template.templateId,
        email,
        earnerId: earnerIdFor(row.awardee.learner),
        state: 'planned',
        attempts: 0,
        badgeId: null,
        request: null,
        lastError: null,
        createdAt: stamp(),
        updatedAt: stamp(),
      };
      await launch(() => runAward({ ...start, templateId: template.templateId }, request, row.row));
    }
  } finally {
    await Promise.all(inFlight);
    await Promise.all(outcomeWrites);
  }
  if (writeError) throw writeError;
  if (stop) report.stoppedBecause = stop.message;
  if (cancelled()) report.cancelled = true;
  return report.build(dryRun);
}
