import { randomUUID } from 'node:crypto';
import type { CredlyClient } from '../credly/client.js';
import type { IssuedBadge } from '../credly/schemas/badge.js';
import type { Learner } from '../domain/learner.js';
import { holdsBadge, type AwardPatch, type AwardRecord, type Ledger, type TemplateRecord } from '../ledger/contract.js';
import { updateAward } from '../ledger/update.js';
import { earnerIdFor } from '../mapping/issue-payload.js';
import { credlyStatusOf, statusChanged } from './credly-status.js';

export interface ReconcileOptions {
  readonly client: Pick<CredlyClient, 'badges'>;
  readonly ledger: Ledger;
  /** Record badges issued outside this ledger as awards (default true). */
  readonly adopt?: boolean;
  /** Read Credly and report what would change; write nothing to the ledger. */
  readonly dryRun?: boolean;
  /** Only this microcredential's templates. */
  readonly microcredentialId?: string;
  /** Wait between page requests, so that a large organization is read gently (200 ms by default). */
  readonly pageDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
  /** Stops between pages: templates read in full before the stop are applied and reported, the one being read is not. */
  readonly signal?: AbortSignal;
  /** Called after each page is read. */
  readonly onPage?: (progress: { readonly templateId: string; readonly page: number; readonly badges: number }) => void;
}

export interface ReconcileChange {
  readonly key: string;
  readonly badgeId: string;
  /** The badge's state on Credly as the ledger knew it (null: never seen). */
  readonly from: string | null;
  readonly to: string;
  /** Set when the award's own state changed too (e.g. issued → revoked). */
  readonly ledgerState?: string | undefined;
}

export interface ReconcileAdoption {
  readonly key: string;
  readonly badgeId: string;
  readonly email: string;
  /** `adopted`: a new award; `already-issued`: a planned or failed award whose badge was found. */
  readonly how: 'adopted' | 'already-issued';
}

export interface ReconcileDrift {
  readonly badgeId: string | null;
  readonly key?: string | undefined;
  readonly email?: string | null | undefined;
  readonly templateId: string;
  readonly reason: string;
}

export interface ReconcileReport {
  readonly runId: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly dryRun: boolean;
  readonly templates: ReadonlyArray<{ readonly microcredentialId: string; readonly templateId: string; readonly pages: number; readonly badges: number }>;
  readonly totals: {
    readonly pages: number;
    readonly badges: number;
    readonly changed: number;
    readonly unchanged: number;
    readonly adopted: number;
    readonly missingOnCredly: number;
    readonly unknownOnCredly: number;
    readonly failures: number;
  };
  readonly changes: readonly ReconcileChange[];
  readonly adopted: readonly ReconcileAdoption[];
  /** In the ledger with a badge id, but Credly lists no such badge for the template. */
  readonly missingOnCredly: readonly ReconcileDrift[];
  /** On Credly, but not recorded here and not adopted (dry run, `adopt: false`, or a conflict to look at). */
  readonly unknownOnCredly: readonly ReconcileDrift[];
  /** Templates that could not be read, and awards that could not be written. */
  readonly failures: ReadonlyArray<{ readonly templateId?: string | undefined; readonly key?: string | undefined; readonly reason: string }>;
  readonly stoppedBecause: string | null;
}

const PAGE_DELAY_MS = 200;
const WRITE_ATTEMPTS = 3;

