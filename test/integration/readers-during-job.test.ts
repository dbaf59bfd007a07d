import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileLedger } from '../../src/ledger/file.js';
import { startFakeCredly, type FakeCredly } from '../../src/testing/index.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { exampleProposalJson } from '../helpers/examples.js';
import { sqlRosterCsv } from '../helpers/issuance.js';

// docs/lifecycle.md: `export`, `report` and `status --pending` open a file ledger read-only,
// without its lease, so they work while an issue job holds it; they change nothing.
let dir: string;
let fake: FakeCredly;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'credly-readers-'));
  fake = await startFakeCredly({ seed: 31 });
  writeFileSync(file('sql.json'), JSON.stringify({ proposal: exampleProposalJson('non-credit'), approval: { state: 'approved' } }));
  writeFileSync(file('roster.csv'), sqlRosterCsv(3));
});
afterAll(async () => {
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('readers while a job holds the file ledger', () => {
  it('export, report and status --pending read it, and change neither the ledger nor its lease', async () => {
    const env = { ...cleanEnv, CREDLY_ORGANIZATION_ID: fake.organizationId, CREDLY_API_TOKEN: fake.token, CREDLY_BASE_URL: fake.baseUrl };
    const ledger = file('awards.ledger');
    expect((await runCli(['sync-templates', file('sql.json'), '--ledger', ledger], { env })).code).toBe(0);
    expect((await runCli(['issue', '--roster', file('roster.csv'), '--microcredential', file('sql.json'), '--ledger', ledger], { env })).code).toBe(0);
    const holder = await FileLedger.open(ledger); // the running job
    try {
      const bytes = readFileSync(ledger);
      const leases = readdirSync(dir).filter((name) => name.includes('.lock'));
      const exported = await runCli(['export', '--format', 'jsonl', '--ledger', ledger], { env: cleanEnv });
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stdout.trim().split('\n')).toHaveLength(3);
      const report = await runCli(['report', '--html', file('report.html'), '--ledger', ledger], { env: cleanEnv });
      expect(report.code, report.stderr).toBe(0);
      expect(existsSync(file('report.html'))).toBe(true);
      const pending = await runCli(['status', '--pending', '--format', 'json', '--ledger', ledger], { env: cleanEnv });
      expect(pending.stderr).toBe('');
      expect((JSON.parse(pending.stdout) as { pending: unknown[] }).pending).toHaveLength(3); // issued, not accepted yet
      expect(readFileSync(ledger).equals(bytes)).toBe(true);
      expect(readdirSync(dir).filter((name) => name.includes('.lock'))).toEqual(leases);
      // The job still holds its lease and writes.
      await holder.putRun({ runId: 'still-mine', command: 'issue', owner: holder.owner, startedAt: new Date().toISOString(), finishedAt: null, totals: {}, failures: [] });
    } finally {
      await holder.close();
    }
  });
});
