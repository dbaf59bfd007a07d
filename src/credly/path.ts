import { CredlyValidationError } from './errors.js';

/** Encodes one path segment (an id), refusing values that would change the path. */
export function segment(value: string, what: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value === '.' || value === '..' || /[/\\?#]/.test(value)) {
    throw new CredlyValidationError('request', what, [{ path: what, message: `"${String(value)}" is not a valid id` }]);
  }
  return encodeURIComponent(value);
}

/** Builds a path from a template: path`/organizations/${org}/badges/${id}` with each value encoded. */
export function orgPath(organizationId: string, ...rest: Array<string | [value: string, what: string]>): string {
  const parts = [`/organizations/${segment(organizationId, 'organizationId')}`];
  for (const part of rest) parts.push(typeof part === 'string' ? part : `/${segment(part[0], part[1])}`);
  return parts.join('');
}
