import { z } from 'zod';
import { imageSchema, nullableBoolean, nullableNumber, nullableString, openString, responseObject } from './common.js';

export type BadgeTemplateState = 'draft' | 'active' | 'archived';

export const badgeTemplateActivitySchema = responseObject({
  id: nullableString,
  title: nullableString,
  activity_type: nullableString,
  activity_url: nullableString,
  required_badge_template_id: nullableString,
  required_badge_template_name: nullableString,
  required_badge_template_url: nullableString,
});

export const templateAlignmentSchema = responseObject({
  id: nullableString,
  name: nullableString,
  url: nullableString,
  description: nullableString,
});

/** Skills are strings in the organization API; tolerate `{ name }` objects as some readers see. */
export const skillSchema = z.union([z.string(), responseObject({ name: z.string() })]);

export const badgeTemplateOwnerSchema = responseObject({
  type: nullableString,
  id: nullableString,
  name: nullableString,
  url: nullableString,
  vanity_url: nullableString,
  vanity_slug: nullableString,
  verified: nullableBoolean,
});

export const badgeTemplateSchema = responseObject({
  id: z.string(),
  name: nullableString,
  description: nullableString,
  state: openString<BadgeTemplateState>().nullish(),
  public: nullableBoolean,
  visibility: nullableString,
  vanity_slug: nullableString,
  url: nullableString,
  image: imageSchema.nullish(),
  image_url: nullableString,
  allow_duplicate_badges: nullableBoolean,
  lock_badge_state: nullableBoolean,
  certification: nullableBoolean,
  cost: nullableString,
  level: nullableString,
  time_to_earn: nullableString,
  type_category: nullableString,
  global_activity_url: nullableString,
  criteria_url: nullableString,
  criteria_url_name: nullableString,
  badge_template_activities: z.array(badgeTemplateActivitySchema).nullish(),
  skills: z.array(skillSchema).nullish(),
  reporting_tags: z.array(z.string()).nullish(),
  alignments: z.array(templateAlignmentSchema).nullish(),
  recommendations: z.array(responseObject({})).nullish(),
  badges_count: nullableNumber,
  get_issue_count: nullableNumber,
  owner: badgeTemplateOwnerSchema.nullish(),
  created_at: nullableString,
  updated_at: nullableString,
  state_updated_at: nullableString,
});
/** A badge template as Credly returns it. Fields this package does not know are under `unknownFields`. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a named interface hovers as its name
export interface BadgeTemplate extends z.output<typeof badgeTemplateSchema> {}
