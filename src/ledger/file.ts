import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readSync, realpathSync, renameSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
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
  PlannedClaim,
  RunRecord,
  TemplateRecord,
  WriteGuard,
} from './contract.js';
import { AWARD_STATES } from './contract.js';
import { LedgerClosedError, LedgerCorruptError, LedgerError, UnknownAwardError } from './errors.js';
import { AwardIndex, type IndexedAward } from './file-index.js';
import { FileLease } from './file-lease.js';
import { Journal, realJournalIo, type JournalIo } from './file-journal.js';
import { byStartDescending } from './memory.js';
import { Mutex } from './mutex.js';
import type { OpenLedgerOptions } from './open.js';
import { applyClaim, applyPatch, awardMatcher, checkGuard, claimability, claimedEvent, emptyCounts, intentPatch, newAwardRecord, renewLease } from './records.js';

export const LEDGER_FORMAT = 'credly-microcredentials-ledger';
/** v2: awards carry version, fence, lease and a domain snapshot. v1 ledgers are read and rewritten as v2 on first write. */
export const LEDGER_VERSION = 2;
export const DEFAULT_LOCK_TTL_MS = 30_000;

type Line =
  | { type: 'header'; format: string; version: number; createdAt: string; compactedFrom?: number }
  | ({ type: 'award' } & AwardRecord)
  | ({ type: 'template' } & TemplateRecord)
  | ({ type: 'event' } & EventRecord)
  | ({ type: 'run' } & RunRecord);

interface EventEntry {
  offset: number;
  length: number;
  state: EventRecord['state'];
}

const RUNS_KEPT = 50;
/** Records of held awards kept in memory at most (a job holds about its concurrency). */
const HELD_RECORDS_KEPT = 1_024;

/** Test seams: the journal's file system calls. */
export interface FileLedgerInternals {
  readonly io?: JournalIo;
  /** The clock the ledger's own lease is judged by (real time unless a test moves it). */
  readonly lockNow?: () => Date;
}

/** Marks a handle abandoned as a killed process would leave it (tests). */
export const ABANDON = Symbol('abandon');

/** Makes a rename durable: fsync the directory that holds the file (not possible on every OS). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fdatasyncSync(fd);
  } catch {
    // Windows cannot open a directory; the rename is as durable as the OS makes it.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The ledger's real path: the lease is keyed on it, so a symlink reaches the same lease. */
function canonicalPath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    // Not created yet: resolve its directory (which may itself be a symlink).
    try {
      return join(realpathSync(dirname(absolute)), basename(absolute));
    } catch {
      return absolute;
    }
  }
}

function normalizeAward(line: Record<string, unknown>): AwardRecord {
  // v1 records had no version, fence, lease or snapshot, and `credlyState` instead of `credly`.
  const { type: _type, credlyState, ...rest } = line as { type?: string; credlyState?: string } & Record<string, unknown>;
  const record = rest as unknown as AwardRecord & { version?: number };
  if (record.version !== undefined) return record;
  return {
    ...record,
    version: 1,
    fence: 0,
    lease: null,
    snapshot: null,
    issuedAt: record.state === 'issued' || record.state === 'replaced' ? record.updatedAt : null,
    credly: credlyState ? { state: credlyState, changedAt: null, seenAt: record.updatedAt } : null,
  };
}

/**
 * The embedded ledger: an append-only JSON Lines journal (the last record for a key wins), one
 * writer at a time under a lease (see FileLease), records durable before their writes resolve
 * (see Journal), and in memory only an index of where each award's latest record is.
 */
