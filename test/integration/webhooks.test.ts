import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createWebhookHandler,
  FileLedger,
  issueBadges,
  listen,
  replaceAward,
  type Claim,
  type Ledger,
  type WebhookEvent,
  type WebhookServer,
} from '../../src/index.js';
import { csvRows, issuanceSetup, sqlRosterCsv, allAwards, allEvents } from '../helpers/issuance.js';
import { intentPatch } from '../../src/ledger/records.js';

let ctx: Awaited<ReturnType<typeof issuanceSetup>>;
let server: WebhookServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await ctx?.close();
});

async function setup(options: { ackAfterProcessing?: boolean; onEvent?: (e: WebhookEvent) => void | Promise<void>; ledger?: Ledger } = {}) {
  ctx = await issuanceSetup({ fake: { webhooks: { retryBaseMs: 5 } }, ...(options.ledger ? { ledger: options.ledger } : {}) });
  const events: WebhookEvent[] = [];
  const handler = createWebhookHandler({
    client: ctx.client,
    ledger: ctx.ledger,
    ackAfterProcessing: options.ackAfterProcessing ?? false,
    onEvent: options.onEvent ?? ((e) => void events.push(e)),
  });
  server = await listen({ handler, port: 0 });
  ctx.fake.setWebhookUrl(server.url);
  const settle = async () => {
    await ctx.fake.webhooksIdle();
    await handler.idle();
  };
  return { handler, events, settle };
}

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'application/json', ...headers } });

/** A receiver (answering after processing) on a fresh fake and ledger, waiting `badgeRecordWaitMs` for the issue job's badge records. */
async function waitingReceiver(badgeRecordWaitMs: number, onEvent?: (e: WebhookEvent) => void) {
  ctx = await issuanceSetup({ fake: { webhooks: { retryBaseMs: 5 } } });
  const handler = createWebhookHandler({ client: ctx.client, ledger: ctx.ledger, ackAfterProcessing: true, badgeRecordWaitMs, ...(onEvent ? { onEvent } : {}) });
  server = await listen({ handler, port: 0 });
  ctx.fake.setWebhookUrl(server.url);
  return handler;
}

/** Learner n's award as the issue job leaves it while it waits for Credly's answer: issuing, its intent durable, no badge. */
async function awardBeingIssued(n: number, owner = 'the-issue-job') {
  const { record } = await ctx.ledger.planAward({ key: `non-credit|S${n}`, microcredentialId: 'non-credit', templateId: ctx.templateId, email: `learner${n}@example.edu`, earnerId: `S${n}`, row: 1 });
  const claim = (await ctx.ledger.claimAward(record.key, { owner, leaseMs: 60_000 }))!;
  await ctx.ledger.writeAward(record.key, { ...intentPatch(claim.record) }, { claim });
  return { key: record.key, claim };
}

/** A badge for learner n, made in the fake as Credly makes the issue job's (or an admin's by hand, with `extra`). */
const badgeFor = (n: number, extra: Record<string, unknown> = {}) =>
  ctx.fake.issueOutside({ badge_template_id: ctx.templateId, recipient_email: `learner${n}@example.edu`, issuer_earner_id: `S${n}`, issued_to_first_name: 'Jordan', issued_to_last_name: 'Learner', issued_at: '2026-03-02T09:00:00-05:00', ...extra });

/** What the issue job writes once Credly's answer is in. */
const recordBadge = (award: { key: string; claim: Claim }, badgeId: string, extra: Record<string, unknown> = {}) =>
  ctx.ledger.writeAward(award.key, { state: 'issued', badgeId, issuedAt: '2026-03-02T14:00:00.000Z', lastError: null, ...extra }, { claim: award.claim });

