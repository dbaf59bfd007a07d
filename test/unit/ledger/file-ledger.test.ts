import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../../../src/ledger/contract.js';
import { realJournalIo, type JournalIo } from '../../../src/ledger/file-journal.js';
import { ABANDON, FileLedger, LEDGER_VERSION } from '../../../src/ledger/file.js';
import { LedgerCorruptError, LedgerError, LedgerLockedError, LedgerWriteError } from '../../../src/ledger/errors.js';
import { TestClock } from '../../helpers/clock.js';
import { NODE_ARGS_FOR } from '../../helpers/tsx.js';
import { award } from '../../contract/ledger-contract.js';

const root = mkdtempSync(join(tmpdir(), 'file-ledger-'));
let n = 0;
const fresh = () => join(root, `ledger-${(n += 1)}.jsonl`);
const open: Ledger[] = [];
const track = <T extends Ledger>(ledger: T): T => {
  open.push(ledger);
  return ledger;
};
afterEach(async () => {
  for (const ledger of open.splice(0)) await ledger.close().catch(() => undefined);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const lockFiles = (path: string) => readdirSync(root).filter((name) => name.startsWith(`${path.split('/').at(-1)}.lock.`) && !name.endsWith('.tmp'));

describe('file ledger: the file', () => {
  it('is created mode 0600 (it holds names, emails and evidence)', async () => {
    const path = fresh();
    track(await FileLedger.open(path));
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses a directory as its path, saying what to give instead', async () => {
    const dir = join(root, 'a-directory');
    mkdirSync(dir);
    const error = await FileLedger.open(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerError);
    expect(error).toMatchObject({ code: 'LEDGER_IS_DIRECTORY' });
    expect((error as Error).message).toMatch(/is a directory: give a file path, e\.g\. .*credly-ledger\.jsonl/);
  });

  it('opens a v1 ledger, reads its records, and rewrites it as v2 on the first open for writing', async () => {
    const path = fresh();
    const v1Award = {
      type: 'award', key: 'mc|E1', microcredentialId: 'mc', templateId: 't', email: 'a@example.edu', earnerId: 'E1', state: 'issued', attempts: 1,
      badgeId: 'b1', request: null, how: 'issued', lastError: null, credlyState: 'accepted', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-02T00:00:00.000Z',
    };
    const v1 = [{ type: 'header', format: 'credly-microcredentials-ledger', version: 1, createdAt: '2026-01-01T00:00:00.000Z' }, v1Award];
    writeFileSync(path, `${v1.map((line) => JSON.stringify(line)).join('\n')}\n`);
    // A read-only open (status) leaves the file as it is.
    const reader = await FileLedger.readOnly(path);
    expect(await reader.getAward('mc|E1')).toMatchObject({ version: 1, fence: 0, lease: null, snapshot: null, credly: { state: 'accepted' }, issuedAt: '2026-01-02T00:00:00.000Z' });
    await reader.close();
    expect(readFileSync(path, 'utf8')).toContain('"version":1');
    const ledger = track(await FileLedger.open(path));
    expect(JSON.parse(readFileSync(path, 'utf8').split('\n')[0]!)).toMatchObject({ type: 'header', version: LEDGER_VERSION });
    expect(await ledger.getAward('mc|E1')).toMatchObject({ state: 'issued', badgeId: 'b1', credly: { state: 'accepted' } });
    expect(await ledger.claimAward('mc|E1', { owner: 'w', leaseMs: 1000 })).toBeNull();
  });

  it('a bad line before the end stops the open with LedgerCorruptError naming the line, and leaves the file as it was', async () => {
    for (const bad of [{ line: 'not a JSON record {', says: /line 3 is not a JSON record/ }, { line: '{"type":"mystery"}', says: /line 3 has an unknown record type/ }]) {
      const path = fresh();
      const ledger = await FileLedger.open(path);
      for (let k = 0; k < 3; k += 1) await ledger.planAward(award(k));
      await ledger.close();
      const lines = readFileSync(path, 'utf8').split('\n'); // header, three awards, and '' after the last newline
      lines.splice(2, 0, bad.line);
      writeFileSync(path, lines.join('\n'));
      const before = readFileSync(path);
      // For writing (twice: the failed open released its lease) and read-only, as status opens it.
      for (const opening of [() => FileLedger.open(path), () => FileLedger.open(path), () => FileLedger.readOnly(path)]) {
        const error = await opening().then((opened) => track(opened), (e: unknown) => e);
        expect(error).toBeInstanceOf(LedgerCorruptError);
        expect(error).toMatchObject({ code: 'LEDGER_CORRUPT', message: expect.stringMatching(bad.says) });
        expect((error as Error).message).toContain(path);
      }
      expect(readFileSync(path).equals(before)).toBe(true);
    }
  });

  it('keeps only an index in memory and reads records back from the file', async () => {
    const path = fresh();
    const ledger = track(await FileLedger.open(path));
    for (let k = 0; k < 50; k += 1) await ledger.planAward(award(k));
    await ledger.close();
    const reopened = track(await FileLedger.open(path));
    expect((await reopened.getAward(award(7).key))?.snapshot?.learner.firstName).toBe('First7');
    const { recordsBefore, recordsAfter } = await reopened.compact();
    expect(recordsBefore).toBe(51);
    expect(recordsAfter).toBe(51);
    expect((await reopened.getAward(award(49).key))?.email).toBe('Learner49@Example.edu');
  });
});

describe('file ledger: the lease (container-safe)', () => {
  it('takes over a lease left by a dead owner with the same PID on another host once its TTL has passed', async () => {
    const path = fresh();
    const clock = new TestClock();
    const base = FileLedger.lockBase(path);
    // A pod that crashed: PID 1 in containers repeats, hostnames change. Only time decides.
    const left = { owner: 'pod-a:1:dead', hostname: 'pod-a-7f9c', pid: process.pid, acquiredAt: clock.now().toISOString(), renewedAt: clock.now().toISOString(), until: new Date(clock.now().getTime() + 30_000).toISOString() };
    writeFileSync(`${base}.000000000001`, JSON.stringify(left));
    const refused = await FileLedger.open(path, { lockNow: clock.now }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LedgerLockedError);
    expect((refused as Error).message).toMatch(/in use by pod-a:1:dead \(process \d+ on pod-a-7f9c\), renewed .*, until .*; wait for that job to finish, or pass --wait-for-lock/);
    clock.advance(30_001);
    const ledger = track(await FileLedger.open(path, { lockNow: clock.now }));
    await ledger.planAward(award(1));
    expect(lockFiles(path)).toEqual([`${path.split('/').at(-1)}.lock.000000000002`]);
  });

  it('--force-unlock takes over a lease that is no longer renewed, and refuses one that is', async () => {
    const path = fresh();
    const clock = new TestClock();
    const base = FileLedger.lockBase(path);
    const stale = { owner: 'gone', hostname: hostname(), pid: 99999, acquiredAt: clock.now().toISOString(), renewedAt: new Date(clock.now().getTime() - 25_000).toISOString(), until: new Date(clock.now().getTime() + 5_000).toISOString() };
    writeFileSync(`${base}.000000000001`, JSON.stringify(stale));
    track(await FileLedger.open(path, { lockNow: clock.now, forceUnlock: true }));
    const live = await FileLedger.open(path, { lockNow: clock.now, forceUnlock: true }).catch((e: unknown) => e);
    expect((live as Error).message).toMatch(/renewed moments ago, so its holder is alive: --force-unlock refuses/);
  });

  it('waits for a live lease with waitForLockMs, and takes the ledger when its holder closes', async () => {
    const path = fresh();
    const first = await FileLedger.open(path);
    setTimeout(() => void first.close(), 150);
    const second = track(await FileLedger.open(path, { waitForLockMs: 5_000 }));
    await second.planAward(award(2));
  });

  it('keys the lease on the real path: a symlink reaches the same lease', async () => {
    const path = fresh();
    const link = join(root, `link-${n}.jsonl`);
    track(await FileLedger.open(path));
    symlinkSync(path, link);
    await expect(FileLedger.open(link)).rejects.toBeInstanceOf(LedgerLockedError);
    const dirLink = join(root, `dirlink-${n}`);
    symlinkSync(root, dirLink);
    await expect(FileLedger.open(join(dirLink, path.split('/').at(-1)!))).rejects.toBeInstanceOf(LedgerLockedError);
  });

  it('a job paused past its lease writes nothing more, even before anyone takes over', async () => {
    const path = fresh();
    const clock = new TestClock();
    const ledger = track(await FileLedger.open(path, { lockNow: clock.now, lockTtlMs: 1_000 }));
    await ledger.planAward(award(3));
    clock.advance(1_001); // SIGSTOP for longer than the TTL, then SIGCONT
    const error = await ledger.planAward(award(4)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerLockedError);
    expect((error as Error).message).toMatch(/lost the ledger's lease: its lease expired .* it writes and sends nothing more/);
  });

  it('a job whose lease was taken over (its clock disagrees, or it was paused) writes nothing more', async () => {
    const path = fresh();
    const clockA = new TestClock();
    const clockB = new TestClock();
    const a = track(await FileLedger.open(path, { lockNow: clockA.now, lockTtlMs: 60_000 }));
    const lost: string[] = [];
    a.onLeaseLost = (reason) => lost.push(reason);
    await a.planAward(award(5));
    const claim = (await a.claimAward(award(5).key, { owner: a.owner, leaseMs: 60_000 }))!;
    // B's clock says A's lease ran out: B takes over. A's own clock still says it holds it.
    clockB.advance(60_001);
    const b = track(await FileLedger.open(path, { lockNow: clockB.now, lockTtlMs: 60_000 }));
    // A's intent, written after B read the journal (B does not know it): refused once durable,
    // before A could send the badge.
    const refused = await a.writeAward(award(5).key, { state: 'issuing', attempts: 1 }, { claim }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LedgerLockedError);
    expect((refused as Error).message).toMatch(/another job took the ledger over/);
    expect(lost).toHaveLength(1);
    // And A writes nothing more.
    const error = await a.planAward(award(6)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerLockedError);
    await b.planAward(award(6));
    expect(await b.getAward(award(6).key)).toBeDefined();
  });

  it('two jobs racing for a stale lease: exactly one proceeds (separate processes, repeated)', async () => {
    for (let trial = 0; trial < 3; trial += 1) {
      const path = fresh();
      const base = FileLedger.lockBase(path);
      const past = new Date(Date.now() - 60_000).toISOString();
      writeFileSync(`${base}.000000000001`, JSON.stringify({ owner: 'dead', hostname: 'old-pod', pid: 1, acquiredAt: past, renewedAt: past, until: past }));
      const goAt = Date.now() + 2_500;
      const results = await Promise.all(
        [0, 1, 2].map(
          () =>
            new Promise<string>((resolve, reject) => {
              const child = spawn(process.execPath, [...NODE_ARGS_FOR(new URL('../../helpers/children/open-ledger.ts', import.meta.url)), path, String(goAt)], { stdio: ['ignore', 'pipe', 'pipe'] });
              let out = '';
              let err = '';
              child.stdout.on('data', (c) => (out += c));
              child.stderr.on('data', (c) => (err += c));
              child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`child exited ${code}: ${err}`))));
            }),
        ),
      );
      expect(results.filter((r) => r === 'acquired'), `trial ${trial}: ${results.join(', ')}`).toHaveLength(1);
      expect(results.filter((r) => r === 'locked')).toHaveLength(2);
    }
  }, 60_000);
});

