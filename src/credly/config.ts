import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { parseNoProxy, proxyFromEnv, type ProxySettings } from './proxy.js';
import { CredlyConfigError } from './errors.js';
import { LOG_LEVELS, type Logger, type LogLevel } from './logger.js';
import { DEFAULT_RETRY_TIMING, type RetryTiming } from './retry.js';

/** Credly's hosts (credly-api.md §1). The sandbox OAuth host is presumed, not verified. */
export const CREDLY_ENVIRONMENTS = {
  sandbox: { apiBaseUrl: 'https://sandbox-api.credly.com/v1', oauthTokenUrl: 'https://sandbox.credly.com/oauth/token' },
  production: { apiBaseUrl: 'https://api.credly.com/v1', oauthTokenUrl: 'https://www.credly.com/oauth/token' },
} as const;
export type CredlyEnvironment = keyof typeof CREDLY_ENVIRONMENTS;

/**
 * Credly's API hosts and the www host of each one's OAuth token endpoint (credly-api.md §1, §10:
 * the token endpoint is not on the API host). The legacy Acclaim hosts follow the same pattern.
 */
const TOKEN_HOST_OF_API_HOST: Readonly<Record<string, string>> = {
  'api.credly.com': 'www.credly.com',
  'sandbox-api.credly.com': 'sandbox.credly.com',
  'api.youracclaim.com': 'www.youracclaim.com',
  'sandbox-api.youracclaim.com': 'sandbox.youracclaim.com',
};

/** The OAuth token URL for an API base URL: Credly's www host for Credly's API hosts, else `<origin>/oauth/token` (the fake Credly, a proxy). */
export function oauthTokenUrlFor(baseUrl: URL): string {
  const tokenHost = TOKEN_HOST_OF_API_HOST[baseUrl.hostname.toLowerCase()];
  return tokenHost ? `https://${tokenHost}/oauth/token` : `${baseUrl.origin}/oauth/token`;
}

export type ResponseValidation = 'warn' | 'strict' | 'off';

/** Defaults of every client option; docs/credly-client.md's table is checked against this. */
export const CLIENT_DEFAULTS = Object.freeze({
  environment: 'sandbox' as CredlyEnvironment,
  timeoutMs: 30_000,
  maxRetries: 2,
  logLevel: 'warn' as LogLevel,
  validateResponses: 'warn' as ResponseValidation,
  maxSockets: 64,
  retryTiming: DEFAULT_RETRY_TIMING,
});

export interface TokenCredentials {
  readonly organizationId: string;
  /** The organization's authorization token, sent as the HTTP Basic user name with an empty password. */
  readonly authToken: string;
}

export interface OAuthCredentials {
  readonly organizationId: string;
  readonly oauth: {
    readonly clientId: string;
    readonly clientSecret: string;
    /** Defaults to the environment's token endpoint (on the www host, not the api host). */
    readonly tokenUrl?: string;
    readonly scope?: string;
  };
}

export type CredlyCredentials = TokenCredentials | OAuthCredentials;

export interface RetryEvent {
  readonly method: string;
  readonly path: string;
  /** The attempt that failed (1 for the first). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: Error;
}

export interface CredlyClientOptions {
  /** `sandbox` unless production is asked for. */
  readonly environment?: CredlyEnvironment;
  /** Overrides the environment's API base URL, e.g. the fake Credly's `http://127.0.0.1:4010/v1`. */
  readonly baseUrl?: string;
  /** Per attempt. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt (so 2 means at most 3 attempts). */
  readonly maxRetries?: number;
  readonly logger?: Logger;
  readonly logLevel?: LogLevel;
  /** Prepended to the User-Agent, e.g. `binghamton-badges/2.1`. */
  readonly userAgent?: string;
  readonly validateResponses?: ResponseValidation;
  /** Sockets kept per host by the keep-alive agents. */
  readonly maxSockets?: number;
  readonly retryTiming?: Partial<RetryTiming>;
  /** Called before each retry's wait. */
  readonly onRetry?: (event: RetryEvent) => void;
  /**
   * An HTTP(S) proxy URL, e.g. `http://proxy.campus.edu:3128`; `false` for none (the default of the
   * constructor; `fromEnv` reads HTTPS_PROXY / HTTP_PROXY). Requests go through a CONNECT tunnel, so
   * the Authorization header only ever reaches Credly. Ignored when you pass your own agents.
   */
  readonly proxy?: string | false;
  /** Hosts reached without the proxy, NO_PROXY syntax: `localhost,.campus.edu,10.0.0.5:8080,*`. */
  readonly noProxy?: string;
  /** Your own agents (keep-alive ones are made otherwise). */
  readonly httpAgent?: HttpAgent;
  readonly httpsAgent?: HttpsAgent;
  /** @internal Test seam: the clock. Not in the published types. */
  readonly now?: () => number;
  /** @internal Test seam: the wait between retries. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** @internal Test seam: the jitter source. */
  readonly random?: () => number;
}

