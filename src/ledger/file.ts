import type { Ledger } from './contract.js';
import { LedgerUrlError } from './errors.js';
import type { OpenLedgerOptions } from './open.js';

/** Placeholder: the container-safe file ledger v2 lands next (issue 11). */
export class FileLedger {
  static async open(_path: string, _options: OpenLedgerOptions = {}): Promise<Ledger> {
    throw new LedgerUrlError('the v2 file ledger is not available yet');
  }
  static async readOnly(_path: string): Promise<Ledger> {
    throw new LedgerUrlError('the v2 file ledger is not available yet');
  }
}
