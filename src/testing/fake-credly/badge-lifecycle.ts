import type { FakeStore, StoredBadge } from './store.js';

/**
 * What learners do with their badges in the fake: after `afterMs` on the fake's clock, a pending
 * badge is accepted (by default) or rejected, or left pending, as `outcome` decides per badge.
 * The change happens when the fake next answers a request after that time (stamped then), and is
 * visible in the badge list, the badge, and the events feed (`badge.state.changed`), like a
 * learner's click in Credly.
 */
export interface BadgeLifecycleOptions {
  readonly afterMs: number;
  readonly outcome?: (badge: { readonly email: string; readonly earnerId: string | null; readonly templateId: string }) => 'accepted' | 'rejected' | 'pending';
}

/** Applies the learners' decisions that are due by `now`. */
export function settleDueBadges(store: FakeStore, now: number, options: BadgeLifecycleOptions | undefined, snapshot: (b: StoredBadge) => Record<string, unknown>): void {
  if (!options) return;
  for (const badge of store.badges.values()) {
    if (badge.state !== 'pending' || Date.parse(badge.created_at) + options.afterMs > now) continue;
    const outcome = options.outcome?.({ email: badge.recipient_email, earnerId: badge.issuer_earner_id, templateId: badge.templateId }) ?? 'accepted';
    if (outcome !== 'pending') store.setBadgeState(badge, outcome, snapshot);
  }
}
