/**
 * Every error the Credly client throws. No raw axios error escapes: axios errors carry the request
 * config, Authorization header included. Messages read like
 * `422 POST /organizations/…/badges: User already has this badge`.
 */

export interface CredlyErrorOptions {
  readonly cause?: unknown;
}

/** Stable, documented codes: branch on these rather than on messages. */
export type CredlyErrorCode =
  | 'CREDLY_ERROR'
  | 'CREDLY_CONFIG'
  | 'CREDLY_API_ERROR'
  | 'CREDLY_BAD_REQUEST'
  | 'CREDLY_AUTHENTICATION'
  | 'CREDLY_PERMISSION_DENIED'
  | 'CREDLY_NOT_FOUND'
  | 'CREDLY_CONFLICT'
  | 'CREDLY_GONE'
  | 'CREDLY_UNPROCESSABLE'
  | 'CREDLY_ALREADY_ISSUED'
  | 'CREDLY_RATE_LIMITED'
  | 'CREDLY_SERVER_ERROR'
  | 'CREDLY_CONNECTION'
  | 'CREDLY_TIMEOUT'
  | 'CREDLY_ABORTED'
  | 'CREDLY_VALIDATION';

/**
 * The brand of this package's errors. A registered symbol is shared by every copy of the package
 * in a process (where `instanceof` fails), and no other library's error carries it.
 */
const CREDLY_ERROR_BRAND = Symbol.for('credly-microcredentials.CredlyError');

export class CredlyError extends Error {
  override name = 'CredlyError';
  readonly code: CredlyErrorCode = 'CREDLY_ERROR';

  constructor(message: string, options: CredlyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }

  get [CREDLY_ERROR_BRAND](): true {
    return true;
  }

  /** A plain object for logs and reports; never holds credentials. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/** True for this package's errors, across duplicated copies of the package; never for another library's error of the same name. */
export function isCredlyError(value: unknown): value is CredlyError {
  return value instanceof CredlyError || (value instanceof Error && (value as unknown as Record<symbol, unknown>)[CREDLY_ERROR_BRAND] === true);
}

export class CredlyConfigError extends CredlyError {
  override name = 'CredlyConfigError';
  override readonly code: CredlyErrorCode = 'CREDLY_CONFIG';
}

export interface ApiErrorDetails {
  readonly status: number;
  readonly method: string;
  /** The request path without the host or query, e.g. `/organizations/{org}/badges`. */
  readonly path: string;
  /** Credly's `data.message`, or a short description of a body that had none. */
  readonly serverMessage: string;
  /** The parsed body, or its text when it was not JSON. */
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
  readonly requestId?: string | undefined;
  /** The server's Retry-After in ms (delta-seconds or an HTTP date), on any status that sent one (429, 503). */
  readonly retryAfterMs?: number | undefined;
}

/** A response was received, with a status that is not a success. */
export class CredlyApiError extends CredlyError {
  override name = 'CredlyApiError';
  override readonly code: CredlyErrorCode = 'CREDLY_API_ERROR';
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly serverMessage: string;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(details: ApiErrorDetails, options: CredlyErrorOptions = {}) {
    super(`${details.status} ${details.method} ${details.path}: ${details.serverMessage}`, options);
    this.retryAfterMs = details.retryAfterMs;
    this.status = details.status;
    this.method = details.method;
    this.path = details.path;
    this.serverMessage = details.serverMessage;
    this.body = details.body;
    this.headers = details.headers;
    this.requestId = details.requestId;
  }

  override toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      method: this.method,
      path: this.path,
      serverMessage: this.serverMessage,
      requestId: this.requestId,
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
    };
  }
}

export class BadRequestError extends CredlyApiError {
  override name = 'BadRequestError';
  override readonly code: CredlyErrorCode = 'CREDLY_BAD_REQUEST';
}
/** 401: a bad, expired or wrong-environment token (a sandbox token against production, or the reverse). */
export class AuthenticationError extends CredlyApiError {
  override name = 'AuthenticationError';
  override readonly code: CredlyErrorCode = 'CREDLY_AUTHENTICATION';
}
/** 403: e.g. a read-only token that tried to write. */
export class PermissionDeniedError extends CredlyApiError {
  override name = 'PermissionDeniedError';
  override readonly code: CredlyErrorCode = 'CREDLY_PERMISSION_DENIED';
}
export class NotFoundError extends CredlyApiError {
  override name = 'NotFoundError';
  override readonly code: CredlyErrorCode = 'CREDLY_NOT_FOUND';
}
export class ConflictError extends CredlyApiError {
  override name = 'ConflictError';
  override readonly code: CredlyErrorCode = 'CREDLY_CONFLICT';
}
export class GoneError extends CredlyApiError {
  override name = 'GoneError';
  override readonly code: CredlyErrorCode = 'CREDLY_GONE';
}

