import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileLedger } from '../../src/ledger/file.js';
import { startFakeCredly, type FakeCredly } from '../../src/testing/index.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { exampleProposalJson } from '../helpers/examples.js';
import { sqlRosterCsv } from '../helpers/issuance.js';

// docs/cli.md: with --json, a command that cannot start prints one JSON error object on stdout,
// with a stable code. Each code the page names, from a real failure.
let dir: string;
let fake: FakeCredly;
const file = (name: string) => join(dir, name);
const envFor = (token: string) => ({ ...cleanEnv, CREDLY_ORGANIZATION_ID: fake.organizationId, CREDLY_API_TOKEN: token, CREDLY_BASE_URL: fake.baseUrl });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'credly-json-errors-'));
  fake = await startFakeCredly({ seed: 11 });
  writeFileSync(file('sql.json'), JSON.stringify({ proposal: exampleProposalJson('non-credit'), approval: { state: 'approved' } }));
  writeFileSync(file('roster.csv'), sqlRosterCsv(2));
});
afterAll(async () => {
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The JSON error object a failed command printed, after checking it failed with exit 1 and printed nothing else on stdout. */
function jsonError(result: { code: number | null; stdout: string }): { code: string; message: string } {
  expect(result.code).toBe(1);
  const parsed = JSON.parse(result.stdout) as { error: { code: string; message: string } };
  expect(Object.keys(parsed)).toEqual(['error']);
  return parsed.error;
}

describe('--json error codes named in docs/cli.md', () => {
  it('ROSTER_UNREADABLE and ROSTER_FORMAT: a roster that is missing, or empty', async () => {
    const ledger = file('roster.ledger');
    expect((await runCli(['sync-templates', file('sql.json'), '--ledger', ledger], { env: envFor(fake.token) })).code).toBe(0);
    const missing = await runCli(['issue', '--roster', file('nope.csv'), '--microcredential', file('sql.json'), '--ledger', ledger, '--json'], { env: envFor(fake.token) });
    expect(jsonError(missing)).toMatchObject({ code: 'ROSTER_UNREADABLE', message: expect.stringContaining('no such file') });
    writeFileSync(file('empty.csv'), '');
    const empty = await runCli(['issue', '--roster', file('empty.csv'), '--microcredential', file('sql.json'), '--ledger', ledger, '--json'], { env: envFor(fake.token) });
    expect(jsonError(empty)).toMatchObject({ code: 'ROSTER_FORMAT' });
  });

  it('LEDGER_LOCKED: another job holds the ledger', async () => {
    const ledger = file('locked.ledger');
    const holder = await FileLedger.open(ledger);
    try {
      const result = await runCli(['sync-templates', file('sql.json'), '--ledger', ledger, '--json'], { env: envFor(fake.token) });
      expect(jsonError(result)).toMatchObject({ code: 'LEDGER_LOCKED', message: expect.stringContaining('in use by') });
    } finally {
      await holder.close();
    }
  });

  it('LEDGER_IS_DIRECTORY: the ledger path is a directory', async () => {
    mkdirSync(file('a-directory'));
    const status = await runCli(['status', '--ledger', file('a-directory'), '--json'], { env: cleanEnv });
    expect(jsonError(status)).toMatchObject({ code: 'LEDGER_IS_DIRECTORY', message: expect.stringContaining('give a file path') });
    const sync = await runCli(['sync-templates', file('sql.json'), '--ledger', file('a-directory'), '--json'], { env: envFor(fake.token) });
    expect(jsonError(sync)).toMatchObject({ code: 'LEDGER_IS_DIRECTORY' });
  });

  it('CREDLY_AUTHENTICATION: Credly refuses the token', async () => {
    const ledger = file('auth.ledger');
    expect((await runCli(['sync-templates', file('sql.json'), '--ledger', ledger], { env: envFor(fake.token) })).code).toBe(0);
    const result = await runCli(['issue', '--roster', file('roster.csv'), '--microcredential', file('sql.json'), '--ledger', ledger, '--json'], { env: envFor('not-the-token') });
    expect(jsonError(result)).toMatchObject({ code: 'CREDLY_AUTHENTICATION' });
    expect(result.stdout).not.toContain('not-the-token');
  });

  it('RENAMED_OPTION: --env-file, which Node.js has taken', async () => {
    const result = await runCli(['status', '--env-file', file('.env'), '--json'], { env: cleanEnv });
    expect(jsonError(result)).toMatchObject({ code: 'RENAMED_OPTION', message: expect.stringContaining('--dotenv') });
  });
});
