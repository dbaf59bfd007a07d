import { afterEach, describe, expect, it } from 'vitest';
import { issueBadges } from '../../src/index.js';
import { reconcile } from '../../src/lifecycle/index.js';
import { replaceAward } from '../../src/issuance/revoke-replace.js';
import { MemoryLedger } from '../../src/ledger/memory.js';
import { fakeWithClient } from '../helpers/fake.js';
import { exampleMicrocredentials, outsideIssue, seedIssued, seedTemplate } from '../helpers/lifecycle.js';
import { TestClock } from '../helpers/clock.js';
import { csvRows } from '../helpers/issuance.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup(fakeOptions: Parameters<typeof fakeWithClient>[0] = {}) {
  const ctx = await fakeWithClient(fakeOptions);
  close = ctx.close;
  const clock = new TestClock();
  const ledger = new MemoryLedger({ now: clock.now });
  const { sql, geo } = exampleMicrocredentials();
  const templateId = await seedTemplate(ctx.fake, ledger, sql);
  const sleeps: number[] = [];
  const run = (extra: Partial<Parameters<typeof reconcile>[0]> = {}) =>
    reconcile({ client: ctx.client, ledger, now: clock.now, sleep: async (ms) => void sleeps.push(ms), ...extra });
  return { ...ctx, clock, ledger, sql, geo, templateId, sleeps, run };
}

