import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/ledger/contract.js';
import { FileLedger } from '../../src/ledger/file.js';
import { startFakeCredly, type FakeCredly } from '../../src/testing/index.js';
import { cleanEnv, runCli, spawnCli } from '../helpers/cli.js';
import { award } from '../contract/ledger-contract.js';
import { exampleProposalJson } from '../helpers/examples.js';
import { sqlRosterCsv } from '../helpers/issuance.js';

let fake: FakeCredly;
let dir: string;
let env: Record<string, string | undefined>;
const file = (name: string) => join(dir, name);

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A file ledger's lease files as the lease writes them: `<path>.lock.<generation>`. */
const leaseFiles = (ledger: string) => readdirSync(dirname(ledger)).filter((name) => new RegExp(`^${escapeRegExp(basename(ledger))}\\.lock\\.\\d+$`).test(name)).sort();

/**
 * Asserts that stderr is the whole documented "ledger is locked" message (docs/cli.md): the
 * holder's owner, process and host, when it was renewed and until when, and what to do.
 */
function expectLockedMessage(stderr: string, ledger: string, hint = 'wait for that job to finish, or pass --wait-for-lock <seconds>'): void {
  const lease = JSON.parse(readFileSync(join(dirname(ledger), leaseFiles(ledger).at(-1)!), 'utf8')) as { owner: string };
  const message = new RegExp(
    `^error: the ledger is in use by ${escapeRegExp(lease.owner)} \\(process ${process.pid} on ${escapeRegExp(hostname())}\\), renewed (\\S+), until (\\S+); ${escapeRegExp(hint)}\\n$`,
  ).exec(stderr);
  expect(message, stderr).not.toBeNull();
  const [renewed, until] = [message![1]!, message![2]!];
  expect(new Date(renewed).toISOString()).toBe(renewed);
  expect(Date.parse(until) - Date.parse(renewed)).toBe(30_000); // the default --lock-ttl
}

beforeAll(async () => {
  fake = await startFakeCredly({ seed: 5 });
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.reset();
  dir = mkdtempSync(join(tmpdir(), 'credly-cli-'));
  env = { ...cleanEnv, CREDLY_ORGANIZATION_ID: fake.organizationId, CREDLY_API_TOKEN: fake.token, CREDLY_BASE_URL: fake.baseUrl };
  writeFileSync(file('sql.json'), JSON.stringify({ proposal: exampleProposalJson('non-credit'), approval: { state: 'approved' } }));
  writeFileSync(file('geo.json'), JSON.stringify({ proposal: exampleProposalJson('credit-bearing'), approval: { state: 'approved' } }));
  writeFileSync(file('roster.csv'), sqlRosterCsv(12));
  return () => rmSync(dir, { recursive: true, force: true });
});

