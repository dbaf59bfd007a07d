import { randomUUID } from 'node:crypto';
import type {
  AwardCounts,
  AwardPatch,
  AwardQuery,
  AwardRecord,
  Claim,
  ClaimOptions,
  EventClaimOptions,
  EventRecord,
  Ledger,
  NewAward,
  RunRecord,
  TemplateRecord,
  WriteGuard,
} from './contract.js';
import { LedgerClosedError, UnknownAwardError } from './errors.js';
import { applyClaim, applyPatch, awardMatcher, checkGuard, claimability, claimedEvent, countByState, newAwardRecord, renewLease } from './records.js';
import { Mutex } from './mutex.js';

export interface MemoryLedgerOptions {
  /** The clock leases are judged by (tests inject one). */
  readonly now?: () => Date;
  readonly owner?: string;
}

export function byStartDescending(a: RunRecord, b: RunRecord): number {
  return a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0;
}

/** The ledger for tests and dry runs: the same contract, nothing on disk, nothing shared. */
export class MemoryLedger implements Ledger {
  readonly location = 'memory';
  readonly kind = 'memory';
  readonly owner: string;
  readonly #now: () => Date;
  readonly #awards = new Map<string, AwardRecord>();
  readonly #templates = new Map<string, TemplateRecord>();
  readonly #events = new Map<string, EventRecord>();
  readonly #runs = new Map<string, RunRecord>();
  readonly #templateLock = new Mutex();
  #closed = false;

  constructor(options: MemoryLedgerOptions = {}) {
    this.#now = options.now ?? (() => new Date());
    this.owner = options.owner ?? `memory-${randomUUID()}`;
  }

  #open(): void {
    if (this.#closed) throw new LedgerClosedError('the memory ledger is closed');
  }

  async getAward(key: string): Promise<AwardRecord | undefined> {
    return this.#awards.get(key);
  }

  async *queryAwards(query: AwardQuery = {}): AsyncIterable<AwardRecord> {
    const matches = awardMatcher(query);
    let count = 0;
    for (const record of [...this.#awards.values()]) {
      if (query.limit !== undefined && count >= query.limit) return;
      if (!matches(record)) continue;
      count += 1;
      yield record;
    }
  }

  async countAwards(query: Pick<AwardQuery, 'microcredentialId'> = {}): Promise<AwardCounts> {
    return countByState(this.#awards.values(), query.microcredentialId);
  }

  async planAward(award: NewAward): Promise<{ created: boolean; record: AwardRecord }> {
    this.#open();
    const existing = this.#awards.get(award.key);
    if (existing) return { created: false, record: existing };
    const record = newAwardRecord(award, this.#now());
    this.#awards.set(record.key, record);
    return { created: true, record };
  }

  async claimAward(key: string, options: ClaimOptions): Promise<Claim | null> {
    this.#open();
    const current = this.#awards.get(key);
    if (!current) throw new UnknownAwardError(key);
    const now = this.#now();
    const can = claimability(current, now);
    if (!can) return null;
    const { record, claim } = applyClaim(current, options, now, can.takenOver);
    this.#awards.set(key, record);
    return claim;
  }

  async claimNext(options: ClaimOptions & { microcredentialId?: string; exclude?: ReadonlySet<string> }): Promise<Claim | null> {
    this.#open();
    const now = this.#now();
    let planned: AwardRecord | undefined;
    for (const record of this.#awards.values()) {
      if (options.microcredentialId !== undefined && record.microcredentialId !== options.microcredentialId) continue;
      if (options.exclude?.has(record.key)) continue;
      if (record.state === 'issuing' && claimability(record, now)) return this.claimAward(record.key, options);
      if (!planned && record.state === 'planned' && claimability(record, now)) planned = record;
    }
    return planned ? this.claimAward(planned.key, options) : null;
  }

  async renewClaims(claims: readonly Claim[], leaseMs: number): Promise<readonly string[]> {
    this.#open();
    const now = this.#now();
    const lost: string[] = [];
    for (const claim of claims) {
      const current = this.#awards.get(claim.key);
      const renewed = current && renewLease(current, claim, leaseMs, now);
      if (renewed) this.#awards.set(claim.key, renewed);
      else lost.push(claim.key);
    }
    return lost;
  }

  async writeAward(key: string, patch: AwardPatch, guard: WriteGuard): Promise<AwardRecord> {
    this.#open();
    const current = this.#awards.get(key);
    if (!current) throw new UnknownAwardError(key);
    const now = this.#now();
    checkGuard(current, guard, now);
    const next = applyPatch(current, patch, guard, now);
    this.#awards.set(key, next);
    return next;
  }

  async getTemplate(microcredentialId: string): Promise<TemplateRecord | undefined> {
    return this.#templates.get(microcredentialId);
  }

  async putTemplate(record: TemplateRecord): Promise<void> {
    this.#open();
    this.#templates.set(record.microcredentialId, record);
  }

  async listTemplates(): Promise<readonly TemplateRecord[]> {
    return [...this.#templates.values()];
  }

  withTemplateLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.#templateLock.run(fn);
  }

  async recordEvent(record: EventRecord): Promise<{ created: boolean; record: EventRecord }> {
    this.#open();
    const existing = this.#events.get(record.eventId);
    if (existing) return { created: false, record: existing };
    const created = { ...record, lease: record.lease ?? null };
    this.#events.set(record.eventId, created);
    return { created: true, record: created };
  }

  async getEvent(eventId: string): Promise<EventRecord | undefined> {
    return this.#events.get(eventId);
  }

  async claimEvent(eventId: string, options: EventClaimOptions): Promise<EventRecord | undefined> {
    this.#open();
    const claimed = claimedEvent(this.#events.get(eventId), options, this.#now());
    if (claimed) this.#events.set(eventId, claimed);
    return claimed;
  }

  async putEvent(record: EventRecord): Promise<void> {
    this.#open();
    this.#events.set(record.eventId, { ...record, lease: record.lease ?? null });
  }

  async *queryEvents(query: { state?: EventRecord['state'] } = {}): AsyncIterable<EventRecord> {
    for (const record of [...this.#events.values()]) if (query.state === undefined || record.state === query.state) yield record;
  }

  async putRun(record: RunRecord): Promise<void> {
    this.#open();
    this.#runs.set(record.runId, record);
  }

  async listRuns(options: { limit?: number } = {}): Promise<readonly RunRecord[]> {
    return [...this.#runs.values()].sort(byStartDescending).slice(0, options.limit ?? 20);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
