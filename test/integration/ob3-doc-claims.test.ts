// Claims of docs/open-badges.md that no other test asserted (or asserted in a way that could not
// fail), each checked here as the page states it. Offline: in-process CLI, temporary files, no network.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { microcredentialSchema } from '../../src/domain/microcredential.js';
import { FileLedger } from '../../src/ledger/file.js';
import {
  buildAchievementCredential,
  buildStatusListCredential,
  createOfflineDocumentLoader,
  exportAchievementCredentials,
  credentialIdFor,
  readKeyFile,
  signCredential,
  verifyCredential,
  writeKeyFile,
  type AchievementCredential,
  type Ob3Issuer,
} from '../../src/ob3/index.js';
import { exampleMicrocredentialJson } from '../helpers/examples.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { allAwards, ISSUER_CONFIG, SEED_B, seededLedger, testKey } from '../helpers/ob3.js';
import { schemaErrors } from '../helpers/ob3-schema.js';

const NOW = () => new Date('2026-06-02T00:00:00Z');
let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ob3-doc-claims-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI in this process: stdout, exit code, the one-line error. */
async function cli(args: string[], cwd = dir): Promise<{ stdout: string; stderr: string; code: number; error?: string }> {
  const result = await runCli(args, { env: cleanEnv, cwd });
  const error = /^error: (.*)$/m.exec(result.stderr)?.[1];
  return { stdout: result.stdout, stderr: result.stderr, code: result.code ?? -1, ...(error ? { error } : {}) };
}

/** A file ledger holding seededLedger's template and awards (the states given). */
async function fileLedger(path: string, states: Parameters<typeof seededLedger>[0]): Promise<void> {
  const { ledger } = await seededLedger(states);
  const target = await FileLedger.open(path);
  try {
    for (const template of await ledger.listTemplates()) await target.putTemplate(template);
    for (const award of await allAwards(ledger)) await target.planAward({ ...award, request: null });
  } finally {
    await target.close();
  }
}

/** A key file written with the fixed seed, as keygen writes it (0600). */
async function keyFile(name: string, seed?: Uint8Array): Promise<{ path: string; secret: string }> {
  const key = await testKey(seed);
  const path = file(name);
  if (!existsSync(path)) await writeKeyFile(path, key);
  return { path, secret: key.toKeyFile().secretKeyMultibase };
}

const credentialFiles = (out: string) => readdirSync(out).filter((name) => name !== 'status-list.json').map((name) => join(out, name));
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('the issuer configuration (docs/open-badges.md table)', () => {
  it('export-ob3 reads ob3-issuer.json by default; baseUrl defaults to url; description and image become the issuer\'s', async () => {
    const work = join(dir, 'default-config');
    mkdirSync(work);
    const { path: keyPath, secret } = await keyFile('default-key.json');
    await fileLedger(join(work, 'awards.ledger'), ['issued']);
    const args = ['export-ob3', '--key', keyPath, '--out', 'out', '--ledger', 'awards.ledger'];

    const missing = await cli(args, work);
    expect(missing.code).toBe(1);
    expect(missing.error).toMatch(/^cannot read the issuer configuration \S*ob3-issuer\.json: ENOENT$/);

    writeFileSync(
      join(work, 'ob3-issuer.json'),
      JSON.stringify({ name: 'Example University', url: 'https://www.example.edu/', description: 'A public research university.', image: 'https://www.example.edu/logo.png' }),
    );
    const exported = await cli(args, work);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('exported 1 credential to out (no status list: set statusListUrl');
    const [path] = credentialFiles(join(work, 'out'));
    const credential = readJson(path!) as AchievementCredential;
    expect(credential.id).toMatch(/^https:\/\/www\.example\.edu\/credentials\/[0-9a-f]{32}$/);
    expect(path!.endsWith(`${credential.id.split('/').pop()}.json`)).toBe(true);
    expect(credential.credentialSubject.achievement.id).toBe('https://www.example.edu/achievements/geospatial-data-analysis');
    expect(credential.issuer).toMatchObject({ description: 'A public research university.', image: { id: 'https://www.example.edu/logo.png', type: 'Image' } });
    expect(credential).not.toHaveProperty('credentialStatus');
    expect(schemaErrors(credential)).toEqual([]);
    expect(readFileSync(path!, 'utf8')).not.toContain(secret);
  });
});

