import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  BadgeAlreadyIssuedError,
  CredlyClient,
  CredlyConnectionError,
  CredlyTimeoutError,
  CredlyValidationError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from '../../src/index.js';
import { FAKE_READ_ONLY_TOKEN, startFakeCredly, type FakeCredly } from '../../src/testing/index.js';
import { fakeWithClient, issueParams } from '../helpers/fake.js';

let ctx: Awaited<ReturnType<typeof fakeWithClient>>;
let templateId: string;

beforeEach(async () => {
  ctx = await fakeWithClient();
  templateId = String(ctx.fake.createTemplate({ name: 'Coding in SQL' }).id);
});
afterEach(async () => {
  await ctx.close();
});

const raw = (fake: FakeCredly, path: string, init: RequestInit = {}) =>
  fetch(`${fake.url}${path}`, {
    ...init,
    headers: { 'Content-Type': 'application/json', Authorization: `Basic ${Buffer.from(`${fake.token}:`).toString('base64')}`, ...(init.headers ?? {}) },
  });

describe('auth', () => {
  it('answers 401 to a wrong token and to none', async () => {
    const client = new CredlyClient({ organizationId: ctx.fake.organizationId, authToken: 'wrong' }, { baseUrl: ctx.fake.baseUrl, maxRetries: 0 });
    await expect(client.organizations.get()).rejects.toBeInstanceOf(AuthenticationError);
    const res = await fetch(`${ctx.fake.baseUrl}/organizations/${ctx.fake.organizationId}`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ data: { message: expect.stringMatching(/Unauthorized/) } });
    client.close();
  });

  it('answers 403 when a read-only token writes, and lets it read', async () => {
    const client = new CredlyClient({ organizationId: ctx.fake.organizationId, authToken: FAKE_READ_ONLY_TOKEN }, { baseUrl: ctx.fake.baseUrl });
    expect((await client.badgeTemplates.list()).data).toHaveLength(1);
    await expect(client.badges.issue(issueParams(templateId, 1))).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(ctx.fake.badges()).toHaveLength(0);
    client.close();
  });

  it('answers 403 for another organization', async () => {
    const res = await raw(ctx.fake, '/v1/organizations/someone-else/badges');
    expect(res.status).toBe(403);
  });

  it('issues OAuth tokens and accepts them as Bearer', async () => {
    const client = new CredlyClient({ organizationId: ctx.fake.organizationId, oauth: ctx.fake.oauth }, { baseUrl: ctx.fake.baseUrl });
    expect((await client.organizations.get()).id).toBe(ctx.fake.organizationId);
    const bad = new CredlyClient({ organizationId: ctx.fake.organizationId, oauth: { clientId: 'x', clientSecret: 'y' } }, { baseUrl: ctx.fake.baseUrl });
    await expect(bad.organizations.get()).rejects.toBeInstanceOf(AuthenticationError);
    expect(ctx.fake.stats().requests['POST /oauth/token']).toBe(2);
    client.close();
    bad.close();
  });

  it('expires OAuth tokens on its clock', async () => {
    const client = new CredlyClient({ organizationId: ctx.fake.organizationId, oauth: ctx.fake.oauth }, { baseUrl: ctx.fake.baseUrl });
    await client.organizations.get();
    ctx.fake.advanceClock(8000 * 1000);
    // The client's own clock has not moved: it meets the 401, refreshes once and goes on.
    await client.organizations.get();
    expect(ctx.fake.stats().requests['POST /oauth/token']).toBe(2);
    client.close();
  });
});

