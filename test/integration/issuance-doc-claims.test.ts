import { afterEach, describe, expect, it } from 'vitest';
import { CredlyAbortError, CredlyClient, issueBadges, reportSucceeded, type AwardOutcome } from '../../src/index.js';
import { allAwards, csvRows, issuanceSetup, sqlRosterCsv } from '../helpers/issuance.js';

// docs/issuance.md, claim by claim: what test/integration/issuance.test.ts,
// credly-fidelity.test.ts and test/unit/issuance/award.test.ts do not assert.

let ctx: Awaited<ReturnType<typeof issuanceSetup>>;
afterEach(async () => {
  await ctx?.close();
});

const requests = (route: string) => ctx.fake.stats().requests[route] ?? 0;

describe('docs/issuance.md: the protocol', () => {
  it('an ambiguous failure is sent again at most maxAttempts times (3 by default), after retryDelayMs doubled, each send looked up first', async () => {
    ctx = await issuanceSetup();
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'error-5xx', status: 503, count: 100 });
    const report = await issueBadges(csvRows(sqlRosterCsv(1)), { ...ctx.base, retryDelayMs: 100 });
    expect(report.awards[0]).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/^no badge after 3 attempt\(s\); last: 503 POST /), attempts: 3 });
    expect(requests('POST /badges')).toBe(3);
    expect(ctx.engineSleeps).toEqual([100, 200]);
    // Each 503 was looked up before the next send (a look-up asks by earner id, then by email, ...).
    expect(requests('GET /badges')).toBeGreaterThanOrEqual(3);
  });

  it('"no badge after N attempts": the next run sends the award again without a look-up (its last send was looked up already)', async () => {
    ctx = await issuanceSetup();
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'error-5xx', status: 503, count: 100 });
    await issueBadges(csvRows(sqlRosterCsv(1)), { ...ctx.base, maxAttempts: 2 });
    ctx.fake.clearFaults();
    const [posts, lookUps] = [requests('POST /badges'), requests('GET /badges')];
    const again = await issueBadges(csvRows(sqlRosterCsv(1)), ctx.base);
    expect(again.totals).toMatchObject({ issued: 1, failed: 0 });
    expect(again.takenOver).toBe(0);
    expect(requests('POST /badges')).toBe(posts + 1);
    expect(requests('GET /badges')).toBe(lookUps);
    expect(ctx.fake.badgesFor(ctx.templateId, 'learner1@example.edu')).toHaveLength(1);
  });

  it('a look-up that fails (the client\'s retries spent) is made again in the same run, after a backoff; the award is not left to a next run', async () => {
    ctx = await issuanceSetup();
    // The badge is made but the answer is lost; the look-up's first request and both its retries fail.
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'reset-after-commit', count: 1 });
    ctx.fake.injectFault({ route: 'GET /badges', kind: 'reset-after-commit', count: 3 });
    const report = await issueBadges(csvRows(sqlRosterCsv(1)), ctx.base);
    expect(report.totals).toMatchObject({ issued: 1, failed: 0 });
    expect(ctx.engineSleeps).toEqual([1]); // retryDelayMs, before the second look-up
    expect(requests('GET /badges')).toBe(4);
    expect(requests('POST /badges')).toBe(1);
    expect((await allAwards(ctx.ledger)).map((a) => a.state)).toEqual(['issued']);
    expect(ctx.fake.badges()).toHaveLength(1);
  });

  it('a cancel during the wait before another look-up leaves the award issuing, with the look-up\'s error', async () => {
    ctx = await issuanceSetup();
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'reset-after-commit', count: 1 });
    ctx.fake.injectFault({ route: 'GET /badges', kind: 'error-5xx', status: 503, count: 3 });
    const controller = new AbortController();
    // The operator's SIGTERM arrives while the award waits to look again.
    const report = await issueBadges(csvRows(sqlRosterCsv(1)), { ...ctx.base, signal: controller.signal, sleep: async () => controller.abort() });
    expect(report.awards[0]).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/^not looked up again \(the look-up failed: .*503.*\): the run was cancelled; the award stays "issuing"/) });
    expect((await allAwards(ctx.ledger)).map((a) => a.state)).toEqual(['issuing']);
    expect(requests('GET /badges')).toBe(3);
  });

  it('a stop of the run (refused credentials) before an award\'s look-up: the award is not looked up, and stays issuing', async () => {
    ctx = await issuanceSetup();
    // Learner 1: the badge is made, the answer lost. Learner 2's send, which takes the slot first, is refused (401).
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'reset-after-commit', count: 1 });
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'error-5xx', status: 401, count: 1 });
    const report = await issueBadges(csvRows(sqlRosterCsv(2)), { ...ctx.base, concurrency: 1 });
    expect(report.stoppedBecause).toMatch(/refused the credentials/);
    expect(report.awards.find((a) => a.email === 'learner1@example.edu')).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/^not looked up: the run stopped/) });
    expect((await allAwards(ctx.ledger)).find((a) => a.email === 'learner1@example.edu')?.state).toBe('issuing');
    expect(requests('GET /badges')).toBe(0);
    expect(ctx.fake.badges()).toHaveLength(1);
  });

  it('on start, an award an earlier run left issuing is looked up before anything new is sent, even when this roster does not name it', async () => {
    ctx = await issuanceSetup();
    // The badge is made but the answer is lost, and the look-up fails too: the award stays "issuing".
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'reset-after-commit', count: 1 });
    ctx.fake.injectFault({ route: 'GET /badges', kind: 'error-5xx', status: 503, count: 50 });
    const first = await issueBadges(csvRows(sqlRosterCsv(1)), ctx.base);
    expect(first.awards[0]?.reason).toMatch(/outcome unknown .*stays "issuing"/);
    expect((await allAwards(ctx.ledger)).map((a) => a.state)).toEqual(['issuing']);
    ctx.fake.clearFaults();
    const events: string[] = [];
    const { issueReturningId, findExisting } = ctx.client.badges;
    ctx.client.badges.issueReturningId = (params, options) => (events.push(`send ${params.recipient_email}`), issueReturningId.call(ctx.client.badges, params, options));
    ctx.client.badges.findExisting = (templateId, who, options) => (events.push(`look up ${who.email}`), findExisting.call(ctx.client.badges, templateId, who, options));
    const again = await issueBadges(csvRows(sqlRosterCsv(3, 2)), ctx.base);
    expect(events[0]).toBe('look up learner1@example.edu');
    expect(events.filter((e) => e.startsWith('send'))).toHaveLength(3); // learners 2 to 4, not learner1
    expect(again.totals).toMatchObject({ issued: 3, 'already-issued': 1 });
    expect(again.awards.find((a) => a.email === 'learner1@example.edu')).toMatchObject({ outcome: 'already-issued', reason: 'created by an earlier run that stopped before recording it' });
    expect(ctx.fake.badges()).toHaveLength(4);
    expect(ctx.fake.duplicateCount()).toBe(0);
  });

  it('a badge a look-up finds is recorded with its state on Credly: a learner who accepted it before the next run shows accepted', async () => {
    ctx = await issuanceSetup();
    // The badge is made but the answer is lost, and the look-up fails too: the award stays "issuing".
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'reset-after-commit', count: 1 });
    ctx.fake.injectFault({ route: 'GET /badges', kind: 'error-5xx', status: 503, count: 50 });
    await issueBadges(csvRows(sqlRosterCsv(2)), { ...ctx.base, concurrency: 1 });
    ctx.fake.clearFaults();
    const made = ctx.fake.badges().find((b) => b.recipient_email === 'learner1@example.edu')!;
    ctx.fake.acceptBadge(String(made.id));
    const again = await issueBadges(csvRows(sqlRosterCsv(2)), ctx.base);
    expect(again.totals).toMatchObject({ 'already-issued': 2 });
    const awards = await allAwards(ctx.ledger);
    expect(awards.find((a) => a.email === 'learner1@example.edu')).toMatchObject({ state: 'issued', badgeId: String(made.id), credly: { state: 'accepted', acceptedAt: expect.any(String) } });
    // One this ledger recorded from Credly's answer has no state yet (webhooks or reconcile bring it).
    expect(awards.find((a) => a.email === 'learner2@example.edu')?.credly ?? null).toBeNull();
  });

  it('a 429 asking for more than maxRetryAfterMs fails the award for this run; the next run sends it, without a look-up (nothing was created)', async () => {
    ctx = await issuanceSetup({ client: { retryTiming: { baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 5_000 } } });
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'rate-limit', retryAfterSeconds: 3600, count: 1 });
    const first = await issueBadges(csvRows(sqlRosterCsv(2)), { ...ctx.base, concurrency: 1 });
    expect(first.awards.map((a) => a.outcome)).toEqual(['failed', 'issued']);
    expect(first.awards[0]?.reason).toMatch(/not processed; the next run sends it/);
    const lookUps = requests('GET /badges');
    const again = await issueBadges(csvRows(sqlRosterCsv(2)), ctx.base);
    expect(again.totals).toMatchObject({ issued: 1, 'already-issued': 1, failed: 0 });
    expect(requests('GET /badges')).toBe(lookUps);
    expect(ctx.fake.badges()).toHaveLength(2);
  });
});

