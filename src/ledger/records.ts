import type {
  AwardCounts,
  AwardPatch,
  AwardQuery,
  AwardRecord,
  AwardState,
  Claim,
  ClaimOptions,
  EventClaimOptions,
  EventRecord,
  NewAward,
  WriteGuard,
} from './contract.js';
import { AWARD_PATCH_FIELDS, AWARD_STATES, holdsBadge } from './contract.js';
import { LeaseLostError, VersionConflictError } from './errors.js';

// The rules every single-process backend (memory, file) applies to records; PostgreSQL applies the
// same rules in SQL. The contract suite holds them all to the same behaviour.

/** States a claim can start from, besides `issuing` with an expired lease. */
const CLAIMABLE: ReadonlySet<AwardState> = new Set(['planned', 'failed']);

export function newAwardRecord(award: NewAward, now: Date): AwardRecord {
  const stamp = now.toISOString();
  return {
    key: award.key,
    microcredentialId: award.microcredentialId,
    templateId: award.templateId,
    email: award.email,
    earnerId: award.earnerId,
    state: award.state ?? 'planned',
    version: 1,
    fence: 0,
    lease: null,
    attempts: 0,
    badgeId: award.badgeId ?? null,
    ...(award.how ? { how: award.how } : {}),
    row: award.row ?? null,
    request: award.request ?? null,
    snapshot: award.snapshot ?? null,
    lastError: null,
    issuedAt: award.issuedAt ?? null,
    credly: award.credly ?? null,
    createdAt: stamp,
    updatedAt: stamp,
  };
}

export function leaseExpired(record: Pick<AwardRecord, 'lease'>, now: Date): boolean {
  return !record.lease || Date.parse(record.lease.until) <= now.getTime();
}

/** Whether `owner` may claim the record now, and whether that is a take-over. */
export function claimability(record: AwardRecord, now: Date): { takenOver: boolean } | null {
  if (CLAIMABLE.has(record.state)) return leaseExpired(record, now) ? { takenOver: false } : null;
  if (record.state === 'issuing') return leaseExpired(record, now) ? { takenOver: true } : null;
  return null;
}

export function applyClaim(record: AwardRecord, options: ClaimOptions, now: Date, takenOver: boolean): { record: AwardRecord; claim: Claim } {
  const next: AwardRecord = {
    ...record,
    fence: record.fence + 1,
    version: record.version + 1,
    lease: { owner: options.owner, until: new Date(now.getTime() + options.leaseMs).toISOString() },
    updatedAt: now.toISOString(),
  };
  return { record: next, claim: { key: record.key, owner: options.owner, fence: next.fence, record: next, takenOver } };
}

/** Checks the guard against the current record; throws without changing anything when it fails. */
export function checkGuard(current: AwardRecord, guard: WriteGuard, now: Date): void {
  if ('claim' in guard) {
    const { claim } = guard;
    if (current.fence !== claim.fence || current.lease?.owner !== claim.owner) {
      throw new LeaseLostError(`award ${current.key}: another worker took it over (fence ${current.fence}, ours ${claim.fence}); this worker writes nothing more for it`);
    }
    if (leaseExpired(current, now)) {
      throw new LeaseLostError(`award ${current.key}: our lease expired at ${current.lease?.until}; this worker writes nothing more for it`);
    }
    return;
  }
  if ('version' in guard && current.version !== guard.version) {
    throw new VersionConflictError(`award ${current.key} changed since it was read (version ${current.version}, read ${guard.version}); read it again`);
  }
}

/** The intent of an award's next send (step 2 of the protocol): `issuing`, the attempt counted, the last error cleared. */
export function intentPatch(record: Pick<AwardRecord, 'attempts'>): AwardPatch {
  return { state: 'issuing', attempts: record.attempts + 1, lastError: null };
}