describe('reconcile', () => {
  it('records each badge state and when it changed; a second run writes nothing', async () => {
    const { fake, client, ledger, sql, templateId, run } = await setup();
    const [a, b, c] = await seedIssued(client, ledger, sql, templateId, [{ n: 1 }, { n: 2 }, { n: 3 }]);
    fake.acceptBadge(b!.badgeId!);
    fake.rejectBadge(c!.badgeId!);

    const first = await run();
    expect(first.totals).toMatchObject({ pages: 1, badges: 3, changed: 3, adopted: 0, missingOnCredly: 0, unknownOnCredly: 0, failures: 0 });
    expect(first.changes.map((ch) => [ch.key, ch.from, ch.to]).sort()).toEqual([
      [a!.key, null, 'pending'],
      [b!.key, null, 'accepted'],
      [c!.key, null, 'rejected'],
    ]);
    const accepted = (await ledger.getAward(b!.key))!;
    const onCredly = fake.badges().find((x) => x.id === b!.badgeId)!;
    expect(accepted.credly).toMatchObject({ state: 'accepted', changedAt: onCredly.state_updated_at, acceptedAt: onCredly.accepted_at, url: `${fake.url}/badges/${b!.badgeId}` });
    expect((await ledger.getAward(c!.key))!.state).toBe('issued'); // a rejected badge still exists: the award stays issued

    const versions = await Promise.all([a, b, c].map(async (x) => (await ledger.getAward(x!.key))!.version));
    const second = await run();
    expect(second.totals).toMatchObject({ changed: 0, unchanged: 3, adopted: 0 });
    expect(await Promise.all([a, b, c].map(async (x) => (await ledger.getAward(x!.key))!.version))).toEqual(versions);
    // Each run is recorded for status and the program report.
    const runs = await ledger.listRuns();
    expect(runs.map((r) => r.command)).toEqual(['reconcile', 'reconcile']);
    expect(runs[0]!.totals).toMatchObject({ badges: 3 });
  });

  it('sees a learner accept later (the fake accepts after a delay) and a revocation in Credly', async () => {
    const { fake, client, ledger, sql, templateId, run } = await setup({
      badgeLifecycle: { afterMs: 3 * 86_400_000, outcome: ({ email }) => (email.startsWith('learner2@') ? 'rejected' : email.startsWith('learner3@') ? 'pending' : 'accepted') },
    });
    const awards = await seedIssued(client, ledger, sql, templateId, [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
    await run();
    expect((await ledger.getAward(awards[0]!.key))!.credly!.state).toBe('pending');

    fake.advanceClock(4 * 86_400_000);
    await client.badges.revoke(awards[3]!.badgeId!, { reason: 'Issued in error' });
    const later = await run();
    const states = Object.fromEntries(later.changes.map((ch) => [ch.key, ch.to]));
    expect(states).toEqual({ [awards[0]!.key]: 'accepted', [awards[1]!.key]: 'rejected', [awards[3]!.key]: 'revoked' });
    const revoked = (await ledger.getAward(awards[3]!.key))!;
    expect(revoked).toMatchObject({ state: 'revoked', revocationReason: 'Issued in error', credly: { state: 'revoked', revokedReason: 'Issued in error' } });
    expect(later.changes.find((ch) => ch.key === awards[3]!.key)!.ledgerState).toBe('revoked');
    // The same changes are in Credly's events feed.
    const events = await client.events.list().collect({ max: 100 });
    // learner4 accepted before the revocation (the request that revoked it let the due acceptance happen first).
    expect(events.filter((e) => e.event_type === 'badge.state.changed')).toHaveLength(4);
  });

  it('adopts badges issued outside the ledger, fills a planned award whose badge exists, and reports drift both ways', async () => {
    const { fake, client, ledger, sql, templateId, run } = await setup();
    const [kept, gone] = await seedIssued(client, ledger, sql, templateId, [{ n: 1 }, { n: 2 }]);
    await client.badges.delete(gone!.badgeId!);
    // A learner the roster planned, whose badge someone issued by hand in Credly.
    await ledger.planAward({ key: `${sql.id}|X7`, microcredentialId: sql.id, templateId, email: 'outside7@example.edu', earnerId: 'X7' });
    fake.issueOutside(outsideIssue(templateId, 7));
    // Over the fake's inspection API, as a test in another language would.
    const response = await fetch(`${fake.url}/__fake/badges`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(outsideIssue(templateId, 8, { issued_to_middle_name: 'Q' })) });
    expect(response.status).toBe(201);
    const stranger = ((await response.json()) as { data: { id: string } }).data;

    const report = await run();
    expect(report.adopted).toEqual([
      { key: `${sql.id}|X7`, badgeId: expect.any(String), email: 'outside7@example.edu', how: 'already-issued' },
      { key: `${sql.id}|X8`, badgeId: stranger.id, email: 'outside8@example.edu', how: 'adopted' },
    ]);
    expect(report.missingOnCredly).toEqual([expect.objectContaining({ key: gone!.key, badgeId: gone!.badgeId })]);
    const adopted = (await ledger.getAward(`${sql.id}|X8`))!;
    expect(adopted).toMatchObject({ state: 'issued', how: 'adopted', badgeId: stranger.id, templateId, credly: { state: 'pending' } });
    expect(adopted.snapshot!.learner).toEqual({ email: 'outside8@example.edu', firstName: 'Outside', middleName: 'Q', lastName: 'Earner8', campusId: 'X8' });
    expect((await ledger.getAward(`${sql.id}|X7`))!).toMatchObject({ state: 'issued', how: 'already-issued' });
    expect((await ledger.getAward(kept!.key))!.credly!.state).toBe('pending');

    // A second badge for a learner who already has one (a template that allows duplicates) is drift, not adopted.
    const again = await run();
    expect(again.totals).toMatchObject({ adopted: 0, changed: 0, missingOnCredly: 1, unknownOnCredly: 0 });
  });

  it('adopts an email-only badge under the key the issuer gives that learner: the next issue run sends nothing for them', async () => {
    const { fake, client, ledger, sql, templateId, run } = await setup();
    const { issuer_earner_id: _none, ...emailOnly } = outsideIssue(templateId, 5);
    fake.issueOutside(emailOnly);
    expect((await run()).adopted).toEqual([expect.objectContaining({ email: 'outside5@example.edu', how: 'adopted' })]);
    // A roster row for that learner without a campus id, as the Office's roster may have it.
    const roster = 'Microcredential,Recipient Email,First Name,Last Name,Issued at,Assessment Name,Assessment Score,Assessment Max Score\r\n' + `${sql.id},outside5@example.edu,Outside,Earner5,2026-08-20T09:00:00-04:00,Proctored SQL assessment,18,20\r\n`;
    const before = fake.stats().requests['POST /badges'] ?? 0;
    const report = await issueBadges(csvRows(roster), { client, ledger, microcredentials: [{ microcredential: sql, approval: { state: 'approved', microcredentialId: sql.id } }], suppressNotifications: true });
    expect(report.totals).toMatchObject({ issued: 0, 'already-issued': 1, invalid: 0, failed: 0 });
    expect(fake.stats().requests['POST /badges'] ?? 0).toBe(before);
  });

  it('adopts one badge per learner: a second one on a template that allows duplicates is reported', async () => {
    const { fake, ledger, sql, run } = await setup();
    const templateId = String(fake.createTemplate({ name: 'Duplicates allowed', allow_duplicate_badges: true }).id);
    await ledger.putTemplate({ microcredentialId: sql.id, templateId, fingerprint: 'seeded', state: 'active', allowDuplicates: true, microcredential: sql, updatedAt: '2026-09-01T12:00:00.000Z' });
    const first = fake.issueOutside(outsideIssue(templateId, 3));
    const second = fake.issueOutside(outsideIssue(templateId, 3));
    const report = await run();
    expect(report.adopted.map((a) => a.badgeId)).toEqual([first.id]);
    expect(report.unknownOnCredly).toEqual([expect.objectContaining({ badgeId: second.id, reason: `a second badge for this learner: the ledger holds ${String(first.id)} (issued)` })]);
  });

  it('with adopt off or in a dry run, reports badges it would adopt and writes nothing', async () => {
    const { fake, client, ledger, sql, templateId, run } = await setup();
    const [one] = await seedIssued(client, ledger, sql, templateId, [{ n: 1 }]);
    fake.issueOutside(outsideIssue(templateId, 9));
    const dry = await run({ dryRun: true });
    expect(dry.totals).toMatchObject({ changed: 1, adopted: 0, unknownOnCredly: 1 });
    expect(dry.unknownOnCredly[0]!.reason).toMatch(/dry run: would be adopted/);
    expect((await ledger.getAward(one!.key))!.credly ?? null).toBeNull();
    expect(await ledger.listRuns()).toEqual([]);
    const off = await run({ adopt: false });
    expect(off.unknownOnCredly[0]!.reason).toMatch(/adoption is off/);
    expect(await ledger.getAward(`${sql.id}|X9`)).toBeUndefined();
  });

  it('pages through a template 50 at a time, paced, filtering by template, oldest first', async () => {
    const { fake, ledger, sql, geo, templateId, run, sleeps } = await setup();
    for (let n = 1; n <= 120; n += 1) fake.issueOutside(outsideIssue(templateId, n));
    const other = await seedTemplate(fake, ledger, geo);
    fake.issueOutside(outsideIssue(other, 500));
    const pages: number[] = [];
    const report = await run({ onPage: ({ page }) => void pages.push(page) });
    expect(report.templates).toEqual([
      { microcredentialId: sql.id, templateId, pages: 3, badges: 120 },
      { microcredentialId: geo.id, templateId: other, pages: 1, badges: 1 },
    ]);
    expect(pages).toEqual([1, 2, 3, 1]);
    expect(sleeps).toEqual([200, 200, 200]); // between pages, never before the first
    expect(fake.stats().requests['GET /badges']).toBe(4);
    expect(report.totals.adopted).toBe(121);
    expect((await ledger.countAwards({ microcredentialId: sql.id })).issued).toBe(120);
  });

  it('works under the production readings: next-page URLs without the filter, numeric earner ids', async () => {
    const { fake, ledger, sql, templateId, run } = await setup({ fidelity: { nextPageUrl: 'api-path', earnerIdInResponses: 'number' } });
    await ledger.planAward({ key: `${sql.id}|1001`, microcredentialId: sql.id, templateId, email: 'outside1@example.edu', earnerId: '1001' });
    for (let n = 1; n <= 60; n += 1) fake.issueOutside(outsideIssue(templateId, n, { issuer_earner_id: String(1000 + n) }));
    const other = fake.createTemplate({ name: 'Not in the ledger' });
    fake.issueOutside(outsideIssue(String(other.id), 99));
    const report = await run();
    expect(report.templates).toEqual([{ microcredentialId: sql.id, templateId, pages: 2, badges: 60 }]);
    expect(report.totals).toMatchObject({ adopted: 60, unknownOnCredly: 0, failures: 0 });
    expect(report.adopted[0]).toMatchObject({ key: `${sql.id}|1001`, how: 'already-issued' });
    expect(await ledger.getAward(`${sql.id}|X99`)).toBeUndefined();
  });

  it('follows a replacement to the new badge and keeps the old id', async () => {
    const { client, ledger, sql, templateId, run } = await setup();
    const [award] = await seedIssued(client, ledger, sql, templateId, [{ n: 1 }]);
    const replacement = await client.badges.replace(award!.badgeId!, { badge_template_id: templateId, issued_at: '2026-09-02T09:00:00-04:00' });
    const report = await run();
    expect(report.totals).toMatchObject({ adopted: 0, unknownOnCredly: 0, missingOnCredly: 0 });
    expect((await ledger.getAward(award!.key))!).toMatchObject({ badgeId: replacement.id, previousBadgeIds: [award!.badgeId], credly: { state: 'pending' } });
  });

  it('a replacement badge revoked in Credly makes its replaced award revoked, as it does an issued one (and as the webhook receiver does)', async () => {
    const { client, ledger, sql, templateId, run } = await setup();
    const [award] = await seedIssued(client, ledger, sql, templateId, [{ n: 1 }]);
    const replaced = await replaceAward({ client, ledger }, { key: award!.key }, {});
    expect(replaced.state).toBe('replaced');
    await client.badges.revoke(replaced.badgeId!, { reason: 'Replacement issued in error' });
    const report = await run();
    expect(report.changes.find((ch) => ch.key === award!.key)).toMatchObject({ to: 'revoked', ledgerState: 'revoked' });
    expect(await ledger.getAward(award!.key)).toMatchObject({ state: 'revoked', badgeId: replaced.badgeId, revocationReason: 'Replacement issued in error', credly: { state: 'revoked' } });
  });

  it('re-reads and retries when another writer (a webhook) changed the award in between', async () => {
    const { client, ledger, sql, templateId, run } = await setup();
    const [award] = await seedIssued(client, ledger, sql, templateId, [{ n: 1 }]);
    let interfered = 0;
    const racing = new Proxy(ledger, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (prop !== 'writeAward') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: Parameters<typeof ledger.writeAward>) => {
          if (interfered++ === 0) await target.writeAward(args[0], { lastError: 'written by the webhook receiver' }, { any: true });
          return target.writeAward(...args);
        };
      },
    });
    const report = await run({ ledger: racing });
    expect(report.totals).toMatchObject({ changed: 1, failures: 0 });
    expect((await ledger.getAward(award!.key))!).toMatchObject({ lastError: 'written by the webhook receiver', credly: { state: 'pending' } });
  });

  it('reports an award revoked in the ledger whose badge is still live on Credly', async () => {
    const { client, ledger, sql, templateId, run } = await setup();
    const [award] = await seedIssued(client, ledger, sql, templateId, [{ n: 1 }]);
    await ledger.writeAward(award!.key, { state: 'revoked', revocationReason: 'Issued in error' }, { any: true });
    const report = await run();
    expect(report.unknownOnCredly).toEqual([expect.objectContaining({ key: award!.key, badgeId: award!.badgeId, reason: `revoked in the ledger but pending on Credly: revoke it again (revoke --badge-id ${award!.badgeId})` })]);
    expect((await ledger.getAward(award!.key))!.state).toBe('revoked');
  });

  it('stops between pages when cancelled and reports it', async () => {
    const { fake, templateId, run } = await setup();
    for (let n = 1; n <= 60; n += 1) fake.issueOutside(outsideIssue(templateId, n));
    const controller = new AbortController();
    const report = await run({ signal: controller.signal, onPage: () => controller.abort() });
    expect(report.stoppedBecause).toBe('cancelled');
    expect(report.totals.pages).toBe(0);
  });
});
