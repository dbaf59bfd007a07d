import { parse } from 'csv-parse/sync';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CredlyClient } from '../../src/credly/client.js';
import { EXPORT_COLUMNS, PENDING_CSV_COLUMNS } from '../../src/lifecycle/index.js';
import { openLedger } from '../../src/ledger/open.js';
import { startFakeCredly, type FakeCredly } from '../../src/testing/index.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { exampleMicrocredentials, outsideIssue, seedIssued, seedTemplate } from '../helpers/lifecycle.js';

let fake: FakeCredly;
let dir: string;
let ledgerPath: string;
let env: Record<string, string | undefined>;
let badges: string[];
let templateId: string;

beforeAll(async () => {
  fake = await startFakeCredly({ seed: 15 });
});
afterAll(async () => {
  await fake.stop();
});

/** A file ledger as an issue run leaves it: two learners issued long ago, one today. */
beforeEach(async () => {
  fake.reset();
  dir = mkdtempSync(join(tmpdir(), 'credly-lifecycle-cli-'));
  ledgerPath = join(dir, 'awards.ledger');
  env = { ...cleanEnv, CREDLY_ORGANIZATION_ID: fake.organizationId, CREDLY_API_TOKEN: fake.token, CREDLY_BASE_URL: fake.baseUrl, CREDLY_LEDGER: ledgerPath };
  const { credentials, options } = fake.clientConfig();
  const client = new CredlyClient(credentials, options);
  const ledger = await openLedger(ledgerPath);
  try {
    const { sql } = exampleMicrocredentials();
    templateId = await seedTemplate(fake, ledger, sql);
    const old = await seedIssued(client, ledger, sql, templateId, [{ n: 1, firstName: '=1+2' }, { n: 2 }], '2026-08-01T12:00:00.000Z');
    const recent = await seedIssued(client, ledger, sql, templateId, [{ n: 3 }], new Date().toISOString());
    badges = [...old, ...recent].map((a) => a.badgeId!);
  } finally {
    client.close();
    await ledger.close();
  }
  return () => rmSync(dir, { recursive: true, force: true });
});

describe('reconcile (CLI)', () => {
  it('records states and adopts outside badges (exit 0), is idempotent (--json), and exits 2 on drift', async () => {
    fake.acceptBadge(badges[1]!);
    fake.issueOutside(outsideIssue(templateId, 5));
    const first = await runCli(['reconcile', '--page-delay', '0'], { env });
    expect(first.stderr).toContain(`Reading a custom Credly (${fake.baseUrl}), organization ${fake.organizationId}`);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('reconcile: 1 template(s), 1 page(s), 4 badge(s) on Credly');
    expect(first.stdout).toContain('state changes recorded: 3 (pending 2, accepted 1); unchanged 0');
    expect(first.stdout).toMatch(/adopted \(issued outside this ledger\): 1\n {4}coding-in-sql\|X5 {2}badge \S+ {2}outside5@example.edu {2}\(adopted\)/);

    const again = await runCli(['reconcile', '--page-delay', '0', '--json'], { env: env });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).totals).toMatchObject({ badges: 4, changed: 0, unchanged: 4, adopted: 0 });

    await fetch(`${fake.baseUrl}/organizations/${fake.organizationId}/badges/${badges[0]}`, { method: 'DELETE', headers: { authorization: `Basic ${Buffer.from(`${fake.token}:`).toString('base64')}` } });
    const drift = await runCli(['reconcile', '--page-delay', '0'], { env: env });
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain(`in the ledger, not on Credly: 1\n    coding-in-sql|B00000001  badge ${badges[0]}: Credly lists no badge`);
  });
});

describe('status --pending, export and report (CLI)', () => {
  it('lists pending badges older than 14 days as a mail-merge CSV (exit 2), and refuses a bad duration', async () => {
    await runCli(['reconcile', '--page-delay', '0'], { env: env });
    const result = await runCli(['status', '--pending', '--older-than', '14d', '--format', 'csv'], { env });
    expect(result.code).toBe(2);
    const rows = parse(result.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0]!)).toEqual([...PENDING_CSV_COLUMNS]);
    expect(rows.map((r) => [r.email, r.first_name, r.credly_state])).toEqual([
      ['learner1@example.edu', "'=1+2", 'pending'],
      ['learner2@example.edu', 'Learner', 'pending'],
    ]);
    // None older than a year: an empty list, and exit 0 (a scheduler alerts on 2 only).
    const none = await runCli(['status', '--pending', '--older-than', '365d', '--format', 'csv'], { env });
    expect(none.code).toBe(0);
    expect(none.stdout).toBe(`${PENDING_CSV_COLUMNS.join(',')}\r\n`);
    const bad = await runCli(['status', '--pending', '--older-than', 'soon'], { env: env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('error: --older-than "soon" is not a duration: write a number and a unit, e.g. 14d, 36h, 2w or 90m\n');
  });

  it('exports CSV to a file and JSON Lines to stdout, and writes the program report', async () => {
    fake.acceptBadge(badges[0]!);
    await runCli(['reconcile', '--page-delay', '0'], { env: env });
    const out = join(dir, 'registrar.csv');
    const csv = await runCli(['export', '--format', 'csv', '--out', out], { env: env });
    expect(csv.code).toBe(0);
    expect(csv.stderr).toBe(`wrote 3 award(s) to ${out}\n`);
    const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0]!)).toEqual([...EXPORT_COLUMNS]);
    expect(rows.map((r) => [r.student_id, r.first_name, r.credly_state])).toEqual([
      ['B00000001', "'=1+2", 'accepted'],
      ['B00000002', 'Learner', 'pending'],
      ['B00000003', 'Learner', 'pending'],
    ]);
    const jsonl = await runCli(['export', '--format', 'jsonl'], { env: env });
    expect(jsonl.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).student_id)).toEqual(['B00000001', 'B00000002', 'B00000003']);
    const badFormat = await runCli(['export', '--format', 'xlsx'], { env: env });
    expect(badFormat.code).toBe(1);
    expect(badFormat.stderr).toContain('--format must be csv or jsonl, got "xlsx"');

    const html = join(dir, 'report.html');
    const report = await runCli(['report', '--html', html], { env: env });
    expect(report.code).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<svg class="chart" data-chart="acceptance"');
    expect(page).toMatch(/data-category="Coding in SQL" data-series="accepted %" data-value="33.3"/);
    expect(page).not.toContain('<script');
  });

  it('says clearly when there is no ledger, or the output cannot be written', async () => {
    const result = await runCli(['export', '--ledger', join(dir, 'nope.ledger')], { env: env });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: no ledger at ${join(dir, 'nope.ledger')}: nothing has been issued with it (pass --ledger or set CREDLY_LEDGER)\n`);
    const nowhere = join(dir, 'missing-folder', 'report.html');
    const report = await runCli(['report', '--html', nowhere], { env: env });
    expect(report.code).toBe(1);
    expect(report.stderr.startsWith(`error: could not write ${nowhere}: ENOENT`)).toBe(true);
    expect(report.stderr).toContain('(check the folder exists and is writable)');
  });
});
