import { z } from 'zod';
import { nullableString, openString, responseObject } from './common.js';
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

export const credlyEventSchema = responseObject({
  id: z.string(),
  event_type: openString<CredlyEventType>(),
  organization_id: nullableString,
  occurred_at: nullableString,
  badge: issuedBadgeSchema.nullish(),
  badge_template: badgeTemplateSchema.nullish(),
});
/** An event from the events API. Fields this package does not know are under `unknownFields`. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a named interface hovers as its name
export interface CredlyEvent extends z.output<typeof credlyEventSchema> {}