describe('what is exported (docs/open-badges.md field tables)', () => {
  it('name, awardedDate, no learner name, the image caption, NACE 2021 framework names and the badge\'s other alignments after NACE\'s', async () => {
    const { ledger } = await seededLedger(['issued']);
    const [award] = await allAwards(ledger);
    const json = exampleMicrocredentialJson('non-credit');
    const microcredential = microcredentialSchema.parse({
      ...json,
      id: award!.microcredentialId,
      competencies: [
        { framework: 'NACE-2021', code: 'technology' },
        { framework: 'NACE-2017', code: 'critical-thinking-problem-solving' },
      ],
      badge: { ...json.badge, name: `${json.title} (badge)`, alignments: [{ name: 'SFIA Data management', url: 'https://sfia-online.org/en/skillsdefinitions/dtan', description: 'Level 3' }] },
    });
    const issuer: Ob3Issuer = { ...ISSUER_CONFIG, id: (await testKey()).controller };
    const credential = buildAchievementCredential({ award: award!, microcredential, issuer, statusListIndex: 3 });

    expect(microcredential.badge.name).not.toBe(microcredential.title);
    expect(credential.name).toBe(microcredential.badge.name);
    expect(credential.awardedDate).toBe(award!.snapshot!.issuedAt);
    expect(credential.validFrom).toBe(award!.snapshot!.issuedAt);
    const text = JSON.stringify(credential);
    expect(text).not.toContain(award!.snapshot!.learner.firstName);
    expect(text).not.toContain(award!.snapshot!.learner.lastName);
    const { achievement } = credential.credentialSubject;
    expect(achievement.image).toEqual({ id: microcredential.badge.imageUrl, type: 'Image', caption: microcredential.badge.name });
    expect(achievement.alignment!.map((a) => [a.targetName, a.targetFramework, a.targetCode, a.targetType])).toEqual([
      ['Technology', 'NACE Career Readiness Competencies (2021)', 'technology', 'ceasn:Competency'],
      ['Critical Thinking/Problem Solving', 'NACE Career Readiness Competencies (2017)', 'critical-thinking-problem-solving', 'ceasn:Competency'],
      ['SFIA Data management', undefined, undefined, undefined],
    ]);
    expect(achievement.alignment![2]).toEqual({ type: ['Alignment'], targetName: 'SFIA Data management', targetUrl: 'https://sfia-online.org/en/skillsdefinitions/dtan', targetDescription: 'Level 3' });
    expect(schemaErrors(credential)).toEqual([]);
  });
});

describe('keys (docs/open-badges.md, Keys)', () => {
  it('reading refuses a key file that the group or others can read, not only a world-readable one', async () => {
    for (const mode of [0o640, 0o604, 0o660]) {
      const { path } = await keyFile(`mode-${mode.toString(8)}.json`);
      chmodSync(path, mode);
      await expect(readKeyFile(path)).rejects.toThrow(`(mode ${mode.toString(8)}); run chmod 600`);
    }
  });

  it('keygen --did-web never overwrites: an existing <name>.did.json stops it before the key is written', async () => {
    writeFileSync(file('web-key.did.json'), '{"keep":"me"}\n');
    const result = await cli(['keygen', '--out', file('web-key.json'), '--did-web', 'badges.example.edu']);
    expect(result.code).toBe(1);
    expect(result.error).toMatch(/web-key\.did\.json exists; move it away first/);
    expect(existsSync(file('web-key.json'))).toBe(false);
    expect(readFileSync(file('web-key.did.json'), 'utf8')).toBe('{"keep":"me"}\n');
  });

  it('keygen --did-web with a path: the DID, key #key-1, and a DID document that holds no secret', async () => {
    const result = await cli(['keygen', '--out', file('path-key.json'), '--did-web', 'example.edu/badges']);
    expect(result.code).toBe(0);
    const keyText = readFileSync(file('path-key.json'), 'utf8');
    const { secretKeyMultibase, id, controller } = JSON.parse(keyText) as { secretKeyMultibase: string; id: string; controller: string };
    expect(controller).toBe('did:web:example.edu:badges');
    expect(id).toBe('did:web:example.edu:badges#key-1');
    expect(result.stdout).toContain('wrote ');
    expect(result.stdout).toContain('path-key.did.json: publish it at https://example.edu/badges/did.json before anyone verifies');
    const didText = readFileSync(file('path-key.did.json'), 'utf8');
    expect(JSON.parse(didText)).toMatchObject({ id: controller, assertionMethod: [id] });
    for (const output of [didText, result.stdout, result.stderr]) {
      expect(output).not.toContain(secretKeyMultibase);
      expect(output).not.toContain('secretKeyMultibase');
    }
  });

  it('no command prints the secret, even when the key does not match its public half', async () => {
    const { secret } = await keyFile('good.json');
    const other = await testKey(SEED_B);
    const mixed = { ...(await testKey()).toKeyFile(), secretKeyMultibase: other.toKeyFile().secretKeyMultibase };
    writeFileSync(file('mixed.json'), JSON.stringify(mixed), { mode: 0o600 });
    writeFileSync(file('issuer.json'), JSON.stringify(ISSUER_CONFIG));
    await fileLedger(file('leak.ledger'), ['issued']);
    const result = await cli(['export-ob3', '--key', file('mixed.json'), '--out', file('leak-out'), '--ledger', file('leak.ledger'), '--issuer-config', file('issuer.json')]);
    expect(result.code).toBe(1);
    expect(result.error).toMatch(/secretKeyMultibase does not belong to publicKeyMultibase$/);
    for (const output of [result.stdout, result.stderr]) {
      expect(output).not.toContain(secret);
      expect(output).not.toContain(other.toKeyFile().secretKeyMultibase);
    }
  });
});