describe('validate', () => {
  it('accepts the examples and a clean roster (exit 0)', async () => {
    const result = await runCli(['validate', file('sql.json'), file('geo.json'), file('roster.csv')], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/3 file\(s\) valid \(12 roster rows\)/);
  });

  it('lists every problem with file, row and field, and exits 1', async () => {
    const proposal = exampleProposalJson('non-credit');
    proposal.badge.skills = ['SQL'];
    delete proposal.form.title;
    writeFileSync(file('bad.json'), JSON.stringify(proposal));
    writeFileSync(file('bad.csv'), sqlRosterCsv(2, 1, ['coding-in-sql,broken,A,B,B1,2026-04-02T10:00:00-04:00,Proctored SQL assessment,10,20', 'other-thing,x@example.edu,A,B,B2,,,,']));
    const result = await runCli(['validate', file('bad.json'), file('sql.json'), file('bad.csv')], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${file('bad.json')}: form.title: the title is required`);
    expect(result.stdout).toContain(`${file('bad.json')}: badge.skills: at least 3 skills are required, got 1`);
    expect(result.stdout).toContain(`${file('bad.csv')}:row 3: Recipient Email: "broken" is not a valid email address`);
    expect(result.stdout).toContain(`${file('bad.csv')}:row 4: Microcredential: unknown microcredential other-thing`);
    expect(result.stdout).toMatch(/4 problem\(s\) in 2 of 3 file\(s\)/);
  });
});

describe('sync-templates and issue', () => {
  it('syncs, issues (exit 0), says where it writes, and a re-run issues nothing', async () => {
    const ledger = file('awards.ledger');
    const sync = await runCli(['sync-templates', file('sql.json'), '--ledger', ledger], { env });
    expect(sync.code).toBe(0);
    expect(sync.stderr).toContain(`Writing to a custom Credly (${fake.baseUrl}), organization ${fake.organizationId}`);
    expect(sync.stdout).toMatch(/^coding-in-sql: created template /);
    const again = await runCli(['sync-templates', file('sql.json'), '--ledger', ledger], { env });
    expect(again.stdout).toMatch(/coding-in-sql: unchanged/);

    const issue = await runCli(['issue', '--roster', file('roster.csv'), '--microcredential', file('sql.json'), '--ledger', ledger, '--json'], { env });
    expect(issue.code).toBe(0);
    const report = JSON.parse(issue.stdout);
    expect(report.totals).toMatchObject({ issued: 12, failed: 0 });
    expect(issue.stderr).toMatch(/progress: 12\/12 awards/);
    expect(fake.stats()).toMatchObject({ badges: 12, duplicates: 0 });
    const ledgerLines = readFileSync(ledger, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(ledgerLines.filter((l) => l.type === 'award' && l.state === 'issued')).toHaveLength(12);

    const rerun = await runCli(['issue', '--roster', file('roster.csv'), '--microcredential', file('sql.json'), '--ledger', ledger, '--report-html', 'run.html'], { env, cwd: dir });
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/issued 0, already issued 12, failed 0/);
    // The per-run HTML report, written whole, relative to the run's directory.
    const html = readFileSync(file('run.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/i);
    expect(html).toContain('already-issued');
    expect(fake.stats().badges).toBe(12);
  });

  it('--report-jsonl writes one JSON line per award as it settles (mode 0600), whatever the report holds', async () => {
    const ledger = file('awards.ledger');
    await runCli(['sync-templates', file('sql.json'), '--ledger', ledger], { env });
    writeFileSync(file('mixed.csv'), sqlRosterCsv(3, 1, ['coding-in-sql,broken,A,B,B9,2026-04-02T10:00:00-04:00,Proctored SQL assessment,10,20']));
    const issue = await runCli(['issue', '--roster', file('mixed.csv'), '--microcredential', file('sql.json'), '--ledger', ledger, '--report-jsonl', file('report.jsonl')], { env });
    expect(issue.code).toBe(2);
    const lines = readFileSync(file('report.jsonl'), 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    const outcomes = lines.map((line) => JSON.parse(line));
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['invalid', 'issued', 'issued', 'issued']);
    expect(outcomes.find((o) => o.outcome === 'invalid')).toMatchObject({ row: 4, problems: [expect.objectContaining({ field: 'Recipient Email' })] });
    expect(outcomes.filter((o) => o.outcome === 'issued').every((o) => typeof o.badgeId === 'string' && o.key.startsWith('coding-in-sql|'))).toBe(true);
    expect(statSync(file('report.jsonl')).mode & 0o777).toBe(0o600);

    const unwritable = await runCli(['issue', '--roster', file('roster.csv'), '--microcredential', file('sql.json'), '--ledger', ledger, '--report-jsonl', join(dir, 'no-such-dir', 'r.jsonl')], { env });
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(/--report-jsonl .*no-such-dir.*cannot be written \(ENOENT\)/);
    expect(fake.stats().badges).toBe(3); // Refused before anything was sent.
  });

  it('shows the difference with --dry-run and changes nothing', async () => {
    const ledger = file('awards.ledger');
    await runCli(['sync-templates', file('sql.json'), '--ledger', ledger], { env });
    const changed = { proposal: exampleProposalJson('non-credit'), approval: { state: 'approved' } };
    changed.proposal.badge.description = 'New words for the badge.';
    writeFileSync(file('sql.json'), JSON.stringify(changed));
    const dry = await runCli(['sync-templates', file('sql.json'), file('geo.json'), '--ledger', ledger, '--dry-run'], { env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('coding-in-sql: would be updated (description)');
    expect(dry.stdout).toContain('geospatial-data-analysis: would be created');
    expect(fake.stats().requests['PUT /badge_templates/:id']).toBeUndefined();
    expect(fake.stats().templates).toBe(1);
  });

  it('exits 2 when some rows are invalid or some awards failed, and lists them', async () => {
    const ledger = file('awards.ledger');
    await runCli(['sync-templates', file('sql.json'), '--ledger', ledger], { env });
    writeFileSync(file('mixed.csv'), sqlRosterCsv(3, 1, ['coding-in-sql,bad,A,B,B9,,,,']));
    const result = await runCli(['issue', '--roster', file('mixed.csv'), '--microcredential', file('sql.json'), '--ledger', ledger], { env });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/issued 3, .* invalid 1/);
    expect(result.stdout).toMatch(/invalid row 4: Recipient Email: "bad" is not a valid email address/);
  });

  it('exits 1 when it cannot run: missing configuration, a wrong token, a locked ledger, no approval', async () => {
    const noToken = await runCli(['issue', '--roster', file('roster.csv'), '--microcredential', file('sql.json'), '--ledger', file('l1')], { env: { ...env, CREDLY_API_TOKEN: undefined } });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/configuration: authToken is empty.*CREDLY_API_TOKEN/);
    const ledger = file('awards.ledger');
    await runCli(['sync-templates', file('sql.json'), '--ledger', ledger], { env });
    const wrong = await runCli(['issue', '--roster', file('roster.csv'), '--microcredential', file('sql.json'), '--ledger', ledger], { env: { ...env, CREDLY_API_TOKEN: 'expired-token' } });
    expect(wrong.code).toBe(1);
    // Refused before any award is attempted: one line, no report of 12 failures.
    expect(wrong.stderr).toMatch(/^error: Credly refused the credentials \(401\)/);
    expect(fake.stats().requests['POST /badges']).toBeUndefined();
    expect(wrong.stderr + wrong.stdout).not.toContain(fake.token);
    // Another job holds the ledger's live lease: exit 1 naming who holds it and until when.
    const holder = await FileLedger.open(ledger);
    const locked = await runCli(['issue', '--roster', file('roster.csv'), '--microcredential', file('sql.json'), '--ledger', ledger], { env });
    expect(locked.code).toBe(1);
    expectLockedMessage(locked.stderr, ledger);
    const forced = await runCli(['issue', '--roster', file('roster.csv'), '--microcredential', file('sql.json'), '--ledger', ledger, '--force-unlock'], { env });
    expect(forced.code).toBe(1);
    expect(forced.stderr).toMatch(/renewed moments ago, so its holder is alive: --force-unlock refuses/);
    // With --wait-for-lock the job waits for the holder to finish, then runs.
    const waiting = runCli(['issue', '--roster', file('roster.csv'), '--microcredential', file('sql.json'), '--ledger', ledger, '--wait-for-lock', '20', '--dry-run'], { env });
    setTimeout(() => void holder.close(), 300);
    expect((await waiting).code).not.toBe(1);
    writeFileSync(file('bare.json'), JSON.stringify(exampleProposalJson('non-credit')));
    const unapproved = await runCli(['sync-templates', file('bare.json'), '--ledger', ledger], { env });
    expect(unapproved.code).toBe(1);
    expect(unapproved.stderr).toMatch(/no "approval" record.*--assume-approved/);
    const missing = await runCli(['issue', '--roster', file('nope.csv'), '--microcredential', file('sql.json'), '--ledger', ledger], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.csv: cannot be read/);
  });

  it('--wait-for-lock gives up when the holder keeps its lease: exit 1 with the locked message, after waiting, nothing sent', async () => {
    const ledger = file('awards.ledger');
    await runCli(['sync-templates', file('sql.json'), '--ledger', ledger], { env });
    const holder = await FileLedger.open(ledger);
    let holderWrote = false;
    // The holder writes 300 ms into the wait: a job that did not wait would have failed before.
    const write = new Promise<void>((resolve, reject) => {
      setTimeout(() => holder.putRun({ runId: 'holder', command: 'issue', owner: holder.owner, startedAt: new Date().toISOString(), finishedAt: null, totals: {}, failures: [] }).then(() => ((holderWrote = true), resolve()), reject), 300);
    });
    try {
      const waited = await runCli(['issue', '--roster', file('roster.csv'), '--microcredential', file('sql.json'), '--ledger', ledger, '--wait-for-lock', '1'], { env });
      expect(waited.code).toBe(1);
      expect(holderWrote).toBe(true);
      expectLockedMessage(waited.stderr, ledger, 'waited 1 s for it; wait longer (--wait-for-lock <seconds>), or for that job to finish');
      expect(fake.stats().requests['POST /badges']).toBeUndefined();
      await write;
      expect(await holder.countAwards()).toMatchObject({ planned: 0, issuing: 0, issued: 0 });
    } finally {
      await write.catch(() => undefined);
      await holder.close();
    }
  });

  it('renews the ledger’s lease while the job runs: a job of more than two --lock-ttl finishes (exit 0)', async () => {
    const ledger = file('awards.ledger');
    await runCli(['sync-templates', file('sql.json'), '--ledger', ledger], { env });
    // Each issue request is answered 700 ms after it arrived: 12 awards, 4 at a time, take about
    // 2.1 s, more than twice the 1 s lease, which must be renewed (every third of it) to last.
    fake.injectFault({ route: 'POST /badges', kind: 'slow', delayMs: 700, count: 12 });
    const started = Date.now();
    const issue = await runCli(['issue', '--roster', file('roster.csv'), '--microcredential', file('sql.json'), '--ledger', ledger, '--lock-ttl', '1', '--concurrency', '4', '--json'], { env });
    expect(issue.code, issue.stderr).toBe(0);
    expect(Date.now() - started).toBeGreaterThan(2000);
    expect(JSON.parse(issue.stdout).totals).toMatchObject({ issued: 12, failed: 0 });
    expect(fake.stats()).toMatchObject({ badges: 12, duplicates: 0 });
  });

  it('reads the configuration from a .env file', async () => {
    writeFileSync(file('.env'), `CREDLY_ORGANIZATION_ID=${fake.organizationId}\nCREDLY_API_TOKEN=${fake.token}\nCREDLY_BASE_URL=${fake.baseUrl}\n`);
    const result = await runCli(['sync-templates', 'sql.json', '--ledger', 'awards.ledger'], { cwd: dir, env: cleanEnv });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/created/);
  });
});

describe('issue --duplicate-behavior', () => {
  it('re-certifies a learner whose badge was issued outside the ledger, and refuses an unknown mode', async () => {
    const ledger = file('awards.ledger');
    await runCli(['sync-templates', file('sql.json'), '--ledger', ledger], { env });
    const auth = { Authorization: `Basic ${Buffer.from(`${fake.token}:`).toString('base64')}` };
    const templates = (await (await fetch(`${fake.baseUrl}/organizations/${fake.organizationId}/badge_templates`, { headers: auth })).json()) as { data: Array<{ id: string }> };
    const templateId = templates.data[0]!.id;
    const res = await fetch(`${fake.baseUrl}/organizations/${fake.organizationId}/badges`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ badge_template_id: templateId, recipient_email: 'learner3@example.edu', issued_to_first_name: 'L', issued_to_last_name: 'Three', issued_at: '2025-04-02T10:00:00-04:00', issuer_earner_id: 'B00000003' }),
    });
    expect(res.status).toBe(201);
    const bad = await runCli(['issue', '--roster', file('roster.csv'), '--microcredential', file('sql.json'), '--ledger', ledger, '--duplicate-behavior', 'sometimes'], { env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--duplicate-behavior.*sometimes.*replace, allow, deny/s);
    const run = await runCli(['issue', '--roster', file('roster.csv'), '--microcredential', file('sql.json'), '--ledger', ledger, '--duplicate-behavior', 'replace'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/issued 12, already issued 0/);
    expect(fake.badges().filter((b) => b.recipient_email === 'learner3@example.edu' && b.replacement_badge_id === null)).toHaveLength(1);
    expect(fake.duplicateCount()).toBe(0);
  }, 60_000);
});

describe('issue --rate', () => {
  it('600/m paces the requests at 10 a second (exit 0)', async () => {
    const ledger = file('awards.ledger');
    await runCli(['sync-templates', file('sql.json'), '--ledger', ledger], { env });
    writeFileSync(file('five.csv'), sqlRosterCsv(5));
    const started = performance.now();
    const run = await runCli(['issue', '--roster', file('five.csv'), '--microcredential', file('sql.json'), '--ledger', ledger, '--rate', '600/m'], { env });
    const elapsed = performance.now() - started;
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/issued 5, already issued 0, failed 0/);
    expect(fake.stats().requests['POST /badges']).toBe(5);
    // A lower bound only pacing explains: five POSTs at 97 % of 10 a second start at least 4 × 103 ms apart (read as 600/s: 4 × 1.7 ms).
    expect(elapsed).toBeGreaterThanOrEqual(400);
  });

  it.each([
    ['fast', 'rate limit "fast" should look like 100/s or 600/m'],
    ['0/s', 'rate limit "0/s" should be at least 1 request, like 100/s or 600/m'],
  ])('refuses --rate %s with one line naming --rate and the fix, and sends nothing (exit 1)', async (rate, says) => {
    const ledger = file('awards.ledger');
    await runCli(['sync-templates', file('sql.json'), '--ledger', ledger], { env });
    const run = await runCli(['issue', '--roster', file('roster.csv'), '--microcredential', file('sql.json'), '--ledger', ledger, '--rate', rate], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: --rate: ${says}\n`);
    expect(fake.stats().requests['POST /badges']).toBeUndefined();
  });
});

