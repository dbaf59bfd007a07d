import { withCode } from '../coded-error.js';
/**
 * Credly takes request dates in several formats, and every one needs an explicit offset
 * (credly-api.md §2). Dates we format go out as Credly's documented example does:
 * `2014-04-01 09:41:00 -0500`; we always use UTC (`+0000`).
 */
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function formatCredlyDate(date: Date): string {
  if (Number.isNaN(date.getTime())) throw withCode(new RangeError('invalid Date'), 'CREDLY_INVALID_DATE');
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const CREDLY_WITH_OFFSET = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4}$/;

/** True for an ISO 8601 date-time with `Z` or an offset, or Credly's `YYYY-MM-DD HH:MM:SS ±HHMM`. */
export function hasExplicitOffset(value: string): boolean {
  return ISO_WITH_OFFSET.test(value) || CREDLY_WITH_OFFSET.test(value);
}
