import { z } from 'zod';
import { nullableString, openString } from './common.js';
import { issuedBadgeSchema } from './badge.js';
import { badgeTemplateSchema } from './badge-template.js';

export type CredlyEventType =
  | 'badge.created'
  | 'badge.state.changed'
  | 'badge.deleted'
  | 'badge.privacy.changed'
  | 'badge_template.created'
  | 'badge_template.changed'
  | 'badge_template.deleted';

export const credlyEventSchema = z.looseObject({
  id: z.string(),
  event_type: openString<CredlyEventType>(),
  organization_id: nullableString,
  occurred_at: nullableString,
  badge: issuedBadgeSchema.nullish(),
  badge_template: badgeTemplateSchema.nullish(),
});
export type CredlyEvent = z.infer<typeof credlyEventSchema>;