describe('status, revoke, replace', () => {
  it('reports the ledger, revokes by learner, replaces by badge id', async () => {
    const ledger = file('awards.ledger');
    await runCli(['sync-templates', file('sql.json'), '--ledger', ledger], { env });
    await runCli(['issue', '--roster', file('roster.csv'), '--microcredential', file('sql.json'), '--ledger', ledger], { env });
    const status = await runCli(['status', '--ledger', ledger], { env });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/12 award\(s\)/);
    expect(status.stdout).toMatch(/issued 12, issuing 0|planned 0, issuing 0, issued 12/);

    const revoke = await runCli(['revoke', '--learner', 'learner3@example.edu', '--microcredential', 'coding-in-sql', '--reason', 'Issued in error', '--ledger', ledger], { env });
    expect(revoke.code).toBe(0);
    expect(revoke.stdout).toMatch(/revoked badge .* \(learner3@example.edu, coding-in-sql\): Issued in error/);
    expect(fake.badges().find((b) => b.recipient_email === 'learner3@example.edu')?.state).toBe('revoked');

    const badge = fake.badges().find((b) => b.recipient_email === 'learner4@example.edu')!;
    const replace = await runCli(['replace', '--badge-id', badge.id, '--expires-at', 'never', '--ledger', ledger], { env });
    expect(replace.code).toBe(0);
    expect(replace.stdout).toMatch(new RegExp(`replaced badge ${badge.id} with `));
    expect(fake.duplicateCount()).toBe(0);

    const json = JSON.parse((await runCli(['status', '--ledger', ledger, '--json'], { env })).stdout);
    expect(json.counts).toMatchObject({ issued: 10, revoked: 1, replaced: 1 });

    const compact = await runCli(['compact-ledger', '--ledger', ledger], { env });
    expect(compact.code).toBe(0);
    expect(compact.stdout).toMatch(/compacted .*: \d+ records \(\d+ bytes\) → 15 \(\d+ bytes\)/); // header, template, 12 awards, the run
    expect(JSON.parse((await runCli(['status', '--ledger', ledger, '--json'], { env })).stdout).counts).toMatchObject({ issued: 10, revoked: 1, replaced: 1 });

    const none = await runCli(['revoke', '--learner', 'nobody@example.edu', '--microcredential', 'coding-in-sql', '--reason', 'x', '--ledger', ledger], { env });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no award of coding-in-sql for nobody@example.edu/);
  }, 60_000); // nine CLI processes: 2-3.5 s each on a loaded 2-core machine

  it('status reads a file ledger while another job holds its lease: counts right, the lease and the file left alone', async () => {
    const ledger = file('awards.ledger');
    const holder = await FileLedger.open(ledger); // a job, live, renewing its lease
    try {
      for (const n of [1, 2, 3]) await holder.planAward(award(n));
      await holder.planAward(award(4, { state: 'issued', badgeId: 'badge-4', issuedAt: '2026-08-01T14:00:00.000Z' }));
      const leases = leaseFiles(ledger);
      expect(leases).toEqual([`${basename(ledger)}.lock.000000000001`]);
      const before = readFileSync(ledger);

      const status = await runCli(['status', '--ledger', ledger, '--json'], { env });
      expect(status.stderr).toBe('');
      expect(status.code).toBe(3); // some awards unfinished, none failed
      expect(JSON.parse(status.stdout).counts).toMatchObject({ planned: 3, issuing: 0, issued: 1, failed: 0 });
      const text = await runCli(['status', '--ledger', ledger], { env });
      expect(text.code).toBe(3);
      expect(text.stdout).toMatch(/: 4 award\(s\)\n {2}planned 3, issuing 0, issued 1, /);

      // Status took no lease and wrote nothing: the holder's lease is the only one, and still its own.
      expect(leaseFiles(ledger)).toEqual(leases);
      expect(readFileSync(ledger).equals(before)).toBe(true);
      await holder.planAward(award(5));
      await holder.putRun({ runId: 'after-status', command: 'issue', owner: holder.owner, startedAt: new Date().toISOString(), finishedAt: null, totals: {}, failures: [] });
    } finally {
      await holder.close();
    }
    expect(JSON.parse((await runCli(['status', '--ledger', ledger, '--json'], { env })).stdout).counts).toMatchObject({ planned: 4, issued: 1 });
  });
});