export class FileLedger implements Ledger {
  readonly location: string;
  readonly kind = 'file';
  readonly owner: string;
  readonly #path: string;
  readonly #now: () => Date;
  /** Where each award's latest record is, and what claims and counts need without reading it: all the ledger keeps per award. */
  readonly #awards = new AwardIndex();
  readonly #events = new Map<string, EventEntry>();
  readonly #templates = new Map<string, TemplateRecord>();
  readonly #runs = new Map<string, RunRecord>();
  /** The latest records of the awards this handle holds (see #keepIfHeld). */
  readonly #held = new Map<string, AwardRecord>();
  /**
   * Awards whose lease was read from the file at open: whoever held them belonged to an earlier
   * holder of the ledger's own lease, which this one took over, so their leases are over.
   */
  readonly #staleLeases = new Set<string>();
  readonly #templateLock = new Mutex();
  readonly #io: JournalIo;
  #readFd: number | undefined;
  #journal: Journal | undefined;
  #lease: FileLease | undefined;
  #version = LEDGER_VERSION;
  #readOnly = false;
  #closed = false;
  /** Records in the file, for compaction's report. */
  #records = 0;
  /** Bytes of a torn last record found at open (cut off when writing). */
  tornBytesDropped = 0;

  private constructor(path: string, now: () => Date, io: JournalIo) {
    this.location = path;
    this.#path = canonicalPath(path);
    this.#now = now;
    this.#io = io;
    this.owner = `file-${randomUUID()}`;
  }

  /** The lease files' common prefix: keyed on the real path. */
  static lockBase(path: string): string {
    return `${canonicalPath(path)}.lock`;
  }

