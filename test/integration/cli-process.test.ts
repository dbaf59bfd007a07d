import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCredly, type FakeCredly } from '../../src/testing/index.js';
import { cleanEnv, runCli, runCliProcess, spawnCli } from '../helpers/cli.js';
import { exampleProposalJson } from '../helpers/examples.js';
import { sqlRosterCsv } from '../helpers/issuance.js';

// What only a real process shows: the signals an operator or a scheduler sends, and a closed pipe.
// These start dist/cli.cjs (built once by test/global/build-cli.ts).
let fake: FakeCredly;
let dir: string;
let env: Record<string, string | undefined>;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  fake = await startFakeCredly({ seed: 12, latencyMs: 20 });
  dir = mkdtempSync(join(tmpdir(), 'credly-cli-proc-'));
  env = { ...cleanEnv, CREDLY_ORGANIZATION_ID: fake.organizationId, CREDLY_API_TOKEN: fake.token, CREDLY_BASE_URL: fake.baseUrl };
  writeFileSync(file('sql.json'), JSON.stringify({ proposal: exampleProposalJson('non-credit'), approval: { state: 'approved' } }));
  writeFileSync(file('roster.csv'), sqlRosterCsv(200));
  expect((await runCli(['sync-templates', file('sql.json'), '--ledger', file('awards.ledger')], { env })).code).toBe(0);
});
afterAll(async () => {
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

const issue = ['issue', '--roster', '', '--microcredential', '', '--ledger', '', '--concurrency', '2'];
const args = () => issue.map((a, i) => (i === 2 ? file('roster.csv') : i === 4 ? file('sql.json') : i === 6 ? file('awards.ledger') : a));

describe('the CLI as a process', () => {
  it('SIGTERM: exit 143 after the awards in flight are recorded; a second SIGINT stops at once with 130', async () => {
    const first = await runCliProcess(args(), { env, signalAfter: { pattern: /progress: \d+/, signal: 'SIGTERM' } });
    expect(first.code).toBe(143);
    expect(first.stderr).toMatch(/stopping: awards in flight finish and are recorded/);
    expect(first.stderr).toMatch(/stopped by SIGTERM: \d+ row\(s\) not reached/);
    const proc = spawnCli(args(), { env });
    proc.stdin.end();
    let stderr = '';
    proc.stderr.on('data', (chunk) => {
      const before = stderr;
      stderr += chunk;
      if (!/progress: \d+/.test(before) && /progress: \d+/.test(stderr)) proc.kill('SIGINT');
      if (!/stopping:/.test(before) && /stopping:/.test(stderr)) proc.kill('SIGINT'); // Ctrl-C again
    });
    const code = await new Promise((resolve) => proc.on('close', resolve));
    expect(code).toBe(130);
    expect(stderr).not.toMatch(/stopped by SIGINT: \d+ row/); // it did not wait
    expect(fake.duplicateCount()).toBe(0);
  });

  it('status | head -1: one line and exit 1 when the reader goes away, no stack', async () => {
    const proc = spawnCli(['status', '--ledger', file('awards.ledger')], { env });
    proc.stdin.end();
    proc.stdout.destroy(); // the reader is gone before the first line
    let stderr = '';
    proc.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise((resolve) => proc.on('close', resolve));
    expect(code).toBe(1);
    expect(stderr).toBe('error: the output was closed before everything was written (e.g. piped into head)\n');
  });
});
