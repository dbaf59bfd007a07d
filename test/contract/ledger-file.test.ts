import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { Ledger } from '../../src/ledger/contract.js';
import { ABANDON, FileLedger } from '../../src/ledger/file.js';
import { TestClock } from '../helpers/clock.js';
import { describeLedgerContract } from './ledger-contract.js';

const root = mkdtempSync(join(tmpdir(), 'ledger-contract-file-'));
let n = 0;
// The ledger's own lease runs on a clock of its own: award leases move with the test clock, and
// only a crash moves this one past the lease's TTL.
const lockClock = new TestClock();
let path = join(root, 'ledger-0.jsonl');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeLedgerContract('file', {
  durable: true,
  shared: false,
  takeoverAfterMs: 1_000,
  async reset() {
    n += 1;
    path = join(root, `ledger-${n}.jsonl`);
  },
  async open(clock) {
    return FileLedger.open(path, { now: clock.now, lockNow: lockClock.now, lockTtlMs: 1_000 });
  },
  async crash(ledger: Ledger) {
    (ledger as FileLedger)[ABANDON]();
    lockClock.advance(1_001);
  },
  async tearTail() {
    appendFileSync(path, '{"type":"award","key":"torn|half","microcredentialId":"mc","sta');
  },
});
