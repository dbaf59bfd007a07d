import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as api from '../../src/index.js';
import { issuedBadgeSchema } from '../../src/credly/schemas/badge.js';
import { organizationSchema } from '../../src/credly/schemas/organization.js';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

describe('the public API', () => {
  it('leaves internals out: error factories, retry arithmetic, filter builders, zod schemas', () => {
    const names = Object.keys(api);
    for (const internal of ['apiErrorFor', 'computeDelay', 'isRetryable', 'parseRetryAfter', 'buildFilter', 'buildSort', 'maskEmail', 'DUPLICATE_BADGE_PATTERN', 'parseWith', 'formatPath', 'evidenceItem']) {
      expect(names, internal).not.toContain(internal);
    }
    expect(names.filter((name) => /Schema$|Shape$/.test(name))).toEqual([]);
    expect(names.length).toBeLessThan(140);
  });

  it('isCredlyError matches this package’s errors (any copy) and not other libraries’ errors of the same name', () => {
    const express404 = Object.assign(new Error('Not Found'), { name: 'NotFoundError', status: 404 });
    expect(api.isCredlyError(express404)).toBe(false);
    expect(api.isCredlyError(Object.assign(new Error('x'), { name: 'CredlyError' }))).toBe(false);
    expect(api.isCredlyError(new api.CredlyConfigError('bad'))).toBe(true);
    // A second copy of the package (another version in node_modules) has other classes, the same brand.
    class OtherCopyError extends Error {
      get [Symbol.for('credly-microcredentials.CredlyError')]() {
        return true;
      }
    }
    expect(api.isCredlyError(new OtherCopyError('from the other copy'))).toBe(true);
  });

  it('every error class it exports has a stable code', () => {
    const details = { status: 404, method: 'GET', path: '/x', serverMessage: 'm', body: null, headers: {} };
    const errors: Array<{ code: string }> = [
      new api.CredlyError('m'),
      new api.CredlyConfigError('m'),
      new api.CredlyApiError(details),
      new api.BadRequestError(details),
      new api.AuthenticationError(details),
      new api.PermissionDeniedError(details),
      new api.NotFoundError(details),
      new api.ConflictError(details),
      new api.GoneError(details),
      new api.UnprocessableEntityError(details),
      new api.BadgeAlreadyIssuedError(details),
      new api.RateLimitError(details),
      new api.InternalServerError(details),
      new api.CredlyConnectionError('GET', '/x', 'reset', 'ECONNRESET'),
      new api.CredlyTimeoutError('GET', '/x', 10),
      new api.CredlyAbortError('m'),
      new api.CredlyValidationError('request', 'x', []),
      new api.DomainValidationError('x', []),
      new api.IllegalTransitionError('draft', 'approve', 'office', 'why'),
      new api.NotApprovedError('x', 'draft'),
      new api.RosterFormatError('m'),
      new api.LedgerLockedError('m'),
      new api.LedgerCorruptError('m'),
      new api.WebhookRejection(400, 'm'),
    ];
    const codes = errors.map((e) => e.code);
    for (const code of codes) expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new api.CredlyConnectionError('GET', '/x', 'reset', 'ECONNRESET').toJSON()).toMatchObject({ code: 'CREDLY_CONNECTION', systemCode: 'ECONNRESET' });
    expect(() => api.naceCompetency('NACE-2021', 'nope')).toThrow(expect.objectContaining({ code: 'NACE_UNKNOWN_COMPETENCY' }));
  });

  it('responses have exact, named types; unknown fields are kept under unknownFields', () => {
    const badge: api.IssuedBadge = issuedBadgeSchema.parse({ id: 'b1', recipient_email: 'a@example.edu', brand_new: 1 });
    expect(badge.recipient_email).toBe('a@example.edu');
    expect(badge.unknownFields).toEqual({ brand_new: 1 });
    expect(badge).not.toHaveProperty('brand_new');
    // @ts-expect-error a typo does not compile
    expect(badge.recipent_email).toBeUndefined();
    expectTypeOf<api.IssuedBadge['unknownFields']>().toEqualTypeOf<api.UnknownFields>();
    const org: api.Organization = organizationSchema.parse({ id: 'o', photo: { url: 'u', size: 3 } });
    expect(org.photo?.unknownFields).toEqual({ size: 3 });
  });
});

describe('the package metadata', () => {
  const pkg = JSON.parse(read('package.json')) as Record<string, any>;

  it('names its repository, homepage and issue tracker, and the README links work from npm', () => {
    const repo = 'https://github.com/credly-microcredentials/credly-microcredentials';
    expect(pkg.repository.url).toBe(`git+${repo}.git`);
    expect(pkg.homepage).toBe(`${repo}#readme`);
    expect(pkg.bugs.url).toBe(`${repo}/issues`);
    const links = [...read('README.md').matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(5);
    for (const link of links) expect(link, link).toMatch(/^(https:\/\/|#)/);
  });

  it('resolves credly-microcredentials/testing for resolvers that ignore exports (node10)', () => {
    const stub = JSON.parse(read('testing/package.json')) as { main: string; types: string };
    expect(pkg.files).toContain('testing/package.json');
    expect(`./${stub.types.replace('../', '')}`).toBe(pkg.exports['./testing'].require.types);
    expect(`./${stub.main.replace('../', '')}`).toBe(pkg.exports['./testing'].require.default);
  });

  it('runs attw on every resolution mode (no --profile)', () => {
    expect(pkg.scripts['lint:pkg']).toMatch(/attw --pack \.$/);
  });
});
