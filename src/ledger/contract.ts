import type { IssueBadgeParams } from '../credly/schemas/requests.js';
import type { Evidence } from '../domain/evidence.js';
import type { Learner } from '../domain/learner.js';
import type { Microcredential } from '../domain/microcredential.js';

/**
 * The ledger contract (v2): the durable record of every award, template, webhook event and run,
 * one interface for every backend (memory, file, PostgreSQL). Every method is async, because a
 * shared backend answers over the network. docs/ledger.md explains the promise each method makes;
 * test/contract/ledger-contract.ts is the suite every backend passes.
 */

/**
 * An award's state in the ledger:
 * - `planned`: loaded from a roster, nothing sent yet;
 * - `issuing`: an intent is durable; the holder of the claim may have sent the request. With a live
 *   lease a worker is sending; with an expired lease a worker died, and whoever claims it next
 *   looks the badge up in Credly before sending anything (the protocol's step 5);
 * - `issued`: the badge exists on Credly (`how` says whether this ledger created it);
 * - `failed`: a terminal refusal, with the reason; the next run tries again;
 * - `revoked`, `replaced`: after issue, by this library or seen on Credly.
 */
export const AWARD_STATES = ['planned', 'issuing', 'issued', 'failed', 'revoked', 'replaced'] as const;
export type AwardState = (typeof AWARD_STATES)[number];

/** The states in which an award holds a live badge of its learner's: issued, or replaced (the replacement). */
export function holdsBadge(state: AwardState): boolean {
  return state === 'issued' || state === 'replaced';
}

/**
 * What the award was, in domain terms, independent of Credly's wire format: exports (registrar,
 * Open Badges 3.0) are built from this and the template's microcredential snapshot alone.
 */
export interface AwardSnapshot {
  readonly learner: Learner;
  readonly evidence: readonly Evidence[];
  /** When the learner earned it (ISO 8601 with offset). */
  readonly issuedAt: string;
  /** From the microcredential's expiry policy or the roster; null when it does not expire. */
  readonly expiresAt: string | null;
  readonly evidenceOptOut?: boolean | undefined;
}

/**
 * The badge's life on Credly after issue, as `reconcile` or the webhook receiver saw it. `state` is
 * an open string: Credly may add states (pending, accepted, rejected, revoked, deleted, …).
 */
export interface CredlyBadgeStatus {
  readonly state: string;
  /** When Credly says the state changed (or when we first saw it, if Credly does not say). */
  readonly changedAt: string | null;
  readonly acceptedAt?: string | null | undefined;
  readonly revokedReason?: string | null | undefined;
  /** The badge's public URL on Credly, when known. */
  readonly url?: string | null | undefined;
  /** When the ledger last learned it. */
  readonly seenAt: string;
}

/** A worker's hold on an award: only the holder of the current fence may write issuance fields. */
export interface AwardLease {
  readonly owner: string;
  /** ISO 8601; past it, another worker may take the award over. */
  readonly until: string;
}

