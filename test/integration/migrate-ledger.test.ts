import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AwardRecord, Ledger } from '../../src/ledger/contract.js';
import { copyLedger } from '../../src/ledger/copy.js';
import { MemoryLedger } from '../../src/ledger/memory.js';
import { openLedger } from '../../src/ledger/open.js';
import { openPostgresLedger } from '../../src/ledger/postgres.js';
import { award } from '../contract/ledger-contract.js';
import { runCli, cleanEnv } from '../helpers/cli.js';
import { TestClock } from '../helpers/clock.js';
import { DATABASE_URL, PG_SKIP_REASON, adminQuery, dropSchema, freshSchema, urlWithSchema } from '../helpers/postgres.js';

// Moving a ledger: every record arrives as it was, an award left issuing arrives claimable as a
// take-over (so it is looked up before anything is sent), and copying again changes nothing.
const schemas: string[] = [];
afterAll(async () => {
  if (DATABASE_URL) for (const name of schemas) await dropSchema(name);
});

async function sourceLedger(clock: TestClock): Promise<Ledger> {
  const source = new MemoryLedger({ now: clock.now });
  for (const n of [1, 2, 3, 4, 5]) await source.planAward(award(n));
  const settle = async (n: number, patch: Parameters<Ledger['writeAward']>[1]) => {
    const claim = (await source.claimAward(award(n).key, { owner: 'old-run', leaseMs: 60_000 }))!;
    return source.writeAward(award(n).key, patch, { claim });
  };
  await settle(2, { state: 'issuing', attempts: 1, request: { recipient_email: 'learner2@example.edu' } as never });
  await settle(3, {
    state: 'issued',
    attempts: 1,
    badgeId: 'badge-3',
    how: 'issued',
    issuedAt: '2026-08-02T10:00:00-04:00',
    credly: { state: 'accepted', changedAt: '2026-08-03T00:00:00Z', seenAt: '2026-08-03T00:00:01Z', url: 'https://www.credly.com/badges/badge-3' },
  });
  await settle(4, { state: 'failed', attempts: 2, lastError: 'template archived in Credly' });
  await settle(5, { state: 'revoked', badgeId: 'badge-5b', previousBadgeIds: ['badge-5a'], revocationReason: 'issued in error', issuedAt: '2026-08-04T00:00:00Z' });
  await source.putTemplate({ microcredentialId: 'mc-odd', templateId: 'tpl-odd', fingerprint: 'abc', state: 'active', allowDuplicates: false, updatedAt: '2026-08-01T00:00:00Z' });
  await source.putTemplate({ microcredentialId: 'mc-even', templateId: 'tpl-even', fingerprint: 'def', state: 'unusable', unusableReason: 'archived', allowDuplicates: true, updatedAt: '2026-08-01T00:00:00Z' });
  await source.recordEvent({ eventId: 'ev-1', eventType: 'badge.accepted', organizationId: 'org', occurredAt: '2026-08-03T00:00:00Z', state: 'processed', receivedAt: '2026-08-03T00:00:01Z', processedAt: '2026-08-03T00:00:02Z', attempts: 1 });
  await source.recordEvent({ eventId: 'ev-2', eventType: 'badge.revoked', organizationId: 'org', occurredAt: null, state: 'received', receivedAt: '2026-08-04T00:00:01Z', attempts: 0 });
  await source.putRun({ runId: 'run-1', command: 'issue', owner: 'old-run', startedAt: '2026-08-01T00:00:00Z', finishedAt: '2026-08-01T00:10:00Z', totals: { issued: 1, failed: 1 }, failures: [{ row: 5, reason: 'template archived in Credly' }] });
  return source;
}

/** A record's fields that must survive the move (versions, fences and leases are the target's own). */
function portable(record: AwardRecord | undefined) {
  if (!record) return record;
  const { version: _v, fence: _f, lease: _l, createdAt: _c, updatedAt: _u, ...rest } = record;
  return rest;
}