describe('docs/issuance.md: planning', () => {
  it('signal: those in flight and those prepared are sent and recorded; an award not yet prepared when it fires does not start', async () => {
    ctx = await issuanceSetup();
    const controller = new AbortController();
    const sent: string[] = [];
    const read: string[] = [];
    const getAward = ctx.ledger.getAward.bind(ctx.ledger);
    ctx.ledger.getAward = (key) => {
      read.push(key);
      return getAward(key);
    };
    const issue = ctx.client.badges.issueReturningId.bind(ctx.client.badges);
    ctx.client.badges.issueReturningId = async (params, options) => {
      sent.push(params.recipient_email);
      if (sent.length === 1) {
        // The first request is in flight, the second award prepared (its intent durable, waiting
        // for the one slot), the third row read and waiting for a place: then the run is stopped.
        while (!read.some((key) => key.endsWith('|B00000003'))) await new Promise((resolve) => setTimeout(resolve, 1));
        await new Promise((resolve) => setTimeout(resolve, 5));
        controller.abort();
      }
      return issue(params, options);
    };
    const report = await issueBadges(csvRows(sqlRosterCsv(6)), { ...ctx.base, concurrency: 1, signal: controller.signal });
    expect(report.cancelled).toBe(true);
    expect(sent).toEqual(['learner1@example.edu', 'learner2@example.edu']); // before: learner3's award started after the stop, and was sent
    expect(report.totals).toMatchObject({ issued: 2, failed: 0 });
    expect(report.rows).toBe(2); // the rows reached: the CLI counts the others "not reached"
    expect((await allAwards(ctx.ledger)).map((a) => a.state)).toEqual(['issued', 'issued']);
    const rest = await issueBadges(csvRows(sqlRosterCsv(6)), ctx.base);
    expect(rest.totals).toMatchObject({ issued: 4, 'already-issued': 2 });
  });

  it('signal during a Retry-After wait: a prepared award whose request would wait too is not sent, recorded failed; the next run sends it', async () => {
    // A client wait that lasts until the stop ends it, as the client's own wait ends then.
    const sleep = (_ms: number, signal?: AbortSignal) =>
      new Promise<void>((_resolve, reject) => {
        if (signal?.aborted) reject(new CredlyAbortError('aborted by the caller'));
        signal?.addEventListener('abort', () => reject(new CredlyAbortError('aborted by the caller')));
      });
    ctx = await issuanceSetup({ client: { sleep } });
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'rate-limit', retryAfterSeconds: 30, count: 1 });
    const controller = new AbortController();
    const running = issueBadges(csvRows(sqlRosterCsv(4)), { ...ctx.base, concurrency: 1, signal: controller.signal });
    // The first award waits out its Retry-After; the second is prepared (its intent durable).
    while ((await allAwards(ctx.ledger)).filter((a) => a.state === 'issuing').length < 2) await new Promise((resolve) => setTimeout(resolve, 1));
    controller.abort();
    const report = await running;
    expect(report.cancelled).toBe(true);
    expect(report.awards.map((a) => [a.outcome, a.reason])).toEqual([
      ['failed', expect.stringMatching(/aborted by the caller/)],
      ['failed', expect.stringMatching(/aborted by the caller/)],
    ]);
    expect(requests('POST /badges')).toBe(1); // the 429'd one; the prepared one was not sent
    expect((await allAwards(ctx.ledger)).map((a) => a.state)).toEqual(['failed', 'failed']);
    // Nothing was sent for either: the next run (a client with ordinary waits) sends both, without a look-up.
    const { credentials, options } = ctx.fake.clientConfig();
    const client = new CredlyClient(credentials, options);
    try {
      const lookUps = requests('GET /badges');
      const rest = await issueBadges(csvRows(sqlRosterCsv(4)), { ...ctx.base, client });
      expect(rest.totals).toMatchObject({ issued: 4, failed: 0 });
      expect(requests('GET /badges')).toBe(lookUps);
    } finally {
      client.close();
    }
  });

  it('duplicateBehavior replace: awards this ledger already issued are not sent again (already-issued)', async () => {
    ctx = await issuanceSetup();
    await issueBadges(csvRows(sqlRosterCsv(2)), ctx.base);
    const posts = requests('POST /badges');
    const again = await issueBadges(csvRows(sqlRosterCsv(2)), { ...ctx.base, duplicateBehavior: 'replace' });
    expect(again.awards.map((a) => a.outcome)).toEqual(['already-issued', 'already-issued']);
    expect(requests('POST /badges')).toBe(posts);
    expect(ctx.fake.badges().every((b) => b.replacement_badge_id === null)).toBe(true);
  });
});

