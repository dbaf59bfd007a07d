import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileLedger } from '../../src/ledger/file.js';
import { startFakeCredly, type FakeCredly } from '../../src/testing/index.js';
import { cleanEnv, mergedEnv, NODE_ARGS, runCli } from '../helpers/cli.js';
import { exampleProposalJson } from '../helpers/examples.js';
import { sqlRosterCsv } from '../helpers/issuance.js';

// docs/cli.md: a job that loses its lease (paused past its TTL, and taken over by another) sends
// and writes nothing more, and exits 1. The CLI as a process, paused with SIGSTOP as a frozen
// container is, while the test takes the ledger over.
let dir: string;
let fake: FakeCredly;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'credly-lease-lost-'));
  fake = await startFakeCredly({ seed: 21, latencyMs: 100 });
  writeFileSync(join(dir, 'sql.json'), JSON.stringify({ proposal: exampleProposalJson('non-credit'), approval: { state: 'approved' } }));
  writeFileSync(join(dir, 'roster.csv'), sqlRosterCsv(40));
});
afterAll(async () => {
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

const posts = () => fake.stats().requests['POST /badges'] ?? 0;
const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('a CLI job that lost its lease', () => {
  it('sends nothing more once resumed, says so, and exits 1; the new holder finishes the roster once', async () => {
    const env = { ...cleanEnv, CREDLY_ORGANIZATION_ID: fake.organizationId, CREDLY_API_TOKEN: fake.token, CREDLY_BASE_URL: fake.baseUrl };
    const ledger = join(dir, 'awards.ledger');
    expect((await runCli(['sync-templates', join(dir, 'sql.json'), '--ledger', ledger], { env })).code).toBe(0);
    const args = ['issue', '--roster', join(dir, 'roster.csv'), '--microcredential', join(dir, 'sql.json'), '--ledger', ledger, '--concurrency', '2'];
    const proc = spawn(process.execPath, [...NODE_ARGS, ...args, '--lock-ttl', '0.6'], { env: mergedEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));

    await until(() => fake.badges().length >= 4);
    proc.kill('SIGSTOP');
    // Paused past its TTL: its lease is stale, and another job takes the ledger over.
    await new Promise((resolve) => setTimeout(resolve, 800));
    const successor = await FileLedger.open(ledger);
    const sentBeforeResume = posts();
    proc.kill('SIGCONT');
    const code = await exited;
    await successor.close();

    expect(code).toBe(1);
    expect(stderr).toMatch(/this job lost the ledger's lease/);
    // What was in flight when it stopped may be answered; nothing is sent after it resumes.
    expect(posts()).toBe(sentBeforeResume);
    expect(fake.badges().length).toBeLessThan(40);

    // The next run looks up what the paused job left "issuing" and finishes: one badge each.
    const next = await runCli(args, { env });
    expect(next.code, next.stderr).toBe(0);
    expect(fake.badges()).toHaveLength(40);
    expect(fake.duplicateCount()).toBe(0);
  });
});
