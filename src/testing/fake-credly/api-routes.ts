import { createHash } from 'node:crypto';
import { parseFilter, paginate, sortBy } from './http.js';
import type { FakeFidelityOptions } from './fidelity.js';
import { badgeJson, eventJson, minimalBadgeJson, organizationJson, templateJson, type FakeUrls } from './serialize.js';
import { FakeHttpError, type FakeStore, type StoredBadge, type StoredTemplate } from './store.js';

/** What a route handler gets: the parsed request and the caller's organization. */
export interface RouteContext {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: Record<string, unknown>;
  /** The organizations the credential may act for (undefined: every one). */
  readonly credentialOrganization: string | undefined;
  /** Whether the credential may write (false for a read-only token). */
  readonly credentialWrite?: boolean;
}

export interface RouteResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export interface ApiRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** e.g. `/organizations/:org/badges/:id/revoke` (relative to /v1). */
  readonly pattern: string;
  /** The name used for fault targets and request counts, e.g. `PUT /badges/:id/revoke`. */
  readonly name: string;
  /** Writes need a token with write permission. */
  readonly write: boolean;
  /** OBI endpoints are public. */
  readonly public?: boolean;
  readonly handle: (ctx: RouteContext) => RouteResult;
}

const ok = (body: unknown, status = 200, headers?: Record<string, string>): RouteResult => ({ status, body, ...(headers ? { headers } : {}) });
const single = (data: unknown, status = 200, headers?: Record<string, string>) => ok({ data, metadata: {} }, status, headers);

/** `issuer_earner_id` as a number when the fidelity option asks for it and it is all digits. */
function earnerIdAs(json: Record<string, unknown>, fidelity: FakeFidelityOptions): Record<string, unknown> {
  const id = json.issuer_earner_id;
  if (fidelity.earnerIdInResponses !== 'number' || typeof id !== 'string' || !/^\d{1,15}$/.test(id)) return json;
  return { ...json, issuer_earner_id: Number(id) };
}

/** Templates and badges as Credly sends them, from the store's current state. */
export function renderers(store: FakeStore, urls: FakeUrls, fidelity: FakeFidelityOptions = {}) {
  const org = (id: string) => store.organizations.get(id);
  const template = (t: StoredTemplate) => templateJson(t, org(t.organizationId), urls, store.badgeCounts.get(t.id) ?? 0);
  const badge = (b: StoredBadge, acceptUrl = false) => {
    const t = store.templates.get(b.templateId);
    const id = store.userIdOf(b.recipient_email);
    const user = {
      id,
      email: b.recipient_email,
      first_name: b.issued_to_first_name,
      last_name: b.issued_to_last_name,
      current_position_name: null,
      current_organization_name: null,
      confirmed: b.state === 'accepted',
      photo: null,
      photo_url: null,
      url: `${urls.web}/users/${id}`,
    };
    return earnerIdAs({ ...badgeJson(b, t ? template(t) : { id: b.templateId }, org(b.organizationId), urls, { acceptUrl }), user }, fidelity);
  };
  const minimalBadge = (b: StoredBadge) => earnerIdAs({ ...minimalBadgeJson(b, String(store.templates.get(b.templateId)?.fields.name ?? ''), urls), user: { id: store.userIdOf(b.recipient_email) } }, fidelity);
  return { template, badge, minimalBadge };
}

/** Fields a plain template update must carry (a production client always sends them). */
const TEMPLATE_UPDATE_REQUIRED = ['name', 'description', 'skills'] as const;

