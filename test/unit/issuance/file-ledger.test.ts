import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileLedger, LedgerCorruptError, LedgerLockedError, type AwardRecord } from '../../../src/index.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-'));
  path = join(dir, 'awards.ledger');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const award = (n: number, state: AwardRecord['state'] = 'issuing'): AwardRecord => ({
  key: `coding-in-sql|B${n}`,
  microcredentialId: 'coding-in-sql',
  templateId: 't1',
  email: `l${n}@example.edu`,
  earnerId: `B${n}`,
  state,
  attempts: 1,
  badgeId: state === 'issued' ? `badge-${n}` : null,
  request: null,
  lastError: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

describe('FileLedger', () => {
  it('writes a header, appends one line per record, and reads the last record per key back', async () => {
    const ledger = await FileLedger.open(path);
    await ledger.putAward(award(1));
    await ledger.putAward(award(1, 'issued'));
    await ledger.putTemplate({ microcredentialId: 'coding-in-sql', templateId: 't1', fingerprint: 'f', state: 'active', allowDuplicates: false, updatedAt: 'x' });
    await ledger.putEvent({ eventId: 'e1', eventType: 'badge.created', organizationId: 'o', occurredAt: null, state: 'processed', receivedAt: 'x', processedAt: 'x', attempts: 1 });
    await ledger.close();
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['header', 'award', 'award', 'template', 'event']);
    const again = await FileLedger.open(path);
    expect(again.getAward('coding-in-sql|B1')?.state).toBe('issued');
    expect(again.getTemplate('coding-in-sql')?.templateId).toBe('t1');
    expect(again.getEvent('e1')?.state).toBe('processed');
    await again.close();
  });

  it('has the record on disk once put resolves, and shares an fsync among records that arrive together', async () => {
    const ledger = await FileLedger.open(path);
    await Promise.all(Array.from({ length: 200 }, (_, i) => ledger.putAward(award(i, 'issued'))));
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(201);
    await ledger.putAward(award(999));
    expect(readFileSync(path, 'utf8')).toContain('"key":"coding-in-sql|B999"');
    await ledger.close();
  });

  it('ignores and cuts off a torn last line left by a crash', async () => {
    const ledger = await FileLedger.open(path);
    await ledger.putAward(award(1, 'issued'));
    await ledger.close();
    appendFileSync(path, '{"type":"award","key":"coding-in-sql|B2","sta');
    const again = await FileLedger.open(path);
    expect(again.tornLinesDropped).toBe(1);
    expect(again.getAward('coding-in-sql|B2')).toBeUndefined();
    await again.putAward(award(3, 'issued'));
    await again.close();
    const third = await FileLedger.open(path);
    expect([...third.awards()].map((a) => a.key)).toEqual(['coding-in-sql|B1', 'coding-in-sql|B3']);
    await third.close();
  });

  it('refuses a corrupt line in the middle, naming it', async () => {
    const ledger = await FileLedger.open(path);
    await ledger.putAward(award(1));
    await ledger.close();
    appendFileSync(path, 'garbage\n{"type":"award","key":"x"}\n');
    await expect(FileLedger.open(path)).rejects.toThrow(LedgerCorruptError);
    await expect(FileLedger.open(path)).rejects.toThrow(/line 3 is not a JSON record/);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('refuses a ledger of another format', async () => {
    writeFileSync(path, '{"type":"header","format":"something-else","version":1}\n');
    await expect(FileLedger.open(path)).rejects.toThrow(/format something-else/);
  });

  it('lets one writer in at a time', async () => {
    const ledger = await FileLedger.open(path);
    await expect(FileLedger.open(path)).rejects.toThrow(LedgerLockedError);
    await expect(FileLedger.open(path)).rejects.toThrow(new RegExp(`in use by process ${process.pid}`));
    await ledger.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
    const next = await FileLedger.open(path);
    await next.close();
  });

  it('takes over the lock of a process that is gone', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: Number(dead), hostname: (await import('node:os')).hostname(), startedAt: 'then' }));
    const ledger = await FileLedger.open(path);
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8')).pid).toBe(process.pid);
    await ledger.close();
  });

  it('takes a live lock only with forceUnlock', async () => {
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.pid, hostname: (await import('node:os')).hostname(), startedAt: 'now' }));
    await expect(FileLedger.open(path)).rejects.toThrow(/--force-unlock/);
    const ledger = await FileLedger.open(path, { forceUnlock: true });
    await ledger.close();
  });

  it('reads without the lock and without changing the file, read-only', async () => {
    const writer = await FileLedger.open(path);
    await writer.putAward(award(1, 'issued'));
    appendFileSync(path, '{"type":"award","key":"torn');
    const reader = await FileLedger.readOnly(path);
    expect(reader.getAward('coding-in-sql|B1')?.state).toBe('issued');
    expect(reader.tornLinesDropped).toBe(1);
    expect(readFileSync(path, 'utf8').endsWith('"torn')).toBe(true); // not cut off by a reader
    await expect(reader.putAward(award(2))).rejects.toThrow(/read-only/);
    await reader.close();
    expect(existsSync(`${path}.lock`)).toBe(true); // the writer's lock is untouched
    await writer.close();
  });

  it("does not remove a lock that another process took over", async () => {
    const first = await FileLedger.open(path);
    const second = await FileLedger.open(path, { forceUnlock: true });
    await first.close();
    expect(existsSync(`${path}.lock`)).toBe(true);
    await second.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('compacts to the current records and recent events, atomically, and goes on appending', async () => {
    const ledger = await FileLedger.open(path);
    for (let n = 1; n <= 20; n += 1) {
      await ledger.putAward(award(n));
      await ledger.putAward(award(n, 'issued'));
    }
    const event = (id: string, processedAt: string) => ({ eventId: id, eventType: 'badge.created', organizationId: 'o', occurredAt: null, state: 'processed' as const, receivedAt: processedAt, processedAt, attempts: 1 });
    await ledger.putEvent(event('old', '2026-01-01T00:00:00.000Z'));
    await ledger.putEvent(event('recent', '2026-11-20T00:00:00.000Z'));
    await ledger.putEvent({ ...event('unfinished', '2026-01-01T00:00:00.000Z'), state: 'received', processedAt: undefined });
    const result = await ledger.compact({ now: () => new Date('2026-11-28T00:00:00Z') });
    expect(result).toEqual({ linesBefore: 44, linesAfter: 23 });
    await ledger.putAward(award(21, 'issued'));
    await ledger.close();
    expect(existsSync(`${path}.compacting`)).toBe(false);
    const again = await FileLedger.open(path);
    expect([...again.awards()]).toHaveLength(21);
    expect([...again.awards()].every((a) => a.state === 'issued')).toBe(true);
    expect([...again.events()].map((e) => e.eventId).sort()).toEqual(['recent', 'unfinished']);
    await again.close();
  });

  it('refuses writes after close', async () => {
    const ledger = await FileLedger.open(path);
    await ledger.close();
    await expect(ledger.putAward(award(1))).rejects.toThrow(/closed/);
  });
});
