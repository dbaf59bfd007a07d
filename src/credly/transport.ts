import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import pRetry, { AbortError } from 'p-retry';
import type { z } from 'zod';
import { type AuthProvider, OAuthClientCredentials, parseBody, TokenAuth } from './auth.js';
import type { CredlyClientOptions, ResolvedConfig, RetryEvent } from './config.js';
import {
  apiErrorFor,
  AuthenticationError,
  CredlyApiError,
  CredlyAbortError,
  CredlyConnectionError,
  CredlyError,
  CredlyTimeoutError,
  CredlyValidationError,
  RateLimitError,
} from './errors.js';
import { createRedactingLogger, type Logger } from './logger.js';
import { RateGate } from './rate-gate.js';
import { redactSecrets, redactSecretsDeep } from './redact.js';
import { computeDelay, isIdempotent, isRetryable, parseRetryAfter } from './retry.js';
import { ProxyHttpAgent, ProxyHttpsAgent } from './proxy.js';
import { VERSION } from '../version.js';

/** Per-call options, on every resource method. */
export interface RequestOptions {
  /** Per attempt; overrides the client's `timeoutMs`. */
  readonly timeoutMs?: number;
  /** Overrides the client's `maxRetries` for this call. */
  readonly maxRetries?: number;
  /** Cancels the call: the attempt in flight is aborted and no retry starts. */
  readonly signal?: AbortSignal;
  /**
   * Ends a wait between attempts (a Retry-After, a backoff, the run-wide pause after a 429) with
   * `CredlyAbortError`, but never an attempt in flight: for a job that stops on SIGTERM and must
   * hear the outcome of a request already sent.
   */
  readonly waitSignal?: AbortSignal;
  /** Let POST retry on 5xx and connection errors. Only for callers that reconcile (the badge may exist). */
  readonly retryUnsafe?: boolean;
  /**
   * Called before every attempt of this call, retries included (after the client's own waits:
   * a Retry-After, the pause after a 429), and before each page of a list; the attempt is sent
   * when it resolves. For a caller that paces every request it makes, such as a rate shared by
   * several workers (the issuance engine takes a rate slot here). A rejection ends the call at
   * once, with that error (`CredlyAbortError` when `signal` or `waitSignal` fired meanwhile).
   */
  readonly beforeAttempt?: (attempt: BeforeAttempt) => Promise<void>;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What `beforeAttempt` is told about the attempt it precedes. */
export interface BeforeAttempt {
  readonly method: string;
  readonly path: string;
  /** 1 for the first attempt of the call, 2 for its first retry, … */
  readonly attempt: number;
  /** Fires when the call's `signal` or `waitSignal` does: a wait in the hook should end then. */
  readonly signal: AbortSignal | undefined;
}

export type QueryValue = string | number | boolean | undefined;

export interface TransportRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Relative to the base URL, already encoded, starting with `/`. */
  readonly path: string;
  /** The path is from the base URL's origin instead (a next-page URL's own path, e.g. `/api/v1/…`). */
  readonly fromOrigin?: boolean;
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly body?: unknown;
}

