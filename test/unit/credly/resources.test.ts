import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { CredlyValidationError } from '../../../src/index.js';
// Internal: not part of the public API.
import { buildFilter, buildSort } from '../../../src/credly/filters.js';
// Internal: not part of the public API.
import { formatCredlyDate, hasExplicitOffset } from '../../../src/credly/dates.js';
import { ORG, SANDBOX, TEMPLATE_ID, testClient } from '../../helpers/credly.js';

const base = `/v1/organizations/${ORG}`;
const meta = (page: number, pages: number, count: number) => ({ count, current_page: page, total_count: pages * 50, total_pages: pages, per: 50 });

describe('badge templates', () => {
  it('lists with filters, sort and a start page', async () => {
    const { client } = testClient();
    const scope = nock(SANDBOX)
      .get(`${base}/badge_templates`)
      .query({ filter: 'state::active,draft|skills::SQL,Python|reporting_tags::credit-bearing|name::"Coding in SQL"', sort: 'name|-badges_count', page: '3' })
      .reply(200, { data: [{ id: 't1' }], metadata: meta(3, 3, 1) });
    const page = await client.badgeTemplates.list({
      filter: { state: ['active', 'draft'], skills: ['SQL', 'Python'], reporting_tags: ['credit-bearing'], name: '"Coding in SQL"' },
      sort: ['name', '-badges_count'],
      page: 3,
    });
    expect(page.data).toEqual([{ id: 't1', unknownFields: {} }]);
    expect(page.hasNextPage()).toBe(false);
    scope.done();
  });

  it('updates with PUT and validates the subset sent', async () => {
    const { client } = testClient();
    const scope = nock(SANDBOX).put(`${base}/badge_templates/${TEMPLATE_ID}`, { state: 'archived' }).reply(200, { data: { id: TEMPLATE_ID, state: 'archived' }, metadata: {} });
    expect((await client.badgeTemplates.update(TEMPLATE_ID, { state: 'archived' })).state).toBe('archived');
    scope.done();
    await expect(client.badgeTemplates.update(TEMPLATE_ID, { skills: ['one'] })).rejects.toThrow(/at least 3 skills/);
  });

  it('archives and unarchives with the dedicated calls, and fails when the state did not change', async () => {
    const { client } = testClient();
    nock(SANDBOX)
      .put(`${base}/badge_templates/${TEMPLATE_ID}/archive`)
      .reply(200, { data: { id: TEMPLATE_ID, state: 'archived' }, metadata: {} })
      // A body without a template: the state is read back.
      .put(`${base}/badge_templates/${TEMPLATE_ID}/unarchive`)
      .reply(200, '')
      .get(`${base}/badge_templates/${TEMPLATE_ID}`)
      .reply(200, { data: { id: TEMPLATE_ID, state: 'active' }, metadata: {} })
      // A server that answers 200 and changes nothing.
      .put(`${base}/badge_templates/${TEMPLATE_ID}/archive`)
      .reply(200, { data: { id: TEMPLATE_ID, state: 'active' }, metadata: {} });
    expect((await client.badgeTemplates.archive(TEMPLATE_ID)).state).toBe('archived');
    expect((await client.badgeTemplates.unarchive(TEMPLATE_ID)).state).toBe('active');
    await expect(client.badgeTemplates.archive(TEMPLATE_ID)).rejects.toThrow(`PUT /organizations/${ORG}/badge_templates/${TEMPLATE_ID}/archive: Credly answered, but template ${TEMPLATE_ID} is "active", not "archived"`);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('reads a created template back from Location when the 201 has no body', async () => {
    const { client } = testClient();
    nock(SANDBOX)
      .post(`${base}/badge_templates`)
      .reply(201, '', { Location: `https://sandbox-api.credly.com/v1/organizations/${ORG}/badge_templates/t-new` })
      .get(`${base}/badge_templates/t-new`)
      .reply(200, { data: { id: 't-new', name: 'New' }, metadata: {} });
    const created = await client.badgeTemplates.create({
      name: 'New',
      description: 'A new template',
      image: { remote_upload_url: 'https://images.example.edu/a.png' },
      skills: ['A', 'B', 'C'],
      global_activity_url: 'https://www.example.edu/a',
      badge_template_activities: [{ activity_type: 'Badge', required_badge_template_id: TEMPLATE_ID }],
    });
    expect(created.id).toBe('t-new');
  });

  it('refuses a template without the documented required fields', async () => {
    const { client } = testClient();
    const error = (await client.badgeTemplates.create({ name: 'x' } as any).catch((e: unknown) => e)) as CredlyValidationError;
    expect(error).toBeInstanceOf(CredlyValidationError);
    expect(error.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['image', 'skills', 'global_activity_url', 'badge_template_activities']));
  });
});

describe('pagination', () => {
  it('iterates every page by number, keeping the filter', async () => {
    const { client } = testClient();
    for (let page = 1; page <= 3; page += 1) {
      nock(SANDBOX)
        .get(`${base}/badges`)
        .query({ filter: 'state::accepted', page: String(page) })
        .reply(200, { data: Array.from({ length: page < 3 ? 50 : 7 }, (_, i) => ({ id: `b${page}-${i}` })), metadata: { ...meta(page, 3, 50), next_page_url: 'https://evil.example.com/steal' } });
    }
    const ids: string[] = [];
    for await (const badge of client.badges.list({ filter: { state: 'accepted' } })) ids.push(badge.id);
    expect(ids).toHaveLength(107);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('follows the next_page_url reading when total_pages is missing, and stops on an empty page', async () => {
    const { client } = testClient();
    nock(SANDBOX)
      .get(`${base}/events`)
      .query({ page: '1' })
      .reply(200, { data: [{ id: 'e1', event_type: 'badge.created' }], metadata: { next_page_url: 'x' } })
      .get(`${base}/events`)
      .query({ page: '2' })
      .reply(200, { data: [], metadata: { next_page_url: 'y' } });
    const pages = [];
    for await (const page of client.events.list().iteratePages()) pages.push(page.data.length);
    expect(pages).toEqual([1, 0]);
  });

  it('follows a next_page_url on the API\'s own host (another path, the filter dropped) and keeps the filter', async () => {
    const { client } = testClient({ baseUrl: 'https://api.credly.com/v1' });
    const prod = `/api/v1/organizations/${ORG}/badge_templates`;
    const scope = nock('https://api.credly.com')
      .get(`/v1/organizations/${ORG}/badge_templates`)
      .query({ filter: 'state::active', page: '1' })
      .reply(200, { data: Array.from({ length: 50 }, (_, i) => ({ id: `t${i}` })), metadata: { ...meta(1, 2, 50), next_page_url: `https://api.credly.com${prod}?page=2` } })
      .get(prod)
      .query({ filter: 'state::active', page: '2' })
      .reply(200, { data: [{ id: 'last' }], metadata: { ...meta(2, 2, 1), next_page_url: null } });
    expect(await client.badgeTemplates.list({ filter: { state: 'active' } }).collect({ max: 100 })).toHaveLength(51);
    scope.done();
  });

  it('stops with an error on a next_page_url that repeats', async () => {
    const { client } = testClient({ baseUrl: 'https://api.credly.com/v1' });
    const again = `https://api.credly.com/api/v1/organizations/${ORG}/badges?page=2`;
    nock('https://api.credly.com')
      .get(`/v1/organizations/${ORG}/badges`).query({ page: '1' }).reply(200, { data: [{ id: 'a' }], metadata: { next_page_url: again } })
      .get(`/api/v1/organizations/${ORG}/badges`).query({ page: '2' }).times(2).reply(200, { data: [{ id: 'b' }], metadata: { next_page_url: again } });
    const ids: string[] = [];
    const error = await (async () => {
      for await (const badge of client.badges.list()) ids.push(badge.id);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredlyValidationError);
    expect((error as Error).message).toMatch(/metadata\.next_page_url: points at a page already read \(\/api\/v1\/organizations\/.*\/badges\?page=2\); stopping instead of looping/);
    expect(ids).toEqual(['a', 'b']);
  });

  it('collects up to a cap and requires one', async () => {
    const { client } = testClient();
    nock(SANDBOX).get(`${base}/badges`).query({ page: '1' }).reply(200, { data: Array.from({ length: 50 }, (_, i) => ({ id: `b${i}` })), metadata: meta(1, 2, 50) });
    expect(await client.badges.list().collect({ max: 10 })).toHaveLength(10);
    await expect(client.badges.list().collect({} as any)).rejects.toThrow(/collect\(\{ max \}\) needs a whole-number cap/);
  });

  it('fetches nothing until awaited or iterated', () => {
    const { client } = testClient();
    client.badges.list();
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('getNextPage refuses when there is none', async () => {
    const { client } = testClient();
    nock(SANDBOX).get(`${base}/badges`).query({ page: '1' }).reply(200, { data: [{ id: 'b' }], metadata: meta(1, 1, 1) });
    const page = await client.badges.list();
    await expect(page.getNextPage()).rejects.toThrow(/no next page/);
  });
});

describe('findExisting', () => {
  it('falls back to the email and checks results itself', async () => {
    const { client } = testClient();
    nock(SANDBOX)
      .get(`${base}/badges`)
      .query({ filter: `issuer_earner_id::B1|badge_template_id::${TEMPLATE_ID}`, page: '1' })
      // Credly ignoring a filter key would return other learners' badges: none may match.
      .reply(200, { data: [{ id: 'other', issuer_earner_id: 'B2', recipient_email: 'x@example.edu', badge_template: { id: TEMPLATE_ID } }], metadata: meta(1, 1, 1) })
      .get(`${base}/badges`)
      .query({ filter: `recipient_email::priya@example.edu|badge_template_id::${TEMPLATE_ID}`, page: '1' })
      .reply(200, {
        data: [
          { id: 'revoked', recipient_email: 'Priya@Example.edu', state: 'revoked', badge_template: { id: TEMPLATE_ID } },
          { id: 'wrong-template', recipient_email: 'priya@example.edu', state: 'pending', badge_template: { id: 'other' } },
          { id: 'mine', recipient_email: 'priya@example.edu', state: 'accepted', badge_template: { id: TEMPLATE_ID } },
        ],
        metadata: meta(1, 1, 3),
      });
    expect((await client.badges.findExisting(TEMPLATE_ID, { issuerEarnerId: 'B1', email: 'Priya@example.edu' }))?.id).toBe('mine');
  });

  it('looks across every email of the account last, and trusts it only for one Credly user', async () => {
    const { client } = testClient();
    const empty = { data: [], metadata: meta(1, 1, 0) };
    const byAll = (data: unknown[]) => nock(SANDBOX)
      .get(`${base}/badges`).query({ filter: `issuer_earner_id::B1|badge_template_id::${TEMPLATE_ID}`, page: '1' }).reply(200, empty)
      .get(`${base}/badges`).query({ filter: `recipient_email::priya@example.edu|badge_template_id::${TEMPLATE_ID}`, page: '1' }).reply(200, empty)
      .get(`${base}/badges`).query({ filter: `recipient_email_all::priya@example.edu|badge_template_id::${TEMPLATE_ID}`, page: '1' }).reply(200, { data, metadata: meta(1, 1, data.length) });
    byAll([{ id: 'other-email', recipient_email: 'priya@gmail.example.com', state: 'pending', user: { id: 'u1' }, badge_template: { id: TEMPLATE_ID } }]);
    expect((await client.badges.findExisting(TEMPLATE_ID, { issuerEarnerId: 'B1', email: 'priya@example.edu' }))?.id).toBe('other-email');
    // Credly ignoring recipient_email_all would return every earner of the template: not a match.
    byAll([
      { id: 'a', recipient_email: 'a@example.edu', user: { id: 'u1' }, badge_template: { id: TEMPLATE_ID } },
      { id: 'b', recipient_email: 'b@example.edu', user: { id: 'u2' }, badge_template: { id: TEMPLATE_ID } },
    ]);
    expect(await client.badges.findExisting(TEMPLATE_ID, { issuerEarnerId: 'B1', email: 'priya@example.edu' })).toBeNull();
    // Without a user id there is nothing to tell one user from several.
    byAll([{ id: 'c', recipient_email: 'c@example.edu', user: null, badge_template: { id: TEMPLATE_ID } }]);
    expect(await client.badges.findExisting(TEMPLATE_ID, { issuerEarnerId: 'B1', email: 'priya@example.edu' })).toBeNull();
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('returns null when nothing matches and needs a key', async () => {
    const { client } = testClient();
    nock(SANDBOX).get(`${base}/badges`).query(true).reply(200, { data: [], metadata: meta(1, 1, 0) });
    expect(await client.badges.findExisting(TEMPLATE_ID, { issuerEarnerId: 'B9' })).toBeNull();
    await expect(client.badges.findExisting(TEMPLATE_ID, {})).rejects.toThrow(/needs issuerEarnerId or email/);
  });
});

describe('filters, sort and dates', () => {
  it('builds filters and skips empty values', () => {
    expect(buildFilter({ a: 'x', b: undefined, c: null, d: ['1', 2], e: true })).toBe('a::x|d::1,2|e::true');
    expect(buildFilter({})).toBeUndefined();
    expect(() => buildFilter({ query: 'a|b' })).toThrow(/cannot carry/);
    expect(() => buildFilter({ query: 'a::b' })).toThrow(CredlyValidationError);
  });

  it('builds sorts and refuses odd keys', () => {
    expect(buildSort(['name', '-issued_at'])).toBe('name|-issued_at');
    expect(() => buildSort('name; drop')).toThrow(/not a sort key/);
  });

  it('formats dates in UTC with an offset and recognises offsets', () => {
    expect(formatCredlyDate(new Date('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02 03:04:05 +0000');
    expect(() => formatCredlyDate(new Date('nope'))).toThrow(RangeError);
    for (const ok of ['2026-05-20T17:00:00-04:00', '2026-05-20T17:00:00Z', '2026-05-20T17:00:00.123+0530', '2014-04-01 09:41:00 -0500']) expect(hasExplicitOffset(ok), ok).toBe(true);
    for (const bad of ['2026-05-20T17:00:00', '2026-05-20', '2014-04-01 09:41:00', 'tomorrow']) expect(hasExplicitOffset(bad), bad).toBe(false);
  });
});

describe('badges.issueReturningId', () => {
  const issueBody = {
    badge_template_id: TEMPLATE_ID,
    recipient_email: 'learner1@example.edu',
    issued_to_first_name: 'Ada',
    issued_to_last_name: 'Lovelace',
    issued_at: '2026-05-20T17:00:00-04:00',
  };
  // An answer whose embedded template does not match its schema (a number for a name).
  const answer = (data: Record<string, unknown>) => ({ data: { state: 'pending', badge_template: { id: TEMPLATE_ID, name: 42 }, ...data }, metadata: {} });

  it('sends the validated request and returns the id, without reading the rest of the answer', async () => {
    const { client, logs } = testClient();
    const scope = nock(SANDBOX).post(`${base}/badges`, issueBody).reply(201, answer({ id: 'b-1' }));
    expect(await client.badges.issueReturningId(issueBody)).toBe('b-1');
    scope.done();
    // `issue` would have warned about the template's name; this call never looked at it.
    expect(logs.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('refuses a request that does not validate, before sending anything', async () => {
    const { client } = testClient();
    const error = (await client.badges.issueReturningId({ ...issueBody, recipient_email: 'not an email' }).catch((e: unknown) => e)) as CredlyValidationError;
    expect(error).toBeInstanceOf(CredlyValidationError);
    expect(error.direction).toBe('request');
  });

  it.each([
    ['no id', answer({})],
    ['an empty id', answer({ id: ' ' })],
    ['a numeric id', answer({ id: 7 })],
    ['a body that is not JSON', 'Created'],
  ])('throws a response CredlyValidationError on a 2xx with %s, in every mode (the badge may exist)', async (_what, body) => {
    for (const validateResponses of ['off', 'warn', 'strict'] as const) {
      const { client } = testClient({ validateResponses });
      nock(SANDBOX).post(`${base}/badges`).reply(201, body);
      const error = (await client.badges.issueReturningId(issueBody).catch((e: unknown) => e)) as CredlyValidationError;
      expect(error).toBeInstanceOf(CredlyValidationError);
      expect(error.direction).toBe('response');
      expect(error.message).toContain(`POST /organizations/${ORG}/badges`);
    }
  });

  it('validates the whole answer in strict mode', async () => {
    const { client } = testClient({ validateResponses: 'strict' });
    nock(SANDBOX).post(`${base}/badges`).reply(201, answer({ id: 'b-1' }));
    const error = (await client.badges.issueReturningId(issueBody).catch((e: unknown) => e)) as CredlyValidationError;
    expect(error).toBeInstanceOf(CredlyValidationError);
    expect(error.issues.map((i) => i.path)).toContain('data.badge_template');
  });
});
