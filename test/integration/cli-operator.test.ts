import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FileLedger, type AwardRecord, type NewAward } from '../../src/index.js';
import { startFakeCredly, type FakeCredly } from '../../src/testing/index.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { exampleProposalJson } from '../helpers/examples.js';
import { sqlRosterCsv } from '../helpers/issuance.js';

const DAY = 24 * 60 * 60 * 1000;
let fake: FakeCredly;
let dir: string;
let env: Record<string, string | undefined>;
const file = (name: string) => join(dir, name);
const issueArgs = (ledger = file('awards.ledger'), roster = file('roster.csv')) => ['issue', '--roster', roster, '--microcredential', file('sql.json'), '--ledger', ledger];

beforeAll(async () => {
  fake = await startFakeCredly({ seed: 9 });
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.reset();
  dir = mkdtempSync(join(tmpdir(), 'credly-cli-op-'));
  env = { ...cleanEnv, CREDLY_ORGANIZATION_ID: fake.organizationId, CREDLY_API_TOKEN: fake.token, CREDLY_BASE_URL: fake.baseUrl, CREDLY_LOG: undefined };
  writeFileSync(file('sql.json'), JSON.stringify({ proposal: exampleProposalJson('non-credit'), approval: { state: 'approved' } }));
  writeFileSync(file('roster.csv'), sqlRosterCsv(40));
  return () => rmSync(dir, { recursive: true, force: true });
});

describe('doctor', () => {
  it('is healthy with working credentials: organization, environment and token expiry (exit 0)', async () => {
    const result = await runCli(['doctor'], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok {3}configuration: organization .* a custom Credly/m);
    expect(result.stdout).toContain(`(${fake.organizationId}) in a custom Credly`);
    expect(result.stdout).toMatch(/^ok {3}token: expires on \d{4}-\d\d-\d\d \(1(79|80) days\)/m);
    expect(result.stdout).toMatch(/healthy\n$/);
    const json = JSON.parse((await runCli(['doctor', '--json'], { env })).stdout);
    expect(json).toMatchObject({ healthy: true, checks: [{ name: 'configuration', ok: true }, { name: 'credly', ok: true }, { name: 'token', ok: true }] });
  });

  it('warns when the token expires within 30 days, fails when it expired, a wrong token or no configuration (exit 1)', async () => {
    const soon = await startFakeCredly({ seed: 1, tokens: [{ token: 'soon-token', expiresAt: new Date(Date.now() + 10.5 * DAY).toISOString() }, { token: 'old-token', expiresAt: new Date(Date.now() - 2 * DAY).toISOString() }] });
    try {
      const base = { ...env, CREDLY_ORGANIZATION_ID: soon.organizationId, CREDLY_BASE_URL: soon.baseUrl };
      const warned = await runCli(['doctor'], { env: { ...base, CREDLY_API_TOKEN: 'soon-token' } });
      expect(warned.code).toBe(0);
      expect(warned.stdout).toMatch(/^warn token: the token expires in 10 day\(s\), on \d{4}-\d\d-\d\d: create a new one/m);
      expect(warned.stdout).not.toContain('soon-token');
      const expired = await runCli(['doctor'], { env: { ...base, CREDLY_API_TOKEN: 'old-token' } });
      expect(expired.code).toBe(1);
      expect(expired.stdout).toMatch(/^FAIL token: the token expired on/m);
      // status warns too, 30 days ahead, while reporting the ledger as usual.
      const ledgerPath = file('expiry.ledger');
      await (await FileLedger.open(ledgerPath)).close();
      const status = await runCli(['status', '--ledger', ledgerPath], { env: { ...base, CREDLY_API_TOKEN: 'soon-token' } });
      expect(status.code).toBe(0);
      expect(status.stderr).toMatch(/^warning: the Credly token expires in 10 day\(s\), on \d{4}-\d\d-\d\d: create a new one/m);
      expect(status.stderr + status.stdout).not.toContain('soon-token');
      const fine = await runCli(['status', '--ledger', ledgerPath], { env });
      expect(fine.stderr).not.toMatch(/token expires/);
    } finally {
      await soon.stop();
    }
    const wrong = await runCli(['doctor'], { env: { ...env, CREDLY_API_TOKEN: 'not-a-token' } });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/^FAIL credly: Credly refused the credentials \(401\)/m);
    const none = await runCli(['doctor'], { env: { ...env, CREDLY_API_TOKEN: undefined } });
    expect(none.code).toBe(1);
    expect(none.stdout).toMatch(/^FAIL configuration: .*CREDLY_API_TOKEN/m);
  });
});