export interface TransportResponse {
  readonly status: number;
  readonly data: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new CredlyAbortError('aborted by the caller'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CredlyAbortError('aborted by the caller'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Raised inside an attempt when the per-attempt timer fired. */
class AttemptTimeout extends Error {}

/** The TCP keep-alive delay axios's Node adapter sets on every request's socket. */
const AXIOS_KEEP_ALIVE_MS = 60_000;

/**
 * The one HTTP pipeline: auth, headers, per-attempt timeouts, cancellation, retries, error mapping,
 * response parsing and redacted logs. Keep-alive agents by default: a job issuing thousands of
 * badges reuses a few connections instead of opening thousands.
 */
export class Transport {
  readonly config: ResolvedConfig;
  readonly logger: Logger;
  readonly #http: AxiosInstance;
  readonly #auth: AuthProvider;
  readonly #ownAgents: Array<HttpAgent | HttpsAgent> = [];
  readonly #userAgent: string;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #onRetry: ((event: RetryEvent) => void) | undefined;
  /** Pacing learned from 429s, shared by every request of this client. */
  readonly #gate: RateGate;

  constructor(config: ResolvedConfig, options: CredlyClientOptions) {
    this.config = config;
    // axios sets a 60 s keep-alive delay on each request's socket, and an agent sets its own
    // (keepAliveMsecs, 1 s by default) each time the socket is freed: with two values, every
    // request made two rounds of setsockopt calls. With the same value, Node skips both.
    const agentOptions = { keepAlive: true, keepAliveMsecs: AXIOS_KEEP_ALIVE_MS, maxSockets: config.maxSockets };
    const proxy = config.proxy;
    const httpAgent = options.httpAgent ?? this.#own(proxy ? new ProxyHttpAgent(proxy, agentOptions) : new HttpAgent(agentOptions));
    const httpsAgent = options.httpsAgent ?? this.#own(proxy ? new ProxyHttpsAgent(proxy, agentOptions) : new HttpsAgent(agentOptions));
    this.#http = axios.create({
      httpAgent,
      httpsAgent,
      // Status handling, body parsing and redirects are ours: a redirect must not carry the token to another host.
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      // The body is sent as the JSON text we made: axios would parse it again to check it.
      transformRequest: [(data: unknown) => data],
      maxRedirects: 0,
      // axios's own proxy support would send the whole request, Authorization included, to the
      // proxy; ours tunnels (see proxy.ts), and is configured by the `proxy` option.
      proxy: false,
    });
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#random = options.random ?? Math.random;
    this.#onRetry = options.onRetry;
    this.#gate = new RateGate({ now: this.#now, sleep: this.#sleep });
    const credentials = config.credentials;
    this.#auth =
      'authToken' in credentials
        ? new TokenAuth(credentials.authToken)
        : new OAuthClientCredentials({
            http: this.#http,
            tokenUrl: config.oauthTokenUrl,
            clientId: credentials.oauth.clientId,
            clientSecret: credentials.oauth.clientSecret,
            scope: credentials.oauth.scope,
            now: this.#now,
            timeoutMs: config.timeoutMs,
          });
    const proxyPassword = proxy?.url.password ? [decodeURIComponent(proxy.url.password)] : [];
    this.logger = createRedactingLogger(options.logger, config.logLevel, () => [...this.#auth.secrets(), ...proxyPassword]);
    const node = `node/${process.versions.node}`;
    this.#userAgent = `${options.userAgent ? `${options.userAgent} ` : ''}credly-microcredentials/${VERSION} ${node}`;
  }

  #own<T extends HttpAgent | HttpsAgent>(agent: T): T {
    this.#ownAgents.push(agent);
    return agent;
  }

  /** Strings that must never be printed. */
  secrets(): readonly string[] {
    return this.#auth.secrets();
  }

  /** Closes the keep-alive sockets of agents the client made itself. */
  close(): void {
    for (const agent of this.#ownAgents) agent.destroy();
  }

  /** Sends a request with retries; resolves with a 2xx response, or rejects with a CredlyError. */
  async request(request: TransportRequest, options: RequestOptions = {}): Promise<TransportResponse> {
    if (request.body !== undefined && typeof request.body !== 'object') {
      throw new CredlyValidationError('request', `${request.method} ${request.path}`, [{ path: '', message: 'the body must be an object' }]);
    }
    const maxRetries = options.maxRetries ?? this.config.maxRetries;
    const signal = options.signal;
    if (signal?.aborted) throw new CredlyAbortError(`${request.method} ${request.path}: aborted by the caller`);
    const waits = [signal, options.waitSignal].filter((s): s is AbortSignal => s !== undefined);
    const waitSignal = waits.length > 1 ? AbortSignal.any(waits) : waits[0];
    const timing = this.config.retryTiming;
    let authRefreshed = false;
    let retries = 0; // retries after errors other than 429
    let rateLimited = 0;
    let rateLimitWaitedMs = 0;
    let waitedUntil = 0; // the run-wide pause this request already sat out
    // The last failed attempt of a POST whose outcome is unknown (5xx, connection error: it may
    // have been processed), for a stop during a later wait: that outcome stands, not "not sent".
    // (Sent twice, the other methods do what they do once: a stop is an abort.)
    let mayHaveBeenProcessed: Error | undefined;
    /** What a wait that the stop ended means: not sent, unless an earlier attempt may have been processed. */
    const stoppedWait = () => mayHaveBeenProcessed ?? new CredlyAbortError(`${request.method} ${request.path}: aborted by the caller`);
    const beforeAttempt = async (attemptNumber: number): Promise<void> => {
      if (!options.beforeAttempt) return;
      try {
        await options.beforeAttempt({ method: request.method, path: request.path, attempt: attemptNumber, signal: waitSignal });
      } catch (error) {
        // The caller's own error, final (p-retry rethrows what AbortError wraps).
        const final = waitSignal?.aborted ? new CredlyAbortError(`${request.method} ${request.path}: aborted by the caller`) : error instanceof Error ? error : new Error(String(error));
        throw new AbortError(final);
      }
    };
    const attempt = async (attemptNumber: number): Promise<TransportResponse> => {
      try {
        await this.#gate.beforeAttempt(waitSignal, waitedUntil); // an abort here is final (not retried)
      } catch (error) {
        // This attempt was not sent: whatever a caller's `sleep` rejected with, a stopped wait is an abort.
        throw this.#classify(request, waitSignal?.aborted ? stoppedWait() : error, options);
      }
      await beforeAttempt(attemptNumber);
      try {
        const response = await this.#attempt(request, options, attemptNumber);
        this.#gate.onSuccess();
        return response;
      } catch (error) {
        // One fresh OAuth token after a 401, without spending a retry.
        // (A 401 from the token endpoint itself is final: its path is not the request's.)
        if (error instanceof AuthenticationError && error.path === request.path && this.#auth.kind === 'oauth' && !authRefreshed) {
          authRefreshed = true;
          this.#auth.invalidate();
          await beforeAttempt(attemptNumber);
          try {
            return await this.#attempt(request, options, attemptNumber);
          } catch (second) {
            throw this.#classify(request, second, options);
          }
        }
        throw this.#classify(request, error, options);
      }
    };
    try {
      return await pRetry(attempt, {
        // Bounded below: maxRetries for most errors, a time budget for 429s.
        retries: maxRetries === 0 ? 0 : Number.POSITIVE_INFINITY,
        minTimeout: 0,
        maxTimeout: 0,
        factor: 1,
        randomize: false,
        ...(signal ? { signal } : {}),
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft <= 0) return;
          // Retry-After is honoured on 429 and 503, as a number of seconds or an HTTP date.
          const serverWaitMs = error instanceof CredlyApiError && (error.status === 429 || error.status === 503) ? error.retryAfterMs : undefined;
          if (serverWaitMs !== undefined && serverWaitMs > timing.maxRetryAfterMs) {
            // Too long to sleep inside a call: fail this attempt and say how long Credly asked for.
            error.message = `${error.message} (Retry-After asks for ${formatWait(serverWaitMs)}, more than retryTiming.maxRetryAfterMs ${formatWait(timing.maxRetryAfterMs)}: not waited for)`;
            throw error;
          }
          let delayMs: number;
          if (error instanceof RateLimitError) {
            rateLimited += 1;
            delayMs = computeDelay(rateLimited, serverWaitMs, timing, this.#random);
            if (rateLimitWaitedMs + delayMs > timing.rateLimitBudgetMs) {
              error.message = `${error.message} (still refused after ${rateLimited} 429s and ${formatWait(rateLimitWaitedMs)} of waiting; retryTiming.rateLimitBudgetMs is ${formatWait(timing.rateLimitBudgetMs)})`;
              throw error;
            }
            rateLimitWaitedMs += delayMs;
            this.#gate.onRateLimited(delayMs); // the whole client holds, not only this request
            waitedUntil = this.#now() + delayMs;
          } else {
            retries += 1;
            if (retries > maxRetries) throw error;
            delayMs = computeDelay(retries, serverWaitMs, timing, this.#random);
          }
          this.logger.info(`retrying ${request.method} ${request.path} in ${delayMs} ms (attempt ${attemptNumber} failed: ${error.message})`, {
            attempt: attemptNumber,
            delayMs,
          });
          this.#onRetry?.({ method: request.method, path: request.path, attempt: attemptNumber, delayMs, error });
          if (!isIdempotent(request.method) && !(error instanceof RateLimitError)) mayHaveBeenProcessed = error; // a 429 was refused before processing
          try {
            await this.#sleep(delayMs, waitSignal);
          } catch (stopped) {
            throw waitSignal?.aborted ? stoppedWait() : stopped;
          }
        },
      });
    } catch (error) {
      if (error instanceof CredlyError) throw error;
      // p-retry rethrows the signal's reason when it aborts between attempts.
      if (signal?.aborted) throw stoppedWait();
      throw error;
    }
  }

  /** Maps an attempt's failure to a CredlyError, wrapped in AbortError when it must not be retried. */
  #classify(request: TransportRequest, error: unknown, options: RequestOptions): Error {
    const mapped = error instanceof CredlyError ? error : new CredlyError(`${request.method} ${request.path}: ${String(error)}`);
    return isRetryable(request.method, mapped, options.retryUnsafe ?? false) ? mapped : new AbortError(mapped);
  }

  async #attempt(request: TransportRequest, options: RequestOptions, attemptNumber: number): Promise<TransportResponse> {
    const { method, path } = request;
    const timeoutMs = options.timeoutMs ?? this.config.timeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new AttemptTimeout()), timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    const started = this.#now();
    let response: AxiosResponse<unknown>;
    try {
      const authorization = await this.#auth.header(signal);
      response = await this.#http.request({
        url: `${request.fromOrigin ? new URL(this.config.baseUrl).origin : this.config.baseUrl}${path}`,
        method,
        params: cleanQuery(request.query),
        ...(request.body !== undefined ? { data: JSON.stringify(request.body) } : {}),
        headers: {
          ...options.headers,
          Authorization: authorization,
          Accept: 'application/json',
          'Content-Type': 'application/json',
          'User-Agent': this.#userAgent,
        },
        signal,
      });
    } catch (error) {
      if (error instanceof CredlyError) throw error;
      if (options.signal?.aborted) throw new CredlyAbortError(`${method} ${path}: aborted by the caller`);
      if (controller.signal.aborted) throw new CredlyTimeoutError(method, path, timeoutMs);
      const code = (error as { code?: string }).code;
      // The axios error holds the request config (and the token): keep only its code and a clean message.
      throw new CredlyConnectionError(method, path, describeConnectionError(code), code);
    } finally {
      clearTimeout(timer);
    }
    const headers = flattenHeaders(response.headers as Record<string, unknown>);
    const body = parseBody(response.data);
    if (this.config.logLevel === 'debug') {
      this.logger.debug(`${method} ${path} → ${response.status} in ${this.#now() - started} ms`, {
        attempt: attemptNumber,
        status: response.status,
        requestId: headers['x-request-id'],
      });
    }
    if (response.status >= 200 && response.status < 300) return { status: response.status, data: body, headers };
    const data = (body as { data?: { message?: unknown; error_index?: unknown } | null } | undefined)?.data;
    // A proxy or a misbehaving server may echo the request: its token must not reach errors, logs, reports or the ledger.
    const secrets = this.secrets();
    const serverMessage = redactSecrets(errorMessageOf(body) ?? describeBody(body, headers), secrets);
    const errorHeaders = redactSecretsDeep(headers, secrets);
    throw apiErrorFor({
      status: response.status,
      method,
      path,
      serverMessage,
      body: redactSecretsDeep(body, secrets),
      headers: errorHeaders,
      requestId: errorHeaders['x-request-id'],
      errorIndex: typeof data?.error_index === 'number' ? data.error_index : undefined,
      retryAfterMs: parseRetryAfter(headers['retry-after'], this.#now()),
    });
  }

  /**
   * The `data.id` of a response body, the one field a caller that asked for it reads: checked in
   * every validation mode (a 2xx answer without it is a CredlyValidationError), the rest unread.
   */
  readId(data: unknown, what: string): string {
    requireJson(data, what);
    const id = (data as { data?: { id?: unknown } } | null)?.data?.id;
    if (typeof id === 'string' && id.trim() !== '') return id;
    throw new CredlyValidationError('response', what, [{ path: 'data.id', message: `expected the new resource's id (a string), got ${id === undefined ? 'none' : JSON.stringify(id)}` }]);
  }

  /** Parses a response body with a loose schema: a mismatch is a warning, or an error in strict mode. */
  parse<S extends z.ZodType>(schema: S, data: unknown, what: string): z.output<S> {
    requireJson(data, what);
    if (this.config.validateResponses === 'off') return data as z.output<S>;
    const result = schema.safeParse(data);
    if (result.success) return result.data;
    const issues = result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
    if (this.config.validateResponses === 'strict') throw new CredlyValidationError('response', what, issues);
    this.logger.warn(`response for ${what} does not match its schema; returning it unchecked`, { issues: issues.slice(0, 5) });
    return data as z.output<S>;
  }
}

