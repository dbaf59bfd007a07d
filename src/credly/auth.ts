import type { AxiosInstance } from 'axios';
import { apiErrorFor, CredlyConnectionError, CredlyValidationError } from './errors.js';
import { redactSecrets } from './redact.js';

/** Gives the Authorization header for each request. */
export interface AuthProvider {
  readonly kind: 'token' | 'oauth';
  header(signal?: AbortSignal): Promise<string>;
  /** Forget a cached OAuth token (after a 401). */
  invalidate(): void;
  /** Strings that must never appear in a log, an error or a report. */
  secrets(): readonly string[];
}

/** HTTP Basic with the organization token as the user name and an empty password (credly-api.md §1). */
export class TokenAuth implements AuthProvider {
  readonly kind = 'token';
  readonly #token: string;
  readonly #header: string;

  constructor(token: string) {
    this.#token = token.trim();
    this.#header = `Basic ${Buffer.from(`${this.#token}:`).toString('base64')}`;
  }

  async header(): Promise<string> {
    return this.#header;
  }

  invalidate(): void {}

  secrets(): readonly string[] {
    return [this.#token];
  }
}

interface CachedToken {
  readonly accessToken: string;
  readonly expiresAt: number;
}

/**
 * OAuth 2.0 client credentials against Credly's token endpoint. The token is cached and refreshed a
 * minute before it expires (or at 90 % of its life, if shorter), and once after a 401. The response
 * shape is unverified: `access_token` (RFC 6749) and `data.token` (one real client) are both read;
 * without `expires_in` a token is kept for an hour.
 */
export class OAuthClientCredentials implements AuthProvider {
  readonly kind = 'oauth';
  readonly #http: AxiosInstance;
  readonly #tokenUrl: string;
  readonly #clientId: string;
  readonly #clientSecret: string;
  readonly #scope: string | undefined;
  readonly #now: () => number;
  readonly #timeoutMs: number;
  #cached: CachedToken | undefined;
  #inFlight: Promise<CachedToken> | undefined;
  readonly #seen: string[] = [];

  constructor(options: {
    http: AxiosInstance;
    tokenUrl: string;
    clientId: string;
    clientSecret: string;
    scope?: string | undefined;
    now: () => number;
    timeoutMs: number;
  }) {
    this.#http = options.http;
    this.#tokenUrl = options.tokenUrl;
    this.#clientId = options.clientId;
    this.#clientSecret = options.clientSecret;
    this.#scope = options.scope;
    this.#now = options.now;
    this.#timeoutMs = options.timeoutMs;
  }

  async header(signal?: AbortSignal): Promise<string> {
    const cached = this.#cached;
    if (cached && this.#now() < cached.expiresAt) return `Bearer ${cached.accessToken}`;
    // One refresh at a time: concurrent requests wait for the same token.
    this.#inFlight ??= this.#fetchToken(signal).finally(() => {
      this.#inFlight = undefined;
    });
    const token = await this.#inFlight;
    return `Bearer ${token.accessToken}`;
  }

  invalidate(): void {
    this.#cached = undefined;
  }

  secrets(): readonly string[] {
    return [this.#clientSecret, ...this.#seen];
  }

  async #fetchToken(signal?: AbortSignal): Promise<CachedToken> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: this.#clientId, client_secret: this.#clientSecret });
    if (this.#scope) form.set('scope', this.#scope);
    const path = new URL(this.#tokenUrl).pathname;
    let response;
    try {
      response = await this.#http.request({
        url: this.#tokenUrl,
        method: 'POST',
        data: form.toString(),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        timeout: this.#timeoutMs,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new CredlyConnectionError('POST', path, `OAuth token request failed${code ? ` (${code})` : ''}`, code);
    }
    const body = parseBody(response.data);
    if (response.status < 200 || response.status >= 300) {
      const message = (body as { error_description?: string; data?: { message?: string } })?.error_description
        ?? (body as { data?: { message?: string } })?.data?.message
        ?? 'OAuth token request refused';
      // A token endpoint may echo the form it was sent: the client secret must not reach the error.
      throw apiErrorFor({ status: response.status, method: 'POST', path, serverMessage: redactSecrets(String(message), this.secrets()), body: undefined, headers: {} });
    }
    const record = body as { access_token?: unknown; expires_in?: unknown; data?: { token?: unknown; expires_in?: unknown } };
    const accessToken = record?.access_token ?? record?.data?.token;
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new CredlyValidationError('response', 'OAuth token', [{ path: 'access_token', message: 'no access token in the response' }]);
    }
    const expiresInSeconds = Number(record.expires_in ?? record.data?.expires_in ?? 3600);
    const lifeMs = (Number.isFinite(expiresInSeconds) && expiresInSeconds > 0 ? expiresInSeconds : 3600) * 1000;
    const margin = Math.min(60_000, lifeMs * 0.1);
    this.#seen.push(accessToken);
    if (this.#seen.length > 4) this.#seen.shift();
    this.#cached = { accessToken, expiresAt: this.#now() + lifeMs - margin };
    return this.#cached;
  }
}

export function parseBody(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}