describe('docs/issuance.md: the report', () => {
  it('holds up to keepOutcomes outcomes; onOutcome streams every one', async () => {
    ctx = await issuanceSetup();
    const streamed: AwardOutcome[] = [];
    const report = await issueBadges(csvRows(sqlRosterCsv(5)), { ...ctx.base, keepOutcomes: 2, onOutcome: (outcome) => streamed.push(outcome) });
    expect(report.totals.issued).toBe(5); // the totals count every award
    expect(report.awards).toHaveLength(2);
    expect(report.awardsTruncated).toBe(true);
    expect(streamed.map((o) => o.email).sort()).toEqual(Array.from({ length: 5 }, (_, i) => `learner${i + 1}@example.edu`).sort());
    const none = await issueBadges(csvRows(sqlRosterCsv(6)), { ...ctx.base, keepOutcomes: 0 });
    expect(none.awards).toEqual([]);
    expect(none.totals).toMatchObject({ issued: 1, 'already-issued': 5 });
  });

  it('reportSucceeded is false when a row was invalid, an award failed (a 404: the run goes on with the others) or the run stopped', async () => {
    ctx = await issuanceSetup();
    const invalid = await issueBadges(csvRows(sqlRosterCsv(1, 1, ['coding-in-sql,not-an-email,A,B,B9,2026-04-02T10:00:00-04:00,Proctored SQL assessment,18,20'])), ctx.base);
    expect(invalid.totals).toMatchObject({ issued: 1, invalid: 1 });
    expect(reportSucceeded(invalid)).toBe(false);
    ctx.fake.injectFault({ route: 'POST /badges', kind: 'error-5xx', status: 404, count: 1 });
    const failed = await issueBadges(csvRows(sqlRosterCsv(3, 2)), { ...ctx.base, concurrency: 1 });
    expect(failed.awards.map((a) => a.outcome)).toEqual(['failed', 'issued', 'issued']);
    expect(failed.stoppedBecause).toBeNull();
    expect(reportSucceeded(failed)).toBe(false);
    // Stopped before any award (the credentials refused at the templates' check): nothing failed, and it did not succeed.
    const stopped = await issueBadges(csvRows(sqlRosterCsv(1, 5)), { ...ctx.base, templateCheck: Promise.resolve({ templates: new Map(), unusable: new Map(), credentialsRefused: 'HTTP 401' }) });
    expect(stopped.totals).toMatchObject({ failed: 0, invalid: 0 });
    expect(reportSucceeded(stopped)).toBe(false);
  });
});