const targets: Array<{ name: string; skip?: string; open: (clock: TestClock) => Promise<Ledger> }> = [
  { name: 'memory', open: async (clock) => new MemoryLedger({ now: clock.now }) },
  {
    name: 'postgres',
    ...(PG_SKIP_REASON ? { skip: PG_SKIP_REASON } : {}),
    open: async (clock) => {
      const schema = freshSchema('copy');
      schemas.push(schema);
      return openPostgresLedger(DATABASE_URL!, { schema, now: clock.now });
    },
  },
];

for (const target of targets) {
  (target.skip ? describe.skip : describe)(`copyLedger into ${target.name}${target.skip ? ` (skipped: ${target.skip})` : ''}`, () => {
    it('copies every award, template, event and run as it was; copying again changes nothing', async () => {
      const clock = new TestClock();
      const source = await sourceLedger(clock);
      const into = await target.open(clock);
      const first = await copyLedger(source, into);
      expect(first).toEqual({ awards: { copied: 5, present: 0 }, templates: { copied: 2, present: 0 }, events: { copied: 2, present: 0 }, runs: 1 });
      for (const n of [1, 2, 3, 4, 5]) expect(portable(await into.getAward(award(n).key))).toEqual(portable(await source.getAward(award(n).key)));
      for (const t of await source.listTemplates()) expect(await into.getTemplate(t.microcredentialId)).toEqual(t);
      for (const id of ['ev-1', 'ev-2']) expect(await into.getEvent(id)).toEqual(await source.getEvent(id));
      expect(await into.listRuns()).toEqual(await source.listRuns());
      const versions = await Promise.all([1, 2, 3, 4, 5].map(async (n) => (await into.getAward(award(n).key))!.version));

      const second = await copyLedger(source, into);
      expect(second).toEqual({ awards: { copied: 0, present: 5 }, templates: { copied: 0, present: 2 }, events: { copied: 0, present: 2 }, runs: 1 });
      expect(await Promise.all([1, 2, 3, 4, 5].map(async (n) => (await into.getAward(award(n).key))!.version))).toEqual(versions);

      // The award the old run left issuing is a take-over: looked up before anything is sent.
      const next = await into.claimNext({ owner: 'new-worker', leaseMs: 60_000 });
      expect(next).toMatchObject({ key: award(2).key, takenOver: true });
      expect(next!.record.attempts).toBe(1);
      await into.close();
    });

    it('leaves what workers changed in the target alone, and finishes a copy that stopped half-way', async () => {
      const clock = new TestClock();
      const source = await sourceLedger(clock);
      const into = await target.open(clock);
      // A worker already issued award 1 in the target; award 4 arrived without its second half.
      await into.planAward(award(1));
      const claim = (await into.claimAward(award(1).key, { owner: 'w', leaseMs: 60_000 }))!;
      await into.writeAward(award(1).key, { state: 'issued', badgeId: 'new-badge' }, { claim });
      const four = (await source.getAward(award(4).key))!;
      await into.planAward({ ...award(4), state: 'failed' });
      const report = await copyLedger(source, into);
      expect(report.awards).toEqual({ copied: 3, present: 2 });
      expect(await into.getAward(award(1).key)).toMatchObject({ state: 'issued', badgeId: 'new-badge' });
      expect(await into.getAward(award(4).key)).toMatchObject({ state: 'failed', attempts: four.attempts, lastError: four.lastError });
      await into.close();
    });
  });
}

