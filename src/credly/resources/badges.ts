import { z } from 'zod';
import { buildFilter, buildSort, type FilterValue } from '../filters.js';
import { makePage, nextPageTarget, PagePromise, PageTrail, type Page, type PageTarget } from '../pagination.js';
import { orgPath } from '../path.js';
import { listEnvelope, singleEnvelope, type PageMetadata } from '../schemas/common.js';
import { issuedBadgeSchema, type IssuedBadge, type IssuedBadgeState } from '../schemas/badge.js';
import {
  issueBadgeBatchRequestSchema,
  issueBadgeRequestSchema,
  replaceBadgeRequestSchema,
  revokeBadgeRequestSchema,
  type IssueBadgeBatchParams,
  type IssueBadgeParams,
  type ReplaceBadgeParams,
  type RevokeBadgeParams,
} from '../schemas/requests.js';
import type { RequestOptions } from '../transport.js';
import { APIResource, validateRequest } from './base.js';
import { withCode } from '../../coded-error.js';

export interface BadgeListParams {
  readonly filter?: {
    readonly recipient_email?: string;
    /** Matches any email on the earner's account. */
    readonly recipient_email_all?: string;
    readonly issuer_earner_id?: string;
    readonly badge_template_id?: string;
    readonly state?: IssuedBadgeState | readonly IssuedBadgeState[];
    readonly query?: string;
    readonly [key: string]: FilterValue;
  };
  /** e.g. `-issued_at`, `created_at`. */
  readonly sort?: string | readonly string[];
  readonly page?: number;
}

export interface HighVolumeSearchParams {
  readonly filter?: BadgeListParams['filter'];
  readonly sort?: string | readonly string[];
  /** `minimal` (the default here) returns the short item shape. */
  readonly badge_format?: 'minimal' | 'default';
}

export interface FindExistingParams {
  readonly issuerEarnerId?: string | undefined;
  readonly email?: string | undefined;
}

const ACTIVE_STATES = new Set(['pending', 'accepted']);

/** High-volume search pages: metadata holds only the cursor URL. */
const cursorEnvelope = z.looseObject({ data: z.array(issuedBadgeSchema), metadata: z.looseObject({ next_page_url: z.string().nullish() }).nullish() });

