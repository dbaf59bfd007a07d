import { createHash, randomUUID } from 'node:crypto';
import type { Pool, PoolClient, PoolConfig, QueryResultRow } from 'pg';
import type {
  AwardCounts,
  AwardPatch,
  AwardQuery,
  AwardRecord,
  Claim,
  ClaimBatchOptions,
  ClaimOptions,
  EventClaimOptions,
  EventRecord,
  ExistingAward,
  Ledger,
  NewAward,
  PlannedAward,
  RunRecord,
  TemplateRecord,
  WriteGuard,
} from './contract.js';
import { AWARD_STATES } from './contract.js';
import { LedgerClosedError, LedgerError, LedgerUrlError, LedgerWriteError, UnknownAwardError } from './errors.js';
import { Mutex } from './mutex.js';
import { existingAward } from './batch.js';
import type { OpenLedgerOptions } from './open.js';
import { checkGuard, emptyCounts } from './records.js';
import { lockKey, migrate } from './postgres/migrations.js';
import type { AwardRow, EventRow, ExistingRow, RunRow, TemplateRow } from './postgres/rows.js';
import { AWARD_COLUMNS, awardFromRow, EXISTING_COLUMNS, EVENT_COLUMNS, existingFromRow, eventFromRow, eventParams, json, jsonPatchAssignments, patchAssignments, runFromRow, templateFromRow } from './postgres/rows.js';
import { parsePgUrl, quoteIdent, scrub } from './postgres/url.js';

/**
 * The PostgreSQL ledger: several workers (processes, machines, the webhook receiver) share one job.
 *
 * Time. Leases, fences and rate slots are judged by one clock for every worker: the database's
 * (`statement_timestamp()`), so that hosts whose clocks drift apart still agree on who holds an
 * award. Tests inject a clock (`options.now`); its instant is then sent as a parameter to every
 * statement instead, so that a test can move time by hand.
 */

/** Awards read per round trip while streaming a query: memory stays flat however large the job. */
const PAGE = 500;

type NowParam = string | null;

/**
 * Lazy writes (outcomes whose loss is harmless) wait this long for others, and are then written
 * together in one statement (sooner when this many are waiting): an outcome costs a fraction of a
 * round trip, and one batch is written at a time, so that batches grow with the load.
 */
const LAZY_DELAY_MS = 25;
const LAZY_MAX = 64;

interface LazyWrite {
  readonly key: string;
  readonly patch: AwardPatch;
  readonly claim: Claim;
  readonly release: boolean;
  readonly now: NowParam;
  readonly resolve: (record: AwardRecord) => void;
  readonly reject: (error: unknown) => void;
}

export interface PgLedgerInternals {
  /** How many migrations this open applied (0 when another worker had already migrated). */
  readonly migrationsApplied: number;
}

