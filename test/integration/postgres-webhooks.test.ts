import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createWebhookHandler, issueBadges, listen, type WebhookServer } from '../../src/index.js';
import { openPostgresLedger, type PgLedger } from '../../src/ledger/postgres.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { allAwards, allEvents, csvRows, issuanceSetup, sqlRosterCsv } from '../helpers/issuance.js';
import { PG_SKIP_REASON, dropSchema, freshSchema, urlWithSchema } from '../helpers/postgres.js';
import { intentPatch } from '../../src/ledger/records.js';

// docs/scaling.md: the webhook receiver on the issue job's PostgreSQL ledger (each with a handle of
// its own, as two processes would have): an event processed by one receiver is dropped by the
// other, and an accepted, rejected or revoked badge updates its award, which `status --pending`
// then shows, and `report` counts in its acceptance rate.
const suite = PG_SKIP_REASON ? describe.skip : describe;
const schemas: string[] = [];
const handles: PgLedger[] = [];
const servers: WebhookServer[] = [];
let ctx: Awaited<ReturnType<typeof issuanceSetup>> | undefined;

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const ledger of handles.splice(0)) await ledger.close();
  await ctx?.close();
  ctx = undefined;
});
afterAll(async () => {
  for (const name of schemas) await dropSchema(name);
});

async function handleIn(schema: string): Promise<PgLedger> {
  const ledger = await openPostgresLedger(urlWithSchema(schema));
  handles.push(ledger);
  return ledger;
}

/**
 * A fresh schema with the issue job's setup on a handle of its own, and two receivers (two replicas
 * of the Deployment), each with a handle of its own, the fake delivering to the first. A
 * badge.created can come before the issue job records the badge: they wait for it (20 ms, doubled).
 */
async function twoReceivers(name: string) {
  const schema = freshSchema(name);
  schemas.push(schema);
  const setup = await issuanceSetup({ fake: { webhooks: { retryBaseMs: 5 } }, ledger: await handleIn(schema) });
  ctx = setup; // closed after the test
  const processedBy: Array<[number, string]> = [];
  const receivers = await Promise.all([0, 1].map(async (n) => createWebhookHandler({ client: setup.client, ledger: await handleIn(schema), ackAfterProcessing: true, badgeRecordWaitMs: 20, onEvent: (event) => void processedBy.push([n, event.id]) })));
  for (const handler of receivers) servers.push(await listen({ handler, port: 0 }));
  setup.fake.setWebhookUrl(servers[0]!.url);
  return { schema, receivers, processedBy, setup };
}

