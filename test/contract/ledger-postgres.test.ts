import { afterAll } from 'vitest';
import type { Ledger } from '../../src/ledger/contract.js';
import { openPostgresLedger, type PgLedger } from '../../src/ledger/postgres.js';
import { DATABASE_URL, PG_SKIP_REASON, dropSchema, freshSchema } from '../helpers/postgres.js';
import { describeLedgerContract } from './ledger-contract.js';

// The contract on a real PostgreSQL server, in a schema of this file's own, judged by the test's
// clock (passed to every statement) rather than the server's.
const schema = freshSchema('contract');

describeLedgerContract(
  'postgres',
  {
    durable: true,
    shared: true,
    async reset() {
      await dropSchema(schema);
    },
    async open(clock) {
      return openPostgresLedger(DATABASE_URL!, { schema, now: clock.now });
    },
    async crash(ledger: Ledger) {
      await (ledger as PgLedger).abandon();
    },
  },
  PG_SKIP_REASON ? { skip: PG_SKIP_REASON } : {},
);

afterAll(async () => {
  if (DATABASE_URL) await dropSchema(schema);
});
