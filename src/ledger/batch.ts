import { intentPatch } from './records.js';
import type { AwardRecord, Claim, ClaimBatchOptions, ClaimOptions, ExistingAward, Ledger, NewAward, PlannedAward, PlannedClaim } from './contract.js';

/** The part of a record `planAwards` reports of an award that was there already. */
export function existingAward(record: AwardRecord): ExistingAward {
  return {
    key: record.key,
    email: record.email,
    state: record.state,
    version: record.version,
    attempts: record.attempts,
    badgeId: record.badgeId,
    ...(record.revocationReason !== undefined ? { revocationReason: record.revocationReason } : {}),
    updatedAt: record.updatedAt,
    hasRequest: record.request !== null,
  };
}

/**
 * Plans many awards: in one round trip on a backend that offers `planAwards` (PostgreSQL), else
 * one `planAward` after another. Results are in the order given.
 */
export async function planAwards(ledger: Ledger, awards: readonly NewAward[]): Promise<readonly PlannedAward[]> {
  if (ledger.planAwards) return ledger.planAwards(awards);
  const out: PlannedAward[] = [];
  for (const award of awards) {
    const { created, record } = await ledger.planAward(award);
    out.push(created ? { created: true } : { created: false, existing: existingAward(record) });
  }
  return out;
}

/** What planning needs of each award (null when the ledger does not hold it): in one round trip where the backend offers `findAwards`. */
export async function findAwards(ledger: Ledger, keys: readonly string[]): Promise<ReadonlyArray<ExistingAward | null>> {
  if (ledger.findAwards) return ledger.findAwards(keys);
  const out: Array<ExistingAward | null> = [];
  for (const key of keys) {
    const record = await ledger.getAward(key);
    out.push(record ? existingAward(record) : null);
  }
  return out;
}

/**
 * Claims up to `limit` awards: in one round trip (with the intents, when asked) on a backend that
 * offers `claimBatch`, else `claimNext` one after another, without intents (the caller writes each
 * intent itself: a claim says `intent: true` only when the intent is recorded).
 */
export async function claimBatch(ledger: Ledger, options: ClaimBatchOptions): Promise<readonly Claim[]> {
  if (ledger.claimBatch) return ledger.claimBatch(options);
  const { limit, intent: _intent, ...next } = options;
  const out: Claim[] = [];
  const exclude = new Set(options.exclude ?? []);
  while (out.length < limit) {
    const claim = await ledger.claimNext({ ...next, exclude });
    if (!claim) break;
    out.push(claim);
    exclude.add(claim.key);
  }
  return out;
}

/**
 * Plans a new award already claimed (with the intent of its first send when asked): in one write
 * where the backend offers `planAndClaim` (the file ledger), else `planAward`, `claimAward` and,
 * for the intent, `writeAward` (durable before it resolves).
 */
export async function planAndClaim(ledger: Ledger, award: NewAward, options: ClaimOptions & { readonly intent?: boolean }): Promise<PlannedClaim> {
  if (ledger.planAndClaim) return ledger.planAndClaim(award, options);
  const { created, record } = await ledger.planAward(award);
  if (!created) return { created: false, record };
  const claim = await ledger.claimAward(award.key, { owner: options.owner, leaseMs: options.leaseMs });
  // Claimed by another worker between the two (a shared backend): as if it had been there.
  if (!claim) return { created: false, record: (await ledger.getAward(award.key)) ?? record };
  if (!options.intent || claim.record.request === null) return { created: true, claim };
  const intent = await ledger.writeAward(award.key, intentPatch(claim.record), { claim });
  return { created: true, claim: { ...claim, record: intent, intent: true } };
}
