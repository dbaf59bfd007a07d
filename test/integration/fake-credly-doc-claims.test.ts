// Claims of docs/testing.md about the fake Credly that no other test asserted.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CredlyConnectionError, CredlyTimeoutError, CredlyValidationError, InternalServerError, RateLimitError } from '../../src/index.js';
import { FAKE_OAUTH_CLIENT, FAKE_READ_ONLY_TOKEN, FAKE_TOKEN, FAULT_KINDS, startFakeCredly, type FakeCredly } from '../../src/testing/index.js';
import { apiRoutes } from '../../src/testing/fake-credly/api-routes.js';
import { FakeClock } from '../../src/testing/fake-credly/clock.js';
import { seededRandom } from '../../src/testing/fake-credly/random.js';
import { FakeStore } from '../../src/testing/fake-credly/store.js';
import { fakeWithClient, issueParams } from '../helpers/fake.js';

const doc = readFileSync(new URL('../../docs/testing.md', import.meta.url), 'utf8');
const DAY = 24 * 3600 * 1000;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function withClient(...args: Parameters<typeof fakeWithClient>) {
  const ctx = await fakeWithClient(...args);
  cleanups.push(ctx.close);
  return ctx;
}

const json = async (fake: FakeCredly, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${fake.url}${path}`, { method, headers: { 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as any };
};

describe('defaults of startFakeCredly', () => {
  it('listens on a free port of 127.0.0.1 and accepts the documented token, read-only token and OAuth client', async () => {
    const { fake } = await withClient();
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new URL(fake.url).port).not.toBe('0');
    expect([FAKE_TOKEN, FAKE_READ_ONLY_TOKEN, fake.token]).toEqual(['fake-credly-token', 'fake-credly-read-only-token', 'fake-credly-token']);
    expect(FAKE_OAUTH_CLIENT).toMatchObject({ clientId: 'fake-credly-client', clientSecret: 'fake-credly-secret' });
    expect(fake.clientConfig()).toEqual({ credentials: { organizationId: fake.organizationId, authToken: 'fake-credly-token' }, options: { baseUrl: `${fake.url}/v1` } });
  });

  it('shows tokens expiring 180 days after start unless expiresAt says otherwise', async () => {
    const start = Date.UTC(2026, 4, 20);
    const { fake } = await withClient({ clock: () => start });
    const res = await fetch(`${fake.baseUrl}/organizations/${fake.organizationId}/authorization_tokens`, {
      headers: { Authorization: `Basic ${Buffer.from(`${fake.token}:`).toString('base64')}` },
    });
    const tokens = ((await res.json()) as { data: Array<{ expires_at?: string }> }).data;
    expect(tokens.map((t) => t.expires_at)).toEqual([new Date(start + 180 * DAY).toISOString(), new Date(start + 180 * DAY).toISOString()]);
  });

  it('rateLimit windows default to 1000 ms', async () => {
    let now = 5_000_000;
    const { client } = await withClient({ rateLimit: { requests: 1 }, clock: () => now }, { maxRetries: 0 });
    await client.organizations.get();
    now += 999;
    await expect(client.organizations.get()).rejects.toBeInstanceOf(RateLimitError);
    now += 1;
    await client.organizations.get();
  });

  it('webhooks: first retry after 1000 ms by default, and at most 10 attempts', async () => {
    const attempts: number[] = [];
    const receiver: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        attempts.push(performance.now());
        res.writeHead(500).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => receiver.close(() => r())));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/credly`;

    const slow = await startFakeCredly();
    cleanups.push(() => slow.stop());
    slow.setWebhookUrl(url);
    slow.createTemplate({ name: 'Hooked' });
    await new Promise((r) => setTimeout(r, 400));
    expect(attempts).toHaveLength(1); // the retry waits 1000 ms

    attempts.length = 0;
    const fast = await startFakeCredly({ webhooks: { retryBaseMs: 1 } });
    cleanups.push(() => fast.stop());
    fast.setWebhookUrl(url);
    fast.createTemplate({ name: 'Hooked' });
    await fast.webhooksIdle();
    expect(fast.webhookDeliveries().map((d) => d.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(attempts).toHaveLength(10);
  });
});

