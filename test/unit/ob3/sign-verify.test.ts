import { describe, expect, it } from 'vitest';
import { buildAchievementCredential, signCredential, verifyCredential, type AchievementCredential } from '../../../src/ob3/index.js';
import { allAwards, ISSUER_CONFIG, seededLedger, testKey } from '../../helpers/ob3.js';

const NOW = () => new Date('2026-06-02T00:00:00Z');

async function signedExample(): Promise<AchievementCredential> {
  const { ledger, microcredential } = await seededLedger(['issued']);
  const [award] = await allAwards(ledger);
  const key = await testKey();
  const credential = buildAchievementCredential({ award: award!, microcredential, issuer: { ...ISSUER_CONFIG, id: key.controller }, statusListIndex: 5 });
  return signCredential(credential, key, { now: NOW });
}

describe('signing and verification (eddsa-rdfc-2022, offline)', () => {
  it('signs a credential that verifies', async () => {
    const signed = await signedExample();
    expect(signed.proof).toHaveLength(1);
    expect(signed.proof![0]).toMatchObject({ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'assertionMethod', created: '2026-06-02T00:00:00Z' });
    const result = await verifyCredential(signed, { now: NOW });
    expect(result).toEqual({ verified: true, status: 'not-checked' });
  });
});
