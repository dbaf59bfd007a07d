import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { issueBadges, planRow } from '../../src/index.js';
import { openPostgresLedger, type PgLedger } from '../../src/ledger/postgres.js';
import { pacedRate } from '../../src/issuance/pacer.js';
import { TestClock } from '../helpers/clock.js';
import { allAwards, sqlAllowingDuplicates, csvRows, issuanceSetup, sqlRosterCsv } from '../helpers/issuance.js';
import { DATABASE_URL, PG_SKIP_REASON, dropSchema, freshSchema } from '../helpers/postgres.js';

// The issuance engine in this process on a PostgreSQL ledger, where it plans the roster in batches
// and claims awards in batches, each claim recording the first send's intent.
const suite = PG_SKIP_REASON ? describe.skip : describe;
const schemas: string[] = [];
let ctx: Awaited<ReturnType<typeof issuanceSetup>> | undefined;
const handles: PgLedger[] = [];

async function ledgerIn(schema: string, now?: () => Date): Promise<PgLedger> {
  const ledger = await openPostgresLedger(DATABASE_URL!, { schema, ...(now ? { now } : {}) });
  handles.push(ledger);
  return ledger;
}

afterEach(async () => {
  for (const ledger of handles.splice(0)) await ledger.close();
  await ctx?.close();
  ctx = undefined;
});
afterAll(async () => {
  if (DATABASE_URL) for (const name of schemas) await dropSchema(name);
});

