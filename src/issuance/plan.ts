import type { DuplicateBehavior, IssueBadgeParams } from '../credly/schemas/requests.js';
import { isApprovedForCredly, type ApprovalRecord } from '../domain/approval.js';
import { awardeeProblems } from '../domain/awardee.js';
import { formatPath } from '../domain/errors.js';
import type { Microcredential } from '../domain/microcredential.js';
import { holdsBadge, type AwardRecord, type AwardSnapshot, type NewAward, type TemplateRecord } from '../ledger/contract.js';
import { awardKey, earnerIdFor, expiresAtFor, issuePayload, type TextEvidenceType } from '../mapping/issue-payload.js';
import type { RosterProblem, RosterRow } from './roster.js';

/** A microcredential the run may issue, with its approval state. */
export interface MicrocredentialEntry {
  readonly microcredential: Microcredential;
  readonly approval: Pick<ApprovalRecord, 'state' | 'microcredentialId'>;
}

/** What one roster row asks for, decided from the row, the microcredentials and the ledger alone. */
export type RowPlan =
  | { readonly do: 'invalid'; readonly row: number; readonly microcredentialId?: string; readonly email?: string; readonly key?: string; readonly problems: readonly RosterProblem[] }
  | { readonly do: 'skip'; readonly row: number; readonly microcredentialId: string; readonly email: string; readonly key?: string; readonly badgeId?: string; readonly reason: string }
  | { readonly do: 'fail'; readonly row: number; readonly microcredentialId: string; readonly email: string; readonly key: string; readonly reason: string }
  | { readonly do: 'already-issued'; readonly row: number; readonly microcredentialId: string; readonly email: string; readonly key: string; readonly badgeId: string | null; readonly attempts: number }
  /** Plan the award (or re-plan a failed one) and issue it. */
  | { readonly do: 'issue'; readonly row: number; readonly microcredentialId: string; readonly email: string; readonly key: string; readonly award: NewAward; readonly request: IssueBadgeParams };

export interface PlanContext {
  readonly microcredentials: ReadonlyMap<string, MicrocredentialEntry>;
  /** Template id → microcredential id, for rows that name only a template. */
  readonly microcredentialByTemplate: ReadonlyMap<string, string>;
  readonly template: (microcredentialId: string) => TemplateRecord | undefined;
  /** Templates found archived or deleted at the start of the run (their reason). */
  readonly unusable: ReadonlyMap<string, string>;
  readonly now: Date;
  readonly suppressNotifications?: boolean | undefined;
  readonly textEvidenceType?: TextEvidenceType | undefined;
  readonly duplicateBehavior?: DuplicateBehavior | undefined;
}

/** The award key a valid row names, if its microcredential is known (to look it up before planning). */
export function rowKey(row: RosterRow, context: Pick<PlanContext, 'microcredentials' | 'microcredentialByTemplate'>): string | undefined {
  if (!row.ok) return undefined;
  const id = row.microcredentialId ?? (row.templateId ? context.microcredentialByTemplate.get(row.templateId) : undefined);
  return id && context.microcredentials.has(id) ? awardKey(id, row.awardee.learner) : undefined;
}

/**
 * A row that asks for an award, decided (valid, approved, its template active, not settled in the
 * ledger) but not yet built: `buildAward` makes its request and snapshot.
 */
export interface RowToIssue {
  readonly do: 'build';
  readonly row: number;
  readonly microcredentialId: string;
  readonly email: string;
  readonly key: string;
  readonly entry: MicrocredentialEntry;
  readonly template: TemplateRecord;
  readonly awardee: Extract<RosterRow, { ok: true }>['awardee'];
}

/** What the ledger's record of a row's award tells planning. */
export type KnownAward = Pick<AwardRecord, 'state' | 'badgeId' | 'attempts' | 'revocationReason'>;

/**
 * Decides what to do with one row, as `planRow` does, without building the award's request and
 * snapshot (the costly part), so that a worker can leave unbuilt the awards another worker has
 * planned already.
 */
