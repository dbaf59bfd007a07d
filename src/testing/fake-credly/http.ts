import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeHttpError } from './store.js';

const MAX_BODY = 1024 * 1024;

/** A JSON answer made ready to write: its body serialized, its headers set. */
export interface PreparedJson {
  readonly status: number;
  readonly headers: Record<string, string | number>;
  readonly text: string;
}

export function prepareJson(status: number, body: unknown, headers: Record<string, string> = {}): PreparedJson {
  const text = body === undefined ? '' : JSON.stringify(body);
  return { status, headers: { ...(text ? { 'Content-Type': 'application/json; charset=utf-8' } : {}), 'Content-Length': Buffer.byteLength(text), ...headers }, text };
}

export function writeJson(res: ServerResponse, prepared: PreparedJson): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(prepared.status, prepared.headers);
  res.end(prepared.text);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  writeJson(res, prepareJson(status, body, headers));
}

export function sendError(res: ServerResponse, status: number, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): void {
  sendJson(res, status, { data: { message, ...extra } }, headers);
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new FakeHttpError(413, 'Request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** JSON, or (for the OAuth endpoint and lenient clients) a form body. */
export function parseBody(text: string, contentType: string | undefined): Record<string, unknown> {
  if (text.trim() === '') return {};
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new FakeHttpError(400, 'Malformed JSON in the request body');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new FakeHttpError(400, 'The request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** Credly's `filter=k::v|k2::v1,v2` as a map of key → accepted values. */
export function parseFilter(text: string | null): Map<string, string[]> {
  const filter = new Map<string, string[]>();
  if (!text) return filter;
  for (const part of text.split('|')) {
    const at = part.indexOf('::');
    if (at <= 0) throw new FakeHttpError(400, `Invalid filter "${part}": use key::value`);
    filter.set(part.slice(0, at), part.slice(at + 2).split(','));
  }
  return filter;
}

/** Sorts by `sort=key|-key2` on the serialized objects. */
export function sortBy<T extends Record<string, unknown>>(items: T[], sort: string | null): T[] {
  if (!sort) return items;
  const keys = sort.split('|').map((key) => (key.startsWith('-') ? { key: key.slice(1), dir: -1 } : { key, dir: 1 }));
  return [...items].sort((a, b) => {
    for (const { key, dir } of keys) {
      const x = a[key];
      const y = b[key];
      if (x === y) continue;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (x < y ? -1 : 1) * dir;
    }
    return 0;
  });
}

export const PER_PAGE = 50;

/** One page of 50 with Credly's list metadata. */
export function paginate<T>(items: readonly T[], pageParam: string | null, pageUrl: (page: number) => string): { data: T[]; metadata: Record<string, unknown> } {
  const page = pageParam === null ? 1 : Number(pageParam);
  if (!Number.isInteger(page) || page < 1) throw new FakeHttpError(400, 'page must be a whole number of 1 or more');
  const totalPages = Math.max(1, Math.ceil(items.length / PER_PAGE));
  const data = items.slice((page - 1) * PER_PAGE, page * PER_PAGE);
  return {
    data,
    metadata: {
      count: data.length,
      current_page: page,
      total_count: items.length,
      total_pages: totalPages,
      per: PER_PAGE,
      previous_page_url: page > 1 ? pageUrl(page - 1) : null,
      next_page_url: page < totalPages ? pageUrl(page + 1) : null,
    },
  };
}

export interface Credential {
  readonly organizationId: string | undefined;
  readonly write: boolean;
}

/** The token in `Authorization`: Basic with the token as user name (with or without the colon), or Bearer. */
export function readAuthorization(header: string | undefined): { scheme: 'basic' | 'bearer'; value: string } | null {
  if (!header) return null;
  const [scheme, value] = header.split(' ', 2);
  if (!value) return null;
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const token = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
    return token ? { scheme: 'basic', value: token } : null;
  }
  if (scheme?.toLowerCase() === 'bearer') return { scheme: 'bearer', value };
  return null;
}

export const HTML_ERROR_PAGE =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n';
