import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { LedgerLockedError } from './errors.js';

/**
 * The file ledger's lease: one writer at a time, judged by time, never by hostname or PID (which
 * containers reuse: every CronJob pod may be PID 1 on a new host).
 *
 * The lease is a series of generation files beside the ledger, `<ledger>.lock.<generation>`; the
 * highest generation is the lease. Its holder rewrites it (write + rename) every `ttl / 3` with a
 * new expiry. Anyone may take an expired lease over by creating the next generation with O_EXCL:
 * of several racers exactly one creates it, and there is never a moment without a lease file (no
 * delete-then-create window). A holder that finds a higher generation, or its own expiry passed,
 * has lost the lease and must write nothing more.
 */
export interface LeaseInfo {
  readonly owner: string;
  readonly hostname: string;
  readonly pid: number;
  readonly acquiredAt: string;
  readonly renewedAt: string;
  /** ISO 8601; past it, the lease may be taken over. */
  readonly until: string;
  readonly released?: boolean;
}

export interface LeaseOptions {
  readonly ttlMs: number;
  readonly now: () => Date;
  /** Wait up to this long for a live lease to end (0: fail at once). */
  readonly waitMs?: number;
  /** Take over a lease whose holder stopped renewing it, before its expiry. Refused while it is renewed. */
  readonly force?: boolean;
  readonly sleep?: (ms: number) => Promise<void>;
}

const GEN_DIGITS = 12;

function generationFiles(base: string): Array<{ gen: number; path: string }> {
  const dir = dirname(base);
  const prefix = `${basename(base)}.`;
  const out: Array<{ gen: number; path: string }> = [];
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    const suffix = name.slice(prefix.length);
    if (!/^\d+$/.test(suffix)) continue;
    out.push({ gen: Number(suffix), path: join(dir, name) });
  }
  return out.sort((a, b) => a.gen - b.gen);
}

function genPath(base: string, gen: number): string {
  return `${base}.${String(gen).padStart(GEN_DIGITS, '0')}`;
}

function readLease(path: string, ttlMs: number): LeaseInfo | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    if (text.trim() !== '') return JSON.parse(text) as LeaseInfo;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  }
  // Created but never completely written (the creator died at once): it lives one TTL from its birth.
  try {
    const born = statSync(path).mtime;
    return { owner: 'unknown', hostname: 'unknown', pid: 0, acquiredAt: born.toISOString(), renewedAt: born.toISOString(), until: new Date(born.getTime() + ttlMs).toISOString() };
  } catch {
    return undefined;
  }
}

