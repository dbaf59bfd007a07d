import type { PoolClient } from 'pg';
import { LedgerError } from '../errors.js';
import { quoteIdent } from './url.js';

/**
 * The ledger's schema, as numbered migrations. A migration is never edited once released: a
 * change is a new one. Each runs inside the schema (search_path), in the open's transaction.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'awards, templates, events, runs, rate slots',
    sql: `
      CREATE TABLE awards (
        key text PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        microcredential_id text NOT NULL,
        template_id text NOT NULL,
        email text NOT NULL,
        earner_id text NOT NULL,
        state text NOT NULL CHECK (state IN ('planned', 'issuing', 'issued', 'failed', 'revoked', 'replaced')),
        version integer NOT NULL,
        fence integer NOT NULL,
        lease_owner text,
        lease_until timestamptz,
        attempts integer NOT NULL,
        badge_id text,
        how text,
        roster_row integer,
        request jsonb,
        snapshot jsonb,
        last_error text,
        issued_at text,
        previous_badge_ids jsonb,
        revocation_reason text,
        credly jsonb,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      -- claimNext walks this index: issuing awards first (false sorts before true), then planned,
      -- in load order; settled awards leave it, so it shrinks as the job progresses.
      CREATE INDEX awards_claimable ON awards ((state <> 'issuing'), seq) WHERE state IN ('planned', 'issuing');
      CREATE INDEX awards_microcredential_state ON awards (microcredential_id, state);
      CREATE INDEX awards_badge ON awards (badge_id) WHERE badge_id IS NOT NULL;
      CREATE INDEX awards_email ON awards (lower(email));
      CREATE INDEX awards_earner ON awards (lower(earner_id));
      CREATE INDEX awards_lease_owner ON awards (lease_owner) WHERE lease_owner IS NOT NULL;

      CREATE TABLE templates (
        microcredential_id text PRIMARY KEY,
        template_id text NOT NULL,
        fingerprint text NOT NULL,
        state text NOT NULL,
        unusable_reason text,
        allow_duplicates boolean NOT NULL,
        microcredential jsonb,
        updated_at text NOT NULL
      );

      CREATE TABLE events (
        event_id text PRIMARY KEY,
        event_type text NOT NULL,
        organization_id text NOT NULL,
        occurred_at text,
        state text NOT NULL CHECK (state IN ('received', 'processed')),
        received_at text NOT NULL,
        processed_at text,
        attempts integer NOT NULL,
        last_error text
      );
      CREATE INDEX events_received ON events (event_id) WHERE state = 'received';

      CREATE TABLE runs (
        run_id text PRIMARY KEY,
        command text NOT NULL,
        owner text NOT NULL,
        started_at text NOT NULL,
        finished_at text,
        totals jsonb NOT NULL,
        failures jsonb NOT NULL,
        stopped_because text
      );
      CREATE INDEX runs_started ON runs (started_at DESC);

      CREATE TABLE rate_slots (
        bucket text PRIMARY KEY,
        next_at timestamptz NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'event leases: one receiver processes an event at a time',
    sql: `
      ALTER TABLE events ADD COLUMN lease_owner text, ADD COLUMN lease_until timestamptz;
    `,
  },
];

export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/** The advisory lock key for this schema's migrations (every worker of one schema, and only them). */
export function lockKey(schema: string, purpose: string): string {
  return `credly-microcredentials:${schema}:${purpose}`;
}

/**
 * Brings the schema up to date in one transaction under a transaction-level advisory lock: ten
 * workers starting at once queue on the lock, the first applies the migrations, the others find
 * them applied. Returns how many this call applied. Refuses a schema newer than this code.
 */
export async function migrate(client: PoolClient, schema: string, options: { readOnly: boolean }): Promise<number> {
  const ident = quoteIdent(schema);
  if (options.readOnly) {
    const current = await appliedVersion(client, schema);
    if (current === 0) {
      throw new LedgerError('LEDGER_SCHEMA', `there is no ledger in schema ${schema}: check the URL's ?schema= (or --schema), or create it with a job that writes (sync-templates, issue, migrate-ledger)`);
    }
    if (current < SCHEMA_VERSION) {
      throw new LedgerError('LEDGER_SCHEMA', `the ledger schema ${schema} is at version ${current}, not ${SCHEMA_VERSION}: open it once read-write (any job) to migrate it`);
    }
    // A reader refuses a newer schema as a writer does: its records may hold what this version cannot read.
    if (current > SCHEMA_VERSION) throw newerSchema(schema, current);
    return 0;
  }
  // The common case, a schema already at this version, is one read: no transaction, and no wait
  // for the migration lock while other workers open the same ledger at the same moment.
  if ((await appliedVersion(client, schema)) === SCHEMA_VERSION) return 0;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [lockKey(schema, 'migrate')]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident}`);
    await client.query(`SET LOCAL search_path TO ${ident}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${ident}.ledger_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const current = await appliedVersion(client, schema);
    if (current > SCHEMA_VERSION) throw newerSchema(schema, current);
    let applied = 0;
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      await client.query(migration.sql);
      await client.query(`INSERT INTO ${ident}.ledger_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      applied += 1;
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

function newerSchema(schema: string, current: number): LedgerError {
  return new LedgerError('LEDGER_SCHEMA', `the ledger schema ${schema} is at version ${current}, newer than this version of credly-microcredentials knows (${SCHEMA_VERSION}): upgrade it`);
}

async function appliedVersion(client: PoolClient, schema: string): Promise<number> {
  // One round trip, not a look for the table then a read: several workers open the ledger at once.
  try {
    const result = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${quoteIdent(schema)}.ledger_migrations`);
    return result.rows[0]?.version ?? 0;
  } catch (error) {
    // No such table yet, or no such schema (PostgreSQL says 42P01 for either in a qualified name):
    // nothing is applied. Anything else (no privilege, 42501) is the open's error.
    if ((error as { code?: string }).code === '42P01') return 0;
    throw error;
  }
}
