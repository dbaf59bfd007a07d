import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileLedger } from '../../src/ledger/file.js';
import { TestClock } from '../helpers/clock.js';
import { checkTemplates, CredlyClient, formatReport, issueBadges, MemoryLedger, reportSucceeded } from '../../src/index.js';
import { approvedEntry, csvRows, issuanceSetup, sqlRosterCsv, allAwards } from '../helpers/issuance.js';

let ctx: Awaited<ReturnType<typeof issuanceSetup>>;
afterEach(async () => {
  await ctx?.close();
});

const issuedOnce = (n: number, from = 1) => {
  for (let k = from; k < from + n; k += 1) expect(ctx.fake.badgesFor(ctx.templateId, `learner${k}@example.edu`), `learner${k}`).toHaveLength(1);
  expect(ctx.fake.duplicateCount()).toBe(0);
};

describe('issuance against the fake Credly', () => {
  it('issues every learner once, with evidence, and records it', async () => {
    ctx = await issuanceSetup();
    const report = await issueBadges(csvRows(sqlRosterCsv(40)), ctx.base);
    expect(report.totals).toMatchObject({ issued: 40, failed: 0, invalid: 0 });
    expect(reportSucceeded(report)).toBe(true);
    expect(ctx.fake.badges()).toHaveLength(40);
    issuedOnce(40);
    const badge = ctx.fake.badgesFor(ctx.templateId, 'learner3@example.edu')[0]!;
    expect(badge).toMatchObject({ issuer_earner_id: 'B00000003', suppress_badge_notification_email: true, issued_at: '2026-04-02T14:00:00.000Z', expires_at: '2029-04-02T14:00:00.000Z' });
    expect(badge.evidence[0]).toMatchObject({ type: 'IdEvidence', title: 'Proctored SQL assessment', description: 'Score 17/20 (85 %)' });
    expect((await allAwards(ctx.ledger)).every((a) => a.state === 'issued' && a.attempts === 1 && a.badgeId)).toBe(true);
    expect(formatReport(report)).toMatch(/issued 40, already issued 0, failed 0/);
  });

  it('issues nothing new when run again', async () => {
    ctx = await issuanceSetup();
    await issueBadges(csvRows(sqlRosterCsv(25)), ctx.base);
    const posts = ctx.fake.stats().requests['POST /badges'];
    const again = await issueBadges(csvRows(sqlRosterCsv(30)), ctx.base);
    expect(again.totals).toMatchObject({ issued: 5, 'already-issued': 25 });
    expect(ctx.fake.stats().requests['POST /badges']).toBe(posts! + 5);
    issuedOnce(30);
  });

  it('reconciles a duplicate 422: the badge Credly already had is recorded, not issued again', async () => {
    ctx = await issuanceSetup();
    const existing = await ctx.client.badges.issue({ badge_template_id: ctx.templateId, recipient_email: 'learner2@example.edu', issued_to_first_name: 'L', issued_to_last_name: 'Two', issued_at: new Date(), issuer_earner_id: 'B00000002' });
    const report = await issueBadges(csvRows(sqlRosterCsv(3)), ctx.base);
    expect(report.awards.map((a) => a.outcome)).toEqual(['issued', 'already-issued', 'issued']);
    expect(report.awards[1]?.badgeId).toBe(existing.id);
    issuedOnce(3);
  });

  it('leaves no duplicate when the connection is reset after the badge was created', async () => {
    ctx = await issuanceSetup();
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'reset-after-commit', count: 6 });
    const report = await issueBadges(csvRows(sqlRosterCsv(20)), ctx.base);
    expect(report.totals.issued).toBe(20);
    expect(ctx.fake.stats().faults['reset-after-commit']).toBe(6);
    expect(ctx.fake.stats().requests['POST /badges']).toBe(20);
    issuedOnce(20);
  });

  it.each(['warn', 'off'] as const)('looks up an award whose 2xx answer has no badge id (validateResponses %s), instead of recording it issued without one', async (validateResponses) => {
    ctx = await issuanceSetup();
    // A proxy in front of the fake: the first issue's answer (the badge made) comes back without its id.
    let stripped = 0;
    const proxy = createServer((req, res) => {
      const body: Buffer[] = [];
      req.on('data', (chunk: Buffer) => body.push(chunk));
      req.on('end', () => {
        const upstream = request(new URL(req.url ?? '/', ctx.fake.url), { method: req.method, headers: req.headers }, (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            let text = Buffer.concat(parts).toString('utf8');
            if (req.method === 'POST' && /\/badges$/.test(req.url ?? '') && answer.statusCode === 201 && stripped === 0) {
              const json = JSON.parse(text) as { data: Record<string, unknown> };
              delete json.data.id;
              text = JSON.stringify(json);
              stripped += 1;
            }
            const { 'content-length': _length, ...headers } = answer.headers;
            res.writeHead(answer.statusCode ?? 502, headers);
            res.end(text);
          });
        });
        upstream.end(Buffer.concat(body));
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const { credentials } = ctx.fake.clientConfig();
    const client = new CredlyClient(credentials, { baseUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/v1`, validateResponses, retryTiming: { baseDelayMs: 1, maxDelayMs: 2 } });
    try {
      const report = await issueBadges(csvRows(sqlRosterCsv(3)), { ...ctx.base, client, concurrency: 1 });
      expect(stripped).toBe(1);
      expect(report.totals).toMatchObject({ issued: 3, failed: 0 });
      // Before: the first award was recorded issued with no badge id. Now it is looked up, and found.
      expect(ctx.fake.stats().requests['GET /badges']).toBeGreaterThanOrEqual(1);
      const awards = await allAwards(ctx.ledger);
      expect(awards.map((a) => [a.state, ctx.fake.badges().some((b) => b.id === a.badgeId)])).toEqual([['issued', true], ['issued', true], ['issued', true]]);
      issuedOnce(3);
    } finally {
      client.close();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  it('survives answers slower than its timeout and cut-off JSON, both after the badge was made', async () => {
    ctx = await issuanceSetup({ client: { timeoutMs: 200 } });
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'slow', delayMs: 1000, count: 2 });
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'malformed-json', count: 2 });
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'html-error', count: 2 });
    const report = await issueBadges(csvRows(sqlRosterCsv(10)), ctx.base);
    expect(report.totals.issued).toBe(10);
    issuedOnce(10);
  });

  it('rides out a storm of 5xx, and a second run finishes what the first could not', async () => {
    ctx = await issuanceSetup({ fake: { faults: { errorRate: 0.35 } } });
    const first = await issueBadges(csvRows(sqlRosterCsv(40)), { ...ctx.base, maxAttempts: 2 });
    expect(first.totals.issued + first.totals.failed).toBe(40);
    expect(ctx.fake.stats().faults['error-5xx']).toBeGreaterThan(5);
    expect(ctx.fake.duplicateCount()).toBe(0);
    const badgesAfterFirst = ctx.fake.badges().length;
    expect(first.totals.issued).toBeLessThanOrEqual(badgesAfterFirst);
    ctx.fake.clearFaults();
    const second = await issueBadges(csvRows(sqlRosterCsv(40)), ctx.base);
    // The totals say what this run did: it reports as issued exactly the badges it created.
    expect(second.totals.issued).toBe(ctx.fake.badges().length - badgesAfterFirst);
    expect(second.totals.failed).toBe(0);
    // Awards the first run left "issuing" (its look-up failed too) are taken over and looked up
    // first, keeping their row; each award is reported once.
    expect(second.awards).toHaveLength(40);
    expect(new Set(second.awards.map((a) => a.key)).size).toBe(40);
    expect(second.awards.every((a) => a.row !== null && (a.outcome === 'issued' || a.outcome === 'already-issued'))).toBe(true);
    expect(second.takenOver).toBe(second.reconciled);
    issuedOnce(40);
  });

  it('waits out 429s with and without Retry-After in the client, and the engine never re-sends for them', async () => {
    ctx = await issuanceSetup();
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'rate-limit', retryAfterSeconds: 1, count: 2 });
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'rate-limit', retryAfterSeconds: null, count: 2 });
    const report = await issueBadges(csvRows(sqlRosterCsv(6)), { ...ctx.base, concurrency: 1 });
    expect(report.totals.issued).toBe(6);
    // One award met all four 429s: the client waited the Retry-Afters, then backed off (capped at 2 ms
    // in this setup); 429s do not count against maxRetries (2 here). From then on requests start at
    // least the learned spacing apart (100 ms, doubled per episode of 429s), retries included.
    expect(ctx.sleeps.slice(0, 3)).toEqual([1000, 1000, 2]);
    expect(ctx.sleeps).toContain(198); // the fourth attempt: 200 ms after the third, 2 ms of which had passed
    expect(ctx.engineSleeps).toEqual([]);
    expect(ctx.fake.stats().requests['POST /badges']).toBe(10);
    issuedOnce(6);
  });

  it('reports bad rows with row and column, and issues the good ones', async () => {
    ctx = await issuanceSetup();
    const bad = [
      'coding-in-sql,not-an-email,Ana,Lopez,B90000001,2026-04-02T10:00:00-04:00,Proctored SQL assessment,18,20',
      'coding-in-sql,low.score@example.edu,Low,Score,B90000002,2026-04-02T10:00:00-04:00,Proctored SQL assessment,9,20',
      'underwater-basketry,ub@example.edu,U,B,B90000003,2026-04-02T10:00:00-04:00,Exam,18,20',
      'coding-in-sql,LEARNER1@example.edu,Learner,Again,B00000001,2026-04-02T10:00:00-04:00,Proctored SQL assessment,18,20',
      'coding-in-sql,no.evidence@example.edu,No,Evidence,B90000004,2026-04-02T10:00:00-04:00,,,',
    ];
    const report = await issueBadges(csvRows(sqlRosterCsv(5, 1, bad)), ctx.base);
    expect(report.totals).toMatchObject({ issued: 5, invalid: 4, skipped: 1 });
    const byRow = new Map(report.awards.map((a) => [a.row, a]));
    expect(byRow.get(6)?.problems).toEqual([{ field: 'Recipient Email', message: '"not-an-email" is not a valid email address' }]);
    expect(byRow.get(7)?.problems?.[0]?.message).toMatch(/45 % is below the 70 %/);
    expect(byRow.get(8)?.problems?.[0]?.message).toMatch(/unknown microcredential underwater-basketry/);
    expect(byRow.get(9)).toMatchObject({ outcome: 'skipped', reason: 'the same learner is at row 1: one award' });
    expect(byRow.get(10)?.problems?.[0]?.message).toMatch(/assessment evidence is required/);
    expect(formatReport(report)).toMatch(/invalid row 6 \(not-an-email\)|invalid row 6/);
    issuedOnce(5);
  });

  it.each(['retired', 'office_review'] as const)('skips the rows of a microcredential that is %s (not approved), and sends nothing for them', async (state) => {
    ctx = await issuanceSetup(); // its template synced and active while it was approved
    const [entry] = ctx.entries;
    const microcredentials = [{ ...entry!, approval: { ...entry!.approval, state } }];
    const report = await issueBadges(csvRows(sqlRosterCsv(3)), { ...ctx.base, microcredentials });
    expect(report.totals).toMatchObject({ skipped: 3, issued: 0, failed: 0, invalid: 0 });
    expect(report.awards.map((a) => a.reason)).toEqual(Array(3).fill(`microcredential coding-in-sql is ${state}, not approved: no badges are issued for it`));
    expect(ctx.fake.stats().requests['POST /badges']).toBeUndefined();
    expect(await allAwards(ctx.ledger)).toEqual([]);
  });

  it('keeps one badge on a template that allows duplicates, through ambiguous failures', async () => {
    const entry = approvedEntry('non-credit', (json) => {
      json.badge.allowDuplicates = true;
    });
    ctx = await issuanceSetup({ entries: [entry] });
    expect((await ctx.client.badgeTemplates.get(ctx.templateId)).allow_duplicate_badges).toBe(true);
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'reset-after-commit', count: 4 });
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'slow', delayMs: 800, count: 2 });
    const report = await issueBadges(csvRows(sqlRosterCsv(12)), { ...ctx.base, client: ctx.client });
    expect(report.totals.issued).toBe(12);
    issuedOnce(12);
    // And a re-run, where Credly itself would accept a second badge, sends nothing.
    const posts = ctx.fake.stats().requests['POST /badges'];
    await issueBadges(csvRows(sqlRosterCsv(12)), ctx.base);
    expect(ctx.fake.stats().requests['POST /badges']).toBe(posts);
    issuedOnce(12);
  });

  it('fails the awards of an archived template with the reason, and goes on with the others', async () => {
    const credit = approvedEntry('credit-bearing');
    const sql = approvedEntry('non-credit');
    ctx = await issuanceSetup({ entries: [sql, credit] });
    const creditTemplate = (await ctx.ledger.getTemplate('geospatial-data-analysis'))!.templateId;
    ctx.fake.archiveTemplate(creditTemplate);
    const extra = ['geospatial-data-analysis,geo1@example.edu,Geo,One,B70000001,2026-05-20T17:00:00-04:00,Portfolio rubric,90,100'];
    const csv = sqlRosterCsv(3, 1, extra).replace('Assessment Max Score', 'Assessment Max Score,Evidence Name,Evidence URL').replace(/\r\n(coding-in-sql[^\r]*)/g, '\r\n$1,,').replace(/(geospatial[^\r]*)/, '$1,Map portfolio,https://portfolio.example.edu/geo1');
    const report = await issueBadges(csvRows(csv), ctx.base);
    expect(report.totals).toMatchObject({ issued: 3, failed: 1 });
    // The run looked at each template first: it sends nothing for the archived one.
    expect(report.awards.find((a) => a.microcredentialId === 'geospatial-data-analysis')?.reason).toMatch(/template of geospatial-data-analysis is unusable \(archived in Credly\)/);
    expect(await ctx.ledger.getTemplate('geospatial-data-analysis')).toMatchObject({ state: 'unusable', unusableReason: 'archived in Credly' });
    expect(ctx.fake.stats().requests['POST /badges']).toBe(3);
  });

  it('takes a template check started earlier (checkTemplates): both templates asked at once, none asked again', async () => {
    const credit = approvedEntry('credit-bearing');
    const sql = approvedEntry('non-credit');
    ctx = await issuanceSetup({ entries: [sql, credit] });
    ctx.fake.archiveTemplate((await ctx.ledger.getTemplate('geospatial-data-analysis'))!.templateId);
    const asked = () => ctx!.fake.stats().requests['GET /badge_templates/:id'] ?? 0;
    const before = asked();
    const templateCheck = checkTemplates({ client: ctx.client, ledger: ctx.ledger, microcredentials: ctx.entries });
    const extra = ['geospatial-data-analysis,geo1@example.edu,Geo,One,B70000001,2026-05-20T17:00:00-04:00,Portfolio rubric,90,100'];
    const csv = sqlRosterCsv(2, 1, extra).replace('Assessment Max Score', 'Assessment Max Score,Evidence Name,Evidence URL').replace(/\r\n(coding-in-sql[^\r]*)/g, '\r\n$1,,').replace(/(geospatial[^\r]*)/, '$1,Map portfolio,https://portfolio.example.edu/geo1');
    const report = await issueBadges(csvRows(csv), { ...ctx.base, templateCheck });
    expect(asked() - before).toBe(2);
    expect(report.totals).toMatchObject({ issued: 2, failed: 1 });
    expect(report.awards.find((a) => a.microcredentialId === 'geospatial-data-analysis')?.reason).toMatch(/unusable \(archived in Credly\)/);
    expect(await ctx.ledger.getTemplate('geospatial-data-analysis')).toMatchObject({ state: 'unusable' });
  });

  it('stops before any award when the template check found the credentials refused', async () => {
    ctx = await issuanceSetup();
    const report = await issueBadges(csvRows(sqlRosterCsv(2)), { ...ctx.base, templateCheck: Promise.resolve({ templates: new Map(), unusable: new Map(), credentialsRefused: 'HTTP 401' }) });
    expect(report.stoppedBecause).toMatch(/Credly refused the credentials \(HTTP 401\)/);
    expect(ctx.fake.stats().requests['POST /badges'] ?? 0).toBe(0);
  });

  it('notices a template deleted in Credly before sending, in a dry run too', async () => {
    ctx = await issuanceSetup();
    await fetch(`${ctx.fake.baseUrl}/organizations/${ctx.fake.organizationId}/badge_templates/${ctx.templateId}`, { method: 'DELETE', headers: { Authorization: `Basic ${Buffer.from(`${ctx.fake.token}:`).toString('base64')}` } });
    const dry = await issueBadges(csvRows(sqlRosterCsv(2)), { ...ctx.base, dryRun: true });
    expect(dry.awards[0]?.reason).toMatch(/unusable \(deleted in Credly\)/);
    expect((await ctx.ledger.getTemplate('coding-in-sql'))?.state).toBe('active'); // a dry run writes nothing
    const real = await issueBadges(csvRows(sqlRosterCsv(2)), ctx.base);
    expect(real.totals.failed).toBe(2);
    expect(await ctx.ledger.getTemplate('coding-in-sql')).toMatchObject({ state: 'unusable', unusableReason: 'deleted in Credly' });
    expect(ctx.fake.stats().requests['POST /badges']).toBeUndefined();
  });

  it('fails with a clear 422 when a template is archived in the middle of a run', async () => {
    ctx = await issuanceSetup();
    let archived = false;
    const report = await issueBadges(csvRows(sqlRosterCsv(10)), {
      ...ctx.base,
      concurrency: 1,
      onProgress: (event) => {
        if (event.done === 4 && !archived) {
          archived = true;
          ctx.fake.archiveTemplate(ctx.templateId);
        }
      },
    });
    expect(report.totals).toMatchObject({ issued: 4, failed: 6 });
    expect(report.awards.at(-1)?.reason).toMatch(/422 POST .*archived and cannot be used to issue badges/);
  });

  it('stops at once when Credly refuses the credentials', async () => {
    ctx = await issuanceSetup();
    const { CredlyClient } = await import('../../src/index.js');
    const wrong = new CredlyClient({ organizationId: ctx.fake.organizationId, authToken: 'revoked-token' }, { baseUrl: ctx.fake.baseUrl });
    const report = await issueBadges(csvRows(sqlRosterCsv(30)), { ...ctx.base, client: wrong, concurrency: 2 });
    expect(report.stoppedBecause).toMatch(/Credly refused the credentials/);
    // Refused at the first look at the templates: no award is attempted.
    expect(report.totals.failed).toBe(0);
    expect(ctx.fake.stats().requests['POST /badges'] ?? 0).toBe(0);
    expect(ctx.fake.badges()).toHaveLength(0);
    wrong.close();
  });

  it('cancels: awards in flight finish and are recorded, nothing new starts, a re-run goes on', async () => {
    ctx = await issuanceSetup({ fake: { latencyMs: 5 } });
    const controller = new AbortController();
    const report = await issueBadges(csvRows(sqlRosterCsv(40)), {
      ...ctx.base,
      concurrency: 4,
      signal: controller.signal,
      onProgress: (event) => {
        if (event.done === 10) controller.abort();
      },
    });
    expect(report.cancelled).toBe(true);
    const settled = report.totals.issued;
    expect(settled).toBeGreaterThanOrEqual(10);
    expect(settled).toBeLessThan(20);
    expect(ctx.fake.badges()).toHaveLength(settled);
    expect((await allAwards(ctx.ledger)).filter((a) => a.state === 'issued')).toHaveLength(settled);
    const rest = await issueBadges(csvRows(sqlRosterCsv(40)), ctx.base);
    expect(rest.totals).toMatchObject({ issued: 40 - settled, 'already-issued': settled });
    issuedOnce(40);
  });

  it('plans without sending in a dry run', async () => {
    ctx = await issuanceSetup();
    const ledger = new MemoryLedger();
    for (const t of await ctx.ledger.listTemplates()) await ledger.putTemplate(t);
    const report = await issueBadges(csvRows(sqlRosterCsv(15)), { ...ctx.base, ledger, dryRun: true });
    expect(report).toMatchObject({ dryRun: true, totals: { planned: 15, issued: 0 } });
    expect(ctx.fake.stats().requests['POST /badges']).toBeUndefined();
    expect((await allAwards(ledger))).toEqual([]);
  });

  it('paces requests to a configured rate', async () => {
    ctx = await issuanceSetup();
    const report = await issueBadges(csvRows(sqlRosterCsv(10)), { ...ctx.base, ratePerSecond: 50, concurrency: 8 });
    expect(report.totals.issued).toBe(10);
    // Eleven requests (the template check, then ten issues) about 21 ms apart (3 % under 50/s):
    // the pacer asked for waits adding up to about 206 ms.
    const waited = ctx.engineSleeps.reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThan(190);
  });

  it('with a rate shared through the ledger, every request takes a slot: the template check, issues, retries after 429s, each page of a look-up', async () => {
    /** A memory ledger that shares a rate as PostgreSQL does, counting the slots taken. */
    class SlotLedger extends MemoryLedger {
      readonly slots: Array<{ bucket: string; perSecond: number }> = [];
      async takeRateSlot(bucket: string, perSecond: number): Promise<void> {
        this.slots.push({ bucket, perSecond });
      }
    }
    const ledger = new SlotLedger();
    ctx = await issuanceSetup({ ledger });
    const requests = () => Object.values(ctx.fake.stats().requests).reduce((a, b) => a + b, 0);
    const before = requests();
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'rate-limit', retryAfterSeconds: 1, count: 3 });
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'reset-after-commit', count: 2 }); // each looked up
    const report = await issueBadges(csvRows(sqlRosterCsv(12)), { ...ctx.base, ratePerSecond: 20 });
    expect(report.totals.issued).toBe(12);
    issuedOnce(12);
    const sent = requests() - before;
    // 1 template check, 12 issues, 3 retries after 429s, 2 look-ups (after resets that came after
    // the badge was made: each look-up finds it, nothing is sent again).
    expect(ctx.fake.stats().requests['POST /badges']).toBe(12 + 3);
    expect(ctx.fake.stats().requests['GET /badges']).toBeGreaterThanOrEqual(2);
    expect(ledger.slots).toHaveLength(sent);
    expect(new Set(ledger.slots.map((s) => `${s.bucket} ${s.perSecond}`))).toEqual(new Set([`credly:${ctx.client.organizationId} 19.4`]));
  });
});

describe('awards prepared ahead of their slot', () => {
  it('a job whose ledger another job takes over during a request sends none of its prepared awards', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'credly-takeover-'));
    const path = join(dir, 'awards.ledger');
    const clockA = new TestClock();
    const clockB = new TestClock();
    clockB.advance(60_001); // B's clock says A's lease ran out
    const ledger = await FileLedger.open(path, { lockNow: clockA.now, lockTtlMs: 60_000 });
    ctx = await issuanceSetup({ ledger });
    let successor: FileLedger | undefined;
    const sent: string[] = [];
    let prepared = 0;
    const planAndClaim = ledger.planAndClaim.bind(ledger);
    ledger.planAndClaim = async (award, options) => {
      const result = await planAndClaim(award, options);
      prepared += 1;
      return result;
    };
    const issue = ctx.client.badges.issueReturningId.bind(ctx.client.badges);
    ctx.client.badges.issueReturningId = async (params, options) => {
      sent.push(params.recipient_email);
      // While the first request is in flight, and the second award is prepared (its intent
      // durable, waiting for the slot), another job takes the ledger over.
      while (prepared < 2) await new Promise((resolve) => setTimeout(resolve, 1));
      successor ??= await FileLedger.open(path, { lockNow: clockB.now, lockTtlMs: 60_000 });
      return issue(params, options);
    };
    try {
      const report = await issueBadges(csvRows(sqlRosterCsv(4)), { ...ctx.base, concurrency: 1 });
      // The request in flight when it happened went; the prepared one did not (before: it did).
      expect(sent).toEqual(['learner1@example.edu']);
      expect(ctx.fake.badges()).toHaveLength(1);
      expect(report.stoppedBecause).toMatch(/lost the ledger's lease: another job took the ledger over/);
    } finally {
      await successor?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives a slot to the next award, whose request goes out, before the answered award’s outcome is written', async () => {
    ctx = await issuanceSetup();
    const events: string[] = [];
    const issue = ctx.client.badges.issueReturningId.bind(ctx.client.badges);
    ctx.client.badges.issueReturningId = (params, options) => {
      events.push(`send ${params.recipient_email}`);
      return issue(params, options);
    };
    const write = ctx.ledger.writeAward.bind(ctx.ledger);
    ctx.ledger.writeAward = (key, patch, guard) => {
      if (patch.state === 'issued') events.push(`issued ${key.split('|')[1]}`);
      return write(key, patch, guard);
    };
    const report = await issueBadges(csvRows(sqlRosterCsv(4)), { ...ctx.base, concurrency: 1 });
    expect(report.totals.issued).toBe(4);
    // One slot: the second request left before the first outcome was recorded (before: after it).
    expect(events.slice(0, 3)).toEqual(['send learner1@example.edu', 'send learner2@example.edu', expect.stringMatching(/^issued /)]);
    expect(events.filter((e) => e.startsWith('send'))).toHaveLength(4);
  });

  it('talks to Credly with at most `concurrency` requests, while more awards have their intent durable and wait', async () => {
    ctx = await issuanceSetup({ fake: { latencyMs: 10 } });
    const ledger = ctx.ledger;
    let inFlight = 0;
    let maxInFlight = 0;
    let mostWaiting = 0;
    const issue = ctx.client.badges.issueReturningId.bind(ctx.client.badges);
    ctx.client.badges.issueReturningId = async (params, options) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Awards whose intent is durable ("issuing") but whose request is not out yet: prepared.
      let intents = 0;
      for await (const _award of ledger.queryAwards({ state: 'issuing' })) intents += 1;
      mostWaiting = Math.max(mostWaiting, intents - inFlight);
      try {
        return await issue(params, options);
      } finally {
        inFlight -= 1;
      }
    };
    const report = await issueBadges(csvRows(sqlRosterCsv(30)), { ...ctx.base, concurrency: 3 });
    expect(report.totals.issued).toBe(30);
    expect(maxInFlight).toBe(3);
    expect(mostWaiting).toBeGreaterThanOrEqual(1);
    issuedOnce(30);
  });

  it('a run that stops sends none of its prepared awards; they are recorded not sent, and the next run issues them once', async () => {
    ctx = await issuanceSetup({ fake: { latencyMs: 5 } });
    const report = await issueBadges(csvRows(sqlRosterCsv(40)), {
      ...ctx.base,
      concurrency: 4,
      onProgress: (event) => {
        // Credly starts refusing the credentials once 8 awards are done: the run must stop.
        if (event.done === 8) ctx.fake.injectFault({ route: 'POST /badges', kind: 'error-5xx', status: 401, count: 100 });
      },
    });
    expect(report.stoppedBecause).toMatch(/Credly refused the credentials/);
    const notSent = report.awards.filter((a) => /not sent: the run stopped/.test(a.reason ?? ''));
    expect(notSent.length).toBeGreaterThanOrEqual(1);
    // Sent: the issued ones and those refused in flight (at most `concurrency`), never a prepared one.
    const posts = ctx.fake.stats().requests['POST /badges'] ?? 0;
    expect(posts).toBeLessThanOrEqual(report.totals.issued + 4);
    const byKey = new Map((await allAwards(ctx.ledger)).map((a) => [a.key, a]));
    for (const award of notSent) expect(byKey.get(award.key!)?.state).toBe('failed');
    expect([...byKey.values()].filter((a) => a.state === 'issuing')).toEqual([]);
    ctx.fake.clearFaults();
    const rest = await issueBadges(csvRows(sqlRosterCsv(40)), ctx.base);
    expect(rest.totals.issued + rest.totals['already-issued']).toBe(40);
    issuedOnce(40);
  });
});
