import { randomUUID } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fdatasyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { open, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { AwardRecord, EventRecord, Ledger, TemplateRecord } from './ledger.js';
import { withCode } from '../coded-error.js';

export const LEDGER_FORMAT = 'credly-microcredentials-ledger';
export const LEDGER_VERSION = 1;

/** Another process holds the ledger. */
export class LedgerLockedError extends Error {
  override readonly name = 'LedgerLockedError';
  readonly code = 'LEDGER_LOCKED';
}

/** A line in the middle of the ledger is not a record: refuse to guess. */
export class LedgerCorruptError extends Error {
  override readonly name = 'LedgerCorruptError';
  readonly code = 'LEDGER_CORRUPT';
}

interface LockInfo {
  readonly pid: number;
  readonly hostname: string;
  readonly startedAt: string;
  /** Tells two opens by one process apart. */
  readonly nonce?: string;
}

export interface FileLedgerOptions {
  /** Take the lock even if its owner may be alive (after checking by hand that it is not). */
  readonly forceUnlock?: boolean;
  readonly now?: () => Date;
}

type Line =
  | { type: 'header'; format: string; version: number; createdAt: string }
  | ({ type: 'award' } & AwardRecord)
  | ({ type: 'template' } & TemplateRecord)
  | ({ type: 'event' } & EventRecord);

async function countLines(path: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i += 1) if (chunk[i] === 0x0a) lines += 1;
  }
  return lines;
}

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

/** The offset just past the file's last newline, found by reading backwards from the end. */
async function endOfLastLine(path: string): Promise<{ end: number; size: number }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const chunk = Buffer.alloc(64 * 1024);
    for (let position = size; position > 0; ) {
      const length = Math.min(chunk.length, position);
      position -= length;
      const { bytesRead } = await handle.read(chunk, 0, length, position);
      const at = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (at >= 0) return { end: position + at + 1, size };
    }
    return { end: 0, size };
  } finally {
    await handle.close();
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The embedded ledger: an append-only JSON Lines journal, one record a line, the last record for a
 * key winning. Each record is fsync'd before `put` resolves (records put in the same turn of the event
 * loop share one fsync). A torn last line, left by a crash in the middle of a write, is ignored and cut off. One
 * writer at a time: a lock file beside it names the owning process, and a lock whose process is
 * gone is taken over.
 */
export class FileLedger implements Ledger {
  readonly location: string;
  readonly #lockPath: string;
  readonly #awards = new Map<string, AwardRecord>();
  readonly #templates = new Map<string, TemplateRecord>();
  readonly #events = new Map<string, EventRecord>();
  #fd: number | undefined;
  #pending: Array<{ line: string; resolve: () => void; reject: (error: unknown) => void }> = [];
  #scheduled = false;
  #closed = false;
  #readOnly = false;
  /** The lock as we wrote it: on close we remove it only if it is still ours. */
  #lockText: string | undefined;
  /** Lines ignored at open: 1 when a torn last line was cut off. */
  tornLinesDropped = 0;

  private constructor(path: string) {
    this.location = path;
    this.#lockPath = `${path}.lock`;
  }

  /**
   * Reads the ledger without taking its lock or changing the file (for `status` while a job
   * runs): a torn last line is skipped, not cut off. Its `put` methods throw.
   */
  static async readOnly(path: string): Promise<FileLedger> {
    if (!existsSync(path)) throw withCode(new Error(`no ledger at ${path}`), 'LEDGER_NOT_FOUND');
    const ledger = new FileLedger(path);
    ledger.#readOnly = true;
    await ledger.#load(() => new Date());
    ledger.#closed = true;
    return ledger;
  }

