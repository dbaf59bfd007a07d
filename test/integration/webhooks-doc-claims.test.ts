import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createWebhookHandler,
  FileLedger,
  issueBadges,
  listen,
  MemoryLedger,
  typedEvent,
  type CredlyClient,
  type CredlyEvent,
  type Ledger,
  type WebhookEvent,
  type WebhookHandlerOptions,
} from '../../src/index.js';
import { runCli as runCliInProcess } from '../../src/cli/run.js';
import { captureStream, cleanEnv, mergedEnv } from '../helpers/cli.js';
import { TestClock } from '../helpers/clock.js';
import { allAwards, allEvents, csvRows, issuanceSetup, sqlRosterCsv } from '../helpers/issuance.js';

// docs/webhooks.md, claim by claim: what no other test asserts (test/integration/webhooks.test.ts
// and the examples cover the rest). Most tests here give the handler a stub client (no network):
// `events.get` answers what the API would.

const ORG = 'org-1';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An event as the events API returns it. */
const apiEvent = (id: string, fields: Partial<CredlyEvent> = {}): CredlyEvent =>
  ({ id, event_type: 'badge_template.created', organization_id: ORG, occurred_at: '2026-11-29T12:00:00.000Z', badge_template: { id: 'tpl-1', name: 'One', state: 'active' }, ...fields }) as unknown as CredlyEvent;

/** The notification Credly POSTs for an event. */
const notice = (event: Pick<CredlyEvent, 'id' | 'event_type'>, extra: Record<string, unknown> = {}) => ({ id: event.id, organization_id: ORG, event_type: event.event_type, occurred_at: '2026-11-29T12:00:00.000Z', ...extra });

/** A client whose events API knows the given events (and lists them, oldest first). */
function stubClient(events: CredlyEvent[]): CredlyClient & { gets: string[] } {
  const gets: string[] = [];
  return {
    organizationId: ORG,
    gets,
    events: {
      get: async (id: string) => {
        gets.push(id);
        const found = events.find((e) => e.id === id);
        if (!found) throw new Error(`stub: no event ${id}`);
        return found;
      },
    },
  } as unknown as CredlyClient & { gets: string[] };
}