describe('credentials refused (401/403) exit 1 before anything is attempted', () => {
  it('sync-templates, issue, revoke', async () => {
    const bad = { ...env, CREDLY_API_TOKEN: 'expired-token' };
    const sync = await runCli(['sync-templates', file('sql.json'), '--ledger', file('l')], { env: bad });
    expect(sync.code).toBe(1);
    expect(sync.stderr).toMatch(/^error: Credly refused the credentials \(401\)/);
    const issue = await runCli(issueArgs(file('fresh.ledger')), { env: bad });
    expect(issue.code).toBe(1);
    expect(issue.stderr.match(/error:/g)).toHaveLength(1); // one line, not one per row
    expect(issue.stdout).not.toMatch(/sync-templates first/);
    // A read-only token may read but not write: refused at the first write, still one line.
    const readOnly = await runCli(['sync-templates', file('sql.json'), '--ledger', file('l2')], { env: { ...env, CREDLY_API_TOKEN: 'fake-credly-read-only-token' } });
    expect(readOnly.code).not.toBe(0);
    expect(fake.stats().requests['POST /badges']).toBeUndefined();
  });
});

describe('a run stopped by a signal', () => {
  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    it(`${signal}: in-flight awards finish and are recorded, exit ${code}, the rows not reached are counted`, async () => {
      const slow = await startFakeCredly({ seed: 4, latencyMs: 15 });
      try {
        const e = { ...env, CREDLY_ORGANIZATION_ID: slow.organizationId, CREDLY_BASE_URL: slow.baseUrl };
        const ledger = file(`${signal}.ledger`);
        expect((await runCli(['sync-templates', file('sql.json'), '--ledger', ledger], { env: e })).code).toBe(0);
        const controller = new AbortController();
        const poll = setInterval(() => {
          if (slow.badges().length >= 5) {
            clearInterval(poll);
            controller.abort(signal);
          }
        }, 1);
        const result = await runCli([...issueArgs(ledger), '--concurrency', '2', '--report', file('report.json')], { env: e, signal: controller.signal });
        clearInterval(poll);
        expect(result.code).toBe(code);
        const notReached = Number(/stopped by SIG\w+: (\d+) row\(s\) not reached/.exec(result.stderr)?.[1]);
        expect(notReached).toBeGreaterThan(0);
        const report = JSON.parse(readFileSync(file('report.json'), 'utf8'));
        expect(report).toMatchObject({ cancelled: true, stoppedBySignal: signal, rowsNotReached: notReached });
        expect(report.rows + notReached).toBe(40);
        // Every badge Credly holds is recorded as issued; nothing is left "issuing".
        const lines = readFileSync(ledger, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
        const last = new Map<string, { state: string }>();
        for (const l of lines) if (l.type === 'award') last.set(l.key, l);
        expect([...last.values()].filter((a) => a.state === 'issuing')).toEqual([]);
        expect([...last.values()].filter((a) => a.state === 'issued')).toHaveLength(slow.badges().length);
        // The same command again goes on where it stopped.
        const again = await runCli(issueArgs(ledger), { env: e });
        expect(again.code).toBe(0);
        expect(slow.badges()).toHaveLength(40);
        expect(slow.duplicateCount()).toBe(0);
      } finally {
        await slow.stop();
      }
    });
  }
});