export interface AwardRecord {
  /** `(microcredential id)|(issuer_earner_id)`: stable across runs and workers. */
  readonly key: string;
  readonly microcredentialId: string;
  readonly templateId: string;
  readonly email: string;
  readonly earnerId: string;
  readonly state: AwardState;
  /** Incremented by every write (not a lease renewal): conditional writes name the version they read. */
  readonly version: number;
  /** Incremented by every claim: a write under an older fence is refused (LeaseLostError). */
  readonly fence: number;
  readonly lease: AwardLease | null;
  /** Issue requests sent for this award so far, over all runs. */
  readonly attempts: number;
  readonly badgeId: string | null;
  /** `already-issued` when Credly had the badge before this ledger recorded it. */
  readonly how?: 'issued' | 'already-issued' | 'adopted' | undefined;
  /** The roster row it came from, in the run that loaded it. */
  readonly row?: number | null | undefined;
  /** The request as last sent: a taken-over award is re-sent exactly as it was. */
  readonly request: IssueBadgeParams | null;
  /** What the award was (null only for records migrated from a v1 ledger that had none). */
  readonly snapshot: AwardSnapshot | null;
  readonly lastError: string | null;
  /** When the ledger recorded the badge as existing. */
  readonly issuedAt?: string | null | undefined;
  readonly previousBadgeIds?: readonly string[] | undefined;
  readonly revocationReason?: string | undefined;
  readonly credly?: CredlyBadgeStatus | null | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The fields a write may change; the others (key, microcredential, earner, fence, version, lease) are the award's identity or the ledger's own. */
export const AWARD_PATCH_FIELDS = [
  'state',
  'templateId',
  'email',
  'attempts',
  'badgeId',
  'how',
  'row',
  'request',
  'snapshot',
  'lastError',
  'issuedAt',
  'previousBadgeIds',
  'revocationReason',
  'credly',
] as const satisfies ReadonlyArray<keyof AwardRecord>;

export type AwardPatch = Partial<Pick<AwardRecord, (typeof AWARD_PATCH_FIELDS)[number]>>;

/** A new award, as a roster load plans it. */
export type NewAward = Pick<AwardRecord, 'key' | 'microcredentialId' | 'templateId' | 'email' | 'earnerId'> &
  Partial<Pick<AwardRecord, 'row' | 'snapshot' | 'request' | 'state' | 'badgeId' | 'how' | 'issuedAt' | 'credly'>>;

/** A claim: the holder may send the award's request and write its outcome while the lease lives. */
export interface Claim {
  readonly key: string;
  readonly owner: string;
  readonly fence: number;
  /** The award as it was when claimed (state `issuing` only if an earlier holder left it so). */
  readonly record: AwardRecord;
  /**
   * True when the award was `issuing` under another holder (a dead or paused worker, or a crashed
   * run): the request may have been sent, so look the badge up before sending anything.
   */
  readonly takenOver: boolean;
  /**
   * True when the claim also recorded the intent of the award's first send (`claimBatch` with
   * `intent`): the award is `issuing` under this claim, `attempts` counts the send, and the intent
   * is durable, so the holder may send at once, without writing the intent again.
   */
  readonly intent?: boolean;
}

/**
 * What `planAwards` reports of an award that was there already: what planning decides by (its
 * state, version, badge and attempts, whether it holds a request), not its request or snapshot,
 * which a worker loading a roster another worker loaded first would read back for nothing.
 */
export type ExistingAward = Pick<AwardRecord, 'key' | 'email' | 'state' | 'version' | 'attempts' | 'badgeId' | 'revocationReason' | 'updatedAt'> & {
  /** False for an award planned without a request (`request: null`). */
  readonly hasRequest: boolean;
};

/** What `planAwards` did with one award: inserted it, or found one already there. */
export type PlannedAward = { readonly created: true } | { readonly created: false; readonly existing: ExistingAward };

/** What `planAndClaim` did: planned the award already claimed (with its intent when asked), or found one already there. */
export type PlannedClaim = { readonly created: true; readonly claim: Claim } | { readonly created: false; readonly record: AwardRecord };

/** The options of `claimBatch`: those of `claimNext`, how many at most, and whether to record intents. */
export interface ClaimBatchOptions extends ClaimOptions {
  /** Claim at most this many awards. */
  readonly limit: number;
  readonly microcredentialId?: string;
  readonly exclude?: ReadonlySet<string>;
  /**
   * Record the intent of the first send in the claim itself, for each `planned` award that has a
   * request (step 2 of the protocol, in the same durable write): it becomes `issuing`, its
   * `attempts` grows by one and its `lastError` is cleared, and its claim says `intent: true`.
   * Awards taken over (`issuing` under an expired lease) are claimed without an intent: they are
   * looked up first.
   */
  readonly intent?: boolean;
}

export interface ClaimOptions {
  /** Who claims: a worker's id, unique per process (never a hostname or a PID). */
  readonly owner: string;
  /** How long the claim lives unless renewed. */
  readonly leaseMs: number;
}

/**
 * How a write is guarded:
 * - `{ claim }`: the caller holds the award (its fence is current and its lease has not expired);
 *   with `release: true` the lease ends with this write even if the award stays `issuing` (its
 *   outcome is unknown: the next claim takes it over and looks it up);
 * - `{ version }`: the record is still the version the caller read (webhooks, reconcile, revoke);
 * - `{ any: true }`: unconditional (migration, administration).
 * A write that sets a state other than `issuing` under a claim releases the lease.
 */
export type WriteGuard =
  | {
      readonly claim: Claim;
      readonly release?: boolean;
      /**
       * Resolve once written, not once durable: for an outcome whose loss is harmless (the award
       * stays `issuing` and is looked up before anything is sent again). It becomes durable with
       * the next record that is waited for, or at `close`. PostgreSQL, which commits every write,
       * writes lazy writes together (one statement for those queued within a few milliseconds) and
       * resolves each once its statement has committed.
       */
      readonly lazy?: boolean;
    }
  | { readonly version: number }
  | { readonly any: true };

export interface AwardQuery {
  readonly state?: AwardState | readonly AwardState[];
  readonly microcredentialId?: string;
  /** A learner, by email (case-insensitive) or issuer earner id. */
  readonly learner?: string;
  readonly badgeId?: string;
  /** Awards issued at or after this instant (by `issuedAt`). */
  readonly issuedSince?: Date;
  /** Issued awards (and replaced ones, which hold the replacement badge) whose badge is still pending on Credly (not accepted, rejected or revoked), issued before this instant. */
  readonly pendingIssuedBefore?: Date;
  /** Stop after this many (all when left out). */
  readonly limit?: number;
}

export type TemplateRecordState = 'active' | 'archived' | 'unusable';

export interface TemplateRecord {
  readonly microcredentialId: string;
  readonly templateId: string;
  /** A hash of the template payload last sent: an unchanged microcredential is not sent again. */
  readonly fingerprint: string;
  readonly state: TemplateRecordState;
  /** Why the template cannot issue (archived or deleted in Credly), until fixed. */
  readonly unusableReason?: string | undefined;
  readonly allowDuplicates: boolean;
  /** The microcredential as synced: the domain half of every award's snapshot. */
  readonly microcredential?: Microcredential | undefined;
  readonly updatedAt: string;
}

/**
 * A Credly webhook event: `received` once it is durably recorded (before the 200 goes back),
 * `processed` once its work is done. Recording is exactly once: a second delivery finds the first;
 * and its work runs under one receiver's lease at a time (`claimEvent`).
 */
export interface EventRecord {
  readonly eventId: string;
  readonly eventType: string;
  readonly organizationId: string;
  readonly occurredAt: string | null;
  readonly state: 'received' | 'processed';
  readonly receivedAt: string;
  readonly processedAt?: string | undefined;
  /** Processing attempts so far (each `claimEvent` that takes it counts one). */
  readonly attempts: number;
  readonly lastError?: string | undefined;
  /** The receiver processing it now and until when (`claimEvent`); none once processed or let go. */
  readonly lease?: AwardLease | null | undefined;
}

export interface EventClaimOptions {
  /** Who processes it: one id per receiver (a webhook handler makes its own). */
  readonly owner: string;
  readonly leaseMs: number;
}

/** One run of a job (issue, reconcile …), for `status` and the program report. */
export interface RunRecord {
  readonly runId: string;
  readonly command: string;
  /** The worker that ran it. */
  readonly owner: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly totals: Readonly<Record<string, number>>;
  /** The first failures, capped (the full list is in the run's report file). */
  readonly failures: ReadonlyArray<{ readonly key?: string | undefined; readonly row?: number | null | undefined; readonly reason: string }>;
  readonly stoppedBecause?: string | null | undefined;
}

export type AwardCounts = Readonly<Record<AwardState, number>>;

export interface Ledger {
  /** Where it is, for messages: a path, `memory`, or a URL without its password. */
  readonly location: string;
  /** The backend: `memory`, `file` or `postgres`. */
  readonly kind: string;
  /** The owner id this handle claims with by default (unique per open). */
  readonly owner: string;