describe('envelope and pagination', () => {
  it('pages 50 items with the documented metadata', async () => {
    for (let i = 0; i < 120; i += 1) ctx.fake.createTemplate({ name: `Template ${String(i).padStart(3, '0')}` });
    const res = await raw(ctx.fake, `/v1/organizations/${ctx.fake.organizationId}/badge_templates?page=2&sort=name`);
    const body = (await res.json()) as any;
    expect(body.data).toHaveLength(50);
    expect(body.metadata).toMatchObject({ count: 50, current_page: 2, total_count: 121, total_pages: 3, per: 50 });
    expect(body.metadata.previous_page_url).toMatch(/page=1/);
    expect(body.metadata.next_page_url).toMatch(/page=3/);
    const names: string[] = [];
    for await (const t of ctx.client.badgeTemplates.list({ sort: 'name' })) names.push(t.name!);
    expect(names).toHaveLength(121);
    expect(names.slice(0, 2)).toEqual(['Coding in SQL', 'Template 000']);
  });

  it('filters templates by state, name, query and skills', async () => {
    const draft = ctx.fake.createTemplate({ name: 'Draft One', state: 'draft', skills: ['Python', 'GIS', 'Maps'] });
    expect((await ctx.client.badgeTemplates.list({ filter: { state: 'draft' } })).data.map((t) => t.id)).toEqual([draft.id]);
    expect((await ctx.client.badgeTemplates.list({ filter: { state: ['draft', 'active'] } })).data).toHaveLength(2);
    expect((await ctx.client.badgeTemplates.list({ filter: { name: '"coding in sql"' } })).data.map((t) => t.id)).toEqual([templateId]);
    expect((await ctx.client.badgeTemplates.list({ filter: { name: '"coding"' } })).data).toEqual([]);
    expect((await ctx.client.badgeTemplates.list({ filter: { query: 'draft' } })).data).toHaveLength(1);
    expect((await ctx.client.badgeTemplates.list({ filter: { skills: ['gis'] } })).data.map((t) => t.id)).toEqual([draft.id]);
  });

  it('filters and sorts badges', async () => {
    for (let n = 1; n <= 3; n += 1) await ctx.client.badges.issue(issueParams(templateId, n, { issued_at: `2026-03-0${n}T09:00:00-05:00` }));
    const latest = await ctx.client.badges.list({ sort: '-issued_at' });
    expect(latest.data.map((b) => b.recipient_email)).toEqual(['learner3@example.edu', 'learner2@example.edu', 'learner1@example.edu']);
    expect((await ctx.client.badges.list({ filter: { issuer_earner_id: 'S100002' } })).data).toHaveLength(1);
    expect((await ctx.client.badges.list({ filter: { recipient_email: 'LEARNER3@example.edu' } })).data).toHaveLength(1);
    expect((await ctx.client.badges.list({ filter: { state: 'accepted' } })).data).toHaveLength(0);
  });
});

