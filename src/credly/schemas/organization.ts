import { z } from 'zod';
import { imageSchema, nullableBoolean, nullableString } from './common.js';

export const organizationSchema = z.looseObject({
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
export type Organization = z.infer<typeof organizationSchema>;
