import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Ledger } from '../../src/ledger/contract.js';
import { openPostgresLedger } from '../../src/ledger/postgres.js';
import { CredlyClient } from '../../src/credly/client.js';
import { syncTemplates } from '../../src/issuance/template-sync.js';
import { startFakeCredly, type FakeCredly } from '../../src/testing/index.js';
import { cleanEnv, NODE_ARGS } from '../helpers/cli.js';
import { exampleProposalJson } from '../helpers/examples.js';
import { approvedEntry, sqlRosterCsv } from '../helpers/issuance.js';
import { DATABASE_URL, PG_SKIP_REASON, dropSchema, freshSchema, urlWithSchema } from '../helpers/postgres.js';

// Several `issue` processes on one roster and one PostgreSQL ledger, against the fake Credly: the
// job ends with exactly one badge per learner, counted by the fake itself, whatever happens to the
// workers (SIGKILL at random moments and restarts, faults, a worker paused past its lease). The
// template allows duplicate badges, as Credly lets an admin set it: Credly's own duplicate rule
// would refuse a second badge (and hide an award sent again without a look-up); this one does not.
const suite = PG_SKIP_REASON ? describe.skip : describe;
const LEASE_S = 1;

interface Worker {
  readonly proc: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let dir: string;
let fake: FakeCredly | undefined;
const schemas: string[] = [];
const workers: Worker[] = [];

/** Coding in SQL on a template that allows duplicates. */
const allowDuplicates = (json: any) => (json.badge.allowDuplicates = true);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'credly-workers-'));
  const proposal = exampleProposalJson('non-credit');
  allowDuplicates(proposal);
  writeFileSync(join(dir, 'sql.json'), JSON.stringify({ proposal, approval: { state: 'approved' } }));
});
afterEach(async () => {
  for (const worker of workers.splice(0)) worker.proc.kill('SIGKILL');
  await fake?.stop();
  fake = undefined;
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (DATABASE_URL) for (const name of schemas) await dropSchema(name);
});

/** A seeded generator, so that "random moments" repeat from run to run. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function cli(args: string[], ledgerUrl: string, credly: FakeCredly): Worker {
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...cleanEnv,
    CREDLY_ORGANIZATION_ID: credly.organizationId,
    CREDLY_API_TOKEN: credly.token,
    CREDLY_BASE_URL: credly.baseUrl,
    CREDLY_LEDGER: ledgerUrl,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const proc = spawn(process.execPath, [...NODE_ARGS, ...args], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const worker: Worker = {
    proc,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  proc.stdout!.on('data', (chunk) => (worker.stdout += chunk));
  proc.stderr!.on('data', (chunk) => (worker.stderr += chunk));
  workers.push(worker);
  return worker;
}

const issueArgs = (roster: string, extra: string[] = []) => ['issue', '--roster', roster, '--microcredential', join(dir, 'sql.json'), '--concurrency', '8', '--lease', String(LEASE_S), '--json', ...extra];

async function setup(n: number, options: Parameters<typeof startFakeCredly>[0]): Promise<{ url: string; roster: string; credly: FakeCredly }> {
  const credly = await startFakeCredly(options);
  fake = credly;
  const schema = freshSchema('workers');
  schemas.push(schema);
  const url = urlWithSchema(schema);
  const roster = join(dir, `roster-${schema}.csv`);
  writeFileSync(roster, sqlRosterCsv(n));
  return { url, roster, credly };
}

/** Syncs Coding in SQL's template into the ledger, as one worker (or `workers` at once, each with its own handle). */
async function syncTemplate(url: string, credly: FakeCredly, workers = 1): Promise<void> {
  const { credentials, options } = credly.clientConfig();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      const client = new CredlyClient(credentials, options);
      const ledger = await openPostgresLedger(url);
      try {
        const [synced] = await syncTemplates([approvedEntry('non-credit', allowDuplicates)], { client, ledger });
        expect((await client.badgeTemplates.get(synced!.templateId!)).allow_duplicate_badges).toBe(true);
      } finally {
        await ledger.close();
        client.close();
      }
    }),
  );
}

/** Waits until `condition` holds, checking every few milliseconds. */
async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
}

/** Exactly one badge per learner on the fake, and every award issued in the ledger. */
async function expectOneBadgeEach(credly: FakeCredly, url: string, n: number): Promise<Ledger> {
  const badges = credly.badges().filter((b) => b.state !== 'revoked');
  expect(new Set(badges.map((b) => b.recipient_email)).size).toBe(n);
  expect(badges).toHaveLength(n);
  expect(credly.duplicateCount()).toBe(0);
  const templates = [...new Set(badges.map((b) => b.templateId))];
  expect(templates).toHaveLength(1);
  for (let k = 1; k <= n; k += 1) expect(credly.badgesFor(templates[0]!, `learner${k}@example.edu`), `learner${k}`).toHaveLength(1);
  const ledger = await openPostgresLedger(url);
  expect(await ledger.countAwards()).toMatchObject({ issued: n, issuing: 0, planned: 0, failed: 0 });
  // Each award's badge is the fake's badge for that learner.
  const byEmail = new Map(badges.map((b) => [b.recipient_email.toLowerCase(), b.id]));
  for await (const award of ledger.queryAwards()) expect(award.badgeId).toBe(byEmail.get(award.email.toLowerCase()));
  return ledger;
}

