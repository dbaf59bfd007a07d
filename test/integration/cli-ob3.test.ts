import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBitstring, exportAchievementCredentials, readKeyFile, writeOb3Export } from '../../src/ob3/index.js';
import { FileLedger } from '../../src/ledger/file.js';
import { cleanEnv, runCli, runCliProcess } from '../helpers/cli.js';
import { ISSUER_CONFIG, seededLedger } from '../helpers/ob3.js';
import { schemaErrors } from '../helpers/ob3-schema.js';

let dir: string;
const env = cleanEnv;
const file = (name: string) => join(dir, name);

/** A file ledger with the example template and awards: two issued, one revoked, one planned. */
async function writeFileLedger(path: string): Promise<void> {
  const { ledger } = await seededLedger(['issued', 'revoked', 'issued', 'planned']);
  const target = await FileLedger.open(path);
  try {
    for (const template of await ledger.listTemplates()) await target.putTemplate(template);
    const awards = [];
    for await (const award of ledger.queryAwards()) awards.push(award);
    for (const award of awards.sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1))) {
      await target.planAward({ ...award, request: null });
    }
  } finally {
    await target.close();
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'credly-ob3-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CLI: keygen, export-ob3, verify-ob3 (file ledger)', () => {
  it('creates a key, exports the file ledger, and verifies the output; a tampered credential exits 1 with the reason', async () => {
    // keygen in process (a process costs seconds); export and verify as a scheduler runs them: the built CLI as a process.
    const keygen = await runInProcess(['keygen', '--out', file('key.json')]);
    expect(keygen.code).toBe(0);
    expect(keygen.stdout).toMatch(/^wrote .*key\.json \(mode 0600\): the issuer is did:key:z6Mk\w+$/m);
    expect(statSync(file('key.json')).mode & 0o777).toBe(0o600);
    const secret = JSON.parse(readFileSync(file('key.json'), 'utf8')).secretKeyMultibase as string;
    expect(keygen.stdout).not.toContain(secret);

    await writeFileLedger(file('awards.ledger'));
    writeFileSync(file('issuer.json'), JSON.stringify(ISSUER_CONFIG));
    const exported = await runCliProcess(['export-ob3', '--key', file('key.json'), '--out', file('out'), '--ledger', file('awards.ledger'), '--issuer-config', file('issuer.json')], { env });
    expect(exported.stderr).toBe('');
    expect(exported.stdout).toContain('exported 2 credentials to');
    expect(exported.stdout).toContain('status-list.json (1 revoked; publish it at https://badges.example.edu/status/revocation)');
    expect(exported.code).toBe(0);
    expect(exported.stdout + exported.stderr).not.toContain(secret);
    const names = readdirSync(file('out')).sort();
    expect(names).toHaveLength(3);
    const credentials = names.filter((name) => name !== 'status-list.json').map((name) => join(file('out'), name));
    for (const path of credentials) expect(schemaErrors(JSON.parse(readFileSync(path, 'utf8')))).toEqual([]);

    const tampered = JSON.parse(readFileSync(credentials[0]!, 'utf8'));
    tampered.credentialSubject.achievement.name = 'Forged';
    writeFileSync(file('tampered.json'), JSON.stringify(tampered));
    const verify = await runCliProcess(['verify-ob3', ...credentials, '--status-list', join(file('out'), 'status-list.json'), file('tampered.json')], { env });
    expect(verify.stdout).toContain(`${credentials[0]}: valid (not revoked)`);
    expect(verify.stdout).toContain(`${credentials[1]}: valid (not revoked)`);
    expect(verify.stdout).toMatch(/tampered\.json: NOT valid: Invalid signature\.$/m);
    expect(verify.code).toBe(1);

    const alone = await runInProcess(['verify-ob3', credentials[0]!]);
    expect(alone).toEqual({ stdout: `${credentials[0]}: valid (revocation not checked: pass --status-list)\n`, code: 0 });
  });
});

/** The CLI in this process (main's harness): stdout, the exit code, and the one-line error on stderr. */
async function runInProcess(args: string[]): Promise<{ stdout: string; code: number; error?: string }> {
  const result = await runCli(args, { env });
  const error = /^error: (.*)$/m.exec(result.stderr)?.[1];
  return { stdout: result.stdout, code: result.code ?? -1, ...(error ? { error } : {}) };
}

