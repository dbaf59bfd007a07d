import type { CredlyClient } from '../credly/client.js';
import { formatCredlyDate } from '../credly/dates.js';
import type { ReplaceBadgeParams } from '../credly/schemas/requests.js';
import type { AwardRecord, Ledger } from './ledger.js';
import { withCode } from '../coded-error.js';

export interface AwardActionOptions {
  readonly client: CredlyClient;
  readonly ledger: Ledger;
  /** @internal Test seam: the clock. */
  readonly now?: () => Date;
}

/** An award named by its ledger key, or by a Credly badge id. */
export function findAward(ledger: Ledger, by: { key?: string; badgeId?: string }): AwardRecord | undefined {
  if (by.key) return ledger.getAward(by.key);
  for (const award of ledger.awards()) if (award.badgeId === by.badgeId) return award;
  return undefined;
}

function requireIssued(award: AwardRecord | undefined, what: string): AwardRecord & { badgeId: string } {
  if (!award) throw withCode(new Error(`no award ${what} in the ledger`), 'AWARD_NOT_FOUND');
  if ((award.state !== 'issued' && award.state !== 'replaced') || !award.badgeId) {
    throw withCode(new Error(`award ${award.key} is ${award.state}, not issued: there is no badge to act on`), 'AWARD_NOT_ISSUED');
  }
  return award as AwardRecord & { badgeId: string };
}

/** Revokes an issued award's badge with a reason, and records it. */
export async function revokeAward(options: AwardActionOptions, by: { key?: string; badgeId?: string }, reason: string, suppressNotification = false): Promise<AwardRecord> {
  const now = options.now ?? (() => new Date());
  const award = requireIssued(findAward(options.ledger, by), by.key ?? by.badgeId ?? '');
  await options.client.badges.revoke(award.badgeId, { reason, suppress_revoke_notification_email: suppressNotification });
  const revoked: AwardRecord = { ...award, state: 'revoked', revocationReason: reason, updatedAt: now().toISOString() };
  await options.ledger.putAward(revoked);
  return revoked;
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
  const award = requireIssued(findAward(options.ledger, by), by.key ?? by.badgeId ?? '');
  const replacement = await options.client.badges.replace(award.badgeId, {
    ...changes,
    badge_template_id: award.templateId,
    issued_at: changes.issued_at ?? formatCredlyDate(now()),
  });
  const replaced: AwardRecord = {
    ...award,
    state: 'replaced',
    badgeId: replacement.id,
    previousBadgeIds: [...(award.previousBadgeIds ?? []), award.badgeId],
    updatedAt: now().toISOString(),
  };
  await options.ledger.putAward(replaced);
  return replaced;
}