  // Awards: reads.
  getAward(key: string): Promise<AwardRecord | undefined>;
  /** Streams the awards that match, in no promised order. */
  queryAwards(query?: AwardQuery): AsyncIterable<AwardRecord>;
  countAwards(query?: Pick<AwardQuery, 'microcredentialId'>): Promise<AwardCounts>;

  // Awards: writes.
  /**
   * Inserts the award unless its key exists (then returns the existing one): loading twice is harmless.
   * Plans and claims may resolve before they are durable (the file ledger's do): a crash may forget
   * one, which is harmless (the roster plans again; a dead holder's claim is over). The intent is a
   * `writeAward`, which resolves once durable, and with it whatever was written before it.
   */
  planAward(award: NewAward): Promise<{ readonly created: boolean; readonly record: AwardRecord }>;
  /**
   * Claims the award for `owner`: succeeds when it is `planned` or `failed`, or `issuing` with an
   * expired lease (then `takenOver`); null when another live lease holds it or it is settled
   * (`issued`, `revoked`, `replaced`). Each claim increments the fence.
   */
  claimAward(key: string, options: ClaimOptions): Promise<Claim | null>;
  /**
   * Claims the next claimable award (optionally of one microcredential): `issuing` with an
   * expired lease first, then `planned`. Never `failed` (a failed award is retried only when its
   * roster row is seen again), nor any key in `exclude` (awards this worker already settled in
   * this run). Null when nothing is left. Backends shared by several workers hand
   * each award to one worker at a time (PostgreSQL: FOR UPDATE SKIP LOCKED).
   */
  claimNext(options: ClaimOptions & { readonly microcredentialId?: string; readonly exclude?: ReadonlySet<string> }): Promise<Claim | null>;
  /**
   * Optional, for backends shared by several workers (PostgreSQL): plans many awards in one round
   * trip, as `planAward` does each (the same promise; results in the order given). A key given
   * twice is planned once (the second is `created: false`). `planAwards(ledger, awards)` in
   * `batch.ts` falls back to `planAward` one by one.
   */
  planAwards?(awards: readonly NewAward[]): Promise<readonly PlannedAward[]>;
  /**
   * Optional, for backends whose writer holds the whole ledger (the file ledger's lease): throws
   * `LedgerLockedError` when this handle may no longer write, after a fresh look (another job took
   * the ledger over, or the lease ran out). The engine calls it right before each request to
   * Credly, so that a job that lost its lease sends nothing more, prepared awards included.
   */
  checkLease?(): void;
  /**
   * Optional: plans a new award already claimed by `owner` and, with `intent`, with the intent of
   * its first send recorded (as `claimBatch` does: `issuing`, `attempts` counted, the claim saying
   * `intent: true`), in one write, durable before it resolves when it carries the intent. A key
   * the ledger holds already is returned as it is (`created: false`), unclaimed. The file ledger
   * writes one record instead of three. `planAndClaim(ledger, award, options)` in `batch.ts`
   * falls back to `planAward`, `claimAward` and `writeAward`.
   */
  planAndClaim?(award: NewAward, options: ClaimOptions & { readonly intent?: boolean }): Promise<PlannedClaim>;
  /**
   * Optional, for backends shared by several workers (PostgreSQL): what planning needs of each of
   * these awards (`ExistingAward`), or null for a key the ledger does not hold, in the order given,
   * in one round trip. A worker whose roster another worker is loading ahead of it asks this
   * before building the awards' requests. `findAwards(ledger, keys)` in `batch.ts` falls back to
   * `getAward` one by one.
   */
  findAwards?(keys: readonly string[]): Promise<ReadonlyArray<ExistingAward | null>>;
  /**
   * Optional, for backends shared by several workers (PostgreSQL): claims up to `limit` awards in
   * one round trip, by the rules and in the order of `claimNext`, with the intent of each first
   * send when asked (`intent`). Each award goes to one worker at a time. Empty when nothing is
   * left. `claimBatch(ledger, options)` in `batch.ts` falls back to `claimNext` one by one
   * (without intents).
   */
  claimBatch?(options: ClaimBatchOptions): Promise<readonly Claim[]>;
  /** Extends the leases of these claims; returns the keys whose lease was lost (do not write them). */
  renewClaims(claims: readonly Claim[], leaseMs: number): Promise<readonly string[]>;
  /**
   * Applies the patch when the guard holds, and resolves once it is durable. Throws
   * LeaseLostError (claim guard) or VersionConflictError (version guard) otherwise, writing nothing.
   */
  writeAward(key: string, patch: AwardPatch, guard: WriteGuard): Promise<AwardRecord>;

