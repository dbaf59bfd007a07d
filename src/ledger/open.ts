import { fileURLToPath } from 'node:url';
import type { Ledger } from './contract.js';
import { LedgerUrlError } from './errors.js';
import { MemoryLedger } from './memory.js';

export interface OpenLedgerOptions {
  /** The clock leases are judged by (tests inject one). */
  readonly now?: () => Date;
  /** File ledger: how long the ledger's lease lives without renewal (30 s by default). */
  readonly lockTtlMs?: number;
  /** File ledger: wait this long for a live lease to be released or expire (0: fail at once). */
  readonly waitForLockMs?: number;
  /** File ledger: take over a lease whose holder stopped renewing it, before its TTL runs out. */
  readonly forceUnlock?: boolean;
  /** Read without taking the lease or changing anything (status while a job runs). */
  readonly readOnly?: boolean;
  /** PostgreSQL: the schema to use (several campuses or environments in one database). */
  readonly schema?: string;
  /** Options passed to the backend as they are (e.g. `pg` pool and TLS options). */
  readonly backend?: Readonly<Record<string, unknown>>;
}

/** The backend a ledger URL or path names. */
export function ledgerKind(target: string): 'memory' | 'file' | 'postgres' {
  if (target === 'memory:' || target === 'memory') return 'memory';
  if (/^postgres(ql)?:\/\//i.test(target)) return 'postgres';
  if (target.startsWith('file:')) return 'file';
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(target)) {
    throw new LedgerUrlError(`unknown ledger URL ${target.replace(/\/\/[^@/]*@/, '//***@')}: use a file path, file:, memory: or postgres://`);
  }
  return 'file';
}

/**
 * Opens a ledger by URL or path: a path or `file:` URL (the embedded default), `memory:`, or
 * `postgres://…` (several workers sharing one job).
 */
export async function openLedger(target: string, options: OpenLedgerOptions = {}): Promise<Ledger> {
  switch (ledgerKind(target)) {
    case 'memory':
      return new MemoryLedger({ ...(options.now ? { now: options.now } : {}) });
    case 'postgres': {
      const { openPostgresLedger } = await import('./postgres.js');
      return openPostgresLedger(target, options);
    }
    case 'file': {
      const path = target.startsWith('file:') ? fileURLToPath(target) : target;
      const { FileLedger } = await import('./file.js');
      return options.readOnly ? FileLedger.readOnly(path) : FileLedger.open(path, options);
    }
  }
}