describe('random fault rates (faults option, setFaults)', () => {
  it('resetBeforeRate resets before the change; the other four act after it', async () => {
    const { fake, client } = await withClient({}, { maxRetries: 0 });
    const templateId = String(fake.createTemplate({ name: 'Coding in SQL' }).id);
    const cases = [
      [{ resetBeforeRate: 1 }, CredlyConnectionError, 0, 'reset-before'],
      [{ resetAfterCommitRate: 1 }, CredlyConnectionError, 1, 'reset-after-commit'],
      [{ slowRate: 1, slowMs: 500 }, CredlyTimeoutError, 1, 'slow'],
      [{ malformedJsonRate: 1 }, CredlyValidationError, 1, 'malformed-json'],
      [{ htmlErrorRate: 1 }, InternalServerError, 1, 'html-error'],
    ] as const;
    let n = 0;
    for (const [rates, type, badges, kind] of cases) {
      n += 1;
      fake.setFaults(rates);
      const error = await client.badges.issue(issueParams(templateId, n), { timeoutMs: 100 }).catch((e: unknown) => e);
      expect(error, kind).toBeInstanceOf(type);
      if (kind === 'reset-before' || kind === 'reset-after-commit') expect(error).not.toBeInstanceOf(CredlyTimeoutError);
      if (kind === 'html-error') expect((error as InternalServerError).status).toBe(502);
      expect(fake.badgesFor(templateId, `learner${n}@example.edu`), kind).toHaveLength(badges);
      expect(fake.stats().faults[kind], kind).toBe(1);
    }
    fake.clearFaults();
    await client.badges.issue(issueParams(templateId, 99));
  });
});

describe('reset()', () => {
  it('clears targeted faults, setFaults rates and counts', async () => {
    const { fake, client } = await withClient({ rateLimit: { requests: 1, windowMs: 60_000 } }, { maxRetries: 0 });
    await client.organizations.get();
    await expect(client.organizations.get()).rejects.toBeInstanceOf(RateLimitError);
    fake.injectFault({ route: 'GET /organizations/:org', kind: 'error-5xx', count: 5 });
    fake.setFaults({ errorRate: 1 });
    fake.reset();
    expect(fake.stats()).toEqual({ requests: {}, faults: {}, rateLimited: 0, badges: 0, duplicates: 0, templates: 0, events: 0 });
    fake.advanceClock(60_000); // a new rate-limit window: only the faults could refuse now
    await client.organizations.get();
    expect(fake.stats().faults).toEqual({});
  });
});

describe('reset() with a faults option', () => {
  it('goes back to the rates the fake started with', async () => {
    const { fake, client } = await withClient({ faults: { errorRate: 1 } }, { maxRetries: 0 });
    fake.setFaults({});
    await client.organizations.get();
    fake.reset();
    await expect(client.organizations.get()).rejects.toBeInstanceOf(InternalServerError);
  });
});

describe('inspection and control over HTTP (/__fake/)', () => {
  it('creates a template, issues outside any ledger, rejects for the earner, clears faults and lists webhook deliveries', async () => {
    const { fake, client } = await withClient({ webhooks: { retryBaseMs: 1, maxAttempts: 1 } }, { maxRetries: 0 });
    const created = await json(fake, 'POST', '/__fake/badge_templates', { name: 'Data Literacy' });
    expect(created.status).toBe(201);
    const templateId = String(created.body.data.id);
    expect((await client.badgeTemplates.get(templateId)).state).toBe('active');

    const issued = await json(fake, 'POST', '/__fake/badges', issueParams(templateId, 1));
    expect(issued.status).toBe(201);
    expect(issued.body.data).toMatchObject({ state: 'pending', recipient_email: 'learner1@example.edu' });
    expect(fake.stats().requests['POST /badges']).toBeUndefined(); // not counted as an API request
    expect((await json(fake, 'POST', `/__fake/badges/${issued.body.data.id}/reject`)).status).toBe(200);
    expect((await client.badges.get(String(issued.body.data.id))).state).toBe('rejected');

    expect((await json(fake, 'POST', '/__fake/faults', { route: 'GET /badge_templates/:id', kind: 'error-5xx', count: 3 })).status).toBe(200);
    expect((await json(fake, 'DELETE', '/__fake/faults')).status).toBe(200);
    await client.badgeTemplates.get(templateId);

    fake.setWebhookUrl('http://127.0.0.1:9/nobody-listens');
    fake.createTemplate({ name: 'Hooked' });
    await fake.webhooksIdle();
    const hooks = await json(fake, 'GET', '/__fake/webhooks');
    expect(hooks.body.deliveries).toEqual(fake.webhookDeliveries());
    expect(hooks.body.deliveries).toEqual([expect.objectContaining({ attempt: 1, delivered: false, url: 'http://127.0.0.1:9/nobody-listens' })]);
  });
});

describe('the lists docs/testing.md gives', () => {
  const section = (from: string, to: string) => doc.slice(doc.indexOf(from), doc.indexOf(to, doc.indexOf(from)));

  it('names every fault kind, and only those', () => {
    const kinds = [...section('Kinds:', 'Route names').matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1]).filter((k) => k !== 'delayMs');
    expect(kinds.sort()).toEqual([...FAULT_KINDS].sort());
  });

  it('names routes the fake has', () => {
    const names = apiRoutes(new FakeStore(seededRandom(1), new FakeClock()), { api: '', web: '' }).map((r) => r.name);
    const documented = [...section('Route names are', '### Inspection').matchAll(/`((?:GET|POST|PUT|DELETE) [^`]+)`/g)].map((m) => m[1]);
    expect(documented.length).toBeGreaterThan(10);
    for (const route of documented) expect(names, route).toContain(route);
  });
});
