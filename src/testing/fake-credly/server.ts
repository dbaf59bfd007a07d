import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { apiRoutes, renderers, type ApiRoute, type RouteResult } from './api-routes.js';
import { settleDueBadges, type BadgeLifecycleOptions } from './badge-lifecycle.js';
import { FakeClock } from './clock.js';
import type { FakeFidelityOptions } from './fidelity.js';
import { authorizationTokensRoute, type FakeAuthorizationToken } from './authorization-tokens.js';
import { FaultPlan, type FaultDecision, type FaultRates, type TargetedFault } from './faults.js';
import { HTML_ERROR_PAGE, parseBody, prepareJson, readAuthorization, readBody, sendError, sendJson, writeJson } from './http.js';
import { seededRandom } from './random.js';
import { FixedWindowLimiter, type RateLimitOptions } from './rate-limit.js';
import { eventJson, organizationJson, type FakeUrls } from './serialize.js';
import { FakeHttpError, FakeStore, type FakeOrganization, type StoredBadge, type StoredTemplate } from './store.js';
import { WebhookDeliverer, type WebhookDelivery, type WebhookOptions } from './webhooks.js';

export const FAKE_ORGANIZATION_ID = 'c0ffee00-0000-4000-8000-000000000001';
export const FAKE_TOKEN = 'fake-credly-token';
export const FAKE_READ_ONLY_TOKEN = 'fake-credly-read-only-token';
export const FAKE_OAUTH_CLIENT = { clientId: 'fake-credly-client', clientSecret: 'fake-credly-secret' } as const;

export interface FakeTokenConfig {
  readonly token: string;
  /** The organization it belongs to (the first organization by default). */
  readonly organizationId?: string;
  /** False for a read-only token: writes get 403. */
  readonly write?: boolean;
  /** When it expires, as `authorization_tokens` lists it (180 days after the fake starts by default; null: no expiry listed). */
  readonly expiresAt?: string | null;
}

export interface FakeOAuthClientConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly organizationId?: string;
  readonly write?: boolean;
  /** Access-token lifetime in seconds (7200 by default). */
  readonly expiresIn?: number;
}

export interface FakeCredlyOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly organizations?: ReadonlyArray<Partial<FakeOrganization> & { id: string }>;
  readonly tokens?: readonly FakeTokenConfig[];
  readonly oauthClients?: readonly FakeOAuthClientConfig[];
  /** Seeds ids and random faults: the same seed gives the same run. */
  readonly seed?: number;
  /** Added to every API response: a number, or a base plus up to `jitter` more. */
  readonly latencyMs?: number | { readonly base: number; readonly jitter: number };
  readonly faults?: FaultRates;
  readonly rateLimit?: RateLimitOptions;
  /** The fake's time source; `advanceClock` moves it forward. */
  readonly clock?: () => number;
  readonly webhooks?: WebhookOptions;
  /** Which reading of Credly to play where its documentation is open (see fidelity.ts). */
  readonly fidelity?: FakeFidelityOptions;
  /** Credly users with several emails, each a list of emails: a badge to one counts for all. */
  readonly users?: ReadonlyArray<readonly string[]>;
  /** Learners accept (or reject) their badges this long after issue, on the fake's clock. */
  readonly badgeLifecycle?: BadgeLifecycleOptions;
}

export interface FakeCredlyStats {
  /** Requests per route name, e.g. `POST /badges`. */
  readonly requests: Readonly<Record<string, number>>;
  readonly faults: Readonly<Record<string, number>>;
  readonly rateLimited: number;
  readonly badges: number;
  readonly duplicates: number;
  readonly templates: number;
  readonly events: number;
}

