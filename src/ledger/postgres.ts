import type { Ledger } from './contract.js';
import { LedgerUrlError } from './errors.js';
import type { OpenLedgerOptions } from './open.js';

/** Placeholder until the PostgreSQL backend lands (issue 12). */
export async function openPostgresLedger(_url: string, _options: OpenLedgerOptions): Promise<Ledger> {
  throw new LedgerUrlError('the PostgreSQL ledger is not available in this build');
}