describe('revocation: export-ob3 keeps the indexes of credentials already in --out', () => {
  it('a credential already published keeps its slot on the next export, and its bit is the one that gets set', async () => {
    const { path: keyPath } = await keyFile('slots-key.json');
    writeFileSync(file('issuer.json'), JSON.stringify(ISSUER_CONFIG));
    const ledgerPath = file('slots.ledger');
    await fileLedger(ledgerPath, ['issued', 'issued']);
    const out = file('slots-out');
    const args = ['export-ob3', '--key', keyPath, '--out', out, '--ledger', ledgerPath, '--issuer-config', file('issuer.json')];
    expect((await cli(args)).code).toBe(0);

    // As if the first file had been published with another slot (an export before a collision moved it).
    const [first, second] = credentialFiles(out).sort();
    const taken = new Set([first, second].map((path) => readJson(path!).credentialStatus.statusListIndex as string));
    const moved = ['7', '8', '9'].find((index) => !taken.has(index))!;
    const published = readJson(first!);
    published.credentialStatus = { ...published.credentialStatus, id: `${ISSUER_CONFIG.statusListUrl}#${moved}`, statusListIndex: moved };
    writeFileSync(first!, JSON.stringify(published));

    expect((await cli(args)).code).toBe(0);
    const again = readJson(first!) as AchievementCredential;
    expect(again.credentialStatus!.statusListIndex).toBe(moved);
    const verified = await cli(['verify-ob3', first!, second!, '--status-list', join(out, 'status-list.json')]);
    expect(verified.stdout).toBe(`${first}: valid (not revoked)\n${second}: valid (not revoked)\n`);

    // Revoke it: the published slot is the bit that is set.
    const ledger = await FileLedger.open(ledgerPath);
    const awards = [];
    for await (const award of ledger.queryAwards()) awards.push(award);
    const revokedKey = awards.find((award) => credentialIdFor(ISSUER_CONFIG.baseUrl!, award.key) === again.id)!.key;
    await ledger.writeAward(revokedKey, { state: 'revoked' }, { any: true });
    await ledger.close();
    expect((await cli(args)).code).toBe(0);
    const revoked = await cli(['verify-ob3', first!, '--status-list', join(out, 'status-list.json')]);
    expect(revoked.stdout).toBe(`${first}: NOT valid: revoked (status list ${ISSUER_CONFIG.statusListUrl}, index ${moved})\n`);
    expect(revoked.code).toBe(1);
  });
});

describe('how a verifier checks a credential (docs/open-badges.md, steps 2 and 5)', () => {
  it('step 2: a did:web key that its DID document does not list under assertionMethod does not verify', async () => {
    const key = await testKey(undefined, 'badges.example.edu');
    const { ledger, microcredential } = await seededLedger(['issued']);
    const [award] = await allAwards(ledger);
    const signed = await signCredential(buildAchievementCredential({ award: award!, microcredential, issuer: { ...ISSUER_CONFIG, id: key.controller }, statusListIndex: 1 }), key, { now: NOW });
    const document = key.didDocument();
    expect(await verifyCredential(signed, { now: NOW, didDocuments: [document] })).toEqual({ verified: true, status: 'not-checked' });
    const authenticationOnly = { ...document, assertionMethod: [] };
    const result = await verifyCredential(signed, { now: NOW, didDocuments: [authenticationOnly] });
    expect(result.verified).toBe(false);
    expect(result.reason).toMatch(/assertionMethod/);
  });

  it('step 5: a status list signed by another issuer is refused, even with a valid proof', async () => {
    const key = await testKey();
    const other = await testKey(SEED_B);
    const { ledger, microcredential } = await seededLedger(['issued']);
    const [award] = await allAwards(ledger);
    const signed = await signCredential(buildAchievementCredential({ award: award!, microcredential, issuer: { ...ISSUER_CONFIG, id: key.controller }, statusListIndex: 4 }), key, { now: NOW });
    const list = (issuerKey: typeof key, revoked: number[]) =>
      signCredential(buildStatusListCredential({ statusListUrl: ISSUER_CONFIG.statusListUrl!, issuerId: issuerKey.controller, revokedIndexes: revoked, validFrom: NOW() }), issuerKey, { now: NOW });
    expect(await verifyCredential(signed, { now: NOW, statusLists: [await list(key, [])] })).toEqual({ verified: true, status: 'active' });
    const foreign = await list(other, []);
    expect((await verifyCredential(foreign, { now: NOW })).verified).toBe(true);
    const result = await verifyCredential(signed, { now: NOW, statusLists: [foreign] });
    expect(result).toMatchObject({ verified: false, reason: `the status list ${ISSUER_CONFIG.statusListUrl} is not valid for this issuer: issued by ${other.controller}` });
  });

  it('verify-ob3 prints "valid" alone for a credential without credentialStatus, and exits 0', async () => {
    const { ledger, microcredential } = await seededLedger(['issued']);
    const [award] = await allAwards(ledger);
    const key = await testKey();
    const { statusListUrl: _s, ...noStatus } = ISSUER_CONFIG;
    const signed = await signCredential(buildAchievementCredential({ award: award!, microcredential, issuer: { ...noStatus, id: key.controller } }), key, { now: NOW });
    writeFileSync(file('no-status.json'), JSON.stringify(signed));
    const result = await cli(['verify-ob3', file('no-status.json')]);
    expect(result).toMatchObject({ stdout: `${file('no-status.json')}: valid\n`, code: 0 });
  });
});

