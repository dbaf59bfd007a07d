import { z } from 'zod';
import { imageSchema, nullableBoolean, nullableString, responseObject } from './common.js';

export const organizationSchema = responseObject({
  id: z.string(),
  name: nullableString,
  website_url: nullableString,
  webhook_url: nullableString,
  allowed_webhooks: z.array(z.unknown()).nullish(),
  contact_email: nullableString,
  vanity_slug: nullableString,
  vanity_url: nullableString,
  verified: nullableBoolean,
  photo: imageSchema.nullish(),
  photo_url: nullableString,
  created_at: nullableString,
  updated_at: nullableString,
});
/** An organization as Credly returns it. Fields this package does not know are under `unknownFields`. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a named interface hovers as its name
export interface Organization extends z.output<typeof organizationSchema> {}
