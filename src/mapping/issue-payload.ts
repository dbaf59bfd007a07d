import { createHash } from 'node:crypto';
import type { Awardee } from '../domain/awardee.js';
import { scorePercent, type Evidence } from '../domain/evidence.js';
import type { Learner } from '../domain/learner.js';
import type { Microcredential } from '../domain/microcredential.js';
import { naceCompetency } from '../domain/nace.js';
import { formatCredlyDate } from '../credly/dates.js';
import type { DuplicateBehavior, EvidenceItem, IssueBadgeParams } from '../credly/schemas/requests.js';

/**
 * How text and assessment evidence go to Credly. The API documents `UrlEvidence` and `IdEvidence`
 * only; a text type is unverified. By default both go out as `IdEvidence` (an id, a title and a
 * description), as every real `IdEvidence` request seen does; `TextEvidence` sends them as that
 * type instead.
 */
export type TextEvidenceType = 'IdEvidence' | 'TextEvidence';

export interface IssuePayloadOptions {
  /** The Credly template of the microcredential. */
  readonly templateId: string;
  /** When the award is issued, if the awardee has no `issuedAt`: the job's clock. */
  readonly now: Date;
  /** Stop Credly's notification and reminder emails (for tests and back-filling). */
  readonly suppressNotifications?: boolean;
  readonly textEvidenceType?: TextEvidenceType;
  /** Credly's `duplicate_behavior` (re-certification): `replace` a badge Credly already holds for the learner. */
  readonly duplicateBehavior?: DuplicateBehavior;
}

/**
 * The learner's `issuer_earner_id`: the campus id, or a stable hash of the email when there is
 * none. Credly counts it in its duplicate rule, so it is how Credly itself finds an award.
 */
export function earnerIdFor(learner: Pick<Learner, 'campusId' | 'email'>): string {
  if (learner.campusId) return learner.campusId;
  return `mc-${createHash('sha256').update(learner.email.trim().toLowerCase()).digest('hex').slice(0, 24)}`;
}

/** The stable key of an award: (microcredential, learner). */
export function awardKey(microcredentialId: string, learner: Pick<Learner, 'campusId' | 'email'>): string {
  // join makes one flat string; a template literal makes a chain of pieces, which the ledger's index
  // would keep for each of its (possibly hundreds of thousands of) keys.
  return [microcredentialId, earnerIdFor(learner)].join('|');
}

function competencySuffix(evidence: Evidence): string {
  if (!evidence.competency) return '';
  return ` (NACE: ${naceCompetency(evidence.competency.framework, evidence.competency.code).title})`;
}

/**
 * The `id` of an `IdEvidence` item: derived from the award and the item's place in it, so that a
 * re-sent request carries the same ids and two awards never share one.
 */
export function evidenceId(awardKeyValue: string, index: number): string {
  return `ev-${createHash('sha256').update(`${awardKeyValue}#${index}`).digest('hex').slice(0, 24)}`;
}

/** One evidence item on the wire. `id` goes with `IdEvidence` items (every real one carries one). */
export function evidenceItem(evidence: Evidence, textType: TextEvidenceType = 'IdEvidence', id?: string): EvidenceItem {
  const suffix = competencySuffix(evidence);
  const idOf = (type: TextEvidenceType) => (type === 'IdEvidence' && id ? { id } : {});
  switch (evidence.kind) {
    case 'url':
      return {
        type: 'UrlEvidence',
        name: evidence.name,
        value: evidence.url,
        ...(evidence.description || suffix ? { description: `${evidence.description ?? ''}${suffix}`.trim() } : {}),
      };
    case 'id':
      return { type: 'IdEvidence', ...idOf('IdEvidence'), title: evidence.title, description: `${evidence.description}${suffix}` };
    case 'text':
      return { type: textType, ...idOf(textType), title: evidence.name, description: `${evidence.text}${suffix}` };
    case 'assessment': {
      const percent = Math.round(scorePercent(evidence) * 10) / 10;
      const on = evidence.assessedOn ? `, assessed ${evidence.assessedOn}` : '';
      return { type: textType, ...idOf(textType), title: evidence.name, description: `Score ${evidence.score}/${evidence.maxScore} (${percent} %)${on}${suffix}` };
    }
  }
}

/** `expires_at` from the awardee's own date or the microcredential's policy: a date, null (template default) or false (never). */
export function expiresAtFor(micro: Microcredential, awardee: Awardee, issuedAt: Date): string | null | false {
  if (awardee.expiresAt) return awardee.expiresAt;
  const policy = micro.badge.expiry;
  if (policy.policy === 'never') return false;
  if (policy.policy === 'template-default') return null;
  const expires = new Date(issuedAt.getTime());
  const day = expires.getUTCDate();
  expires.setUTCMonth(expires.getUTCMonth() + policy.months);
  // 31 January + 1 month is the last day of February, not 3 March.
  if (expires.getUTCDate() !== day) expires.setUTCDate(0);
  return formatCredlyDate(expires);
}

/** The Credly issue request for one learner's award. Pure. */
export function issuePayload(micro: Microcredential, awardee: Awardee, options: IssuePayloadOptions): IssueBadgeParams {
  const { learner } = awardee;
  const issuedAt = awardee.issuedAt ? new Date(awardee.issuedAt) : options.now;
  const key = awardKey(micro.id, learner);
  const evidence = awardee.evidenceOptOut ? [] : awardee.evidence.map((item, index) => evidenceItem(item, options.textEvidenceType, evidenceId(key, index)));
  return {
    badge_template_id: options.templateId,
    recipient_email: learner.email,
    issued_to_first_name: learner.firstName,
    issued_to_last_name: learner.lastName,
    ...(learner.middleName ? { issued_to_middle_name: learner.middleName } : {}),
    issued_at: awardee.issuedAt ?? formatCredlyDate(options.now),
    expires_at: expiresAtFor(micro, awardee, issuedAt),
    issuer_earner_id: earnerIdFor(learner),
    ...(learner.locale ? { locale: learner.locale } : {}),
    ...(evidence.length ? { evidence } : {}),
    ...(options.suppressNotifications !== undefined ? { suppress_badge_notification_email: options.suppressNotifications } : {}),
    ...(options.duplicateBehavior ? { duplicate_behavior: options.duplicateBehavior } : {}),
  };
}
