import type { IssuedBadge } from '../credly/schemas/badge.js';
import { holdsBadge, type AwardRecord, type Ledger } from '../ledger/contract.js';
import { updateAward } from '../ledger/update.js';
import type { WebhookEvent } from './events.js';

/**
 * Whether an event's badge is older than what the ledger knows. Events come in any order, and
 * several are processed at once (by one receiver, or by several sharing the ledger); each embeds
 * the badge as it was when the event happened. A badge's life only moves forward: its first state,
 * `pending`, never replaces a later one, and nothing replaces `revoked` or `deleted`. (Dates cannot
 * decide it: a state seen without one from Credly is dated when this library saw it.)
 */
function isStale(state: string, award: AwardRecord): boolean {
  const known = award.credly?.state;
  if (!known || known === 'pending') return false;
  return state === 'pending' || ((known === 'revoked' || known === 'deleted') && state !== known);
}

/** How many times an event is applied again to an award that changed while it was applied. */
const MAX_VERSION_RETRIES = 5;

async function applyBadgeEvent(ledger: Ledger, type: 'badge.state.changed' | 'badge.deleted' | 'badge.created', badge: IssuedBadge, stamp: string): Promise<string | null> {
  let key: string | undefined;
  for await (const a of ledger.queryAwards({ badgeId: badge.id, limit: 1 })) key = a.key;
  if (!key) return null;
  let change: string | null = null;
  // A version write: a worker holding the award's claim keeps it, and this update is not lost.
  // Another write in between (an event of the same badge processed at the same moment, a
  // worker's outcome) refuses it: the award is read again and the event applied to what is there.
  await updateAward(
    ledger,
    key,
    (award) => {
      change = null;
      if (type === 'badge.deleted') {
        change = `award ${award.key}: badge deleted in Credly`;
        return { state: 'revoked', credly: { state: 'deleted', changedAt: stamp, seenAt: stamp }, revocationReason: award.revocationReason ?? 'deleted in Credly' };
      }
      const state = badge.state ?? null;
      if (!state || state === award.credly?.state || isStale(state, award)) return null;
      const changedAt = (badge as { state_updated_at?: string | null }).state_updated_at ?? stamp;
      const credly = {
        state,
        changedAt,
        seenAt: stamp,
        ...(state === 'accepted' ? { acceptedAt: (badge as { accepted_at?: string | null }).accepted_at ?? changedAt } : award.credly?.acceptedAt ? { acceptedAt: award.credly.acceptedAt } : {}),
        ...(state === 'revoked' ? { revokedReason: badge.revocation_reason ?? null } : {}),
      };
      change = `award ${award.key}: badge ${state}`;
      return state === 'revoked' ? { state: 'revoked', credly, revocationReason: badge.revocation_reason ?? award.revocationReason ?? 'revoked in Credly' } : { credly };
    },
    { attempts: MAX_VERSION_RETRIES },
  );
  return change;
}

/**
 * The award a badge event waits for, or null: when no award holds the event's badge yet, the award
 * being issued (`issuing`, no badge recorded) to the badge's learner with the badge's template, or
 * the award holding the badge this one replaces (a re-certification, `replaceAward`, whose record
 * has not been written yet). The issue job (or `replaceAward`) records a badge's id once Credly's
 * answer is in, a moment after Credly sends `badge.created` (and a learner may act as quickly): the
 * event is applied once it has.
 *
 * The badge's learner is its issuer earner id or its email, either: the issue job's look-up
 * (`findExisting`) finds a badge by the award's earner id, then by its email, so a badge issued
 * outside the ledger with another earner id but the learner's email is the one the award adopts.
 * The awards being issued are read first (few, and found by index on every backend); the badge
 * id is looked up only when one may be waiting for it (on the file ledger that look-up reads every
 * award, and `applyToLedger` makes it again).
 */
export async function awardAwaitingBadge(ledger: Ledger, event: WebhookEvent): Promise<string | null> {
  if (event.type !== 'badge.state.changed' && event.type !== 'badge.deleted' && event.type !== 'badge.created') return null;
  const badge = event.badge;
  if (!badge) return null;
  const templateId = badge.badge_template?.id;
  const learners = templateId ? [...new Set([badge.issuer_earner_id, badge.recipient_email].filter((value): value is string => typeof value === 'string' && value.trim() !== '').map((value) => value.trim()))] : [];
  let waiting: string | null = null;
  // A re-certification being recorded (`replaceAward`): the award still holds the badge this one replaces.
  if (badge.replaces_badge_id) {
    for await (const award of ledger.queryAwards({ badgeId: badge.replaces_badge_id, limit: 1 })) if (holdsBadge(award.state)) waiting = award.key;
  }
  for (const learner of waiting ? [] : learners) {
    for await (const award of ledger.queryAwards({ learner, state: 'issuing' })) {
      if (award.templateId === templateId && !award.badgeId) {
        waiting = award.key;
        break;
      }
    }
    if (waiting) break;
  }
  if (!waiting) return null;
  for await (const _ of ledger.queryAwards({ badgeId: badge.id, limit: 1 })) return null;
  return waiting;
}

/**
 * Keeps the ledger current with what happened in Credly: badges accepted, rejected, revoked or
 * deleted; templates archived or deleted (which makes their microcredential's template unusable,
 * so issuance refuses it with a clear error until it is fixed), or re-activated.
 */
export async function applyToLedger(ledger: Ledger, event: WebhookEvent, now: () => Date): Promise<string | null> {
  const stamp = now().toISOString();
  if (event.type === 'badge.state.changed' || event.type === 'badge.deleted' || event.type === 'badge.created') {
    const badge = event.badge;
    if (!badge) return null;
    return applyBadgeEvent(ledger, event.type, badge, stamp);
  }
  if (event.type === 'badge_template.changed' || event.type === 'badge_template.deleted') {
    const template = event.template;
    if (!template) return null;
    const record = (await ledger.listTemplates()).find((t) => t.templateId === template.id);
    if (!record) return null;
    if (event.type === 'badge_template.deleted') {
      await ledger.putTemplate({ ...record, state: 'unusable', unusableReason: 'deleted in Credly', updatedAt: stamp });
      return `template of ${record.microcredentialId}: deleted in Credly, unusable`;
    }
    if (template.state === 'archived' && record.state === 'active') {
      await ledger.putTemplate({ ...record, state: 'unusable', unusableReason: 'archived in Credly', updatedAt: stamp });
      return `template of ${record.microcredentialId}: archived in Credly, unusable`;
    }
    if (template.state === 'active' && record.state === 'unusable' && record.unusableReason === 'archived in Credly') {
      const { unusableReason: _reason, ...rest } = record;
      await ledger.putTemplate({ ...rest, state: 'active', updatedAt: stamp });
      return `template of ${record.microcredentialId}: active again`;
    }
  }
  return null;
}
