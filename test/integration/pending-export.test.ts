import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { EXPORT_COLUMNS, exportAwards, formatPending, pendingAwards, PENDING_CSV_COLUMNS, reconcile } from '../../src/lifecycle/index.js';
import { parseDuration } from '../../src/lifecycle/duration.js';
import { naceCompetency } from '../../src/domain/nace.js';
import { MemoryLedger } from '../../src/ledger/memory.js';
import { TestClock } from '../helpers/clock.js';
import { fakeWithClient } from '../helpers/fake.js';
import { collectText, exampleMicrocredentials, seedIssued, seedTemplate } from '../helpers/lifecycle.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const DAY = 86_400_000;

async function setup() {
  const ctx = await fakeWithClient();
  close = ctx.close;
  const clock = new TestClock();
  const ledger = new MemoryLedger({ now: clock.now });
  const { sql, geo } = exampleMicrocredentials();
  const sqlTemplate = await seedTemplate(ctx.fake, ledger, sql);
  const geoTemplate = await seedTemplate(ctx.fake, ledger, geo);
  const sync = () => reconcile({ client: ctx.client, ledger, now: clock.now, sleep: async () => {} });
  return { ...ctx, clock, ledger, sql, geo, sqlTemplate, geoTemplate, sync };
}


describe('pendingAwards', () => {
  it('lists unaccepted badges with email and age, oldest first; accepted ones drop out after reconcile', async () => {
    const { fake, client, clock, ledger, sql, geo, sqlTemplate, geoTemplate, sync } = await setup();
    const old = await seedIssued(client, ledger, sql, sqlTemplate, [{ n: 1 }, { n: 2 }, { n: 3 }], '2026-08-10T12:00:00.000Z');
    await seedIssued(client, ledger, geo, geoTemplate, [{ n: 4 }], '2026-08-30T12:00:00.000Z');
    fake.acceptBadge(old[1]!.badgeId!);

    // Before any reconcile the ledger cannot know: every issued badge is listed, as `unknown`.
    const before = await pendingAwards(ledger, { now: clock.now });
    expect(before.map((p) => [p.email, p.credlyState])).toEqual([
      ['learner1@example.edu', 'unknown'],
      ['learner2@example.edu', 'unknown'],
      ['learner3@example.edu', 'unknown'],
      ['learner4@example.edu', 'unknown'],
    ]);

    await sync();
    const all = await pendingAwards(ledger, { now: clock.now });
    expect(all.map((p) => [p.email, p.ageDays, p.credlyState])).toEqual([
      ['learner1@example.edu', 22, 'pending'],
      ['learner3@example.edu', 22, 'pending'],
      ['learner4@example.edu', 2, 'pending'],
    ]);
    expect(all[0]).toMatchObject({ firstName: 'Learner', lastName: 'Number1', earnerId: 'B00000001', microcredentialTitle: sql.title, badgeUrl: `${fake.url}/badges/${old[0]!.badgeId}` });
    const older = await pendingAwards(ledger, { now: clock.now, olderThan: '14d' });
    expect(older.map((p) => p.email)).toEqual(['learner1@example.edu', 'learner3@example.edu']);
    expect(await pendingAwards(ledger, { now: clock.now, olderThan: parseDuration('3w') })).toHaveLength(1 + 1);
    expect(await pendingAwards(ledger, { now: clock.now, olderThan: '4w' })).toEqual([]);
  });

  it('formats the list as text, JSON and a mail-merge CSV', async () => {
    const { client, clock, ledger, sql, sqlTemplate, sync } = await setup();
    await seedIssued(client, ledger, sql, sqlTemplate, [{ n: 1, firstName: '=cmd|calc', lastName: 'Smith, Jr.' }], '2026-08-10T12:00:00.000Z');
    await sync();
    const rows = await pendingAwards(ledger, { now: clock.now });
    expect(formatPending(rows, 'text')).toContain('22 d  learner1@example.edu  =cmd|calc Smith, Jr.  Coding in SQL');
    expect(JSON.parse(formatPending(rows, 'json')).pending[0].email).toBe('learner1@example.edu');
    const csv = parse(formatPending(rows, 'csv'), { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(csv[0]!)).toEqual([...PENDING_CSV_COLUMNS]);
    expect(csv[0]).toMatchObject({ email: 'learner1@example.edu', first_name: "'=cmd|calc", last_name: 'Smith, Jr.', age_days: '22', credly_state: 'pending' });
    expect(formatPending([], 'text')).toBe('no pending badges\n');
  });

  it('refuses a duration it cannot read, naming the field and the fix', () => {
    expect(parseDuration('14d')).toBe(14 * DAY);
    expect(parseDuration('36h')).toBe(36 * 3_600_000);
    expect(() => parseDuration('two weeks', '--older-than')).toThrow('--older-than "two weeks" is not a duration: write a number and a unit, e.g. 14d, 36h, 2w or 90m');
  });
});

describe('exportAwards', () => {
  it('writes one CSV row per award with every documented column, a stable header and formulas neutralized', async () => {
    const { fake, client, ledger, sql, geo, sqlTemplate, geoTemplate, sync } = await setup();
    const nasty = [
      { n: 1, firstName: '=HYPERLINK("http://evil.example/x","click")', lastName: 'Smith, "Jr."' },
      { n: 2, firstName: '+1+1', lastName: '-2' },
      { n: 3, firstName: '@SUM(A1)', lastName: 'Tab\there' },
    ];
    const [a, b, c] = await seedIssued(client, ledger, sql, sqlTemplate, nasty);
    const [g] = await seedIssued(client, ledger, geo, geoTemplate, [{ n: 4, firstName: 'Ana', lastName: 'Lee' }]);
    await ledger.planAward({ key: `${sql.id}|B99`, microcredentialId: sql.id, templateId: sqlTemplate, email: 'planned@example.edu', earnerId: 'B99' });
    fake.acceptBadge(b!.badgeId!);
    await client.badges.revoke(c!.badgeId!, { reason: '=cmd|" /C calc"!A0' });
    await sync();

    const text = await collectText(exportAwards(ledger, { format: 'csv' }));
    expect(text.startsWith(`${EXPORT_COLUMNS.join(',')}\r\n`)).toBe(true);
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(4); // the planned award has no badge: not exported
    expect(Object.keys(rows[0]!)).toEqual([...EXPORT_COLUMNS]);
    const acceptedBadge = fake.badges().find((x) => x.id === b!.badgeId)!;
    const sqlCompetencies = sql.competencies.map((c) => naceCompetency(c.framework, c.code).title).join('; ');
    expect(sqlCompetencies).toContain('/'); // real titles, e.g. "Critical Thinking/Problem Solving"
    expect(rows.map((r) => r.microcredential_id)).toEqual([sql.id, sql.id, sql.id, geo.id].sort());
    const byId = Object.fromEntries(rows.map((r) => [r.student_id, r]));
    expect(byId.B00000001).toEqual({
      student_id: 'B00000001',
      first_name: `'=HYPERLINK("http://evil.example/x","click")`,
      middle_name: '',
      last_name: 'Smith, "Jr."',
      email: 'learner1@example.edu',
      microcredential_id: sql.id,
      microcredential_title: 'Coding in SQL',
      type: 'non-credit',
      credits: '',
      nace_competencies: sqlCompetencies,
      issued_at: '2026-08-28T14:00:00.000Z',
      badge_id: a!.badgeId,
      badge_url: `${fake.url}/badges/${a!.badgeId}`,
      credly_state: 'pending',
      accepted_at: '',
      revoked_reason: '',
      ledger_state: 'issued',
    });
    expect(byId.B00000002).toMatchObject({ first_name: "'+1+1", last_name: "'-2", credly_state: 'accepted', accepted_at: acceptedBadge.accepted_at });
    expect(byId.B00000003).toMatchObject({ first_name: "'@SUM(A1)", last_name: 'Tab\there', credly_state: 'revoked', revoked_reason: `'=cmd|" /C calc"!A0`, ledger_state: 'revoked' });
    expect(byId.B00000004).toMatchObject({ first_name: 'Ana', microcredential_title: geo.title, type: 'credit-bearing', credits: String(geo.credit!.credits), badge_id: g!.badgeId });
    // No cell of the file starts with a formula character.
    for (const row of rows) for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('writes JSON Lines with the same keys, typed values', async () => {
    const { client, ledger, geo, geoTemplate, sync } = await setup();
    await seedIssued(client, ledger, geo, geoTemplate, [{ n: 4 }]);
    await sync();
    const lines = (await collectText(exportAwards(ledger, { format: 'jsonl' }))).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(Object.keys(lines[0])).toEqual([...EXPORT_COLUMNS]);
    expect(lines[0]).toMatchObject({ student_id: 'B00000004', credits: geo.credit!.credits, type: 'credit-bearing', credly_state: 'pending', first_name: 'Learner' });
    expect(Array.isArray(lines[0].nace_competencies)).toBe(true);
  });
});
