import { reconcile } from '../../src/lifecycle/index.js';
import { MemoryLedger } from '../../src/ledger/memory.js';
import { TestClock } from './clock.js';
import { fakeWithClient } from './fake.js';
import { approvedEntry } from './issuance.js';
import { seedIssued, seedTemplate } from './lifecycle.js';

export const NASTY = '<script>alert("x")</script>';

/**
 * A small program, issued against the fake Credly and reconciled over HTTP, with the numbers the
 * program report must show (`expected`). With `nasty`, a microcredential title, a learner and a
 * failure reason carry markup that must come out escaped.
 */
export async function programFixture(options: { nasty?: boolean } = {}) {
  const ctx = await fakeWithClient();
  const clock = new TestClock(); // 2026-09-01T12:00Z
  const ledger = new MemoryLedger({ now: clock.now });
  const sql = approvedEntry('non-credit', options.nasty ? (json) => void (json.form.title = `Coding in SQL ${NASTY}`) : undefined).microcredential;
  const geo = approvedEntry('credit-bearing').microcredential;
  const sqlTemplate = await seedTemplate(ctx.fake, ledger, sql);
  const geoTemplate = await seedTemplate(ctx.fake, ledger, geo);
  const s = await seedIssued(ctx.client, ledger, sql, sqlTemplate, [
    { n: 1, earnedAt: '2026-05-14T15:00:00.000Z' },
    { n: 2, earnedAt: '2026-05-20T15:00:00.000Z' },
    { n: 3, earnedAt: '2026-07-02T15:00:00.000Z' },
    { n: 4, earnedAt: '2026-07-09T15:00:00.000Z' },
    { n: 5, earnedAt: '2026-07-30T15:00:00.000Z', issuedAt: '2026-08-30T12:00:00.000Z', ...(options.nasty ? { firstName: NASTY } : {}) },
    { n: 6, earnedAt: '2026-08-03T15:00:00.000Z', issuedAt: '2026-08-10T12:00:00.000Z' },
  ]);
  const g = await seedIssued(ctx.client, ledger, geo, geoTemplate, [
    { n: 7, earnedAt: '2026-06-12T15:00:00.000Z' },
    { n: 8, earnedAt: '2026-08-15T15:00:00.000Z', issuedAt: '2026-07-01T12:00:00.000Z' },
    { n: 9, earnedAt: '2026-08-16T15:00:00.000Z', issuedAt: '2026-08-20T12:00:00.000Z' },
  ]);
  ctx.fake.acceptBadge(s[0]!.badgeId!);
  ctx.fake.acceptBadge(s[1]!.badgeId!);
  ctx.fake.rejectBadge(s[2]!.badgeId!);
  await ctx.client.badges.revoke(s[3]!.badgeId!, { reason: 'Issued in error' });
  ctx.fake.acceptBadge(g[0]!.badgeId!);
  await ledger.putRun({
    runId: 'issue-1',
    command: 'issue',
    owner: 'test',
    startedAt: '2026-08-30T11:59:00.000Z',
    finishedAt: '2026-08-30T12:01:00.000Z',
    totals: { issued: 9, failed: 1 },
    failures: [{ row: 11, key: `${sql.id}|B00000010`, reason: options.nasty ? `Credly refused ${NASTY}` : 'Credly refused: Recipient email is invalid' }],
  });
  await reconcile({ client: ctx.client, ledger, now: clock.now, sleep: async () => {} });
  return {
    ...ctx,
    clock,
    ledger,
    sql,
    geo,
    expected: {
      totals: { badges: 9, learners: 9, microcredentials: 2, accepted: 3, pending: 4, rejected: 1, revoked: 1, unknown: 0 },
      issuedByMonth: [
        ['2026-05', 2],
        ['2026-06', 1],
        ['2026-07', 3],
        ['2026-08', 3],
      ] as Array<[string, number]>,
      // Sorted by microcredential id: coding-in-sql, geospatial-data-analysis.
      acceptancePercent: [
        [sql.title, 40],
        [geo.title, 33.3],
      ] as Array<[string, number]>,
      pendingByAge: [
        ['0–7 days', 1],
        ['8–14 days', 1],
        ['15–30 days', 1],
        ['31–60 days', 0],
        ['over 60 days', 1],
      ] as Array<[string, number]>,
      creditMix: [
        ['credit-bearing', 1, 3],
        ['non-credit', 1, 6],
      ] as Array<[string, number, number]>,
      competencies: [
        ['Critical Thinking/Problem Solving', 2, 7],
        ['Digital Technology', 2, 7],
        ['Oral/Written Communications', 1, 3],
      ] as Array<[string, number, number]>,
    },
  };
}
