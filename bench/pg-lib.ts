// Shared by the PostgreSQL benchmarks (bench/workers.ts, bench/workers-part.ts): the microcredential
// file the workers issue, and a ledger URL in a throwaway schema per job.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { ROOT } from './lib.js';

/** The benchmark's microcredential with its approval, as a file the CLI reads. */
export function writeApprovedMicrocredential(dir: string): string {
  const path = join(dir, 'sql.json');
  writeFileSync(path, JSON.stringify({ proposal: JSON.parse(readFileSync(join(ROOT, 'fixtures/examples/non-credit.proposal.json'), 'utf8')), approval: { state: 'approved' } }));
  return path;
}

let schemas = 0;

/** A ledger URL in a fresh schema of `databaseUrl` (every job starts empty), and how to drop it. */
export function freshLedger(databaseUrl: string, prefix: string): { url: string; drop: () => Promise<void> } {
  const schema = `${prefix}_${process.pid}_${(schemas += 1)}`;
  const url = new URL(databaseUrl);
  url.searchParams.set('schema', schema);
  const drop = async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  };
  return { url: url.toString(), drop };
}
