import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TSX } from '../helpers/cli.js';
import { afterEach, describe, expect, it } from 'vitest';
import { CredlyClient, FileLedger, issueBadges, readRosterFile, syncTemplates } from '../../src/index.js';
import { startFakeCredly, type FakeCredly } from '../../src/testing/index.js';
import { sqlAllowingDuplicates, sqlRosterCsv, allAwards } from '../helpers/issuance.js';

const child = fileURLToPath(new URL('./children/issue-run.ts', import.meta.url));
let dir: string;
let fake: FakeCredly;

afterEach(async () => {
  await fake?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the job in a child process and SIGKILLs it once the fake holds `killAt` badges. */
function runAndKill(env: Record<string, string>, killAt: number): Promise<{ killed: boolean }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', pathToFileURL(TSX).href, child], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (chunk) => (stderr += chunk));
    const poll = setInterval(() => {
      if (fake.badges().length >= killAt) {
        clearInterval(poll);
        proc.kill('SIGKILL');
      }
    }, 2);
    proc.on('exit', (code, signal) => {
      clearInterval(poll);
      if (signal === 'SIGKILL') resolve({ killed: true });
      else if (code === 0) resolve({ killed: false });
      else reject(new Error(`child exited ${code}: ${stderr}`));
    });
  });
}

/** Coding in SQL on a template that allows duplicates: only the ledger's look-ups keep one badge per learner. */
const sql = sqlAllowingDuplicates;

describe('a job killed with SIGKILL mid-run', () => {
  it('leaves every learner with exactly one badge after re-runs (on a template that allows duplicates)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'credly-crash-'));
    fake = await startFakeCredly({ seed: 11, latencyMs: { base: 3, jitter: 4 } });
    const ledgerPath = join(dir, 'awards.ledger');
    const rosterPath = join(dir, 'roster.csv');
    writeFileSync(rosterPath, sqlRosterCsv(60));
    const { credentials, options } = fake.clientConfig();
    const client = new CredlyClient(credentials, { ...options, retryTiming: { baseDelayMs: 1 } });
    let ledger = await FileLedger.open(ledgerPath);
    const [synced] = await syncTemplates([sql()], { client, ledger });
    expect((await client.badgeTemplates.get(synced!.templateId!)).allow_duplicate_badges).toBe(true);
    await ledger.close();

    const env = { BASE_URL: fake.baseUrl, ORG_ID: fake.organizationId, TOKEN: fake.token, LEDGER: ledgerPath, ROSTER: rosterPath, CONCURRENCY: '6' };
    const kills: boolean[] = [];
    for (const killAt of [12, 31, 47]) kills.push((await runAndKill(env, killAt)).killed);
    expect(kills.filter(Boolean).length).toBeGreaterThanOrEqual(2);
    // The killed job left its lease behind (this one takes it over once it is older than its
    // 1.5 s TTL) and, most likely, awards in "issuing" with requests in flight.
    ledger = await FileLedger.open(ledgerPath, { lockTtlMs: 1_500, waitForLockMs: 10_000 });
    const before = fake.badges().length;
    const report = await issueBadges(readRosterFile(rosterPath), { client, ledger, microcredentials: [sql()], retryDelayMs: 1 });
    // Awards the killed runs had sent are reported already issued, not issued: the totals say what this run did.
    expect(report.totals.issued).toBe(fake.badges().length - before);
    expect(report.totals.issued + report.totals['already-issued']).toBe(60);
    await ledger.close();
    client.close();
    expect(report.totals.failed).toBe(0);
    const template = [...new Set(fake.badges().map((b) => b.templateId))];
    expect(template).toHaveLength(1);
    for (let k = 1; k <= 60; k += 1) expect(fake.badgesFor(template[0]!, `learner${k}@example.edu`), `learner${k}`).toHaveLength(1);
    expect(fake.duplicateCount()).toBe(0);
    expect(fake.badges()).toHaveLength(60);
    // The ledger agrees with Credly: every award issued, each with the badge Credly holds.
    const reopened = await FileLedger.open(ledgerPath);
    const awards = (await allAwards(reopened));
    await reopened.close();
    expect(awards).toHaveLength(60);
    expect(awards.every((a) => a.state === 'issued' && fake.badges().some((b) => b.id === a.badgeId))).toBe(true);
    expect(readFileSync(ledgerPath, 'utf8').split('\n')[0]).toMatch(/"type":"header"/);
  });
});