describe('compact-ledger', () => {
  const DAY = 86_400_000;
  const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();
  const event = (eventId: string, received: number, processed?: number): EventRecord => ({
    eventId,
    eventType: 'badge.state.changed',
    organizationId: fake.organizationId,
    occurredAt: daysAgo(received),
    receivedAt: daysAgo(received),
    ...(processed === undefined ? { state: 'received' } : { state: 'processed', processedAt: daysAgo(processed) }),
    attempts: 1,
  });
  const lines = (ledger: string) => readFileSync(ledger, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; eventId?: string });
  const eventIds = (ledger: string) => lines(ledger).filter((l) => l.type === 'event').map((l) => l.eventId);

  /** A ledger with an award, and webhook events: one still unprocessed (received 60 days ago), one processed 10 days ago (received 35), one processed 40 days ago. */
  async function ledgerWithEvents(): Promise<string> {
    const ledger = file('awards.ledger');
    const writer = await FileLedger.open(ledger);
    await writer.planAward(award(1));
    await writer.recordEvent(event('unprocessed', 60));
    await writer.recordEvent(event('processed-10-days-ago', 35, 10));
    await writer.recordEvent(event('processed-40-days-ago', 45, 40));
    await writer.close();
    return ledger;
  }

  it('keeps the events not yet processed or processed in the last 30 days, or --keep-events-days', async () => {
    const ledger = await ledgerWithEvents();
    const compact = await runCli(['compact-ledger', '--ledger', ledger], { env });
    expect(compact.code).toBe(0);
    expect(compact.stdout).toMatch(/: 5 records \(\d+ bytes\) → 4 \(\d+ bytes\)\n$/); // header, award, 3 events → 2 events
    expect(eventIds(ledger)).toEqual(['unprocessed', 'processed-10-days-ago']);
    expect(lines(ledger).filter((l) => l.type === 'award')).toHaveLength(1);

    const shorter = await runCli(['compact-ledger', '--ledger', ledger, '--keep-events-days', '5'], { env });
    expect(shorter.code).toBe(0);
    expect(eventIds(ledger)).toEqual(['unprocessed']);
    expect(readdirSync(dir).filter((name) => name.includes('compacting'))).toEqual([]);
  });

  it('takes the ledger\'s lease: while another job holds it, exit 1 with the locked message and the file unchanged', async () => {
    const ledger = await ledgerWithEvents();
    const holder = await FileLedger.open(ledger);
    try {
      const before = readFileSync(ledger);
      const leases = leaseFiles(ledger);
      const refused = await runCli(['compact-ledger', '--ledger', ledger], { env });
      expect(refused.code).toBe(1);
      expectLockedMessage(refused.stderr, ledger);
      expect(readFileSync(ledger).equals(before)).toBe(true);
      expect(leaseFiles(ledger)).toEqual(leases);
      await holder.planAward(award(2)); // still the holder's
    } finally {
      await holder.close();
    }
  });
});