/**
 * Brings the ledger in line with Credly without webhooks. For every template the ledger knows, it
 * reads the organization's badges of that template (50 a page, oldest first, paced), then:
 * - records each badge's state on Credly and when it changed (`award.credly`); a badge revoked on
 *   Credly makes its award `revoked`; a replaced badge moves the award to its replacement;
 * - adopts badges issued outside this ledger (the Credly UI, another tool) as awards;
 * - reports drift both ways: awards whose badge Credly does not list, and badges it cannot adopt.
 *
 * Idempotent: every write is conditional on the version read and happens only when something
 * changed, so a second run writes nothing. Resumable by re-running: an interrupted run leaves each
 * award either updated or untouched, and the next run reads every page again (a run costs one GET
 * per 50 badges per template) and finishes the job. Works on any Ledger backend.
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileReport> {
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const { ledger } = options;
  const dryRun = options.dryRun ?? false;
  const adopt = options.adopt ?? true;
  const startedAt = now().toISOString();
  const runId = `reconcile-${startedAt}-${randomUUID().slice(0, 8)}`;
  const out = {
    templates: [] as Array<{ microcredentialId: string; templateId: string; pages: number; badges: number }>,
    changes: [] as ReconcileChange[],
    adopted: [] as ReconcileAdoption[],
    missingOnCredly: [] as ReconcileDrift[],
    unknownOnCredly: [] as ReconcileDrift[],
    failures: [] as Array<{ templateId?: string; key?: string; reason: string }>,
    unchanged: 0,
    stoppedBecause: null as string | null,
  };
  let firstPage = true;
  /** The badges of the template being reconciled, by id (one template in memory at a time). */
  const listed = new Map<string, IssuedBadge>();

  const readTemplate = async (microcredentialId: string, templateId: string): Promise<IssuedBadge[] | null> => {
    const badges: IssuedBadge[] = [];
    listed.clear();
    let pages = 0;
    const list = options.client.badges.list({ filter: { badge_template_id: templateId }, sort: 'created_at' }, options.signal ? { signal: options.signal } : {});
    const iterator = list.iteratePages();
    for (;;) {
      if (options.signal?.aborted) return null;
      if (!firstPage) await sleep(options.pageDelayMs ?? PAGE_DELAY_MS);
      firstPage = false;
      const next = await iterator.next();
      if (next.done) break;
      pages += 1;
      // A filter Credly ignored must not make another template's badges look like drift.
      for (const badge of next.value.data) {
        if (badge.badge_template && badge.badge_template.id !== templateId) continue;
        badges.push(badge);
        listed.set(badge.id, badge);
      }
      options.onPage?.({ templateId, page: pages, badges: next.value.data.length });
      if (!next.value.hasNextPage()) break;
    }
    out.templates.push({ microcredentialId, templateId, pages, badges: badges.length });
    return badges;
  };

  /** Re-reads the award and applies `decide`'s patch under a version guard, retrying on a concurrent write. */
  const update = (key: string, decide: (record: AwardRecord) => AwardPatch | null): Promise<AwardRecord | null> =>
    updateAward(ledger, key, decide, { attempts: WRITE_ATTEMPTS, dryRun });

  const templates = (await ledger.listTemplates()).filter((t) => !options.microcredentialId || t.microcredentialId === options.microcredentialId);
  for (const template of templates) {
    if (out.stoppedBecause) break;
    await reconcileMicrocredential(template);
  }

  async function reconcileMicrocredential(template: TemplateRecord): Promise<void> {
    const awards: AwardRecord[] = [];
    for await (const award of ledger.queryAwards({ microcredentialId: template.microcredentialId })) awards.push(award);
    // The template the ledger holds now, and any an award was issued from (a template re-created in Credly).
    const templateIds = [...new Set([template.templateId, ...awards.map((a) => a.templateId)].filter(Boolean))];
    for (const templateId of templateIds) {
      let badges: IssuedBadge[] | null;
      try {
        badges = await readTemplate(template.microcredentialId, templateId);
      } catch (error) {
        if (options.signal?.aborted) {
          out.stoppedBecause = 'cancelled';
          return;
        }
        out.failures.push({ templateId, reason: `could not list the template's badges: ${messageOf(error)}` });
        continue;
      }
      if (badges === null) {
        out.stoppedBecause = 'cancelled';
        return;
      }
      await reconcileTemplate(template, templateId, badges, awards.filter((a) => a.templateId === templateId));
    }
  }

  async function reconcileTemplate(template: TemplateRecord, templateId: string, badges: IssuedBadge[], awards: AwardRecord[]): Promise<void> {
    const byId = new Map(badges.map((b) => [b.id, b]));
    const known = new Set<string>();
    /** The newest badge in a replacement chain that Credly lists. */
    const current = (id: string): string => {
      let at = id;
      const seen = new Set<string>();
      while (!seen.has(at)) {
        seen.add(at);
        known.add(at);
        const next = byId.get(at)?.replacement_badge_id;
        if (!next || !byId.has(next)) break;
        at = next;
      }
      return at;
    };

    // 1. Awards that hold a badge: record its state, follow replacements, notice revocations.
    for (const award of awards) {
      if (!award.badgeId) continue;
      const history = [award.badgeId, ...(award.previousBadgeIds ?? [])];
      for (const id of history) known.add(id);
      if (!byId.has(award.badgeId)) {
        if (award.state === 'issued' || award.state === 'revoked') {
          out.missingOnCredly.push({ key: award.key, badgeId: award.badgeId, email: award.email, templateId, reason: `Credly lists no badge ${award.badgeId} for this template (deleted in Credly, or another organization's)` });
        }
        continue;
      }
      const latest = current(award.badgeId);
      await applyStatus(award.key, latest, templateId);
      const live = listed.get(latest)?.state;
      if (award.state === 'revoked' && live !== undefined && live !== 'revoked' && live !== 'rejected') {
        out.unknownOnCredly.push({ badgeId: latest, key: award.key, email: award.email, templateId, reason: `revoked in the ledger but ${live} on Credly: revoke it again (revoke --badge-id ${latest})` });
      }
    }

    // 2. Badges the ledger does not know: adopt them, or say why not. Active badges first, so that
    // a learner's live badge is adopted before an older revoked one is considered.
    const unknown = badges.filter((b) => !known.has(b.id) && !(b.replacement_badge_id && byId.has(b.replacement_badge_id)));
    unknown.sort((a, b) => Number(isSettledNegative(a)) - Number(isSettledNegative(b)));
    const byEarner = new Map<string, string>();
    const byEmail = new Map<string, string>();
    for (const award of awards) {
      byEarner.set(award.earnerId, award.key);
      byEmail.set(award.email.toLowerCase(), award.key);
    }
    for (const badge of unknown) {
      if (known.has(badge.id)) continue;
      const email = badge.recipient_email?.trim().toLowerCase() ?? null;
      const earnerId = badge.issuer_earner_id?.trim() || (email ? earnerIdFor({ email }) : null);
      const key = (earnerId && byEarner.get(earnerId)) || (email && byEmail.get(email)) || null;
      known.add(badge.id);
      if (key) {
        await adoptInto(key, badge, templateId);
        continue;
      }
      if (!earnerId || !email) {
        out.unknownOnCredly.push({ badgeId: badge.id, email, templateId, reason: 'the badge has neither an issuer earner id nor an email to key an award by' });
        continue;
      }
      if (!adopt || dryRun) {
        out.unknownOnCredly.push({ badgeId: badge.id, email, templateId, reason: dryRun ? 'not recorded in the ledger (dry run: would be adopted)' : 'not recorded in the ledger (adoption is off)' });
        continue;
      }
      const adoptedKey = await adoptNew(template, templateId, badge, email, earnerId);
      // A second badge of the same learner further on is then seen as a duplicate, not adopted again.
      if (adoptedKey) {
        byEarner.set(earnerId, adoptedKey);
        byEmail.set(email, adoptedKey);
      }
    }
  }

  async function applyStatus(key: string, badgeId: string, templateId: string): Promise<void> {
    const badge = listed.get(badgeId)!;
    let change: ReconcileChange | null = null;
    try {
      await update(key, (record) => {
        const status = credlyStatusOf(badge, record.credly, now());
        const patch: { -readonly [K in keyof AwardPatch]: AwardPatch[K] } = {};
        if (statusChanged(record.credly, status)) patch.credly = status;
        if (record.badgeId !== badgeId) {
          patch.badgeId = badgeId;
          patch.previousBadgeIds = [...(record.previousBadgeIds ?? []), ...(record.badgeId ? [record.badgeId] : [])];
          patch.credly = status;
        }
        // A replaced award's live badge is its replacement: revoked in Credly, the award is too.
        if (badge.state === 'revoked' && holdsBadge(record.state)) {
          patch.state = 'revoked';
          if (badge.revocation_reason) patch.revocationReason = badge.revocation_reason;
        }
        if (Object.keys(patch).length === 0) return null;
        change = { key, badgeId, from: record.credly?.state ?? null, to: status.state, ...(patch.state ? { ledgerState: patch.state } : {}) };
        return patch;
      });
    } catch (error) {
      out.failures.push({ key, templateId, reason: `could not record the badge's state: ${messageOf(error)}` });
      return;
    }
    if (change) out.changes.push(change);
    else out.unchanged += 1;
  }

  async function adoptInto(key: string, badge: IssuedBadge, templateId: string): Promise<void> {
    let outcome = 'drift' as 'adopted' | 'drift' | 'in-flight';
    let holder: AwardRecord | undefined;
    try {
      await update(key, (record) => {
        holder = record;
        if (record.state === 'issuing') {
          outcome = 'in-flight';
          return null;
        }
        if (record.state !== 'planned' && record.state !== 'failed') return null;
        outcome = 'adopted';
        const status = credlyStatusOf(badge, null, now());
        return {
          state: badge.state === 'revoked' ? 'revoked' : 'issued',
          badgeId: badge.id,
          how: 'already-issued',
          issuedAt: badge.created_at ?? badge.issued_at ?? now().toISOString(),
          credly: status,
          lastError: null,
          ...(badge.revocation_reason ? { revocationReason: badge.revocation_reason } : {}),
        } as AwardPatch;
      });
    } catch (error) {
      out.failures.push({ key, templateId, reason: `could not adopt badge ${badge.id}: ${messageOf(error)}` });
      return;
    }
    const email = badge.recipient_email ?? null;
    if (outcome === 'adopted') {
      if (dryRun) out.unknownOnCredly.push({ badgeId: badge.id, key, email, templateId, reason: `not recorded in the ledger (dry run: would be recorded on award ${key})` });
      else out.adopted.push({ key, badgeId: badge.id, email: email ?? '', how: 'already-issued' });
    } else if (outcome === 'in-flight') {
      out.unknownOnCredly.push({ badgeId: badge.id, key, email, templateId, reason: 'an issue run holds this award; its look-up will find the badge' });
    } else if (!isSettledNegative(badge)) {
      out.unknownOnCredly.push({ badgeId: badge.id, key, email, templateId, reason: `a second badge for this learner: the ledger holds ${holder?.badgeId ?? 'none'} (${holder?.state ?? 'unknown'})` });
    }
  }

  async function adoptNew(template: TemplateRecord, templateId: string, badge: IssuedBadge, email: string, earnerId: string): Promise<string | null> {
    const key = `${template.microcredentialId}|${earnerId}`;
    const learner: Learner = {
      email,
      firstName: badge.issued_to_first_name ?? '',
      lastName: badge.issued_to_last_name ?? '',
      ...(badge.issued_to_middle_name ? { middleName: badge.issued_to_middle_name } : {}),
      ...(badge.issuer_earner_id ? { campusId: badge.issuer_earner_id } : {}),
    };
    try {
      const { created } = await ledger.planAward({
        key,
        microcredentialId: template.microcredentialId,
        templateId,
        email,
        earnerId,
        state: badge.state === 'revoked' ? 'revoked' : 'issued',
        badgeId: badge.id,
        how: 'adopted',
        issuedAt: badge.created_at ?? badge.issued_at ?? now().toISOString(),
        snapshot: { learner, evidence: [], issuedAt: badge.issued_at ?? badge.created_at ?? now().toISOString(), expiresAt: badge.expires_at ?? null },
        credly: credlyStatusOf(badge, null, now()),
      });
      if (created) {
        out.adopted.push({ key, badgeId: badge.id, email, how: 'adopted' });
        return key;
      }
      out.unknownOnCredly.push({ badgeId: badge.id, key, email, templateId, reason: `award ${key} exists under another template or email; left as it is` });
    } catch (error) {
      out.failures.push({ key, templateId, reason: `could not adopt badge ${badge.id}: ${messageOf(error)}` });
    }
    return null;
  }

  const finishedAt = now().toISOString();
  const report: ReconcileReport = {
    runId,
    startedAt,
    finishedAt,
    dryRun,
    templates: out.templates,
    totals: {
      pages: out.templates.reduce((n, t) => n + t.pages, 0),
      badges: out.templates.reduce((n, t) => n + t.badges, 0),
      changed: out.changes.length,
      unchanged: out.unchanged,
      adopted: out.adopted.length,
      missingOnCredly: out.missingOnCredly.length,
      unknownOnCredly: out.unknownOnCredly.length,
      failures: out.failures.length,
    },
    changes: out.changes,
    adopted: out.adopted,
    missingOnCredly: out.missingOnCredly,
    unknownOnCredly: out.unknownOnCredly,
    failures: out.failures,
    stoppedBecause: out.stoppedBecause,
  };
  if (!dryRun) await recordRun(ledger, report);
  return report;
}

/** Rejected and revoked badges: history, not a learner's live badge. */
function isSettledNegative(badge: IssuedBadge): boolean {
  return badge.state === 'revoked' || badge.state === 'rejected';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One run record, so that `status` and the program report show reconcile runs with the issue runs. */
async function recordRun(ledger: Ledger, report: ReconcileReport): Promise<void> {
  const failures = [
    ...report.failures.map((f) => ({ key: f.key, reason: f.reason })),
    ...report.missingOnCredly.map((d) => ({ key: d.key, reason: `missing on Credly: ${d.reason}` })),
    ...report.unknownOnCredly.map((d) => ({ key: d.key, reason: `unknown here: badge ${d.badgeId ?? '?'}: ${d.reason}` })),
  ].slice(0, 50);
  await ledger.putRun({
    runId: report.runId,
    command: 'reconcile',
    owner: ledger.owner,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    totals: { ...report.totals },
    failures,
    stoppedBecause: report.stoppedBecause,
  });
}