export interface ResolvedConfig {
  readonly organizationId: string;
  readonly credentials: CredlyCredentials;
  readonly environment: CredlyEnvironment | 'custom';
  readonly baseUrl: string;
  readonly oauthTokenUrl: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly logLevel: LogLevel;
  readonly validateResponses: ResponseValidation;
  readonly maxSockets: number;
  readonly retryTiming: RetryTiming;
  readonly proxy: ProxySettings | undefined;
}

const ALLOWED_OPTIONS = new Set<string>([
  'environment', 'baseUrl', 'timeoutMs', 'maxRetries', 'logger', 'logLevel', 'userAgent', 'validateResponses',
  'maxSockets', 'retryTiming', 'onRetry', 'httpAgent', 'httpsAgent', 'now', 'sleep', 'random', 'proxy', 'noProxy',
]);

function fail(message: string): never {
  throw new CredlyConfigError(message);
}

function nonNegativeInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) fail(`${name} must be a whole number of 0 or more, got ${String(value)}`);
  return value;
}

/** Checks the options and fills in defaults; throws {@link CredlyConfigError} with the fix. */
export function resolveConfig(credentials: CredlyCredentials, options: CredlyClientOptions = {}): ResolvedConfig {
  if (!credentials || typeof credentials !== 'object') fail('credentials are required: { organizationId, authToken } or { organizationId, oauth }');
  const organizationId = typeof credentials.organizationId === 'string' ? credentials.organizationId.trim() : '';
  if (!organizationId) fail('organizationId is required: the Credly organization id (CREDLY_ORGANIZATION_ID)');
  if (/[/?#\s]/.test(organizationId)) fail('organizationId must be an id, without "/", "?", "#" or spaces');
  if ('authToken' in credentials && 'oauth' in credentials) fail('give either authToken or oauth, not both');
  if ('authToken' in credentials) {
    if (typeof credentials.authToken !== 'string' || credentials.authToken.trim() === '') {
      fail('authToken is empty: set the organization authorization token (CREDLY_API_TOKEN)');
    }
  } else if ('oauth' in credentials) {
    const { clientId, clientSecret } = credentials.oauth ?? {};
    if (!clientId || !clientSecret) fail('oauth needs clientId and clientSecret (CREDLY_OAUTH_CLIENT_ID, CREDLY_OAUTH_CLIENT_SECRET)');
  } else {
    fail('an authToken or oauth credentials are required (CREDLY_API_TOKEN, or CREDLY_OAUTH_CLIENT_ID and CREDLY_OAUTH_CLIENT_SECRET)');
  }
  for (const key of Object.keys(options)) {
    if (!ALLOWED_OPTIONS.has(key)) fail(`unknown option "${key}"; the options are ${[...ALLOWED_OPTIONS].join(', ')}`);
  }
  const environment = options.environment ?? CLIENT_DEFAULTS.environment;
  if (!(environment in CREDLY_ENVIRONMENTS)) fail(`environment must be "sandbox" or "production", got "${String(environment)}"`);
  let baseUrl: string = CREDLY_ENVIRONMENTS[environment].apiBaseUrl;
  let oauthTokenUrl: string = CREDLY_ENVIRONMENTS[environment].oauthTokenUrl;
  if (options.baseUrl !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(options.baseUrl);
    } catch {
      fail(`baseUrl "${options.baseUrl}" is not a URL`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') fail('baseUrl must be http(s)');
    baseUrl = parsed.toString().replace(/\/+$/, '');
    oauthTokenUrl = oauthTokenUrlFor(parsed);
  }
  if ('oauth' in credentials && credentials.oauth.tokenUrl) oauthTokenUrl = credentials.oauth.tokenUrl;
  const logLevel = options.logLevel ?? CLIENT_DEFAULTS.logLevel;
  if (!LOG_LEVELS.includes(logLevel)) fail(`logLevel must be one of ${LOG_LEVELS.join(', ')}`);
  const validateResponses = options.validateResponses ?? CLIENT_DEFAULTS.validateResponses;
  if (!['warn', 'strict', 'off'].includes(validateResponses)) fail('validateResponses must be warn, strict or off');
  const timeoutMs = nonNegativeInteger('timeoutMs', options.timeoutMs, CLIENT_DEFAULTS.timeoutMs);
  if (timeoutMs === 0) fail('timeoutMs must be more than 0');
  let proxy: ProxySettings | undefined;
  if (options.proxy) {
    let url: URL;
    try {
      url = new URL(options.proxy);
    } catch {
      fail(`proxy is not a URL (HTTPS_PROXY): give it as http://host:port`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(`proxy must be an http:// or https:// URL, got ${url.protocol}`);
    proxy = { url, noProxy: parseNoProxy(options.noProxy) };
  }
  return {
    organizationId,
    credentials,
    environment: options.baseUrl !== undefined ? 'custom' : environment,
    baseUrl,
    oauthTokenUrl,
    timeoutMs,
    maxRetries: nonNegativeInteger('maxRetries', options.maxRetries, CLIENT_DEFAULTS.maxRetries),
    logLevel,
    validateResponses,
    maxSockets: nonNegativeInteger('maxSockets', options.maxSockets, CLIENT_DEFAULTS.maxSockets) || CLIENT_DEFAULTS.maxSockets,
    retryTiming: { ...CLIENT_DEFAULTS.retryTiming, ...options.retryTiming },
    proxy,
  };
}

/** Environment variables read by `CredlyClient.fromEnv` (values are trimmed; empty counts as unset). */
export const ENV_VARIABLES = {
  organizationId: ['CREDLY_ORGANIZATION_ID', 'CREDLY_ORG_ID'],
  authToken: ['CREDLY_API_TOKEN', 'CREDLY_AUTH_TOKEN'],
  oauthClientId: ['CREDLY_OAUTH_CLIENT_ID'],
  oauthClientSecret: ['CREDLY_OAUTH_CLIENT_SECRET'],
  environment: ['CREDLY_ENV'],
  baseUrl: ['CREDLY_BASE_URL'],
  timeoutMs: ['CREDLY_TIMEOUT_MS'],
  maxRetries: ['CREDLY_MAX_RETRIES'],
  logLevel: ['CREDLY_LOG'],
  /** For an https base URL; HTTP_PROXY for an http one; ALL_PROXY for either. Lower case works too. */
  proxy: ['HTTPS_PROXY', 'HTTP_PROXY', 'ALL_PROXY'],
  noProxy: ['NO_PROXY'],
} as const;

export function readEnv(env: Readonly<Record<string, string | undefined>>, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

export function credentialsAndOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  overrides: CredlyClientOptions = {},
): { credentials: CredlyCredentials; options: CredlyClientOptions } {
  const organizationId = readEnv(env, ENV_VARIABLES.organizationId) ?? '';
  const authToken = readEnv(env, ENV_VARIABLES.authToken);
  const clientId = readEnv(env, ENV_VARIABLES.oauthClientId);
  const clientSecret = readEnv(env, ENV_VARIABLES.oauthClientSecret);
  const credentials: CredlyCredentials =
    authToken || !(clientId || clientSecret)
      ? { organizationId, authToken: authToken ?? '' }
      : { organizationId, oauth: { clientId: clientId ?? '', clientSecret: clientSecret ?? '' } };
  const number = (names: readonly string[], what: string): number | undefined => {
    const raw = readEnv(env, names);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) fail(`${names[0]} must be a whole number, got "${raw}" (${what})`);
    return value;
  };
  const environment = readEnv(env, ENV_VARIABLES.environment);
  if (environment !== undefined && environment !== 'sandbox' && environment !== 'production') {
    fail(`CREDLY_ENV must be "sandbox" or "production", got "${environment}"`);
  }
  const baseUrl = readEnv(env, ENV_VARIABLES.baseUrl);
  const timeoutMs = number(ENV_VARIABLES.timeoutMs, 'per-attempt timeout');
  const maxRetries = number(ENV_VARIABLES.maxRetries, 'retries after the first attempt');
  const logLevel = readEnv(env, ENV_VARIABLES.logLevel) as LogLevel | undefined;
  const target = (overrides.baseUrl ?? baseUrl ?? 'https:').startsWith('http:') ? 'http:' : 'https:';
  const { proxy, noProxy } = proxyFromEnv(env, target);
  const options: CredlyClientOptions = {
    ...(proxy ? { proxy } : {}),
    ...(noProxy ? { noProxy } : {}),
    ...(environment ? { environment } : {}),
    ...(baseUrl ? { baseUrl } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(maxRetries !== undefined ? { maxRetries } : {}),
    ...(logLevel ? { logLevel } : {}),
    ...overrides,
  };
  return { credentials, options };
}
