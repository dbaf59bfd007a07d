import { z } from 'zod';
import { responseObject } from './common.js';

/** Bare Open Badges 2.0 JSON-LD (the OBI endpoints send no envelope). */
export const obiBadgeAssertionSchema = responseObject({
  '@context': z.unknown().optional(),
  type: z.unknown().optional(),
  id: z.string(),
  recipient: responseObject({ type: z.string().optional(), identity: z.string().optional(), hashed: z.boolean().optional() }).nullish(),
  badge: z.unknown().optional(),
  verification: responseObject({}).nullish(),
  issuedOn: z.string().nullish(),
  expires: z.string().nullish(),
  evidence: z.unknown().optional(),
});
/** An Open Badges 2.0 assertion. Fields this package does not know are under `unknownFields`. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a named interface hovers as its name
export interface ObiBadgeAssertion extends z.output<typeof obiBadgeAssertionSchema> {}

export const obiBadgeClassSchema = responseObject({
  '@context': z.unknown().optional(),
  type: z.unknown().optional(),
  id: z.string(),
  name: z.string().nullish(),
  description: z.string().nullish(),
  image: z.unknown().optional(),
  criteria: z.unknown().optional(),
  issuer: z.unknown().optional(),
  alignment: z.array(responseObject({})).nullish(),
  tags: z.array(z.string()).nullish(),
});
/** An Open Badges 2.0 badge class. Fields this package does not know are under `unknownFields`. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a named interface hovers as its name
export interface ObiBadgeClass extends z.output<typeof obiBadgeClassSchema> {}

export const obiIssuerSchema = responseObject({
  '@context': z.unknown().optional(),
  type: z.unknown().optional(),
  id: z.string(),
  name: z.string().nullish(),
  url: z.string().nullish(),
  email: z.string().nullish(),
});
/** An Open Badges 2.0 issuer. Fields this package does not know are under `unknownFields`. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a named interface hovers as its name
export interface ObiIssuer extends z.output<typeof obiIssuerSchema> {}