/** A promise and the function that resolves it. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

async function until(check: () => Promise<boolean> | boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('docs/webhooks.md: the body', () => {
  it('handle() takes parsed JSON as well as a string or a Buffer; a parsed body is checked for shape (400) and size (413) too', async () => {
    const events = [apiEvent('e-parsed'), apiEvent('e-string'), apiEvent('e-buffer')];
    const seen: string[] = [];
    const handler = createWebhookHandler({ client: stubClient(events), ledger: new MemoryLedger(), ackAfterProcessing: true, onEvent: (e) => void seen.push(e.id) });
    const parsed = await handler.handle(notice(events[0]!));
    expect(parsed).toEqual({ status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ received: 'e-parsed' }) });
    expect((await handler.handle(JSON.stringify(notice(events[1]!)))).status).toBe(200);
    expect((await handler.handle(Buffer.from(JSON.stringify(notice(events[2]!))))).status).toBe(200);
    expect(seen).toEqual(['e-parsed', 'e-string', 'e-buffer']);
    expect((await handler.handle({ hello: 'world' })).status).toBe(400);
    expect((await handler.handle({ ...notice(apiEvent('e-big')), padding: 'x'.repeat(64 * 1024) })).status).toBe(413);
    expect(handler.stats()).toMatchObject({ processed: 3, rejected: 2 });
  });

  it('the size limit is 64 KiB by default: a body of exactly 65,536 bytes is read, one byte more is refused (413), by handle() and by handler.node', async () => {
    const handler = createWebhookHandler({ client: stubClient([]), ledger: new MemoryLedger() });
    // A notification padded to an exact size (an event the API does not know: answered 200, not processed).
    const body = (bytes: number) => {
      const base = JSON.stringify({ ...notice(apiEvent('e-unknown')), padding: '' });
      return base.replace('"padding":""', `"padding":"${'x'.repeat(bytes - Buffer.byteLength(base))}"`);
    };
    expect(Buffer.byteLength(body(65_536))).toBe(65_536);
    expect((await handler.handle(body(65_536))).status).toBe(200);
    expect((await handler.handle(body(65_537))).status).toBe(413);
    const server = await listen({ handler, port: 0 });
    cleanups.push(() => server.close());
    const post = (text: string) => fetch(server.url, { method: 'POST', body: text, headers: { 'Content-Type': 'application/json' } });
    expect((await post(body(65_536))).status).toBe(200);
    expect((await post(body(65_537))).status).toBe(413);
    await handler.idle();
  });
});

describe('docs/cli.md: the receiver server', () => {
  it('GET /healthz answers 200; other paths 404; the webhook path takes only POST', async () => {
    const handler = createWebhookHandler({ client: stubClient([]), ledger: new MemoryLedger() });
    const server = await listen({ handler, port: 0 });
    cleanups.push(() => server.close());
    const origin = new URL(server.url).origin;
    const health = await fetch(`${origin}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok');
    expect((await fetch(`${origin}/elsewhere`)).status).toBe(404);
    expect((await fetch(server.url)).status).toBe(405);
  });
});

describe('docs/webhooks.md: answering and verifying', () => {
  it('answers 200 at once and processes afterwards: the event is "received" while onEvent runs, "processed" after', async () => {
    const event = apiEvent('e-slow');
    const ledger = new MemoryLedger();
    const release = gate();
    const started = gate();
    let finished = false;
    const handler = createWebhookHandler({
      client: stubClient([event]),
      ledger,
      onEvent: async () => {
        started.open();
        await release.wait;
        finished = true;
      },
    });
    // The answer comes before onEvent starts (it would never come if it waited for the work).
    const response = await Promise.race([handler.handle(JSON.stringify(notice(event))), started.wait.then(() => 'onEvent started before the answer')]);
    expect(response).toMatchObject({ status: 200 });
    await started.wait;
    expect(finished).toBe(false);
    expect((await ledger.getEvent(event.id))?.state).toBe('received');
    release.open();
    await handler.idle();
    expect(finished).toBe(true);
    expect((await ledger.getEvent(event.id))?.state).toBe('processed');
  });

  it('ackAfterProcessing: true answers only once onEvent is done and the event is recorded processed', async () => {
    const event = apiEvent('e-ack');
    const ledger = new MemoryLedger();
    let finished = false;
    const handler = createWebhookHandler({
      client: stubClient([event]),
      ledger,
      ackAfterProcessing: true,
      onEvent: async () => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        finished = true;
      },
    });
    expect((await handler.handle(notice(event))).status).toBe(200);
    expect(finished).toBe(true);
    expect((await ledger.getEvent(event.id))?.state).toBe('processed');
  });

  it('verifies through GET /organizations/{org}/events/{id}: an event whose organization there differs from the notification is not processed and leaves nothing behind', async () => {
    const elsewhere = apiEvent('e-elsewhere', { organization_id: 'another-org' });
    const ledger = new MemoryLedger();
    const seen: string[] = [];
    const client = stubClient([elsewhere]);
    const handler = createWebhookHandler({ client, ledger, ackAfterProcessing: true, onEvent: (e) => void seen.push(e.id) });
    // The notification names our organization; the API says the event is another's.
    expect((await handler.handle(notice(elsewhere))).status).toBe(200);
    expect(client.gets).toEqual(['e-elsewhere']);
    expect(seen).toEqual([]);
    expect(await ledger.getEvent(elsewhere.id)).toBeUndefined();
    expect(handler.stats()).toMatchObject({ processed: 0, rejected: 1 });
  });

  it('verifies over HTTP with our own credentials at GET /organizations/{org}/events/{id}', async () => {
    const ctx = await issuanceSetup();
    cleanups.push(() => ctx.close());
    ctx.fake.createTemplate({ name: 'Verified' });
    const event = (await ctx.client.events.list()).data.at(-1)!;
    const handler = createWebhookHandler({ client: ctx.client, ledger: ctx.ledger, ackAfterProcessing: true });
    const before = ctx.fake.stats().requests;
    expect((await handler.handle(notice(event, { organization_id: ctx.fake.organizationId }))).status).toBe(200);
    const after = ctx.fake.stats().requests;
    const grown = Object.keys(after).filter((route) => (after[route] ?? 0) > (before[route] ?? 0));
    expect(grown).toEqual(['GET /events/:id']);
    expect((await ctx.ledger.getEvent(event.id))?.state).toBe('processed');
  });
});

/** A handler whose onEvent, once `started`, waits until `release` opens: the event stays in its hands meanwhile. */
function holdingHandler(event: CredlyEvent, ledger: Ledger, options: Omit<WebhookHandlerOptions, 'client' | 'ledger' | 'onEvent'> = {}) {
  const release = gate();
  const started = gate();
  const handler = createWebhookHandler({
    client: stubClient([event]),
    ledger,
    ...options,
    onEvent: async () => {
      started.open();
      await release.wait;
    },
  });
  return { handler, release, started };
}

