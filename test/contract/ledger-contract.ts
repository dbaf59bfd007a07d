import { describe, expect, it } from 'vitest';
import type { AwardPatch, AwardRecord, Claim, Ledger, NewAward, TemplateRecord } from '../../src/ledger/contract.js';
import { claimBatch, findAwards, planAndClaim, planAwards } from '../../src/ledger/batch.js';
import { LeaseLostError, VersionConflictError } from '../../src/ledger/errors.js';
import { TestClock } from '../helpers/clock.js';

/**
 * The ledger contract suite: every backend runs it (memory, file, PostgreSQL). A backend passes
 * the same behaviour, or it is not a ledger.
 */
export interface LedgerHarness {
  /** Opens the backend's ledger (the same one each time, until `reset`), judged by `clock`. */
  open(clock: TestClock): Promise<Ledger>;
  /** Starts from an empty ledger (called before each test). */
  reset(): Promise<void>;
  /** Whether records survive close and reopen. */
  readonly durable: boolean;
  /** Whether two handles may be open at once (workers sharing one job). */
  readonly shared: boolean;
  /** Abandons a handle as a killed process would (no close): its leases are not released. */
  crash?(ledger: Ledger): Promise<void>;
  /** How long after a crash the next open can take the ledger over. */
  readonly takeoverAfterMs?: number;
  /** Leaves a torn half record at the end, as a crash in the middle of a write does. */
  tearTail?(): Promise<void>;
}

const LEASE = 10_000;