/** The record after a guarded patch: the lease ends when a claim's holder settles the award. */
export function applyPatch(current: AwardRecord, patch: AwardPatch, guard: WriteGuard, now: Date): AwardRecord {
  const releases = 'claim' in guard && (guard.release === true || (patch.state !== undefined && patch.state !== 'issuing'));
  return {
    ...current,
    ...definedOnly(patch),
    version: current.version + 1,
    lease: releases ? null : current.lease,
    updatedAt: now.toISOString(),
  };
}

/** The patch's defined values of the fields a write may change: anything else a caller (from JavaScript) slips in is dropped, as the PostgreSQL ledger drops it. */
function definedOnly(patch: AwardPatch): AwardPatch {
  const out: Record<string, unknown> = {};
  for (const field of AWARD_PATCH_FIELDS) {
    const value = (patch as Record<string, unknown>)[field];
    if (value !== undefined) out[field] = value;
  }
  return out as AwardPatch;
}

export function renewLease(record: AwardRecord, claim: Claim, leaseMs: number, now: Date): AwardRecord | null {
  if (record.fence !== claim.fence || record.lease?.owner !== claim.owner || leaseExpired(record, now)) return null;
  return { ...record, lease: { owner: claim.owner, until: new Date(now.getTime() + leaseMs).toISOString() } };
}

function states(query: AwardQuery): ReadonlySet<AwardState> | null {
  if (query.state === undefined) return null;
  return new Set(typeof query.state === 'string' ? [query.state] : query.state);
}

/** A matcher for the query's conditions that need the whole record. */
export function awardMatcher(query: AwardQuery): (record: AwardRecord) => boolean {
  const wanted = states(query);
  const learner = query.learner?.toLowerCase();
  const since = query.issuedSince?.getTime();
  const pendingBefore = query.pendingIssuedBefore?.getTime();
  return (record) => {
    if (wanted && !wanted.has(record.state)) return false;
    if (query.microcredentialId !== undefined && record.microcredentialId !== query.microcredentialId) return false;
    if (learner !== undefined && record.email.toLowerCase() !== learner && record.earnerId.toLowerCase() !== learner) return false;
    if (query.badgeId !== undefined && record.badgeId !== query.badgeId) return false;
    if (since !== undefined && !(record.issuedAt && Date.parse(record.issuedAt) >= since)) return false;
    if (pendingBefore !== undefined) {
      if (!holdsBadge(record.state) || !record.issuedAt || Date.parse(record.issuedAt) >= pendingBefore) return false;
      const credlyState = record.credly?.state;
      if (credlyState !== undefined && credlyState !== 'pending') return false;
    }
    return true;
  };
}

/** Awards by state, of one microcredential or all; from records or from an index of them. */
export function countByState(items: Iterable<{ readonly state: AwardState; readonly microcredentialId: string }>, microcredentialId?: string): AwardCounts {
  const counts = emptyCounts();
  for (const item of items) if (microcredentialId === undefined || item.microcredentialId === microcredentialId) counts[item.state] += 1;
  return counts;
}

export function emptyCounts(): Record<AwardState, number> {
  return Object.fromEntries(AWARD_STATES.map((state) => [state, 0])) as Record<AwardState, number>;
}

export type { AwardCounts };

/**
 * `claimEvent`'s rule: the event as `owner` takes it (its lease until now + leaseMs, one more
 * attempt unless `owner`'s lease was still live), or undefined when it cannot be taken.
 */
export function claimedEvent(event: EventRecord | undefined, options: EventClaimOptions, now: Date): EventRecord | undefined {
  if (!event || event.state !== 'received') return undefined;
  const live = !!event.lease && Date.parse(event.lease.until) > now.getTime();
  if (live && event.lease!.owner !== options.owner) return undefined;
  const renewing = live && event.lease!.owner === options.owner;
  return { ...event, attempts: event.attempts + (renewing ? 0 : 1), lease: { owner: options.owner, until: new Date(now.getTime() + options.leaseMs).toISOString() } };
}
