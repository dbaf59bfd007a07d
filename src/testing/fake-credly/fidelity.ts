/**
 * The readings of Credly that its documentation leaves open (credly-api.md §4, §10). The fake plays
 * each of them, so that a test can run the client against every one; the defaults are the reading
 * the client must survive even when Credly is strict.
 */
export interface FakeFidelityOptions {
  /**
   * How a duplicate issue is refused (no source gives Credly's wording):
   * - `already-has` (default): 422 `{"data":{"message":"User already has this badge"}}`, the one wording real clients match;
   * - `other-wording`: 422 with another sentence;
   * - `errors-array`: 422 `{"errors":[{"message":…}]}`;
   * - `message-array`: 422 `{"data":{"message":[…]},"metadata":null}`;
   * - `conflict`: 409 `{"data":{"message":…}}`.
   */
  readonly duplicateError?: DuplicateErrorStyle;
  /**
   * Whether a plain `PUT …/badge_templates/{id}` with `{"state": …}` changes the state. No source
   * shows it doing so; production clients use `…/archive` and `…/unarchive`. `ignored` by default.
   */
  readonly templateStateInPut?: 'ignored' | 'applied';
  /**
   * `next_page_url` of page-numbered lists: `same-path` (default; the request's own URL with the
   * next page) or `api-path`, as in production captures: an absolute URL on `/api/v1/…` carrying
   * only `page` (the filter dropped).
   */
  readonly nextPageUrl?: 'same-path' | 'api-path';
  /** `issuer_earner_id` in responses: a string (default), or a number when it is all digits. */
  readonly earnerIdInResponses?: 'string' | 'number';
  /** `IdEvidence` without an `id` (every real request seen sends one): `refused` (default, 422) or `accepted`. */
  readonly idEvidenceWithoutId?: 'refused' | 'accepted';
  /** `duplicate_behavior` on issue (documented on one page, behaviour unverified): `honoured` (default) or `ignored`. */
  readonly duplicateBehavior?: 'honoured' | 'ignored';
}

export type DuplicateErrorStyle = 'already-has' | 'other-wording' | 'errors-array' | 'message-array' | 'conflict';

export const DUPLICATE_ERROR_STYLES: readonly DuplicateErrorStyle[] = ['already-has', 'other-wording', 'errors-array', 'message-array', 'conflict'];

/** The status and body of a duplicate refusal in the given style. */
export function duplicateRefusal(style: DuplicateErrorStyle = 'already-has'): { status: number; body: unknown } {
  switch (style) {
    case 'already-has':
      return { status: 422, body: { data: { message: 'User already has this badge' } } };
    case 'other-wording':
      return { status: 422, body: { data: { message: 'Recipient has already been issued a badge from this template' }, metadata: null } };
    case 'errors-array':
      return { status: 422, body: { errors: [{ message: 'Badge has already been taken for this recipient', field: 'recipient_email' }] } };
    case 'message-array':
      return { status: 422, body: { data: { message: ['Recipient has already been issued this badge'] }, metadata: null } };
    case 'conflict':
      return { status: 409, body: { data: { message: 'Duplicate badge' }, metadata: null } };
  }
}
