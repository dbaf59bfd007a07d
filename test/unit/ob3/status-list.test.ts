import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assignStatusListIndexes,
  bitIsSet,
  candidateIndex,
  credentialIdFor,
  credentialSlots,
  decodeBitstring,
  encodeBitstring,
  exportAchievementCredentials,
  readPublishedIndexes,
  STATUS_LIST_FILE,
  verifyCredential,
  writeOb3Export,
  type StatusListCredential,
} from '../../../src/ob3/index.js';
import { allAwards, ISSUER_CONFIG, seededLedger, testKey } from '../../helpers/ob3.js';
import { schemaErrors } from '../../helpers/ob3-schema.js';

describe('the bitstring', () => {
  it('puts index 0 in the left-most bit, gzips it and encodes it as multibase base64url', () => {
    const encoded = encodeBitstring([0, 9, 131_071]);
    expect(encoded).toMatch(/^u[A-Za-z0-9_-]+$/);
    const bits = decodeBitstring(encoded);
    expect(bits).toHaveLength(16_384);
    expect(bits[0]).toBe(0b1000_0000);
    expect(bits[1]).toBe(0b0100_0000);
    expect(bits[16_383]).toBe(0b0000_0001);
    expect([0, 9, 131_071].map((index) => bitIsSet(bits, index))).toEqual([true, true, true]);
    expect([1, 8, 10, 131_070].map((index) => bitIsSet(bits, index))).toEqual([false, false, false, false]);
    expect(() => encodeBitstring([131_072])).toThrow(/outside 0..131071/);
    expect(() => decodeBitstring('zabc')).toThrow(/must start with "u"/);
  });
});

describe('status list indexes', () => {
  const awards = Array.from({ length: 40 }, (_, i) => ({ key: `mc|learner${i}@example.edu`, createdAt: `2026-06-01T12:00:${String(i).padStart(2, '0')}Z` }));

  it('derives each index from the award key, the same in every run', () => {
    const indexes = assignStatusListIndexes(awards);
    expect(indexes.get(awards[0]!.key)).toBe(candidateIndex(awards[0]!.key, 0, 131_072));
    expect(assignStatusListIndexes([...awards].reverse())).toEqual(indexes);
    expect(new Set(indexes.values()).size).toBe(awards.length);
  });

  it('resolves collisions in ledger order, so that adding awards later never moves an earlier index', () => {
    // 64 slots for 32 awards: collisions are certain.
    const small = awards.slice(0, 32);
    const indexes = assignStatusListIndexes(small, { size: 64 });
    expect(new Set(indexes.values()).size).toBe(32);
    const probed = small.filter((award) => indexes.get(award.key) !== candidateIndex(award.key, 0, 64));
    expect(probed.length).toBeGreaterThan(0);
    const earlier = assignStatusListIndexes(small.slice(0, 20), { size: 64 });
    for (const [key, index] of earlier) expect(indexes.get(key)).toBe(index);
    expect(() => assignStatusListIndexes(awards, { size: 64 })).toThrow(/40 awards do not fit a status list of 64 entries/);
  });

  it('keeps indexes already published, and nobody else takes them', () => {
    const natural = assignStatusListIndexes(awards);
    const taken = natural.get(awards[0]!.key)!;
    const fixed = new Map([[awards[5]!.key, taken]]);
    const indexes = assignStatusListIndexes(awards, { fixed });
    expect(indexes.get(awards[5]!.key)).toBe(taken);
    expect(indexes.get(awards[0]!.key)).not.toBe(taken);
    expect(new Set(indexes.values()).size).toBe(awards.length);
  });
});

