import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONNECT_TIMEOUT_MS, openPostgresLedger } from '../../../src/ledger/postgres.js';
import { DEFAULT_SCHEMA, parsePgUrl, redactUrlText, scrub } from '../../../src/ledger/postgres/url.js';

// The ledger URL, without a server: schema selection, TLS options, and the password kept out of sight.
describe('PostgreSQL ledger URL', () => {
  it('takes the schema from ?schema= or the option, removes it from what pg sees, and shows no password', () => {
    const target = parsePgUrl('postgres://issuer:s3cr%40t-pw@db.campus.edu:6543/credly?schema=campus_east&sslmode=verify-full');
    expect(target.schema).toBe('campus_east');
    expect(target.connectionString).not.toContain('schema=');
    expect(target.connectionString).toContain('sslmode=verify-full');
    expect(target.urlConfiguresTls).toBe(true);
    expect(target.location).toBe('postgres://issuer@db.campus.edu:6543/credly?sslmode=verify-full&schema=campus_east');
    expect(target.secrets).toEqual(['s3cr%40t-pw', 's3cr@t-pw']);
    expect(parsePgUrl('postgres://u@h/db').schema).toBe(DEFAULT_SCHEMA);
    expect(parsePgUrl('postgres://u@h/db', 'west').schema).toBe('west');
    expect(parsePgUrl('postgres://u@h/db?schema=west', 'west').schema).toBe('west');
  });

  it('refuses a schema that is not a plain name, or two different schemas, naming the fix', () => {
    expect(() => parsePgUrl('postgres://u:pw@h/db?schema=Campus-East')).toThrow(/schema "Campus-East" is not a plain schema name: use lower-case letters/);
    expect(() => parsePgUrl('postgres://u:pw@h/db?schema=a', 'b')).toThrow(/schema=a but the schema option says b: give one/);
  });

  it('scrubs passwords from messages, encoded or not, and from any URL in them', () => {
    expect(scrub('auth failed for s3cr@t-pw at postgres://u:other@h/db', ['s3cr@t-pw'])).toBe('auth failed for *** at postgres://u:***@h/db');
    expect(redactUrlText('see postgresql://admin:hunter2@10.0.0.1:5432/x')).toBe('see postgresql://admin:***@10.0.0.1:5432/x');
  });

  it('refuses TLS given both in the URL and in backend options, before connecting', async () => {
    await expect(openPostgresLedger('postgres://u:hunter2@127.0.0.1:1/db?sslmode=require', { backend: { ssl: { rejectUnauthorized: true } } })).rejects.toThrow(
      /TLS is configured twice for postgres:\/\/u@127\.0\.0\.1:1\/db\?sslmode=require&schema=credly_ledger: give it in the URL \(sslmode=…\) or in backend\.ssl, not both/,
    );
  });

  it('reads connect_timeout (seconds) from the URL, and refuses one that is not a whole number of seconds', () => {
    expect(parsePgUrl('postgres://u:p@h/db?connect_timeout=5').connectTimeoutMs).toBe(5000);
    expect(parsePgUrl('postgres://u:p@h/db').connectTimeoutMs).toBeUndefined();
    expect(() => parsePgUrl('postgres://u:p@h/db?connect_timeout=2.5')).toThrow(/connect_timeout=2\.5 in the ledger URL is not a whole number of seconds: use e\.g\. connect_timeout=10/);
  });

  // Before, `pg` waited without limit (it reads connect_timeout only with its native binding).
  describe('a server that accepts connections and never answers', () => {
    async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
      const sockets = new Set<Socket>();
      const server: Server = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return {
        port: (server.address() as AddressInfo).port,
        close: () => {
          for (const socket of sockets) socket.destroy();
          return new Promise((resolve) => server.close(() => resolve()));
        },
      };
    }

    it.each([
      ['the URL\'s connect_timeout', (port: number) => [`postgres://u:hunter2@127.0.0.1:${port}/db?connect_timeout=1`, {}] as const],
      ['backend.connectionTimeoutMillis', (port: number) => [`postgres://u:hunter2@127.0.0.1:${port}/db`, { backend: { connectionTimeoutMillis: 300 } }] as const],
    ])('does not hang the open: %s bounds it', async (_what, target) => {
      const server = await silentServer();
      try {
        const [url, options] = target(server.port);
        const error = (await openPostgresLedger(url, options).catch((e: unknown) => e)) as Error & { code?: string };
        expect(error).toMatchObject({ code: 'LEDGER_UNAVAILABLE' });
        expect(error.message).toMatch(/^cannot open the PostgreSQL ledger at postgres:\/\/u@127\.0\.0\.1:\d+\/db.*: .*timeout/);
        expect(error.message).not.toContain('hunter2');
      } finally {
        await server.close();
      }
    });

    it('backend.connectionTimeoutMillis wins over the URL\'s connect_timeout', async () => {
      const server = await silentServer();
      try {
        // The URL says a minute, the option 300 ms: the open gives up after the option's wait.
        const started = Date.now();
        const error = await openPostgresLedger(`postgres://u:hunter2@127.0.0.1:${server.port}/db?connect_timeout=60`, { backend: { connectionTimeoutMillis: 300 } }).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'LEDGER_UNAVAILABLE', message: expect.stringMatching(/timeout/) });
        expect(Date.now() - started).toBeLessThan(10_000);
      } finally {
        await server.close();
      }
    });

    it('gives up after DEFAULT_CONNECT_TIMEOUT_MS (30 s) when neither says otherwise', async () => {
      expect(DEFAULT_CONNECT_TIMEOUT_MS).toBe(30_000);
      const server = await silentServer();
      await import('pg'); // loaded with real timers: only the connection's wait is faked
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        let settled: unknown;
        void openPostgresLedger(`postgres://u:hunter2@127.0.0.1:${server.port}/db`).then(
          () => (settled = 'opened'),
          (error: unknown) => (settled = error),
        );
        await vi.advanceTimersByTimeAsync(DEFAULT_CONNECT_TIMEOUT_MS - 1_000);
        expect(settled).toBeUndefined();
        await vi.advanceTimersByTimeAsync(1_000);
        expect(settled).toMatchObject({ code: 'LEDGER_UNAVAILABLE', message: expect.stringMatching(/timeout/) });
      } finally {
        vi.useRealTimers();
        await server.close();
      }
    });
  });
});
