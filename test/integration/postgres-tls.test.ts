import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openLedger, type OpenLedgerOptions } from '../../src/ledger/open.js';
import type { Ledger } from '../../src/ledger/contract.js';
import { award } from '../contract/ledger-contract.js';
import { DATABASE_TLS_DIR, DATABASE_URL, TLS_SKIP_REASON, adminQuery, dropSchema, freshSchema } from '../helpers/postgres.js';

// docs/scaling.md's TLS options, against a server with TLS on (scripts/with-postgres.sh: a CA of
// its own signed the server's certificate for 127.0.0.1). What each sslmode does is pg's; what is
// ours is that the URL's options reach it, that the connection is then encrypted (asked of the
// server, not assumed), and that a refused certificate is a clear ledger error without the password.
const suite = TLS_SKIP_REASON ? describe.skip : describe;
const schemas: string[] = [];

afterAll(async () => {
  if (DATABASE_URL) for (const name of schemas) await dropSchema(name);
});

/** The test server's URL with these query parameters, in a schema of its own, and an application name to find its connections by. */
function tlsUrl(params: Record<string, string>): { url: string; applicationName: string } {
  const schema = freshSchema('tls');
  schemas.push(schema);
  const url = new URL(DATABASE_URL!);
  url.searchParams.set('schema', schema);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  const applicationName = `credly-tls-${schema}`;
  url.searchParams.set('application_name', applicationName);
  return { url: url.toString(), applicationName };
}

/** Whether the server sees this application's connections encrypted (pg_stat_ssl), and with which protocol. */
async function encryption(applicationName: string): Promise<Array<{ ssl: boolean; version: string | null }>> {
  return adminQuery<{ ssl: boolean; version: string | null }>(
    'SELECT s.ssl, s.version FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = $1',
    [applicationName],
  );
}

/**
 * Opens the ledger, writes and reads an award back over it, and checks with the server that every
 * connection it holds is encrypted (or, with `encrypted: false`, that none is).
 */
async function expectWorks(target: { url: string; applicationName: string }, options: OpenLedgerOptions = {}, encrypted = true): Promise<void> {
  const ledger: Ledger = await openLedger(target.url, options);
  try {
    await ledger.planAward(award(1));
    expect((await ledger.getAward(award(1).key))?.state).toBe('planned');
    const connections = await encryption(target.applicationName);
    expect(connections.length).toBeGreaterThan(0);
    for (const connection of connections) expect(connection.ssl).toBe(encrypted);
    if (encrypted) for (const connection of connections) expect(connection.version).toMatch(/^TLSv1\.[23]$/);
  } finally {
    await ledger.close();
  }
}

const password = () => decodeURIComponent(new URL(DATABASE_URL!).password);

suite(`PostgreSQL ledger over TLS${TLS_SKIP_REASON ? ` (skipped: ${TLS_SKIP_REASON})` : ''}`, () => {
  it('sslmode=verify-full with sslrootcert: the certificate is checked against that CA, and the connection is encrypted', async () => {
    await expectWorks(tlsUrl({ sslmode: 'verify-full', sslrootcert: join(DATABASE_TLS_DIR!, 'ca.pem') }));
  });

  it('a certificate the given CA did not sign is refused: a one-line ledger error, without the password', async () => {
    const { url } = tlsUrl({ sslmode: 'verify-full', sslrootcert: join(DATABASE_TLS_DIR!, 'other-ca.pem') });
    const error = await openLedger(url).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error).toMatchObject({ code: 'LEDGER_UNAVAILABLE' });
    expect(error!.message).toMatch(/^cannot open the PostgreSQL ledger at postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres.*: .*certificate/);
    expect(error!.message).not.toContain(password());
    expect(error!.message).not.toContain('\n');
  });

  it('backend.ssl (pg\'s own TLS options, e.g. the CA as text from a Secret) instead of the URL\'s', async () => {
    await expectWorks(tlsUrl({}), { backend: { ssl: { ca: readFileSync(join(DATABASE_TLS_DIR!, 'ca.pem'), 'utf8') } } });
    const other = tlsUrl({});
    await expect(openLedger(other.url, { backend: { ssl: { ca: readFileSync(join(DATABASE_TLS_DIR!, 'other-ca.pem'), 'utf8') } } })).rejects.toMatchObject({
      code: 'LEDGER_UNAVAILABLE',
      message: expect.stringMatching(/certificate/),
    });
  });

  it('without sslmode there is no TLS (pg\'s default): TLS is asked for in the URL', async () => {
    await expectWorks(tlsUrl({}), {}, false);
  });

  it('sslmode=require is verify-full with pg 8.23 (a CA the system does not trust is refused); uselibpqcompat=true makes it encrypt without checking', async () => {
    const strict = tlsUrl({ sslmode: 'require' });
    await expect(openLedger(strict.url)).rejects.toMatchObject({ code: 'LEDGER_UNAVAILABLE', message: expect.stringMatching(/certificate/) });

    await expectWorks(tlsUrl({ sslmode: 'require', uselibpqcompat: 'true' }));
  });

  it('sslmode=no-verify encrypts without checking the certificate', async () => {
    await expectWorks(tlsUrl({ sslmode: 'no-verify' }));
  });
});