/** A running fake Credly. */
export interface FakeCredly {
  /** The origin, e.g. `http://127.0.0.1:54321`. */
  readonly url: string;
  /** The API base URL for `CredlyClient`'s `baseUrl`: `<url>/v1`. */
  readonly baseUrl: string;
  readonly organizationId: string;
  /** A token with write permission for `organizationId`. */
  readonly token: string;
  readonly oauth: { readonly clientId: string; readonly clientSecret: string };
  /** `{ organizationId, authToken }` and `{ baseUrl }` for `new CredlyClient(...)`. */
  clientConfig(): { credentials: { organizationId: string; authToken: string }; options: { baseUrl: string } };
  stop(): Promise<void>;
  /** Back to the starting state: no templates, badges, events, targeted faults or counts; the random rates of the `faults` option (not those of `setFaults`). */
  reset(): void;

  /** Creates a template directly (active by default), as an admin would in Credly's UI. */
  createTemplate(fields: Record<string, unknown>, organizationId?: string): Record<string, unknown>;
  acceptBadge(badgeId: string): void;
  /**
   * Issues a badge as someone in Credly's UI (or another tool) would: outside any ledger, not
   * counted in request stats. Takes an issue request body; returns the badge as Credly lists it.
   */
  issueOutside(body: Record<string, unknown>, organizationId?: string): Record<string, unknown>;
  rejectBadge(badgeId: string): void;
  archiveTemplate(templateId: string): void;
  /** A Credly user who has several emails (Credly's duplicate rule and `recipient_email_all` count them as one). */
  addUser(emails: readonly string[]): void;
  advanceClock(ms: number): void;
  setWebhookUrl(url: string | null, organizationId?: string): void;

  injectFault(fault: TargetedFault): void;
  setFaults(rates: FaultRates): void;
  clearFaults(): void;

  /** Every badge the fake holds (raw stored form). */
  badges(): StoredBadge[];
  badgesFor(templateId: string, email: string): StoredBadge[];
  /** Badges beyond one per (template, learner); 0 in every exactly-once test. */
  duplicateCount(): number;
  stats(): FakeCredlyStats;
  webhookDeliveries(): readonly WebhookDelivery[];
  /** Resolves when no webhook delivery is in flight or waiting to be retried. */
  webhooksIdle(): Promise<void>;
}

interface CompiledRoute {
  readonly route: ApiRoute;
  readonly regex: RegExp;
  readonly keys: string[];
}

function compile(route: ApiRoute): CompiledRoute {
  const keys: string[] = [];
  const source = route.pattern.replace(/:(\w+)/g, (_m, key: string) => {
    keys.push(key);
    return '([^/]+)';
  });
  return { route, regex: new RegExp(`^${source}$`), keys };
}

