import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { microcredentialSchema } from '../../../src/domain/microcredential.js';
import type { AwardRecord } from '../../../src/ledger/contract.js';
import {
  buildAchievementCredential,
  credentialIdFor,
  identityMatchesEmail,
  Ob3InputError,
  signCredential,
  type Ob3Issuer,
} from '../../../src/ob3/index.js';
import { exampleMicrocredentialJson } from '../../helpers/examples.js';
import { allAwards, exampleMicrocredential, ISSUER_CONFIG, seededLedger, snapshotFor, testKey } from '../../helpers/ob3.js';
import { schemaErrors } from '../../helpers/ob3-schema.js';

const ISSUER: Ob3Issuer = { ...ISSUER_CONFIG, id: 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH' };

async function issuedAward(): Promise<AwardRecord> {
  const { ledger } = await seededLedger(['issued']);
  return (await allAwards(ledger))[0]!;
}

describe('buildAchievementCredential', () => {
  it('maps the microcredential to the achievement and the award to the subject', async () => {
    const award = await issuedAward();
    const microcredential = exampleMicrocredential();
    const credential = buildAchievementCredential({ award, microcredential, issuer: ISSUER, statusListIndex: 42 });

    expect(credential['@context']).toEqual([
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
      'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json',
    ]);
    expect(credential.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(credential.issuer).toEqual({
      id: ISSUER.id,
      type: ['Profile'],
      name: 'Example University',
      url: 'https://www.example.edu',
      email: 'microcredentials@example.edu',
      image: { id: 'https://www.example.edu/logo.png', type: 'Image' },
    });
    expect(credential.validFrom).toBe('2026-06-01T12:00:00Z');
    expect(credential.validUntil).toBeUndefined();
    const { achievement } = credential.credentialSubject;
    expect(achievement).toMatchObject({
      id: 'https://badges.example.edu/achievements/geospatial-data-analysis',
      type: ['Achievement'],
      achievementType: 'MicroCredential',
      name: microcredential.badge.name,
      description: microcredential.badge.description,
      criteria: { id: microcredential.badge.criteriaUrl },
      image: { id: microcredential.badge.imageUrl, type: 'Image' },
      creditsAvailable: microcredential.credit!.credits,
      tag: microcredential.badge.skills,
    });
    expect(achievement.criteria.narrative.split('\n')).toEqual(microcredential.earningCriteria.map((line) => `- ${line}`));
    expect(achievement.alignment![0]).toEqual({
      type: ['Alignment'],
      targetName: 'Critical Thinking/Problem Solving',
      targetUrl: 'https://www.naceweb.org/career-readiness/competencies/career-readiness-defined/',
      targetDescription: expect.stringContaining('sound reasoning'),
      targetFramework: 'NACE Career Readiness Competencies (2017)',
      targetCode: 'critical-thinking-problem-solving',
      targetType: 'ceasn:Competency',
    });
    expect(achievement.alignment).toHaveLength(microcredential.competencies.length);
    expect(credential.credentialSubject.creditsEarned).toBe(microcredential.credit!.credits);
    expect(credential.credentialStatus).toEqual({
      id: 'https://badges.example.edu/status/revocation#42',
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: '42',
      statusListCredential: 'https://badges.example.edu/status/revocation',
    });
  });

  it('names the learner by a salted SHA-256 of the email, never the email itself', async () => {
    const award = await issuedAward();
    const credential = buildAchievementCredential({ award, microcredential: exampleMicrocredential(), issuer: ISSUER, statusListIndex: 1 });
    const [identity] = credential.credentialSubject.identifier;
    const expected = createHash('sha256').update(`learner0@example.edu${identity!.salt}`).digest('hex');
    expect(identity).toEqual({ type: 'IdentityObject', identityType: 'emailAddress', hashed: true, identityHash: `sha256$${expected}`, salt: identity!.salt });
    expect(identityMatchesEmail(identity!, ' Learner0@Example.edu ')).toBe(true);
    expect(identityMatchesEmail(identity!, 'someone@example.edu')).toBe(false);
    expect(JSON.stringify(credential)).not.toContain('learner0@example.edu');
  });

  it('gives an award the same id every time, derived from the base URL and the award key', async () => {
    const award = await issuedAward();
    const build = (issuer: Ob3Issuer) => buildAchievementCredential({ award, microcredential: exampleMicrocredential(), issuer, statusListIndex: 1 });
    expect(build(ISSUER).id).toBe(build(ISSUER).id);
    expect(build(ISSUER).id).toMatch(/^https:\/\/badges\.example\.edu\/credentials\/[0-9a-f]{32}$/);
    expect(build(ISSUER).id).toBe(credentialIdFor('https://badges.example.edu/', award.key));
    expect(build({ ...ISSUER, baseUrl: 'https://other.example.edu' }).id).not.toBe(build(ISSUER).id);
    expect(build(ISSUER).credentialSubject.identifier[0]!.salt).not.toBe(
      buildAchievementCredential({ award: { ...award, key: `${award.key}x` }, microcredential: exampleMicrocredential(), issuer: ISSUER, statusListIndex: 1 }).credentialSubject.identifier[0]!.salt,
    );
  });

  it('carries the evidence, the Credly badge as an alternate, and validUntil from expiresAt', async () => {
    const award = await issuedAward();
    const expiring = { ...award, snapshot: snapshotFor('learner0@example.edu', { expiresAt: '2028-06-01T12:00:00Z' }) };
    const credential = buildAchievementCredential({ award: expiring, microcredential: exampleMicrocredential(), issuer: ISSUER, statusListIndex: 1 });
    expect(credential.validUntil).toBe('2028-06-01T12:00:00Z');
    expect(credential.evidence).toEqual([
      { id: 'https://portfolio.example.edu/ada', type: ['Evidence'], name: 'Map portfolio', genre: 'URL', description: 'Five maps Shows Digital Technology (NACE).' },
      { type: ['Evidence'], name: 'Reflection', narrative: 'What I learned about spatial joins.', genre: 'Text' },
      { type: ['Evidence'], name: 'Esri certificate', genre: 'Identifier', description: 'EAPRO-1234' },
      { type: ['Evidence'], name: 'Final exam', genre: 'Assessment', narrative: 'Scored 88 of 100 on 2026-05-14.' },
      { id: 'https://www.credly.com/badges/badge-0', type: ['Evidence'], name: 'This badge on Credly', description: 'The same award, issued as a Credly badge.', genre: 'Alternate' },
    ]);
    const optedOut = { ...award, snapshot: { ...award.snapshot!, evidenceOptOut: true }, credly: null };
    expect(buildAchievementCredential({ award: optedOut, microcredential: exampleMicrocredential(), issuer: ISSUER, statusListIndex: 1 }).evidence).toBeUndefined();
  });

  it('maps non-credit and campus (ext:) types, and leaves credits out when there are none', async () => {
    const award = await issuedAward();
    const nonCredit = microcredentialSchema.parse({ ...exampleMicrocredentialJson('non-credit'), id: award.microcredentialId });
    const credential = buildAchievementCredential({ award, microcredential: nonCredit, issuer: { ...ISSUER, statusListUrl: undefined } as Ob3Issuer });
    expect(credential.credentialSubject.achievement.achievementType).toBe('MicroCredential');
    expect(credential.credentialSubject.achievement).not.toHaveProperty('creditsAvailable');
    expect(credential.credentialSubject).not.toHaveProperty('creditsEarned');
    expect(credential).not.toHaveProperty('credentialStatus');
    const ext = microcredentialSchema.parse({ ...exampleMicrocredentialJson('non-credit'), id: award.microcredentialId, type: 'ext:co-curricular' });
    expect(buildAchievementCredential({ award, microcredential: ext, issuer: ISSUER, statusListIndex: 1 }).credentialSubject.achievement.achievementType).toBe('ext:co-curricular');
    expect(schemaErrors(buildAchievementCredential({ award, microcredential: ext, issuer: ISSUER, statusListIndex: 1 }))).toEqual([]);
  });

  it('refuses an award it cannot describe, naming the problem', async () => {
    const award = await issuedAward();
    const microcredential = exampleMicrocredential();
    const build = (patch: Partial<AwardRecord>, statusListIndex: number | null = 1) =>
      () => buildAchievementCredential({ award: { ...award, ...patch }, microcredential, issuer: ISSUER, statusListIndex: statusListIndex ?? undefined });
    expect(build({ snapshot: null })).toThrow(/has no snapshot/);
    expect(build({ state: 'planned' })).toThrow(/is planned, not issued/);
    expect(build({ microcredentialId: 'other-one' })).toThrow(/is for microcredential "other-one"/);
    expect(build({}, null)).toThrow(Ob3InputError);
    expect(build({}, null)).toThrow(/statusListIndex is required/);
  });
});

describe("1EdTech's AchievementCredential JSON Schema", () => {
  it('validates every variant, unsigned and signed (proof as an array)', async () => {
    const award = await issuedAward();
    const key = await testKey();
    const issuer: Ob3Issuer = { ...ISSUER_CONFIG, id: key.controller };
    const variants = [
      buildAchievementCredential({ award, microcredential: exampleMicrocredential(), issuer, statusListIndex: 0 }),
      buildAchievementCredential({ award: { ...award, snapshot: snapshotFor('a@example.edu', { issuedAt: '2026-04-02T10:00:00-04:00', expiresAt: '2030-01-01T00:00:00-05:00', evidence: [] }), credly: null }, microcredential: exampleMicrocredential(), issuer: { ...issuer, statusListUrl: undefined, email: undefined, image: undefined } as Ob3Issuer }),
    ];
    for (const credential of variants) {
      expect(schemaErrors(credential)).toEqual([]);
      const signed = await signCredential(credential, key, { now: () => new Date('2026-06-02T00:00:00Z') });
      expect(schemaErrors(signed)).toEqual([]);
    }
  });

  it('is a real check: it rejects a credential without an achievement or with a single proof object', async () => {
    const credential = buildAchievementCredential({ award: await issuedAward(), microcredential: exampleMicrocredential(), issuer: ISSUER, statusListIndex: 0 });
    const { achievement: _a, ...subject } = credential.credentialSubject;
    expect(schemaErrors({ ...credential, credentialSubject: subject })).toContain("/credentialSubject must have required property 'achievement'");
    expect(schemaErrors({ ...credential, proof: { type: 'DataIntegrityProof' } }).join('\n')).toMatch(/\/proof must be array/);
  });
});
