import type { IssuedBadge } from '../credly/schemas/badge.js';
import type { CredlyBadgeStatus } from '../ledger/contract.js';

/**
 * The ledger's view of a badge's life on Credly, from a badge as Credly lists it.
 *
 * Credly documents `state` and `state_updated_at`; `accepted_at` appears in some responses only
 * (unverified), so an accepted badge without it takes `state_updated_at` as its acceptance time.
 * When Credly gives no time for a change, the change is dated when this library first saw it.
 */
export function credlyStatusOf(badge: IssuedBadge, previous: CredlyBadgeStatus | null | undefined, now: Date): CredlyBadgeStatus {
  const state = badge.state ?? 'unknown';
  const seenAt = now.toISOString();
  const sameState = previous?.state === state;
  // Without Credly's time: a badge still pending has been since it was created; a change seen now
  // (or a first look at a badge already accepted, rejected or revoked) is dated now.
  const changedAt =
    badge.state_updated_at ?? (sameState ? previous.changedAt : !previous && state === 'pending' ? (badge.created_at ?? badge.issued_at ?? seenAt) : seenAt);
  const acceptedAt = state === 'accepted' ? (badge.accepted_at ?? (sameState ? previous.acceptedAt : null) ?? changedAt) : (badge.accepted_at ?? null);
  return {
    state,
    changedAt: changedAt ?? null,
    acceptedAt: acceptedAt ?? null,
    revokedReason: badge.revocation_reason ?? null,
    url: badge.badge_url ?? previous?.url ?? null,
    seenAt,
  };
}

/** Whether the status says something new (its `seenAt` alone does not count: re-runs write nothing). */
export function statusChanged(previous: CredlyBadgeStatus | null | undefined, next: CredlyBadgeStatus): boolean {
  if (!previous) return true;
  return (
    previous.state !== next.state ||
    previous.changedAt !== next.changedAt ||
    (previous.acceptedAt ?? null) !== (next.acceptedAt ?? null) ||
    (previous.revokedReason ?? null) !== (next.revokedReason ?? null) ||
    (previous.url ?? null) !== (next.url ?? null)
  );
}