describe('CLI: Open Badges 3.0 errors (in process)', () => {
  it('refuses a world-readable key and a missing issuer field in one line', async () => {
    writeFileSync(file('open-key.json'), '{}', { mode: 0o644 });
    const openKey = await runInProcess(['export-ob3', '--key', file('open-key.json'), '--out', file('out2'), '--ledger', file('none.ledger'), '--issuer-config', file('issuer.json')]);
    expect(openKey.code).toBe(1);
    expect(openKey.error).toMatch(/^key file .*open-key\.json can be read by other users \(mode 644\); run chmod 600 \S+$/);

    const keygen = await runInProcess(['keygen', '--out', file('key2.json'), '--did-web', 'badges.example.edu']);
    expect(keygen.stdout).toContain('publish it at https://badges.example.edu/.well-known/did.json');
    expect(JSON.parse(readFileSync(file('key2.did.json'), 'utf8'))).toMatchObject({ id: 'did:web:badges.example.edu' });
    const again = await runInProcess(['keygen', '--out', file('key2.json')]);
    expect(again.error).toMatch(/key2\.json exists; keygen never overwrites a key/);

    writeFileSync(file('bad-issuer.json'), JSON.stringify({ url: 'https://www.example.edu' }));
    const badIssuer = await runInProcess(['export-ob3', '--key', file('key2.json'), '--out', file('out2'), '--issuer-config', file('bad-issuer.json')]);
    expect(badIssuer.code).toBe(1);
    expect(badIssuer.error).toMatch(/bad-issuer\.json: name: name is required/);
  });

  it('--status-list-size makes a larger list; a later export never shrinks it, and keeps each credential\'s index', async () => {
    const args = (out: string) => ['export-ob3', '--key', file('key.json'), '--out', file(out), '--ledger', file('awards.ledger'), '--issuer-config', file('issuer.json')];
    const slots = (out: string) => decodeBitstring(JSON.parse(readFileSync(join(file(out), 'status-list.json'), 'utf8')).credentialSubject.encodedList).length * 8;
    const indexes = (out: string) =>
      readdirSync(file(out))
        .filter((name) => name !== 'status-list.json')
        .sort()
        .map((name) => JSON.parse(readFileSync(join(file(out), name), 'utf8')).credentialStatus.statusListIndex as string);
    expect((await runInProcess(args('sized'))).code).toBe(0);
    expect(slots('sized')).toBe(131_072); // the default
    expect((await runInProcess([...args('larger'), '--status-list-size', '262144'])).code).toBe(0);
    expect(slots('larger')).toBe(262_144);
    const before = indexes('larger');
    expect(before.length).toBeGreaterThan(0);
    // Run again as a nightly job would, without the option: the published list is not shrunk.
    expect((await runInProcess(args('larger'))).code).toBe(0);
    expect(slots('larger')).toBe(262_144);
    expect(indexes('larger')).toEqual(before);
    const tooSmall = await runInProcess([...args('small'), '--status-list-size', '1000']);
    expect(tooSmall.code).toBe(1);
    expect(tooSmall.error).toMatch(/--status-list-size/);
    const notBytes = await runInProcess([...args('odd'), '--status-list-size', '131076']);
    expect(notBytes.code).toBe(1);
    expect(notBytes.error).toMatch(/multiple of 8, got 131076/);
  });

  it('export-ob3 exits 2 and names each award it skipped', async () => {
    const path = file('partial.ledger');
    await writeFileLedger(path);
    const target = await FileLedger.open(path);
    await target.planAward({ key: 'old|v1@example.edu', microcredentialId: 'old', templateId: 't0', email: 'v1@example.edu', earnerId: 'v1@example.edu', state: 'issued' });
    await target.close();
    const result = await runInProcess(['export-ob3', '--key', file('key.json'), '--out', file('partial'), '--ledger', path, '--issuer-config', file('issuer.json')]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('exported 2 credentials');
    expect(result.stdout).toContain('skipped old|v1@example.edu: the ledger has no microcredential snapshot for "old" (run sync-templates)\n');
  });

  it('verifies a did:web credential only with --did-document', async () => {
    const { ledger } = await seededLedger(['issued']);
    const key = await readKeyFile(file('key2.json'));
    const result = await exportAchievementCredentials({ ledger, key, issuer: ISSUER_CONFIG });
    await writeOb3Export(result, file('web'));
    const credential = join(file('web'), result.credentials[0]!.fileName);
    const without = await runInProcess(['verify-ob3', credential]);
    expect(without).toEqual({ stdout: `${credential}: NOT valid: refusing to load did:web:badges.example.edu#key-1: only the bundled JSON-LD contexts, did:key and the given did:web documents are resolved (nothing is fetched)\n`, code: 1 });
    const withDoc = await runInProcess(['verify-ob3', credential, '--did-document', file('key2.did.json'), '--status-list', join(file('web'), 'status-list.json')]);
    expect(withDoc).toEqual({ stdout: `${credential}: valid (not revoked)\n`, code: 0 });
  });
});