  /** Opens (or creates, mode 0600) the ledger at `path`, taking its lease and indexing it. */
  static async open(path: string, options: OpenLedgerOptions & FileLedgerInternals = {}): Promise<FileLedger> {
    const now = options.now ?? (() => new Date());
    const ledger = new FileLedger(path, now, options.io ?? realJournalIo);
    ledger.#refuseDirectory();
    const lease = new FileLease(FileLedger.lockBase(path), {
      ttlMs: options.lockTtlMs ?? DEFAULT_LOCK_TTL_MS,
      now: options.lockNow ?? (() => new Date()),
      waitMs: options.waitForLockMs ?? 0,
      force: options.forceUnlock ?? false,
    });
    await lease.acquire();
    ledger.#lease = lease;
    try {
      ledger.#load();
      const fd = openSync(ledger.#path, 'r+');
      ledger.#journal = new Journal(fd, fstatSync(fd).size, ledger.location, ledger.#io);
      // A v1 ledger is rewritten as v2 when first opened for writing (read-only opens leave it).
      if (ledger.#version < LEDGER_VERSION) await ledger.compact();
    } catch (error) {
      lease.release();
      ledger.#closeFds();
      throw error;
    }
    return ledger;
  }

  /** Reads without taking the lease or changing the file (`status` while a job runs). Writes throw. */
  static async readOnly(path: string, options: { now?: () => Date } = {}): Promise<FileLedger> {
    const ledger = new FileLedger(path, options.now ?? (() => new Date()), realJournalIo);
    ledger.#refuseDirectory();
    if (!existsSync(ledger.#path)) throw new LedgerError('LEDGER_NOT_FOUND', `no ledger at ${path}: run issue or sync-templates first, or pass --ledger`);
    ledger.#readOnly = true;
    ledger.#load();
    return ledger;
  }

  #refuseDirectory(): void {
    if (existsSync(this.#path) && statSync(this.#path).isDirectory()) {
      throw new LedgerError('LEDGER_IS_DIRECTORY', `the ledger path ${this.location} is a directory: give a file path, e.g. ${join(this.location, 'credly-ledger.jsonl')}`);
    }
  }

  /** Builds the index from the journal, reading it once in chunks. */
  #load(): void {
    if (!existsSync(this.#path)) {
      if (this.#readOnly) return;
      const header: Line = { type: 'header', format: LEDGER_FORMAT, version: LEDGER_VERSION, createdAt: this.#now().toISOString() };
      const fd = openSync(this.#path, 'wx', 0o600);
      try {
        writeSync(fd, `${JSON.stringify(header)}\n`);
        fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
      syncDirectory(dirname(this.#path));
    }
    this.#readFd = openSync(this.#path, 'r');
    const size = fstatSync(this.#readFd).size;
    const chunk = Buffer.alloc(1 << 20);
    let carry = Buffer.alloc(0);
    let carryStart = 0;
    let position = 0;
    let lineNumber = 0;
    while (position < size) {
      const n = readSync(this.#readFd, chunk, 0, Math.min(chunk.length, size - position), position);
      if (n <= 0) break;
      const data = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      const dataStart = carry.length ? carryStart : position;
      position += n;
      let lineStart = 0;
      for (let at = data.indexOf(0x0a); at >= 0; at = data.indexOf(0x0a, lineStart)) {
        lineNumber += 1;
        this.#index(data.subarray(lineStart, at), dataStart + lineStart, lineNumber);
        lineStart = at + 1;
      }
      carry = Buffer.from(data.subarray(lineStart));
      carryStart = dataStart + lineStart;
    }
    if (carry.length > 0) {
      // A torn last record (a crash in the middle of a write): it never counted. Cut it off.
      this.tornBytesDropped = carry.length;
      if (!this.#readOnly) {
        const fd = openSync(this.#path, 'r+');
        try {
          ftruncateSync(fd, carryStart);
          fdatasyncSync(fd);
        } finally {
          closeSync(fd);
        }
      }
    }
  }

  #index(raw: Buffer, offset: number, lineNumber: number): void {
    if (raw.length === 0 || (raw.length === 1 && raw[0] === 0x0d)) return;
    this.#records += 1;
    let line: Line;
    try {
      line = JSON.parse(raw.toString('utf8')) as Line;
    } catch {
      throw new LedgerCorruptError(`ledger ${this.location} line ${lineNumber} is not a JSON record; restore the file from a backup or remove that line`);
    }
    switch (line.type) {
      case 'header':
        if (line.format !== LEDGER_FORMAT || line.version > LEDGER_VERSION) {
          throw new LedgerCorruptError(`ledger ${this.location} has format ${line.format} v${line.version}; this version reads ${LEDGER_FORMAT} up to v${LEDGER_VERSION}: upgrade credly-microcredentials`);
        }
        this.#version = line.version;
        return;
      case 'award': {
        const record = normalizeAward(line as unknown as Record<string, unknown>);
        // A lease read at open belonged to an earlier holder of the ledger's lease: it is over.
        this.#setAward(record, offset, raw.length, { staleLease: true });
        if (record.lease) {
          this.#staleLeases.add(record.key);
        } else {
          this.#staleLeases.delete(record.key);
        }
        return;
      }
      case 'template': {
        const { type: _type, ...record } = line;
        this.#templates.set(record.microcredentialId, record);
        return;
      }
      case 'event': {
        const { type: _type, ...record } = line;
        this.#events.set(record.eventId, { offset, length: raw.length, state: record.state });
        return;
      }
      case 'run': {
        const { type: _type, ...record } = line;
        this.#runs.delete(record.runId);
        this.#runs.set(record.runId, record);
        if (this.#runs.size > RUNS_KEPT) this.#runs.delete(this.#runs.keys().next().value!);
        return;
      }
      default:
        throw new LedgerCorruptError(`ledger ${this.location} line ${lineNumber} has an unknown record type; restore the file from a backup or remove that line`);
    }
  }

  #setAward(record: AwardRecord, offset: number, length: number, options: { staleLease?: boolean } = {}): void {
    const leaseUntil = record.lease && !options.staleLease ? Date.parse(record.lease.until) : 0;
    this.#awards.set(record.key, { offset, length, state: record.state, microcredentialId: record.microcredentialId, leaseUntil });
  }

  #read(offset: number, length: number): Record<string, unknown> {
    const buffer = Buffer.alloc(length);
    readSync(this.#readFd!, buffer, 0, length, offset);
    return JSON.parse(buffer.toString('utf8')) as Record<string, unknown>;
  }

  #readAward(key: string, entry: IndexedAward): AwardRecord {
    const hot = this.#held.get(key);
    if (hot) return hot;
    const record = normalizeAward(this.#read(entry.offset, entry.length));
    return record.lease && this.#staleLeases.has(record.key) ? { ...record, lease: null } : record;
  }

  #writable(): Journal {
    if (this.#readOnly) throw new LedgerClosedError(`the ledger ${this.location} was opened read-only`);
    if (this.#closed || !this.#journal) throw new LedgerClosedError(`the ledger ${this.location} is closed`);
    this.#lease?.assertHeld();
    return this.#journal;
  }

  /** Writes one record now (the index may point at it at once), without waiting for the disk. */
  #write(line: Line): { offset: number; length: number } {
    const journal = this.#writable();
    const bytes = Buffer.from(`${JSON.stringify(line)}\n`, 'utf8');
    const offset = journal.write(bytes);
    this.#records += 1;
    return { offset, length: bytes.length - 1 };
  }

  /** Writes one record now and returns its place and a promise that resolves once it is durable. */
  #append(line: Line): { offset: number; length: number; durable: Promise<void> } {
    const at = this.#write(line);
    return { ...at, durable: this.#journal!.durable() };
  }

  async #putAward(record: AwardRecord): Promise<AwardRecord> {
    const { offset, length, durable } = this.#append({ type: 'award', ...record });
    const checks = this.#lease?.checks ?? 0;
    this.#setAward(record, offset, length);
    this.#keepIfHeld(record);
    await durable;
    // Durable, and (what lets the caller send) no other job took the ledger over since it was written.
    this.#lease?.assertHeld({ checkedSince: checks });
    return record;
  }

  /**
   * Writes a plan or a claim without waiting for the disk. Losing one in a crash is harmless: the
   * roster plans the award again, and every claim read back at open is stale anyway (this process
   * held the ledger's lease). What must not be lost, the intent, is a `writeAward` that resolves
   * once durable, and the journal's order makes everything written before it durable with it.
   * An award's request thus waits for one sync, not three.
   */
  #putAwardUnsynced(record: AwardRecord): void {
    const { offset, length } = this.#write({ type: 'award', ...record });
    this.#setAward(record, offset, length);
    this.#keepIfHeld(record);
  }

  /**
   * Keeps the latest record of each award this handle planned or holds a lease on (the awards in
   * flight, about as many as the job's concurrency), so that the writes of its protocol need not
   * read it back from the file. Settled awards leave; a cap keeps it flat whatever a caller does.
   */
  #keepIfHeld(record: AwardRecord): void {
    this.#staleLeases.delete(record.key);
    const inFlight = record.lease !== null || record.state === 'planned';
    if (inFlight && (this.#held.has(record.key) || this.#held.size < HELD_RECORDS_KEPT)) this.#held.set(record.key, record);
    else this.#held.delete(record.key);
  }

  // ---- awards: reads

  async getAward(key: string): Promise<AwardRecord | undefined> {
    const entry = this.#awards.get(key);
    return entry ? this.#readAward(key, entry) : undefined;
  }

  async *queryAwards(query: AwardQuery = {}): AsyncIterable<AwardRecord> {
    const wanted = query.state === undefined ? null : new Set(typeof query.state === 'string' ? [query.state] : query.state);
    const matches = awardMatcher(query);
    let count = 0;
    // The awards as they are now (a consumer may write while it reads): slots only grow, and a
    // key keeps its slot, so the slots below today's size are today's awards.
    const size = this.#awards.size;
    for (let slot = 0; slot < size; slot += 1) {
      if (query.limit !== undefined && count >= query.limit) return;
      if (wanted && !wanted.has(this.#awards.state(slot))) continue;
      if (query.microcredentialId !== undefined && this.#awards.microcredentialId(slot) !== query.microcredentialId) continue;
      const record = this.#readAward(this.#awards.keyAt(slot), this.#awards.at(slot));
      if (!matches(record)) continue;
      count += 1;
      yield record;
    }
  }

  async countAwards(query: Pick<AwardQuery, 'microcredentialId'> = {}): Promise<AwardCounts> {
    const counts = emptyCounts();
    for (let slot = 0; slot < this.#awards.size; slot += 1) {
      if (query.microcredentialId === undefined || this.#awards.microcredentialId(slot) === query.microcredentialId) counts[this.#awards.state(slot)] += 1;
    }
    return counts;
  }

  // ---- awards: writes

  async planAward(award: NewAward): Promise<{ created: boolean; record: AwardRecord }> {
    this.#writable();
    const entry = this.#awards.get(award.key);
    if (entry) return { created: false, record: this.#readAward(award.key, entry) };
    const record = newAwardRecord(award, this.#now());
    this.#putAwardUnsynced(record);
    return { created: true, record };
  }

  /** Throws when this job may no longer write or send: its lease ran out, or another job took the ledger over (a fresh look). */
  checkLease(): void {
    if (this.#readOnly || this.#closed) throw new LedgerClosedError(`the ledger ${this.location} is not open for writing`);
    this.#lease?.assertHeld();
  }

  /**
   * A new award planned, claimed and (with `intent`) its first send's intent recorded, in one
   * record instead of three; durable before it resolves when it carries the intent.
   */
  async planAndClaim(award: NewAward, options: ClaimOptions & { readonly intent?: boolean }): Promise<PlannedClaim> {
    this.#writable();
    const entry = this.#awards.get(award.key);
    if (entry) return { created: false, record: this.#readAward(award.key, entry) };
    const now = this.#now();
    const { record: claimed, claim } = applyClaim(newAwardRecord(award, now), options, now, false);
    if (!options.intent || claimed.request === null) {
      this.#putAwardUnsynced(claimed);
      return { created: true, claim };
    }
    const record = applyPatch(claimed, intentPatch(claimed), { claim }, now);
    await this.#putAward(record);
    return { created: true, claim: { ...claim, record, intent: true } };
  }

  #claimable(entry: IndexedAward, now: number): boolean {
    const expired = entry.leaseUntil <= now;
    return expired && (entry.state === 'planned' || entry.state === 'failed' || entry.state === 'issuing');
  }

  async claimAward(key: string, options: ClaimOptions): Promise<Claim | null> {
    this.#writable();
    const entry = this.#awards.get(key);
    if (!entry) throw new UnknownAwardError(key);
    const now = this.#now();
    if (!this.#claimable(entry, now.getTime())) return null;
    const current = this.#readAward(key, entry);
    const can = claimability(current, now);
    if (!can) return null;
    const { record, claim } = applyClaim(current, options, now, can.takenOver);
    // Claims are judged in this process (it holds the ledger's lease); the index reflects this one at once.
    this.#putAwardUnsynced(record);
    return claim;
  }

  async claimNext(options: ClaimOptions & { microcredentialId?: string; exclude?: ReadonlySet<string> }): Promise<Claim | null> {
    this.#writable();
    const now = this.#now().getTime();
    let planned: string | undefined;
    for (let slot = 0; slot < this.#awards.size; slot += 1) {
      const state = this.#awards.state(slot);
      if (state !== 'issuing' && (state !== 'planned' || planned !== undefined)) continue;
      if (options.microcredentialId !== undefined && this.#awards.microcredentialId(slot) !== options.microcredentialId) continue;
      if (this.#awards.leaseUntil(slot) > now) continue;
      // The key is read only for a candidate: a scan of 200,000 settled awards makes no strings.
      const key = this.#awards.keyAt(slot);
      if (options.exclude?.has(key)) continue;
      if (state === 'issuing') return this.claimAward(key, options);
      planned = key;
    }
    return planned === undefined ? null : this.claimAward(planned, options);
  }

  async renewClaims(claims: readonly Claim[], leaseMs: number): Promise<readonly string[]> {
    this.#writable();
    const now = this.#now();
    const lost: string[] = [];
    const writes: Array<Promise<AwardRecord>> = [];
    for (const claim of claims) {
      const entry = this.#awards.get(claim.key);
      const renewed = entry && renewLease(this.#readAward(claim.key, entry), claim, leaseMs, now);
      if (renewed) writes.push(this.#putAward(renewed));
      else lost.push(claim.key);
    }
    await Promise.all(writes);
    return lost;
  }

  async writeAward(key: string, patch: AwardPatch, guard: WriteGuard): Promise<AwardRecord> {
    this.#writable();
    const entry = this.#awards.get(key);
    if (!entry) throw new UnknownAwardError(key);
    const now = this.#now();
    const current = this.#readAward(key, entry);
    checkGuard(current, guard, now);
    const next = applyPatch(current, patch, guard, now);
    if ('claim' in guard && guard.lazy) {
      // An outcome that may be lost: it must not start a sync that the next intents queue behind.
      this.#putAwardUnsynced(next);
      return next;
    }
    return this.#putAward(next);
  }

  // ---- templates

  async getTemplate(microcredentialId: string): Promise<TemplateRecord | undefined> {
    return this.#templates.get(microcredentialId);
  }

  async putTemplate(record: TemplateRecord): Promise<void> {
    this.#writable();
    this.#templates.set(record.microcredentialId, record);
    await this.#append({ type: 'template', ...record }).durable;
  }

  async listTemplates(): Promise<readonly TemplateRecord[]> {
    return [...this.#templates.values()];
  }

  withTemplateLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.#templateLock.run(fn);
  }

  // ---- events

  async recordEvent(record: EventRecord): Promise<{ created: boolean; record: EventRecord }> {
    this.#writable();
    // Looked up and appended with no await between them: two deliveries in this process record it once.
    const entry = this.#events.get(record.eventId);
    if (entry) return { created: false, record: this.#eventAt(entry) };
    const created = { ...record, lease: record.lease ?? null };
    await this.#appendEvent(created);
    return { created: true, record: created };
  }

  async getEvent(eventId: string): Promise<EventRecord | undefined> {
    const entry = this.#events.get(eventId);
    return entry ? this.#eventAt(entry) : undefined;
  }

  async claimEvent(eventId: string, options: EventClaimOptions): Promise<EventRecord | undefined> {
    this.#writable();
    // Read and appended with no await between them: two claims in this process cannot both take it.
    const entry = this.#events.get(eventId);
    const current = entry ? this.#eventAt(entry) : undefined;
    const claimed = claimedEvent(current, options, this.#now());
    if (!claimed) return undefined;
    await this.#appendEvent(claimed);
    return claimed;
  }

  async putEvent(record: EventRecord): Promise<void> {
    this.#writable();
    await this.#appendEvent({ ...record, lease: record.lease ?? null });
  }

  #eventAt(entry: EventEntry): EventRecord {
    const { type: _type, ...record } = this.#read(entry.offset, entry.length);
    return record as unknown as EventRecord;
  }

  #appendEvent(record: EventRecord): Promise<void> {
    const { offset, length, durable } = this.#append({ type: 'event', ...record });
    this.#events.set(record.eventId, { offset, length, state: record.state });
    return durable;
  }

  async *queryEvents(query: { state?: EventRecord['state'] } = {}): AsyncIterable<EventRecord> {
    for (const [id, entry] of [...this.#events]) {
      if (query.state !== undefined && entry.state !== query.state) continue;
      const record = await this.getEvent(id);
      if (record) yield record;
    }
  }

  // ---- runs

  async putRun(record: RunRecord): Promise<void> {
    this.#writable();
    this.#runs.delete(record.runId);
    this.#runs.set(record.runId, record);
    if (this.#runs.size > RUNS_KEPT) this.#runs.delete(this.#runs.keys().next().value!);
    await this.#append({ type: 'run', ...record }).durable;
  }

  async listRuns(options: { limit?: number } = {}): Promise<readonly RunRecord[]> {
    return [...this.#runs.values()].sort(byStartDescending).slice(0, options.limit ?? 20);
  }

  // ---- maintenance

  /** The lease this handle holds (for `status` and messages). */
  get leaseUntil(): Date | undefined {
    return this.#lease?.until;
  }

  /** Called once if this job loses the ledger's lease (it must stop sending). */
  set onLeaseLost(callback: ((reason: string) => void) | undefined) {
    if (this.#lease) this.#lease.onLost = callback;
  }

  /**
   * Rewrites the journal with only the latest record of each award, template and run, and the
   * events still worth remembering: those not yet processed, and those processed within
   * `keepEventsDays` (30 by default; Credly stops redelivering after 25 days). It streams: one
   * record in memory at a time. The new journal is written beside the old one, fsync'd, then
   * renamed over it: a crash leaves one or the other whole.
   */
  async compact(options: { keepEventsDays?: number } = {}): Promise<{ recordsBefore: number; recordsAfter: number; bytesBefore: number; bytesAfter: number }> {
    if (this.#readOnly || this.#closed || !this.#journal) throw new LedgerClosedError(`the ledger ${this.location} is not open for writing`);
    this.#lease?.assertHeld();
    await this.#journal.drain();
    const now = this.#now();
    const cutoff = now.getTime() - (options.keepEventsDays ?? 30) * 86_400_000;
    const bytesBefore = this.#journal.size;
    const recordsBefore = this.#records;
    const temporary = `${this.#path}.compacting-${randomUUID()}`;
    const fd = openSync(temporary, 'w', 0o600);
    let position = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let records = 0;
    const flush = () => {
      if (pendingBytes === 0) return;
      const data = Buffer.concat(pending, pendingBytes);
      let done = 0;
      while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
      position += data.length;
      pending = [];
      pendingBytes = 0;
    };
    const emit = (text: string): { offset: number; length: number } => {
      const bytes = Buffer.from(`${text}\n`, 'utf8');
      const offset = position + pendingBytes;
      pending.push(bytes);
      pendingBytes += bytes.length;
      if (pendingBytes >= 1 << 20) flush();
      records += 1;
      return { offset, length: bytes.length - 1 };
    };
    // The awards' places in the new file, applied to the index once it is renamed: flat arrays,
    // not a tuple per award.
    const awardCount = this.#awards.size;
    const newOffsets = new Float64Array(awardCount);
    const newLengths = new Uint32Array(awardCount);
    const eventOffsets: Array<[EventEntry, number, number]> = [];
    try {
      emit(JSON.stringify({ type: 'header', format: LEDGER_FORMAT, version: LEDGER_VERSION, createdAt: now.toISOString(), compactedFrom: bytesBefore }));
      for (const record of this.#templates.values()) emit(JSON.stringify({ type: 'template', ...record }));
      for (let slot = 0; slot < awardCount; slot += 1) {
        const record = this.#readAward(this.#awards.keyAt(slot), this.#awards.at(slot));
        const at = emit(JSON.stringify({ type: 'award', ...record }));
        newOffsets[slot] = at.offset;
        newLengths[slot] = at.length;
      }
      for (const [id, entry] of [...this.#events]) {
        const record = (await this.getEvent(id))!;
        if (record.state === 'processed' && Date.parse(record.processedAt ?? record.receivedAt) < cutoff) {
          this.#events.delete(id);
          continue;
        }
        const at = emit(JSON.stringify({ type: 'event', ...record }));
        eventOffsets.push([entry, at.offset, at.length]);
      }
      for (const record of this.#runs.values()) emit(JSON.stringify({ type: 'run', ...record }));
      flush();
      fdatasyncSync(fd);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    closeSync(fd);
    renameSync(temporary, this.#path);
    syncDirectory(dirname(this.#path));
    this.#closeFds();
    this.#records = records;
    for (let slot = 0; slot < awardCount; slot += 1) this.#awards.move(slot, newOffsets[slot]!, newLengths[slot]!);
    for (const [entry, offset, length] of eventOffsets) {
      entry.offset = offset;
      entry.length = length;
    }
    this.#readFd = openSync(this.#path, 'r');
    const writeFd = openSync(this.#path, 'r+');
    this.#journal = new Journal(writeFd, fstatSync(writeFd).size, this.location, this.#io);
    this.#version = LEDGER_VERSION;
    return { recordsBefore, recordsAfter: records, bytesBefore, bytesAfter: position };
  }

  #closeFds(): void {
    if (this.#readFd !== undefined) closeSync(this.#readFd);
    this.#readFd = undefined;
    this.#journal?.close();
    this.#journal = undefined;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#journal?.drain();
    this.#closeFds();
    this.#lease?.release();
  }

  /** Leaves the ledger as a killed process would: files closed, the lease neither renewed nor released. */
  [ABANDON](): void {
    this.#closed = true;
    this.#closeFds();
    this.#lease?.abandon();
  }
}

export { AWARD_STATES };