describe('badge templates', () => {
  it('creates with a Location header and refuses missing required fields', async () => {
    const res = await raw(ctx.fake, `/v1/organizations/${ctx.fake.organizationId}/badge_templates`, {
      method: 'POST',
      body: JSON.stringify({ name: 'x', description: 'y', image: { remote_upload_url: 'https://i.example.com/a.png' }, skills: ['a', 'b', 'c'], global_activity_url: 'https://e.example.edu', badge_template_activities: [{ activity_type: 'Course', title: 't' }] }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as any;
    expect(res.headers.get('location')).toBe(`${ctx.fake.baseUrl}/organizations/${ctx.fake.organizationId}/badge_templates/${body.data.id}`);
    expect(body.data.state).toBe('draft');
    const bad = await raw(ctx.fake, `/v1/organizations/${ctx.fake.organizationId}/badge_templates`, { method: 'POST', body: JSON.stringify({ name: 'x' }) });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as any).data.message).toMatch(/Missing required fields: description, image, skills, global_activity_url, badge_template_activities/);
  });

  it('updates, archives, and a 404 for an unknown one', async () => {
    const core = { name: 'Coding in SQL', description: 'New words', skills: ['SQL', 'Databases', 'Queries'] };
    // By default a plain PUT ignores `state`, and needs name, description and skills.
    const updated = await ctx.client.badgeTemplates.update(templateId, { ...core, state: 'archived' });
    expect(updated).toMatchObject({ description: 'New words', state: 'active' });
    await expect(ctx.client.badgeTemplates.update(templateId, { description: 'Only this' })).rejects.toThrow(/422 .*Missing required fields: name, skills/);
    expect((await ctx.client.badgeTemplates.archive(templateId)).state).toBe('archived');
    expect((await ctx.client.badgeTemplates.unarchive(templateId)).state).toBe('active');
    await expect(ctx.client.badgeTemplates.unarchive(templateId)).rejects.toThrow(/422 .*Badge template is active, not archived/);
    await expect(ctx.client.badgeTemplates.get('nope')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('applies `state` in a plain PUT when told to (the other reading)', async () => {
    const other = await fakeWithClient({ fidelity: { templateStateInPut: 'applied' } });
    try {
      const t = String(other.fake.createTemplate({ name: 'T' }).id);
      const updated = await other.client.badgeTemplates.update(t, { name: 'T', description: 'd', skills: ['a', 'b', 'c'], state: 'archived' });
      expect(updated.state).toBe('archived');
    } finally {
      await other.close();
    }
  });
});

describe('issuing and the duplicate rule', () => {
  it('issues a pending badge', async () => {
    const badge = await ctx.client.badges.issue(issueParams(templateId, 1, { evidence: [{ type: 'UrlEvidence', name: 'Report', value: 'https://www.example.edu/e/1' }] }));
    expect(badge).toMatchObject({ state: 'pending', recipient_email: 'learner1@example.edu', issuer_earner_id: 'S100001', issued_at: '2026-03-02T14:00:00.000Z' });
    expect(badge.accept_badge_url).toMatch(/\/accept$/);
    expect(badge.evidence?.[0]).toMatchObject({ type: 'UrlEvidence', value: 'https://www.example.edu/e/1' });
    expect(badge.badge_template).toMatchObject({ id: templateId, name: 'Coding in SQL', badges_count: 1 });
  });

  it('refuses the same email or the same issuer_earner_id on one template', async () => {
    await ctx.client.badges.issue(issueParams(templateId, 1));
    await expect(ctx.client.badges.issue(issueParams(templateId, 1, { issuer_earner_id: 'OTHER' }))).rejects.toBeInstanceOf(BadgeAlreadyIssuedError);
    await expect(ctx.client.badges.issue(issueParams(templateId, 2, { issuer_earner_id: 'S100001' }))).rejects.toBeInstanceOf(BadgeAlreadyIssuedError);
    await expect(ctx.client.badges.issue(issueParams(templateId, 1, { recipient_email: 'LEARNER1@example.edu ' }))).rejects.toThrow('User already has this badge');
    const other = String(ctx.fake.createTemplate({ name: 'Other' }).id);
    await ctx.client.badges.issue(issueParams(other, 1));
    expect(ctx.fake.duplicateCount()).toBe(0);
    expect(ctx.fake.badgesFor(templateId, 'learner1@example.edu')).toHaveLength(1);
  });

  it('lets a template that allows duplicates issue twice, and counts the duplicate', async () => {
    const open = String(ctx.fake.createTemplate({ name: 'Open', allow_duplicate_badges: true }).id);
    await ctx.client.badges.issue(issueParams(open, 1));
    await ctx.client.badges.issue(issueParams(open, 1));
    expect(ctx.fake.badgesFor(open, 'learner1@example.edu')).toHaveLength(2);
    expect(ctx.fake.duplicateCount()).toBe(1);
  });

  it('refuses archived and draft templates, unknown templates, and missing fields', async () => {
    ctx.fake.archiveTemplate(templateId);
    await expect(ctx.client.badges.issue(issueParams(templateId, 1))).rejects.toThrow(/archived and cannot be used to issue badges/);
    const draft = String(ctx.fake.createTemplate({ state: 'draft' }).id);
    await expect(ctx.client.badges.issue(issueParams(draft, 1))).rejects.toThrow(/not active/);
    await expect(ctx.client.badges.issue(issueParams('no-such-template', 1))).rejects.toBeInstanceOf(UnprocessableEntityError);
    const res = await raw(ctx.fake, `/v1/organizations/${ctx.fake.organizationId}/badges`, { method: 'POST', body: JSON.stringify({ recipient_email: 'a@example.edu' }) });
    expect(((await res.json()) as any).data.message).toBe('Missing required fields: badge_template_id, issued_to_first_name, issued_to_last_name, issued_at');
    const noOffset = await raw(ctx.fake, `/v1/organizations/${ctx.fake.organizationId}/badges`, { method: 'POST', body: JSON.stringify({ ...issueParams(templateId, 1), issued_at: '2026-03-02 09:00:00' }) });
    expect(noOffset.status).toBe(422);
    expect(ctx.fake.badges()).toHaveLength(0);
  });

  it('batch issues all or nothing and names the failing item', async () => {
    await ctx.client.badges.issue(issueParams(templateId, 2));
    const error = (await ctx.client.badges.issueBatch({ badges: [issueParams(templateId, 1), issueParams(templateId, 2)] }).catch((e: unknown) => e)) as UnprocessableEntityError;
    expect(error).toBeInstanceOf(BadgeAlreadyIssuedError);
    expect(error.errorIndex).toBe(1);
    expect(ctx.fake.badges()).toHaveLength(1);
    const within = (await ctx.client.badges.issueBatch({ badges: [issueParams(templateId, 3), issueParams(templateId, 3)] }).catch((e: unknown) => e)) as UnprocessableEntityError;
    expect(within.errorIndex).toBe(1);
    const issued = await ctx.client.badges.issueBatch({ badges: [issueParams(templateId, 4), issueParams(templateId, 5)] });
    expect(issued.map((b) => b.recipient_email)).toEqual(['learner4@example.edu', 'learner5@example.edu']);
  });
});

describe('revoke, replace, delete, get', () => {
  it('follows the state rules', async () => {
    const badge = await ctx.client.badges.issue(issueParams(templateId, 1));
    expect((await ctx.client.badges.get(badge.id)).id).toBe(badge.id);
    await expect(ctx.client.badges.revoke(badge.id, { reason: '  ' })).rejects.toBeInstanceOf(CredlyValidationError);
    const replacement = await ctx.client.badges.replace(badge.id, { badge_template_id: templateId, issued_at: '2027-03-02T09:00:00-05:00', expires_at: false });
    expect(replacement).toMatchObject({ replaces_badge_id: badge.id, recipient_email: 'learner1@example.edu' });
    expect((await ctx.client.badges.get(badge.id)).replacement_badge_id).toBe(replacement.id);
    await expect(ctx.client.badges.revoke(badge.id, { reason: 'x' })).rejects.toThrow(/replaced cannot be revoked/);
    expect(ctx.fake.duplicateCount()).toBe(0);
    const revoked = await ctx.client.badges.revoke(replacement.id, { reason: 'Academic integrity finding', suppress_revoke_notification_email: true });
    expect(revoked).toMatchObject({ state: 'revoked', revocation_reason: 'Academic integrity finding' });
    await expect(ctx.client.badges.revoke(replacement.id, { reason: 'again' })).rejects.toThrow(/already revoked/);
    await expect(ctx.client.badges.replace(replacement.id, { badge_template_id: templateId, issued_at: '2027-03-02T09:00:00-05:00' })).rejects.toThrow(/revoked badge cannot be replaced/);
    // A revoked badge no longer blocks a new one.
    await ctx.client.badges.issue(issueParams(templateId, 1));
    await ctx.client.badges.delete(badge.id);
    await expect(ctx.client.badges.get(badge.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('accepts and rejects for the earner', async () => {
    const a = await ctx.client.badges.issue(issueParams(templateId, 1));
    const b = await ctx.client.badges.issue(issueParams(templateId, 2));
    ctx.fake.acceptBadge(a.id);
    ctx.fake.rejectBadge(b.id);
    expect((await ctx.client.badges.get(a.id))).toMatchObject({ state: 'accepted', accepted_at: expect.any(String) });
    expect((await ctx.client.badges.get(b.id)).state).toBe('rejected');
    expect(() => ctx.fake.acceptBadge(b.id)).toThrow(/rejected, not pending/);
  });
});

describe('high-volume search', () => {
  it('walks the cursor, whose URL drops the filter', async () => {
    for (let n = 1; n <= 120; n += 1) await ctx.client.badges.issue(issueParams(templateId, n));
    for (let n = 1; n <= 30; n += 1) ctx.fake.acceptBadge(ctx.fake.badges()[n - 1]!.id);
    const first = await ctx.client.badges.highVolumeSearch({ filter: { state: 'pending' } });
    expect(first.metadata).toEqual({ next_page_url: expect.not.stringContaining('filter') });
    const ids: string[] = [];
    for await (const badge of ctx.client.badges.highVolumeSearch({ filter: { state: 'pending' } })) {
      expect(badge.state).toBe('pending');
      ids.push(badge.id);
    }
    expect(new Set(ids).size).toBe(90);
  });
});

describe('events and webhooks', () => {
  it('records an event for every change, with the object embedded', async () => {
    const badge = await ctx.client.badges.issue(issueParams(templateId, 1));
    ctx.fake.acceptBadge(badge.id);
    await ctx.client.badges.revoke(badge.id, { reason: 'x' });
    ctx.fake.archiveTemplate(templateId);
    const events = await ctx.client.events.list().collect({ max: 100 });
    expect(events.map((e) => e.event_type)).toEqual(['badge_template.created', 'badge.created', 'badge.state.changed', 'badge.state.changed', 'badge_template.changed']);
    expect(events[2]?.badge?.state).toBe('accepted');
    expect(events[3]?.badge?.state).toBe('revoked');
    const fetched = await ctx.client.events.get(events[4]!.id);
    expect(fetched.badge_template?.state).toBe('archived');
    await expect(ctx.client.events.get('unknown')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('delivers thin events to the webhook URL and retries until it gets a 200', async () => {
    const received: Array<Record<string, unknown>> = [];
    let failuresLeft = 2;
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          res.writeHead(failuresLeft === 1 ? 500 : 204); // a 204 is a failure too
          return res.end();
        }
        received.push(JSON.parse(body));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const fake = await startFakeCredly({ webhooks: { retryBaseMs: 5 } });
    fake.setWebhookUrl(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/credly`);
    fake.createTemplate({ name: 'Hooked' });
    await fake.webhooksIdle();
    expect(received).toEqual([{ id: expect.any(String), organization_id: fake.organizationId, event_type: 'badge_template.created', occurred_at: expect.any(String) }]);
    expect(fake.webhookDeliveries().map((d) => [d.attempt, d.status, d.delivered])).toEqual([
      [1, 500, false],
      [2, 204, false],
      [3, 200, true],
    ]);
    await fake.stop();
    await new Promise((r) => receiver.close(r));
  });

  it('sets the webhook URL through PUT /organizations/{id}', async () => {
    const res = await raw(ctx.fake, `/v1/organizations/${ctx.fake.organizationId}`, { method: 'PUT', body: JSON.stringify({ webhook_url: 'http://127.0.0.1:9/hook' }) });
    expect(((await res.json()) as any).data.webhook_url).toBe('http://127.0.0.1:9/hook');
    expect((await ctx.client.organizations.get()).webhook_url).toBe('http://127.0.0.1:9/hook');
  });
});

describe('OBI', () => {
  it('serves assertions, badge classes and issuers without auth', async () => {
    const badge = await ctx.client.badges.issue(issueParams(templateId, 1));
    const assertion = await ctx.client.obi.badgeAssertion(badge.id);
    expect(assertion.recipient).toMatchObject({ type: 'email', hashed: true, identity: expect.stringMatching(/^sha256\$[0-9a-f]{64}$/) });
    expect((await ctx.client.obi.badgeClass(templateId)).tags).toEqual(['Skill A', 'Skill B', 'Skill C']);
    expect((await fetch(`${ctx.fake.baseUrl}/obi/v2/issuers/${ctx.fake.organizationId}`)).status).toBe(200);
  });
});

describe('fault injection', () => {
  it('targets a route and a count: the next 2 POST /badges get a 503, before taking effect', async () => {
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'error-5xx', status: 503, count: 2 });
    await ctx.client.organizations.get(); // other routes are untouched
    for (const n of [1, 2]) await expect(ctx.client.badges.issue(issueParams(templateId, n))).rejects.toBeInstanceOf(InternalServerError);
    await ctx.client.badges.issue(issueParams(templateId, 3));
    expect(ctx.fake.badges().map((b) => b.recipient_email)).toEqual(['learner3@example.edu']);
    expect(ctx.fake.stats().faults).toEqual({ 'error-5xx': 2 });
  });

  it('resets the connection before the request takes effect', async () => {
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'reset-before' });
    await expect(ctx.client.badges.issue(issueParams(templateId, 1))).rejects.toBeInstanceOf(CredlyConnectionError);
    expect(ctx.fake.badges()).toHaveLength(0);
  });

  it('resets the connection after the badge was created: the client never hears back', async () => {
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'reset-after-commit' });
    await expect(ctx.client.badges.issue(issueParams(templateId, 1))).rejects.toBeInstanceOf(CredlyConnectionError);
    expect(ctx.fake.badges()).toHaveLength(1);
    expect(await ctx.client.badges.findExisting(templateId, { issuerEarnerId: 'S100001' })).toMatchObject({ recipient_email: 'learner1@example.edu' });
  });

  it('answers slower than the client waits, after the change', async () => {
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'slow', delayMs: 2000 });
    await expect(ctx.client.badges.issue(issueParams(templateId, 1), { timeoutMs: 100 })).rejects.toBeInstanceOf(CredlyTimeoutError);
    expect(ctx.fake.badges()).toHaveLength(1);
  });

  it('sends malformed JSON and an HTML error page after the change', async () => {
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'malformed-json' });
    await expect(ctx.client.badges.issue(issueParams(templateId, 1))).rejects.toBeInstanceOf(CredlyValidationError);
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'html-error' });
    const error = await ctx.client.badges.issue(issueParams(templateId, 2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as Error).message).toMatch(/non-JSON body \(text\/html\): 502 Bad Gateway/);
    expect(ctx.fake.badges()).toHaveLength(2);
  });

  it('answers 429 with and without Retry-After', async () => {
    ctx.fake.injectFault({ route: 'GET /organizations/:org', kind: 'rate-limit', retryAfterSeconds: 2 });
    await ctx.client.organizations.get();
    expect(ctx.sleeps).toEqual([2000]);
    ctx.fake.injectFault({ route: 'GET /organizations/:org', kind: 'rate-limit', retryAfterSeconds: null });
    await ctx.client.organizations.get();
    // After a 429 the client spaces its requests (100 ms, learned), then backs off 500 ms on the next 429.
    expect(ctx.sleeps).toEqual([2000, 100, 500]);
  });

  it('draws random faults from a seed: the same seed, the same faults', async () => {
    const run = async () => {
      const { fake, client, close } = await fakeWithClient({ seed: 42, faults: { errorRate: 0.3 } }, { maxRetries: 0 });
      const t = String(fake.createTemplate({}).id);
      const outcomes: string[] = [];
      for (let n = 1; n <= 40; n += 1) outcomes.push(await client.badges.issue(issueParams(t, n)).then(() => 'ok', (e: Error) => e.name));
      await close();
      return outcomes;
    };
    const first = await run();
    expect(first.filter((o) => o === 'InternalServerError').length).toBeGreaterThan(4);
    expect(first.filter((o) => o === 'ok').length).toBeGreaterThan(20);
    expect(await run()).toEqual(first);
  });

  it('adds latency', async () => {
    const { fake, client, close } = await fakeWithClient({ latencyMs: 60 });
    const started = performance.now();
    await client.organizations.get();
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(fake.stats().requests['GET /organizations/:org']).toBe(1);
    await close();
  });

  it('adds it to refusals too (404, 401), as to answers, but not to its inspection routes or its OAuth token endpoint', async () => {
    const { fake, client, close } = await fakeWithClient({ latencyMs: 300 }, { maxRetries: 0 });
    let started = performance.now();
    expect(await client.badges.get('no-such-badge').catch((e: unknown) => e)).toBeInstanceOf(NotFoundError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    started = performance.now();
    const refused = await fetch(`${fake.baseUrl}/organizations/${fake.organizationId}`, { headers: { Authorization: `Basic ${Buffer.from('not-a-token:').toString('base64')}` } });
    expect(refused.status).toBe(401);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    started = performance.now();
    const inspected = await fetch(`${fake.url}/__fake/stats`);
    expect(inspected.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(150);
    started = performance.now();
    const token = await fetch(`${fake.url}/oauth/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', client_id: fake.oauth.clientId, client_secret: fake.oauth.clientSecret }) });
    expect(token.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(150);
    await close();
  });
});

describe('rate limit', () => {
  it('answers 429 past the limit in a window, with Retry-After', async () => {
    const { fake, client, close } = await fakeWithClient({ rateLimit: { requests: 3, windowMs: 60_000 } }, { maxRetries: 0 });
    for (let i = 0; i < 3; i += 1) await client.organizations.get();
    const error = (await client.organizations.get().catch((e: unknown) => e)) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(fake.stats().rateLimited).toBe(1);
    await close();
  });

  it('can leave Retry-After out', async () => {
    const { client, close } = await fakeWithClient({ rateLimit: { requests: 1, windowMs: 60_000, retryAfter: false } }, { maxRetries: 0 });
    await client.organizations.get();
    const error = (await client.organizations.get().catch((e: unknown) => e)) as RateLimitError;
    expect(error.retryAfterMs).toBeUndefined();
    await close();
  });

  it('opens a new window on the fake clock', async () => {
    let now = 1_000_000;
    const { client, close } = await fakeWithClient({ rateLimit: { requests: 1, windowMs: 1000 }, clock: () => now }, { maxRetries: 0 });
    await client.organizations.get();
    await expect(client.organizations.get()).rejects.toBeInstanceOf(RateLimitError);
    now += 1000;
    await client.organizations.get();
    await close();
  });
});

describe('inspection and control over HTTP (/__fake/)', () => {
  it('reports state and request counts, acts for the earner and resets', async () => {
    const badge = await ctx.client.badges.issue(issueParams(templateId, 1));
    const stats = (await (await fetch(`${ctx.fake.url}/__fake/stats`)).json()) as any;
    expect(stats).toMatchObject({ badges: 1, duplicates: 0, templates: 1, requests: { 'POST /badges': 1 } });
    expect((await fetch(`${ctx.fake.url}/__fake/badges/${badge.id}/accept`, { method: 'POST' })).status).toBe(200);
    const per = (await (await fetch(`${ctx.fake.url}/__fake/badges?template_id=${templateId}&email=learner1@example.edu`)).json()) as any;
    expect(per.badges.map((b: any) => b.state)).toEqual(['accepted']);
    await fetch(`${ctx.fake.url}/__fake/faults`, { method: 'POST', body: JSON.stringify({ route: 'GET /badges/:id', kind: 'error-5xx', status: 500 }) });
    await expect(ctx.client.badges.get(badge.id, { maxRetries: 0 })).rejects.toBeInstanceOf(InternalServerError);
    await fetch(`${ctx.fake.url}/__fake/badge_templates/${templateId}/archive`, { method: 'POST' });
    expect((await ctx.client.badgeTemplates.get(templateId)).state).toBe('archived');
    await fetch(`${ctx.fake.url}/__fake/clock/advance`, { method: 'POST', body: JSON.stringify({ ms: 86_400_000 }) });
    const state = (await (await fetch(`${ctx.fake.url}/__fake/state`)).json()) as any;
    expect(state).toMatchObject({ duplicates: 0, events: 4 });
    await fetch(`${ctx.fake.url}/__fake/reset`, { method: 'POST' });
    expect(ctx.fake.stats()).toMatchObject({ badges: 0, templates: 0, events: 0, requests: {} });
  });
});
