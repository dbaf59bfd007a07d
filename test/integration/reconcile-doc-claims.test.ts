import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CredlyClient, issueBadges, type IssuedBadge } from '../../src/index.js';
import { reconcile } from '../../src/lifecycle/index.js';
import { MemoryLedger } from '../../src/ledger/memory.js';
import { openLedger } from '../../src/ledger/open.js';
import { startFakeCredly } from '../../src/testing/index.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { TestClock } from '../helpers/clock.js';
import { fakeWithClient } from '../helpers/fake.js';
import { csvRows, issuanceSetup, sqlRosterCsv } from '../helpers/issuance.js';
import { exampleMicrocredentials, outsideIssue, seedIssued, seedTemplate } from '../helpers/lifecycle.js';

// docs/lifecycle.md's `reconcile` section, claim by claim: what test/integration/reconcile.test.ts
// and lifecycle-cli.test.ts do not assert.

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const ctx = await fakeWithClient();
  cleanups.push(ctx.close);
  const clock = new TestClock();
  const ledger = new MemoryLedger({ now: clock.now });
  const { sql, geo } = exampleMicrocredentials();
  const templateId = await seedTemplate(ctx.fake, ledger, sql);
  const run = (extra: Partial<Parameters<typeof reconcile>[0]> = {}) => reconcile({ client: ctx.client, ledger, now: clock.now, sleep: async () => {}, ...extra });
  return { ...ctx, clock, ledger, sql, geo, templateId, run };
}

describe('docs/lifecycle.md: what reconcile reads', () => {
  it("asks Credly for each template's badges with filter=badge_template_id::<id> and sort=created_at", async () => {
    const { client, ledger, geo, fake, templateId, run } = await setup();
    const other = await seedTemplate(fake, ledger, geo);
    const asked: unknown[] = [];
    const spying = { badges: { list: (params: Parameters<typeof client.badges.list>[0], options?: Parameters<typeof client.badges.list>[1]) => (asked.push(params), client.badges.list(params, options)) } } as unknown as CredlyClient;
    await run({ client: spying });
    expect(asked).toEqual([
      { filter: { badge_template_id: templateId }, sort: 'created_at' },
      { filter: { badge_template_id: other }, sort: 'created_at' },
    ]);
  });

  it('a template re-created in Credly: the awards issued from the old one are still reconciled, and the new one is read too', async () => {
    const { fake, client, ledger, sql, templateId: old, run } = await setup();
    const [first, second] = await seedIssued(client, ledger, sql, old, [{ n: 1 }, { n: 2 }]);
    fake.acceptBadge(first!.badgeId!);
    // The ledger's template is now another (sync-templates made a new one); one badge issued from it outside the ledger.
    const fresh = String(fake.createTemplate({ name: `${sql.title} (new)` }).id);
    await ledger.putTemplate({ ...(await ledger.getTemplate(sql.id))!, templateId: fresh });
    fake.issueOutside(outsideIssue(fresh, 3));
    const report = await run();
    expect(report.templates.map((t) => t.templateId).sort()).toEqual([old, fresh].sort());
    expect(report.totals).toMatchObject({ changed: 2, adopted: 1, missingOnCredly: 0, unknownOnCredly: 0, failures: 0 });
    expect((await ledger.getAward(first!.key))!.credly).toMatchObject({ state: 'accepted' });
    expect((await ledger.getAward(second!.key))!.credly).toMatchObject({ state: 'pending' });
    expect(await ledger.getAward(`${sql.id}|X3`)).toMatchObject({ templateId: fresh, how: 'adopted' });
  });
});