describe('docs/webhooks.md: the lease', () => {
  it('holds an event for 60 s by default while onEvent runs', async () => {
    const clock = new TestClock();
    const ledger = new MemoryLedger({ now: clock.now });
    const event = apiEvent('e-lease');
    const { handler, release, started } = holdingHandler(event, ledger, { now: clock.now });
    await handler.handle(notice(event));
    await started.wait;
    const held = await ledger.getEvent(event.id);
    expect(held?.lease?.until).toBe(new Date(clock.now().getTime() + 60_000).toISOString());
    release.open();
    await handler.idle();
  });

  it('renews the lease every third of it while onEvent runs', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const ledger = new MemoryLedger();
    const claims: number[] = [];
    const claimEvent = ledger.claimEvent.bind(ledger);
    ledger.claimEvent = (id, options) => {
      claims.push(options.leaseMs);
      return claimEvent(id, options);
    };
    const event = apiEvent('e-renew');
    const { handler, release, started } = holdingHandler(event, ledger, { eventLeaseMs: 900 });
    await handler.handle(notice(event));
    await started.wait;
    expect(claims).toEqual([900]); // the claim itself
    vi.advanceTimersByTime(299);
    expect(claims).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(claims).toHaveLength(2);
    vi.advanceTimersByTime(600);
    expect(claims).toEqual([900, 900, 900, 900]);
    release.open();
    await handler.idle();
    vi.advanceTimersByTime(3000);
    expect(claims).toHaveLength(4); // no renewal once the work is done
  });
});

describe('docs/webhooks.md: when processing fails', () => {
  it('an onEvent that throws lets go of its lease at once: another receiver handed the event again processes it without waiting', async () => {
    const event = apiEvent('e-throws');
    const ledger = new MemoryLedger();
    const first = createWebhookHandler({
      client: stubClient([event]),
      ledger,
      onEvent: () => {
        throw new Error('database connection lost');
      },
    });
    expect((await first.handle(notice(event))).status).toBe(200);
    await first.idle();
    expect(await ledger.getEvent(event.id)).toMatchObject({ state: 'received', lease: null, lastError: 'database connection lost' });
    const seen: string[] = [];
    const second = createWebhookHandler({ client: stubClient([event]), ledger, ackAfterProcessing: true, onEvent: (e) => void seen.push(e.id) });
    expect((await second.handle(notice(event))).status).toBe(200);
    expect(seen).toEqual([event.id]);
    expect(await ledger.getEvent(event.id)).toMatchObject({ state: 'processed', attempts: 2 });
  });

  /** An event recorded and claimed by a receiver that then died, its lease running `leaseMs` more. */
  async function heldByTheDead(ledger: Ledger, event: CredlyEvent, leaseMs: number) {
    await ledger.recordEvent({ eventId: event.id, eventType: event.event_type, organizationId: ORG, occurredAt: event.occurred_at ?? null, state: 'received', receivedAt: new Date().toISOString(), attempts: 0 });
    expect(await ledger.claimEvent(event.id, { owner: 'a-receiver-that-died', leaseMs })).toBeDefined();
  }

  it("a restarted receiver's resume() leaves an event whose lease lives, and takes it up once the lease ends (no delivery needed)", async () => {
    const event = apiEvent('e-dead');
    const ledger = new MemoryLedger();
    await heldByTheDead(ledger, event, 150);
    const seen: string[] = [];
    const handler = createWebhookHandler({ client: stubClient([event]), ledger, onEvent: (e) => void seen.push(e.id) });
    cleanups.push(() => handler.close());
    expect(await handler.resume()).toBe(0);
    expect(seen).toEqual([]);
    await until(async () => (await ledger.getEvent(event.id))?.state === 'processed');
    await handler.idle();
    expect(seen).toEqual([event.id]);
  });

  it('close() stops those second looks; the event stays for the next resume()', async () => {
    const event = apiEvent('e-closed');
    const ledger = new MemoryLedger();
    await heldByTheDead(ledger, event, 100);
    const seen: string[] = [];
    const handler = createWebhookHandler({ client: stubClient([event]), ledger, onEvent: (e) => void seen.push(e.id) });
    expect(await handler.resume()).toBe(0);
    handler.close();
    // The lease ends at 100 ms and the second look would come 100 ms later.
    await new Promise((resolve) => setTimeout(resolve, 400));
    await handler.idle();
    expect(seen).toEqual([]);
    expect((await ledger.getEvent(event.id))?.state).toBe('received');
    expect(await handler.resume()).toBe(1);
    expect(seen).toEqual([event.id]);
  });

  it('catchUp({ max }) looks at no more than max events of the API list', async () => {
    const ctx = await issuanceSetup(); // the template sync made one event
    cleanups.push(() => ctx.close());
    ctx.fake.createTemplate({ name: 'Two' });
    ctx.fake.createTemplate({ name: 'Three' });
    const seen: WebhookEvent[] = [];
    const handler = createWebhookHandler({ client: ctx.client, ledger: ctx.ledger, onEvent: (e) => void seen.push(e) });
    expect(await handler.catchUp({ max: 2 })).toBe(2);
    expect(seen).toHaveLength(2);
    expect(await handler.catchUp({ max: 100 })).toBe(1);
    expect(seen).toHaveLength(3);
  });
});