describe('file ledger: an intent counts only when it is whole and on disk', () => {
  const failing = (overrides: Partial<JournalIo>): JournalIo => ({ ...realJournalIo, ...overrides });

  it('a short write (a full disk part-way) is refused, cut off the file, and nothing after it is written', async () => {
    const path = fresh();
    // The third record gets half its bytes onto the disk, then the disk is full.
    let writes = 0;
    let full = false;
    const ledger = track(
      await FileLedger.open(path, {
        io: failing({
          writeSync: (fd, buffer, offset, length, position) => {
            if (full) return 0;
            writes += 1;
            if (writes < 3) return realJournalIo.writeSync(fd, buffer, offset, length, position);
            full = true;
            return realJournalIo.writeSync(fd, buffer, offset, Math.floor(length / 2), position);
          },
        }),
      }),
    );
    await ledger.planAward(award(1));
    await ledger.planAward(award(2));
    const error = await ledger.planAward(award(3)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerWriteError);
    expect((error as Error).message).toMatch(/could not write the ledger .*ENOSPC.*nothing that depended on it was sent; free disk space/);
    await expect(ledger.planAward(award(4))).rejects.toBeInstanceOf(LedgerWriteError);
    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n').filter(Boolean)).toHaveLength(3); // header + 2 whole records
    await ledger.close();
    const reopened = track(await FileLedger.open(path));
    expect(await reopened.getAward(award(3).key)).toBeUndefined();
    expect((await reopened.getAward(award(2).key))?.state).toBe('planned');
  });

  it('ENOSPC thrown by the write is refused the same way', async () => {
    const path = fresh();
    let fail = false;
    const ledger = track(
      await FileLedger.open(path, {
        io: failing({
          writeSync: (...args) => {
            if (fail) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
            return realJournalIo.writeSync(...args);
          },
        }),
      }),
    );
    await ledger.planAward(award(1));
    fail = true;
    await expect(ledger.planAward(award(2))).rejects.toMatchObject({ code: 'LEDGER_WRITE_FAILED' });
  });

  it('a failed fsync fails every record waiting on it, and the ledger refuses more', async () => {
    const path = fresh();
    let fail = false;
    const ledger = track(
      await FileLedger.open(path, {
        io: failing({
          fdatasync: (fd, callback) => (fail ? setImmediate(() => callback(Object.assign(new Error('EIO'), { code: 'EIO' }))) : realJournalIo.fdatasync(fd, callback)),
        }),
      }),
    );
    for (const n of [1, 2, 3]) await ledger.planAward(award(n));
    fail = true;
    // Writes that wait for the disk (an intent, an outcome): both fail with the sync they shared.
    const results = await Promise.allSettled([ledger.writeAward(award(2).key, { lastError: 'x' }, { any: true }), ledger.writeAward(award(3).key, { lastError: 'y' }, { any: true })]);
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof LedgerWriteError)).toBe(true);
    expect(((results[0] as PromiseRejectedResult).reason as Error).message).toMatch(/could not sync the ledger .*EIO/);
    fail = false;
    await expect(ledger.writeAward(award(1).key, { lastError: 'z' }, { any: true })).rejects.toBeInstanceOf(LedgerWriteError);
    await expect(ledger.planAward(award(4))).rejects.toBeInstanceOf(LedgerWriteError);
  });

  it('plans, claims and records the intent of a new award in one record, durable before it resolves', async () => {
    const path = fresh();
    let syncs = 0;
    const lockClock = new TestClock();
    const ledger = await FileLedger.open(path, {
      lockNow: lockClock.now,
      lockTtlMs: 1_000,
      io: failing({
        fdatasync: (fd, callback) => {
          syncs += 1;
          realJournalIo.fdatasync(fd, callback);
        },
      }),
    });
    const lines = () => readFileSync(path, 'utf8').split('\n').filter(Boolean).length;
    const before = lines();
    const made = await ledger.planAndClaim({ ...award(1), request: { badge_template_id: 'tpl-odd' } as never }, { owner: 'w', leaseMs: 10_000, intent: true });
    expect(made.created).toBe(true);
    // One record (planAward, claimAward and the intent's writeAward wrote three), and one sync.
    expect(lines()).toBe(before + 1);
    expect(syncs).toBe(1);
    // A crash now: the award reads back issuing, to be looked up before any send.
    ledger[ABANDON]();
    lockClock.advance(1_001);
    const reopened = track(await FileLedger.open(path, { lockNow: lockClock.now, lockTtlMs: 1_000 }));
    expect(await reopened.getAward(award(1).key)).toMatchObject({ state: 'issuing', attempts: 1, fence: 1 });
  });

  it('a lazy outcome starts no sync of its own, and is on disk after close', async () => {
    const path = fresh();
    let syncs = 0;
    const ledger = await FileLedger.open(path, {
      io: failing({
        fdatasync: (fd, callback) => {
          syncs += 1;
          realJournalIo.fdatasync(fd, callback);
        },
      }),
    });
    await ledger.planAward(award(1));
    const claim = (await ledger.claimAward(award(1).key, { owner: 'w', leaseMs: 10_000 }))!;
    await ledger.writeAward(award(1).key, { state: 'issuing', attempts: 1 }, { claim });
    const before = syncs;
    await ledger.writeAward(award(1).key, { state: 'issued', badgeId: 'b1' }, { claim, lazy: true });
    expect(syncs).toBe(before);
    await ledger.close();
    expect(syncs).toBe(before + 1);
    const reopened = track(await FileLedger.open(path));
    expect(await reopened.getAward(award(1).key)).toMatchObject({ state: 'issued', badgeId: 'b1', lease: null });
  });

  it('batches: records written while a sync is in flight share the next one', async () => {
    const path = fresh();
    let syncs = 0;
    const ledger = track(
      await FileLedger.open(path, {
        io: failing({
          fdatasync: (fd, callback) => {
            syncs += 1;
            realJournalIo.fdatasync(fd, callback);
          },
        }),
      }),
    );
    for (let k = 0; k < 64; k += 1) await ledger.planAward(award(k));
    syncs = 0;
    await Promise.all(Array.from({ length: 64 }, (_, k) => ledger.writeAward(award(k).key, { lastError: null }, { any: true })));
    expect(syncs).toBeGreaterThanOrEqual(1);
    expect(syncs).toBeLessThanOrEqual(3);
  });
});