  /** Opens (or creates) the ledger at `path`, taking its lock and reading it back. */
  static async open(path: string, options: FileLedgerOptions = {}): Promise<FileLedger> {
    const ledger = new FileLedger(path);
    await ledger.#lock(options);
    try {
      await ledger.#load(options.now ?? (() => new Date()));
      ledger.#fd = openSync(path, 'a');
    } catch (error) {
      await rm(ledger.#lockPath, { force: true });
      throw error;
    }
    return ledger;
  }

  async #lock(options: FileLedgerOptions): Promise<void> {
    const info: LockInfo = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), nonce: randomUUID() };
    for (let tries = 0; tries < 2; tries += 1) {
      try {
        await writeFile(this.#lockPath, JSON.stringify(info), { flag: 'wx' });
        this.#lockText = JSON.stringify(info);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      let owner: LockInfo | undefined;
      try {
        owner = JSON.parse(await readFile(this.#lockPath, 'utf8')) as LockInfo;
      } catch {
        owner = undefined; // An unreadable lock was torn by a crash while being written.
      }
      const sameHost = owner?.hostname === hostname();
      const stale = !owner || (sameHost && !processAlive(owner.pid));
      if (!stale && !options.forceUnlock) {
        throw new LedgerLockedError(
          `the ledger ${this.location} is in use by process ${owner!.pid} on ${owner!.hostname} since ${owner!.startedAt}; ` +
            `wait for it to finish, or, if it is gone, remove ${this.#lockPath} (or pass --force-unlock)`,
        );
      }
      await rm(this.#lockPath, { force: true });
    }
    throw new LedgerLockedError(`could not take the lock ${this.#lockPath}: another process took it first`);
  }

  async #load(now: () => Date): Promise<void> {
    if (!existsSync(this.location)) {
      const header: Line = { type: 'header', format: LEDGER_FORMAT, version: LEDGER_VERSION, createdAt: now().toISOString() };
      const handle = await open(this.location, 'wx');
      await handle.write(`${JSON.stringify(header)}\n`);
      await handle.sync();
      await handle.close();
      return;
    }
    // Everything after the last newline is a torn write: drop it (and, when writing, cut it off).
    const { end, size } = await endOfLastLine(this.location);
    if (end < size) {
      this.tornLinesDropped = 1;
      if (!this.#readOnly) await truncate(this.location, end);
    }
    const lines = createInterface({ input: createReadStream(this.location, { end: Math.max(0, end - 1) }), crlfDelay: Infinity });
    let number = 0;
    for await (const raw of lines) {
      number += 1;
      if (raw.trim() === '') continue;
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
      } catch {
        throw new LedgerCorruptError(`ledger ${this.location} line ${number} is not a JSON record; restore it from a backup or remove the line`);
      }
      this.#apply(line, number);
    }
  }

  #apply(line: Line, number: number): void {
    switch (line.type) {
      case 'header':
        if (line.format !== LEDGER_FORMAT || line.version > LEDGER_VERSION) {
          throw new LedgerCorruptError(`ledger ${this.location} has format ${line.format} v${line.version}; this version reads ${LEDGER_FORMAT} v${LEDGER_VERSION}`);
        }
        return;
      case 'award': {
        const { type: _type, ...record } = line;
        this.#awards.set(record.key, record);
        return;
      }
      case 'template': {
        const { type: _type, ...record } = line;
        this.#templates.set(record.microcredentialId, record);
        return;
      }
      case 'event': {
        const { type: _type, ...record } = line;
        this.#events.set(record.eventId, record);
        return;
      }
      default:
        throw new LedgerCorruptError(`ledger ${this.location} line ${number} has an unknown record type`);
    }
  }

  #append(line: Line): Promise<void> {
    if (this.#readOnly) return Promise.reject(new Error(`the ledger ${this.location} was opened read-only`));
    if (this.#closed) return Promise.reject(new Error(`the ledger ${this.location} is closed`));
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ line: `${JSON.stringify(line)}\n`, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // Records put in the same turn of the event loop share one write and one fsync.
        queueMicrotask(() => this.#flush());
      }
    });
  }

  /**
   * Writes what is pending in one write and one fdatasync, synchronously: on a local disk that is a
   * fraction of a millisecond, far less than the thread-pool round trips of the async calls, and
   * it keeps the journal's order exactly the order of the puts.
   */
  #flush(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    try {
      writeSync(this.#fd!, batch.map((entry) => entry.line).join(''));
      fdatasyncSync(this.#fd!);
      for (const entry of batch) entry.resolve();
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }

  getAward(key: string): AwardRecord | undefined {
    return this.#awards.get(key);
  }

  putAward(record: AwardRecord): Promise<void> {
    this.#awards.set(record.key, record);
    return this.#append({ type: 'award', ...record });
  }

  awards(): IterableIterator<AwardRecord> {
    return this.#awards.values();
  }

  getTemplate(microcredentialId: string): TemplateRecord | undefined {
    return this.#templates.get(microcredentialId);
  }

  putTemplate(record: TemplateRecord): Promise<void> {
    this.#templates.set(record.microcredentialId, record);
    return this.#append({ type: 'template', ...record });
  }

  templates(): IterableIterator<TemplateRecord> {
    return this.#templates.values();
  }

  getEvent(eventId: string): EventRecord | undefined {
    return this.#events.get(eventId);
  }

  events(): IterableIterator<EventRecord> {
    return this.#events.values();
  }

  putEvent(record: EventRecord): Promise<void> {
    this.#events.set(record.eventId, record);
    return this.#append({ type: 'event', ...record });
  }

  /**
   * Rewrites the journal with only the last record of each award and template, and the events
   * still worth remembering: those not yet processed, and those processed within
   * `keepEventsDays` (30 by default; Credly stops redelivering after 25 days). The new journal is
   * written beside the old one, fsync'd, then renamed over it: a crash leaves one or the other.
   */
  async compact(options: { keepEventsDays?: number; now?: () => Date } = {}): Promise<{ linesBefore: number; linesAfter: number }> {
    if (this.#readOnly || this.#closed) throw withCode(new Error(`the ledger ${this.location} is not open for writing`), 'LEDGER_NOT_WRITABLE');
    this.#flush();
    const now = (options.now ?? (() => new Date()))();
    const cutoff = now.getTime() - (options.keepEventsDays ?? 30) * 86_400_000;
    const linesBefore = await countLines(this.location);
    for (const [id, event] of this.#events) {
      if (event.state === 'processed' && Date.parse(event.processedAt ?? event.receivedAt) < cutoff) this.#events.delete(id);
    }
    const lines: string[] = [JSON.stringify({ type: 'header', format: LEDGER_FORMAT, version: LEDGER_VERSION, createdAt: now.toISOString(), compactedFrom: linesBefore })];
    for (const record of this.#templates.values()) lines.push(JSON.stringify({ type: 'template', ...record }));
    for (const record of this.#awards.values()) lines.push(JSON.stringify({ type: 'award', ...record }));
    for (const record of this.#events.values()) lines.push(JSON.stringify({ type: 'event', ...record }));
    const temporary = `${this.location}.compacting`;
    const fd = openSync(temporary, 'w');
    try {
      writeSync(fd, `${lines.join('\n')}\n`);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    closeSync(this.#fd!);
    renameSync(temporary, this.location);
    syncDirectory(dirname(this.location));
    this.#fd = openSync(this.location, 'a');
    return { linesBefore, linesAfter: lines.length };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#flush();
    this.#closed = true;
    if (this.#fd !== undefined) closeSync(this.#fd);
    // Someone may have taken the lock over (--force-unlock); theirs is not ours to remove.
    const current = await readFile(this.#lockPath, 'utf8').catch(() => undefined);
    if (current === this.#lockText) await rm(this.#lockPath, { force: true });
  }
}