describe('docs/webhooks.md: typed events', () => {
  it('each event type carries the fields the table gives, and every event has id, occurredAt and raw', () => {
    const badge = { id: 'b-1', state: 'accepted' };
    const template = { id: 't-1', name: 'T' };
    const raw = (event_type: string, fields: Record<string, unknown> = {}) => ({ id: `e-${event_type}`, event_type, organization_id: ORG, occurred_at: '2026-11-29T12:00:00.000Z', badge, badge_template: template, ...fields }) as unknown as CredlyEvent;
    const typed = (event_type: string) => {
      const source = raw(event_type);
      const event = typedEvent(source);
      expect(event).toMatchObject({ id: `e-${event_type}`, occurredAt: '2026-11-29T12:00:00.000Z' });
      expect(event.raw).toBe(source);
      const { id: _id, occurredAt: _at, raw: _raw, ...rest } = event;
      return rest;
    };
    expect(typed('badge.created')).toEqual({ type: 'badge.created', badge });
    expect(typed('badge.state.changed')).toEqual({ type: 'badge.state.changed', badge, state: 'accepted' });
    expect(typed('badge.deleted')).toEqual({ type: 'badge.deleted', badge });
    expect(typed('badge.privacy.changed')).toEqual({ type: 'badge.privacy.changed', badge });
    expect(typed('badge_template.created')).toEqual({ type: 'badge_template.created', template });
    expect(typed('badge_template.changed')).toEqual({ type: 'badge_template.changed', template });
    expect(typed('badge_template.deleted')).toEqual({ type: 'badge_template.deleted', template });
    expect(typed('workforce.employee.created')).toEqual({ type: 'unknown', eventType: 'workforce.employee.created' });
    // "another string": a state this version does not know passes through.
    expect(typedEvent(raw('badge.state.changed', { badge: { id: 'b-2', state: 'suspended' } }))).toMatchObject({ state: 'suspended' });
  });
});

describe('docs/webhooks.md: the ledger', () => {
  it('a badge revoked in Credly: later issue runs do not issue it again', async () => {
    const ctx = await issuanceSetup();
    cleanups.push(() => ctx.close());
    const handler = createWebhookHandler({ client: ctx.client, ledger: ctx.ledger, ackAfterProcessing: true });
    await issueBadges(csvRows(sqlRosterCsv(1)), ctx.base);
    const [badge] = ctx.fake.badges();
    await ctx.client.badges.revoke(badge!.id, { reason: 'Issued in error' });
    for (const event of await ctx.client.events.list().collect({ max: 100 })) {
      expect((await handler.handle(notice(event, { organization_id: ctx.fake.organizationId }))).status).toBe(200);
    }
    const [award] = await allAwards(ctx.ledger);
    expect(award).toMatchObject({ state: 'revoked', badgeId: badge!.id });
    const sends = ctx.fake.stats().requests['POST /badges'] ?? 0;
    const again = await issueBadges(csvRows(sqlRosterCsv(1)), ctx.base);
    expect(again.totals.issued).toBe(0);
    expect(again.awards[0]?.reason).toMatch(/^revoked \(Issued in error\)/);
    expect(ctx.fake.stats().requests['POST /badges'] ?? 0).toBe(sends);
    expect(ctx.fake.badges()).toHaveLength(1);
  });
});