/** Starts a stateful fake Credly on loopback HTTP. */
export async function startFakeCredly(options: FakeCredlyOptions = {}): Promise<FakeCredly> {
  const seed = options.seed ?? 1;
  const clock = new FakeClock(options.clock);
  const host = options.host ?? '127.0.0.1';
  let random = seededRandom(seed);
  const fidelity = options.fidelity ?? {};
  let store = new FakeStore(random, clock, fidelity);
  let faults = new FaultPlan(options.faults ?? {}, seededRandom(seed ^ 0x9e3779b9));
  const limiter = options.rateLimit ? new FixedWindowLimiter(options.rateLimit) : null;
  const deliverer = new WebhookDeliverer(options.webhooks);
  const latencyRandom = seededRandom(seed ^ 0x85ebca6b);
  const requestCounts = new Map<string, number>();
  const accessTokens = new Map<string, { organizationId: string | undefined; write: boolean; expiresAt: number }>();
  const sockets = new Set<Socket>();

  const orgSeeds = options.organizations?.length ? options.organizations : [{ id: FAKE_ORGANIZATION_ID, name: 'Fake University' }];
  const defaultOrg = orgSeeds[0]!.id;
  const tokens = new Map<string, { organizationId: string; write: boolean }>();
  const tokenList: FakeAuthorizationToken[] = [];
  for (const t of options.tokens ?? [{ token: FAKE_TOKEN }, { token: FAKE_READ_ONLY_TOKEN, write: false }]) {
    tokens.set(t.token, { organizationId: t.organizationId ?? defaultOrg, write: t.write ?? true });
    tokenList.push({
      token: t.token,
      organizationId: t.organizationId ?? defaultOrg,
      write: t.write ?? true,
      id: `00000000-0000-4000-8000-${String(tokenList.length + 1).padStart(12, '0')}`,
      description: t.write === false ? 'read-only' : 'issuing',
      createdAt: clock.iso(),
      expiresAt: t.expiresAt === undefined ? new Date(clock.now() + 180 * 24 * 60 * 60 * 1000).toISOString() : t.expiresAt,
    });
  }
  const oauthClients: readonly FakeOAuthClientConfig[] = options.oauthClients ?? [FAKE_OAUTH_CLIENT];
  const firstToken = [...tokens.entries()].find(([, t]) => t.write)?.[0] ?? FAKE_TOKEN;

  let urls: FakeUrls = { api: '', web: '' };
  let routes: CompiledRoute[] = [];

  const wireStore = () => {
    for (const org of orgSeeds) store.addOrganization({ ...org });
    for (const emails of options.users ?? []) store.addUser(emails);
    store.onEvent = (event) => {
      const org = store.organizations.get(event.organizationId);
      if (!org?.webhook_url) return;
      const { id, event_type, organization_id, occurred_at } = eventJson(event) as Record<string, unknown>;
      deliverer.enqueue(org.webhook_url, { id, organization_id, event_type, occurred_at });
    };
    routes = [...apiRoutes(store, urls, fidelity), authorizationTokensRoute(() => tokenList, () => urls.api)].map(compile);
  };

  const latency = (): number => {
    const l = options.latencyMs;
    if (l === undefined) return 0;
    if (typeof l === 'number') return l;
    return l.base + l.jitter * latencyRandom();
  };

  /** Calls `send` at `dueAt` (performance.now() scale), or at once when it is due already. */
  const at = (dueAt: number, send: () => void) => {
    const wait = dueAt - performance.now();
    if (wait > 0) setTimeout(send, wait);
    else send();
  };

  /**
   * Answers at `dueAt` (performance.now() scale). The body is serialized first: that is the
   * server's work, part of its response time, so that answers due together do not queue behind
   * each other's serialization once due.
   */
  const respond = (res: ServerResponse, result: RouteResult, dueAt: number) => {
    const prepared = prepareJson(result.status, result.body, result.headers);
    at(dueAt, () => writeJson(res, prepared));
  };

  const destroy = (req: IncomingMessage, dueAt: number) => at(dueAt, () => req.socket.destroy());

  const count = (name: string) => requestCounts.set(name, (requestCounts.get(name) ?? 0) + 1);

  /** The credential behind the Authorization header, or an error to send. */
  const authenticate = (req: IncomingMessage): { organizationId: string | undefined; write: boolean } => {
    const auth = readAuthorization(req.headers.authorization);
    if (!auth) throw new FakeHttpError(401, 'Unauthorized: send the organization token as the Basic user name');
    if (auth.scheme === 'basic') {
      const found = tokens.get(auth.value);
      if (!found) throw new FakeHttpError(401, 'Unauthorized');
      return found;
    }
    const found = accessTokens.get(auth.value);
    if (!found || found.expiresAt <= clock.now()) throw new FakeHttpError(401, 'Unauthorized: the access token is invalid or expired');
    return found;
  };

  const handleOAuth = (body: Record<string, unknown>): RouteResult => {
    if (body.grant_type !== 'client_credentials') throw new FakeHttpError(400, 'grant_type must be client_credentials');
    const client = oauthClients.find((c) => c.clientId === body.client_id && c.clientSecret === body.client_secret);
    if (!client) return { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed' } };
    const accessToken = `fake-access-${Math.floor(random() * 1e12).toString(36)}${Math.floor(random() * 1e12).toString(36)}`;
    const expiresIn = client.expiresIn ?? 7200;
    accessTokens.set(accessToken, { organizationId: client.organizationId ?? defaultOrg, write: client.write ?? true, expiresAt: clock.now() + expiresIn * 1000 });
    return { status: 200, body: { access_token: accessToken, token_type: 'bearer', expires_in: expiresIn, created_at: Math.floor(clock.now() / 1000) } };
  };

  const handleInspect = (method: string, path: string, body: Record<string, unknown>, query: URLSearchParams): RouteResult => {
    const parts = path.split('/').filter(Boolean); // ['__fake', ...]
    const key = `${method} /${parts.slice(1).map((p, i) => (i === 1 && parts.length > 3 ? ':id' : p)).join('/')}`;
    switch (key) {
      case 'GET /state':
        return {
          status: 200,
          body: {
            organizations: [...store.organizations.values()].map((o) => organizationJson(o, urls)),
            templates: [...store.templates.values()].map(snapshotTemplate),
            badges: [...store.badges.values()],
            duplicates: store.duplicateCount(),
            events: store.events.length,
          },
        };
      case 'GET /stats':
        return { status: 200, body: handle.stats() };
      case 'GET /badges':
        return { status: 200, body: { badges: handle.badgesFor(query.get('template_id') ?? '', query.get('email') ?? '') } };
      case 'GET /webhooks':
        return { status: 200, body: { deliveries: deliverer.deliveries } };
      case 'POST /reset':
        handle.reset();
        return { status: 200, body: { reset: true } };
      case 'POST /badges':
        return { status: 201, body: { data: handle.issueOutside(body) } };
      case 'POST /badges/:id/accept':
        handle.acceptBadge(parts[2]!);
        return { status: 200, body: { accepted: parts[2] } };
      case 'POST /badges/:id/reject':
        handle.rejectBadge(parts[2]!);
        return { status: 200, body: { rejected: parts[2] } };
      case 'POST /badge_templates/:id/archive':
        handle.archiveTemplate(parts[2]!);
        return { status: 200, body: { archived: parts[2] } };
      case 'POST /badge_templates':
        return { status: 201, body: { data: handle.createTemplate(body) } };
      case 'POST /clock/advance':
        handle.advanceClock(Number(body.ms));
        return { status: 200, body: { now: clock.iso() } };
      case 'POST /faults':
        handle.injectFault(body as unknown as TargetedFault);
        return { status: 200, body: { injected: body } };
      case 'DELETE /faults':
        handle.clearFaults();
        return { status: 200, body: { cleared: true } };
      default:
        throw new FakeHttpError(404, `no inspection route ${method} ${path}`);
    }
  };

  /**
   * The latency is the API's response time, counted from the request's arrival: the fake's own
   * work is part of it, as a real server's is part of its response time. Refusals (401, 404, 422…)
   * take it too. `delayMs` is drawn once the request is known to be the API's (inspection routes
   * answer at once).
   */
  interface Timing {
    readonly arrived: number;
    delayMs: number | undefined;
  }

  const handleRequest = async (req: IncomingMessage, res: ServerResponse, timing: Timing): Promise<void> => {
    const { arrived } = timing;
    const due = (ms: number) => arrived + ms;
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const text = await readBody(req);
    settleDueBadges(store, clock.now(), options.badgeLifecycle, snapshotBadge);

    if (path.startsWith('/__fake/')) {
      const result = handleInspect(method, path, parseBody(text, req.headers['content-type']), url.searchParams);
      return sendJson(res, result.status, result.body);
    }
    if (method === 'POST' && path === '/oauth/token') {
      count('POST /oauth/token');
      const result = handleOAuth(parseBody(text, req.headers['content-type']));
      return sendJson(res, result.status, result.body);
    }
    const delay = latency();
    timing.delayMs = delay;
    // Production next-page URLs point at /api/v1/…: the same API.
    const prefix = path.startsWith('/v1/') ? '/v1' : path.startsWith('/api/v1/') ? '/api/v1' : null;
    if (!prefix) throw new FakeHttpError(404, 'Not Found');
    const apiPath = path.slice(prefix.length);
    let match: { compiled: CompiledRoute; params: Record<string, string> } | undefined;
    for (const compiled of routes) {
      if (compiled.route.method !== method) continue;
      const m = compiled.regex.exec(apiPath);
      if (m) {
        match = { compiled, params: Object.fromEntries(compiled.keys.map((k, i) => [k, decodeURIComponent(m[i + 1]!)])) };
        break;
      }
    }
    if (!match) throw new FakeHttpError(404, 'Not Found');
    const { route } = match.compiled;
    count(route.name);

    let credential: { organizationId: string | undefined; write: boolean } = { organizationId: undefined, write: false };
    if (!route.public) {
      credential = authenticate(req);
      const pathOrg = match.params.org;
      if (pathOrg && credential.organizationId && pathOrg !== credential.organizationId) {
        throw new FakeHttpError(403, 'Forbidden: the token does not belong to this organization');
      }
      if (route.write && !credential.write) throw new FakeHttpError(403, 'Forbidden: this token is read-only');
    }

    if (limiter) {
      const waitMs = limiter.take(clock.now());
      if (waitMs !== null) {
        const headers: Record<string, string> = limiter.retryAfter ? { 'Retry-After': String(Math.max(1, Math.ceil(waitMs / 1000))) } : {};
        return respond(res, { status: 429, body: { data: { message: 'Too Many Requests' } }, headers }, due(delay));
      }
    }

    const fault: FaultDecision | null = faults.next(route.name);
    if (fault?.kind === 'error-5xx') {
      const status = fault.status ?? (random() < 0.5 ? 500 : 503);
      const headers = fault.retryAfterHeader !== undefined ? { 'Retry-After': fault.retryAfterHeader } : undefined;
      return respond(res, { status, body: { data: { message: status === 503 ? 'Service Unavailable' : 'Internal Server Error' } }, ...(headers ? { headers } : {}) }, due(delay));
    }
    if (fault?.kind === 'reset-before') return destroy(req, due(delay));
    if (fault?.kind === 'rate-limit') {
      const retryAfter = fault.retryAfterHeader ?? (fault.retryAfterSeconds === undefined ? 1 : fault.retryAfterSeconds);
      return respond(res, { status: 429, body: { data: { message: 'Too Many Requests' } }, ...(retryAfter === null ? {} : { headers: { 'Retry-After': String(retryAfter) } }) }, due(delay));
    }

    const body = text ? parseBody(text, req.headers['content-type']) : {};
    const result = route.handle({ params: match.params, query: url.searchParams, body, credentialOrganization: credential.organizationId, credentialWrite: credential.write });

    // Faults after the change took effect: the client cannot tell what happened.
    if (fault?.kind === 'reset-after-commit') return destroy(req, due(delay));
    if (fault?.kind === 'slow') return respond(res, result, due(delay + (fault.delayMs ?? 60_000)));
    if (fault?.kind === 'malformed-json') {
      const full = JSON.stringify(result.body ?? {});
      const send = () => {
        if (res.writableEnded) return;
        const cut = full.slice(0, Math.max(1, Math.floor(full.length / 2)));
        res.writeHead(result.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(cut) });
        res.end(cut);
      };
      at(due(delay), send);
      return;
    }
    if (fault?.kind === 'html-error') {
      const send = () => {
        if (res.writableEnded) return;
        res.writeHead(fault.status ?? 502, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(HTML_ERROR_PAGE) });
        res.end(HTML_ERROR_PAGE);
      };
      at(due(delay), send);
      return;
    }
    respond(res, result, due(delay));
  };

  const server: Server = createServer((req, res) => {
    const timing: Timing = { arrived: performance.now(), delayMs: undefined };
    handleRequest(req, res, timing).catch((error: unknown) => {
      const send = () => {
        if (error instanceof FakeHttpError && error.body !== undefined) {
          sendJson(res, error.status, error.body);
        } else if (error instanceof FakeHttpError) {
          sendError(res, error.status, error.message, error.errorIndex === undefined ? {} : { error_index: error.errorIndex });
        } else {
          sendError(res, 500, `fake Credly failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      };
      at(timing.arrived + (timing.delayMs ?? 0), send);
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  urls = { api: `${origin}/v1`, web: origin };
  wireStore();

  const findBadge = (id: string) => {
    const badge = store.badges.get(id);
    if (!badge) throw new FakeHttpError(404, `no badge ${id}`);
    return badge;
  };
  // Fresh each call: reset() replaces the store.
  const snapshotBadge = (b: StoredBadge) => renderers(store, urls, fidelity).badge(b);
  const snapshotTemplate = (t: StoredTemplate) => renderers(store, urls, fidelity).template(t);

  const handle: FakeCredly = {
    url: origin,
    baseUrl: urls.api,
    organizationId: defaultOrg,
    token: firstToken,
    oauth: { clientId: oauthClients[0]?.clientId ?? '', clientSecret: oauthClients[0]?.clientSecret ?? '' },
    clientConfig: () => ({ credentials: { organizationId: defaultOrg, authToken: firstToken }, options: { baseUrl: urls.api } }),
    stop: async () => {
      deliverer.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
    reset: () => {
      random = seededRandom(seed);
      store = new FakeStore(random, clock, fidelity);
      faults = new FaultPlan(options.faults ?? {}, seededRandom(seed ^ 0x9e3779b9));
      requestCounts.clear();
      accessTokens.clear();
      if (limiter) limiter.limited = 0;
      wireStore();
    },
    createTemplate: (fields, organizationId = defaultOrg) => {
      const body = {
        name: 'Fake Template',
        description: 'A badge template made by the fake Credly.',
        image: { remote_upload_url: 'https://images.example.com/badges/fake.png' },
        skills: ['Skill A', 'Skill B', 'Skill C'],
        global_activity_url: 'https://www.example.edu/microcredentials/fake',
        badge_template_activities: [{ activity_type: 'Course', title: 'A course' }],
        state: 'active',
        ...fields,
      };
      return snapshotTemplate(store.createTemplate(organizationId, body, snapshotTemplate));
    },
    acceptBadge: (id) => void store.setBadgeState(findBadge(id), 'accepted', snapshotBadge),
    issueOutside: (body, organizationId = defaultOrg) => snapshotBadge(store.issueBadge(organizationId, body, snapshotBadge)),
    rejectBadge: (id) => void store.setBadgeState(findBadge(id), 'rejected', snapshotBadge),
    archiveTemplate: (id) => {
      const t = store.templates.get(id);
      if (!t) throw new FakeHttpError(404, `no template ${id}`);
      store.setTemplateState(t.organizationId, id, 'archived', snapshotTemplate);
    },
    addUser: (emails) => store.addUser(emails),
    advanceClock: (ms) => clock.advance(ms),
    setWebhookUrl: (webhookUrl, organizationId = defaultOrg) => void store.updateOrganization(organizationId, { webhook_url: webhookUrl }),
    injectFault: (fault) => faults.inject(fault),
    setFaults: (rates) => faults.setRates(rates),
    clearFaults: () => {
      faults.clear();
      faults.setRates({});
    },
    badges: () => [...store.badges.values()],
    badgesFor: (templateId, email) => store.badgesFor(templateId, email),
    duplicateCount: () => store.duplicateCount(),
    stats: () => ({
      requests: Object.fromEntries(requestCounts),
      faults: Object.fromEntries(faults.fired),
      rateLimited: limiter?.limited ?? 0,
      badges: store.badges.size,
      duplicates: store.duplicateCount(),
      templates: store.templates.size,
      events: store.events.length,
    }),
    webhookDeliveries: () => deliverer.deliveries,
    webhooksIdle: () => deliverer.idle(),
  };
  return handle;
}