describe('fake-credly and demo', () => {
  it('serves the fake Credly until stopped, printing what a client needs', async () => {
    const proc = spawnCli(['fake-credly', '--port', '0', '--seed', '3']);
    let stdout = '';
    const url = await new Promise<string>((resolve) => {
      proc.stdout.on('data', (chunk) => {
        stdout += chunk;
        const m = /listening on (\S+)/.exec(stdout);
        if (m && stdout.includes('Ctrl-C')) resolve(m[1]!);
      });
    });
    expect(stdout).toMatch(/CREDLY_API_TOKEN=fake-credly-token/);
    const stats = await (await fetch(`${url}/__fake/stats`)).json();
    expect(stats).toMatchObject({ badges: 0 });
    proc.kill('SIGTERM');
    expect(await new Promise((r) => proc.on('exit', r))).toBe(0);
  });

  it('webhooks: receives events from the fake Credly and prints one JSON line each', async () => {
    const proc = spawnCli(['webhooks', '--port', '0', '--ledger', file('hooks.ledger')], { env });
    let stderr = '';
    let stdout = '';
    proc.stdout.on('data', (c) => (stdout += c));
    const url = await new Promise<string>((resolve) => {
      proc.stderr.on('data', (chunk) => {
        stderr += chunk;
        const m = /receiving Credly webhooks on (\S+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
    });
    fake.setWebhookUrl(url);
    const template = fake.createTemplate({ name: 'Hooked' });
    await fake.webhooksIdle();
    await expect.poll(() => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))).toEqual([
      { id: expect.any(String), type: 'badge_template.created', occurredAt: expect.any(String), subject: template.id },
    ]);
    proc.kill('SIGTERM');
    expect(await new Promise((r) => proc.on('exit', r))).toBe(0);
    expect(readFileSync(file('hooks.ledger'), 'utf8')).toMatch(/"state":"processed"/);
  });

  it('runs the demo with no account and shows each badge issued once', async () => {
    const result = await runCli(['demo'], { env: cleanEnv });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/issued 300, already issued 0, failed 0, skipped 1, invalid 6/);
    expect(result.stdout).toMatch(/issued 0, already issued 300/);
    expect(result.stdout).toContain('Every badge was issued exactly once.');
  });

  it('prints help and the version', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['demo', 'validate', 'sync-templates', 'issue', 'status', 'revoke', 'replace', 'compact-ledger', 'webhooks', 'fake-credly', 'doctor']) expect(help.stdout).toContain(command);
    expect((await runCli(['issue'])).code).toBe(1);
  });
});
