import { MemoryLedger } from '../../src/ledger/memory.js';
import type { Ledger } from '../../src/ledger/contract.js';
import { describeLedgerContract } from './ledger-contract.js';

// A memory ledger lives as long as its object: "reopening" returns the same one.
let current: Ledger | undefined;
describeLedgerContract('memory', {
  durable: false,
  shared: false,
  async reset() {
    current = undefined;
  },
  async open(clock) {
    current = new MemoryLedger({ now: clock.now });
    return current;
  },
});