describe('the document loader answers every context the page names (VC 1.1 and 2.0, OB 3.0 beta to 3.0.3, extensions)', () => {
  it.each([
    'https://www.w3.org/2018/credentials/v1',
    'https://www.w3.org/ns/credentials/v2',
    'https://imsglobal.github.io/openbadges-specification/ob_v3p0.html',
    'https://purl.imsglobal.org/spec/ob/v3p0/context.json',
    'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json',
    'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json',
    'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json',
  ])('%s', async (url) => {
    expect((await createOfflineDocumentLoader()(url)).document).toHaveProperty('@context');
  });
});

describe('limits and dependencies (docs/open-badges.md, Limits and Dependencies)', () => {
  it('refuses an export when the ledger needs more than half the list: every award in every state holds a slot', async () => {
    // 5 slots (3 issued, 1 planned, 1 failed) in a list of 8: refused, although only 3 credentials would be written.
    const { ledger } = await seededLedger(['issued', 'issued', 'issued', 'planned', 'failed']);
    const key = await testKey();
    await expect(exportAchievementCredentials({ ledger, key, issuer: ISSUER_CONFIG, now: NOW, statusListSize: 8 })).rejects.toThrow('5 awards do not fit a status list of 8 entries');
    const fits = await exportAchievementCredentials({ ledger, key, issuer: ISSUER_CONFIG, now: NOW, statusListSize: 16 });
    expect(fits.credentials).toHaveLength(3);
  });

  it('names the versions and engines.node that package.json and the lock file pin', () => {
    const page = readFileSync(new URL('../../docs/open-badges.md', import.meta.url), 'utf8');
    const section = page.slice(page.indexOf('## Dependencies'), page.indexOf('## Limits'));
    const rows = [...section.matchAll(/^\| `([^`]+)` \| ([\d.]+) \| (.+?) \|$/gm)].map(([, name, version, engines]) => ({ name: name!, version: version!, engines: engines! }));
    expect(rows).toHaveLength(9);
    const pkg = readJson(new URL('../../package.json', import.meta.url).pathname) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const lock = readJson(new URL('../../package-lock.json', import.meta.url).pathname) as { packages: Record<string, { version: string; engines?: { node?: string }; dev?: boolean }> };
    for (const [index, row] of rows.entries()) {
      const locked = lock.packages[`node_modules/${row.name}`];
      expect(locked?.version, row.name).toBe(row.version);
      expect(locked?.engines?.node ?? 'not stated', row.name).toBe(row.engines);
      expect(locked?.dev, row.name).toBeUndefined();
      // The first six are this package's own dependencies, pinned exactly; the rest come with them.
      expect(pkg.dependencies[row.name], row.name).toBe(index < 6 ? row.version : undefined);
    }
    expect(Object.keys(pkg.dependencies).filter((name) => /^@digital(bazaar|credentials)\//.test(name)).sort()).toEqual(rows.slice(0, 6).map((row) => row.name).sort());
    for (const [name, version] of [['ajv', '8.20.0'], ['ajv-formats', '3.0.1']] as const) {
      expect(section).toContain(`\`${name}\` ${version}`);
      expect(pkg.devDependencies[name]).toBe(version);
      expect(pkg.dependencies[name]).toBeUndefined();
    }
  });
});
