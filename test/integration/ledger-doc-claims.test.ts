import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../../src/ledger/contract.js';
import { claimBatch } from '../../src/ledger/batch.js';
import { FileLedger } from '../../src/ledger/file.js';
import { MemoryLedger } from '../../src/ledger/memory.js';
import { openLedger } from '../../src/ledger/open.js';
import {
  LeaseLostError,
  LedgerClosedError,
  LedgerCorruptError,
  LedgerError,
  LedgerLockedError,
  LedgerUrlError,
  LedgerWriteError,
  UnknownAwardError,
  VersionConflictError,
} from '../../src/ledger/errors.js';
import { revokeAward } from '../../src/issuance/revoke-replace.js';
import type { CredlyClient } from '../../src/credly/client.js';
import { TestClock } from '../helpers/clock.js';
import { award } from '../contract/ledger-contract.js';

// Claims of docs/ledger.md that the contract suite and the backend tests did not hold to:
// settled states other than `issued`, `putEvent` without a lease, `checkLease`, and the error codes.

const root = mkdtempSync(join(tmpdir(), 'ledger-doc-claims-'));
let n = 0;
const opened: Ledger[] = [];
afterEach(async () => {
  for (const ledger of opened.splice(0)) await ledger.close().catch(() => undefined);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const LEASE = 10_000;
const backends: Array<[string, (clock: TestClock) => Promise<Ledger>]> = [
  ['memory', async (clock) => new MemoryLedger({ now: clock.now })],
  ['file', async (clock) => FileLedger.open(join(root, `ledger-${(n += 1)}.jsonl`), { now: clock.now })],
];

async function codeOf(promise: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe.each(backends)('docs/ledger.md on the %s ledger', (_name, open) => {
  const fresh = async () => {
    const clock = new TestClock();
    const ledger = await open(clock);
    opened.push(ledger);
    return { clock, ledger };
  };

  it('a revoked or replaced award is settled: claimAward gives null, claimNext and claimBatch pass it over', async () => {
    const { ledger } = await fresh();
    for (const [n, state] of [[1, 'revoked'], [2, 'replaced']] as const) {
      await ledger.planAward(award(n));
      const claim = (await ledger.claimAward(award(n).key, { owner: 'w', leaseMs: LEASE }))!;
      await ledger.writeAward(award(n).key, { state: 'issued', badgeId: `b${n}` }, { claim });
      // As revoke and replace write it: unconditionally.
      await ledger.writeAward(award(n).key, { state }, { any: true });
      expect(await ledger.claimAward(award(n).key, { owner: 'x', leaseMs: LEASE })).toBeNull();
    }
    expect(await ledger.claimNext({ owner: 'x', leaseMs: LEASE })).toBeNull();
    expect(await claimBatch(ledger, { owner: 'x', leaseMs: LEASE, limit: 5 })).toEqual([]);
    expect((await ledger.getAward(award(1).key))!.fence).toBe(1);
  });

  it('putEvent writes the event as given: without a lease, the event has none and another receiver takes it at once', async () => {
    const { clock, ledger } = await fresh();
    await ledger.recordEvent({ eventId: 'ev-9', eventType: 'badge.state.changed', organizationId: 'org', occurredAt: null, state: 'received', receivedAt: clock.now().toISOString(), attempts: 0 });
    const a = (await ledger.claimEvent('ev-9', { owner: 'A', leaseMs: LEASE }))!;
    expect(a.lease).toMatchObject({ owner: 'A' });
    const { lease: _lease, ...withoutLease } = a;
    await ledger.putEvent({ ...withoutLease, lastError: 'onEvent threw' });
    expect((await ledger.getEvent('ev-9'))?.lease ?? null).toBeNull();
    expect(await ledger.claimEvent('ev-9', { owner: 'B', leaseMs: LEASE })).toMatchObject({ attempts: 2, lease: { owner: 'B' } });
  });

  it('error codes: a stale version is LEDGER_VERSION_CONFLICT and writes nothing; an unknown key is LEDGER_UNKNOWN_AWARD', async () => {
    const { ledger } = await fresh();
    const { record } = await ledger.planAward(award(3));
    await ledger.writeAward(record.key, { lastError: 'first' }, { version: record.version });
    const stale = await codeOf(ledger.writeAward(record.key, { lastError: 'stale' }, { version: record.version }));
    expect(stale).toBeInstanceOf(VersionConflictError);
    expect(stale).toBeInstanceOf(LedgerError);
    expect(stale).toMatchObject({ code: 'LEDGER_VERSION_CONFLICT' });
    expect((await ledger.getAward(record.key))!).toMatchObject({ lastError: 'first', version: record.version + 1 });
    for (const attempt of [
      () => ledger.writeAward('nope|nobody', { lastError: 'x' }, { any: true }),
      () => ledger.claimAward('nope|nobody', { owner: 'w', leaseMs: LEASE }),
    ]) {
      const error = await codeOf(attempt);
      expect(error).toBeInstanceOf(UnknownAwardError);
      expect(error).toMatchObject({ code: 'LEDGER_UNKNOWN_AWARD' });
    }
    expect(await ledger.getAward('nope|nobody')).toBeUndefined();
  });

  it('a closed ledger refuses writes with LEDGER_CLOSED', async () => {
    const { ledger } = await fresh();
    await ledger.planAward(award(4));
    await ledger.close();
    for (const attempt of [
      () => ledger.planAward(award(5)),
      () => ledger.claimAward(award(4).key, { owner: 'w', leaseMs: LEASE }),
      () => ledger.writeAward(award(4).key, { lastError: 'x' }, { any: true }),
    ]) {
      const error = await codeOf(attempt);
      expect(error).toBeInstanceOf(LedgerClosedError);
      expect(error).toMatchObject({ code: 'LEDGER_CLOSED' });
    }
  });
});

describe('docs/ledger.md: the file ledger', () => {
  it('checkLease throws LedgerLockedError after a fresh look, when another job took the ledger over, though this job’s clock says its lease lives', async () => {
    const path = join(root, `ledger-${(n += 1)}.jsonl`);
    const clockA = new TestClock();
    const clockB = new TestClock();
    const a = await FileLedger.open(path, { lockNow: clockA.now, lockTtlMs: 60_000 });
    opened.push(a);
    await a.planAward(award(6));
    a.checkLease();
    clockB.advance(60_001);
    const b = await FileLedger.open(path, { lockNow: clockB.now, lockTtlMs: 60_000 });
    opened.push(b);
    const error = await codeOf(() => a.checkLease());
    expect(error).toBeInstanceOf(LedgerLockedError);
    expect(error).toMatchObject({ code: 'LEDGER_LOCKED', message: expect.stringMatching(/another job took the ledger over/) });
    b.checkLease();
  });

  it('checkLease throws LedgerLockedError once the lease ran out without renewal (a paused process)', async () => {
    const clock = new TestClock();
    const ledger = await FileLedger.open(join(root, `ledger-${(n += 1)}.jsonl`), { lockNow: clock.now, lockTtlMs: 1_000 });
    opened.push(ledger);
    ledger.checkLease();
    clock.advance(1_001);
    expect(await codeOf(() => ledger.checkLease())).toMatchObject({ code: 'LEDGER_LOCKED', message: expect.stringMatching(/lease expired/) });
  });

  it('read-only: a missing file is LEDGER_NOT_FOUND (nothing created); a write through a read-only handle is LEDGER_CLOSED', async () => {
    const missing = join(root, 'missing.jsonl');
    const error = await codeOf(openLedger(missing, { readOnly: true }));
    expect(error).toBeInstanceOf(LedgerError);
    expect(error).toMatchObject({ code: 'LEDGER_NOT_FOUND' });
    expect(await codeOf(FileLedger.readOnly(missing))).toMatchObject({ code: 'LEDGER_NOT_FOUND' });
    const path = join(root, `ledger-${(n += 1)}.jsonl`);
    const writer = await FileLedger.open(path);
    await writer.planAward(award(7));
    await writer.close();
    const reader = await openLedger(path, { readOnly: true });
    opened.push(reader);
    expect((await reader.getAward(award(7).key))?.state).toBe('planned');
    expect(await codeOf(reader.planAward(award(8)))).toMatchObject({ code: 'LEDGER_CLOSED' });
  });
});

describe('docs/ledger.md: error codes', () => {
  it('every ledger error class is a LedgerError with its documented code', () => {
    const cases: Array<[LedgerError, string]> = [
      [new LeaseLostError('x'), 'LEDGER_LEASE_LOST'],
      [new VersionConflictError('x'), 'LEDGER_VERSION_CONFLICT'],
      [new LedgerLockedError('x'), 'LEDGER_LOCKED'],
      [new LedgerCorruptError('x'), 'LEDGER_CORRUPT'],
      [new LedgerWriteError('x'), 'LEDGER_WRITE_FAILED'],
      [new LedgerClosedError('x'), 'LEDGER_CLOSED'],
      [new UnknownAwardError('x'), 'LEDGER_UNKNOWN_AWARD'],
      [new LedgerUrlError('x'), 'LEDGER_URL'],
    ];
    for (const [error, code] of cases) {
      expect(error).toBeInstanceOf(LedgerError);
      expect(error.code).toBe(code);
    }
  });

  it('revoking an award the ledger does not hold is AWARD_NOT_FOUND, one without a badge AWARD_NOT_ISSUED; Credly is not called', async () => {
    const ledger = new MemoryLedger();
    await ledger.planAward(award(9));
    const calls: string[] = [];
    const client = { badges: { revoke: async (id: string) => void calls.push(id) } } as unknown as CredlyClient;
    const missing = await codeOf(revokeAward({ client, ledger }, { key: 'nope|nobody' }, 'reason'));
    expect(missing).toBeInstanceOf(LedgerError);
    expect(missing).toMatchObject({ code: 'AWARD_NOT_FOUND' });
    expect(await codeOf(revokeAward({ client, ledger }, { badgeId: 'no-such-badge' }, 'reason'))).toMatchObject({ code: 'AWARD_NOT_FOUND' });
    const planned = await codeOf(revokeAward({ client, ledger }, { key: award(9).key }, 'reason'));
    expect(planned).toBeInstanceOf(LedgerError);
    expect(planned).toMatchObject({ code: 'AWARD_NOT_ISSUED' });
    expect(calls).toEqual([]);
  });
});