/** The Credly API the fake implements, on top of its store. */
export function apiRoutes(store: FakeStore, urls: FakeUrls, fidelity: FakeFidelityOptions = {}): ApiRoute[] {
  const { template, badge: badgeSnapshot, minimalBadge } = renderers(store, urls, fidelity);
  const listUrl = (path: string, query: URLSearchParams) => (page: number) => {
    // Production: an absolute URL on /api/v1 that carries the page number only.
    if (fidelity.nextPageUrl === 'api-path') return `${urls.web}/api/v1${path}?page=${page}`;
    const next = new URLSearchParams(query);
    next.set('page', String(page));
    return `${urls.api}${path}?${next.toString()}`;
  };
  const orgOf = (ctx: RouteContext) => {
    const id = ctx.params.org!;
    store.organization(id);
    return id;
  };

  const matchTemplate = (t: StoredTemplate, json: Record<string, unknown>, filter: Map<string, string[]>) => {
    for (const [key, values] of filter) {
      const lower = values.map((v) => v.toLowerCase());
      switch (key) {
        case 'state':
          if (!values.includes(t.state)) return false;
          break;
        case 'query': {
          const text = `${String(json.name)} ${String(json.description)}`.toLowerCase();
          if (!lower.some((v) => text.includes(v))) return false;
          break;
        }
        case 'name': {
          const name = String(json.name).toLowerCase();
          const exact = lower.map((v) => (/^".*"$/.test(v) ? { exact: true, v: v.slice(1, -1) } : { exact: false, v }));
          if (!exact.some(({ exact: e, v }) => (e ? name === v : name.includes(v)))) return false;
          break;
        }
        case 'skills':
        case 'reporting_tags': {
          const have = ((json[key] as string[]) ?? []).map((s) => s.toLowerCase());
          if (!lower.some((v) => have.includes(v))) return false;
          break;
        }
        case 'public':
          if (String(json.public) !== values[0]) return false;
          break;
        default:
          break; // Unknown keys are ignored, as a lenient server would.
      }
    }
    return true;
  };

  const matchBadge = (b: StoredBadge, filter: Map<string, string[]>) => {
    for (const [key, values] of filter) {
      const lower = values.map((v) => v.toLowerCase());
      switch (key) {
        case 'recipient_email':
          if (!lower.includes(b.recipient_email)) return false;
          break;
        case 'recipient_email_all':
          // Any email of the earner's Credly account.
          if (!lower.some((v) => store.emailsOfUser(v).includes(b.recipient_email))) return false;
          break;
        case 'issuer_earner_id':
          if (b.issuer_earner_id === null || !values.includes(b.issuer_earner_id)) return false;
          break;
        case 'badge_template_id':
          if (!values.includes(b.templateId)) return false;
          break;
        case 'state':
          if (!values.includes(b.state)) return false;
          break;
        case 'public':
          if (String(b.public) !== values[0]) return false;
          break;
        case 'query': {
          const text = `${b.recipient_email} ${b.issued_to_first_name} ${b.issued_to_last_name}`.toLowerCase();
          if (!lower.some((v) => text.includes(v))) return false;
          break;
        }
        default:
          break;
      }
    }
    return true;
  };

  const orgBadges = (organizationId: string, filter: Map<string, string[]>) => {
    const found: StoredBadge[] = [];
    for (const b of store.badges.values()) if (b.organizationId === organizationId && matchBadge(b, filter)) found.push(b);
    return found;
  };

  return [
    {
      method: 'GET',
      pattern: '/organizations',
      name: 'GET /organizations',
      write: false,
      handle: (ctx) => {
        const visible = [...store.organizations.values()].filter((o) => !ctx.credentialOrganization || o.id === ctx.credentialOrganization);
        return ok(paginate(visible.map((o) => organizationJson(o, urls)), ctx.query.get('page'), listUrl('/organizations', ctx.query)));
      },
    },
    {
      method: 'GET',
      pattern: '/organizations/:org',
      name: 'GET /organizations/:org',
      write: false,
      handle: (ctx) => single(organizationJson(store.organization(orgOf(ctx)), urls)),
    },
    {
      method: 'PUT',
      pattern: '/organizations/:org',
      name: 'PUT /organizations/:org',
      write: true,
      handle: (ctx) => single(organizationJson(store.updateOrganization(orgOf(ctx), ctx.body), urls)),
    },
    {
      method: 'GET',
      pattern: '/organizations/:org/badge_templates',
      name: 'GET /badge_templates',
      write: false,
      handle: (ctx) => {
        const id = orgOf(ctx);
        const filter = parseFilter(ctx.query.get('filter'));
        const items: Record<string, unknown>[] = [];
        for (const t of store.templates.values()) {
          if (t.organizationId !== id) continue;
          const json = template(t);
          if (matchTemplate(t, json, filter)) items.push(json);
        }
        const path = `/organizations/${id}/badge_templates`;
        return ok(paginate(sortBy(items, ctx.query.get('sort')), ctx.query.get('page'), listUrl(path, ctx.query)));
      },
    },
    {
      method: 'POST',
      pattern: '/organizations/:org/badge_templates',
      name: 'POST /badge_templates',
      write: true,
      handle: (ctx) => {
        const id = orgOf(ctx);
        const created = store.createTemplate(id, ctx.body, template);
        return single(template(created), 201, { Location: `${urls.api}/organizations/${id}/badge_templates/${created.id}` });
      },
    },
    {
      method: 'GET',
      pattern: '/organizations/:org/badge_templates/:id',
      name: 'GET /badge_templates/:id',
      write: false,
      handle: (ctx) => single(template(store.template(orgOf(ctx), ctx.params.id!))),
    },
    {
      method: 'PUT',
      pattern: '/organizations/:org/badge_templates/:id',
      name: 'PUT /badge_templates/:id',
      write: true,
      handle: (ctx) => {
        const missing = TEMPLATE_UPDATE_REQUIRED.filter((key) => ctx.body[key] === undefined);
        if (missing.length) throw new FakeHttpError(422, `Missing required fields: ${missing.join(', ')}`);
        const { state, ...rest } = ctx.body;
        const body = fidelity.templateStateInPut === 'applied' && state !== undefined ? { ...rest, state } : rest;
        return single(template(store.updateTemplate(orgOf(ctx), ctx.params.id!, body, template)));
      },
    },
    {
      method: 'PUT',
      pattern: '/organizations/:org/badge_templates/:id/archive',
      name: 'PUT /badge_templates/:id/archive',
      write: true,
      handle: (ctx) => single(template(store.setTemplateState(orgOf(ctx), ctx.params.id!, 'archived', template))),
    },
    {
      method: 'PUT',
      pattern: '/organizations/:org/badge_templates/:id/unarchive',
      name: 'PUT /badge_templates/:id/unarchive',
      write: true,
      handle: (ctx) => single(template(store.setTemplateState(orgOf(ctx), ctx.params.id!, 'active', template))),
    },
    {
      method: 'DELETE',
      pattern: '/organizations/:org/badge_templates/:id',
      name: 'DELETE /badge_templates/:id',
      write: true,
      handle: (ctx) => {
        store.deleteTemplate(orgOf(ctx), ctx.params.id!, template);
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      pattern: '/organizations/:org/badges',
      name: 'POST /badges',
      write: true,
      handle: (ctx) => single(badgeSnapshot(store.issueBadge(orgOf(ctx), ctx.body, (b) => badgeSnapshot(b)), true), 201),
    },
    {
      method: 'POST',
      pattern: '/organizations/:org/badges/batch',
      name: 'POST /badges/batch',
      write: true,
      handle: (ctx) => {
        const issued = store.issueBatch(orgOf(ctx), ctx.body.badges, (b) => badgeSnapshot(b));
        return ok({ data: issued.map((b) => badgeSnapshot(b, true)), metadata: {} }, 201);
      },
    },
    {
      method: 'GET',
      pattern: '/organizations/:org/badges',
      name: 'GET /badges',
      write: false,
      handle: (ctx) => {
        const id = orgOf(ctx);
        const found = orgBadges(id, parseFilter(ctx.query.get('filter')));
        const json = sortBy(found.map((b) => badgeSnapshot(b)), ctx.query.get('sort') ?? 'created_at');
        return ok(paginate(json, ctx.query.get('page'), listUrl(`/organizations/${id}/badges`, ctx.query)));
      },
    },
    {
      method: 'GET',
      pattern: '/organizations/:org/badges/:id',
      name: 'GET /badges/:id',
      write: false,
      handle: (ctx) => single(badgeSnapshot(store.badge(orgOf(ctx), ctx.params.id!))),
    },
    {
      method: 'PUT',
      pattern: '/organizations/:org/badges/:id/revoke',
      name: 'PUT /badges/:id/revoke',
      write: true,
      handle: (ctx) => single(badgeSnapshot(store.revokeBadge(orgOf(ctx), ctx.params.id!, ctx.body, (b) => badgeSnapshot(b)))),
    },
    {
      method: 'POST',
      pattern: '/organizations/:org/badges/:id/replace',
      name: 'POST /badges/:id/replace',
      write: true,
      handle: (ctx) => single(badgeSnapshot(store.replaceBadge(orgOf(ctx), ctx.params.id!, ctx.body, (b) => badgeSnapshot(b)), true), 201),
    },
    {
      method: 'DELETE',
      pattern: '/organizations/:org/badges/:id',
      name: 'DELETE /badges/:id',
      write: true,
      handle: (ctx) => {
        store.deleteBadge(orgOf(ctx), ctx.params.id!, (b) => badgeSnapshot(b));
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      pattern: '/organizations/:org/high_volume_issued_badge_search',
      name: 'GET /high_volume_issued_badge_search',
      write: false,
      handle: (ctx) => {
        const id = orgOf(ctx);
        // The cursor is an offset; like the real service, the next URL carries only the cursor and the format.
        const cursor = ctx.query.get('cursor');
        const offset = cursor ? Number(Buffer.from(cursor, 'base64url').toString('utf8')) : 0;
        if (!Number.isInteger(offset) || offset < 0) throw new FakeHttpError(400, 'Invalid cursor');
        const found = orgBadges(id, parseFilter(ctx.query.get('filter')));
        const page = found.slice(offset, offset + 50);
        const minimal = ctx.query.get('badge_format') !== 'default';
        const data = page.map((b) => (minimal ? minimalBadge(b) : badgeSnapshot(b)));
        const nextOffset = offset + page.length;
        const next = nextOffset < found.length
          ? `${urls.api}/organizations/${id}/high_volume_issued_badge_search?badge_format=${minimal ? 'minimal' : 'default'}&cursor=${Buffer.from(String(nextOffset)).toString('base64url')}`
          : null;
        return ok({ data, metadata: { next_page_url: next } });
      },
    },
    {
      method: 'GET',
      pattern: '/organizations/:org/events',
      name: 'GET /events',
      write: false,
      handle: (ctx) => {
        const id = orgOf(ctx);
        const events = store.events.filter((e) => e.organizationId === id).map(eventJson);
        return ok(paginate(events, ctx.query.get('page'), listUrl(`/organizations/${id}/events`, ctx.query)));
      },
    },
    {
      method: 'GET',
      pattern: '/organizations/:org/events/:id',
      name: 'GET /events/:id',
      write: false,
      handle: (ctx) => {
        const id = orgOf(ctx);
        const event = store.eventsById.get(ctx.params.id!);
        if (!event || event.organizationId !== id) throw new FakeHttpError(404, 'Event not found');
        return single(eventJson(event));
      },
    },
    {
      method: 'GET',
      pattern: '/obi/v2/badge_assertions/:id',
      name: 'GET /obi/v2/badge_assertions/:id',
      write: false,
      public: true,
      handle: (ctx) => {
        const b = store.badges.get(ctx.params.id!);
        if (!b) throw new FakeHttpError(404, 'Not Found');
        return ok({
          '@context': 'https://w3id.org/openbadges/v2',
          type: 'Assertion',
          id: `${urls.api}/obi/v2/badge_assertions/${b.id}`,
          recipient: { type: 'email', hashed: true, identity: `sha256$${sha256(b.recipient_email)}` },
          badge: `${urls.api}/obi/v2/issuers/${b.organizationId}/badge_classes/${b.templateId}`,
          issuedOn: b.issued_at,
          expires: b.expires_at,
          evidence: b.evidence.map((e) => ({ '@context': 'https://w3id.org/openbadges/v2', id: e.value ?? null, name: e.name ?? e.title ?? null, description: e.description ?? null, genre: e.type, type: 'Evidence' })),
          verification: { type: 'hosted' },
          ...(b.state === 'revoked' ? { revoked: true, revocationReason: b.revocation_reason } : {}),
        });
      },
    },
    {
      method: 'GET',
      pattern: '/obi/v2/badge_classes/:id',
      name: 'GET /obi/v2/badge_classes/:id',
      write: false,
      public: true,
      handle: (ctx) => {
        const t = store.templates.get(ctx.params.id!);
        if (!t) throw new FakeHttpError(404, 'Not Found');
        const json = template(t);
        return ok({
          '@context': 'https://w3id.org/openbadges/v2',
          type: 'BadgeClass',
          id: `${urls.api}/obi/v2/issuers/${t.organizationId}/badge_classes/${t.id}`,
          name: json.name,
          description: json.description,
          image: { id: json.image_url },
          criteria: { id: json.global_activity_url, narrative: (json.badge_template_activities as Array<{ title: string | null }>).map((a) => a.title).filter(Boolean).join('; ') },
          issuer: `${urls.api}/obi/v2/issuers/${t.organizationId}`,
          alignment: (json.alignments as Array<{ name: string; url: string; description: string }>).map((a) => ({ targetName: a.name, targetUrl: a.url, targetDescription: a.description })),
          tags: json.skills,
        });
      },
    },
    {
      method: 'GET',
      pattern: '/obi/v2/issuers/:id',
      name: 'GET /obi/v2/issuers/:id',
      write: false,
      public: true,
      handle: (ctx) => {
        const o = store.organizations.get(ctx.params.id!);
        if (!o) throw new FakeHttpError(404, 'Not Found');
        return ok({ '@context': 'https://w3id.org/openbadges/v2', type: 'Issuer', id: `${urls.api}/obi/v2/issuers/${o.id}`, name: o.name, url: o.website_url, email: o.contact_email });
      },
    },
  ];
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
