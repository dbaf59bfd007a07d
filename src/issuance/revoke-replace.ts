import type { CredlyClient } from '../credly/client.js';
import { formatCredlyDate } from '../credly/dates.js';
import { CredlyValidationError } from '../credly/errors.js';
import type { ReplaceBadgeParams } from '../credly/schemas/requests.js';
import { holdsBadge, type AwardRecord, type Ledger } from '../ledger/contract.js';
import { LedgerError } from '../ledger/errors.js';

export interface AwardActionOptions {
  readonly client: CredlyClient;
  readonly ledger: Ledger;
  /** @internal Test seam: the clock. */
  readonly now?: () => Date;
}

/** An award named by its ledger key, or by a Credly badge id. */
export async function findAward(ledger: Ledger, by: { key?: string; badgeId?: string }): Promise<AwardRecord | undefined> {
  if (by.key) return ledger.getAward(by.key);
  if (!by.badgeId) return undefined;
  for await (const award of ledger.queryAwards({ badgeId: by.badgeId, limit: 1 })) return award;
  // A replaced badge's old id names the award too.
  for await (const award of ledger.queryAwards({ state: 'replaced' })) if (award.previousBadgeIds?.includes(by.badgeId)) return award;
  return undefined;
}

function requireIssued(award: AwardRecord | undefined, what: string): AwardRecord & { badgeId: string } {
  if (!award) throw new LedgerError('AWARD_NOT_FOUND', `no award ${what} in the ledger: check the key (microcredential|earner id) or the badge id with status`);
  if (!holdsBadge(award.state) || !award.badgeId) {
    throw new LedgerError('AWARD_NOT_ISSUED', `award ${award.key} is ${award.state}, not issued: there is no badge to act on`);
  }
  return award as AwardRecord & { badgeId: string };
}

/** Revokes an issued award's badge with a reason, and records it. */
export async function revokeAward(options: AwardActionOptions, by: { key?: string; badgeId?: string }, reason: string, suppressNotification = false): Promise<AwardRecord> {
  const now = options.now ?? (() => new Date());
  const award = requireIssued(await findAward(options.ledger, by), by.key ?? by.badgeId ?? '');
  await options.client.badges.revoke(award.badgeId, { reason, suppress_revoke_notification_email: suppressNotification });
  const stamp = now().toISOString();
  return options.ledger.writeAward(
    award.key,
    { state: 'revoked', revocationReason: reason, credly: { ...(award.credly ?? {}), state: 'revoked', changedAt: stamp, revokedReason: reason, seenAt: stamp } },
    { any: true },
  );
}

/**
 * Replaces an issued award's badge (re-certification): Credly issues a new badge that replaces the
 * old one. The award keeps its key and records the old badge id.
 */
export async function replaceAward(
  options: AwardActionOptions,
  by: { key?: string; badgeId?: string },
  changes: Omit<ReplaceBadgeParams, 'badge_template_id' | 'issued_at'> & { issued_at?: ReplaceBadgeParams['issued_at'] } = {},
): Promise<AwardRecord> {
  const now = options.now ?? (() => new Date());
  const award = requireIssued(await findAward(options.ledger, by), by.key ?? by.badgeId ?? '');
  const replacement = await options.client.badges.replace(award.badgeId, {
    ...changes,
    badge_template_id: award.templateId,
    issued_at: changes.issued_at ?? formatCredlyDate(now()),
  });
  // With validateResponses 'warn' or 'off' an answer is returned unchecked: without the new badge's
  // id there is nothing to record, and the award keeps its old badge (look it up before replacing again).
  if (typeof replacement.id !== 'string' || replacement.id.trim() === '') {
    throw new CredlyValidationError('response', `replacement of badge ${award.badgeId}`, [
      { path: 'data.id', message: 'Credly answered without the new badge id: the badge may have been replaced; check it in Credly before replacing it again (the ledger still records the old badge)' },
    ]);
  }
  // The snapshot follows the badge: exports (Open Badges 3.0, the registrar) carry the replacement's dates.
  const snapshot = award.snapshot
    ? { ...award.snapshot, issuedAt: isoDate(replacement.issued_at) ?? isoDate(String(changes.issued_at ?? '')) ?? now().toISOString(), expiresAt: isoDate(replacement.expires_at) ?? (changes.expires_at === undefined ? award.snapshot.expiresAt : isoDate(String(changes.expires_at))) }
    : null;
  return options.ledger.writeAward(
    award.key,
    { state: 'replaced', badgeId: replacement.id, issuedAt: now().toISOString(), snapshot, previousBadgeIds: [...(award.previousBadgeIds ?? []), award.badgeId], credly: null },
    { any: true },
  );
}

/** A Credly date (ISO 8601, or "YYYY-MM-DD hh:mm:ss +hhmm") as ISO 8601; null when absent or unreadable. */
function isoDate(value: string | null | undefined): string | null {
  if (!value) return null;
  const normalized = value.replace(/^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) ([+-]\d{2})(\d{2})$/, '$1T$2$3:$4');
  const time = Date.parse(normalized);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}
