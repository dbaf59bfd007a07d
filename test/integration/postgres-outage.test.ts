import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { issueBadges } from '../../src/index.js';
import { openPostgresLedger, type PgLedger } from '../../src/ledger/postgres.js';
import { TestClock } from '../helpers/clock.js';
import { allAwards, sqlAllowingDuplicates, csvRows, issuanceSetup, sqlRosterCsv } from '../helpers/issuance.js';
import { DATABASE_URL, PG_SKIP_REASON, dropSchema, freshSchema } from '../helpers/postgres.js';

// docs/scaling.md, "The database is unreachable or restarts": the database goes away in the middle
// of a run. The engine stops (nothing that depended on a failed write is sent), and a run once it
// is back finishes the roster with one badge per learner, on a template that would take a second.
const suite = PG_SKIP_REASON ? describe.skip : describe;
const schemas: string[] = [];
afterAll(async () => {
  if (DATABASE_URL) for (const name of schemas) await dropSchema(name);
});

/** A TCP proxy in front of the test server that can cut every connection and refuse new ones. */
async function cuttableProxy(target: URL): Promise<{ url: (schema: string) => string; cut: () => void; restore: () => void; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let down = false;
  const server: Server = createServer((client) => {
    if (down) return client.destroy();
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (schema) => {
      const url = new URL(target);
      url.host = `127.0.0.1:${port}`;
      url.searchParams.set('schema', schema);
      return url.toString();
    },
    cut: () => {
      down = true;
      for (const socket of sockets) socket.destroy();
    },
    restore: () => {
      down = false;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

suite(`the database goes away mid-run${PG_SKIP_REASON ? ` (skipped: ${PG_SKIP_REASON})` : ''}`, () => {
  it('the engine stops sending; once it is back, the next run finishes with one badge per learner', async () => {
    const schema = freshSchema('outage');
    schemas.push(schema);
    const proxy = await cuttableProxy(new URL(DATABASE_URL!));
    const n = 60;
    const concurrency = 4;
    // The ledgers' clock: moved on past the first run's leases before the next run.
    const clock = new TestClock();
    let ledger: PgLedger | undefined;
    try {
      ledger = await openPostgresLedger(proxy.url(schema), { now: clock.now, backend: { connectionTimeoutMillis: 2_000 } });
      // A re-send that did not look the badge up first would make a second badge.
      const entry = sqlAllowingDuplicates();
      const ctx = await issuanceSetup({ fake: { latencyMs: 20 }, ledger, entries: [entry] });
      try {
        let postsAtCut = -1;
        const cutter = setInterval(() => {
          if (postsAtCut < 0 && ctx.fake.badges().length >= 12) {
            postsAtCut = ctx.fake.stats().requests['POST /badges'] ?? 0;
            proxy.cut();
          }
        }, 2);
        const report = await issueBadges(csvRows(sqlRosterCsv(n)), { ...ctx.base, ledger, concurrency }).finally(() => clearInterval(cutter));
        expect(postsAtCut).toBeGreaterThan(0);
        expect(report.stoppedBecause).toMatch(/PostgreSQL ledger/);
        // After the cut only awards whose intent was durable before it may still go out: those in
        // flight and the few claimed ahead of the slots (as many again as the slots), never the rest.
        const postsAfterCut = (ctx.fake.stats().requests['POST /badges'] ?? 0) - postsAtCut;
        expect(postsAfterCut).toBeLessThanOrEqual(2 * concurrency);
        expect(ctx.fake.badges().length).toBeLessThan(n);
        await ledger.abandon(); // its connections are gone; a killed worker's handle is left the same way

        proxy.restore();
        // The next run (after the leases of the first one ran out: it died holding them) looks up
        // every award left "issuing" and sends only what Credly does not hold.
        clock.advance(31_000);
        const next = await openPostgresLedger(proxy.url(schema), { now: clock.now });
        try {
          const again = await issueBadges(csvRows(sqlRosterCsv(n)), { ...ctx.base, ledger: next, concurrency });
          expect(again.stoppedBecause).toBeNull();
          expect(ctx.fake.badges()).toHaveLength(n);
          const awards = await allAwards(next);
          expect(awards).toHaveLength(n);
          expect(awards.every((a) => a.state === 'issued')).toBe(true);
        } finally {
          await next.close();
        }
      } finally {
        await ctx.close();
      }
    } finally {
      proxy.restore();
      await proxy.close();
    }
  });
});
