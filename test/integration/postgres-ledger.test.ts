import { inspect } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Claim, Ledger } from '../../src/ledger/contract.js';
import { LedgerClosedError, LedgerError, LedgerWriteError } from '../../src/ledger/errors.js';
import { openLedger } from '../../src/ledger/open.js';
import { openPostgresLedger, type PgLedger } from '../../src/ledger/postgres.js';
import { lockKey, MIGRATIONS, SCHEMA_VERSION } from '../../src/ledger/postgres/migrations.js';
import { award } from '../contract/ledger-contract.js';
import { TestClock } from '../helpers/clock.js';
import { DATABASE_URL, PG_SKIP_REASON, adminQuery, dropSchema, freshSchema, urlWithSchema } from '../helpers/postgres.js';

// What only a shared server can show: concurrent opens, concurrent claims from two handles, one
// rate for every handle, schemas side by side, and a password that never leaks.
const suite = PG_SKIP_REASON ? describe.skip : describe;
const schemas: string[] = [];
const schema = (prefix: string) => {
  const name = freshSchema(prefix);
  schemas.push(name);
  return name;
};

afterAll(async () => {
  if (DATABASE_URL) for (const name of schemas) await dropSchema(name);
});

suite(`PostgreSQL ledger on a real server${PG_SKIP_REASON ? ` (skipped: ${PG_SKIP_REASON})` : ''}`, () => {
  it('ten workers opening at once migrate the schema once', async () => {
    const name = schema('migrate');
    const ledgers = await Promise.all(Array.from({ length: 10 }, () => openPostgresLedger(DATABASE_URL!, { schema: name })));
    const applied = ledgers.map((ledger) => ledger.migrationsApplied);
    expect(applied.reduce((a, b) => a + b, 0)).toBe(MIGRATIONS.length);
    expect(applied.filter((n) => n > 0)).toHaveLength(1);
    const rows = await adminQuery<{ version: number }>(`SELECT version FROM "${name}".ledger_migrations ORDER BY version`);
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    await Promise.all(ledgers.map((ledger) => ledger.close()));
  });

  it('a schema at version 1 (before event leases) is migrated on open: its events kept, and claimable', async () => {
    const name = schema('v1');
    // The schema as the previous release left it: migration 1 alone, and an event received.
    await adminQuery(`CREATE SCHEMA "${name}"`);
    await adminQuery(`SET search_path TO "${name}"; ${MIGRATIONS[0]!.sql}`);
    await adminQuery(`CREATE TABLE "${name}".ledger_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    await adminQuery(`INSERT INTO "${name}".ledger_migrations (version, name) VALUES (1, $1)`, [MIGRATIONS[0]!.name]);
    await adminQuery(`INSERT INTO "${name}".events (event_id, event_type, organization_id, occurred_at, state, received_at, attempts) VALUES ('ev-old', 'badge.created', 'org', NULL, 'received', '2026-11-01T00:00:00.000Z', 1)`);
    // A reader of this version refuses it until a read-write open migrates it.
    await expect(openPostgresLedger(DATABASE_URL!, { schema: name, readOnly: true })).rejects.toThrow(/at version 1, not 2/);
    const ledger = await openPostgresLedger(DATABASE_URL!, { schema: name });
    expect(ledger.migrationsApplied).toBe(MIGRATIONS.length - 1);
    expect(await ledger.getEvent('ev-old')).toMatchObject({ state: 'received', attempts: 1, lease: null });
    expect(await ledger.claimEvent('ev-old', { owner: 'r', leaseMs: 60_000 })).toMatchObject({ attempts: 2, lease: { owner: 'r' } });
    expect(await ledger.claimEvent('ev-old', { owner: 'other', leaseMs: 60_000 })).toBeUndefined();
    await ledger.close();
  });

  it('opening a schema already at this version waits for no migration lock', async () => {
    const name = schema('migrated');
    await (await openPostgresLedger(DATABASE_URL!, { schema: name })).close();
    // Another session holds the migration lock (a worker migrating, or stuck): opening reads the
    // version and goes on. Before, every open queued on this lock.
    const holder = new pg.Client({ connectionString: DATABASE_URL });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lockKey(name, 'migrate')]);
      let timer: NodeJS.Timeout | undefined;
      const opened = await Promise.race([
        openPostgresLedger(DATABASE_URL!, { schema: name }),
        new Promise<'waited'>((resolve) => (timer = setTimeout(() => resolve('waited'), 5_000))),
      ]);
      clearTimeout(timer);
      expect(opened).not.toBe('waited');
      expect((opened as PgLedger).migrationsApplied).toBe(0);
      await (opened as PgLedger).close();
    } finally {
      await holder.end();
    }
  });

  it('opening a schema already at this version is one statement (workers starting together each pay it)', async () => {
    const name = schema('onestatement');
    await (await openPostgresLedger(DATABASE_URL!, { schema: name })).close();
    const sent: string[] = [];
    const query = pg.Client.prototype.query;
    const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
      const first = args[0];
      sent.push(typeof first === 'string' ? first : String((first as { text?: string }).text));
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query);
    let opened: PgLedger;
    try {
      opened = await openPostgresLedger(DATABASE_URL!, { schema: name });
    } finally {
      spy.mockRestore();
    }
    await opened.close();
    // Before: a look for the migrations table (to_regclass), then the read of its version.
    expect(sent).toEqual([expect.stringMatching(/^SELECT max\(version\) AS version FROM "[a-z]+_onestatement_[a-z0-9]+"\.ledger_migrations$/)]);
  });

  it('two handles claiming concurrently (8 at a time each) never hand out the same award', async () => {
    const name = schema('claims');
    const a = await openPostgresLedger(DATABASE_URL!, { schema: name });
    const b = await openPostgresLedger(DATABASE_URL!, { schema: name });
    for (let n = 0; n < 200; n += 1) await a.planAward(award(n));
    const claims: Claim[] = [];
    const drain = async (ledger: Ledger) => {
      for (;;) {
        const claim = await ledger.claimNext({ owner: ledger.owner, leaseMs: 60_000 });
        if (!claim) return;
        claims.push(claim);
        await ledger.writeAward(claim.key, { state: 'issued', badgeId: `badge-${claim.key}` }, { claim });
      }
    };
    await Promise.all([a, b].flatMap((ledger) => Array.from({ length: 8 }, () => drain(ledger))));
    expect(claims).toHaveLength(200);
    expect(new Set(claims.map((c) => c.key)).size).toBe(200);
    expect(new Set(claims.map((c) => c.owner)).size).toBe(2);
    const rows = await adminQuery<{ fence: number; n: string }>(`SELECT fence, count(*) AS n FROM "${name}".awards GROUP BY fence`);
    expect(rows).toEqual([{ fence: 1, n: '200' }]);
    expect(await a.countAwards()).toMatchObject({ issued: 200, planned: 0 });
    await a.close();
    await b.close();
  });

  it('a claim steps over the row another worker is claiming at that instant instead of waiting for it', async () => {
    const name = schema('skipone');
    // A handle whose statements give up on any lock wait after 300 ms: a claim that waited for the
    // locked row would fail with PostgreSQL's lock timeout instead of returning.
    const ledger = await openPostgresLedger(DATABASE_URL!, { schema: name, backend: { lock_timeout: 300 } });
    for (const n of [1, 2, 3]) await ledger.planAward(award(n));
    // Another worker's claim in progress: the first row in load order, locked in an open transaction.
    const other = new pg.Client({ connectionString: DATABASE_URL });
    await other.connect();
    try {
      await other.query('BEGIN');
      const locked = (await other.query<{ key: string }>(`SELECT key FROM "${name}".awards ORDER BY seq LIMIT 1 FOR UPDATE`)).rows[0]!.key;
      expect(locked).toBe(award(1).key);
      const claim = await ledger.claimNext({ owner: ledger.owner, leaseMs: 60_000 });
      expect(claim?.key).toBe(award(2).key);
    } finally {
      await other.query('ROLLBACK');
      await other.end();
    }
    await ledger.close();
  });

  it('four handles claiming batches concurrently, intents included, never hand out the same award', async () => {
    const name = schema('batches');
    const handles = await Promise.all(Array.from({ length: 4 }, () => openPostgresLedger(DATABASE_URL!, { schema: name })));
    const request = { badge_template_id: 'tpl', recipient_email: 'x@example.edu' } as never;
    // Planned in batches by every handle at once, as four workers load one roster.
    const all = Array.from({ length: 300 }, (_, n) => ({ ...award(n), request }));
    const planned = await Promise.all(handles.map((ledger) => ledger.planAwards!(all)));
    expect(planned.flat().filter((r) => r.created)).toHaveLength(300);
    const claims: Claim[] = [];
    const drain = async (ledger: PgLedger) => {
      for (;;) {
        const batch = await ledger.claimBatch!({ owner: ledger.owner, leaseMs: 60_000, limit: 7, intent: true });
        if (batch.length === 0) return;
        claims.push(...batch);
        for (const claim of batch) await ledger.writeAward(claim.key, { state: 'issued', badgeId: `badge-${claim.key}` }, { claim, lazy: true });
      }
    };
    await Promise.all(handles.flatMap((ledger) => [drain(ledger), drain(ledger)]));
    expect(claims).toHaveLength(300);
    expect(new Set(claims.map((c) => c.key)).size).toBe(300);
    expect(claims.every((c) => c.intent === true && !c.takenOver && c.record.state === 'issuing' && c.record.attempts === 1)).toBe(true);
    expect(new Set(claims.map((c) => c.owner)).size).toBeGreaterThan(1);
    await Promise.all(handles.map((ledger) => ledger.close())); // writes the lazy outcomes
    const rows = await adminQuery<{ fence: number; attempts: number; state: string; n: string }>(`SELECT fence, attempts, state, count(*) AS n FROM "${name}".awards GROUP BY fence, attempts, state`);
    expect(rows).toEqual([{ fence: 1, attempts: 1, state: 'issued', n: '300' }]);
  });

  it('a batch claim steps over rows another worker is claiming at that instant instead of waiting for them', async () => {
    const name = schema('skip');
    const ledger = await openPostgresLedger(DATABASE_URL!, { schema: name });
    await ledger.planAwards!(Array.from({ length: 12 }, (_, n) => award(n)));
    // Another worker's claim in progress: the first five rows in load order, locked in an open transaction.
    const other = new pg.Client({ connectionString: DATABASE_URL });
    await other.connect();
    try {
      await other.query('BEGIN');
      const locked = (await other.query<{ key: string }>(`SELECT key FROM "${name}".awards ORDER BY seq LIMIT 5 FOR UPDATE`)).rows.map((r) => r.key);
      const claims = await Promise.race([
        ledger.claimBatch!({ owner: ledger.owner, leaseMs: 60_000, limit: 5 }),
        new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('the batch claim waited for the locked rows')), 3000)),
      ]);
      expect(claims).toHaveLength(5);
      expect(claims.filter((c) => locked.includes(c.key))).toEqual([]);
    } finally {
      await other.query('ROLLBACK');
      await other.end();
    }
    await ledger.close();
  });

  it('leases are judged by the database clock when no clock is injected', async () => {
    const ledger = await openPostgresLedger(urlWithSchema(schema('dbclock')));
    await ledger.planAward(award(1));
    const claim = (await ledger.claimAward(award(1).key, { owner: 'w', leaseMs: 60_000 }))!;
    const [{ now }] = (await adminQuery<{ now: Date }>('SELECT now() AS now')) as [{ now: Date }];
    const ahead = Date.parse(claim.record.lease!.until) - now.getTime();
    expect(ahead).toBeGreaterThan(50_000);
    expect(ahead).toBeLessThanOrEqual(60_000);
    await ledger.close();
  });

  it('a rate is shared by every handle: slots come from one sequence in the database', async () => {
    const name = schema('rate');
    const clock = new TestClock();
    const a = await openPostgresLedger(DATABASE_URL!, { schema: name, now: clock.now });
    const b = await openPostgresLedger(DATABASE_URL!, { schema: name, now: clock.now });
    // 10/s for the whole job: each reservation, from either handle, waits 100 ms more than the last.
    const waits = [];
    for (const ledger of [a, b, a, b, b]) waits.push(await ledger.reserveRateSlot('org-1', 10));
    expect(waits).toEqual([0, 100, 200, 300, 400]);
    // Another organization has its own bucket.
    expect(await b.reserveRateSlot('org-2', 10)).toBe(0);
    // An idle bucket does not bank slots: after a quiet second the next request goes at once, the one after waits.
    clock.advance(2000);
    expect(await a.reserveRateSlot('org-1', 10)).toBe(0);
    expect(await b.reserveRateSlot('org-1', 10)).toBe(100);
    // Concurrent reservations still get distinct slots, and are not given to a session while
    // another runs on it (pg 8 warns of that on stderr, once per process: this file's first burst).
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).reserveRateSlot('org-3', 20)));
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    process.off('warning', onWarning);
    expect([...burst].sort((x, y) => x - y)).toEqual([0, 50, 100, 150, 200, 250, 300, 350, 400, 450]);
    expect(warnings.filter((message) => /already executing a query/.test(message))).toEqual([]);
    await a.close();
    await b.close();
  });

  it('rate slots are reserved on a session of their own: a reservation does not queue behind the pool\'s other statements', async () => {
    const name = schema('ratesession');
    // A pool of two connections: the rate session takes one.
    const ledger = await openPostgresLedger(DATABASE_URL!, { schema: name, backend: { max: 2 } });
    expect(await ledger.reserveRateSlot('org', 1000)).toBe(0);
    const holder = new pg.Client({ connectionString: DATABASE_URL });
    await holder.connect();
    let write: Promise<unknown> | undefined;
    try {
      await holder.query('BEGIN');
      await holder.query(`LOCK TABLE "${name}".awards IN ACCESS EXCLUSIVE MODE`);
      // Writes stuck behind that lock: every connection of the pool is busy (the rate session's
      // aside), and one more write waits for a connection.
      write = Promise.all([ledger.planAward(award(1)), ledger.planAward(award(2))]);
      const waiting = async () => Number((await adminQuery<{ n: string }>(`SELECT count(*) AS n FROM pg_locks WHERE NOT granted AND relation = $1::regclass`, [`"${name}".awards`]))[0]!.n);
      while ((await waiting()) < 1) await new Promise((resolve) => setTimeout(resolve, 5));
      let timer: NodeJS.Timeout | undefined;
      const reserved = await Promise.race([
        ledger.reserveRateSlot('org', 1000),
        new Promise<'queued'>((resolve) => (timer = setTimeout(() => resolve('queued'), 3_000))),
      ]);
      clearTimeout(timer);
      expect(reserved).not.toBe('queued');
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    expect(await write).toMatchObject([{ created: true }, { created: true }]);
    await ledger.close();
  });

  it('takeRateSlot waits for its slot and can be aborted while waiting', async () => {
    const ledger = await openPostgresLedger(urlWithSchema(schema('takerate')));
    await ledger.takeRateSlot('org', 1); // the first slot is now
    const controller = new AbortController();
    const waiting = ledger.takeRateSlot('org', 1, controller.signal); // the next is a second away
    setTimeout(() => controller.abort(new Error('stopping')), 20);
    await expect(waiting).rejects.toThrow('stopping');
    // Aborted while its slot is being reserved (the round trip): the wait that follows does not start.
    const early = new AbortController();
    const reserving = ledger.takeRateSlot('org', 1, early.signal);
    early.abort(new Error('stopped early'));
    await expect(reserving).rejects.toThrow('stopped early');
    await ledger.close();
  });

  it('template sync is exclusive across handles (an advisory lock), and per schema', async () => {
    const name = schema('tlock');
    const other = schema('tlock_other');
    const a = await openPostgresLedger(DATABASE_URL!, { schema: name });
    const b = await openPostgresLedger(DATABASE_URL!, { schema: name });
    const c = await openPostgresLedger(DATABASE_URL!, { schema: other });
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const aIn = new Promise<void>((resolve) => (entered = resolve));
    const first = a.withTemplateLock(async () => {
      order.push('a-in');
      entered();
      await held;
      order.push('a-out');
    });
    await aIn;
    const second = b.withTemplateLock(async () => {
      order.push('b-in');
    });
    // Another schema's lock is another lock: it goes while a still holds this one.
    await c.withTemplateLock(async () => {
      order.push('c');
    });
    // b is queued on the server, waiting for a's lock.
    const waiting = await adminQuery<{ n: string }>(`SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
    expect(Number(waiting[0]!.n)).toBeGreaterThanOrEqual(1);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['a-in', 'c', 'a-out', 'b-in']);
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it('schemas are isolated: two campuses in one database see only their own records', async () => {
    const east = await openLedger(urlWithSchema(schema('east')));
    const west = await openLedger(urlWithSchema(schema('west')));
    await east.planAward(award(1));
    await west.planAward(award(2));
    await east.recordEvent({ eventId: 'ev-1', eventType: 'badge.accepted', organizationId: 'o', occurredAt: null, state: 'received', receivedAt: 'x', attempts: 0 });
    expect(await east.getAward(award(2).key)).toBeUndefined();
    expect(await west.getAward(award(1).key)).toBeUndefined();
    expect((await west.recordEvent({ eventId: 'ev-1', eventType: 'badge.accepted', organizationId: 'o', occurredAt: null, state: 'received', receivedAt: 'x', attempts: 0 })).created).toBe(true);
    expect(east.location).toMatch(/schema=t_east_/);
    expect(east.kind).toBe('postgres');
    await east.close();
    await west.close();
  });

  it('read-only handles write nothing, and refuse a schema that was never migrated', async () => {
    const name = schema('readonly');
    await expect(openPostgresLedger(DATABASE_URL!, { schema: name, readOnly: true })).rejects.toMatchObject({ code: 'LEDGER_SCHEMA' });
    const writer = await openPostgresLedger(DATABASE_URL!, { schema: name });
    await writer.planAward(award(1));
    const reader = await openPostgresLedger(DATABASE_URL!, { schema: name, readOnly: true });
    expect((await reader.getAward(award(1).key))?.state).toBe('planned');
    await expect(reader.planAward(award(2))).rejects.toBeInstanceOf(LedgerClosedError);
    await expect(reader.claimNext({ owner: 'r', leaseMs: 1000 })).rejects.toBeInstanceOf(LedgerClosedError);
    await reader.close();
    await writer.close();
  });

  it('refuses a schema migrated by a newer version of the library, read-write or read-only', async () => {
    const name = schema('newer');
    await (await openPostgresLedger(DATABASE_URL!, { schema: name })).close();
    await adminQuery(`INSERT INTO "${name}".ledger_migrations (version, name) VALUES ($1, 'from the future')`, [SCHEMA_VERSION + 1]);
    await expect(openPostgresLedger(DATABASE_URL!, { schema: name })).rejects.toThrow(/newer than this version of credly-microcredentials knows/);
    // Before, a reader (status, report) opened it and counted records it may not understand.
    await expect(openPostgresLedger(DATABASE_URL!, { schema: name, readOnly: true })).rejects.toMatchObject({
      code: 'LEDGER_SCHEMA',
      message: expect.stringMatching(/at version \d+, newer than this version of credly-microcredentials knows \(\d+\): upgrade it/),
    });
  });

  it('closing releases this handle’s leases; abandoning it (a killed worker) does not', async () => {
    const name = schema('release');
    const clock = new TestClock();
    const a = await openPostgresLedger(DATABASE_URL!, { schema: name, now: clock.now });
    const b = await openPostgresLedger(DATABASE_URL!, { schema: name, now: clock.now });
    for (const n of [1, 2]) await a.planAward(award(n));
    const c1 = (await a.claimAward(award(1).key, { owner: a.owner, leaseMs: 60_000 }))!;
    await a.writeAward(c1.key, { state: 'issuing', attempts: 1 }, { claim: c1 });
    await a.close();
    // Still issuing, so whoever takes it looks the badge up first.
    expect(await b.claimAward(award(1).key, { owner: b.owner, leaseMs: 60_000 })).toMatchObject({ takenOver: true });
    const killed = await openPostgresLedger(DATABASE_URL!, { schema: name, now: clock.now });
    await killed.claimAward(award(2).key, { owner: killed.owner, leaseMs: 60_000 });
    await killed.abandon();
    expect(await b.claimAward(award(2).key, { owner: b.owner, leaseMs: 60_000 })).toBeNull();
    clock.advance(60_001);
    expect(await b.claimAward(award(2).key, { owner: b.owner, leaseMs: 60_000 })).toMatchObject({ takenOver: false });
    await b.close();
  });

  it('a handle whose connections the server killed reconnects for the next statements', async () => {
    const applicationName = `credly-test-${freshSchema('app')}`;
    const ledger = await openPostgresLedger(urlWithSchema(schema('restart')), { backend: { application_name: applicationName } });
    await ledger.planAward(award(1));
    await ledger.withTemplateLock(async () => undefined);
    const killed = await adminQuery<{ ok: boolean }>('SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
    expect(killed.length).toBeGreaterThan(0);
    // The first statement may land on a connection that is not yet known to be dead: it fails
    // cleanly, as a ledger error; the pool replaces the connection.
    let record;
    for (let attempt = 0; attempt < 3 && !record; attempt += 1) {
      record = await ledger.getAward(award(1).key).catch((error: unknown) => {
        expect(error).toMatchObject({ code: 'LEDGER_UNAVAILABLE' });
        return undefined;
      });
    }
    expect(record?.state).toBe('planned');
    expect(await ledger.withTemplateLock(async () => 'synced')).toBe('synced');
    await ledger.close();
  });

  it('a statement the server refuses is a LedgerError naming the server without the password: LEDGER_UNAVAILABLE for a read, LEDGER_WRITE_FAILED for a write', async () => {
    const name = schema('refused');
    const password = decodeURIComponent(new URL(DATABASE_URL!).password);
    // Statements give up after 200 ms of waiting for a lock, so that a table another session holds fails them.
    const ledger = await openPostgresLedger(DATABASE_URL!, { schema: name, backend: { lock_timeout: 200 } });
    await ledger.planAward(award(1));
    const holder = new pg.Client({ connectionString: DATABASE_URL });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`LOCK TABLE "${name}".awards IN ACCESS EXCLUSIVE MODE`);
      const read = (await ledger.getAward(award(1).key).catch((error: unknown) => error)) as Error;
      const write = (await ledger.planAward(award(2)).catch((error: unknown) => error)) as Error;
      expect(read).toBeInstanceOf(LedgerError);
      expect(read).not.toBeInstanceOf(LedgerWriteError);
      expect(read).toMatchObject({ code: 'LEDGER_UNAVAILABLE' });
      // A write's failure is told apart: the caller knows the outcome may not be recorded.
      expect(write).toBeInstanceOf(LedgerWriteError);
      expect(write).toMatchObject({ code: 'LEDGER_WRITE_FAILED' });
      for (const error of [read, write]) {
        expect(error.message).toBe(`PostgreSQL ledger at ${ledger.location}: canceling statement due to lock timeout`);
        expect(inspect(error, { depth: 8 })).not.toContain(password);
      }
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    // The lock gone, the same handle reads and writes again.
    expect((await ledger.planAward(award(2))).created).toBe(true);
    await ledger.close();
  });

  it('the password never appears in the location, errors or their causes', async () => {
    const url = new URL(DATABASE_URL!);
    const password = decodeURIComponent(url.password);
    expect(password).not.toBe('');
    const ledger = await openPostgresLedger(urlWithSchema(schema('secret')));
    expect(ledger.location).not.toContain(password);
    expect(ledger.location).toContain(`${url.username}@`);
    expect(inspect(ledger, { depth: 5 })).not.toContain(password);
    await ledger.close();
    const closed = await ledger.getAward('x').catch((error: unknown) => error);
    expect(inspect(closed)).not.toContain(password);

    // A wrong password: the server refuses it; neither password shows in what we report.
    const wrong = new URL(urlWithSchema(schema('secret2')));
    wrong.password = 'wrong-Pa55word-xyz';
    const refused = await openLedger(wrong.toString()).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'LEDGER_UNAVAILABLE' });
    expect(String((refused as Error).message)).toMatch(/password authentication failed/);
    for (const secret of ['wrong-Pa55word-xyz', password]) expect(inspect(refused, { depth: 8 })).not.toContain(secret);

    // Nothing listening: the connection error names the host, not the password.
    const nowhere = new URL(wrong.toString());
    nowhere.port = '1';
    const unreachable = await openLedger(nowhere.toString()).catch((error: unknown) => error);
    expect(unreachable).toMatchObject({ code: 'LEDGER_UNAVAILABLE' });
    expect(inspect(unreachable, { depth: 8 })).not.toContain('wrong-Pa55word-xyz');
  });
});
