import type { Ledger } from '../issuance/ledger.js';
import type { WebhookEvent } from './events.js';

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
    let award;
    for (const a of ledger.awards()) if (a.badgeId === badge.id) award = a;
    if (!award) return null;
    if (event.type === 'badge.deleted') {
      await ledger.putAward({ ...award, state: 'revoked', credlyState: 'deleted', revocationReason: award.revocationReason ?? 'deleted in Credly', updatedAt: stamp });
      return `award ${award.key}: badge deleted in Credly`;
    }
    const state = badge.state ?? null;
    if (!state || state === award.credlyState) return null;
    if (state === 'revoked') {
      await ledger.putAward({ ...award, state: 'revoked', credlyState: state, revocationReason: badge.revocation_reason ?? award.revocationReason ?? 'revoked in Credly', updatedAt: stamp });
    } else {
      await ledger.putAward({ ...award, credlyState: state, updatedAt: stamp });
    }
    return `award ${award.key}: badge ${state}`;
  }
  if (event.type === 'badge_template.changed' || event.type === 'badge_template.deleted') {
    const template = event.template;
    if (!template) return null;
    let record;
    for (const t of ledger.templates()) if (t.templateId === template.id) record = t;
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
