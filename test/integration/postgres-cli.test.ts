import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeCredly } from '../../src/testing/index.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { exampleProposalJson } from '../helpers/examples.js';
import { sqlRosterCsv } from '../helpers/issuance.js';
import { openPostgresLedger } from '../../src/ledger/postgres.js';
import { award } from '../contract/ledger-contract.js';
import { PG_SKIP_REASON, adminQuery, dropSchema, freshSchema, urlWithSchema } from '../helpers/postgres.js';

// The `issue` command on a shared ledger, in this process, seen from the wire.
const suite = PG_SKIP_REASON ? describe.skip : describe;
const schemas: string[] = [];
afterAll(async () => {
  for (const name of schemas) await dropSchema(name);
});

/** A proxy in front of the fake that notes when each request arrives and when its answer leaves. */
async function recordingProxy(target: string): Promise<{ url: string; events: string[]; close: () => Promise<void> }> {
  const events: string[] = [];
  const route = (method: string | undefined, path: string) => `${method} ${path.replace(/\/v1\/organizations\/[^/]+/, '/org').replace(/\/badge_templates\/[^/?]+/, '/badge_templates/:id')}`;
  const server: Server = createServer((req, res) => {
    const name = route(req.method, req.url ?? '');
    events.push(`arrive ${name}`);
    const upstream = request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res).on('finish', () => events.push(`answer ${name}`));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, events, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

suite(`issue on a PostgreSQL ledger${PG_SKIP_REASON ? ` (skipped: ${PG_SKIP_REASON})` : ''}`, () => {
  it('checks the templates in Credly beside the credentials check, not after it', async () => {
    // Each answer takes 400 ms: the ledger opens (a few ms) long before the credentials' answer.
    const fake = await startFakeCredly({ seed: 3, latencyMs: 400 });
    const proxy = await recordingProxy(fake.url);
    const dir = mkdtempSync(join(tmpdir(), 'credly-pg-cli-'));
    const schema = freshSchema('clistart');
    schemas.push(schema);
    try {
      const env = { ...cleanEnv, CREDLY_ORGANIZATION_ID: fake.organizationId, CREDLY_API_TOKEN: fake.token, CREDLY_BASE_URL: `${proxy.url}/v1`, CREDLY_LEDGER: urlWithSchema(schema) };
      writeFileSync(join(dir, 'sql.json'), JSON.stringify({ proposal: exampleProposalJson('non-credit'), approval: { state: 'approved' } }));
      writeFileSync(join(dir, 'roster.csv'), sqlRosterCsv(3));
      expect((await runCli(['sync-templates', join(dir, 'sql.json')], { env })).code).toBe(0);
      proxy.events.length = 0;
      const issue = await runCli(['issue', '--roster', join(dir, 'roster.csv'), '--microcredential', join(dir, 'sql.json'), '--json'], { env });
      expect(issue.code).toBe(0);
      expect(JSON.parse(issue.stdout).totals.issued).toBe(3);
      const at = (event: string) => proxy.events.indexOf(event);
      expect(at('arrive GET /org')).toBeGreaterThanOrEqual(0);
      // Before: the template check was sent only once the credentials' answer had come back.
      expect(at('arrive GET /org/badge_templates/:id')).toBeGreaterThanOrEqual(0);
      expect(at('arrive GET /org/badge_templates/:id')).toBeLessThan(at('answer GET /org'));
      // And nothing is issued before the credentials were confirmed.
      expect(at('arrive POST /org/badges')).toBeGreaterThan(at('answer GET /org'));
    } finally {
      await proxy.close();
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names a ledger without synced templates by its location, never with its password', async () => {
    const fake = await startFakeCredly({ seed: 4 });
    const dir = mkdtempSync(join(tmpdir(), 'credly-pg-cli-'));
    const schema = freshSchema('clinosync');
    schemas.push(schema);
    try {
      const url = new URL(urlWithSchema(schema));
      // The throwaway server trusts loopback: a password it does not need still travels in the URL.
      if (!url.password) url.password = 'pw-never-shown-4821';
      const password = decodeURIComponent(url.password);
      const env = { ...cleanEnv, CREDLY_ORGANIZATION_ID: fake.organizationId, CREDLY_API_TOKEN: fake.token, CREDLY_BASE_URL: fake.baseUrl, CREDLY_LEDGER: url.toString() };
      writeFileSync(join(dir, 'sql.json'), JSON.stringify({ proposal: exampleProposalJson('non-credit'), approval: { state: 'approved' } }));
      writeFileSync(join(dir, 'roster.csv'), sqlRosterCsv(2));
      const issue = await runCli(['issue', '--roster', join(dir, 'roster.csv'), '--microcredential', join(dir, 'sql.json')], { env });
      expect(issue.code).toBe(1);
      expect(issue.stderr).toMatch(/^error: no Credly template is recorded in postgres:\/\/\S+ for coding-in-sql: run sync-templates with the same --ledger first$/m);
      // Before: the URL was printed as given, password and all.
      expect(issue.stderr).not.toContain(password);
      expect(fake.stats().requests['POST /badges'] ?? 0).toBe(0);
    } finally {
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('status reads without writing: a mistyped schema is refused, not created', async () => {
    const schema = freshSchema('clityped');
    schemas.push(schema);
    const status = await runCli(['status', '--ledger', urlWithSchema(schema)], { env: cleanEnv });
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(new RegExp(`^error: there is no ledger in schema ${schema}: check the URL's \\?schema=`, 'm'));
    // Before: status migrated the schema it was given, printed "0 award(s)" and exited 0.
    expect(await adminQuery('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).toEqual([]);
  });

  it('status shows the whole job, and which worker holds each pending award until when', async () => {
    const schema = freshSchema('clistatus');
    schemas.push(schema);
    const worker = await openPostgresLedger(urlWithSchema(schema));
    try {
      await worker.planAward(award(1));
      await worker.planAward(award(2));
      const claim = await worker.claimAward(award(1).key, { owner: worker.owner, leaseMs: 60_000 });
      expect(claim).not.toBeNull();
      const status = await runCli(['status', '--ledger', urlWithSchema(schema)], { env: cleanEnv });
      expect(status.code).toBe(3); // some unfinished
      expect(status.stdout).toContain(`(worker ${worker.owner} holds it until `);
      // The other pending award is held by no one.
      expect(status.stdout.match(/holds it until/g)).toHaveLength(1);
    } finally {
      await worker.close();
    }
  });
});
