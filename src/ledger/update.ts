import type { AwardPatch, AwardRecord, Ledger } from './contract.js';
import { VersionConflictError } from './errors.js';

/**
 * Reads an award, asks `decide` for a patch (null: nothing to write), and writes it under a
 * version guard; when another writer changed the award in between (a webhook, reconcile, a
 * worker's outcome), reads it again and decides again, up to `attempts` times. A worker holding
 * the award's claim keeps it. Resolves with the record written, or null when nothing was.
 * `dryRun`: decides, and returns what would be written without writing it.
 */
export async function updateAward(
  ledger: Ledger,
  key: string,
  decide: (record: AwardRecord) => AwardPatch | null,
  options: { readonly attempts?: number; readonly dryRun?: boolean } = {},
): Promise<AwardRecord | null> {
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt += 1) {
    const record = await ledger.getAward(key);
    if (!record) return null;
    const patch = decide(record);
    if (!patch) return null;
    if (options.dryRun) return { ...record, ...patch } as AwardRecord;
    try {
      return await ledger.writeAward(key, patch, { version: record.version });
    } catch (error) {
      if (!(error instanceof VersionConflictError) || attempt >= attempts) throw error;
    }
  }
}
