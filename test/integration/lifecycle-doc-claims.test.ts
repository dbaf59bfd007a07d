import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { AwardRecord } from '../../src/ledger/contract.js';
import { MemoryLedger } from '../../src/ledger/memory.js';
import { exportAwards, exportRows, pendingAwards } from '../../src/lifecycle/index.js';
import { parseDuration } from '../../src/lifecycle/duration.js';
import { programReportData } from '../../src/report/index.js';
import { TestClock } from '../helpers/clock.js';
import { approvedEntry } from '../helpers/issuance.js';

// Claims of docs/lifecycle.md (status --pending, export, the program report) that the other tests
// did not hold to: which badges are pending, the export's order and states, the report's months
// and age buckets. The ledger is seeded directly: none of this reads Credly.

const DAY = 86_400_000;

interface Seed {
  readonly mc: string;
  readonly id: string;
  /** Days before the clock's now that the ledger recorded the badge as issued. */
  readonly daysAgo?: number;
  /** When the learner earned it (the snapshot's issuedAt). */
  readonly earned?: string;
  readonly credly?: string;
  readonly state?: AwardRecord['state'];
}

async function seeded(seeds: readonly Seed[]) {
  const clock = new TestClock();
  const ledger = new MemoryLedger({ now: clock.now });
  for (const [i, seed] of seeds.entries()) {
    const key = `${seed.mc}|${seed.id}`;
    const issuedAt = new Date(clock.now().getTime() - (seed.daysAgo ?? 1) * DAY).toISOString();
    await ledger.planAward({
      key,
      microcredentialId: seed.mc,
      templateId: `tpl-${seed.mc}`,
      email: `${seed.id.toLowerCase()}@example.edu`,
      earnerId: seed.id,
      snapshot: { learner: { email: `${seed.id.toLowerCase()}@example.edu`, firstName: 'First', lastName: seed.id } as never, evidence: [], issuedAt: seed.earned ?? issuedAt, expiresAt: null },
    });
    // Badge ids in neither load nor student-id order, so that sorting by them cannot pass for sorting by student id.
    const claim = (await ledger.claimAward(key, { owner: 'w', leaseMs: 60_000 }))!;
    await ledger.writeAward(
      key,
      { state: 'issued', badgeId: `badge-${String(seeds.length - i).padStart(3, '0')}`, issuedAt, ...(seed.credly ? { credly: { state: seed.credly, changedAt: issuedAt, seenAt: issuedAt } } : {}) },
      { claim },
    );
    if (seed.state && seed.state !== 'issued') await ledger.writeAward(key, { state: seed.state }, { any: true });
  }
  return { clock, ledger };
}

describe('docs/lifecycle.md: status --pending', () => {
  it('lists only issued badges neither accepted nor rejected: a rejected badge and a revoked award are left out', async () => {
    const { clock, ledger } = await seeded([
      { mc: 'mc-a', id: 'P1', credly: 'pending' },
      { mc: 'mc-a', id: 'U1' },
      { mc: 'mc-a', id: 'A1', credly: 'accepted' },
      { mc: 'mc-a', id: 'R1', credly: 'rejected' },
      { mc: 'mc-a', id: 'V1', credly: 'pending', state: 'revoked' },
    ]);
    const rows = await pendingAwards(ledger, { now: clock.now });
    expect(rows.map((r) => [r.earnerId, r.credlyState]).sort()).toEqual([
      ['P1', 'pending'],
      ['U1', 'unknown'],
    ]);
  });

  it('--older-than takes 14d, 36h, 2w and 90m', async () => {
    expect([parseDuration('14d'), parseDuration('36h'), parseDuration('2w'), parseDuration('90m')]).toEqual([14 * DAY, 36 * 3_600_000, 14 * DAY, 90 * 60_000]);
    const { clock, ledger } = await seeded([
      { mc: 'mc-a', id: 'OLD', daysAgo: 15, credly: 'pending' },
      { mc: 'mc-a', id: 'NEW', daysAgo: 13, credly: 'pending' },
    ]);
    expect((await pendingAwards(ledger, { now: clock.now, olderThan: '2w' })).map((r) => r.earnerId)).toEqual(['OLD']);
  });
});