/** How long opening the ledger, or any later query, waits for a connection (30 s) unless told otherwise. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

export async function openPostgresLedger(url: string, options: OpenLedgerOptions = {}): Promise<PgLedger> {
  const target = parsePgUrl(url, options.schema);
  const backend = { ...(options.backend ?? {}) } as PoolConfig;
  if (backend.ssl !== undefined && target.urlConfiguresTls) {
    throw new LedgerUrlError(`TLS is configured twice for ${target.location}: give it in the URL (sslmode=…) or in backend.ssl, not both`);
  }
  // Loaded only here, so that users of the file ledger never load the driver.
  const pg = (await import('pg')).default;
  // `pg` waits for a connection without limit by default: a server (or a proxy) that accepts and
  // never answers would hang a job for good. `backend.connectionTimeoutMillis`, else the URL's
  // connect_timeout, else DEFAULT_CONNECT_TIMEOUT_MS.
  const pool = new pg.Pool({
    application_name: 'credly-microcredentials',
    connectionTimeoutMillis: target.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    ...backend,
    connectionString: target.connectionString,
  });
  // An idle connection that breaks (a database restart) must not crash the process: the next
  // query reports it.
  pool.on('error', () => undefined);
  let applied: number;
  try {
    const client = await pool.connect();
    try {
      applied = await migrate(client, target.schema, { readOnly: options.readOnly === true });
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (error instanceof LedgerError) throw error;
    throw new LedgerError('LEDGER_UNAVAILABLE', `cannot open the PostgreSQL ledger at ${target.location}: ${scrub(messageOf(error), target.secrets)}`);
  }
  return new PgLedger(pool, { ...target, migrationsApplied: applied, readOnly: options.readOnly === true, ...(options.now ? { now: options.now } : {}) });
}

interface PgLedgerSettings {
  readonly location: string;
  readonly schema: string;
  readonly secrets: readonly string[];
  readonly migrationsApplied: number;
  readonly readOnly: boolean;
  readonly now?: () => Date;
}

export class PgLedger implements Ledger, PgLedgerInternals {
  readonly kind = 'postgres';
  readonly location: string;
  readonly owner = `pg-${randomUUID()}`;
  readonly schema: string;
  readonly migrationsApplied: number;
  readonly #pool: Pool;
  readonly #t: string;
  readonly #secrets: readonly string[];
  readonly #readOnly: boolean;
  readonly #clock: (() => Date) | undefined;
  readonly #templateLock = new Mutex();
  #closed = false;
  /** Lazy writes waiting for their batch, their keys, the timer that writes them, and the batch being written. */
  #lazy: LazyWrite[] = [];
  readonly #lazyKeys = new Set<string>();
  #lazyTimer: NodeJS.Timeout | undefined;
  #lazyWriting: Promise<void> = Promise.resolve();
  /** The session rate slots are reserved on (see `reserveRateSlot`), opened on first use. */
  #rateSession: Promise<PoolClient> | undefined;
  /**
   * One reservation at a time on that session: a client given a query while another runs queues
   * it, which pg 8 prints a deprecation warning for (on the CLI's stderr) and pg 9 will refuse.
   */
  readonly #rateLock = new Mutex();

  constructor(pool: Pool, settings: PgLedgerSettings) {
    this.#pool = pool;
    this.location = settings.location;
    this.schema = settings.schema;
    this.#t = quoteIdent(settings.schema);
    this.#secrets = settings.secrets;
    this.migrationsApplied = settings.migrationsApplied;
    this.#readOnly = settings.readOnly;
    this.#clock = settings.now;
  }

  /** The injected instant as a parameter, or null for the database's clock (see the module note). */
  #now(): NowParam {
    return this.#clock ? this.#clock().toISOString() : null;
  }

  /** The SQL for "now", reading the parameter `#now()` was bound to. */
  static #nowSql(param: number): string {
    return `coalesce($${param}::timestamptz, statement_timestamp())`;
  }

  async #query<R extends QueryResultRow>(sql: string, params: unknown[], write: boolean): Promise<R[]> {
    if (this.#closed) throw new LedgerClosedError(`the PostgreSQL ledger at ${this.location} is closed`);
    if (write && this.#readOnly) throw new LedgerClosedError(`the PostgreSQL ledger at ${this.location} was opened read-only`);
    try {
      // Named, so that each connection parses and plans a statement once (about a third of the
      // server's work per award); the name is the text's hash, so one name is never two texts.
      return (await this.#pool.query<R>({ text: sql, values: params, name: statementName(sql) })).rows;
    } catch (error) {
      throw this.#wrap(error, write);
    }
  }

  #wrap(error: unknown, write: boolean): LedgerError {
    if (error instanceof LedgerError) return error;
    const message = `PostgreSQL ledger at ${this.location}: ${scrub(messageOf(error), this.#secrets)}`;
    return write ? new LedgerWriteError(message) : new LedgerError('LEDGER_UNAVAILABLE', message);
  }

  // Awards: reads.

  async getAward(key: string): Promise<AwardRecord | undefined> {
    const rows = await this.#query<AwardRow>(`SELECT ${AWARD_COLUMNS} FROM ${this.#t}.awards WHERE key = $1`, [key], false);
    return rows[0] ? awardFromRow(rows[0]) : undefined;
  }

  async *queryAwards(query: AwardQuery = {}): AsyncIterable<AwardRecord> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.state !== undefined) where.push(`state = ANY(${param(typeof query.state === 'string' ? [query.state] : [...query.state])}::text[])`);
    if (query.microcredentialId !== undefined) where.push(`microcredential_id = ${param(query.microcredentialId)}`);
    if (query.learner !== undefined) {
      const learner = param(query.learner.toLowerCase());
      where.push(`(lower(email) = ${learner} OR lower(earner_id) = ${learner})`);
    }
    if (query.badgeId !== undefined) where.push(`badge_id = ${param(query.badgeId)}`);
    if (query.issuedSince !== undefined) where.push(`issued_at IS NOT NULL AND issued_at::timestamptz >= ${param(query.issuedSince.toISOString())}::timestamptz`);
    if (query.pendingIssuedBefore !== undefined) {
      where.push(
        `state IN ('issued', 'replaced') AND issued_at IS NOT NULL AND issued_at::timestamptz < ${param(query.pendingIssuedBefore.toISOString())}::timestamptz` +
          ` AND (credly IS NULL OR credly->>'state' IS NULL OR credly->>'state' = 'pending')`,
      );
    }
    // Keyset pages in load order: one page in memory at a time.
    let after = 0;
    let left = query.limit ?? Number.POSITIVE_INFINITY;
    while (left > 0) {
      const pageParams = [...params, after, Math.min(PAGE, left)];
      const conditions = [...where, `seq > $${params.length + 1}`].join(' AND ');
      const rows = await this.#query<AwardRow & { seq: string }>(
        `SELECT ${AWARD_COLUMNS}, seq FROM ${this.#t}.awards WHERE ${conditions} ORDER BY seq LIMIT $${params.length + 2}`,
        pageParams,
        false,
      );
      for (const row of rows) yield awardFromRow(row);
      if (rows.length < PAGE) return;
      left -= rows.length;
      after = Number(rows[rows.length - 1]!.seq);
    }
  }

  async countAwards(query: Pick<AwardQuery, 'microcredentialId'> = {}): Promise<AwardCounts> {
    const rows = await this.#query<{ state: string; n: number }>(
      `SELECT state, count(*)::integer AS n FROM ${this.#t}.awards WHERE ($1::text IS NULL OR microcredential_id = $1) GROUP BY state`,
      [query.microcredentialId ?? null],
      false,
    );
    const counts = emptyCounts();
    for (const row of rows) if ((AWARD_STATES as readonly string[]).includes(row.state)) counts[row.state as keyof AwardCounts] = row.n;
    return counts;
  }

  // Awards: writes.

  async planAward(award: NewAward): Promise<{ created: boolean; record: AwardRecord }> {
    // One round trip: the insert, or (when the key exists) the existing row.
    const rows = await this.#query<AwardRow & { created: boolean }>(
      `WITH inserted AS (
         INSERT INTO ${this.#t}.awards (key, microcredential_id, template_id, email, earner_id, state, version, fence, attempts,
           badge_id, how, roster_row, request, snapshot, issued_at, credly, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 1, 0, 0, $7, $8, $9, $10::jsonb, $11::jsonb, $12, $13::jsonb, ${PgLedger.#nowSql(14)}, ${PgLedger.#nowSql(14)})
         ON CONFLICT (key) DO NOTHING
         RETURNING ${AWARD_COLUMNS}
       )
       SELECT ${AWARD_COLUMNS}, true AS created FROM inserted
       UNION ALL
       SELECT ${AWARD_COLUMNS}, false AS created FROM ${this.#t}.awards WHERE key = $1 AND NOT EXISTS (SELECT 1 FROM inserted)`,
      [
        award.key,
        award.microcredentialId,
        award.templateId,
        award.email,
        award.earnerId,
        award.state ?? 'planned',
        award.badgeId ?? null,
        award.how ?? null,
        award.row ?? null,
        json(award.request),
        json(award.snapshot),
        award.issuedAt ?? null,
        json(award.credly),
        this.#now(),
      ],
      true,
    );
    if (rows[0]) return { created: rows[0].created, record: awardFromRow(rows[0]) };
    // Another worker inserted it after this statement's snapshot was taken: read it now.
    const existing = await this.getAward(award.key);
    if (!existing) throw new LedgerWriteError(`award ${award.key} was neither inserted nor found in ${this.location}`);
    return { created: false, record: existing };
  }

  /**
   * Plans a batch in one statement: one `INSERT … SELECT` from the batch sent as one JSON
   * parameter, `ON CONFLICT (key) DO NOTHING`, and the existing record of every award that was
   * there already. Only rows another worker inserted while this statement ran (invisible to its
   * snapshot) are read again, one by one.
   */
  async planAwards(awards: readonly NewAward[]): Promise<readonly PlannedAward[]> {
    if (awards.length === 0) return [];
    const first = new Map<string, number>();
    const input: object[] = [];
    awards.forEach((award, index) => {
      if (first.has(award.key)) return;
      first.set(award.key, index);
      input.push({
        ord: index,
        key: award.key,
        microcredential_id: award.microcredentialId,
        template_id: award.templateId,
        email: award.email,
        earner_id: award.earnerId,
        state: award.state ?? 'planned',
        badge_id: award.badgeId ?? null,
        how: award.how ?? null,
        roster_row: award.row ?? null,
        request: award.request ?? null,
        snapshot: award.snapshot ?? null,
        issued_at: award.issuedAt ?? null,
        credly: award.credly ?? null,
      });
    });
    const now = PgLedger.#nowSql(2);
    const rows = await this.#query<ExistingRow & { ord: number; created: boolean; found: boolean }>(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(ord integer, key text, microcredential_id text, template_id text, email text,
           earner_id text, state text, badge_id text, how text, roster_row integer, request jsonb, snapshot jsonb, issued_at text, credly jsonb)
       ),
       inserted AS (
         INSERT INTO ${this.#t}.awards (key, microcredential_id, template_id, email, earner_id, state, version, fence, attempts,
           badge_id, how, roster_row, request, snapshot, issued_at, credly, created_at, updated_at)
         SELECT key, microcredential_id, template_id, email, earner_id, state, 1, 0, 0,
           badge_id, how, roster_row, request, snapshot, issued_at, credly, ${now}, ${now}
         FROM input ORDER BY ord
         ON CONFLICT (key) DO NOTHING
         RETURNING key
       )
       SELECT i.ord, ins.key IS NOT NULL AS created, a.key IS NOT NULL AS found, ${EXISTING_COLUMNS('a')}
       FROM input i
       LEFT JOIN inserted ins ON ins.key = i.key
       LEFT JOIN ${this.#t}.awards a ON a.key = i.key AND ins.key IS NULL`,
      [JSON.stringify(input), this.#now()],
      true,
    );
    const out: PlannedAward[] = new Array<PlannedAward>(awards.length);
    for (const row of rows) {
      if (row.created) out[row.ord] = { created: true };
      // Its state, not its request and snapshot: what a worker loading a roster another worker loaded needs.
      else if (row.found) out[row.ord] = { created: false, existing: existingFromRow(row) };
    }
    for (let index = 0; index < awards.length; index += 1) {
      if (out[index]) continue;
      // A key given twice, or inserted by another worker while the statement ran: read it now.
      const key = awards[index]!.key;
      const existing = await this.getAward(key);
      if (!existing) throw new LedgerWriteError(`award ${key} was neither inserted nor found in ${this.location}`);
      out[index] = { created: false, existing: existingAward(existing) };
    }
    return out;
  }

  /** One statement: the state of each award the keys name (null for those not in the ledger), in the order given. */
  async findAwards(keys: readonly string[]): Promise<ReadonlyArray<ExistingAward | null>> {
    const out: Array<ExistingAward | null> = new Array<ExistingAward | null>(keys.length).fill(null);
    if (keys.length === 0) return out;
    const rows = await this.#query<ExistingRow & { ord: string }>(
      `SELECT i.ord, ${EXISTING_COLUMNS('a')}
       FROM unnest($1::text[]) WITH ORDINALITY AS i(key, ord)
       JOIN ${this.#t}.awards a ON a.key = i.key`,
      [keys],
      false,
    );
    for (const row of rows) out[Number(row.ord) - 1] = existingFromRow(row);
    return out;
  }

  /** The SQL condition "this award may be claimed now" (records.ts `claimability`), `now` at `$param`. */
  static #claimable(param: number): string {
    const now = PgLedger.#nowSql(param);
    return `state IN ('planned', 'failed', 'issuing') AND (lease_until IS NULL OR lease_until <= ${now})`;
  }

  /** The `SET` of a claim (records.ts `applyClaim`): the fence and version grow, the lease is the caller's. */
  static #claimSet(ownerParam: number, leaseParam: number, nowParam: number): string {
    const now = PgLedger.#nowSql(nowParam);
    return `fence = fence + 1, version = version + 1, lease_owner = $${ownerParam},
      lease_until = ${now} + $${leaseParam}::integer * interval '1 millisecond', updated_at = ${now}`;
  }

  async claimAward(key: string, options: ClaimOptions): Promise<Claim | null> {
    // One round trip: the claim, or (when it cannot be claimed) the row, to tell "held" from "unknown".
    const rows = await this.#query<AwardRow & { claimed: boolean }>(
      `WITH claimed AS (
         UPDATE ${this.#t}.awards SET ${PgLedger.#claimSet(2, 3, 4)}
         WHERE key = $1 AND ${PgLedger.#claimable(4)}
         RETURNING ${AWARD_COLUMNS}
       )
       SELECT ${AWARD_COLUMNS}, true AS claimed FROM claimed
       UNION ALL
       SELECT ${AWARD_COLUMNS}, false AS claimed FROM ${this.#t}.awards WHERE key = $1 AND NOT EXISTS (SELECT 1 FROM claimed)`,
      [key, options.owner, Math.round(options.leaseMs), this.#now()],
      true,
    );
    const row = rows[0];
    if (row?.claimed) return toClaim(awardFromRow(row), options.owner);
    if (row || (await this.getAward(key))) return null;
    throw new UnknownAwardError(key);
  }

  async claimNext(options: ClaimOptions & { microcredentialId?: string; exclude?: ReadonlySet<string> }): Promise<Claim | null> {
    // The claimable index yields issuing awards first, then planned, in load order; SKIP LOCKED
    // steps over rows another worker is claiming this instant, so workers never wait on each other.
    const rows = await this.#query<AwardRow>(
      `WITH next AS (
         SELECT key FROM ${this.#t}.awards
         WHERE state IN ('planned', 'issuing') AND (lease_until IS NULL OR lease_until <= ${PgLedger.#nowSql(3)})
           AND ($4::text IS NULL OR microcredential_id = $4)
           AND ($5::text[] IS NULL OR key <> ALL($5::text[]))
         ORDER BY (state <> 'issuing'), seq
         LIMIT 1
         FOR UPDATE SKIP LOCKED
       )
       UPDATE ${this.#t}.awards AS a SET ${PgLedger.#claimSet(1, 2, 3)}
       FROM next WHERE a.key = next.key
       RETURNING ${prefixed('a')}`,
      [options.owner, Math.round(options.leaseMs), this.#now(), options.microcredentialId ?? null, options.exclude?.size ? [...options.exclude] : null],
      true,
    );
    return rows[0] ? toClaim(awardFromRow(rows[0]), options.owner) : null;
  }

  /**
   * Claims up to `limit` awards in one statement (claimNext's order, FOR UPDATE SKIP LOCKED), and
   * with `intent`, records in the same write the intent of each planned award's first send: the
   * statement commits before it returns, so the intent is durable before anything is sent.
   */
  async claimBatch(options: ClaimBatchOptions): Promise<readonly Claim[]> {
    const limit = Math.floor(options.limit);
    if (!(limit > 0)) return [];
    const rows = await this.#query<AwardRow & { prior: string; intent: boolean; seq: string }>(
      `WITH next AS (
         SELECT key, seq, state AS prior, ($7::boolean AND state = 'planned' AND request IS NOT NULL) AS intent
         FROM ${this.#t}.awards
         WHERE state IN ('planned', 'issuing') AND (lease_until IS NULL OR lease_until <= ${PgLedger.#nowSql(3)})
           AND ($4::text IS NULL OR microcredential_id = $4)
           AND ($5::text[] IS NULL OR key <> ALL($5::text[]))
         ORDER BY (state <> 'issuing'), seq
         LIMIT $6
         FOR UPDATE SKIP LOCKED
       )
       UPDATE ${this.#t}.awards AS a SET ${PgLedger.#claimSet(1, 2, 3)},
         state = CASE WHEN next.intent THEN 'issuing' ELSE a.state END,
         attempts = CASE WHEN next.intent THEN a.attempts + 1 ELSE a.attempts END,
         last_error = CASE WHEN next.intent THEN NULL ELSE a.last_error END
       FROM next WHERE a.key = next.key
       RETURNING ${prefixed('a')}, next.prior, next.intent, next.seq`,
      [
        options.owner,
        Math.round(options.leaseMs),
        this.#now(),
        options.microcredentialId ?? null,
        options.exclude?.size ? [...options.exclude] : null,
        limit,
        options.intent === true,
      ],
      true,
    );
    rows.sort((x, y) => Number(x.prior !== 'issuing') - Number(y.prior !== 'issuing') || Number(x.seq) - Number(y.seq));
    return rows.map((row) => ({ ...toClaim(awardFromRow(row), options.owner, row.prior === 'issuing'), ...(row.intent ? { intent: true } : {}) }));
  }

  async renewClaims(claims: readonly Claim[], leaseMs: number): Promise<readonly string[]> {
    if (claims.length === 0) return [];
    const renewed = await this.#query<{ key: string }>(
      `UPDATE ${this.#t}.awards AS a SET lease_until = ${PgLedger.#nowSql(4)} + $5::integer * interval '1 millisecond'
       FROM unnest($1::text[], $2::text[], $3::integer[]) AS c(key, owner, fence)
       WHERE a.key = c.key AND a.lease_owner = c.owner AND a.fence = c.fence AND a.lease_until > ${PgLedger.#nowSql(4)}
       RETURNING a.key`,
      [claims.map((c) => c.key), claims.map((c) => c.owner), claims.map((c) => c.fence), this.#now(), Math.round(leaseMs)],
      true,
    );
    const alive = new Set(renewed.map((row) => row.key));
    return claims.filter((claim) => !alive.has(claim.key)).map((claim) => claim.key);
  }

  async writeAward(key: string, patch: AwardPatch, guard: WriteGuard): Promise<AwardRecord> {
    if ('claim' in guard && guard.lazy === true) return this.#writeLazily(key, patch, guard);
    // A write after a lazy one of the same award waits for it: writes of one award keep their order.
    if (this.#lazyKeys.has(key)) await this.#flushLazy();
    const now = this.#now();
    const { sql: sets, params } = patchAssignments(patch, 3);
    const base = params.length + 3;
    const conditions = ['key = $1'];
    const guardParams: unknown[] = [];
    if ('claim' in guard) {
      conditions.push(`fence = $${base}`, `lease_owner = $${base + 1}`, `lease_until > ${PgLedger.#nowSql(2)}`);
      guardParams.push(guard.claim.fence, guard.claim.owner);
    } else if ('version' in guard) {
      conditions.push(`version = $${base}`);
      guardParams.push(guard.version);
    }
    // A claim's holder settling the award, or letting it go, releases its lease (records.ts `applyPatch`).
    const releases = 'claim' in guard && (guard.release === true || (patch.state !== undefined && patch.state !== 'issuing'));
    const rows = await this.#query<AwardRow>(
      `UPDATE ${this.#t}.awards SET ${[...sets, 'version = version + 1', `updated_at = ${PgLedger.#nowSql(2)}`, ...(releases ? ['lease_owner = NULL', 'lease_until = NULL'] : [])].join(', ')}
       WHERE ${conditions.join(' AND ')}
       RETURNING ${AWARD_COLUMNS}`,
      [key, now, ...params, ...guardParams],
      true,
    );
    if (rows[0]) return awardFromRow(rows[0]);
    throw await this.#refusal(key, guard, now);
  }

  /** Why a guarded write wrote nothing, by the same rules the other backends apply. */
  async #refusal(key: string, guard: WriteGuard, now: NowParam): Promise<Error> {
    try {
      const current = await this.#query<AwardRow & { now: Date }>(
        `SELECT ${AWARD_COLUMNS}, ${PgLedger.#nowSql(2)} AS now FROM ${this.#t}.awards WHERE key = $1`,
        [key, now],
        false,
      );
      if (!current[0]) return new UnknownAwardError(key);
      checkGuard(awardFromRow(current[0]), guard, current[0].now);
    } catch (error) {
      return error instanceof Error ? error : new LedgerWriteError(String(error));
    }
    // The guard holds now but did not a moment ago (a renewal in between): the caller may retry.
    return new LedgerWriteError(`award ${key} changed while it was being written; nothing was written`);
  }

  /**
   * A lazy write under a claim: queued, and written with the others queued with it in one
   * statement (the same fence, owner and live-lease conditions, each judged at its own instant);
   * it resolves once that statement has committed, or rejects as the single write would.
   */
  #writeLazily(key: string, patch: AwardPatch, guard: { readonly claim: Claim; readonly release?: boolean }): Promise<AwardRecord> {
    if (this.#closed) return Promise.reject(new LedgerClosedError(`the PostgreSQL ledger at ${this.location} is closed`));
    if (this.#readOnly) return Promise.reject(new LedgerClosedError(`the PostgreSQL ledger at ${this.location} was opened read-only`));
    // Two writes of one award never share a statement: the one queued first goes first.
    if (this.#lazyKeys.has(key)) void this.#flushLazy();
    const release = guard.release === true || (patch.state !== undefined && patch.state !== 'issuing');
    return new Promise<AwardRecord>((resolve, reject) => {
      this.#lazy.push({ key, patch, claim: guard.claim, release, now: this.#now(), resolve, reject });
      this.#lazyKeys.add(key);
      if (this.#lazy.length >= LAZY_MAX) void this.#flushLazy();
      else this.#lazyTimer ??= setTimeout(() => void this.#flushLazy(), LAZY_DELAY_MS);
    });
  }

  /** Writes the queued lazy writes (after the batch being written, if any); resolves when every queued one is settled. */
  #flushLazy(): Promise<void> {
    clearTimeout(this.#lazyTimer);
    this.#lazyTimer = undefined;
    const batch = this.#lazy;
    if (batch.length > 0) {
      this.#lazy = [];
      this.#lazyKeys.clear();
      this.#lazyWriting = this.#lazyWriting.then(() => this.#writeBatch(batch));
    }
    return this.#lazyWriting;
  }

  async #writeBatch(batch: readonly LazyWrite[]): Promise<void> {
    try {
      const input = batch.map((w) => ({ key: w.key, fence: w.claim.fence, owner: w.claim.owner, release: w.release, at: w.now, patch: w.patch }));
      const rows = await this.#query<AwardRow>(
        `WITH v AS (
           SELECT * FROM jsonb_to_recordset($1::jsonb) AS v(key text, fence integer, owner text, release boolean, at timestamptz, patch jsonb)
         )
         UPDATE ${this.#t}.awards AS a SET ${jsonPatchAssignments('a', 'v.patch').join(', ')},
           version = a.version + 1, updated_at = coalesce(v.at, statement_timestamp()),
           lease_owner = CASE WHEN v.release THEN NULL ELSE a.lease_owner END,
           lease_until = CASE WHEN v.release THEN NULL ELSE a.lease_until END
         FROM v
         WHERE a.key = v.key AND a.fence = v.fence AND a.lease_owner = v.owner AND a.lease_until > coalesce(v.at, statement_timestamp())
         RETURNING ${prefixed('a')}`,
        [JSON.stringify(input)],
        true,
      );
      const written = new Map(rows.map((row) => [row.key, row]));
      for (const w of batch) {
        const row = written.get(w.key);
        if (row) w.resolve(awardFromRow(row));
        else w.reject(await this.#refusal(w.key, { claim: w.claim }, w.now));
      }
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }

  // Templates.

  async getTemplate(microcredentialId: string): Promise<TemplateRecord | undefined> {
    const rows = await this.#query<TemplateRow>(`SELECT * FROM ${this.#t}.templates WHERE microcredential_id = $1`, [microcredentialId], false);
    return rows[0] ? templateFromRow(rows[0]) : undefined;
  }

  async putTemplate(record: TemplateRecord): Promise<void> {
    await this.#query(
      `INSERT INTO ${this.#t}.templates (microcredential_id, template_id, fingerprint, state, unusable_reason, allow_duplicates, microcredential, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)
       ON CONFLICT (microcredential_id) DO UPDATE SET template_id = EXCLUDED.template_id, fingerprint = EXCLUDED.fingerprint,
         state = EXCLUDED.state, unusable_reason = EXCLUDED.unusable_reason, allow_duplicates = EXCLUDED.allow_duplicates,
         microcredential = EXCLUDED.microcredential, updated_at = EXCLUDED.updated_at`,
      [
        record.microcredentialId,
        record.templateId,
        record.fingerprint,
        record.state,
        record.unusableReason ?? null,
        record.allowDuplicates,
        json(record.microcredential),
        record.updatedAt,
      ],
      true,
    );
  }

  async listTemplates(): Promise<readonly TemplateRecord[]> {
    const rows = await this.#query<TemplateRow>(`SELECT * FROM ${this.#t}.templates ORDER BY microcredential_id`, [], false);
    return rows.map(templateFromRow);
  }

  /**
   * A session-level advisory lock on a connection of its own, held while `fn` runs. The process's
   * own mutex comes first, so that callers in one process never hold several pool connections
   * waiting on the lock (which could leave `fn` without a connection). If the process dies, the
   * server ends the session and the lock with it.
   */
  withTemplateLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.#templateLock.run(async () => {
      if (this.#closed) throw new LedgerClosedError(`the PostgreSQL ledger at ${this.location} is closed`);
      let client: PoolClient;
      try {
        client = await this.#pool.connect();
        await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lockKey(this.schema, 'templates')]);
      } catch (error) {
        throw this.#wrap(error, false);
      }
      let broken = false;
      try {
        return await fn();
      } finally {
        try {
          await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey(this.schema, 'templates')]);
        } catch {
          broken = true; // the session is gone, and its lock with it
        }
        client.release(broken);
      }
    });
  }

  // Webhook events.

  async recordEvent(record: EventRecord): Promise<{ created: boolean; record: EventRecord }> {
    const inserted = await this.#query<EventRow>(
      `INSERT INTO ${this.#t}.events (${EVENT_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (event_id) DO NOTHING
       RETURNING *`,
      eventParams(record),
      true,
    );
    if (inserted[0]) return { created: true, record: eventFromRow(inserted[0]) };
    const existing = await this.getEvent(record.eventId);
    if (!existing) throw new LedgerWriteError(`event ${record.eventId} was neither inserted nor found in ${this.location}`);
    return { created: false, record: existing };
  }

  async getEvent(eventId: string): Promise<EventRecord | undefined> {
    const rows = await this.#query<EventRow>(`SELECT * FROM ${this.#t}.events WHERE event_id = $1`, [eventId], false);
    return rows[0] ? eventFromRow(rows[0]) : undefined;
  }

  async claimEvent(eventId: string, options: EventClaimOptions): Promise<EventRecord | undefined> {
    // One statement: the row lock makes two receivers' claims of one event take turns, and the
    // second finds the first's live lease.
    const now = PgLedger.#nowSql(4);
    const rows = await this.#query<EventRow>(
      `UPDATE ${this.#t}.events
       SET attempts = attempts + CASE WHEN lease_owner = $2 AND lease_until > ${now} THEN 0 ELSE 1 END,
         lease_owner = $2, lease_until = ${now} + make_interval(secs => $3::double precision / 1000)
       WHERE event_id = $1 AND state = 'received' AND (lease_owner IS NULL OR lease_until IS NULL OR lease_until <= ${now} OR lease_owner = $2)
       RETURNING *`,
      [eventId, options.owner, options.leaseMs, this.#now()],
      true,
    );
    return rows[0] ? eventFromRow(rows[0]) : undefined;
  }

  async putEvent(record: EventRecord): Promise<void> {
    await this.#query(
      `INSERT INTO ${this.#t}.events (${EVENT_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (event_id) DO UPDATE SET event_type = EXCLUDED.event_type, organization_id = EXCLUDED.organization_id,
         occurred_at = EXCLUDED.occurred_at, state = EXCLUDED.state, received_at = EXCLUDED.received_at,
         processed_at = EXCLUDED.processed_at, attempts = EXCLUDED.attempts, last_error = EXCLUDED.last_error,
         lease_owner = EXCLUDED.lease_owner, lease_until = EXCLUDED.lease_until`,
      eventParams(record),
      true,
    );
  }

  async *queryEvents(query: { state?: EventRecord['state'] } = {}): AsyncIterable<EventRecord> {
    let after = '';
    for (;;) {
      const rows = await this.#query<EventRow>(
        `SELECT * FROM ${this.#t}.events WHERE ($1::text IS NULL OR state = $1) AND event_id > $2 ORDER BY event_id LIMIT ${PAGE}`,
        [query.state ?? null, after],
        false,
      );
      for (const row of rows) yield eventFromRow(row);
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.event_id;
    }
  }

  // Runs.

  async putRun(record: RunRecord): Promise<void> {
    await this.#query(
      `INSERT INTO ${this.#t}.runs (run_id, command, owner, started_at, finished_at, totals, failures, stopped_because)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8)
       ON CONFLICT (run_id) DO UPDATE SET command = EXCLUDED.command, owner = EXCLUDED.owner, started_at = EXCLUDED.started_at,
         finished_at = EXCLUDED.finished_at, totals = EXCLUDED.totals, failures = EXCLUDED.failures, stopped_because = EXCLUDED.stopped_because`,
      [record.runId, record.command, record.owner, record.startedAt, record.finishedAt, json(record.totals), json(record.failures), record.stoppedBecause ?? null],
      true,
    );
  }

  async listRuns(options: { limit?: number } = {}): Promise<readonly RunRecord[]> {
    const rows = await this.#query<RunRow>(`SELECT * FROM ${this.#t}.runs ORDER BY started_at DESC LIMIT $1`, [options.limit ?? 20], false);
    return rows.map(runFromRow);
  }

  // The shared rate.

  /**
   * Reserves the next free slot of `bucket` (one row per bucket: the instant its next request may
   * go) and returns how long to wait for it, in milliseconds. One atomic upsert: every worker of
   * the ledger draws from the same sequence of slots, spaced 1/perSecond apart.
   */
  async reserveRateSlot(bucket: string, perSecond: number): Promise<number> {
    if (!(perSecond > 0) || !Number.isFinite(perSecond)) throw new LedgerError('LEDGER_RATE', `rate ${perSecond}/s for ${bucket} is not a positive number`);
    const rows = await this.#rateQuery<{ wait_ms: number }>(
      `WITH t AS (SELECT ${PgLedger.#nowSql(2)} AS now, $3::float8 * interval '1 millisecond' AS gap)
       INSERT INTO ${this.#t}.rate_slots AS r (bucket, next_at) SELECT $1, t.now + t.gap FROM t
       ON CONFLICT (bucket) DO UPDATE SET next_at = greatest(r.next_at, (SELECT now FROM t)) + (SELECT gap FROM t)
       RETURNING (extract(epoch FROM (r.next_at - (SELECT gap FROM t) - (SELECT now FROM t))) * 1000)::float8 AS wait_ms`,
      [bucket, this.#now(), 1000 / perSecond],
    );
    return Math.max(0, rows[0]?.wait_ms ?? 0);
  }

  /**
   * A statement on the rate session: a connection of its own, so that a reservation never queues
   * behind the pool's other statements, with `synchronous_commit` off, so that its commit does
   * not wait for the disk. The wait it returns is counted from the statement's instant: any delay
   * before the answer arrives would move the request off its slot. (A rate slot need not survive
   * a database crash: at worst a few requests after it are spaced from an earlier slot.)
   */
  async #rateQuery<R extends QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    if (this.#closed) throw new LedgerClosedError(`the PostgreSQL ledger at ${this.location} is closed`);
    if (this.#readOnly) throw new LedgerClosedError(`the PostgreSQL ledger at ${this.location} was opened read-only`);
    const session = (this.#rateSession ??= (async () => {
      const client = await this.#pool.connect();
      try {
        await client.query('SET synchronous_commit TO off');
      } catch (error) {
        client.release(true);
        throw error;
      }
      return client;
    })());
    try {
      const client = await session;
      return (await this.#rateLock.run(() => client.query<R>({ text: sql, values: params, name: statementName(sql) }))).rows;
    } catch (error) {
      // A broken session is dropped; the next reservation opens another.
      if (this.#rateSession === session) {
        this.#rateSession = undefined;
        session.then((client) => client.release(true), () => undefined);
      }
      throw this.#wrap(error, true);
    }
  }

  #releaseRateSession(): void {
    const session = this.#rateSession;
    this.#rateSession = undefined;
    session?.then((client) => client.release(), () => undefined);
  }

  async takeRateSlot(bucket: string, perSecond: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const wait = await this.reserveRateSlot(bucket, perSecond);
    if (wait > 0) await sleep(wait, signal);
  }

  /** Ends this handle's leases (its awards go to the next worker at once) and closes. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#flushLazy();
    this.#releaseRateSession();
    if (!this.#readOnly) {
      await this.#pool
        .query(`UPDATE ${this.#t}.awards SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1`, [this.owner])
        .catch(() => undefined);
    }
    await this.abandon();
  }

  /** Drops the connections without releasing anything, as a killed process would (tests use it). */
  async abandon(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#lazyTimer);
    for (const w of this.#lazy.splice(0)) w.reject(new LedgerClosedError(`the PostgreSQL ledger at ${this.location} is closed`));
    this.#releaseRateSession();
    await this.#pool.end().catch(() => undefined);
  }
}

function statementName(sql: string): string {
  return `credly_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
}

function toClaim(record: AwardRecord, owner: string, takenOver = record.state === 'issuing'): Claim {
  // A claim without an intent never changes the state: `issuing` after it means an earlier holder left it so.
  return { key: record.key, owner, fence: record.fence, record, takenOver };
}

/** The award columns, each qualified by a table alias. */
function prefixed(alias: string): string {
  return AWARD_COLUMNS.split(', ').map((column) => `${alias}.${column}`).join(', ');
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(messageOf).join('; ');
  if (error instanceof Error) return error.message || (error as NodeJS.ErrnoException).code || error.name;
  return String(error);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    // Aborted already (during the reservation's round trip): an abort event would never come.
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
