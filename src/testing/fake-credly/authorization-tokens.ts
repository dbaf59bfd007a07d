import { paginate } from './http.js';
import type { ApiRoute, RouteContext } from './api-routes.js';

/** A token the fake accepts, with what `GET …/authorization_tokens` shows of it. */
export interface FakeAuthorizationToken {
  readonly token: string;
  readonly organizationId: string;
  readonly write: boolean;
  readonly id: string;
  readonly description: string | null;
  readonly createdAt: string;
  /** ISO date-time; null plays the older documented response, which has no expiry. */
  readonly expiresAt: string | null;
}

/**
 * `GET /organizations/:org/authorization_tokens` (D-AT): the organization's tokens, each with its
 * secret value, permissions and expiry. A token without write permission sees only read-only ones.
 */
export function authorizationTokensRoute(tokens: () => readonly FakeAuthorizationToken[], apiUrl: () => string): ApiRoute {
  return {
    method: 'GET',
    pattern: '/organizations/:org/authorization_tokens',
    name: 'GET /authorization_tokens',
    write: false,
    handle: (ctx: RouteContext) => {
      const org = ctx.params.org!;
      if (ctx.credentialOrganization && ctx.credentialOrganization !== org) return { status: 403, body: { data: { message: 'Forbidden' } } };
      const visible = tokens().filter((t) => t.organizationId === org && (ctx.credentialWrite !== false || !t.write));
      const items = visible.map((t) => ({
        id: t.id,
        token: t.token,
        owner_id: t.organizationId,
        description: t.description,
        write_enabled: t.write,
        read_enabled: true,
        delete_enabled: t.write,
        created_at: t.createdAt,
        ...(t.expiresAt === null ? {} : { expires_at: t.expiresAt }),
        owner: { type: 'Organization', id: t.organizationId, url: `${apiUrl()}/organizations/${t.organizationId}` },
      }));
      return { status: 200, body: paginate(items, ctx.query.get('page'), (page) => `${apiUrl()}/organizations/${org}/authorization_tokens?page=${page}`) };
    },
  };
}