export function award(n: number, overrides: Partial<NewAward> = {}): NewAward {
  return {
    key: `mc-${n % 2 === 0 ? 'even' : 'odd'}|E${String(n).padStart(5, '0')}`,
    microcredentialId: `mc-${n % 2 === 0 ? 'even' : 'odd'}`,
    templateId: `tpl-${n % 2 === 0 ? 'even' : 'odd'}`,
    email: `Learner${n}@Example.edu`,
    earnerId: `E${String(n).padStart(5, '0')}`,
    row: n + 1,
    snapshot: {
      learner: { email: `Learner${n}@Example.edu`, firstName: `First${n}`, lastName: `Last${n}` } as never,
      evidence: [],
      issuedAt: '2026-08-01T10:00:00-04:00',
      expiresAt: null,
    },
    ...overrides,
  };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

const template = (id: string, updatedAt: string): TemplateRecord => ({
  microcredentialId: id,
  templateId: `tpl-${id}`,
  fingerprint: 'f1',
  state: 'active',
  allowDuplicates: false,
  updatedAt,
});

export function describeLedgerContract(name: string, harness: LedgerHarness, options: { skip?: string } = {}): void {
  const suite = options.skip ? describe.skip : describe;
  suite(`ledger contract: ${name}${options.skip ? ` (skipped: ${options.skip})` : ''}`, () => {
    let clock: TestClock;
    const fresh = async () => {
      await harness.reset();
      clock = new TestClock();
      return harness.open(clock);
    };

    it('plans an award once: loading the same roster twice is harmless', async () => {
      const ledger = await fresh();
      const first = await ledger.planAward(award(1));
      const second = await ledger.planAward({ ...award(1), email: 'other@example.edu' });
      expect(first.created).toBe(true);
      expect(second.created).toBe(false);
      expect(second.record.email).toBe('Learner1@Example.edu');
      expect(first.record).toMatchObject({ state: 'planned', version: 1, fence: 0, lease: null, attempts: 0, badgeId: null });
      expect((await ledger.getAward(award(1).key))?.snapshot?.learner.email).toBe('Learner1@Example.edu');
      expect(await ledger.getAward('nope|nobody')).toBeUndefined();
      await ledger.close();
    });

    it('claims: one live holder at a time, the fence grows, an expired lease is taken over', async () => {
      const ledger = await fresh();
      const key = award(2).key;
      await ledger.planAward(award(2));
      const a = await ledger.claimAward(key, { owner: 'worker-a', leaseMs: LEASE });
      expect(a).toMatchObject({ key, owner: 'worker-a', fence: 1, takenOver: false });
      expect(await ledger.claimAward(key, { owner: 'worker-b', leaseMs: LEASE })).toBeNull();
      await ledger.writeAward(key, { state: 'issuing', attempts: 1 }, { claim: a! });
      clock.advance(LEASE + 1);
      const b = await ledger.claimAward(key, { owner: 'worker-b', leaseMs: LEASE });
      expect(b).toMatchObject({ owner: 'worker-b', fence: 2, takenOver: true });
      expect(b!.record.state).toBe('issuing');
      await ledger.close();
    });

    it('fencing: a worker whose lease was taken over cannot overwrite the new owner', async () => {
      const ledger = await fresh();
      const key = award(3).key;
      await ledger.planAward(award(3));
      const a = (await ledger.claimAward(key, { owner: 'worker-a', leaseMs: LEASE }))!;
      await ledger.writeAward(key, { state: 'issuing', attempts: 1 }, { claim: a });
      clock.advance(LEASE + 1);
      // worker-a is paused past its lease: even before anyone takes over, it may not write.
      await expect(ledger.writeAward(key, { state: 'issued', badgeId: 'badge-a' }, { claim: a })).rejects.toBeInstanceOf(LeaseLostError);
      const b = (await ledger.claimAward(key, { owner: 'worker-b', leaseMs: LEASE }))!;
      await ledger.writeAward(key, { state: 'issued', badgeId: 'badge-b', issuedAt: clock.now().toISOString() }, { claim: b });
      const late = ledger.writeAward(key, { state: 'failed', lastError: 'late' }, { claim: a });
      await expect(late).rejects.toBeInstanceOf(LeaseLostError);
      await expect(late).rejects.toMatchObject({ code: 'LEDGER_LEASE_LOST' });
      const final = (await ledger.getAward(key))!;
      expect(final).toMatchObject({ state: 'issued', badgeId: 'badge-b', lease: null });
      await ledger.close();
    });

    it('a holder can release its lease and leave the award issuing: the next claim takes it over', async () => {
      const ledger = await fresh();
      await ledger.planAward(award(7));
      const claim = (await ledger.claimAward(award(7).key, { owner: 'a', leaseMs: LEASE }))!;
      await ledger.writeAward(award(7).key, { state: 'issuing', attempts: 1 }, { claim });
      const left = await ledger.writeAward(award(7).key, { lastError: 'look-up failed' }, { claim, release: true });
      expect(left).toMatchObject({ state: 'issuing', lease: null });
      const next = await ledger.claimAward(award(7).key, { owner: 'b', leaseMs: LEASE });
      expect(next).toMatchObject({ takenOver: true, fence: 2 });
      await ledger.close();
    });

    it('settled awards cannot be claimed; failed ones can', async () => {
      const ledger = await fresh();
      await ledger.planAward(award(4));
      await ledger.planAward(award(5));
      const c4 = (await ledger.claimAward(award(4).key, { owner: 'w', leaseMs: LEASE }))!;
      await ledger.writeAward(award(4).key, { state: 'issued', badgeId: 'b4' }, { claim: c4 });
      const c5 = (await ledger.claimAward(award(5).key, { owner: 'w', leaseMs: LEASE }))!;
      await ledger.writeAward(award(5).key, { state: 'failed', lastError: 'refused' }, { claim: c5 });
      expect(await ledger.claimAward(award(4).key, { owner: 'x', leaseMs: LEASE })).toBeNull();
      const again = await ledger.claimAward(award(5).key, { owner: 'x', leaseMs: LEASE });
      expect(again).toMatchObject({ fence: 2, takenOver: false });
      await ledger.close();
    });

    it('renewal keeps a lease alive; a lost lease is reported', async () => {
      const ledger = await fresh();
      await ledger.planAward(award(6));
      await ledger.planAward(award(8));
      const c6 = (await ledger.claimAward(award(6).key, { owner: 'a', leaseMs: LEASE }))!;
      const c8 = (await ledger.claimAward(award(8).key, { owner: 'a', leaseMs: LEASE }))!;
      await ledger.writeAward(award(8).key, { state: 'issuing' }, { claim: c8 });
      clock.advance(LEASE - 1000);
      const before = (await ledger.getAward(award(6).key))!;
      expect(await ledger.renewClaims([c6], LEASE)).toEqual([]);
      // A renewal moves only the lease's end: no new version (the receiver's and reconcile's
      // conditional writes do not conflict with renewals every few seconds), the fence kept.
      const renewed = (await ledger.getAward(award(6).key))!;
      expect(renewed).toMatchObject({ version: before.version, fence: before.fence, lease: { owner: 'a', until: new Date(clock.now().getTime() + LEASE).toISOString() } });
      clock.advance(2000);
      // c6 was renewed and lives; c8 expired and is taken over.
      expect(await ledger.claimAward(award(6).key, { owner: 'b', leaseMs: LEASE })).toBeNull();
      const taken = await ledger.claimAward(award(8).key, { owner: 'b', leaseMs: LEASE });
      expect(taken?.takenOver).toBe(true);
      expect(await ledger.renewClaims([c6, c8], LEASE)).toEqual([award(8).key]);
      await ledger.writeAward(award(6).key, { state: 'issued', badgeId: 'b6' }, { claim: c6 });
      await ledger.close();
    });

    it('claimNext hands out expired issuing awards first, then planned, never settled ones', async () => {
      const ledger = await fresh();
      for (const n of [10, 11, 12]) await ledger.planAward(award(n));
      const stuck = (await ledger.claimAward(award(12).key, { owner: 'dead', leaseMs: LEASE }))!;
      await ledger.writeAward(award(12).key, { state: 'issuing', attempts: 1 }, { claim: stuck });
      const c11 = (await ledger.claimAward(award(11).key, { owner: 'w', leaseMs: LEASE }))!;
      await ledger.writeAward(award(11).key, { state: 'issued', badgeId: 'b11' }, { claim: c11 });
      clock.advance(LEASE + 1);
      const first = await ledger.claimNext({ owner: 'w2', leaseMs: LEASE });
      expect(first).toMatchObject({ key: award(12).key, takenOver: true });
      const second = await ledger.claimNext({ owner: 'w2', leaseMs: LEASE });
      expect(second).toMatchObject({ key: award(10).key, takenOver: false });
      expect(await ledger.claimNext({ owner: 'w2', leaseMs: LEASE })).toBeNull();
      expect(await ledger.claimNext({ owner: 'w3', leaseMs: LEASE, microcredentialId: 'mc-odd' })).toBeNull();
      // Excluded keys are passed over.
      await ledger.planAward(award(16));
      expect(await ledger.claimNext({ owner: 'w4', leaseMs: LEASE, exclude: new Set([award(16).key]) })).toBeNull();
      expect(await ledger.claimNext({ owner: 'w4', leaseMs: LEASE })).toMatchObject({ key: award(16).key });
      await ledger.close();
    });

    it('plans a batch: new awards are created, known ones found as they are, a key given twice planned once', async () => {
      const ledger = await fresh();
      await ledger.planAward(award(20));
      const claim = (await ledger.claimAward(award(20).key, { owner: 'w', leaseMs: LEASE }))!;
      await ledger.writeAward(award(20).key, { state: 'issued', badgeId: 'b20' }, { claim });
      const results = await planAwards(ledger, [award(21), award(20), award(22), { ...award(21), email: 'other@example.edu' }]);
      expect(results.map((r) => r.created)).toEqual([true, false, true, false]);
      expect(results[1]).toMatchObject({ created: false, existing: { key: award(20).key, state: 'issued', badgeId: 'b20' } });
      expect(results[3]).toMatchObject({ created: false, existing: { key: award(21).key, email: 'Learner21@Example.edu', state: 'planned', version: 1, attempts: 0, hasRequest: false } });
      // What planning decides by, not the request or snapshot a worker would read back for nothing.
      expect(Object.keys((results[1] as { existing: object }).existing).sort()).toEqual(['attempts', 'badgeId', 'email', 'hasRequest', 'key', 'state', 'updatedAt', 'version']);
      await ledger.planAward({ ...award(23), request: { badge_template_id: 'tpl-odd' } as never });
      expect(await planAwards(ledger, [award(23)])).toMatchObject([{ created: false, existing: { key: award(23).key, hasRequest: true } }]);
      expect(await ledger.getAward(award(22).key)).toMatchObject({ state: 'planned', version: 1, fence: 0, row: 23, snapshot: { learner: { firstName: 'First22' } } });
      expect(await planAwards(ledger, [])).toEqual([]);
      await ledger.close();
    });

    it('plans a new award already claimed, its intent recorded when asked; a known one comes back unclaimed', async () => {
      const ledger = await fresh();
      const request = { badge_template_id: 'tpl-even' } as never;
      const made = await planAndClaim(ledger, { ...award(40), request }, { owner: 'w1', leaseMs: LEASE, intent: true });
      expect(made.created).toBe(true);
      const claim = (made as { claim: Claim }).claim;
      expect(claim).toMatchObject({ key: award(40).key, owner: 'w1', fence: 1, takenOver: false, intent: true, record: { state: 'issuing', attempts: 1, lastError: null } });
      expect(await ledger.getAward(award(40).key)).toMatchObject({ state: 'issuing', attempts: 1, fence: 1, lease: { owner: 'w1' }, request });
      // The holder may write under it at once (its outcome), as under any claim.
      await ledger.writeAward(award(40).key, { state: 'issued', badgeId: 'b40' }, { claim });
      expect(await planAndClaim(ledger, { ...award(40), request }, { owner: 'w2', leaseMs: LEASE, intent: true })).toMatchObject({ created: false, record: { state: 'issued', badgeId: 'b40' } });
      // Without an intent (or without a request), claimed and still planned.
      const plain = await planAndClaim(ledger, award(41), { owner: 'w1', leaseMs: LEASE, intent: true });
      expect(plain).toMatchObject({ created: true, claim: { fence: 1, record: { state: 'planned', attempts: 0 } } });
      expect((plain as { claim: Claim }).claim.intent).toBeUndefined();
      expect(await ledger.claimAward(award(41).key, { owner: 'w2', leaseMs: LEASE })).toBeNull();
      await ledger.close();
    });

    it('finds awards by key: the state of those it holds, null for the others, in the order given', async () => {
      const ledger = await fresh();
      await ledger.planAward({ ...award(30), request: { badge_template_id: 'tpl-even' } as never });
      await ledger.planAward(award(31));
      const claim = (await ledger.claimAward(award(30).key, { owner: 'w', leaseMs: LEASE }))!;
      await ledger.writeAward(award(30).key, { state: 'issued', badgeId: 'b30' }, { claim });
      const found = await findAwards(ledger, [award(32).key, award(31).key, award(30).key]);
      expect(found[0]).toBeNull();
      expect(found[1]).toMatchObject({ key: award(31).key, state: 'planned', hasRequest: false, attempts: 0 });
      expect(found[2]).toMatchObject({ key: award(30).key, state: 'issued', badgeId: 'b30', hasRequest: true });
      expect(Object.keys(found[2]!).sort()).toEqual(['attempts', 'badgeId', 'email', 'hasRequest', 'key', 'state', 'updatedAt', 'version']);
      expect(await findAwards(ledger, [])).toEqual([]);
      await ledger.close();
    });

    it('claims a batch in claimNext’s order; an intent, when recorded, makes the award issuing with its attempt counted', async () => {
      const ledger = await fresh();
      for (const n of [23, 24, 25, 26, 27]) await ledger.planAward({ ...award(n), request: { badge_template_id: `tpl-${n}` } as never });
      const stuck = (await ledger.claimAward(award(26).key, { owner: 'dead', leaseMs: LEASE }))!;
      await ledger.writeAward(award(26).key, { state: 'issuing', attempts: 1 }, { claim: stuck });
      const done = (await ledger.claimAward(award(24).key, { owner: 'w', leaseMs: LEASE }))!;
      await ledger.writeAward(award(24).key, { state: 'failed', lastError: 'refused' }, { claim: done });
      clock.advance(LEASE + 1);
      const claims = await claimBatch(ledger, { owner: 'w2', leaseMs: LEASE, limit: 3, intent: true, exclude: new Set([award(27).key]) });
      // The award left issuing first (taken over, no intent: it is looked up), then planned ones in load order; never the failed one.
      expect(claims.map((c) => [c.key, c.takenOver])).toEqual([
        [award(26).key, true],
        [award(23).key, false],
        [award(25).key, false],
      ]);
      expect(claims[0]!.intent).toBeUndefined();
      for (const claim of claims.slice(1)) {
        const stored = (await ledger.getAward(claim.key))!;
        if (claim.intent) expect([claim.record.state, claim.record.attempts, stored.state, stored.attempts, stored.lastError]).toEqual(['issuing', 1, 'issuing', 1, null]);
        else expect([claim.record.state, stored.state, stored.attempts]).toEqual(['planned', 'planned', 0]);
        expect(stored.lease).toMatchObject({ owner: 'w2' });
        expect(stored.fence).toBe(claim.fence);
      }
      // Everything claimable is held now: nothing more, until the excluded one is asked for.
      expect(await claimBatch(ledger, { owner: 'w3', leaseMs: LEASE, limit: 5, exclude: new Set([award(27).key]) })).toEqual([]);
      expect((await claimBatch(ledger, { owner: 'w3', leaseMs: LEASE, limit: 5 })).map((c) => c.key)).toEqual([award(27).key]);
      // A batch claim fences like any other: the previous holder of the taken-over award writes nothing.
      await expect(ledger.writeAward(award(26).key, { state: 'issued', badgeId: 'late' }, { claim: stuck })).rejects.toBeInstanceOf(LeaseLostError);
      await ledger.writeAward(award(26).key, { state: 'issued', badgeId: 'b26' }, { claim: claims[0]! });
      await ledger.close();
    });

    it('lazy writes under a claim: written once they resolve, refused like any other once the lease is lost', async () => {
      const ledger = await fresh();
      for (const n of [28, 29]) await ledger.planAward(award(n));
      const c28 = (await ledger.claimAward(award(28).key, { owner: 'w', leaseMs: LEASE }))!;
      const c29 = (await ledger.claimAward(award(29).key, { owner: 'w', leaseMs: LEASE }))!;
      await ledger.writeAward(award(29).key, { state: 'issuing', attempts: 1 }, { claim: c29 });
      const written = ledger.writeAward(award(28).key, { state: 'issued', badgeId: 'b28', lastError: null }, { claim: c28, lazy: true });
      clock.advance(LEASE + 1);
      const taken = (await ledger.claimAward(award(29).key, { owner: 'x', leaseMs: LEASE }))!;
      const late = ledger.writeAward(award(29).key, { state: 'issued', badgeId: 'late' }, { claim: c29, lazy: true });
      // The first was queued while its lease lived: it is judged at that instant.
      expect(await written).toMatchObject({ state: 'issued', badgeId: 'b28', lease: null });
      await expect(late).rejects.toBeInstanceOf(LeaseLostError);
      expect(await ledger.getAward(award(28).key)).toMatchObject({ state: 'issued', badgeId: 'b28', lease: null });
      expect(await ledger.getAward(award(29).key)).toMatchObject({ state: 'issuing', badgeId: null, fence: taken.fence, lease: { owner: 'x' } });
      await ledger.close();
    });

    it('conditional writes by version', async () => {
      const ledger = await fresh();
      const { record } = await ledger.planAward(award(13));
      const updated = await ledger.writeAward(record.key, { credly: { state: 'accepted', changedAt: null, seenAt: clock.now().toISOString() } }, { version: record.version });
      expect(updated.version).toBe(record.version + 1);
      await expect(ledger.writeAward(record.key, { lastError: 'stale' }, { version: record.version })).rejects.toBeInstanceOf(VersionConflictError);
      expect((await ledger.getAward(record.key))?.lastError).toBeNull();
      const forced = await ledger.writeAward(record.key, { lastError: 'admin' }, { any: true });
      expect(forced.lastError).toBe('admin');
      await ledger.close();
    });

    it('a write changes only what a patch may change: identity fields slipped in (from JavaScript) are ignored', async () => {
      const ledger = await fresh();
      const { record } = await ledger.planAward(award(14));
      const sneaky = { lastError: 'noted', key: 'someone-else', microcredentialId: 'other-mc', earnerId: 'X999', fence: 99, version: 1000 } as unknown as AwardPatch;
      const written = await ledger.writeAward(record.key, sneaky, { version: record.version });
      const stored = (await ledger.getAward(record.key))!;
      for (const after of [written, stored]) {
        expect(after).toMatchObject({ key: record.key, microcredentialId: record.microcredentialId, earnerId: record.earnerId, fence: record.fence, version: record.version + 1, lastError: 'noted' });
      }
      expect(await ledger.getAward('someone-else')).toBeUndefined();
      await ledger.close();
    });

    it('a version write does not disturb a claim holder, and keeps the lease', async () => {
      const ledger = await fresh();
      await ledger.planAward(award(14));
      const claim = (await ledger.claimAward(award(14).key, { owner: 'w', leaseMs: LEASE }))!;
      const current = (await ledger.getAward(award(14).key))!;
      await ledger.writeAward(award(14).key, { credly: { state: 'pending', changedAt: null, seenAt: clock.now().toISOString() } }, { version: current.version });
      const done = await ledger.writeAward(award(14).key, { state: 'issued', badgeId: 'b14' }, { claim });
      expect(done.credly?.state).toBe('pending');
      expect(done.badgeId).toBe('b14');
      await ledger.close();
    });

    it('queries by state, microcredential, learner, badge, issue date and pending age; counts', async () => {
      const ledger = await fresh();
      for (const n of [20, 21, 22, 23]) await ledger.planAward(award(n));
      const issue = async (n: number, at: string, credlyState?: string) => {
        const claim = (await ledger.claimAward(award(n).key, { owner: 'w', leaseMs: LEASE }))!;
        await ledger.writeAward(
          award(n).key,
          { state: 'issued', badgeId: `b${n}`, issuedAt: at, ...(credlyState ? { credly: { state: credlyState, changedAt: null, seenAt: at } } : {}) },
          { claim },
        );
      };
      await issue(20, '2026-08-01T00:00:00.000Z', 'pending');
      await issue(21, '2026-08-20T00:00:00.000Z', 'accepted');
      await issue(22, '2026-08-25T00:00:00.000Z');
      const keys = (records: AwardRecord[]) => records.map((r) => r.key).sort();
      const sorted = (list: string[]) => [...list].sort();
      expect(keys(await collect(ledger.queryAwards({ state: 'issued' })))).toEqual(sorted([award(20).key, award(21).key, award(22).key]));
      expect(keys(await collect(ledger.queryAwards({ state: ['planned'] })))).toEqual(sorted([award(23).key]));
      expect(keys(await collect(ledger.queryAwards({ microcredentialId: 'mc-odd' })))).toEqual(sorted([award(21).key, award(23).key]));
      expect(keys(await collect(ledger.queryAwards({ learner: 'learner22@example.edu' })))).toEqual(sorted([award(22).key]));
      expect(keys(await collect(ledger.queryAwards({ learner: 'E00023' })))).toEqual(sorted([award(23).key]));
      expect(keys(await collect(ledger.queryAwards({ badgeId: 'b21' })))).toEqual(sorted([award(21).key]));
      expect(keys(await collect(ledger.queryAwards({ issuedSince: new Date('2026-08-15T00:00:00Z') })))).toEqual(sorted([award(21).key, award(22).key]));
      // Pending: issued before the cut-off and not accepted (unknown state counts as pending).
      expect(keys(await collect(ledger.queryAwards({ pendingIssuedBefore: new Date('2026-08-30T00:00:00Z') })))).toEqual(sorted([award(20).key, award(22).key]));
      expect((await collect(ledger.queryAwards({ limit: 2 }))).length).toBe(2);
      expect(await ledger.countAwards()).toMatchObject({ issued: 3, planned: 1, issuing: 0, failed: 0 });
      expect(await ledger.countAwards({ microcredentialId: 'mc-even' })).toMatchObject({ issued: 2, planned: 0 });
      await ledger.close();
    });

    it('records a webhook event exactly once', async () => {
      const ledger = await fresh();
      const event = { eventId: 'ev-1', eventType: 'badge.accepted', organizationId: 'org', occurredAt: null, state: 'received' as const, receivedAt: clock.now().toISOString(), attempts: 0 };
      expect((await ledger.recordEvent(event)).created).toBe(true);
      const again = await ledger.recordEvent({ ...event, eventType: 'changed' });
      expect(again.created).toBe(false);
      expect(again.record.eventType).toBe('badge.accepted');
      await ledger.putEvent({ ...event, state: 'processed', processedAt: clock.now().toISOString(), attempts: 1 });
      expect((await ledger.getEvent('ev-1'))?.state).toBe('processed');
      expect(await collect(ledger.queryEvents({ state: 'received' }))).toEqual([]);
      expect((await collect(ledger.queryEvents())).length).toBe(1);
      await ledger.close();
    });

    it('claims a webhook event for one receiver at a time: the owner renews, another takes it once the lease ends or is let go, none once processed', async () => {
      const ledger = await fresh();
      const until = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();
      expect(await ledger.claimEvent('ev-2', { owner: 'A', leaseMs: LEASE })).toBeUndefined(); // not recorded
      await ledger.recordEvent({ eventId: 'ev-2', eventType: 'badge.state.changed', organizationId: 'org', occurredAt: null, state: 'received', receivedAt: clock.now().toISOString(), attempts: 0 });
      expect((await ledger.getEvent('ev-2'))?.lease ?? null).toBeNull();
      // Ten claims at the same moment (ten receivers, or ten deliveries): one takes it.
      const claims = await Promise.all(Array.from({ length: 10 }, (_, k) => ledger.claimEvent('ev-2', { owner: `R${k}`, leaseMs: LEASE })));
      const taken = claims.filter((c) => c !== undefined);
      expect(taken).toHaveLength(1);
      const owner = taken[0]!.lease!.owner;
      expect(taken[0]).toMatchObject({ state: 'received', attempts: 1, lease: { owner, until: until(LEASE) } });
      expect((await ledger.getEvent('ev-2'))?.lease).toEqual({ owner, until: until(LEASE) });
      // Its owner renews it (no attempt counted); another cannot take it while it lives.
      clock.advance(LEASE / 2);
      expect(await ledger.claimEvent('ev-2', { owner, leaseMs: LEASE })).toMatchObject({ attempts: 1, lease: { owner, until: until(LEASE) } });
      clock.advance(LEASE - 1);
      expect(await ledger.claimEvent('ev-2', { owner: 'B', leaseMs: LEASE })).toBeUndefined();
      // Once it ends (the receiver died or stalled), another takes it: one more attempt.
      clock.advance(2);
      const b = await ledger.claimEvent('ev-2', { owner: 'B', leaseMs: LEASE });
      expect(b).toMatchObject({ attempts: 2, lease: { owner: 'B', until: until(LEASE) } });
      // Let go after a failure: taken at once by the next.
      await ledger.putEvent({ ...b!, lastError: 'onEvent threw', lease: null });
      expect((await ledger.getEvent('ev-2'))?.lease ?? null).toBeNull();
      const c = await ledger.claimEvent('ev-2', { owner: 'C', leaseMs: LEASE });
      expect(c).toMatchObject({ attempts: 3, lastError: 'onEvent threw', lease: { owner: 'C' } });
      // Processed: no one takes it again.
      const { lastError: _lastError, ...done } = c!;
      await ledger.putEvent({ ...done, state: 'processed', processedAt: clock.now().toISOString(), lease: null });
      expect(await ledger.claimEvent('ev-2', { owner: 'C', leaseMs: LEASE })).toBeUndefined();
      expect(await ledger.claimEvent('ev-2', { owner: 'D', leaseMs: LEASE })).toBeUndefined();
      const final = await ledger.getEvent('ev-2');
      expect(final).toMatchObject({ state: 'processed', attempts: 3 });
      expect(final?.lease ?? null).toBeNull();
      expect(final?.lastError).toBeUndefined();
      await ledger.close();
    });

    it('templates, the template lock and runs', async () => {
      const ledger = await fresh();
      await ledger.putTemplate(template('a', clock.now().toISOString()));
      await ledger.putTemplate({ ...template('a', clock.now().toISOString()), fingerprint: 'f2' });
      await ledger.putTemplate(template('b', clock.now().toISOString()));
      expect((await ledger.getTemplate('a'))?.fingerprint).toBe('f2');
      expect((await ledger.listTemplates()).map((t) => t.microcredentialId).sort()).toEqual(['a', 'b']);
      const order: string[] = [];
      await Promise.all(
        ['x', 'y'].map((name) =>
          ledger.withTemplateLock(async () => {
            order.push(`${name}-in`);
            await new Promise((resolve) => setTimeout(resolve, 5));
            order.push(`${name}-out`);
          }),
        ),
      );
      expect(order).toEqual(['x-in', 'x-out', 'y-in', 'y-out']);
      for (const id of ['r1', 'r2', 'r3']) {
        await ledger.putRun({ runId: id, command: 'issue', owner: 'w', startedAt: clock.now().toISOString(), finishedAt: null, totals: {}, failures: [] });
        clock.advance(1000);
      }
      await ledger.putRun({ runId: 'r2', command: 'issue', owner: 'w', startedAt: '2026-09-01T12:00:01.000Z', finishedAt: clock.now().toISOString(), totals: { issued: 2 }, failures: [{ row: 3, reason: 'x' }] });
      const runs = await ledger.listRuns({ limit: 2 });
      expect(runs.map((r) => r.runId)).toEqual(['r3', 'r2']);
      expect(runs[1]).toMatchObject({ totals: { issued: 2 }, failures: [{ row: 3, reason: 'x' }] });
      await ledger.close();
    });

    if (harness.durable) {
      it('reopens with everything that was written', async () => {
        let ledger = await fresh();
        await ledger.planAward(award(30));
        const claim = (await ledger.claimAward(award(30).key, { owner: 'w', leaseMs: LEASE }))!;
        await ledger.writeAward(award(30).key, { state: 'issued', badgeId: 'b30', issuedAt: clock.now().toISOString() }, { claim });
        await ledger.putTemplate(template('t', clock.now().toISOString()));
        await ledger.recordEvent({ eventId: 'ev', eventType: 'x', organizationId: 'o', occurredAt: null, state: 'received', receivedAt: clock.now().toISOString(), attempts: 0 });
        await ledger.close();
        ledger = await harness.open(clock);
        expect(await ledger.getAward(award(30).key)).toMatchObject({ state: 'issued', badgeId: 'b30', version: 3, fence: 1, lease: null });
        expect((await ledger.getTemplate('t'))?.templateId).toBe('tpl-t');
        expect((await ledger.recordEvent({ eventId: 'ev', eventType: 'x', organizationId: 'o', occurredAt: null, state: 'received', receivedAt: '', attempts: 0 })).created).toBe(false);
        await ledger.close();
      });
    }

    if (harness.durable && harness.crash) {
      it('after a crash, an award left issuing is taken over and must be looked up', async () => {
        const ledger = await fresh();
        await ledger.planAward(award(31));
        const claim = (await ledger.claimAward(award(31).key, { owner: ledger.owner, leaseMs: LEASE }))!;
        await ledger.writeAward(award(31).key, { state: 'issuing', attempts: 1 }, { claim });
        await harness.crash!(ledger);
        clock.advance(Math.max(LEASE, harness.takeoverAfterMs ?? 0) + 1);
        const next = await harness.open(clock);
        const taken = await next.claimNext({ owner: next.owner, leaseMs: LEASE });
        expect(taken).toMatchObject({ key: award(31).key, takenOver: true });
        expect(taken!.record.attempts).toBe(1);
        await next.close();
      });
    }

    if (harness.durable && harness.tearTail) {
      it('a torn last record is ignored; everything before it is kept', async () => {
        const ledger = await fresh();
        await ledger.planAward(award(32));
        await ledger.planAward(award(33));
        await ledger.close();
        await harness.tearTail!();
        const next = await harness.open(clock);
        expect((await next.getAward(award(32).key))?.state).toBe('planned');
        expect((await next.getAward(award(33).key))?.state).toBe('planned');
        await next.planAward(award(34));
        await next.close();
        const again = await harness.open(clock);
        expect((await again.getAward(award(34).key))?.state).toBe('planned');
        await again.close();
      });
    }

    if (harness.shared) {
      it('two handles claim one webhook event at the same moment: one receiver takes it', async () => {
        await harness.reset();
        clock = new TestClock();
        const a = await harness.open(clock);
        const b = await harness.open(clock);
        for (let round = 0; round < 5; round += 1) {
          const eventId = `ev-race-${round}`;
          await a.recordEvent({ eventId, eventType: 'badge.created', organizationId: 'org', occurredAt: null, state: 'received', receivedAt: clock.now().toISOString(), attempts: 0 });
          const claims = await Promise.all([a, b, a, b].map((ledger, k) => ledger.claimEvent(eventId, { owner: `R${k}`, leaseMs: LEASE })));
          expect(claims.filter((c) => c !== undefined), eventId).toHaveLength(1);
          expect((await b.getEvent(eventId))?.attempts).toBe(1);
        }
        await a.close();
        await b.close();
      });

      it('two handles share one job: each award goes to one worker', async () => {
        await harness.reset();
        clock = new TestClock();
        const a = await harness.open(clock);
        const b = await harness.open(clock);
        for (let n = 40; n < 60; n += 1) await a.planAward(award(n));
        const seen: string[] = [];
        const drain = async (ledger: Ledger, owner: string) => {
          for (;;) {
            const claim = await ledger.claimNext({ owner, leaseMs: LEASE });
            if (!claim) return;
            seen.push(claim.key);
            await ledger.writeAward(claim.key, { state: 'issued', badgeId: `b-${claim.key}` }, { claim });
          }
        };
        await Promise.all([drain(a, 'A'), drain(b, 'B')]);
        expect(seen.length).toBe(20);
        expect(new Set(seen).size).toBe(20);
        await a.close();
        await b.close();
      });
    }
  });
}
