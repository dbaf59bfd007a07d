import { z } from 'zod';

/** Bare Open Badges 2.0 JSON-LD (the OBI endpoints send no envelope). */
export const obiBadgeAssertionSchema = z.looseObject({
  '@context': z.unknown().optional(),
  type: z.unknown().optional(),
  id: z.string(),
  recipient: z.looseObject({ type: z.string().optional(), identity: z.string().optional(), hashed: z.boolean().optional() }).nullish(),
  badge: z.unknown().optional(),
  verification: z.looseObject({}).nullish(),
  issuedOn: z.string().nullish(),
  expires: z.string().nullish(),
  evidence: z.unknown().optional(),
});
export type ObiBadgeAssertion = z.infer<typeof obiBadgeAssertionSchema>;

export const obiBadgeClassSchema = z.looseObject({
  '@context': z.unknown().optional(),
  type: z.unknown().optional(),
  id: z.string(),
  name: z.string().nullish(),
  description: z.string().nullish(),
  image: z.unknown().optional(),
  criteria: z.unknown().optional(),
  issuer: z.unknown().optional(),
  alignment: z.array(z.looseObject({})).nullish(),
  tags: z.array(z.string()).nullish(),
});
export type ObiBadgeClass = z.infer<typeof obiBadgeClassSchema>;

export const obiIssuerSchema = z.looseObject({
  '@context': z.unknown().optional(),
  type: z.unknown().optional(),
  id: z.string(),
  name: z.string().nullish(),
  url: z.string().nullish(),
  email: z.string().nullish(),
});
export type ObiIssuer = z.infer<typeof obiIssuerSchema>;
