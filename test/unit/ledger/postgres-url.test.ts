import { describe, expect, it } from 'vitest';
import { openPostgresLedger } from '../../../src/ledger/postgres.js';
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
});