describe('docs/webhooks.md: frameworks', () => {
  it('the Express and Fastify snippets are the code of examples/webhooks/, which the test run runs', () => {
    const page = readFileSync(new URL('../../docs/webhooks.md', import.meta.url), 'utf8');
    const section = page.slice(page.indexOf('## Frameworks'), page.indexOf('## From the command line'));
    const snippets = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(snippets).toHaveLength(2);
    const lines = (text: string) => text.split('\n').map((line) => line.trim()).filter(Boolean);
    for (const [snippet, file] of [[snippets[0]!, 'express.test.ts'], [snippets[1]!, 'fastify.test.ts']] as const) {
      const example = lines(readFileSync(new URL(`../../examples/webhooks/${file}`, import.meta.url), 'utf8')).join('\n');
      expect(example, file).toContain(lines(snippet).join('\n'));
    }
  });
});

describe('docs/webhooks.md: from the command line', () => {
  it('webhooks --path --catch-up: resumes received events, catches up, serves only that path, prints one JSON line per processed event (a badge event names the badge), logs to stderr', async () => {
    const ctx = await issuanceSetup();
    cleanups.push(() => ctx.close());
    const dir = mkdtempSync(join(tmpdir(), 'webhooks-cli-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const ledgerPath = join(dir, 'hooks.ledger');
    // Before the receiver starts: one event received but not processed (a crash), and two it never heard of.
    ctx.fake.createTemplate({ name: 'Received before the crash' });
    const [synced, received] = (await ctx.client.events.list()).data;
    const before = await FileLedger.open(ledgerPath);
    await before.recordEvent({ eventId: received!.id, eventType: received!.event_type, organizationId: ctx.fake.organizationId, occurredAt: received!.occurred_at ?? null, state: 'received', receivedAt: new Date().toISOString(), attempts: 0 });
    await before.close();
    const missed = ctx.fake.createTemplate({ name: 'Missed' });

    const stdout = captureStream();
    const stderr = captureStream();
    const stop = new AbortController();
    const env = mergedEnv({ ...cleanEnv, CREDLY_ORGANIZATION_ID: ctx.fake.organizationId, CREDLY_API_TOKEN: ctx.fake.token, CREDLY_BASE_URL: ctx.fake.baseUrl });
    const exit = runCliInProcess({ argv: ['webhooks', '--port', '0', '--path', '/hooks/credly', '--ledger', ledgerPath, '--catch-up', '500'], env, stdout, stderr, signal: stop.signal });
    let url = '';
    await until(() => {
      url = /receiving Credly webhooks on (\S+)/.exec(stderr.text())?.[1] ?? '';
      return url !== '';
    }, 10_000);
    expect(new URL(url).pathname).toBe('/hooks/credly');
    expect(stderr.text()).toMatch(/resumed 1, caught up 2\./);
    expect((await fetch(new URL('/credly/webhooks', url), { method: 'POST', body: '{}' })).status).toBe(404);

    ctx.fake.setWebhookUrl(url);
    await issueBadges(csvRows(sqlRosterCsv(1)), ctx.base);
    const [badge] = ctx.fake.badges();
    await ctx.fake.webhooksIdle();
    await until(() => stdout.text().split('\n').filter(Boolean).length === 4);
    stop.abort('SIGTERM');
    expect(await exit).toBe(0);

    const lines = stdout.text().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      { id: received!.id, type: 'badge_template.created', occurredAt: received!.occurred_at, subject: received!.badge_template!.id },
      { id: synced!.id, type: 'badge_template.created', occurredAt: synced!.occurred_at, subject: synced!.badge_template!.id },
      { id: expect.any(String), type: 'badge_template.created', occurredAt: expect.any(String), subject: missed.id },
      { id: expect.any(String), type: 'badge.created', occurredAt: expect.any(String), subject: badge!.id },
    ]);
    const reopened = await FileLedger.open(ledgerPath);
    try {
      expect((await allEvents(reopened)).map((e) => e.state)).toEqual(['processed', 'processed', 'processed', 'processed']);
    } finally {
      await reopened.close();
    }
  });
});
