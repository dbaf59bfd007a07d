import { segment } from '../path.js';
import { authorizationTokenSchema, type AuthorizationToken } from '../schemas/authorization-token.js';
import type { RequestOptions } from '../transport.js';
import { APIResource, type ClientCore } from './base.js';

/** What a token-expiry check found. */
export interface TokenExpiry {
  /**
   * `token`: the client's token was found in the list. `unidentified`: the list did not show which
   * token is the client's (a read-only token sees only read-only tokens; older responses carry no
   * secret). `oauth`: the client uses OAuth, whose access tokens it renews itself.
   */
  readonly status: 'token' | 'unidentified' | 'oauth';
  /** When the client's token expires; null when Credly gives no date. */
  readonly expiresAt: Date | null;
  /** Whole days from `now` to the expiry (negative once expired); null without a date. */
  readonly daysLeft: number | null;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

export class AuthorizationTokensResource extends APIResource {
  readonly #ownToken: string | undefined;

  constructor(core: ClientCore, ownToken: string | undefined) {
    super(core);
    this.#ownToken = ownToken;
  }

  /** The organization's authorization tokens (every page), without their secret values. */
  async list(options?: RequestOptions): Promise<AuthorizationToken[]> {
    const path = `/organizations/${segment(this.core.organizationId, 'organizationId')}/authorization_tokens`;
    const out: AuthorizationToken[] = [];
    for await (const item of this.listPages(path, {}, authorizationTokenSchema, `GET ${path}`, options)) {
      const { token, ...rest } = item as typeof item & { token?: string | null };
      out.push({ ...rest, current: token !== undefined && token !== null && token === this.#ownToken } as AuthorizationToken);
    }
    return out;
  }

  /** When the client's own token expires (Credly's tokens last 180 days), to warn before it does. */
  async expiry(now: Date = new Date(), options?: RequestOptions): Promise<TokenExpiry> {
    if (this.#ownToken === undefined) return { status: 'oauth', expiresAt: null, daysLeft: null };
    const own = (await this.list(options)).find((t) => t.current);
    if (!own) return { status: 'unidentified', expiresAt: null, daysLeft: null };
    const expiresAt = own.expires_at ? new Date(own.expires_at) : null;
    if (!expiresAt || Number.isNaN(expiresAt.getTime())) return { status: 'token', expiresAt: null, daysLeft: null };
    return { status: 'token', expiresAt, daysLeft: Math.floor((expiresAt.getTime() - now.getTime()) / DAY_MS) };
  }
}