describe('docs/lifecycle.md: adoption', () => {
  it('a failed award whose badge turns out to exist becomes issued, how "already-issued"', async () => {
    const { fake, ledger, sql, templateId, run } = await setup();
    await ledger.planAward({ key: `${sql.id}|X4`, microcredentialId: sql.id, templateId, email: 'outside4@example.edu', earnerId: 'X4', state: 'failed' });
    await ledger.writeAward(`${sql.id}|X4`, { lastError: '503 POST /badges' }, { any: true });
    const badge = fake.issueOutside(outsideIssue(templateId, 4));
    const report = await run();
    expect(report.adopted).toEqual([{ key: `${sql.id}|X4`, badgeId: badge.id, email: 'outside4@example.edu', how: 'already-issued' }]);
    expect(await ledger.getAward(`${sql.id}|X4`)).toMatchObject({ state: 'issued', how: 'already-issued', badgeId: badge.id, lastError: null, credly: { state: 'pending' } });
  });

  it("a new award adopted from Credly has the learner's name, email and campus id as its snapshot, and no evidence", async () => {
    const { fake, ledger, sql, templateId, run } = await setup();
    fake.issueOutside(outsideIssue(templateId, 6));
    await run();
    expect((await ledger.getAward(`${sql.id}|X6`))!.snapshot).toMatchObject({ learner: { email: 'outside6@example.edu', firstName: 'Outside', lastName: 'Earner6', campusId: 'X6' }, evidence: [] });
  });

  it('an award left "issuing" is left to the issue run and reported; the next issue run looks the badge up and sends nothing', async () => {
    const ctx = await issuanceSetup();
    cleanups.push(ctx.close);
    // A run planned learner 1, made its intent durable, sent the badge, and died before recording it.
    const microcredentialId = ctx.entries[0]!.microcredential.id;
    const key = `${microcredentialId}|B00000001`;
    await ctx.ledger.planAward({ key, microcredentialId, templateId: ctx.templateId, email: 'learner1@example.edu', earnerId: 'B00000001', state: 'issuing' });
    await ctx.ledger.writeAward(key, { attempts: 1 }, { any: true });
    const badge = ctx.fake.issueOutside({ ...outsideIssue(ctx.templateId, 1), recipient_email: 'learner1@example.edu', issued_to_first_name: 'Learner', issued_to_last_name: 'Number1', issuer_earner_id: 'B00000001' });
    const before = (await ctx.ledger.getAward(key))!;

    const report = await reconcile({ client: ctx.client, ledger: ctx.ledger, sleep: async () => {} });
    expect(report.adopted).toEqual([]);
    expect(report.unknownOnCredly).toEqual([{ badgeId: badge.id, key, email: 'learner1@example.edu', templateId: ctx.templateId, reason: 'an issue run holds this award; its look-up will find the badge' }]);
    expect((await ctx.ledger.getAward(key))!.version).toBe(before.version);

    const sends = ctx.fake.stats().requests['POST /badges'] ?? 0;
    const issued = await issueBadges(csvRows(sqlRosterCsv(1)), ctx.base);
    expect(issued.totals).toMatchObject({ issued: 0, 'already-issued': 1, failed: 0 });
    expect(ctx.fake.stats().requests['POST /badges'] ?? 0).toBe(sends);
    expect(await ctx.ledger.getAward(key)).toMatchObject({ state: 'issued', badgeId: badge.id });
    expect((await reconcile({ client: ctx.client, ledger: ctx.ledger, sleep: async () => {} })).totals).toMatchObject({ unknownOnCredly: 0, missingOnCredly: 0 });
  });
});

describe('docs/lifecycle.md: how it dates what it sees', () => {
  it('without Credly times: a new state is dated by the run that first saw it, and later runs keep that date and write nothing', async () => {
    const { fake, client, clock, ledger, sql, templateId, run } = await setup();
    const [award] = await seedIssued(client, ledger, sql, templateId, [{ n: 1 }]);
    // A Credly that sends neither state_updated_at nor accepted_at.
    const timeless = {
      badges: {
        list: (params: Parameters<typeof client.badges.list>[0], options?: Parameters<typeof client.badges.list>[1]) => ({
          async *iteratePages() {
            for await (const page of client.badges.list(params, options).iteratePages()) {
              yield { data: page.data.map((b: IssuedBadge) => ({ ...b, state_updated_at: null, accepted_at: null })), hasNextPage: () => page.hasNextPage() };
            }
          },
        }),
      },
    } as unknown as CredlyClient;
    await run({ client: timeless });
    clock.advance(86_400_000);
    fake.acceptBadge(award!.badgeId!);
    const sawIt = clock.now().toISOString();
    await run({ client: timeless });
    const accepted = (await ledger.getAward(award!.key))!;
    expect(accepted.credly).toMatchObject({ state: 'accepted', changedAt: sawIt, acceptedAt: sawIt, seenAt: sawIt });
    clock.advance(86_400_000);
    const again = await run({ client: timeless });
    expect(again.totals).toMatchObject({ changed: 0, unchanged: 1 });
    expect((await ledger.getAward(award!.key))!).toMatchObject({ version: accepted.version, credly: { changedAt: sawIt, acceptedAt: sawIt } });
  });
});