/** The awards of a worker's JSON report that did not end issued, for a failure message. */
function needingAttention(stdout: string): string {
  try {
    const report = JSON.parse(stdout) as { awards: Array<{ outcome: string }> };
    return JSON.stringify(report.awards.filter((a) => !['issued', 'already-issued'].includes(a.outcome)));
  } catch {
    return stdout.slice(-2000);
  }
}

/**
 * Four workers on one roster; two of them are killed with SIGKILL when the fake holds a random
 * number of badges, and started again once their leases can have expired (as a scheduler restarts
 * a pod). Resolves when every worker, first and restarted, has exited.
 */
async function fourWorkersTwoKilled(url: string, roster: string, credly: FakeCredly, n: number, seed: number): Promise<{ restarted: Worker[]; survivors: Worker[] }> {
  const random = seeded(seed);
  const first = Array.from({ length: 4 }, () => cli(issueArgs(roster), url, credly));
  const victims = [0, 1].map((i) => ({ worker: first[i]!, at: Math.floor(n * (0.1 + 0.5 * random())) }));
  const restarted = await Promise.all(
    victims.map(async ({ worker, at }) => {
      await until(() => credly.badges().length >= at, `${at} badges`);
      worker.proc.kill('SIGKILL');
      expect((await worker.exited).signal).toBe('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, LEASE_S * 1000 + 200));
      return cli(issueArgs(roster), url, credly);
    }),
  );
  const survivors = [first[2]!, first[3]!];
  for (const worker of [...survivors, ...restarted]) {
    const { code } = await worker.exited;
    expect(code, `${worker.stderr}\n${needingAttention(worker.stdout)}`).toBe(0);
  }
  return { restarted, survivors };
}

suite(`several issue workers on one PostgreSQL ledger${PG_SKIP_REASON ? ` (skipped: ${PG_SKIP_REASON})` : ''}`, () => {
  it('four workers syncing templates at once create the template once (the template lock)', async () => {
    const { url, credly } = await setup(1, { seed: 21, latencyMs: 30 });
    await syncTemplate(url, credly, 4);
    expect(credly.stats().templates).toBe(1);
    expect(credly.stats().requests['POST /badge_templates']).toBe(1);
  });

  it('four workers, two SIGKILLed at random moments and restarted: one badge per learner, every award issued', async () => {
    const n = 400;
    const { url, roster, credly } = await setup(n, { seed: 22, latencyMs: { base: 80, jitter: 40 } });
    await syncTemplate(url, credly);
    await fourWorkersTwoKilled(url, roster, credly, n, 22);
    const ledger = await expectOneBadgeEach(credly, url, n);
    await ledger.close();
  }, 120_000);

  it('the same with faults: 5xx answers and connections reset after the badge was created', async () => {
    const n = 300;
    const { url, roster, credly } = await setup(n, { seed: 23, latencyMs: { base: 80, jitter: 40 } });
    await syncTemplate(url, credly);
    credly.setFaults({ errorRate: 0.02, resetAfterCommitRate: 0.05 });
    await fourWorkersTwoKilled(url, roster, credly, n, 23);
    expect(Object.values(credly.stats().faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    credly.clearFaults();
    const ledger = await expectOneBadgeEach(credly, url, n);
    await ledger.close();
  }, 120_000);

  it('a worker paused past its lease (SIGSTOP, SIGCONT) does not overwrite the new owner’s result', async () => {
    const n = 48;
    const { url, roster, credly } = await setup(n, { seed: 24, latencyMs: 600 });
    await syncTemplate(url, credly);
    const paused = cli(issueArgs(roster), url, credly);
    // Paused with its first requests answered by Credly but not yet heard (600 ms of latency).
    await until(() => credly.badges().length >= 8, 'the paused worker’s first requests');
    paused.proc.kill('SIGSTOP');
    const pausedAt = credly.badges().length;
    // The new owner starts after the paused worker's leases ran out (startup alone takes longer).
    await new Promise((resolve) => setTimeout(resolve, LEASE_S * 1000 + 200));
    const owner = cli(issueArgs(roster), url, credly);
    expect((await owner.exited).code, owner.stderr).toBe(0);
    const ledger = await expectOneBadgeEach(credly, url, n);
    const before = new Map<string, { version: number; badgeId: string | null; how: string | undefined }>();
    for await (const award of ledger.queryAwards()) before.set(award.key, { version: award.version, badgeId: award.badgeId, how: award.how });

    paused.proc.kill('SIGCONT');
    const { code } = await paused.exited;
    expect(code).not.toBeNull();
    const report = JSON.parse(paused.stdout) as { awards: Array<{ key?: string; outcome: string; reason?: string }> };
    const lost = report.awards.filter((a) => a.outcome === 'skipped' && /another worker took this award over/.test(a.reason ?? ''));
    expect(lost.length).toBeGreaterThanOrEqual(1);
    expect(lost.length).toBeLessThanOrEqual(pausedAt + 8);
    // What the new owner wrote is what the ledger holds: the paused worker wrote nothing over it.
    for await (const award of ledger.queryAwards()) {
      expect({ version: award.version, badgeId: award.badgeId, how: award.how }).toEqual(before.get(award.key));
    }
    // Each of them was taken over (a second claim) and settled by the new owner.
    for (const { key } of lost) expect((await ledger.getAward(key!))?.fence).toBeGreaterThanOrEqual(2);
    expect(credly.badges()).toHaveLength(n);
    await ledger.close();
  }, 120_000);
});
