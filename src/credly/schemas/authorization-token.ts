import { z } from 'zod';
import { entitySchema, nullableBoolean, nullableString, responseObject } from './common.js';

/**
 * An organization authorization token as `GET …/authorization_tokens` lists it (D-AT). Credly's
 * list includes each token's secret value (`token`); the resource compares it with the client's
 * own and drops it, so that it is never returned, logged or stored.
 */
export const authorizationTokenSchema = responseObject({
  id: z.string(),
  token: nullableString,
  owner_id: nullableString,
  description: nullableString,
  read_enabled: nullableBoolean,
  write_enabled: nullableBoolean,
  delete_enabled: nullableBoolean,
  created_at: nullableString,
  // Older docs list no expiry; current ones do (credly-api.md §3.1).
  expires_at: nullableString,
  owner: entitySchema.nullish(),
});

/** An authorization token, without its secret value; `current` says whether it is the client's own. */
export interface AuthorizationToken extends Omit<z.output<typeof authorizationTokenSchema>, 'token'> {
  readonly current: boolean;
}