export class BadgesResource extends APIResource {
  #path(...rest: Array<string | [string, string]>): string {
    return orgPath(this.core.organizationId, '/badges', ...rest);
  }

  /**
   * Issues one badge (201, state `pending`). Not retried on 5xx or connection errors by default:
   * the badge may exist, so the caller looks it up first ({@link findExisting}).
   * A duplicate is a {@link BadgeAlreadyIssuedError}.
   */
  async issue(params: IssueBadgeParams, options?: RequestOptions): Promise<IssuedBadge> {
    const body = validateRequest(issueBadgeRequestSchema, params, 'badge');
    const path = this.#path();
    const response = await this.transport.request({ method: 'POST', path, body }, options);
    return this.transport.parse(singleEnvelope(issuedBadgeSchema), response.data, `POST ${path}`).data;
  }

  /**
   * Issues one badge as {@link issue} does, and returns only its id: for callers that keep nothing
   * else of the answer (the issue engine). Credly's answer embeds the whole badge template, and
   * validating all of it for one id was a large part of a bulk job's processor time.
   * The id is checked in every mode: a 2xx answer without one is a `CredlyValidationError` (the
   * badge may exist: look it up). With `validateResponses: 'strict'` the whole answer is
   * validated too, as by `issue`.
   */
  async issueReturningId(params: IssueBadgeParams, options?: RequestOptions): Promise<string> {
    const body = validateRequest(issueBadgeRequestSchema, params, 'badge');
    const path = this.#path();
    const response = await this.transport.request({ method: 'POST', path, body }, options);
    if (this.transport.config.validateResponses === 'strict') this.transport.parse(singleEnvelope(issuedBadgeSchema), response.data, `POST ${path}`);
    return this.transport.readId(response.data, `POST ${path}`);
  }

  /** Issues several badges at once; `data` comes back in request order. A 422 names the failing item in `errorIndex`. */
  async issueBatch(params: IssueBadgeBatchParams, options?: RequestOptions): Promise<IssuedBadge[]> {
    const body = validateRequest(issueBadgeBatchRequestSchema, params, 'badge batch');
    const path = this.#path('/batch');
    const response = await this.transport.request({ method: 'POST', path, body }, options);
    return this.transport.parse(listEnvelope(issuedBadgeSchema), response.data, `POST ${path}`).data;
  }

  list(params: BadgeListParams = {}, options?: RequestOptions): PagePromise<IssuedBadge> {
    const path = this.#path();
    const query = { filter: buildFilter(params.filter), sort: buildSort(params.sort), page: params.page };
    return this.listPages(path, query, issuedBadgeSchema, `GET ${path}`, options);
  }

  async get(badgeId: string, options?: RequestOptions): Promise<IssuedBadge> {
    const path = this.#path([badgeId, 'badgeId']);
    const response = await this.transport.request({ method: 'GET', path }, options);
    return this.transport.parse(singleEnvelope(issuedBadgeSchema), response.data, `GET ${path}`).data;
  }

  /** Revokes a badge with a reason (PUT; retried like other idempotent calls). */
  async revoke(badgeId: string, params: RevokeBadgeParams, options?: RequestOptions): Promise<IssuedBadge> {
    const body = validateRequest(revokeBadgeRequestSchema, params, 'revocation');
    const path = this.#path([badgeId, 'badgeId'], '/revoke');
    const response = await this.transport.request({ method: 'PUT', path, body }, options);
    return this.transport.parse(singleEnvelope(issuedBadgeSchema), response.data, `PUT ${path}`).data;
  }

  /** Replaces a badge (re-certification): a new badge with `replaces_badge_id`. POST, so not retried by default. */
  async replace(badgeId: string, params: ReplaceBadgeParams, options?: RequestOptions): Promise<IssuedBadge> {
    const body = validateRequest(replaceBadgeRequestSchema, params, 'replacement');
    const path = this.#path([badgeId, 'badgeId'], '/replace');
    const response = await this.transport.request({ method: 'POST', path, body }, options);
    return this.transport.parse(singleEnvelope(issuedBadgeSchema), response.data, `POST ${path}`).data;
  }

  async delete(badgeId: string, options?: RequestOptions): Promise<void> {
    const path = this.#path([badgeId, 'badgeId']);
    await this.transport.request({ method: 'DELETE', path }, options);
  }

  /**
   * High-volume search: a cursor through `next_page_url`, followed (path and query) when it is on
   * the API's own origin, else only its query on our own path; either way the caller's filter,
   * sort and format are applied over it (Credly may drop them from the URL), and a cursor that
   * repeats stops the search with an error.
   */
  highVolumeSearch(params: HighVolumeSearchParams = {}, options?: RequestOptions): PagePromise<IssuedBadge> {
    const path = orgPath(this.core.organizationId, '/high_volume_issued_badge_search');
    const own: Record<string, string | undefined> = {
      filter: buildFilter(params.filter),
      sort: buildSort(params.sort),
      badge_format: params.badge_format ?? 'minimal',
    };
    const fetchPage = async (target: PageTarget, before: PageTrail): Promise<Page<IssuedBadge>> => {
      const trail = before.visit(target);
      const response = await this.transport.request({ method: 'GET', path: target.path, query: target.query, ...(target.fromOrigin ? { fromOrigin: true } : {}) }, options);
      const parsed = this.transport.parse(cursorEnvelope, response.data, `GET ${path}`);
      const nextUrl = parsed.metadata?.next_page_url;
      const nextTarget = nextUrl ? (nextPageTarget(nextUrl, this.transport.config.baseUrl, own) ?? { path, fromOrigin: false, query: { ...cursorFrom(nextUrl), ...own } }) : undefined;
      const next = nextTarget ? () => fetchPage(nextTarget, trail) : null;
      return makePage(parsed.data ?? [], (parsed.metadata ?? {}) as PageMetadata, next);
    };
    return new PagePromise(() => fetchPage({ path, fromOrigin: false, query: own }, new PageTrail(`GET ${path}`)));
  }

  /**
   * The badge a template already holds for a learner, found by `issuer_earner_id`, then by email,
   * then by any email of the learner's Credly account (`recipient_email_all`: Credly's duplicate rule
   * counts the user, not the address); `null` when there is none. Results are checked here too, so
   * that a filter key Credly ignored cannot produce a false match: an earner id or email must be
   * the one asked for (compared as strings: Credly may send the earner id as a number), and an
   * account-wide match must name a single Credly user. A pending or accepted badge is preferred
   * over a revoked or rejected one.
   */
  async findExisting(templateId: string, by: FindExistingParams, options?: RequestOptions): Promise<IssuedBadge | null> {
    if (!by.issuerEarnerId && !by.email) {
      throw withCode(new TypeError('findExisting needs issuerEarnerId or email'), 'CREDLY_INVALID_ARGUMENT');
    }
    const matchesTemplate = (badge: IssuedBadge) => !badge.badge_template || badge.badge_template.id === templateId;
    type Lookup = { filter: Record<string, string>; matches: (badge: IssuedBadge) => boolean; oneUser?: boolean };
    const lookups: Lookup[] = [];
    if (by.issuerEarnerId) {
      const id = by.issuerEarnerId.trim();
      lookups.push({ filter: { issuer_earner_id: id }, matches: (badge) => badge.issuer_earner_id != null && String(badge.issuer_earner_id).trim() === id });
    }
    if (by.email) {
      const email = by.email.trim().toLowerCase();
      const sameEmail = (badge: IssuedBadge) => badge.recipient_email?.trim().toLowerCase() === email;
      lookups.push({ filter: { recipient_email: email }, matches: sameEmail });
      lookups.push({ filter: { recipient_email_all: email }, matches: () => true, oneUser: true });
    }
    for (const lookup of lookups) {
      const found: IssuedBadge[] = [];
      for await (const badge of this.list({ filter: { ...lookup.filter, badge_template_id: templateId } }, options)) {
        if (lookup.matches(badge) && matchesTemplate(badge)) found.push(badge);
        if (found.length >= 50) break;
      }
      const trusted = lookup.oneUser ? (oneCredlyUser(found) ? found : []) : found;
      // A badge that was replaced (re-certification) is not the learner's current one.
      const current = (badge: IssuedBadge) => ACTIVE_STATES.has(badge.state ?? '') && !badge.replacement_badge_id;
      if (trusted.length > 0) return trusted.find(current) ?? trusted.find((badge) => ACTIVE_STATES.has(badge.state ?? '')) ?? trusted[0] ?? null;
    }
    return null;
  }
}

/** Whether badges all belong to one Credly user (by `user.id`): a filter that was ignored would return many. */
function oneCredlyUser(badges: readonly IssuedBadge[]): boolean {
  const ids = new Set(badges.map((badge) => badge.user?.id ?? null));
  return ids.size === 1 && !ids.has(null);
}

function cursorFrom(nextUrl: string): Record<string, string> {
  const url = new URL(nextUrl, 'http://placeholder');
  return Object.fromEntries(url.searchParams.entries());
}
