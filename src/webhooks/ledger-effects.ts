import type { IssuedBadge } from '../credly/schemas/badge.js';
import type { AwardRecord, Ledger } from '../ledger/contract.js';
import { VersionConflictError } from '../ledger/errors.js';
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
  let award: AwardRecord | undefined;
  for await (const a of ledger.queryAwards({ badgeId: badge.id, limit: 1 })) award = a;
  if (!award) return null;
  const write = (record: AwardRecord, patch: Parameters<Ledger['writeAward']>[1]) => ledger.writeAward(record.key, patch, { version: record.version });
  if (type === 'badge.deleted') {
    await write(award, { state: 'revoked', credly: { state: 'deleted', changedAt: stamp, seenAt: stamp }, revocationReason: award.revocationReason ?? 'deleted in Credly' });
    return `award ${award.key}: badge deleted in Credly`;
  }
  const state = badge.state ?? null;
  if (!state || state === award.credly?.state) return null;
  if (isStale(state, award)) return null;
  const changedAt = (badge as { state_updated_at?: string | null }).state_updated_at ?? stamp;
  const credly = {
    state,
    changedAt,
    seenAt: stamp,
    ...(state === 'accepted' ? { acceptedAt: (badge as { accepted_at?: string | null }).accepted_at ?? changedAt } : award.credly?.acceptedAt ? { acceptedAt: award.credly.acceptedAt } : {}),
    ...(state === 'revoked' ? { revokedReason: badge.revocation_reason ?? null } : {}),
  };
  if (state === 'revoked') {
    await write(award, { state: 'revoked', credly, revocationReason: badge.revocation_reason ?? award.revocationReason ?? 'revoked in Credly' });
  } else {
    await write(award, { credly });
  }
  return `award ${award.key}: badge ${state}`;
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
    // A version write: a worker holding the award's claim keeps it, and this update is not lost.
    // Another write in between (an event of the same badge processed at the same moment, a
    // worker's outcome) refuses it: the award is read again and the event applied to what is there.
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await applyBadgeEvent(ledger, event.type, badge, stamp);
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt >= MAX_VERSION_RETRIES) throw error;
      }
    }
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
