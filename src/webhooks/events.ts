import type { CredlyEvent } from '../credly/schemas/event.js';
import type { IssuedBadge } from '../credly/schemas/badge.js';
import type { BadgeTemplate } from '../credly/schemas/badge-template.js';

interface Base {
  /** The event id (also the deduplication key). */
  readonly id: string;
  readonly occurredAt: string | null;
  /** The event as the API returned it when it was verified. */
  readonly raw: CredlyEvent;
}

/** A verified Credly event, typed by its `event_type`; types we do not know pass through as `unknown`. */
export type WebhookEvent =
  | (Base & { readonly type: 'badge.created'; readonly badge: IssuedBadge | null })
  | (Base & { readonly type: 'badge.state.changed'; readonly badge: IssuedBadge | null; readonly state: string | null })
  | (Base & { readonly type: 'badge.deleted'; readonly badge: IssuedBadge | null })
  | (Base & { readonly type: 'badge.privacy.changed'; readonly badge: IssuedBadge | null })
  | (Base & { readonly type: 'badge_template.created'; readonly template: BadgeTemplate | null })
  | (Base & { readonly type: 'badge_template.changed'; readonly template: BadgeTemplate | null })
  | (Base & { readonly type: 'badge_template.deleted'; readonly template: BadgeTemplate | null })
  | (Base & { readonly type: 'unknown'; readonly eventType: string });

export const KNOWN_EVENT_TYPES = [
  'badge.created',
  'badge.state.changed',
  'badge.deleted',
  'badge.privacy.changed',
  'badge_template.created',
  'badge_template.changed',
  'badge_template.deleted',
] as const;

/** The typed event for an event fetched from the API. */
export function typedEvent(raw: CredlyEvent): WebhookEvent {
  const base = { id: raw.id, occurredAt: raw.occurred_at ?? null, raw };
  const badge = raw.badge ?? null;
  const template = raw.badge_template ?? null;
  const type = raw.event_type as string;
  switch (type) {
    case 'badge.created':
    case 'badge.deleted':
    case 'badge.privacy.changed':
      return { ...base, type, badge };
    case 'badge.state.changed':
      return { ...base, type: 'badge.state.changed', badge, state: badge?.state ?? null };
    case 'badge_template.created':
    case 'badge_template.changed':
    case 'badge_template.deleted':
      return { ...base, type, template };
    default:
      return { ...base, type: 'unknown', eventType: type };
  }
}
