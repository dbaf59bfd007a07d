// Open Badges 3.0 from the ledger: build a learner's credential, sign it with the campus key, verify it.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { MemoryLedger, microcredentialFromProposal, parseProposal } from 'credly-microcredentials';
import { buildAchievementCredential, generateSigningKey, signCredential, verifyCredential } from 'credly-microcredentials/ob3';

it('issues a verifiable Open Badges 3.0 credential for an issued award', async () => {
  // A ledger that has issued one badge (in production: openLedger('credly-microcredentials.ledger')).
  const ledger = new MemoryLedger();
  const microcredential = microcredentialFromProposal(parseProposal(JSON.parse(readFileSync(new URL('../../fixtures/examples/credit-bearing.proposal.json', import.meta.url), 'utf8'))));
  await ledger.putTemplate({ microcredentialId: microcredential.id, templateId: 'tmpl-1', fingerprint: '', state: 'active', allowDuplicates: false, microcredential, updatedAt: new Date().toISOString() });
  const { record: award } = await ledger.planAward({
    key: `${microcredential.id}|B00412763`,
    microcredentialId: microcredential.id,
    templateId: 'tmpl-1',
    email: 'priya.raman@example.edu',
    earnerId: 'B00412763',
    state: 'issued',
    snapshot: { learner: { email: 'priya.raman@example.edu', firstName: 'Priya', lastName: 'Raman' }, evidence: [], issuedAt: '2026-05-20T12:00:00-04:00', expiresAt: null },
  });

  // The campus key: in production, keygen once and readKeyFile('ob3-key.json').
  const key = await generateSigningKey();
  const template = await ledger.getTemplate(award.microcredentialId);
  const credential = buildAchievementCredential({
    award,
    microcredential: template!.microcredential!,
    issuer: { name: 'Example University', url: 'https://www.example.edu', id: key.controller },
  });
  const signed = await signCredential(credential, key);

  expect(await verifyCredential(signed)).toEqual({ verified: true, status: 'none' });
  expect(signed.credentialSubject.achievement.name).toBe(microcredential.badge.name);
});