/** A body that did not parse as JSON comes back as its text: a response that cannot be read. */
function requireJson(data: unknown, what: string): void {
  if (typeof data === 'string') throw new CredlyValidationError('response', what, [{ path: '', message: `the body is not JSON: ${snippet(data)}` }]);
}

function formatWait(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

function cleanQuery(query: TransportRequest['query']): Record<string, string> | undefined {
  if (!query) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) if (value !== undefined) out[key] = String(value);
  return out;
}

function flattenHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null) continue;
    const lower = key.toLowerCase();
    if (lower === 'set-cookie' || lower === 'authorization') continue;
    out[lower] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

function snippet(text: string): string {
  const flat = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}…` : flat || '(empty)';
}

/**
 * Credly's message from an error body: `data.message` (a string, or a list of them), or the
 * messages of an `errors[]` array, which other clients have met.
 */
export function errorMessageOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const texts = (value: unknown): string[] =>
    typeof value === 'string' ? [value] : Array.isArray(value) ? value.flatMap((item) => (typeof item === 'string' ? [item] : texts((item as { message?: unknown } | null)?.message))) : [];
  const found = [...texts((body as { data?: { message?: unknown } | null }).data?.message), ...texts((body as { errors?: unknown }).errors)].filter((t) => t.trim() !== '');
  return found.length ? found.join('; ') : undefined;
}

/** A short description of an error body that has no `data.message` (an HTML page from a proxy, say). */
function describeBody(body: unknown, headers: Record<string, string>): string {
  if (body === undefined) return 'no body';
  if (typeof body === 'string') return `non-JSON body (${headers['content-type'] ?? 'unknown type'}): ${snippet(body)}`;
  return 'no message in the body';
}

function describeConnectionError(code: string | undefined): string {
  switch (code) {
    case 'ECONNRESET':
      return 'the connection was reset before a response arrived (ECONNRESET)';
    case 'ECONNREFUSED':
      return 'the connection was refused (ECONNREFUSED)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host name could not be resolved (${code})`;
    case 'ERR_BAD_RESPONSE':
      return 'the response could not be read';
    default:
      return `the request failed${code ? ` (${code})` : ''}`;
  }
}
