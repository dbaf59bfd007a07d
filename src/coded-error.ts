/**
 * Gives an error a stable `code` (every error this package throws has one, so that callers branch
 * on codes, not on messages), keeping its class (TypeError, RangeError, Error).
 */
export function withCode<E extends Error>(error: E, code: string): E & { readonly code: string } {
  return Object.assign(error, { code });
}