/** 422: validation failure. On a batch issue, `errorIndex` names the failing item. */
export class UnprocessableEntityError extends CredlyApiError {
  override name = 'UnprocessableEntityError';
  override readonly code: CredlyErrorCode = 'CREDLY_UNPROCESSABLE';
  readonly errorIndex: number | undefined;

  constructor(details: ApiErrorDetails & { errorIndex?: number | undefined }, options: CredlyErrorOptions = {}) {
    super(details, options);
    this.errorIndex = details.errorIndex;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), errorIndex: this.errorIndex };
  }
}

/**
 * 422 whose message says "already has this badge": a duplicate for certain. Credly's wording is
 * not documented; use {@link isPossibleDuplicate} to decide whether to look the badge up.
 */
export class BadgeAlreadyIssuedError extends UnprocessableEntityError {
  override name = 'BadgeAlreadyIssuedError';
  override readonly code: CredlyErrorCode = 'CREDLY_ALREADY_ISSUED';
}

/** 429. `retryAfterMs` is the server's Retry-After, when it sent one. */
export class RateLimitError extends CredlyApiError {
  override name = 'RateLimitError';
  override readonly code: CredlyErrorCode = 'CREDLY_RATE_LIMITED';
}

/** 5xx. */
export class InternalServerError extends CredlyApiError {
  override name = 'InternalServerError';
  override readonly code: CredlyErrorCode = 'CREDLY_SERVER_ERROR';
}

/** No response: the connection failed or was reset. The request may or may not have been processed. */
export class CredlyConnectionError extends CredlyError {
  override name = 'CredlyConnectionError';
  override readonly code: CredlyErrorCode = 'CREDLY_CONNECTION';
  readonly method: string;
  readonly path: string;
  /** The operating system's code, e.g. ECONNRESET, when there was one. */
  readonly systemCode: string | undefined;

  constructor(method: string, path: string, reason: string, systemCode?: string, options: CredlyErrorOptions = {}) {
    super(`${method} ${path}: ${reason}`, options);
    this.method = method;
    this.path = path;
    this.systemCode = systemCode;
  }

  override toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, method: this.method, path: this.path, systemCode: this.systemCode };
  }
}

/** No response within the per-attempt timeout. The request may or may not have been processed. */
export class CredlyTimeoutError extends CredlyConnectionError {
  override name = 'CredlyTimeoutError';
  override readonly code: CredlyErrorCode = 'CREDLY_TIMEOUT';
  readonly timeoutMs: number;

  constructor(method: string, path: string, timeoutMs: number) {
    super(method, path, `no response within ${timeoutMs} ms`, 'ETIMEDOUT');
    this.timeoutMs = timeoutMs;
  }
}

/** The caller's AbortSignal fired. Never retried. */
export class CredlyAbortError extends CredlyError {
  override name = 'CredlyAbortError';
  override readonly code: CredlyErrorCode = 'CREDLY_ABORTED';
}

/** A request that failed validation before sending, or a response that did not match its schema (strict mode). */
export class CredlyValidationError extends CredlyError {
  override name = 'CredlyValidationError';
  override readonly code: CredlyErrorCode = 'CREDLY_VALIDATION';
  readonly direction: 'request' | 'response';
  readonly issues: ReadonlyArray<{ path: string; message: string }>;

  constructor(direction: 'request' | 'response', what: string, issues: ReadonlyArray<{ path: string; message: string }>) {
    const list = issues.map((issue) => `${issue.path ? `${issue.path}: ` : ''}${issue.message}`).join('; ');
    super(`invalid ${direction} ${what}: ${list}`);
    this.direction = direction;
    this.issues = issues;
  }

  override toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, direction: this.direction, issues: this.issues };
  }
}

/** The one wording of Credly's duplicate refusal that real clients have seen (credly-api.md §4). */
export const DUPLICATE_BADGE_PATTERN = /already has this badge/i;

/** The error class for a status, with the duplicate-badge 422 told apart. */
export function apiErrorFor(
  details: ApiErrorDetails & { errorIndex?: number | undefined },
): CredlyApiError {
  const { status } = details;
  if (status === 400) return new BadRequestError(details);
  if (status === 401) return new AuthenticationError(details);
  if (status === 403) return new PermissionDeniedError(details);
  if (status === 404) return new NotFoundError(details);
  if (status === 409) return new ConflictError(details);
  if (status === 410) return new GoneError(details);
  if (status === 422) {
    return DUPLICATE_BADGE_PATTERN.test(details.serverMessage)
      ? new BadgeAlreadyIssuedError(details)
      : new UnprocessableEntityError(details);
  }
  if (status === 429) return new RateLimitError(details);
  if (status >= 500) return new InternalServerError(details);
  return new CredlyApiError(details);
}

/**
 * Whether a refused issue request may be Credly's duplicate rule: any 422 or 409. Credly documents
 * neither the status nor the wording, so the caller looks the badge up before calling it a failure.
 */
export function isPossibleDuplicate(error: unknown): error is CredlyApiError {
  return error instanceof CredlyApiError && (error.status === 422 || error.status === 409);
}
