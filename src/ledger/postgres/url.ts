import { LedgerUrlError } from '../errors.js';

/** A PostgreSQL schema name we accept: plain, lower case, so that it never needs quoting surprises. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** The query parameters of a ledger URL that configure TLS in `pg`. */
const TLS_PARAMS = ['ssl', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'uselibpqcompat'];

export const DEFAULT_SCHEMA = 'credly_ledger';

export interface PgTarget {
  /** The URL as `pg` receives it: ours (`schema`) removed, the password kept. */
  readonly connectionString: string;
  /** The URL without its password, for messages. */
  readonly location: string;
  readonly schema: string;
  /** Whether the URL configures TLS itself (then `backend.ssl` must not). */
  readonly urlConfiguresTls: boolean;
  /** The secrets to scrub from any message that leaves this module (the password, decoded and not). */
  readonly secrets: readonly string[];
  /** libpq's `connect_timeout` (seconds) from the URL, in milliseconds, when it gives one. */
  readonly connectTimeoutMs?: number;
}

/**
 * Reads a `postgres://user:password@host:port/database?schema=…&sslmode=…` URL. `schema` is ours
 * (several campuses or environments in one database); every other parameter is `pg`'s.
 */
export function parsePgUrl(url: string, schemaOption?: string): PgTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LedgerUrlError(`the ledger URL ${redactUrlText(url)} is not a valid URL: use postgres://user:password@host:5432/database`);
  }
  const secrets = parsed.password ? [parsed.password, safeDecode(parsed.password)] : [];
  const fromUrl = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  if (fromUrl !== null && schemaOption !== undefined && fromUrl !== schemaOption) {
    throw new LedgerUrlError(`the ledger URL says schema=${fromUrl} but the schema option says ${schemaOption}: give one`);
  }
  const schema = schemaOption ?? fromUrl ?? DEFAULT_SCHEMA;
  if (!SCHEMA_NAME.test(schema)) {
    throw new LedgerUrlError(`schema "${schema}" is not a plain schema name: use lower-case letters, digits and _ (e.g. campus_east)`);
  }
  const urlConfiguresTls = TLS_PARAMS.some((name) => parsed.searchParams.has(name));
  // `pg` reads connect_timeout only with its native binding: it is carried over as the pool's timeout.
  const connectTimeout = parsed.searchParams.get('connect_timeout');
  if (connectTimeout !== null && !/^[1-9]\d{0,5}$/.test(connectTimeout)) {
    throw new LedgerUrlError(`connect_timeout=${connectTimeout} in the ledger URL is not a whole number of seconds: use e.g. connect_timeout=10`);
  }
  const connectionString = parsed.toString();
  const shown = new URL(connectionString);
  shown.password = '';
  shown.searchParams.set('schema', schema);
  return { connectionString, location: shown.toString(), schema, urlConfiguresTls, secrets, ...(connectTimeout ? { connectTimeoutMs: Number(connectTimeout) * 1000 } : {}) };
}

/** Removes every secret from a message (errors from the driver may quote what they were given). */
export function scrub(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const secret of secrets) if (secret) out = out.split(secret).join('***');
  return redactUrlText(out);
}

/** Masks the credentials of any URL written in a text. */
export function redactUrlText(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)([^@/\s]*)@/gi, (_all, scheme: string, userinfo: string) => {
    const user = userinfo.split(':')[0] ?? '';
    return `${scheme}${user}${userinfo.includes(':') ? ':***' : ''}@`;
  });
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The schema name as an SQL identifier (validated above, quoted anyway). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