describe('docs/lifecycle.md: when it stops', () => {
  it('stopped between templates: the templates read in full before the stop are applied, the rest is not read', async () => {
    const { fake, client, ledger, sql, geo, templateId, run } = await setup();
    const other = await seedTemplate(fake, ledger, geo);
    const [a] = await seedIssued(client, ledger, sql, templateId, [{ n: 1 }]);
    const [b] = await seedIssued(client, ledger, geo, other, [{ n: 2 }]);
    const controller = new AbortController();
    // Stopped as the first template's last page comes in.
    const report = await run({ signal: controller.signal, onPage: () => controller.abort() });
    expect(report.stoppedBecause).toBe('cancelled');
    expect(report.templates).toEqual([{ microcredentialId: sql.id, templateId, pages: 1, badges: 1 }]);
    expect((await ledger.getAward(a!.key))!.credly).toMatchObject({ state: 'pending' });
    expect((await ledger.getAward(b!.key))!.credly ?? null).toBeNull();
    expect(fake.stats().requests['GET /badges']).toBe(1);
  });

  it('the CLI waits 200 ms between page requests by default (--page-delay)', async () => {
    const help = await runCli(['reconcile', '--help']);
    expect(help.stdout).toMatch(/--page-delay <ms> +wait between page requests \(default: 200\)/);
  });

  it("the report's totals are the ones the page lists", async () => {
    const { run } = await setup();
    expect(Object.keys((await run()).totals)).toEqual(['pages', 'badges', 'changed', 'unchanged', 'adopted', 'missingOnCredly', 'unknownOnCredly', 'failures']);
  });
});

describe('docs/lifecycle.md: exit codes (CLI)', () => {
  async function cli() {
    const fake = await startFakeCredly({ seed: 21 });
    cleanups.push(() => fake.stop());
    const dir = mkdtempSync(join(tmpdir(), 'reconcile-exit-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const ledgerPath = join(dir, 'awards.ledger');
    const { credentials, options } = fake.clientConfig();
    const client = new CredlyClient(credentials, options);
    const ledger = await openLedger(ledgerPath);
    const { sql } = exampleMicrocredentials();
    const templateId = await seedTemplate(fake, ledger, sql);
    await seedIssued(client, ledger, sql, templateId, [{ n: 1 }]);
    client.close();
    await ledger.close();
    const env = { ...cleanEnv, CREDLY_ORGANIZATION_ID: fake.organizationId, CREDLY_API_TOKEN: fake.token, CREDLY_BASE_URL: fake.baseUrl, CREDLY_LEDGER: ledgerPath };
    const runs = async () => {
      const reopened = await openLedger(ledgerPath, { readOnly: true });
      try {
        return await reopened.listRuns();
      } finally {
        await reopened.close();
      }
    };
    return { fake, env, dir, runs };
  }

  it('exit 2 when a template could not be read (a failure), with the reason', async () => {
    const { fake, env } = await cli();
    fake.injectFault({ route: 'GET /badges', kind: 'error-5xx', status: 403 });
    const result = await runCli(['reconcile', '--page-delay', '0'], { env });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/failures: 1\n {4}\S+: could not list the template's badges: 403/);
  });

  it('exit 2 when the run was stopped (SIGTERM), saying so', async () => {
    const { env } = await cli();
    const stop = new AbortController();
    stop.abort('SIGTERM');
    const result = await runCli(['reconcile', '--page-delay', '0'], { env, signal: stop.signal });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('stopped: cancelled (run it again: reconcile is idempotent)');
  });

  it('exit 1 when it could not run: no ledger', async () => {
    const { env, dir } = await cli();
    const missing = join(dir, 'nope.ledger');
    const result = await runCli(['reconcile', '--ledger', missing], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no ledger at ${missing}`);
  });

  it('exit 1 when it could not run: Credly refuses the credentials; no run is recorded', async () => {
    const { env, runs } = await cli();
    const result = await runCli(['reconcile', '--page-delay', '0'], { env: { ...env, CREDLY_API_TOKEN: 'not-the-token' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: Credly refused the credentials (401)');
    expect(await runs()).toEqual([]);
  });
});
