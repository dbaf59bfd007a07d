import { z } from 'zod';
import { entitySchema, imageSchema, nullableBoolean, nullableString, openString, responseObject } from './common.js';
import { badgeTemplateSchema } from './badge-template.js';

export type IssuedBadgeState = 'pending' | 'accepted' | 'rejected' | 'revoked';

/** Evidence as Credly returns it; `type` is open (UrlEvidence and IdEvidence are the ones seen). */
export const badgeEvidenceSchema = responseObject({
  id: nullableString,
  type: openString<'UrlEvidence' | 'IdEvidence'>().nullish(),
  name: nullableString,
  title: nullableString,
  description: nullableString,
  value: nullableString,
});

export const badgeUserSchema = responseObject({
  id: nullableString,
  email: nullableString,
  first_name: nullableString,
  middle_name: nullableString,
  last_name: nullableString,
  url: nullableString,
});

export const issuedBadgeSchema = responseObject({
  id: z.string(),
  state: openString<IssuedBadgeState>().nullish(),
  public: nullableBoolean,
  locale: nullableString,
  recipient_email: nullableString,
  issued_to: nullableString,
  issued_to_first_name: nullableString,
  issued_to_middle_name: nullableString,
  issued_to_last_name: nullableString,
  /** A string in requests; some responses carry a number, read here as its string. */
  issuer_earner_id: z.union([z.string(), z.number().transform(String)]).nullish(),
  issued_at: nullableString,
  issued_at_date: nullableString,
  expires_at: nullableString,
  expires_at_date: nullableString,
  created_at: nullableString,
  updated_at: nullableString,
  state_updated_at: nullableString,
  accepted_at: nullableString,
  suppress_badge_notification_email: nullableBoolean,
  replacement_badge_id: nullableString,
  replaces_badge_id: nullableString,
  revocation_reason: nullableString,
  country: nullableString,
  country_code: nullableString,
  state_or_province: nullableString,
  image: imageSchema.nullish(),
  image_url: nullableString,
  badge_url: nullableString,
  accept_badge_url: nullableString,
  evidence: z.array(badgeEvidenceSchema).nullish(),
  alignments: z.array(responseObject({})).nullish(),
  user: badgeUserSchema.nullish(),
  created_by: entitySchema.nullish(),
  issuer: responseObject({}).nullish(),
  /** The full template in list and get responses; `{ id, name }` in high-volume search. */
  badge_template: z.union([badgeTemplateSchema, responseObject({ id: z.string(), name: nullableString })]).nullish(),
});
/** An issued badge as Credly returns it. Fields this package does not know are under `unknownFields`. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a named interface hovers as its name
export interface IssuedBadge extends z.output<typeof issuedBadgeSchema> {}