function writeAndSync(path: string, flags: string, text: string): void {
  const fd = openSync(path, flags, 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes the file whole or not at all: created exclusively (`create`: fails with EEXIST when it
 * exists), or written to a temporary file, synced, and renamed over it.
 */
function writeWhole(path: string, text: string, create: boolean): void {
  if (create) return writeAndSync(path, 'wx', text);
  const temporary = `${path}.${randomUUID()}.tmp`;
  writeAndSync(temporary, 'w', text);
  renameSync(temporary, path);
}

export function describeLease(info: LeaseInfo): string {
  return `${info.owner} (process ${info.pid} on ${info.hostname}), renewed ${info.renewedAt}, until ${info.until}`;
}

/** Who holds the lease of the ledger at `lockBase`, if anyone (for `status` and messages). */
export function currentLease(lockBase: string, ttlMs: number): LeaseInfo | undefined {
  const files = generationFiles(lockBase);
  const top = files.at(-1);
  return top ? readLease(top.path, ttlMs) : undefined;
}

export class FileLease {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID()}`;
  readonly #base: string;
  readonly #options: LeaseOptions;
  #gen = 0;
  #until = 0;
  #acquiredAt = '';
  #lost: string | undefined;
  /** How many times the next generation was looked for: a write notes it, to ask for a look made after it. */
  #checks = 0;
  get checks(): number {
    return this.#checks;
  }

  #timer: NodeJS.Timeout | undefined;
  #released = false;
  /** Called once when the lease is found lost (the job stops). */
  onLost: ((reason: string) => void) | undefined;

  constructor(lockBase: string, options: LeaseOptions) {
    this.#base = lockBase;
    this.#options = options;
  }

  get generation(): number {
    return this.#gen;
  }

  get until(): Date {
    return new Date(this.#until);
  }

  #info(now: Date, released = false): LeaseInfo {
    return {
      owner: this.owner,
      hostname: hostname(),
      pid: process.pid,
      acquiredAt: this.#acquiredAt,
      renewedAt: now.toISOString(),
      until: new Date(released ? now.getTime() : now.getTime() + this.#options.ttlMs).toISOString(),
      ...(released ? { released: true } : {}),
    };
  }

  /** Takes the lease, waiting for a live one to end when `waitMs` allows. */
  async acquire(): Promise<void> {
    const { now, ttlMs } = this.#options;
    const sleep = this.#options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const deadline = Date.now() + (this.#options.waitMs ?? 0);
    for (;;) {
      const files = generationFiles(this.#base);
      const top = files.at(-1);
      const next = (top?.gen ?? 0) + 1;
      if (top) {
        const info = readLease(top.path, ttlMs);
        if (!info) continue; // Removed under us by a winner cleaning up: look again.
        const at = now().getTime();
        const live = !info.released && Date.parse(info.until) > at;
        if (live) {
          const renewedRecently = at - Date.parse(info.renewedAt) < (2 * ttlMs) / 3;
          if (this.#options.force && !renewedRecently) {
            // Forced: the holder stopped renewing; take it over below.
          } else {
            if (Date.now() < deadline) {
              await sleep(Math.min(1000, Math.max(50, deadline - Date.now())));
              continue;
            }
            const hint = this.#options.force
              ? 'it was renewed moments ago, so its holder is alive: --force-unlock refuses'
              : this.#options.waitMs
                ? `waited ${this.#options.waitMs / 1000} s for it; wait longer (--wait-for-lock <seconds>), or for that job to finish`
                : 'wait for that job to finish, or pass --wait-for-lock <seconds>';
            throw new LedgerLockedError(`the ledger is in use by ${describeLease(info)}; ${hint}`);
          }
        }
      }
      this.#acquiredAt = now().toISOString();
      const info = this.#info(now());
      try {
        writeWhole(genPath(this.#base, next), JSON.stringify(info), true);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue; // Another racer won this generation.
        throw error;
      }
      this.#gen = next;
      this.#until = Date.parse(info.until);
      for (const old of files) rmSync(old.path, { force: true });
      this.#timer = setInterval(() => this.renew(), Math.max(50, Math.floor(ttlMs / 3)));
      this.#timer.unref();
      return;
    }
  }

  /** Renews the lease; marks it lost when someone else holds a newer generation. */
  renew(): void {
    if (this.#lost || this.#released) return;
    const files = generationFiles(this.#base);
    const top = files.at(-1);
    if (!top || top.gen !== this.#gen) {
      this.#lose(top ? `another job took the ledger over (${describeLease(readLease(top.path, this.#options.ttlMs) ?? this.#info(this.#options.now()))})` : 'its lease file was removed');
      return;
    }
    const now = this.#options.now();
    if (now.getTime() >= this.#until) {
      this.#lose(`its lease expired at ${new Date(this.#until).toISOString()} before it was renewed (was the process paused?)`);
      return;
    }
    try {
      const info = this.#info(now);
      writeWhole(top.path, JSON.stringify(info), false);
      this.#until = Date.parse(info.until);
    } catch (error) {
      // A full disk can refuse the renewal: the lease then runs out and the job stops.
      void error;
    }
  }

  #lose(reason: string): void {
    this.#lost = reason;
    if (this.#timer) clearInterval(this.#timer);
    this.onLost?.(reason);
  }

  /**
   * Throws when this process may no longer write: the lease was lost or ran out. A job that took
   * the ledger over created the next generation: a `stat` looks for it before every write (the
   * journal is written at this job's own idea of its end, so a write after a successor appended
   * would land on the successor's records).
   * `checkedSince` (a `checks` value noted after a write) asks only for a look made after that
   * write, one already made counting: the file ledger asks it once an intent is durable, and
   * `checkLease` before each send. A successor reads the journal only after creating its
   * generation, so if none existed at that look, the successor sees the intent (and looks the badge
   * up before sending); if one did, nothing is sent.
   */
  assertHeld(options: { checkedSince?: number } = {}): void {
    const look = options.checkedSince === undefined || this.#checks <= options.checkedSince;
    if (!this.#lost && !this.#released && look) {
      this.#checks += 1;
      if (existsSync(genPath(this.#base, this.#gen + 1))) {
        this.#lose(`another job took the ledger over (${describeLease(readLease(genPath(this.#base, this.#gen + 1), this.#options.ttlMs) ?? this.#info(this.#options.now()))})`);
      }
    }
    if (this.#lost) throw new LedgerLockedError(`this job lost the ledger's lease: ${this.#lost}; it writes and sends nothing more`);
    if (this.#options.now().getTime() >= this.#until) {
      this.#lose(`its lease expired at ${new Date(this.#until).toISOString()} before it was renewed (was the process paused?)`);
      throw new LedgerLockedError(`this job lost the ledger's lease: ${this.#lost}; it writes and sends nothing more`);
    }
  }

  get lost(): string | undefined {
    return this.#lost;
  }

  /** Ends the lease at once (marks it released) so that the next job need not wait for the TTL. */
  release(): void {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#released) return;
    this.#released = true;
    if (this.#lost) return;
    const top = generationFiles(this.#base).at(-1);
    if (!top || top.gen !== this.#gen) return; // Not ours any more: leave it alone.
    try {
      writeWhole(top.path, JSON.stringify(this.#info(this.#options.now(), true)), false);
    } catch {
      // It will expire by itself.
    }
  }

  /** Stops renewing without releasing, as a killed process would (tests). */
  abandon(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#released = true;
  }
}