  // Templates.
  getTemplate(microcredentialId: string): Promise<TemplateRecord | undefined>;
  putTemplate(record: TemplateRecord): Promise<void>;
  listTemplates(): Promise<readonly TemplateRecord[]>;
  /**
   * Runs `fn` with template sync exclusive across every worker of this ledger (an advisory lock on
   * PostgreSQL; the process's own lock elsewhere), so that two workers never create a template twice.
   */
  withTemplateLock<T>(fn: () => Promise<T>): Promise<T>;

  // Webhook events.
  /** Records the event once: `created` is false when it was already recorded (then `record` is the first). */
  recordEvent(record: EventRecord): Promise<{ readonly created: boolean; readonly record: EventRecord }>;
  getEvent(eventId: string): Promise<EventRecord | undefined>;
  /**
   * Takes a recorded event for processing, so that receivers sharing the ledger do its work one at
   * a time: an event still `received` whose lease is absent, ended or `owner`'s own gets `owner`'s
   * lease until now + `leaseMs`. Returns it so taken, or undefined when it is unknown, processed, or
   * under another owner's live lease. Taking it counts an attempt; `owner` taking it again while
   * its lease lives only renews the lease.
   */
  claimEvent(eventId: string, options: EventClaimOptions): Promise<EventRecord | undefined>;
  /** Writes the event as given (its lease too: none, when absent). */
  putEvent(record: EventRecord): Promise<void>;
  queryEvents(query?: { readonly state?: EventRecord['state'] }): AsyncIterable<EventRecord>;

  // Runs.
  putRun(record: RunRecord): Promise<void>;
  /** The most recently started runs first (20 by default). */
  listRuns(options?: { readonly limit?: number }): Promise<readonly RunRecord[]>;

  /**
   * Optional: a request rate shared by every worker of this ledger (PostgreSQL holds it in the
   * database), so that `--rate 10/s` means 10/s for the whole job. Resolves when one request may
   * go. Backends without it leave pacing to the process.
   */
  takeRateSlot?(bucket: string, perSecond: number, signal?: AbortSignal): Promise<void>;

  /** Flushes, releases the ledger's locks and leases, and closes. Idempotent. */
  close(): Promise<void>;
}

/** A backend-level check that the holder still has the right to write (the file ledger's lease). */
export interface LedgerLeaseInfo {
  readonly owner: string;
  readonly until: string;
}