describe("docs/lifecycle.md: the registrar's export", () => {
  it('one row per award with a badge (issued, revoked or replaced), sorted by microcredential, then student id', async () => {
    const { ledger } = await seeded([
      { mc: 'mc-b', id: 'S3', credly: 'pending' },
      { mc: 'mc-a', id: 'S9', credly: 'accepted' },
      { mc: 'mc-b', id: 'S1', credly: 'revoked', state: 'revoked' },
      { mc: 'mc-a', id: 'S2', credly: 'pending', state: 'replaced' },
      { mc: 'mc-b', id: 'S2' },
    ]);
    await ledger.planAward({ key: 'mc-a|S0', microcredentialId: 'mc-a', templateId: 'tpl-mc-a', email: 's0@example.edu', earnerId: 'S0' });
    const rows = await exportRows(ledger);
    expect(rows.map((r) => [r.microcredential_id, r.student_id, r.ledger_state, r.credly_state])).toEqual([
      ['mc-a', 'S2', 'replaced', 'pending'],
      ['mc-a', 'S9', 'issued', 'accepted'],
      ['mc-b', 'S1', 'revoked', 'revoked'],
      ['mc-b', 'S2', 'issued', null],
      ['mc-b', 'S3', 'issued', 'pending'],
    ]);
    // In the CSV: never reconciled is an empty credly_state, in the same order.
    let text = '';
    for await (const line of exportAwards(ledger, { format: 'csv' })) text += line;
    const csv = parse(text, { columns: true }) as Array<Record<string, string>>;
    expect(csv.map((r) => `${r.microcredential_id}|${r.student_id}|${r.credly_state}`)).toEqual(['mc-a|S2|pending', 'mc-a|S9|accepted', 'mc-b|S1|revoked', 'mc-b|S2|', 'mc-b|S3|pending']);
  });
});

describe('docs/lifecycle.md: the program report', () => {
  it('badges per month by the month the learner earned them, empty months shown (across a new year)', async () => {
    const { clock, ledger } = await seeded([
      { mc: 'mc-a', id: 'M1', earned: '2025-11-20T15:00:00.000Z', credly: 'accepted' },
      { mc: 'mc-a', id: 'M2', earned: '2026-02-03T15:00:00.000Z', daysAgo: 3, credly: 'accepted' },
      { mc: 'mc-a', id: 'M3', earned: '2026-02-28T15:00:00.000Z', credly: 'pending' },
    ]);
    const data = await programReportData(ledger, { now: clock.now });
    expect(data.issuedByMonth.map((m) => [m.month, m.count])).toEqual([
      ['2025-11', 1],
      ['2025-12', 0],
      ['2026-01', 0],
      ['2026-02', 2],
    ]);
  });

  it('pending badges by age: 0–7, 8–14, 15–30, 31–60, over 60 days, each bound in its own bucket', async () => {
    const ages = [0, 7, 8, 14, 15, 30, 31, 60, 61];
    const { clock, ledger } = await seeded(ages.map((daysAgo, i) => ({ mc: 'mc-a', id: `G${i}`, daysAgo, credly: 'pending' })));
    const data = await programReportData(ledger, { now: clock.now });
    expect(data.pendingByAge.map((p) => [p.bucket, p.count])).toEqual([
      ['0–7 days', 2],
      ['8–14 days', 2],
      ['15–30 days', 2],
      ['31–60 days', 2],
      ['over 60 days', 1],
    ]);
  });
});

describe('docs/lifecycle.md: the program report, NACE competencies', () => {
  it('counts the learners who hold a live (not revoked or rejected) badge: a replaced award holds its live replacement', async () => {
    const mc = approvedEntry('non-credit').microcredential;
    const { clock, ledger } = await seeded([
      { mc: mc.id, id: 'L1', credly: 'pending' },
      { mc: mc.id, id: 'L2', credly: 'accepted', state: 'replaced' },
      { mc: mc.id, id: 'L3', credly: 'rejected' },
      { mc: mc.id, id: 'L4', credly: 'revoked', state: 'revoked' },
      { mc: mc.id, id: 'L5', credly: 'revoked', state: 'replaced' },
    ]);
    await ledger.putTemplate({ microcredentialId: mc.id, templateId: `tpl-${mc.id}`, fingerprint: 'f', state: 'active', allowDuplicates: false, updatedAt: clock.now().toISOString(), microcredential: mc });
    expect(mc.competencies.length).toBeGreaterThan(0);
    const data = await programReportData(ledger, { now: clock.now });
    expect(data.competencies).toHaveLength(mc.competencies.length);
    for (const c of data.competencies) expect([c.title, c.microcredentials, c.learners]).toEqual([c.title, 1, 2]);
  });
});
