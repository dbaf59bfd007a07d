import { existsSync } from 'node:fs';
import type { Ledger } from '../../ledger/contract.js';
import { LedgerError } from '../../ledger/errors.js';
import { ledgerKind, openLedger } from '../../ledger/open.js';
import { CliError } from '../errors.js';

/**
 * Opens the ledger for the after-issue commands (reconcile, export, report, status --pending).
 * Read-only opens take no lease, so they work while an issue job runs.
 */
export async function openLifecycleLedger(target: string, options: { readOnly: boolean }): Promise<Ledger> {
  if (ledgerKind(target) === 'file' && !target.startsWith('file:') && !existsSync(target)) {
    throw new CliError(`no ledger at ${target}: nothing has been issued with it (pass --ledger or set CREDLY_LEDGER)`);
  }
  try {
    return await openLedger(target, { readOnly: options.readOnly });
  } catch (error) {
    if (error instanceof LedgerError) throw new CliError(error.message);
    throw error;
  }
}
