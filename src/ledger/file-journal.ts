import { closeSync, fdatasync, ftruncateSync, writeSync } from 'node:fs';
import { LedgerWriteError } from './errors.js';

/** The file system calls the journal makes: tests inject short writes, ENOSPC and failed syncs. */
export interface JournalIo {
  writeSync(fd: number, buffer: Buffer, offset: number, length: number, position: number): number;
  fdatasync(fd: number, callback: (error: NodeJS.ErrnoException | null) => void): void;
  ftruncateSync(fd: number, length: number): void;
}

export const realJournalIo: JournalIo = {
  writeSync: (fd, buffer, offset, length, position) => writeSync(fd, buffer, offset, length, position),
  fdatasync: (fd, callback) => fdatasync(fd, callback),
  ftruncateSync: (fd, length) => ftruncateSync(fd, length),
};

interface Waiter {
  readonly seq: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * An append-only file with pipelined durability. Each record is written whole (a short write is
 * cut back off the file) and is durable once an fdatasync that started after it has finished.
 * One fdatasync runs at a time, off the event loop; records appended meanwhile join the next one,
 * so batches grow with concurrency and the event loop never waits for the disk.
 *
 * Any failure (short write, ENOSPC, failed sync) poisons the journal: every pending and later
 * append is refused. After a failed fsync nobody knows what reached the disk, so nothing that
 * depended on those records may be sent.
 */
export class Journal {
  readonly #fd: number;
  readonly #io: JournalIo;
  readonly #path: string;
  #size: number;
  #seq = 0;
  #waiters: Waiter[] = [];
  #syncing = false;
  #poisoned: LedgerWriteError | undefined;
  /** fdatasync calls made, for the benchmarks. */
  syncs = 0;

  constructor(fd: number, size: number, path: string, io: JournalIo = realJournalIo) {
    this.#fd = fd;
    this.#size = size;
    this.#path = path;
    this.#io = io;
  }

  get size(): number {
    return this.#size;
  }

  get poisoned(): LedgerWriteError | undefined {
    return this.#poisoned;
  }

  /** Writes the bytes at the end now (so they can be read back) and returns their offset. Throws when they could not be written whole. */
  write(bytes: Buffer): number {
    if (this.#poisoned) throw this.#poisoned;
    const start = this.#size;
    let done = 0;
    try {
      while (done < bytes.length) {
        const n = this.#io.writeSync(this.#fd, bytes, done, bytes.length - done, start + done);
        if (n <= 0) throw Object.assign(new Error('the disk accepted no more bytes'), { code: 'ENOSPC' });
        done += n;
      }
    } catch (error) {
      this.#poison(
        new LedgerWriteError(
          `could not write the ledger ${this.#path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): ` +
            'the record was not made durable and nothing that depended on it was sent; free disk space or fix the file system, then run again',
          { cause: error },
        ),
      );
      // Cut the partial record off, so that it cannot be mistaken for a record later.
      try {
        this.#io.ftruncateSync(this.#fd, start);
      } catch {
        // The torn tail has no newline: the next open ignores and cuts it.
      }
      throw this.#poisoned;
    }
    this.#size = start + bytes.length;
    this.#seq += 1;
    return start;
  }

  /** Resolves once everything written so far is on disk. */
  durable(): Promise<void> {
    if (this.#poisoned) return Promise.reject(this.#poisoned);
    const seq = this.#seq;
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ seq, resolve, reject });
      if (!this.#syncing) this.#sync();
    });
  }

  #sync(): void {
    this.#syncing = true;
    const target = this.#seq;
    this.syncs += 1;
    this.#io.fdatasync(this.#fd, (error) => {
      this.#syncing = false;
      if (error) {
        this.#poison(
          new LedgerWriteError(
            `could not sync the ledger ${this.#path} to disk (${error.code ?? error.message}): records since the last sync may be lost; nothing that depended on them was sent`,
            { cause: error },
          ),
        );
        return;
      }
      const still: Waiter[] = [];
      for (const waiter of this.#waiters) {
        if (waiter.seq <= target) waiter.resolve();
        else still.push(waiter);
      }
      this.#waiters = still;
      if (still.length > 0) this.#sync();
    });
  }

  #poison(error: LedgerWriteError): void {
    this.#poisoned ??= error;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(this.#poisoned);
  }

  /** Closes the file (after `drain`). */
  close(): void {
    closeSync(this.#fd);
  }

  /** Waits for every pending sync (close). */
  async drain(): Promise<void> {
    if (this.#poisoned || this.#seq === 0) return;
    await this.durable().catch(() => undefined);
  }
}