describe('ordinary errors: one line, exit 1, a stack only with --verbose', () => {
  it('a missing roster, a ledger that is a directory, an unknown or revoked award', async () => {
    const missing = await runCli(issueArgs(file('awards.ledger'), file('nope.csv')), { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: .*nope\.csv: cannot be read \(no such file\): check the --roster path\n$/);
    const missingJson = await runCli([...issueArgs(file('awards.ledger'), file('nope.csv')), '--json'], { env });
    expect(JSON.parse(missingJson.stdout)).toEqual({ error: { code: 'ROSTER_UNREADABLE', message: expect.stringContaining('nope.csv') } });

    mkdirSync(file('dir.ledger'));
    await runCli(['sync-templates', file('sql.json'), '--ledger', file('awards.ledger')], { env });
    const isDir = await runCli(issueArgs(file('dir.ledger')), { env });
    expect(isDir.code).toBe(1);
    expect(isDir.stderr.trim().split('\n')).toHaveLength(1); // one line, before the banner
    expect(isDir.stderr).toMatch(/^error: the ledger path .*dir\.ledger is a directory: give a file path, e\.g\. .*dir\.ledger\/credly-ledger\.jsonl\n$/);
    expect(isDir.stderr).not.toMatch(/\n\s+at /);
    const verbose = await runCli([...issueArgs(file('dir.ledger')), '--verbose'], { env });
    expect(verbose.stderr).toMatch(/\n\s+at /);

    await runCli(issueArgs(), { env });
    const unknown = await runCli(['revoke', '--badge-id', 'no-such-badge', '--reason', 'x', '--ledger', file('awards.ledger')], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('error: no award with badge no-such-badge in the ledger: check the id (credly-microcredentials status lists them)\n');
    const args = ['revoke', '--learner', 'learner2@example.edu', '--microcredential', 'coding-in-sql', '--reason', 'error', '--ledger', file('awards.ledger')];
    expect((await runCli(args, { env })).code).toBe(0);
    const twice = await runCli(args, { env });
    expect(twice.code).toBe(1);
    expect(twice.stderr).toBe('error: the award of coding-in-sql for learner2@example.edu is revoked, not issued: there is no badge to act on\n');
  });

  it('--env-file is refused with the new name; --dotenv reads the file or says it is missing', async () => {
    const old = await runCli(['--env-file', 'x.env', 'doctor'], { env, cwd: dir });
    expect(old.code).toBe(1);
    expect(old.stderr).toBe('error: --env-file was renamed --dotenv <file> (Node.js has its own --env-file option)\n');
    const absent = await runCli(['doctor', '--dotenv', 'absent.env'], { env, cwd: dir });
    expect(absent).toMatchObject({ code: 1, stderr: 'error: --dotenv absent.env: no such file\n' });
    writeFileSync(file('job.env'), `CREDLY_ORGANIZATION_ID=${fake.organizationId}\nCREDLY_API_TOKEN=${fake.token}\nCREDLY_BASE_URL=${fake.baseUrl}\n`);
    const ok = await runCli(['doctor', '--dotenv', 'job.env'], { env: cleanEnv, cwd: dir });
    expect(ok.code).toBe(0);
  });
});

describe('status exit codes', () => {
  it('0 all settled, 2 some failed, 3 some unfinished, 1 no readable ledger', async () => {
    const ledgerPath = file('status.ledger');
    const ledger = await FileLedger.open(ledgerPath);
    const award = (key: string, state: AwardRecord['state']): NewAward => ({ key, microcredentialId: 'coding-in-sql', templateId: 't', email: `${key}@example.edu`, earnerId: key, state, badgeId: state === 'issued' ? `b-${key}` : null });
    await ledger.planAward(award('a', 'issued'));
    await ledger.close();
    const status = (args: string[] = []) => runCli(['status', '--ledger', ledgerPath, ...args], { env });
    expect((await status()).code).toBe(0);
    const reopen = async (record: NewAward) => {
      const l = await FileLedger.open(ledgerPath);
      await l.planAward(record);
      await l.close();
    };
    await reopen(award('b', 'issuing'));
    expect((await status()).code).toBe(3);
    await reopen(award('c', 'failed'));
    expect((await status()).code).toBe(2);
    expect((await runCli(['status', '--ledger', file('none.ledger')], { env })).code).toBe(1);
    mkdirSync(file('a-directory'));
    const dirStatus = await runCli(['status', '--ledger', file('a-directory')], { env });
    expect(dirStatus).toMatchObject({ code: 1, stderr: expect.stringMatching(/^error: the ledger (path )?.*a-directory:? is a directory/) });
  });
});

describe('rosters an operator meets', () => {
  it('a stray quote fails its row only: the good rows are issued and the report is written (exit 2); unknown columns are reported once', async () => {
    await runCli(['sync-templates', file('sql.json'), '--ledger', file('awards.ledger')], { env });
    const csv = sqlRosterCsv(4).replace('Assessment Max Score', 'Assessment Max Score,Advisor').replace('learner2@example.edu,Learner', 'learner2@example.edu,Le"arner');
    writeFileSync(file('quotes.csv'), csv);
    const result = await runCli([...issueArgs(file('awards.ledger'), file('quotes.csv')), '--report', file('r.json')], { env });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/issued 3, .*invalid 1/);
    expect(result.stdout).toMatch(/invalid row 2: First Name: a quote \("\) inside a value that is not quoted/);
    expect(result.stderr.match(/"Advisor" are not read/g)).toHaveLength(1);
    expect(JSON.parse(readFileSync(file('r.json'), 'utf8')).totals).toMatchObject({ issued: 3, invalid: 1 });
  });

  it('refuses an empty roster and non-UTF-8 bytes before sending anything; --encoding latin1 reads them', async () => {
    writeFileSync(file('empty.csv'), '');
    const empty = await runCli([...issueArgs(file('awards.ledger'), file('empty.csv')), '--json'], { env });
    expect(empty.code).toBe(1);
    expect(JSON.parse(empty.stdout).error).toMatchObject({ code: 'ROSTER_FORMAT', message: expect.stringContaining('the roster is empty') });
    writeFileSync(file('latin1.csv'), Buffer.from(sqlRosterCsv(2).replace('Learner,Number2', 'Ren\u00e9,Number2'), 'latin1'));
    const refused = await runCli(['validate', file('latin1.csv')], { env });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/latin1\.csv: \(file\): line 3 \(row 2\) is not UTF-8 text .* --encoding latin1/);
    const read = await runCli(['validate', file('latin1.csv'), '--encoding', 'latin1'], { env });
    expect(read.code).toBe(0);
    expect(fake.stats().requests['POST /badges']).toBeUndefined();
  });
});

describe('observability', () => {
  it('--verbose and CREDLY_LOG log the requests; --log-format json gives one object per line; no secret is printed', async () => {
    const quiet = await runCli(['doctor'], { env });
    expect(quiet.stderr).toBe('');
    const verbose = await runCli(['doctor', '--verbose'], { env });
    expect(verbose.stderr).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z debug GET \/organizations\/\S+ → 200/m);
    const info = await runCli(['doctor'], { env: { ...env, CREDLY_LOG: 'debug' } });
    expect(info.stderr).toMatch(/debug GET/);
    const json = await runCli(['doctor', '--verbose', '--log-format', 'json'], { env });
    const lines = json.stderr.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ time: expect.any(String), level: 'debug', msg: expect.stringMatching(/^GET /) });
    for (const out of [verbose, info, json]) expect(out.stdout + out.stderr).not.toContain(fake.token);
    const bad = await runCli(['doctor'], { env: { ...env, CREDLY_LOG: 'loud' } });
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringMatching(/CREDLY_LOG must be one of debug, info, warn, error, off/) });
  });

  it('--report writes the JSON report; the summary points at it (and at no report that does not exist)', async () => {
    await runCli(['sync-templates', file('sql.json'), '--ledger', file('awards.ledger')], { env });
    writeFileSync(file('mixed.csv'), sqlRosterCsv(3, 1, Array.from({ length: 60 }, (_, i) => `coding-in-sql,bad${i},A,B,X${i},,,,`)));
    const plain = await runCli(issueArgs(file('awards.ledger'), file('mixed.csv')), { env });
    expect(plain.code).toBe(2);
    expect(plain.stdout).not.toContain('see the JSON report');
    expect(plain.stdout).toContain('(write them all with --report <file>)');
    const withReport = await runCli([...issueArgs(file('awards.ledger'), file('mixed.csv')), '--report', file('out.json')], { env });
    expect(withReport.stdout).toContain(`(see ${file('out.json')})`);
    const report = JSON.parse(readFileSync(file('out.json'), 'utf8'));
    expect(report.totals).toMatchObject({ 'already-issued': 3, invalid: 60 });
    expect(readFileSync(file('out.json'), 'utf8')).not.toContain(fake.token);
  });
});