/** Polls (10 ms) until `done`, for at most 5 s. */
async function eventually(done: () => boolean | Promise<boolean>): Promise<void> {
  const until = Date.now() + 5000;
  while (!(await done()) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
}
const allProcessed = async () => (await allEvents(ctx.ledger)).every((e) => e.state === 'processed');

describe('webhooks delivered by the fake Credly over HTTP', () => {
  it('verifies each event through the API, dispatches it typed, and keeps the ledger current', async () => {
    const { handler, events, settle } = await setup();
    await issueBadges(csvRows(sqlRosterCsv(3)), ctx.base);
    const badges = ctx.fake.badges();
    ctx.fake.acceptBadge(badges[0]!.id);
    ctx.fake.rejectBadge(badges[1]!.id);
    await ctx.client.badges.revoke(badges[2]!.id, { reason: 'Issued to the wrong learner' });
    await settle();
    expect(events.map((e) => e.type)).toEqual(['badge.created', 'badge.created', 'badge.created', 'badge.state.changed', 'badge.state.changed', 'badge.state.changed']);
    const changes = events.filter((e): e is Extract<WebhookEvent, { type: 'badge.state.changed' }> => e.type === 'badge.state.changed');
    expect(changes.map((e) => e.state)).toEqual(['accepted', 'rejected', 'revoked']);
    const awards = await allAwards(ctx.ledger);
    const byEmail = (email: string) => awards.find((a) => a.email === email)!;
    expect(byEmail('learner1@example.edu')).toMatchObject({ state: 'issued', credly: { state: 'accepted' } });
    expect(byEmail('learner2@example.edu')).toMatchObject({ state: 'issued', credly: { state: 'rejected' } });
    expect(byEmail('learner3@example.edu')).toMatchObject({ state: 'revoked', revocationReason: 'Issued to the wrong learner', credly: { state: 'revoked' } });
    expect(handler.stats()).toMatchObject({ processed: 6, rejected: 0, failed: 0 });
    expect(ctx.fake.webhookDeliveries().every((d) => d.status === 200)).toBe(true);
  });

  it('marks a template archived in Credly unusable, and issuance refuses it until it is fixed', async () => {
    const { events, settle } = await setup();
    ctx.fake.archiveTemplate(ctx.templateId);
    await settle();
    expect(events.at(-1)).toMatchObject({ type: 'badge_template.changed', template: { id: ctx.templateId, state: 'archived' } });
    expect(await ctx.ledger.getTemplate('coding-in-sql')).toMatchObject({ state: 'unusable', unusableReason: 'archived in Credly' });
    const report = await issueBadges(csvRows(sqlRosterCsv(2)), ctx.base);
    expect(report.totals.failed).toBe(2);
    expect(report.awards[0]?.reason).toMatch(/template of coding-in-sql is unusable \(archived in Credly\): fix it in Credly/);
    expect(ctx.fake.stats().requests['POST /badges']).toBeUndefined();
    await ctx.client.badgeTemplates.unarchive(ctx.templateId);
    await settle();
    expect((await ctx.ledger.getTemplate('coding-in-sql'))?.state).toBe('active');
    expect((await issueBadges(csvRows(sqlRosterCsv(2)), ctx.base)).totals.issued).toBe(2);
  });

  it('a badge deleted in Credly makes its award revoked (credly state deleted); a template deleted there makes it unusable', async () => {
    const { settle } = await setup();
    await issueBadges(csvRows(sqlRosterCsv(2)), ctx.base);
    const [first, second] = ctx.fake.badges();
    await ctx.client.badges.delete(first!.id);
    await settle();
    const awards = await allAwards(ctx.ledger);
    expect(awards.find((a) => a.badgeId === first!.id)).toMatchObject({ state: 'revoked', revocationReason: 'deleted in Credly', credly: { state: 'deleted' } });
    expect(awards.find((a) => a.badgeId === second!.id)).toMatchObject({ state: 'issued' });

    // Its template, once it has no badges left, deleted in Credly: the microcredential cannot be issued until sync-templates makes another.
    const template = (await ctx.ledger.getTemplate('coding-in-sql'))!;
    for (const badge of ctx.fake.badges()) await ctx.client.badges.delete(badge.id);
    // (The client has no template deletion: an admin does it in Credly. The API call it would make:)
    const deleted = await fetch(`${ctx.fake.baseUrl}/organizations/${ctx.fake.organizationId}/badge_templates/${template.templateId}`, {
      method: 'DELETE',
      headers: { Authorization: `Basic ${Buffer.from(`${ctx.fake.token}:`).toString('base64')}` },
    });
    expect(deleted.status).toBeLessThan(300);
    await settle();
    expect(await ctx.ledger.getTemplate('coding-in-sql')).toMatchObject({ state: 'unusable', unusableReason: 'deleted in Credly' });
  });

  it('processes an event delivered five times once', async () => {
    const { handler, events, settle } = await setup();
    ctx.fake.createTemplate({ name: 'Another' });
    await settle();
    expect(events).toHaveLength(1);
    const event = events[0]!;
    const body = JSON.stringify({ id: event.id, organization_id: ctx.fake.organizationId, event_type: event.raw.event_type, occurred_at: event.occurredAt });
    const responses = await Promise.all(Array.from({ length: 5 }, () => post(server!.url, body)));
    await handler.idle();
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(events).toHaveLength(1);
    expect(handler.stats()).toMatchObject({ processed: 1, duplicates: 5 });
  });

  it('rejects forged deliveries without side effects', async () => {
    const { handler, events } = await setup();
    const before = [...(await allAwards(ctx.ledger)), ...(await ctx.ledger.listTemplates()), ...(await allEvents(ctx.ledger))];
    const forged = [
      [JSON.stringify({ id: 'not-a-real-event', organization_id: ctx.fake.organizationId, event_type: 'badge.created', occurred_at: '2026-01-01T00:00:00Z' }), 200],
      [JSON.stringify({ id: 'x', organization_id: 'another-organization', event_type: 'badge.created' }), 403],
      ['{"id": "x", "organization_id": ', 400],
      [JSON.stringify({ hello: 'world' }), 400],
      [JSON.stringify({ id: 'x', organization_id: ctx.fake.organizationId, event_type: 'badge.created', padding: 'x'.repeat(100_000) }), 413],
    ] as const;
    for (const [body, status] of forged) expect((await post(server!.url, body)).status, body.slice(0, 40)).toBe(status);
    await handler.idle();
    expect(events).toEqual([]);
    expect([...(await allAwards(ctx.ledger)), ...(await ctx.ledger.listTemplates()), ...(await allEvents(ctx.ledger))]).toEqual(before);
    expect(handler.stats()).toMatchObject({ processed: 0, rejected: 5 });
    // An event that exists (not delivered yet), but whose type the notification misstates: the API
    // says otherwise, so it is not processed and nothing is recorded; told truly, it is.
    ctx.fake.setWebhookUrl(null);
    ctx.fake.createTemplate({ name: 'Real' });
    const real = (await ctx.client.events.list()).data.find((e) => e.event_type === 'badge_template.created')!;
    const notice = (eventType: string) => JSON.stringify({ id: real.id, organization_id: ctx.fake.organizationId, event_type: eventType, occurred_at: real.occurred_at });
    expect((await post(server!.url, notice('badge.deleted'))).status).toBe(200);
    await handler.idle();
    expect(events).toEqual([]);
    expect(await ctx.ledger.getEvent(real.id)).toBeUndefined();
    expect(handler.stats()).toMatchObject({ processed: 0, rejected: 6 });
    expect((await post(server!.url, notice('badge_template.created'))).status).toBe(200);
    await handler.idle();
    expect(events.map((e) => e.type)).toEqual(['badge_template.created']);
    expect(handler.stats()).toMatchObject({ processed: 1, rejected: 6 });
  });

  it('a handler that crashes mid-processing gets the redelivery and finishes the work', async () => {
    let calls = 0;
    const seen: string[] = [];
    const { handler, settle } = await setup({
      ackAfterProcessing: true,
      onEvent: (event) => {
        calls += 1;
        if (calls === 1) throw new Error('database connection lost');
        seen.push(event.id);
      },
    });
    ctx.fake.createTemplate({ name: 'Crashy' });
    await settle();
    const deliveries = ctx.fake.webhookDeliveries();
    expect(deliveries.map((d) => d.status)).toEqual([500, 200]);
    expect(seen).toEqual([deliveries[0]!.eventId]);
    expect(await ctx.ledger.getEvent(deliveries[0]!.eventId)).toMatchObject({ state: 'processed', attempts: 2 });
    expect(handler.stats()).toMatchObject({ processed: 1, failed: 1 });
  });

  it('finishes received events after a restart, and catches up on missed ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webhooks-'));
    try {
      const ledger = await FileLedger.open(join(dir, 'awards.ledger'));
      let crash = true;
      const { handler, settle } = await setup({
        ledger,
        onEvent: () => {
          if (crash) throw new Error('crashed');
        },
      });
      ctx.fake.createTemplate({ name: 'One' });
      await settle();
      expect((await allEvents(ledger)).map((e) => e.state)).toEqual(['received']);
      expect(handler.stats().failed).toBe(1);
      await ledger.close();
      // The receiver restarts, on the same ledger, while Credly goes on without it.
      await server!.close();
      server = undefined;
      ctx.fake.setWebhookUrl(null);
      ctx.fake.createTemplate({ name: 'Two' });
      const reopened = await FileLedger.open(join(dir, 'awards.ledger'));
      crash = false;
      const restarted: WebhookEvent[] = [];
      const again = createWebhookHandler({ client: ctx.client, ledger: reopened, onEvent: (e) => void restarted.push(e) });
      expect(await again.resume()).toBe(1);
      // Missed: the template sync before the receiver existed, and "Two" while it was down.
      expect(await again.catchUp({ max: 100 })).toBe(2);
      expect(restarted.map((e) => (e.type === 'badge_template.created' ? e.template?.name : e.type))).toEqual(['One', 'Coding in SQL', 'Two']);
      expect((await allEvents(reopened)).every((e) => e.state === 'processed')).toBe(true);
      expect(await again.catchUp({ max: 100 })).toBe(0);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an event another receiver holds is left to it, and taken over once that receiver’s lease ends (it died)', async () => {
    const { handler, events } = await setup({ ackAfterProcessing: true });
    ctx.fake.setWebhookUrl(null);
    ctx.fake.createTemplate({ name: 'Held' });
    const event = (await ctx.client.events.list()).data.at(-1)!;
    // Another receiver recorded it, took it, and died: its lease runs 300 ms more.
    await ctx.ledger.recordEvent({ eventId: event.id, eventType: event.event_type, organizationId: ctx.fake.organizationId, occurredAt: event.occurred_at ?? null, state: 'received', receivedAt: new Date().toISOString(), attempts: 0 });
    const dead = await ctx.ledger.claimEvent(event.id, { owner: 'a-receiver-that-died', leaseMs: 300 });
    expect(dead?.attempts).toBe(1);
    const body = JSON.stringify({ id: event.id, organization_id: ctx.fake.organizationId, event_type: event.event_type, occurred_at: event.occurred_at });
    const response = await handler.handle(body);
    expect(response.status).toBe(200);
    expect(events).toEqual([]);
    expect(handler.stats()).toMatchObject({ processed: 0, duplicates: 1 });
    expect((await ctx.ledger.getEvent(event.id))?.state).toBe('received');
    // resume() leaves it too while the lease lives.
    expect(await handler.resume()).toBe(0);
    const until = Date.now() + 3000;
    while ((await ctx.ledger.getEvent(event.id))?.state !== 'processed' && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await ctx.ledger.getEvent(event.id)).toMatchObject({ state: 'processed', attempts: 2 });
    expect((await ctx.ledger.getEvent(event.id))?.lease ?? null).toBeNull();
    expect(events.map((e) => e.id)).toEqual([event.id]);
    expect(handler.stats()).toMatchObject({ processed: 1 });
  });

  it('two receivers on one ledger: the one processing an event renews its lease while onEvent runs, and the other leaves it alone', async () => {
    ctx = await issuanceSetup({ fake: { webhooks: { retryBaseMs: 5 } } });
    ctx.fake.createTemplate({ name: 'Slow' });
    const event = (await ctx.client.events.list()).data.at(-1)!;
    const body = JSON.stringify({ id: event.id, organization_id: ctx.fake.organizationId, event_type: event.event_type, occurred_at: event.occurred_at });
    const calls: string[] = [];
    // A lease of 150 ms and work of 600 ms: only renewals keep the event this receiver's.
    const receivers = ['first', 'second'].map((name) =>
      createWebhookHandler({
        client: ctx.client,
        ledger: ctx.ledger,
        ackAfterProcessing: true,
        eventLeaseMs: 150,
        onEvent: async () => {
          calls.push(name);
          await new Promise((resolve) => setTimeout(resolve, 600));
        },
      }),
    );
    const first = receivers[0]!.handle(body);
    while (calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    // Delivered again to the other receiver, twice, after the first lease would have ended.
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await receivers[1]!.handle(body)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await receivers[1]!.handle(body)).status).toBe(200);
    expect((await first).status).toBe(200);
    await Promise.all(receivers.map((r) => r.idle()));
    expect(calls).toEqual(['first']);
    expect(await ctx.ledger.getEvent(event.id)).toMatchObject({ state: 'processed', attempts: 1 });
    expect(receivers[1]!.stats()).toMatchObject({ processed: 0, duplicates: 2 });
  });

  it('an event of a badge the issue job has not recorded yet (its award is issuing) waits for it, then updates the award', async () => {
    const events: WebhookEvent[] = [];
    const handler = await waitingReceiver(20, (e) => void events.push(e));
    const award = await awardBeingIssued(7);
    // Credly created the badge and the learner accepted it at once: both events come before the record.
    const badge = badgeFor(7);
    ctx.fake.acceptBadge(String(badge.id));
    await ctx.fake.webhooksIdle();
    expect(await allEvents(ctx.ledger)).toEqual(expect.arrayContaining([expect.objectContaining({ state: 'received', lastError: expect.stringMatching(/waiting for the issue job to record its badge on award non-credit\|S7/) })]));
    expect(events).toEqual([]);
    // The job records the badge; the events are applied on their next look.
    await recordBadge(award, String(badge.id));
    await eventually(allProcessed);
    await handler.idle();
    expect((await allEvents(ctx.ledger)).map((e) => e.state)).toEqual(['processed', 'processed']);
    expect(await ctx.ledger.getAward(award.key)).toMatchObject({ state: 'issued', credly: { state: 'accepted' } });
    expect(events.map((e) => e.type).sort()).toEqual(['badge.created', 'badge.state.changed']);
  });

  it('an event of a badge no award is being issued for is processed at once; one whose award never records it stops waiting after five looks', async () => {
    await waitingReceiver(5);
    badgeFor(1, { recipient_email: 'someone@example.edu', issuer_earner_id: undefined });
    await ctx.fake.webhooksIdle();
    expect(await allEvents(ctx.ledger)).toEqual([expect.objectContaining({ state: 'processed', attempts: 1 })]);
    // An award left issuing by a job that stopped before recording its badge (its next run looks it up).
    const award = await awardBeingIssued(8, 'a-job-that-stopped');
    badgeFor(8);
    await ctx.fake.webhooksIdle();
    const created = async () => (await allEvents(ctx.ledger)).find((e) => e.eventType === 'badge.created' && e.state === 'processed' && e.attempts > 1);
    await eventually(async () => (await created()) !== undefined);
    // Five waits (5, 10, 20, 40, 80 ms, each looked at 100 ms after), then processed as it is: nothing to change.
    expect(await created()).toMatchObject({ attempts: 6 });
    expect(await ctx.ledger.getAward(award.key)).toMatchObject({ state: 'issuing', badgeId: null, credly: null });
  });

  it('a badge issued outside the ledger with another earner id but the learner\'s email, while its award is issuing, waits too: it is the badge the issue job\'s look-up adopts', async () => {
    const handler = await waitingReceiver(20);
    const award = await awardBeingIssued(9);
    // Issued by hand in Credly under an HR id, to the learner's email (in another case).
    const badge = badgeFor(9, { recipient_email: 'Learner9@Example.edu', issuer_earner_id: 'HR-0009' });
    ctx.fake.acceptBadge(String(badge.id));
    await ctx.fake.webhooksIdle();
    // The issue job's look-up (by earner id, then by email) finds this badge: the award adopts it.
    expect((await ctx.client.badges.findExisting(ctx.templateId, { issuerEarnerId: 'S9', email: 'learner9@example.edu' }))?.id).toBe(String(badge.id));
    expect((await allEvents(ctx.ledger)).map((e) => [e.state, e.lastError])).toEqual([
      ['received', expect.stringMatching(/waiting for the issue job to record its badge on award non-credit\|S9/)],
      ['received', expect.stringMatching(/waiting for the issue job/)],
    ]);
    await recordBadge(award, String(badge.id), { how: 'already-issued' });
    await eventually(allProcessed);
    await handler.idle();
    expect(await ctx.ledger.getAward(award.key)).toMatchObject({ state: 'issued', credly: { state: 'accepted' } });
    expect(handler.stats()).toMatchObject({ processed: 2, duplicates: 0, failed: 0 });
  });

  it('a replacement badge (re-certification) whose events come before replaceAward records it waits for the record, then updates the award', async () => {
    const handler = await waitingReceiver(20);
    await issueBadges(csvRows(sqlRosterCsv(1)), ctx.base);
    await ctx.fake.webhooksIdle();
    await handler.idle();
    const [issued] = await allAwards(ctx.ledger);
    expect(issued).toMatchObject({ state: 'issued', credly: { state: 'pending' } });
    // replaceAward's record is written only after Credly's answer: here, after the new badge's
    // badge.created has been delivered and looked at (and the learner has accepted it).
    const ledger = new Proxy(ctx.ledger, {
      get(target, name, receiver) {
        if (name === 'writeAward') {
          return async (...args: Parameters<Ledger['writeAward']>) => {
            const replacement = ctx.fake.badges().find((b) => b.id !== issued!.badgeId)!;
            ctx.fake.acceptBadge(replacement.id);
            await ctx.fake.webhooksIdle();
            await handler.idle();
            return target.writeAward(...args);
          };
        }
        const value: unknown = Reflect.get(target, name, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const replaced = await replaceAward({ client: ctx.client, ledger }, { key: issued!.key });
    await eventually(allProcessed);
    await handler.idle();
    expect(await ctx.ledger.getAward(issued!.key)).toMatchObject({ state: 'replaced', badgeId: replaced.badgeId, credly: { state: 'accepted' } });
  });

  it('with ackAfterProcessing, an event answered 200 when it started waiting whose onEvent then throws is left to resume(), not to Credly\'s retries', async () => {
    let fail = true;
    const handler = await waitingReceiver(20, () => {
      if (fail) throw new Error('downstream unavailable');
    });
    const award = await awardBeingIssued(12);
    const badge = badgeFor(12);
    await ctx.fake.webhooksIdle();
    expect(handler.stats()).toMatchObject({ accepted: 1, processed: 0, failed: 0 });
    await recordBadge(award, String(badge.id));
    await eventually(() => handler.stats().failed > 0);
    await handler.idle();
    await ctx.fake.webhooksIdle();
    // Applied to the ledger, onEvent failed; Credly was answered 200 and delivers nothing again.
    expect(handler.stats()).toMatchObject({ accepted: 1, processed: 0, failed: 1 });
    expect(await allEvents(ctx.ledger)).toEqual([expect.objectContaining({ state: 'received', lease: null, lastError: 'downstream unavailable', attempts: 2 })]);
    fail = false;
    expect(await handler.resume()).toBe(1);
    expect(handler.stats()).toMatchObject({ processed: 1 });
  });

  it('close() stops the looks at an event waiting for its badge; it stays received, and the next start\'s resume() applies it', async () => {
    const handler = await waitingReceiver(20);
    const award = await awardBeingIssued(10);
    const badge = badgeFor(10);
    await ctx.fake.webhooksIdle();
    handler.close();
    await handler.idle();
    await recordBadge(award, String(badge.id));
    // Past its next look (20 ms + 100 ms): no look after close().
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await allEvents(ctx.ledger)).toEqual([expect.objectContaining({ state: 'received', attempts: 1, lease: null })]);
    // The next start.
    const restarted = createWebhookHandler({ client: ctx.client, ledger: ctx.ledger, badgeRecordWaitMs: 20 });
    expect(await restarted.resume()).toBe(1);
    expect(await allEvents(ctx.ledger)).toEqual([expect.objectContaining({ state: 'processed', attempts: 2 })]);
    expect(await ctx.ledger.getAward(award.key)).toMatchObject({ credly: { state: 'pending' } });
  });

  it('a ledger failure while looking for the award an event waits for lets the event go at once (not held for the lease) and counts as failed', async () => {
    ctx = await issuanceSetup({ fake: { webhooks: { retryBaseMs: 5 } } });
    let failNext = true;
    const flaky = new Proxy(ctx.ledger, {
      get(target, name, receiver) {
        if (name === 'queryAwards') {
          return (query: { state?: unknown } = {}) => {
            if (query.state === 'issuing' && failNext) {
              failNext = false;
              throw new Error('ledger unavailable');
            }
            return target.queryAwards(query as never);
          };
        }
        const value: unknown = Reflect.get(target, name, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const handler = createWebhookHandler({ client: ctx.client, ledger: flaky, ackAfterProcessing: true, eventLeaseMs: 60_000 });
    server = await listen({ handler, port: 0 });
    ctx.fake.setWebhookUrl(null);
    const badge = ctx.fake.issueOutside({ badge_template_id: ctx.templateId, recipient_email: 'someone@example.edu', issued_to_first_name: 'Some', issued_to_last_name: 'One', issued_at: '2026-03-02T09:00:00-05:00' });
    const event = (await ctx.client.events.list().collect({ max: 50 })).find((e) => e.event_type === 'badge.created');
    const body = JSON.stringify({ id: event!.id, organization_id: event!.organization_id, event_type: event!.event_type, occurred_at: event!.occurred_at });
    expect((await handler.handle(body)).status).toBe(500);
    expect(handler.stats()).toMatchObject({ failed: 1, processed: 0 });
    expect(await ctx.ledger.getEvent(event!.id)).toMatchObject({ state: 'received', lease: null, lastError: 'ledger unavailable' });
    // Another receiver sharing the ledger takes it up at once, without waiting out the 60 s lease.
    const other = createWebhookHandler({ client: ctx.client, ledger: ctx.ledger, ackAfterProcessing: true });
    expect(await other.resume()).toBe(1);
    expect(await ctx.ledger.getEvent(event!.id)).toMatchObject({ state: 'processed', attempts: 2 });
    void badge;
  });

  it('passes unknown event types through, typed as unknown', async () => {
    const { typedEvent } = await import('../../src/index.js');
    expect(typedEvent({ id: 'e', event_type: 'workforce.employee.created', organization_id: 'o', occurred_at: null } as never)).toMatchObject({ type: 'unknown', eventType: 'workforce.employee.created' });
    expect(typedEvent({ id: 'e', event_type: 'badge.privacy.changed', badge: { id: 'b', public: false } } as never)).toMatchObject({ type: 'badge.privacy.changed', badge: { id: 'b' } });
  });
});
