import { describe, expect, it } from 'vitest';
import {
  buildAchievementCredential,
  createOfflineDocumentLoader,
  DocumentRefusedError,
  signCredential,
  verifyCredential,
  type AchievementCredential,
} from '../../../src/ob3/index.js';
import { allAwards, ISSUER_CONFIG, SEED_B, seededLedger, testKey } from '../../helpers/ob3.js';
import { schemaErrors } from '../../helpers/ob3-schema.js';

const NOW = () => new Date('2026-06-02T00:00:00Z');

async function unsignedExample(didWeb?: string): Promise<AchievementCredential> {
  const { ledger, microcredential } = await seededLedger(['issued']);
  const [award] = await allAwards(ledger);
  const key = await testKey(undefined, didWeb);
  return buildAchievementCredential({ award: award!, microcredential, issuer: { ...ISSUER_CONFIG, id: key.controller }, statusListIndex: 5 });
}

async function signedExample(): Promise<AchievementCredential> {
  const signed = await signCredential(await unsignedExample(), await testKey(), { now: NOW });
  expect(schemaErrors(signed)).toEqual([]);
  return signed;
}

/** A deep copy with one change. */
function tampered(credential: AchievementCredential, change: (copy: any) => void): unknown {
  const copy = structuredClone(credential);
  change(copy);
  return copy;
}

describe('signing and verification (eddsa-rdfc-2022, offline)', () => {
  it('signs a credential that verifies, with a did:key issuer', async () => {
    const signed = await signedExample();
    const key = await testKey();
    expect(signed.issuer.id).toBe(key.controller);
    expect(key.controller).toMatch(/^did:key:z6Mk/);
    expect(signed.proof).toHaveLength(1);
    expect(signed.proof![0]).toMatchObject({
      type: 'DataIntegrityProof',
      cryptosuite: 'eddsa-rdfc-2022',
      proofPurpose: 'assertionMethod',
      verificationMethod: key.id,
      created: '2026-06-02T00:00:00Z',
    });
    expect(await verifyCredential(signed, { now: NOW })).toEqual({ verified: true, status: 'not-checked' });
  });

  it('is deterministic: the same award, key and clock give the same signed bytes', async () => {
    expect(JSON.stringify(await signedExample())).toBe(JSON.stringify(await signedExample()));
  });

  it.each([
    ['the achievement name', (c: any) => (c.credentialSubject.achievement.name = 'Something Else')],
    ['the identity hash', (c: any) => (c.credentialSubject.identifier[0].identityHash = `sha256$${'0'.repeat(64)}`)],
    ['the credits', (c: any) => (c.credentialSubject.achievement.creditsAvailable = 99)],
    ['validFrom', (c: any) => (c.validFrom = '2026-05-01T12:00:00Z')],
    ['an evidence entry removed', (c: any) => c.evidence.pop()],
    ['the status list index', (c: any) => (c.credentialStatus.statusListIndex = '6')],
    ['the proof value', (c: any) => (c.proof[0].proofValue = c.proof[0].proofValue.replace(/.$/, (last: string) => (last === 'A' ? 'B' : 'A')))],
  ])('fails when %s is changed after signing', async (_what, change) => {
    const result = await verifyCredential(tampered(await signedExample(), change), { now: NOW });
    expect(result.verified).toBe(false);
    expect(result.reason).toMatch(/\S/);
    expect(result.reason).not.toContain('\n');
  });

  it('fails a credential signed by a key other than its issuer', async () => {
    const signed = await signedExample();
    const other = await testKey(SEED_B);
    const result = await verifyCredential(tampered(signed, (c) => (c.issuer.id = other.controller)), { now: NOW });
    expect(result).toMatchObject({ verified: false, reason: expect.stringContaining('is not a key of the issuer') });
    await expect(signCredential(await unsignedExample(), other)).rejects.toThrow(/the key belongs to/);
  });

  it('fails before validFrom and after validUntil, by the injected clock', async () => {
    const signed = await signedExample();
    expect(await verifyCredential(signed, { now: () => new Date('2026-01-01T00:00:00Z') })).toMatchObject({ verified: false, reason: expect.stringContaining('before "validFrom"') });
    const expiring = await signCredential({ ...(await unsignedExample()), validUntil: '2027-01-01T00:00:00Z' }, await testKey(), { now: NOW });
    expect(schemaErrors(expiring)).toEqual([]);
    expect((await verifyCredential(expiring, { now: NOW })).verified).toBe(true);
    expect(await verifyCredential(expiring, { now: () => new Date('2027-02-01T00:00:00Z') })).toMatchObject({ verified: false, reason: expect.stringContaining('after "validUntil"') });
  });

  it('fails what is not a signed credential, with the reason', async () => {
    expect(await verifyCredential(await unsignedExample(), { now: NOW })).toMatchObject({ verified: false, reason: 'the credential has no proof (it is not signed)' });
    expect(await verifyCredential([1, 2], { now: NOW })).toMatchObject({ verified: false, reason: expect.stringContaining('not a credential') });
  });

  it('verifies a did:web issuer only with its DID document, which is never fetched', async () => {
    const key = await testKey(undefined, 'badges.example.edu');
    expect(key.controller).toBe('did:web:badges.example.edu');
    const signed = await signCredential(await unsignedExample('badges.example.edu'), key, { now: NOW });
    expect(schemaErrors(signed)).toEqual([]);
    expect(await verifyCredential(signed, { now: NOW, didDocuments: [key.didDocument()] })).toEqual({ verified: true, status: 'not-checked' });
    const without = await verifyCredential(signed, { now: NOW });
    expect(without).toMatchObject({ verified: false, reason: expect.stringContaining('refusing to load did:web:badges.example.edu#key-1') });
    const otherKey = await testKey(SEED_B, 'badges.example.edu');
    expect((await verifyCredential(signed, { now: NOW, didDocuments: [otherKey.didDocument()] })).verified).toBe(false);
  });
});

