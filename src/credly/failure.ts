import {
  AuthenticationError,
  CredlyAbortError,
  CredlyApiError,
  CredlyConnectionError,
  CredlyValidationError,
  isPossibleDuplicate,
  PermissionDeniedError,
  RateLimitError,
} from './errors.js';

/**
 * What a failed request means for exactly-once issuance, decided here once for every caller:
 * - `not-sent`: it never left (a bad request we refused to send, a cancel before sending);
 * - `refused`: Credly answered and did nothing (4xx other than those below);
 * - `rate-limited`: refused before processing (429), after the client waited out its rate-limit
 *   budget (it slows the whole run on 429s): the award is sent again by the next run;
 * - `credentials`: 401/403: nothing else will work either; stop;
 * - `maybe-duplicate`: 422 or 409 on an issue: Credly may already hold the badge (its duplicate
 *   rule, in whatever wording); look it up before calling it a refusal;
 * - `maybe-processed`: timeout, reset, 5xx, or a 2xx we could not read (or without the id asked
 *   for): the badge may exist.
 */
export type FailureClass = 'not-sent' | 'refused' | 'rate-limited' | 'credentials' | 'maybe-duplicate' | 'maybe-processed';

export function classifyFailure(error: unknown): FailureClass {
  if (error instanceof CredlyAbortError) return 'not-sent';
  if (error instanceof AuthenticationError || error instanceof PermissionDeniedError) return 'credentials';
  if (error instanceof RateLimitError) return 'rate-limited';
  if (isPossibleDuplicate(error)) return 'maybe-duplicate';
  if (error instanceof CredlyConnectionError) return 'maybe-processed'; // includes timeouts
  if (error instanceof CredlyApiError) return error.status >= 500 ? 'maybe-processed' : 'refused';
  if (error instanceof CredlyValidationError) return error.direction === 'response' ? 'maybe-processed' : 'not-sent';
  return 'maybe-processed';
}
