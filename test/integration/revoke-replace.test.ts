import { afterEach, describe, expect, it } from 'vitest';
import { CredlyValidationError, issueBadges, replaceAward, revokeAward, type CredlyClient } from '../../src/index.js';
import { csvRows, issuanceSetup, sqlRosterCsv } from '../helpers/issuance.js';

let ctx: Awaited<ReturnType<typeof issuanceSetup>>;
afterEach(async () => ctx?.close());

describe('revoke and replace', () => {
  it('revokes by key with a reason, records it, and a re-run does not issue it again', async () => {
    ctx = await issuanceSetup();
    await issueBadges(csvRows(sqlRosterCsv(3)), ctx.base);
    const key = 'coding-in-sql|B00000002';
    const revoked = await revokeAward({ client: ctx.client, ledger: ctx.ledger }, { key }, 'Academic integrity finding');
    expect(revoked).toMatchObject({ state: 'revoked', revocationReason: 'Academic integrity finding' });
    expect(ctx.fake.badgesFor(ctx.templateId, 'learner2@example.edu')[0]).toMatchObject({ state: 'revoked', revocation_reason: 'Academic integrity finding' });
    const again = await issueBadges(csvRows(sqlRosterCsv(3)), ctx.base);
    expect(again.awards.find((a) => a.key === key)).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/revoked \(Academic integrity finding\); use replace/) });
    await expect(revokeAward({ client: ctx.client, ledger: ctx.ledger }, { key }, 'again')).rejects.toThrow(/is revoked, not issued/);
  });

  it('records nothing when the replacement comes back without a badge id (validateResponses warn or off)', async () => {
    ctx = await issuanceSetup();
    await issueBadges(csvRows(sqlRosterCsv(1)), ctx.base);
    const old = (await ctx.ledger.getAward('coding-in-sql|B00000001'))!;
    // A client whose replace answers as an unchecked body without an id would come back.
    const client = { badges: { replace: async () => ({ state: 'pending', issued_at: '2029-04-01T12:00:00Z', unknownFields: {} }) } } as unknown as CredlyClient;
    const error = (await replaceAward({ client, ledger: ctx.ledger }, { badgeId: old.badgeId! }).catch((e: unknown) => e)) as CredlyValidationError;
    expect(error).toBeInstanceOf(CredlyValidationError);
    expect(error.message).toMatch(/without the new badge id: the badge may have been replaced; check it in Credly before replacing it again/);
    // Before: the award was recorded replaced, with no badge id.
    expect(await ctx.ledger.getAward(old.key)).toMatchObject({ state: 'issued', badgeId: old.badgeId });
  });

  it('replaces by badge id for re-certification, keeping the award and its history', async () => {
    ctx = await issuanceSetup();
    await issueBadges(csvRows(sqlRosterCsv(1)), ctx.base);
    const old = (await ctx.ledger.getAward('coding-in-sql|B00000001'))!;
    const replaced = await replaceAward({ client: ctx.client, ledger: ctx.ledger, now: () => new Date('2029-04-01T12:00:00Z') }, { badgeId: old.badgeId! }, { expires_at: '2032-04-01T12:00:00Z' });
    expect(replaced).toMatchObject({ state: 'replaced', previousBadgeIds: [old.badgeId] });
    expect(replaced.badgeId).not.toBe(old.badgeId);
    // The award's snapshot follows the new badge: exports carry the replacement's dates.
    expect(old.snapshot?.issuedAt).toBe('2026-04-02T10:00:00-04:00');
    expect(replaced.snapshot).toMatchObject({ issuedAt: '2029-04-01T12:00:00.000Z', expiresAt: '2032-04-01T12:00:00.000Z', learner: old.snapshot!.learner });
    const badges = ctx.fake.badgesFor(ctx.templateId, 'learner1@example.edu');
    expect(badges.map((b) => [b.replaces_badge_id, b.replacement_badge_id])).toEqual([
      [null, replaced.badgeId],
      [old.badgeId, null],
    ]);
    expect(ctx.fake.duplicateCount()).toBe(0);
    const rerun = await issueBadges(csvRows(sqlRosterCsv(1)), ctx.base);
    expect(rerun.totals['already-issued']).toBe(1);
  });

  it('refuses an award that is not in the ledger', async () => {
    ctx = await issuanceSetup();
    await expect(revokeAward({ client: ctx.client, ledger: ctx.ledger }, { key: 'nope' }, 'x')).rejects.toThrow(/no award nope in the ledger/);
  });
});