suite(`the engine on a PostgreSQL ledger${PG_SKIP_REASON ? ` (skipped: ${PG_SKIP_REASON})` : ''}`, () => {
  it('two engines on one roster: each award issued once, and each report adds up to the roster (issued, already issued, held elsewhere)', async () => {
    const schema = freshSchema('engine');
    schemas.push(schema);
    ctx = await issuanceSetup({ fake: { latencyMs: 10 }, ledger: await ledgerIn(schema) });
    const other = await ledgerIn(schema);
    const n = 120;
    const reports = await Promise.all(
      [ctx.ledger, other].map((ledger) => issueBadges(csvRows(sqlRosterCsv(n)), { ...ctx!.base, ledger, concurrency: 4 })),
    );
    expect(reports[0]!.totals.issued + reports[1]!.totals.issued).toBe(n);
    for (const report of reports) {
      expect(report.rows).toBe(n);
      expect(report.totals.issued + report.totals['already-issued'] + report.heldElsewhere).toBe(n);
      expect(report.totals.failed + report.totals.invalid + report.totals.skipped).toBe(0);
    }
    expect(ctx.fake.badges()).toHaveLength(n);
    expect(ctx.fake.duplicateCount()).toBe(0);
    const awards = await allAwards(ctx.ledger);
    expect(awards.every((a) => a.state === 'issued' && a.attempts === 1 && a.fence === 1 && a.lease === null)).toBe(true);
  });

  it('requests that outlast the lease: the leases are renewed, so no award is taken over and each is sent once (a template that allows duplicates)', async () => {
    const schema = freshSchema('renew');
    schemas.push(schema);
    // On this template Credly itself would accept a second badge: only the leases keep each award to one worker.
    const entries = [sqlAllowingDuplicates()];
    ctx = await issuanceSetup({ ledger: await ledgerIn(schema), entries });
    const other = await ledgerIn(schema);
    const n = 8;
    const leaseMs = 400;
    // Every issue request is answered 900 ms after it arrived (the badge is made at once): more than
    // twice the lease. At 2 in flight per engine (and 2 more claimed, waiting for a slot), each
    // engine's claims live about 1.8 s, renewed every third of the lease.
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'slow', delayMs: 900, count: n });
    const started = Date.now();
    const reports = await Promise.all(
      [ctx.ledger, other].map((ledger) => issueBadges(csvRows(sqlRosterCsv(n)), { ...ctx!.base, ledger, concurrency: 2, leaseMs })),
    );
    expect(Date.now() - started).toBeGreaterThan(2 * leaseMs);
    expect(reports.map((r) => r.reconciled)).toEqual([0, 0]);
    expect(reports[0]!.totals.issued + reports[1]!.totals.issued).toBe(n);
    for (const report of reports) expect(report.totals.failed + report.totals.skipped).toBe(0);
    expect(ctx.fake.stats().requests['POST /badges']).toBe(n);
    expect(ctx.fake.badges()).toHaveLength(n);
    expect(ctx.fake.duplicateCount()).toBe(0);
    for (let k = 1; k <= n; k += 1) expect(ctx.fake.badgesFor(ctx.templateId, `learner${k}@example.edu`), `learner${k}`).toHaveLength(1);
    const awards = await allAwards(ctx.ledger);
    expect(awards.every((a) => a.state === 'issued' && a.attempts === 1 && a.fence === 1 && a.lease === null)).toBe(true);
  });

  it('a worker whose renewals were held up past the lease sends none of the awards it had claimed and another took over', async () => {
    const schema = freshSchema('stalled');
    schemas.push(schema);
    const entries = [sqlAllowingDuplicates()];
    ctx = await issuanceSetup({ ledger: await ledgerIn(schema), entries });
    const stalledLedger = ctx.ledger as PgLedger;
    // This worker's renewals hang (a paused process, a stalled connection) until told to go on.
    const renew = stalledLedger.renewClaims.bind(stalledLedger);
    let resume!: () => void;
    const stalled = new Promise<void>((resolve) => (resume = resolve));
    stalledLedger.renewClaims = async (claims, ms) => {
      await stalled;
      return renew(claims, ms);
    };
    const n = 4;
    const leaseMs = 300;
    // It claims all 4 awards: 2 sent (answered after 1.2 s, the badges made at once), 2 claimed with their intents, waiting for a slot.
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'slow', delayMs: 1200, count: 2 });
    const first = issueBadges(csvRows(sqlRosterCsv(n)), { ...ctx.base, concurrency: 2, leaseMs });
    const posts = () => ctx!.fake.stats().requests['POST /badges'] ?? 0;
    while (posts() < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    // Its leases run out; another worker takes the 4 awards over, looks each up, and sends the 2 it finds no badge for.
    await new Promise((resolve) => setTimeout(resolve, leaseMs + 100));
    const second = await issueBadges(csvRows(sqlRosterCsv(n)), { ...ctx.base, ledger: await ledgerIn(schema), concurrency: 2, leaseMs });
    expect(second.reconciled).toBe(n);
    expect(second.totals).toMatchObject({ issued: 2, 'already-issued': 2 });
    expect(posts()).toBe(n);
    // The first worker wakes up: its 2 requests are answered, and it must not send the 2 awards it was holding ready.
    resume();
    const firstReport = await first;
    expect(posts()).toBe(n);
    // Its report has each award once: the 2 it issued (whose writes were refused), the 2 it let go.
    expect(firstReport.totals).toMatchObject({ issued: 2, skipped: 2 });
    expect(new Set(firstReport.awards.map((a) => a.key)).size).toBe(firstReport.awards.length);
    expect(firstReport.awards).toHaveLength(n);
    expect(ctx.fake.badges()).toHaveLength(n);
    for (let k = 1; k <= n; k += 1) expect(ctx.fake.badgesFor(ctx.templateId, `learner${k}@example.edu`), `learner${k}`).toHaveLength(1);
    expect((await allAwards(ctx.ledger)).every((a) => a.state === 'issued' && a.fence === 2)).toBe(true);
  });

  it('behind another worker’s reader, a worker looks awards up before building them: it plans none again, and re-plans a failed one with its row', async () => {
    const schema = freshSchema('enginetrail');
    schemas.push(schema);
    const ledger = await ledgerIn(schema);
    ctx = await issuanceSetup({ ledger });
    const other = await ledgerIn(schema);
    // Another worker planned the whole roster (and died before claiming any of it).
    const template = (await ctx.ledger.getTemplate('coding-in-sql'))!;
    const context = { microcredentials: new Map(ctx.entries.map((e) => [e.microcredential.id, e])), microcredentialByTemplate: new Map<string, string>(), template: () => template, unusable: new Map<string, string>(), now: new Date() };
    const n = 300;
    const plans = [];
    for await (const row of csvRows(sqlRosterCsv(n))) {
      const plan = planRow(row, context, undefined, undefined);
      if (plan.do !== 'issue') throw new Error(plan.do);
      plans.push(plan);
    }
    await other.planAwards!(plans.map((plan) => plan.award));
    // Two of them failed there (their rows, seen again, send their requests again).
    for (const plan of plans.slice(200, 202)) {
      const claim = (await other.claimAward(plan.key, { owner: other.owner, leaseMs: 60_000 }))!;
      await other.writeAward(plan.key, { state: 'failed', lastError: 'HTTP 422 (fixed since)' }, { claim });
    }
    const planned: number[] = [];
    const plan = ledger.planAwards.bind(ledger);
    ledger.planAwards = (awards) => {
      planned.push(awards.length);
      return plan(awards);
    };
    const report = await issueBadges(csvRows(sqlRosterCsv(n)), { ...ctx.base, concurrency: 4 });
    expect(report.totals.issued).toBe(n);
    expect(ctx.fake.badges()).toHaveLength(n);
    // Only the first batch (8 rows at concurrency 4, before it knew it trailed) went to planAwards;
    // the rest were looked up, not built and sent again (300 before).
    expect(planned.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(8);
    const awards = await allAwards(ctx.ledger);
    expect(awards.every((a) => a.state === 'issued' && a.attempts === 1)).toBe(true);
  });

  it('two engines with one rate: every request of either takes the next slot of one sequence in the database', async () => {
    const schema = freshSchema('rate');
    schemas.push(schema);
    // The ledgers' clock stands still, so that the slots are plain multiples of the interval
    // (from the database's sequence), whatever the order and timing of the requests.
    const clock = new TestClock();
    ctx = await issuanceSetup({ ledger: await ledgerIn(schema, clock.now) });
    const other = await ledgerIn(schema, clock.now);
    const waits = new Map<PgLedger, number[]>();
    for (const ledger of [ctx.ledger as PgLedger, other]) {
      const reserve = ledger.reserveRateSlot.bind(ledger);
      waits.set(ledger, []);
      ledger.reserveRateSlot = async (bucket, perSecond) => {
        const wait = await reserve(bucket, perSecond);
        waits.get(ledger)!.push(wait);
        return wait;
      };
    }
    const requestsBefore = Object.values(ctx.fake.stats().requests).reduce((a, b) => a + b, 0);
    const n = 30;
    // 1,000/s: waits of about a millisecond each, so that the test takes no time.
    const reports = await Promise.all(
      [ctx.ledger, other].map((ledger) => issueBadges(csvRows(sqlRosterCsv(n)), { ...ctx!.base, ledger, concurrency: 4, ratePerSecond: 1000 })),
    );
    expect(reports[0]!.totals.issued + reports[1]!.totals.issued).toBe(n);
    expect(ctx.fake.badges()).toHaveLength(n);
    const requests = Object.values(ctx.fake.stats().requests).reduce((a, b) => a + b, 0) - requestsBefore;
    const all = [...waits.values()].flat().sort((a, b) => a - b);
    // Each request either engine made (the template checks, every issue) took one slot, and both engines drew from the one sequence.
    expect(all).toHaveLength(requests);
    for (const list of waits.values()) expect(list.length).toBeGreaterThan(1);
    const interval = 1000 / pacedRate(1000);
    all.forEach((wait, k) => expect(wait).toBeCloseTo(k * interval, 1));
  });

  it('a run stopped while claimed awards wait for a free slot takes their intents back: attempts count only requests sent', async () => {
    const schema = freshSchema('enginestop');
    schemas.push(schema);
    ctx = await issuanceSetup({ fake: { latencyMs: 40 }, ledger: await ledgerIn(schema) });
    const controller = new AbortController();
    const poll = setInterval(() => {
      if (ctx!.fake.badges().length >= 3) {
        clearInterval(poll);
        controller.abort();
      }
    }, 2);
    // One award in flight at a time, and one more claimed (its intent recorded) waiting for the slot.
    const report = await issueBadges(csvRows(sqlRosterCsv(40)), { ...ctx.base, concurrency: 1, signal: controller.signal }).finally(() => clearInterval(poll));
    expect(report.cancelled).toBe(true);
    const awards = await allAwards(ctx.ledger);
    const posts = ctx.fake.stats().requests['POST /badges'] ?? 0;
    expect(posts).toBeLessThan(40);
    expect(awards.filter((a) => a.state === 'issuing')).toEqual([]);
    expect(awards.reduce((sum, a) => sum + a.attempts, 0)).toBe(posts);
    // Claimed, never sent, given back as planned: the claim's fence stays, the attempt does not.
    const givenBack = awards.filter((a) => a.state === 'planned' && a.fence > 0);
    expect(givenBack.length).toBeGreaterThanOrEqual(1);
    expect(givenBack.every((a) => a.attempts === 0 && a.lease === null)).toBe(true);
  });
});
