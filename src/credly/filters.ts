import { CredlyValidationError } from './errors.js';

export type FilterValue = string | number | boolean | ReadonlyArray<string | number> | undefined | null;

/**
 * Credly's filter syntax: `key::value|key2::value2`, with comma lists for multi-valued keys
 * (`state::pending,accepted`). A value holding `|` or `::` cannot be expressed, so it is refused
 * rather than sent as a different filter.
 */
export function buildFilter(filter: Readonly<Record<string, FilterValue>> | undefined): string | undefined {
  if (!filter) return undefined;
  const parts: string[] = [];
  for (const [key, raw] of Object.entries(filter)) {
    if (raw === undefined || raw === null) continue;
    const values = Array.isArray(raw) ? raw.map(String) : [String(raw)];
    for (const value of values) {
      if (value.includes('|') || value.includes('::')) {
        throw new CredlyValidationError('request', 'filter', [{ path: `filter.${key}`, message: `"${value}" contains "|" or "::", which Credly's filter syntax cannot carry` }]);
      }
    }
    if (values.length === 0) continue;
    parts.push(`${key}::${values.join(',')}`);
  }
  return parts.length ? parts.join('|') : undefined;
}

/** `sort=key1|-key2`; a leading `-` sorts descending. */
export function buildSort(sort: string | readonly string[] | undefined): string | undefined {
  if (sort === undefined) return undefined;
  const keys = typeof sort === 'string' ? [sort] : [...sort];
  for (const key of keys) {
    if (!/^-?[a-z_]+$/.test(key)) {
      throw new CredlyValidationError('request', 'sort', [{ path: 'sort', message: `"${key}" is not a sort key such as name or -issued_at` }]);
    }
  }
  return keys.length ? keys.join('|') : undefined;
}