suite(`the webhook receiver on a PostgreSQL ledger${PG_SKIP_REASON ? ` (skipped: ${PG_SKIP_REASON})` : ''}`, () => {
  it('updates the awards the issue job wrote; status --pending shows who has not accepted, report the acceptance', async () => {
    const { schema, receivers, processedBy, setup } = await twoReceivers('hooks');
    ctx = setup;

    const report = await issueBadges(csvRows(sqlRosterCsv(4)), ctx.base);
    expect(report.totals.issued).toBe(4);
    const badges = ctx.fake.badges();
    const badgeOf = (k: number) => badges.find((b) => b.recipient_email === `learner${k}@example.edu`)!;
    ctx.fake.acceptBadge(badgeOf(1).id);
    ctx.fake.rejectBadge(badgeOf(2).id);
    await ctx.client.badges.revoke(badgeOf(3).id, { reason: 'Issued to the wrong learner' });
    await ctx.fake.webhooksIdle();
    await Promise.all(receivers.map((handler) => handler.idle()));
    // Events that came before their badge was recorded are processed on their next look.
    const until = Date.now() + 3000;
    while ((await allEvents(ctx.ledger)).some((e) => e.state !== 'processed') && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    await Promise.all(receivers.map((handler) => handler.idle()));

    // Every event the fake sent, delivered again to the other receiver once processed: dropped there (the ledger says processed).
    const events = await allEvents(ctx.ledger);
    expect(events.length).toBeGreaterThanOrEqual(7); // 4 created, 3 state changes
    const redelivered = await Promise.all(
      events.map((event) =>
        fetch(servers[1]!.url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ id: event.eventId, organization_id: ctx!.fake.organizationId, event_type: event.eventType, occurred_at: event.occurredAt }),
        }),
      ),
    );
    await receivers[1]!.idle();
    expect(redelivered.map((r) => r.status).every((status) => status === 200)).toBe(true);
    expect(receivers[1]!.stats()).toMatchObject({ processed: 0, duplicates: events.length });
    expect(await allEvents(ctx.ledger)).toHaveLength(events.length);

    const awards = await allAwards(ctx.ledger);
    const award = (k: number) => awards.find((a) => a.email === `learner${k}@example.edu`)!;
    expect(award(1)).toMatchObject({ state: 'issued', credly: { state: 'accepted' } });
    expect(award(2)).toMatchObject({ state: 'issued', credly: { state: 'rejected' } });
    expect(award(3)).toMatchObject({ state: 'revoked', credly: { state: 'revoked' } });
    // Learner 4's badge.created is applied, though it may have come before the job recorded the badge.
    expect(award(4)).toMatchObject({ state: 'issued', credly: { state: 'pending' } });

    // What the Office sees: only learner 4 has a badge waiting to be accepted.
    const pending = await runCli(['status', '--pending', '--format', 'json', '--ledger', urlWithSchema(schema)], { env: cleanEnv });
    expect(pending.code).toBe(2); // some listed
    expect((JSON.parse(pending.stdout) as { pending: Array<{ email: string }> }).pending.map((row) => row.email)).toEqual(['learner4@example.edu']);
    const status = await runCli(['status', '--ledger', urlWithSchema(schema)], { env: cleanEnv });
    expect(status.stdout).toMatch(/issued 3, failed 0, pending 0, revoked 1/);
    // The program report from the same ledger: accepted out of accepted, pending and rejected (the revoked one left out).
    const dir = mkdtempSync(join(tmpdir(), 'credly-pg-report-'));
    try {
      const html = join(dir, 'report.html');
      const programReport = await runCli(['report', '--ledger', urlWithSchema(schema), '--html', html], { env: cleanEnv });
      expect(programReport.code, programReport.stderr).toBe(0);
      const row = /<tr><td>Coding in SQL[^<]*<\/td>((?:<td[^>]*>[^<]*<\/td>)+)<\/tr>/.exec(readFileSync(html, 'utf8'))?.[1];
      expect([...(row ?? '').matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1])).toEqual(['4', '1', '1', '1', '1', '33.3%']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // One event handed to both receivers at the same moment: recorded once, taken by one of them
    // (its lease in the ledger), processed once: onEvent runs in one receiver, the award is written once.
    ctx.fake.setWebhookUrl(null);
    ctx.fake.acceptBadge(badgeOf(4).id);
    const accepted = (await ctx.client.events.list()).data.find((e) => e.event_type === 'badge.state.changed' && e.badge?.id === badgeOf(4).id)!;
    const body = JSON.stringify({ id: accepted.id, organization_id: ctx.fake.organizationId, event_type: accepted.event_type, occurred_at: accepted.occurred_at });
    const before = award(4).version;
    const statsBefore = receivers.map((handler) => handler.stats());
    const both = await Promise.all(servers.map((server) => fetch(server.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })));
    await Promise.all(receivers.map((handler) => handler.idle()));
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    expect(processedBy.filter(([, id]) => id === accepted.id)).toHaveLength(1);
    const gained = receivers.map((handler, n) => handler.stats().processed - statsBefore[n]!.processed);
    expect(gained.sort()).toEqual([0, 1]);
    expect((await allEvents(ctx.ledger)).filter((e) => e.eventId === accepted.id)).toMatchObject([{ state: 'processed', attempts: 1, lease: null }]);
    const after = (await allAwards(ctx.ledger)).find((a) => a.email === 'learner4@example.edu')!;
    expect(after).toMatchObject({ state: 'issued', credly: { state: 'accepted' } });
    expect(after.version).toBe(before + 1);
    for (const handler of receivers) handler.close();
  });

  it('an event waiting for its badge, delivered again to the other receiver: both look at it, one applies it and runs onEvent once it is recorded', async () => {
    const { receivers, processedBy, setup } = await twoReceivers('hookwait');
    ctx = setup;
    const { record } = await ctx.ledger.planAward({ key: 'non-credit|S11', microcredentialId: 'non-credit', templateId: ctx.templateId, email: 'learner11@example.edu', earnerId: 'S11', row: 1 });
    const claim = (await ctx.ledger.claimAward(record.key, { owner: 'the-issue-job', leaseMs: 60_000 }))!;
    await ctx.ledger.writeAward(record.key, { ...intentPatch(claim.record) }, { claim });
    const badge = ctx.fake.issueOutside({ badge_template_id: ctx.templateId, recipient_email: 'LEARNER11@example.edu', issuer_earner_id: 'S11', issued_to_first_name: 'Jordan', issued_to_last_name: 'Learner', issued_at: '2026-03-02T09:00:00-05:00' });
    await ctx.fake.webhooksIdle();
    const [waiting] = await allEvents(ctx.ledger);
    expect(waiting).toMatchObject({ state: 'received', attempts: 1, lease: null, lastError: expect.stringMatching(/waiting for the issue job/) });
    // Delivered again, to the other receiver: it looks too (another attempt), and waits as well.
    const body = JSON.stringify({ id: waiting!.eventId, organization_id: waiting!.organizationId, event_type: waiting!.eventType, occurred_at: waiting!.occurredAt });
    expect((await receivers[1]!.handle(body)).status).toBe(200);
    expect(await ctx.ledger.getEvent(waiting!.eventId)).toMatchObject({ state: 'received', attempts: 2, lease: null });
    await ctx.ledger.writeAward(record.key, { state: 'issued', badgeId: String(badge.id), issuedAt: '2026-03-02T14:00:00.000Z', lastError: null }, { claim });
    const until = Date.now() + 3000;
    while ((await ctx.ledger.getEvent(waiting!.eventId))?.state !== 'processed' && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    // Both receivers' looks have come (the later one finds it processed).
    await new Promise((resolve) => setTimeout(resolve, 300));
    await Promise.all(receivers.map((handler) => handler.idle()));
    expect(await ctx.ledger.getEvent(waiting!.eventId)).toMatchObject({ state: 'processed' });
    expect(processedBy.map(([, id]) => id)).toEqual([waiting!.eventId]);
    expect(receivers[0]!.stats().processed + receivers[1]!.stats().processed).toBe(1);
    expect(await ctx.ledger.getAward(record.key)).toMatchObject({ state: 'issued', credly: { state: 'pending' } });
    for (const handler of receivers) handler.close();
  });
});