describe('the offline document loader', () => {
  const loader = createOfflineDocumentLoader();

  it('answers the bundled contexts and derives did:key documents', async () => {
    for (const url of ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json', 'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json']) {
      expect((await loader(url)).document).toHaveProperty('@context');
    }
    const key = await testKey();
    expect((await loader(key.controller)).document).toMatchObject({ id: key.controller, assertionMethod: [key.id] });
    expect((await loader(key.id)).document).toMatchObject({ id: key.id, type: 'Multikey', publicKeyMultibase: key.publicKeyMultibase });
  });

  it('refuses every other URL without fetching it', async () => {
    for (const url of ['https://example.com/context.json', 'https://purl.imsglobal.org/spec/ob/v3p0/context-9.9.9.json', 'did:web:example.edu', 'did:key:zQ3shNotAnEd25519Key', 'http://127.0.0.1:1/x']) {
      await expect(loader(url)).rejects.toBeInstanceOf(DocumentRefusedError);
    }
    const key = await testKey();
    await expect(loader(`${key.controller}#other-fragment`)).rejects.toThrow(/refusing to load/);
  });

  it('makes signing fail on a credential that names an unknown context', async () => {
    const credential = { ...(await unsignedExample()), '@context': [...(await unsignedExample())['@context'], 'https://example.com/my-context.json'] };
    await expect(signCredential(credential, await testKey(), { now: NOW })).rejects.toThrow(/refusing to load https:\/\/example\.com\/my-context\.json/);
  });

  it('needs extensions.json only for 1EdTech extension terms, which it names so that they sign', async () => {
    const credential = await unsignedExample();
    const withoutExtensions = { ...credential, '@context': credential['@context'].slice(0, 2) };
    expect((await verifyCredential(await signCredential(withoutExtensions, await testKey(), { now: NOW }), { now: NOW })).verified).toBe(true);
    const schema = [{ id: 'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json', type: '1EdTechJsonSchemaValidator2019' }];
    expect((await signCredential({ ...credential, credentialSchema: schema } as AchievementCredential, await testKey(), { now: NOW })).proof).toHaveLength(1);
    await expect(signCredential({ ...withoutExtensions, credentialSchema: schema } as AchievementCredential, await testKey(), { now: NOW })).rejects.toThrow(/Safe mode/);
  });

  it('makes signing fail on a term no context defines (safe mode), rather than signing it unprotected', async () => {
    const credential = { ...(await unsignedExample()), madeUpTerm: 'x' } as AchievementCredential;
    await expect(signCredential(credential, await testKey(), { now: NOW })).rejects.toThrow(/^cannot sign https:\/\/badges.example.edu\/credentials\/[0-9a-f]+: Safe mode validation error \("madeUpTerm" is not defined by any @context\)$/);
  });
});
