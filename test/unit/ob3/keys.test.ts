import { chmod, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { didWebDocumentUrl, didWebFor, generateSigningKey, KEY_FILE_FORMAT, readKeyFile, writeKeyFile } from '../../../src/ob3/index.js';
import { SEED_A, SEED_B, testKey } from '../../helpers/ob3.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ob3-keys-'));
});
afterAll(async () => {
  const { rm } = await import('node:fs/promises');
  await rm(dir, { recursive: true, force: true });
});

describe('signing keys', () => {
  it('writes a key file with mode 0600, refuses to overwrite it, and reads it back', async () => {
    const key = await testKey();
    const path = join(dir, 'key.json');
    await writeKeyFile(path, key);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const file = JSON.parse(await readFile(path, 'utf8'));
    expect(file).toMatchObject({ format: KEY_FILE_FORMAT, version: 1, type: 'Multikey', id: key.id, controller: key.controller, publicKeyMultibase: key.publicKeyMultibase });
    expect(file.secretKeyMultibase).toMatch(/^z/);
    await expect(writeKeyFile(path, key)).rejects.toThrow(/exists; keygen never overwrites a key/);
    const read = await readKeyFile(path);
    expect(read.id).toBe(key.id);
    expect(read.toKeyFile()).toEqual(key.toKeyFile());
  });

  it('never shows the secret half: not in JSON, inspect, or any error about the file', async () => {
    const key = await testKey();
    const secret = key.toKeyFile().secretKeyMultibase;
    expect(JSON.stringify(key)).not.toContain(secret);
    expect(inspect(key, { depth: 5 })).not.toContain(secret);
    expect(String(key)).not.toContain(secret);

    const other = (await testKey(SEED_B)).toKeyFile();
    const cases: Array<[string, unknown, RegExp]> = [
      ['mismatch.json', { ...key.toKeyFile(), secretKeyMultibase: other.secretKeyMultibase }, /secretKeyMultibase does not belong to publicKeyMultibase/],
      ['garbage.json', { ...key.toKeyFile(), secretKeyMultibase: `${secret.slice(0, 20)}0OIl` }, /secretKeyMultibase is not a valid Ed25519 secret key/],
      ['missing.json', { ...key.toKeyFile(), id: undefined }, /id is missing/],
      ['format.json', { ...key.toKeyFile(), format: 'other' }, /is not a signing key file/],
    ];
    for (const [name, content, message] of cases) {
      const path = join(dir, name);
      await writeFile(path, JSON.stringify(content), { mode: 0o600 });
      const error = await readKeyFile(path).then(() => undefined, (caught: unknown) => caught as Error);
      expect(error?.message).toMatch(message);
      expect(error?.message).not.toContain(secret);
      expect(error?.message).not.toContain(other.secretKeyMultibase);
      expect(error?.message).not.toContain('\n');
    }
    const notJson = join(dir, 'not-json.json');
    await writeFile(notJson, `{"secretKeyMultibase": "${secret}"`, { mode: 0o600 });
    await expect(readKeyFile(notJson)).rejects.toThrow(/is not JSON; create one with keygen$/);
  });

  it('refuses a key file that other users can read', async () => {
    const path = join(dir, 'open.json');
    await writeFile(path, JSON.stringify((await testKey()).toKeyFile()), { mode: 0o600 });
    await chmod(path, 0o644);
    await expect(readKeyFile(path)).rejects.toThrow(/can be read by other users \(mode 644\); run chmod 600/);
  });

  it('makes did:key by default and did:web for a campus domain', async () => {
    const random = await generateSigningKey();
    expect(random.controller).toBe(`did:key:${random.publicKeyMultibase}`);
    expect(random.id).toBe(`${random.controller}#${random.publicKeyMultibase}`);
    expect((await generateSigningKey()).publicKeyMultibase).not.toBe(random.publicKeyMultibase);
    expect((await generateSigningKey({ seed: SEED_A })).publicKeyMultibase).toBe((await generateSigningKey({ seed: SEED_A })).publicKeyMultibase);

    const web = await generateSigningKey({ didWeb: 'Badges.Example.edu' });
    expect(web.id).toBe('did:web:badges.example.edu#key-1');
    expect(web.didDocument()).toEqual({
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
      id: 'did:web:badges.example.edu',
      verificationMethod: [{ id: web.id, type: 'Multikey', controller: 'did:web:badges.example.edu', publicKeyMultibase: web.publicKeyMultibase }],
      assertionMethod: [web.id],
      authentication: [web.id],
    });
    expect(didWebFor('https://example.edu/badges/')).toBe('did:web:example.edu:badges');
    expect(didWebFor('example.edu:8443')).toBe('did:web:example.edu%3A8443');
    expect(didWebDocumentUrl('did:web:badges.example.edu')).toBe('https://badges.example.edu/.well-known/did.json');
    expect(didWebDocumentUrl('did:web:example.edu:badges')).toBe('https://example.edu/badges/did.json');
    expect(didWebDocumentUrl('did:web:example.edu%3A8443')).toBe('https://example.edu:8443/.well-known/did.json');
    expect(() => didWebFor('not a domain')).toThrow(/is not a domain such as badges.example.edu/);
    expect(() => didWebFor('localhost')).toThrow(/is not a domain/);
  });
});