export function decideRow(row: RosterRow, context: PlanContext, existing: KnownAward | undefined, earlierRow: number | undefined): Exclude<RowPlan, { do: 'issue' }> | RowToIssue {
  if (!row.ok) return { do: 'invalid', row: row.row, problems: row.problems };
  const microcredentialId = row.microcredentialId ?? (row.templateId ? context.microcredentialByTemplate.get(row.templateId) : undefined);
  const entry = microcredentialId ? context.microcredentials.get(microcredentialId) : undefined;
  const email = row.awardee.learner.email;
  if (!entry) {
    const named = row.microcredentialId ?? `the template ${row.templateId}`;
    return { do: 'invalid', row: row.row, email, problems: [{ field: 'Microcredential', message: `unknown microcredential ${named}: it is not among those given to this run` }] };
  }
  const micro = entry.microcredential;
  const base = { row: row.row, microcredentialId: micro.id, email };
  if (!isApprovedForCredly(entry.approval)) {
    return { do: 'skip', ...base, reason: `microcredential ${micro.id} is ${entry.approval.state}, not approved: no badges are issued for it` };
  }
  const key = awardKey(micro.id, row.awardee.learner);
  if (earlierRow !== undefined) return { do: 'skip', ...base, key, reason: `the same learner is at row ${earlierRow}: one award` };
  const problems = awardeeProblems(micro, row.awardee);
  if (problems.length) return { do: 'invalid', ...base, key, problems: problems.map((p) => ({ field: formatPath(p.path), message: p.message })) };
  const unusable = context.unusable.get(micro.id);
  if (unusable) return { do: 'fail', ...base, key, reason: `the Credly template of ${micro.id} is unusable (${unusable}): fix it in Credly and run sync-templates` };
  const template = context.template(micro.id);
  if (!template) return { do: 'fail', ...base, key, reason: `no Credly template is recorded for ${micro.id}: run sync-templates first` };
  if (template.state !== 'active') {
    return { do: 'fail', ...base, key, reason: `the Credly template of ${micro.id} is ${template.state}${template.unusableReason ? ` (${template.unusableReason})` : ''}: fix it in Credly and run sync-templates` };
  }
  if (existing && holdsBadge(existing.state)) {
    return { do: 'already-issued', ...base, key, badgeId: existing.badgeId, attempts: existing.attempts };
  }
  if (existing?.state === 'revoked') {
    return { do: 'skip', ...base, key, ...(existing.badgeId ? { badgeId: existing.badgeId } : {}), reason: `revoked (${existing.revocationReason ?? 'no reason'}); use replace to issue it again` };
  }
  return { do: 'build', ...base, key, entry, template, awardee: row.awardee };
}

/** The award a decided row asks for: its request to Credly and its snapshot. */
export function buildAward(decided: RowToIssue, context: PlanContext): Extract<RowPlan, { do: 'issue' }> {
  const { entry, template, awardee, key, email } = decided;
  const micro = entry.microcredential;
  const request = issuePayload(micro, awardee, {
    templateId: template.templateId,
    now: context.now,
    ...(context.suppressNotifications !== undefined ? { suppressNotifications: context.suppressNotifications } : {}),
    ...(context.textEvidenceType ? { textEvidenceType: context.textEvidenceType } : {}),
    ...(context.duplicateBehavior ? { duplicateBehavior: context.duplicateBehavior } : {}),
  });
  const issuedAt = awardee.issuedAt ? new Date(awardee.issuedAt) : context.now;
  const expires = expiresAtFor(micro, awardee, issuedAt);
  const snapshot: AwardSnapshot = {
    learner: awardee.learner,
    evidence: awardee.evidence,
    issuedAt: awardee.issuedAt ?? context.now.toISOString(),
    // ISO 8601 whatever form Credly is sent; null when it does not expire or the template decides.
    expiresAt: expires ? new Date(expires.replace(/^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) ([+-]\d{2})(\d{2})$/, '$1T$2$3:$4')).toISOString() : null,
    ...(awardee.evidenceOptOut !== undefined ? { evidenceOptOut: awardee.evidenceOptOut } : {}),
  };
  const award: NewAward = {
    key,
    microcredentialId: micro.id,
    templateId: template.templateId,
    email,
    earnerId: earnerIdFor(awardee.learner),
    row: decided.row,
    snapshot,
    request,
  };
  return { do: 'issue', row: decided.row, microcredentialId: micro.id, email, key, award, request };
}

/**
 * Decides what to do with one row. `existing` is the ledger's record for the row's award;
 * `earlierRow` the row of this run that already named the same award.
 */
export function planRow(row: RosterRow, context: PlanContext, existing: KnownAward | undefined, earlierRow: number | undefined): RowPlan {
  const decided = decideRow(row, context, existing, earlierRow);
  return decided.do === 'build' ? buildAward(decided, context) : decided;
}
