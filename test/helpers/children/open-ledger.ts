// One of several processes racing for a ledger's stale lease: waits for the agreed moment, tries
// to open the ledger, prints "acquired" or "locked", and keeps the lease a moment so that the
// racers overlap.
import { FileLedger } from '../../../src/ledger/file.js';
import { LedgerLockedError } from '../../../src/ledger/errors.js';

const [path, goAt] = process.argv.slice(2);
while (Date.now() < Number(goAt)) {
  // Busy-wait: a timer would let the racers drift apart by a scheduler tick.
}
try {
  const ledger = await FileLedger.open(path!);
  process.stdout.write('acquired\n');
  await new Promise((resolve) => setTimeout(resolve, 500));
  await ledger.close();
} catch (error) {
  if (!(error instanceof LedgerLockedError)) throw error;
  process.stdout.write('locked\n');
}
