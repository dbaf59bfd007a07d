import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * PostgreSQL for tests: a real server named by DATABASE_URL (CI starts one with
 * scripts/with-postgres.sh). Without it, the tests that need it are skipped and say why.
 */
export const DATABASE_URL = process.env.DATABASE_URL;

export const PG_SKIP_REASON = DATABASE_URL ? undefined : 'DATABASE_URL is not set; run them with scripts/with-postgres.sh npm test';

// CI sets this so that a server that failed to start fails the run instead of skipping tests.
if (process.env.CREDLY_TEST_REQUIRE_POSTGRES === '1' && !DATABASE_URL) {
  throw new Error('CREDLY_TEST_REQUIRE_POSTGRES=1 but DATABASE_URL is not set: start PostgreSQL with scripts/with-postgres.sh');
}

/**
 * Set by scripts/with-postgres.sh when its server has TLS on (openssl installed): `ca.pem`, the CA
 * that signed the server's certificate (for 127.0.0.1), and `other-ca.pem`, a CA that signed nothing of it.
 */
export const DATABASE_TLS_DIR = process.env.DATABASE_TLS_DIR;

export const TLS_SKIP_REASON =
  PG_SKIP_REASON ?? (DATABASE_TLS_DIR ? undefined : 'DATABASE_TLS_DIR is not set: this server has no TLS (scripts/with-postgres.sh turns it on when openssl is installed)');

if (process.env.CREDLY_TEST_REQUIRE_POSTGRES === '1' && DATABASE_URL && !DATABASE_TLS_DIR) {
  throw new Error('CREDLY_TEST_REQUIRE_POSTGRES=1 but DATABASE_TLS_DIR is not set: start PostgreSQL with scripts/with-postgres.sh (it needs openssl)');
}

/** A schema name no other test file uses: each file works in its own, so files never collide. */
export function freshSchema(prefix: string): string {
  return `t_${prefix}_${randomBytes(4).toString('hex')}`;
}

/** The URL with `?schema=` set. */
export function urlWithSchema(schema: string): string {
  const url = new URL(requireDatabaseUrl());
  url.searchParams.set('schema', schema);
  return url.toString();
}

export function requireDatabaseUrl(): string {
  if (!DATABASE_URL) throw new Error(PG_SKIP_REASON);
  return DATABASE_URL;
}

/** Runs SQL as the administrator (outside any ledger), e.g. to drop a test schema. */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: requireDatabaseUrl() });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