(PG_SKIP_REASON ? describe.skip : describe)(`migrate-ledger command${PG_SKIP_REASON ? ` (skipped: ${PG_SKIP_REASON})` : ''}`, () => {
  it('copies a file ledger into PostgreSQL (twice: the second copies nothing), prints where without the password, and refuses a wrong password in one line', async () => {
    const schema = freshSchema('cli');
    schemas.push(schema);
    const url = urlWithSchema(schema);
    const password = decodeURIComponent(new URL(url).password);
    // A real file ledger, as a campus has it before moving.
    const dir = mkdtempSync(join(tmpdir(), 'credly-migrate-'));
    const path = join(dir, 'awards.ledger');
    const file = await openLedger(path);
    const memory = await sourceLedger(new TestClock());
    await copyLedger(memory, file);
    await file.close();
    try {
      const ok = await runCli(['migrate-ledger', path, url], { env: cleanEnv });
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/^copied .*awards\.ledger into postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres\?schema=t_cli_\w+: 5 award\(s\) \(0 already there\), 2 template\(s\) \(0 already there\), 2 webhook event\(s\) \(0 already there\), 1 run\(s\)\n$/);
      expect(ok.stdout).not.toContain(password);
      const again = await runCli(['migrate-ledger', path, url], { env: cleanEnv });
      expect(again.stdout).toMatch(/: 0 award\(s\) \(5 already there\), 0 template\(s\) \(2 already there\), 0 webhook event\(s\) \(2 already there\)/);
      const pgLedger = await openPostgresLedger(url);
      for (const n of [1, 2, 3, 4, 5]) expect(portable(await pgLedger.getAward(award(n).key))).toEqual(portable(await memory.getAward(award(n).key)));
      await pgLedger.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const wrong = new URL(url);
    wrong.password = 'not-the-Pa55word';
    const refused = await runCli(['migrate-ledger', 'memory:', wrong.toString()], { env: cleanEnv });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: migrate-ledger: cannot open the PostgreSQL ledger at postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres\?schema=t_cli_\w+: password authentication failed for user "postgres"\n$/);
    expect(refused.stderr + refused.stdout).not.toContain('not-the-Pa55word');

    const same = await runCli(['migrate-ledger', url, url], { env: cleanEnv });
    expect(same.code).toBe(1);
    expect(same.stderr).toContain('<from> and <to> are the same ledger');
    expect(same.stderr).not.toContain(password);
  });

  it('--schema names the target schema; the same schema in the URL is accepted, a different one refused in one line before connecting', async () => {
    const schema = freshSchema('clischema');
    const other = freshSchema('cliother');
    schemas.push(schema, other, `${other}_b`);
    const dir = mkdtempSync(join(tmpdir(), 'credly-migrate-'));
    const path = join(dir, 'awards.ledger');
    const file = await openLedger(path);
    await copyLedger(await sourceLedger(new TestClock()), file);
    await file.close();
    const exists = async (name: string) => (await adminQuery('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [name])).length === 1;
    try {
      // The server's URL without ?schema=: --schema alone says where.
      const ok = await runCli(['migrate-ledger', path, DATABASE_URL!, '--schema', schema], { env: cleanEnv });
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(new RegExp(`into postgres://postgres@127\\.0\\.0\\.1:\\d+/postgres\\?schema=${schema}: 5 award\\(s\\) \\(0 already there\\)`));
      expect(await adminQuery(`SELECT key FROM "${schema}".awards`)).toHaveLength(5);

      // The same schema in the URL and --schema: one schema, nothing left to copy.
      const both = await runCli(['migrate-ledger', path, urlWithSchema(schema), '--schema', schema], { env: cleanEnv });
      expect(both.code, both.stderr).toBe(0);
      expect(both.stdout).toMatch(/: 0 award\(s\) \(5 already there\)/);

      // Two different ones: an error naming both, and no schema made for either.
      const clash = await runCli(['migrate-ledger', path, urlWithSchema(other), '--schema', `${other}_b`], { env: cleanEnv });
      expect(clash.code).toBe(1);
      expect(clash.stdout).toBe('');
      expect(clash.stderr).toBe(`error: migrate-ledger: the ledger URL says schema=${other} but the schema option says ${other}_b: give one\n`);
      expect(await exists(other)).toBe(false);
      expect(await exists(`${other}_b`)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
