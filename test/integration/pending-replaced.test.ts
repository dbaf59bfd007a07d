import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CredlyClient } from '../../src/credly/client.js';
import type { Ledger } from '../../src/ledger/contract.js';
import { FileLedger } from '../../src/ledger/file.js';
import { MemoryLedger } from '../../src/ledger/memory.js';
import { openPostgresLedger } from '../../src/ledger/postgres.js';
import { replaceAward } from '../../src/issuance/revoke-replace.js';
import { pendingAwards } from '../../src/lifecycle/index.js';
import { TestClock } from '../helpers/clock.js';
import { DATABASE_URL, PG_SKIP_REASON, dropSchema, freshSchema } from '../helpers/postgres.js';
import { award } from '../contract/ledger-contract.js';

// docs/lifecycle.md: status --pending lists "the learners whose badge is issued and still
// pending", and for a wrong address says to replace the pending badge. `replace` leaves the award
// `replaced`, holding the replacement badge: that badge waits for the learner like any other, so it
// is listed until the learner accepts it. (It was left out: the list asked for state `issued` only.)

const root = mkdtempSync(join(tmpdir(), 'pending-replaced-'));
const schema = freshSchema('pending_replaced');
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  if (DATABASE_URL) await dropSchema(schema);
});

const backends: Array<[string, (clock: TestClock) => Promise<Ledger>, string | undefined]> = [
  ['memory', async (clock) => new MemoryLedger({ now: clock.now }), undefined],
  ['file', async (clock) => FileLedger.open(join(root, 'awards.ledger'), { now: clock.now }), undefined],
  ['postgres', async (clock) => openPostgresLedger(DATABASE_URL!, { schema, now: clock.now }), PG_SKIP_REASON],
];

describe.each(backends)('status --pending after replace (%s ledger)', (_name, open, skip) => {
  it.skipIf(skip !== undefined)('lists the replacement badge while it is pending or not yet reconciled, and drops it once accepted', async () => {
    const clock = new TestClock();
    const ledger = await open(clock);
    try {
      const key = award(1).key;
      await ledger.planAward(award(1));
      const claim = (await ledger.claimAward(key, { owner: 'w', leaseMs: 60_000 }))!;
      await ledger.writeAward(key, { state: 'issued', badgeId: 'old-badge', issuedAt: '2026-08-01T12:00:00.000Z', credly: { state: 'pending', changedAt: null, seenAt: '2026-08-01T12:00:00.000Z' } }, { claim });
      const client = { badges: { replace: async () => ({ id: 'new-badge', issued_at: '2026-08-20T12:00:00.000Z', expires_at: null }) } } as unknown as CredlyClient;
      const replaced = await replaceAward({ client, ledger, now: () => new Date('2026-08-20T12:00:00.000Z') }, { key }, { recipient_email: 'right@example.edu' } as never);
      expect(replaced).toMatchObject({ state: 'replaced', badgeId: 'new-badge', credly: null });

      const unreconciled = await pendingAwards(ledger, { now: clock.now });
      expect(unreconciled.map((p) => [p.key, p.badgeId, p.credlyState, p.ageDays])).toEqual([[key, 'new-badge', 'unknown', 12]]);
      expect(await pendingAwards(ledger, { now: clock.now, olderThan: '14d' })).toEqual([]);

      await ledger.writeAward(key, { credly: { state: 'pending', changedAt: null, seenAt: clock.now().toISOString() } }, { any: true });
      expect((await pendingAwards(ledger, { now: clock.now })).map((p) => [p.badgeId, p.credlyState])).toEqual([['new-badge', 'pending']]);

      await ledger.writeAward(key, { credly: { state: 'accepted', changedAt: null, seenAt: clock.now().toISOString() } }, { any: true });
      expect(await pendingAwards(ledger, { now: clock.now })).toEqual([]);
    } finally {
      await ledger.close();
    }
  });
});
