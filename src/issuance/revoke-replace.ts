import type { CredlyClient } from '../credly/client.js';
import { formatCredlyDate } from '../credly/dates.js';
import type { ReplaceBadgeParams } from '../credly/schemas/requests.js';
import type { AwardRecord, Ledger } from '../ledger/contract.js';
import { LedgerError } from '../ledger/errors.js';

export interface AwardActionOptions {
  readonly client: CredlyClient;
  readonly ledger: Ledger;
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
  if ((award.state !== 'issued' && award.state !== 'replaced') || !award.badgeId) {
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
  return options.ledger.writeAward(
    award.key,
    { state: 'replaced', badgeId: replacement.id, issuedAt: now().toISOString(), previousBadgeIds: [...(award.previousBadgeIds ?? []), award.badgeId], credly: null },
    { any: true },
  );
}
