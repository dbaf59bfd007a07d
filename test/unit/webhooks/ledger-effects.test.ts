import { describe, expect, it } from 'vitest';
import type { CredlyEvent } from '../../../src/credly/schemas/event.js';
import { MemoryLedger } from '../../../src/ledger/memory.js';
import { typedEvent } from '../../../src/webhooks/events.js';
import { applyToLedger, awardAwaitingBadge } from '../../../src/webhooks/ledger-effects.js';
import { award } from '../../contract/ledger-contract.js';

// Events come in any order and are processed concurrently: each embeds the badge as it was when it
// happened, so an older one must not undo a newer one.
const now = () => new Date('2026-11-29T12:00:00.000Z');

async function issuedAward(): Promise<{ ledger: MemoryLedger; key: string }> {
  const ledger = new MemoryLedger();
  const { record } = await ledger.planAward(award(1));
  await ledger.writeAward(record.key, { state: 'issued', badgeId: 'badge-1', issuedAt: '2026-11-01T10:00:00.000Z' }, { version: record.version });
  return { ledger, key: record.key };
}

function badgeEvent(id: string, type: 'badge.created' | 'badge.state.changed', state: string, stateUpdatedAt: string | null) {
  return typedEvent({
    id,
    event_type: type,
    organization_id: 'org',
    occurred_at: stateUpdatedAt ?? '2026-11-01T10:00:00.000Z',
    badge: { id: 'badge-1', state, state_updated_at: stateUpdatedAt, revocation_reason: state === 'revoked' ? 'Issued to the wrong learner' : null },
  } as unknown as CredlyEvent);
}

describe('applyToLedger: events out of order', () => {
  it('an event of a badge no award holds yet (the issue job has not recorded it) changes nothing; the award stays without a Credly state', async () => {
    const ledger = new MemoryLedger();
    const { record } = await ledger.planAward(award(1));
    expect(await applyToLedger(ledger, badgeEvent('e1', 'badge.state.changed', 'accepted', '2026-11-02T10:00:00.000Z'), now)).toBeNull();
    expect(await ledger.getAward(record.key)).toMatchObject({ state: 'planned', badgeId: null, credly: null, version: record.version });
  });

  it('a badge.created (pending) processed after the badge was revoked leaves it revoked', async () => {
    const { ledger, key } = await issuedAward();
    await applyToLedger(ledger, badgeEvent('e2', 'badge.state.changed', 'revoked', '2026-11-02T10:00:00.000Z'), now);
    expect(await applyToLedger(ledger, badgeEvent('e1', 'badge.created', 'pending', '2026-11-01T10:00:00.000Z'), now)).toBeNull();
    expect(await ledger.getAward(key)).toMatchObject({ state: 'revoked', credly: { state: 'revoked' } });
  });

  it('pending never replaces a later state, even with no date to compare', async () => {
    const { ledger, key } = await issuedAward();
    await applyToLedger(ledger, badgeEvent('e2', 'badge.state.changed', 'accepted', null), now);
    expect(await applyToLedger(ledger, badgeEvent('e1', 'badge.created', 'pending', null), now)).toBeNull();
    expect((await ledger.getAward(key))?.credly?.state).toBe('accepted');
  });

  it('nothing replaces revoked; accepted and rejected follow each other as they come', async () => {
    const { ledger, key } = await issuedAward();
    await applyToLedger(ledger, badgeEvent('e2', 'badge.state.changed', 'rejected', '2026-11-02T10:00:00.000Z'), now);
    expect(await applyToLedger(ledger, badgeEvent('e3', 'badge.state.changed', 'accepted', '2026-11-03T10:00:00.000Z'), now)).toMatch(/badge accepted/);
    await applyToLedger(ledger, badgeEvent('e4', 'badge.state.changed', 'revoked', '2026-11-04T10:00:00.000Z'), now);
    expect(await applyToLedger(ledger, badgeEvent('e3', 'badge.state.changed', 'accepted', '2026-11-03T10:00:00.000Z'), now)).toBeNull();
    expect(await ledger.getAward(key)).toMatchObject({ state: 'revoked', credly: { state: 'revoked' } });
  });

  it('an award written between its read and the event\'s write (another event, a worker) gets the event applied again, not lost', async () => {
    const { ledger, key } = await issuedAward();
    const write = ledger.writeAward.bind(ledger);
    let interfered = false;
    ledger.writeAward = async (k, patch, guard) => {
      if (!interfered && 'version' in guard) {
        interfered = true;
        // Another receiver's event of the same badge lands first.
        const current = (await ledger.getAward(k))!;
        await write(k, { credly: { state: 'accepted', changedAt: '2026-11-02T10:00:00.000Z', seenAt: '2026-11-02T10:00:01.000Z' } }, { version: current.version });
      }
      return write(k, patch, guard);
    };
    expect(await applyToLedger(ledger, badgeEvent('e3', 'badge.state.changed', 'revoked', '2026-11-03T10:00:00.000Z'), now)).toMatch(/badge revoked/);
    expect(interfered).toBe(true);
    expect(await ledger.getAward(key)).toMatchObject({ state: 'revoked', credly: { state: 'revoked' } });
  });
});

describe('awardAwaitingBadge: what it costs each badge event', () => {
  it('looks the badge id up (a read of every award on the file ledger) only when an award is being issued to the learner with the template', async () => {
    const { ledger } = await issuedAward();
    const queries: unknown[] = [];
    const query = ledger.queryAwards.bind(ledger);
    ledger.queryAwards = (q) => {
      queries.push(q);
      return query(q);
    };
    const event = (badgeId: string) =>
      typedEvent({
        id: `created-${badgeId}`,
        event_type: 'badge.created',
        organization_id: 'org',
        occurred_at: '2026-11-01T10:00:00.000Z',
        badge: { id: badgeId, state: 'pending', recipient_email: 'learner2@example.edu', issuer_earner_id: 'E00002', badge_template: { id: 'tpl-even' } },
      } as unknown as CredlyEvent);
    // Nothing is being issued: the awards being issued to the learner are read (by index), not every award.
    expect(await awardAwaitingBadge(ledger, event('badge-2'))).toBeNull();
    expect(queries.filter((q) => (q as { badgeId?: string }).badgeId !== undefined)).toEqual([]);
    // Learner 2's award is issuing: the badge id is looked up, and it waits for it.
    const { record } = await ledger.planAward(award(2));
    const claim = (await ledger.claimAward(record.key, { owner: 'job', leaseMs: 60_000 }))!;
    await ledger.writeAward(record.key, { state: 'issuing' }, { claim });
    expect(await awardAwaitingBadge(ledger, event('badge-2'))).toBe(record.key);
    expect(queries.filter((q) => (q as { badgeId?: string }).badgeId !== undefined)).toEqual([{ badgeId: 'badge-2', limit: 1 }]);
    // A badge an award holds already does not wait (whoever it names).
    expect(await awardAwaitingBadge(ledger, event('badge-1'))).toBeNull();
  });
});