describe('export and revocation from the ledger', () => {
  const NOW = () => new Date('2026-06-10T00:00:00Z');

  it('exports every held award, signed and valid, and a status list with every revoked credential set', async () => {
    const { ledger } = await seededLedger(['issued', 'revoked', 'issued', 'planned', 'replaced', 'failed']);
    // Re-certified once: badge-old was replaced by badge-4.
    await ledger.writeAward((await allAwards(ledger))[4]!.key, { previousBadgeIds: ['badge-old'] }, { any: true });
    const key = await testKey();
    const result = await exportAchievementCredentials({ ledger, key, issuer: ISSUER_CONFIG, now: NOW });
    const awards = await allAwards(ledger);
    const [issued0, revoked1, issued2, , replaced4] = awards;
    expect(result.credentials.map((entry) => entry.awardKey).sort()).toEqual([issued0!.key, issued2!.key, replaced4!.key].sort());
    expect(result.revokedCount).toBe(2);
    expect(result.skipped).toEqual([]);
    const statusList = result.statusList!;
    expect(statusList).toMatchObject({
      id: ISSUER_CONFIG.statusListUrl,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: key.controller,
      validFrom: '2026-06-10T00:00:00Z',
      credentialSubject: { type: 'BitstringStatusList', statusPurpose: 'revocation' },
    });
    const indexes = assignStatusListIndexes(credentialSlots(awards));
    expect(indexes.size).toBe(7);
    const bits = decodeBitstring(statusList.credentialSubject.encodedList);
    const set = [...indexes].filter(([, index]) => bitIsSet(bits, index)).map(([credentialKey]) => credentialKey);
    // The revoked award's badge and the replaced award's first badge; its replacement stays valid.
    expect(set.sort()).toEqual([revoked1!.key, replaced4!.key].sort());
    const replacement = result.credentials.find((entry) => entry.awardKey === replaced4!.key)!.credential;
    expect(replacement.id).toBe(credentialIdFor('https://badges.example.edu', `${replaced4!.key}#1`));
    expect(replacement.credentialStatus!.statusListIndex).toBe(String(indexes.get(`${replaced4!.key}#1`)));

    for (const { credential, fileName } of result.credentials) {
      expect(schemaErrors(credential)).toEqual([]);
      expect(credential.id.endsWith(fileName.replace(/\.json$/, ''))).toBe(true);
      expect(await verifyCredential(credential, { now: NOW, statusLists: [statusList] })).toEqual({ verified: true, status: 'active' });
    }
    expect((await verifyCredential(statusList, { now: NOW })).verified).toBe(true);
  });

  it('a replacement revokes the credential of the earlier badge', async () => {
    const { ledger } = await seededLedger(['issued']);
    const key = await testKey();
    const [award] = await allAwards(ledger);
    const before = await exportAchievementCredentials({ ledger, key, issuer: ISSUER_CONFIG, now: NOW });
    await ledger.writeAward(award!.key, { state: 'replaced', badgeId: 'badge-new', previousBadgeIds: [award!.badgeId!] }, { any: true });
    const after = await exportAchievementCredentials({ ledger, key, issuer: ISSUER_CONFIG, now: NOW });
    expect(after.credentials[0]!.credential.id).not.toBe(before.credentials[0]!.credential.id);
    expect((await verifyCredential(before.credentials[0]!.credential, { now: NOW, statusLists: [after.statusList!] })).status).toBe('revoked');
    expect(await verifyCredential(after.credentials[0]!.credential, { now: NOW, statusLists: [after.statusList!] })).toEqual({ verified: true, status: 'active' });
  });

  it('a credential exported while issued fails verification once the award is revoked and the list re-exported', async () => {
    const { ledger } = await seededLedger(['issued', 'issued']);
    const key = await testKey();
    const before = await exportAchievementCredentials({ ledger, key, issuer: ISSUER_CONFIG, now: NOW });
    const [first] = await allAwards(ledger);
    const held = before.credentials.find((entry) => entry.awardKey === first!.key)!.credential;

    await ledger.writeAward(first!.key, { state: 'revoked', revocationReason: 'issued in error' }, { any: true });
    const after = await exportAchievementCredentials({ ledger, key, issuer: ISSUER_CONFIG, now: NOW });
    expect(after.credentials).toHaveLength(1);
    expect(await verifyCredential(held, { now: NOW, statusLists: [after.statusList!] })).toMatchObject({
      verified: false,
      status: 'revoked',
      reason: expect.stringMatching(/^revoked \(status list https:\/\/badges\.example\.edu\/status\/revocation, index \d+\)$/),
    });
    // Against the old list it was still valid; a status list from another key is refused.
    expect((await verifyCredential(held, { now: NOW, statusLists: [before.statusList!] })).status).toBe('active');
    const forged = { ...after.statusList!, credentialSubject: { ...after.statusList!.credentialSubject, encodedList: encodeBitstring([]) } } as StatusListCredential;
    expect(await verifyCredential(held, { now: NOW, statusLists: [forged] })).toMatchObject({ verified: false, reason: expect.stringContaining('is not valid for this issuer') });
  });

  it('skips what it cannot export and says why; without a statusListUrl there is no status at all', async () => {
    const { ledger, microcredential } = await seededLedger(['issued', 'issued']);
    const [first] = await allAwards(ledger);
    await ledger.writeAward(first!.key, { snapshot: null }, { any: true });
    await ledger.planAward({ key: 'other|x@example.edu', microcredentialId: 'other', templateId: 't2', email: 'x@example.edu', earnerId: 'x@example.edu', state: 'issued' });
    const { statusListUrl: _s, ...noStatus } = ISSUER_CONFIG;
    const result = await exportAchievementCredentials({ ledger, key: await testKey(), issuer: noStatus, now: NOW });
    expect(result.credentials).toHaveLength(1);
    expect(result.credentials[0]!.credential).not.toHaveProperty('credentialStatus');
    expect(result.statusList).toBeUndefined();
    expect(result.skipped).toEqual([
      { awardKey: first!.key, reason: expect.stringContaining('has no snapshot') },
      { awardKey: 'other|x@example.edu', reason: 'the ledger has no microcredential snapshot for "other" (run sync-templates)' },
    ].sort((a, b) => (a.awardKey < b.awardKey ? -1 : 1)));
    expect(microcredential.id).not.toBe('other');
  });

  it('writes one file per credential plus the status list, and a later export keeps the published indexes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ob3-export-'));
    try {
      const { ledger } = await seededLedger(['issued', 'issued', 'revoked']);
      const key = await testKey();
      const result = await exportAchievementCredentials({ ledger, key, issuer: ISSUER_CONFIG, now: NOW });
      await writeOb3Export(result, dir);
      expect((await readdir(dir)).sort()).toEqual([...result.credentials.map((entry) => entry.fileName), STATUS_LIST_FILE].sort());
      const written = JSON.parse(await readFile(join(dir, result.credentials[0]!.fileName), 'utf8'));
      expect(await verifyCredential(written, { now: NOW })).toMatchObject({ verified: true });

      const published = await readPublishedIndexes(dir, 'https://badges.example.edu', await allAwards(ledger));
      expect(published.size).toBe(2);
      for (const entry of result.credentials) expect(String(published.get(entry.awardKey))).toBe(entry.credential.credentialStatus!.statusListIndex);
      const again = await exportAchievementCredentials({ ledger, key, issuer: ISSUER_CONFIG, now: NOW, publishedIndexes: published });
      expect(again.credentials.map((entry) => entry.credential)).toEqual(result.credentials.map((entry) => entry.credential));

      // Revoked later: its credential is no longer written, and the old file stays until removed.
      const revokedKey = result.credentials[0]!.awardKey;
      await ledger.writeAward(revokedKey, { state: 'revoked' }, { any: true });
      const afterRevoke = await exportAchievementCredentials({ ledger, key, issuer: ISSUER_CONFIG, now: NOW, publishedIndexes: published });
      await writeOb3Export(afterRevoke, dir);
      expect(afterRevoke.credentials.map((entry) => entry.awardKey)).not.toContain(revokedKey);
      expect(await readdir(dir)).toContain(result.credentials[0]!.fileName);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
