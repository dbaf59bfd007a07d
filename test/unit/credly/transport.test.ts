import { inspect } from 'node:util';
import nock from 'nock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AuthenticationError,
  BadRequestError,
  ConflictError,
  CredlyAbortError,
  CredlyClient,
  CredlyApiError,
  CredlyConnectionError,
  CredlyTimeoutError,
  CredlyValidationError,
  GoneError,
  InternalServerError,
  isCredlyError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
  type BeforeAttempt,
} from '../../../src/index.js';
import { ORG, SANDBOX, TEMPLATE_ID, testClient, TOKEN } from '../../helpers/credly.js';
import { classifyFailure } from '../../../src/credly/failure.js';

const orgPath = `/v1/organizations/${ORG}`;
const okOrg = { data: { id: ORG, name: 'State University' }, metadata: {} };
const issue = {
  recipient_email: 'learner1@example.edu',
  badge_template_id: TEMPLATE_ID,
  issued_to_first_name: 'Jordan',
  issued_to_last_name: 'Learner',
  issued_at: '2026-03-02T09:00:00-05:00',
};

afterEach(() => {
  vi.useRealTimers();
});

// nock 14 hangs on a plain-object error; an Error with a code behaves like a real reset.
const connectionReset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

describe('requests', () => {
  it('sends Basic auth with the token and an empty password, JSON headers and a User-Agent', async () => {
    const { client } = testClient({ userAgent: 'campus-badges/1.0' });
    const scope = nock(SANDBOX, {
      reqheaders: {
        authorization: `Basic ${Buffer.from(`${TOKEN}:`).toString('base64')}`,
        accept: 'application/json',
        'content-type': 'application/json',
        'user-agent': /^campus-badges\/1\.0 credly-microcredentials\/\d+\.\d+\.\d+ node\/20/,
      },
    })
      .get(orgPath)
      .reply(200, okOrg);
    await client.organizations.get();
    scope.done();
  });

  it('uses the sandbox unless production is asked for', async () => {
    const sandbox = testClient().client;
    expect(sandbox.config.baseUrl).toBe('https://sandbox-api.credly.com/v1');
    const production = testClient({ environment: 'production' }).client;
    const scope = nock('https://api.credly.com').get(orgPath).reply(200, okOrg);
    await production.organizations.get();
    scope.done();
  });

  it('talks to a custom baseUrl (the fake Credly)', async () => {
    const { client } = testClient({ baseUrl: 'http://127.0.0.1:4010/v1/' });
    const scope = nock('http://127.0.0.1:4010').get(orgPath).reply(200, okOrg);
    expect((await client.organizations.get()).id).toBe(ORG);
    scope.done();
  });

  it('refuses bad request payloads without a network call', async () => {
    const { client } = testClient();
    const error = await client.badges.issue({ ...issue, recipient_email: 'nope', issued_at: '2026-03-02 09:00' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredlyValidationError);
    expect((error as CredlyValidationError).direction).toBe('request');
    expect((error as Error).message).toMatch(/recipient_email: recipient_email is not a valid email address/);
    expect((error as Error).message).toMatch(/issued_at: .*needs an explicit offset/);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('formats Date values with an explicit offset', async () => {
    const { client } = testClient();
    const scope = nock(SANDBOX)
      .post(`${orgPath}/badges`, (body) => body.issued_at === '2026-03-02 14:00:00 +0000' && body.expires_at === false)
      .reply(201, { data: { id: 'b1', state: 'pending' }, metadata: {} });
    await client.badges.issue({ ...issue, issued_at: new Date('2026-03-02T14:00:00Z'), expires_at: false });
    scope.done();
  });

  it('refuses ids that would change the path', async () => {
    const { client } = testClient();
    await expect(client.badges.get('../templates')).rejects.toBeInstanceOf(CredlyValidationError);
    await expect(client.badgeTemplates.get('')).rejects.toBeInstanceOf(CredlyValidationError);
  });

  it('does not follow redirects (the token stays on the Credly host)', async () => {
    const { client } = testClient({ maxRetries: 0 });
    nock(SANDBOX).get(orgPath).reply(302, '', { Location: 'https://elsewhere.example.com/steal' });
    const error = await client.organizations.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredlyApiError);
    expect((error as CredlyApiError).status).toBe(302);
  });
});

describe('error mapping', () => {
  it.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [410, GoneError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
    [503, InternalServerError],
    [418, CredlyApiError],
  ])('%d → %o', async (status, type) => {
    const { client } = testClient({ maxRetries: 0 });
    nock(SANDBOX).get(orgPath).reply(status, { data: { message: `status ${status}` } });
    const error = (await client.organizations.get().catch((e: unknown) => e)) as CredlyApiError;
    expect(error).toBeInstanceOf(type);
    expect(error.constructor).toBe(type);
    expect(error.status).toBe(status);
    expect(error.message).toBe(`${status} GET /organizations/${ORG}: status ${status}`);
    expect(error.body).toEqual({ data: { message: `status ${status}` } });
    expect(isCredlyError(error)).toBe(true);
  });

  it('keeps the request id header when Credly sends one', async () => {
    const { client } = testClient({ maxRetries: 0 });
    nock(SANDBOX).get(orgPath).reply(404, { data: { message: 'Not Found' } }, { 'X-Request-Id': 'req-123' });
    expect(((await client.organizations.get().catch((e: unknown) => e)) as CredlyApiError).requestId).toBe('req-123');
  });

  it('says so when the body has no message', async () => {
    const { client } = testClient({ maxRetries: 0 });
    nock(SANDBOX).get(orgPath).reply(500, {});
    expect(((await client.organizations.get().catch((e: unknown) => e)) as Error).message).toMatch(/no message in the body$/);
  });

  it('maps a connection reset to CredlyConnectionError without the axios error', async () => {
    const { client } = testClient({ maxRetries: 0 });
    nock(SANDBOX).get(orgPath).replyWithError(connectionReset());
    const error = (await client.organizations.get().catch((e: unknown) => e)) as CredlyConnectionError;
    expect(error).toBeInstanceOf(CredlyConnectionError);
    expect(error.code).toBe('CREDLY_CONNECTION');
    expect(error.systemCode).toBe('ECONNRESET');
    expect(error.cause).toBeUndefined();
    expect(inspect(error, { depth: 10 })).not.toMatch(/config|Authorization|Basic /i);
  });

  it('rejects a 2xx body that is not JSON', async () => {
    const { client } = testClient({ maxRetries: 0 });
    nock(SANDBOX).post(`${orgPath}/badges`).reply(201, '{"data": {"id": "b1"', { 'Content-Type': 'application/json' });
    const error = await client.badges.issue(issue).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredlyValidationError);
    expect((error as CredlyValidationError).direction).toBe('response');
  });
});

describe('no secret escapes', () => {
  it('keeps the token out of error messages, stacks, toJSON, inspect and logs', async () => {
    const { client, logs } = testClient({ maxRetries: 1 });
    nock(SANDBOX).get(orgPath).times(2).reply(401, { data: { message: 'Unauthorized' } });
    nock(SANDBOX).get(`${orgPath}/events/e1`).times(2).replyWithError(connectionReset());
    const errors = [await client.organizations.get().catch((e: unknown) => e), await client.events.get('e1').catch((e: unknown) => e)] as Error[];
    const basic = Buffer.from(`${TOKEN}:`).toString('base64');
    for (const error of errors) {
      for (const text of [error.message, error.stack ?? '', JSON.stringify(error), inspect(error, { depth: 10, showHidden: true })]) {
        expect(text).not.toContain(TOKEN);
        expect(text).not.toContain(basic);
      }
    }
    expect(JSON.stringify(logs)).not.toContain(TOKEN);
    expect(inspect(client, { depth: 10 })).not.toContain(TOKEN);
    expect(JSON.stringify(client)).not.toContain(TOKEN);
  });

  it('masks recipient emails in logs', async () => {
    const { client, logs } = testClient({ maxRetries: 1 });
    nock(SANDBOX).post(`${orgPath}/badges`).reply(429, { data: { message: 'slow down, learner1@example.edu' } }).post(`${orgPath}/badges`).reply(201, { data: { id: 'b1' }, metadata: {} });
    await client.badges.issue(issue);
    const text = JSON.stringify(logs);
    expect(text).toContain('l***@example.edu');
    expect(text).not.toContain('learner1@example.edu');
  });

  it('filters log levels', async () => {
    const { client, logs } = testClient({ logLevel: 'warn' });
    nock(SANDBOX).get(orgPath).reply(200, okOrg);
    await client.organizations.get();
    expect(logs).toEqual([]);
  });
});

describe('retries', () => {
  it('retries GET on 5xx with exponential backoff, then succeeds', async () => {
    const { client, sleeps } = testClient();
    nock(SANDBOX).get(orgPath).reply(500, {}).get(orgPath).reply(503, {}).get(orgPath).reply(200, okOrg);
    expect((await client.organizations.get()).id).toBe(ORG);
    expect(sleeps).toEqual([500, 1000]);
  });

  it('gives up after maxRetries and throws the last error', async () => {
    const { client, sleeps } = testClient({ maxRetries: 2 });
    nock(SANDBOX).get(orgPath).times(3).reply(502, { data: { message: 'bad gateway' } });
    await expect(client.organizations.get()).rejects.toBeInstanceOf(InternalServerError);
    expect(sleeps).toHaveLength(2);
  });

  it('takes maxRetries per call', async () => {
    const { client, sleeps } = testClient();
    nock(SANDBOX).get(orgPath).reply(500, {});
    await expect(client.organizations.get(ORG, { maxRetries: 0 })).rejects.toBeInstanceOf(InternalServerError);
    expect(sleeps).toEqual([]);
  });

  it('retries PUT (revoke) and DELETE on connection errors', async () => {
    const { client, sleeps } = testClient();
    nock(SANDBOX)
      .put(`${orgPath}/badges/b1/revoke`)
      .replyWithError(connectionReset())
      .put(`${orgPath}/badges/b1/revoke`)
      .reply(200, { data: { id: 'b1', state: 'revoked' }, metadata: {} })
      .delete(`${orgPath}/badges/b1`)
      .reply(503, {})
      .delete(`${orgPath}/badges/b1`)
      .reply(204);
    expect((await client.badges.revoke('b1', { reason: 'wrong learner' })).state).toBe('revoked');
    await client.badges.delete('b1');
    expect(sleeps).toEqual([500, 500]);
  });

  it.each([
    ['issue', (c: ReturnType<typeof testClient>['client']) => c.badges.issue(issue), `${orgPath}/badges`],
    ['replace', (c: ReturnType<typeof testClient>['client']) => c.badges.replace('b1', { badge_template_id: TEMPLATE_ID, issued_at: issue.issued_at }), `${orgPath}/badges/b1/replace`],
    ['batch', (c: ReturnType<typeof testClient>['client']) => c.badges.issueBatch({ badges: [issue] }), `${orgPath}/badges/batch`],
  ])('never retries POST %s on 5xx or a connection error', async (_name, call, path) => {
    const { client, sleeps } = testClient();
    nock(SANDBOX).post(path).reply(500, {});
    await expect(call(client)).rejects.toBeInstanceOf(InternalServerError);
    nock(SANDBOX).post(path).replyWithError(connectionReset());
    await expect(call(client)).rejects.toBeInstanceOf(CredlyConnectionError);
    expect(sleeps).toEqual([]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('retries POST on 5xx when the caller says it reconciles (retryUnsafe)', async () => {
    const { client, sleeps } = testClient();
    nock(SANDBOX).post(`${orgPath}/badges`).reply(502, {}).post(`${orgPath}/badges`).reply(201, { data: { id: 'b1' }, metadata: {} });
    expect((await client.badges.issue(issue, { retryUnsafe: true })).id).toBe('b1');
    expect(sleeps).toEqual([500]);
  });

  it('a stop during the wait before a retry: "not sent" after a 429, but the 5xx stands after an attempt that may have been processed', async () => {
    // A client whose wait ends only when the stop comes, and rejects with the sleep's own error (not a CredlyError).
    const stoppedDuringWait = () => {
      const stop = new AbortController();
      const sleep = (_ms: number, signal?: AbortSignal) =>
        new Promise<void>((_resolve, reject) => {
          stop.abort();
          if (signal?.aborted) reject(new Error('wait ended'));
        });
      return { client: testClient({ sleep }).client, waitSignal: stop.signal };
    };
    const first = stoppedDuringWait();
    nock(SANDBOX).post(`${orgPath}/badges`).reply(502, {});
    const sent = first.client.badges.issue(issue, { retryUnsafe: true, waitSignal: first.waitSignal });
    await expect(sent).rejects.toBeInstanceOf(InternalServerError);
    expect(classifyFailure(await sent.catch((e: unknown) => e))).toBe('maybe-processed');

    const second = stoppedDuringWait();
    nock(SANDBOX).post(`${orgPath}/badges`).reply(429, {}, { 'Retry-After': '30' });
    const refused = second.client.badges.issue(issue, { waitSignal: second.waitSignal });
    await expect(refused).rejects.toBeInstanceOf(CredlyAbortError);
    expect(classifyFailure(await refused.catch((e: unknown) => e))).toBe('not-sent');
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('retries 429 for POST too, honouring Retry-After in seconds and as a date', async () => {
    const { client, sleeps } = testClient(); // its clock starts at 1_800_000_000_000 and moves with its sleeps
    nock(SANDBOX)
      .post(`${orgPath}/badges`)
      .reply(429, { data: { message: 'Too Many Requests' } }, { 'Retry-After': '2' })
      .post(`${orgPath}/badges`)
      .reply(429, {}, { 'Retry-After': new Date(1_800_000_000_000 + 2000 + 5000).toUTCString() })
      .post(`${orgPath}/badges`)
      .reply(201, { data: { id: 'b1' }, metadata: {} });
    await client.badges.issue(issue, { maxRetries: 3 });
    expect(sleeps).toEqual([2000, 5000]);
  });

  it('backs off exponentially on 429 without Retry-After', async () => {
    const { client, sleeps } = testClient({ maxRetries: 3 });
    nock(SANDBOX).get(orgPath).times(3).reply(429, {}).get(orgPath).reply(200, okOrg);
    await client.organizations.get();
    expect(sleeps).toEqual([500, 1000, 2000]);
  });

  it('does not wait for a Retry-After above the cap: throws RateLimitError with retryAfterMs', async () => {
    const { client, sleeps } = testClient({ retryTiming: { maxRetryAfterMs: 10_000 } });
    nock(SANDBOX).get(orgPath).reply(429, {}, { 'Retry-After': '3600' });
    const error = (await client.organizations.get().catch((e: unknown) => e)) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(3_600_000);
    expect(sleeps).toEqual([]);
  });

  it('names the wait when a Retry-After is above the cap, on 503 too, and honours a shorter one as an HTTP date', async () => {
    const { client, sleeps } = testClient();
    nock(SANDBOX).get(orgPath).reply(503, { data: { message: 'Service Unavailable' } }, { 'Retry-After': '3600' });
    const error = (await client.organizations.get().catch((e: unknown) => e)) as InternalServerError;
    expect(error.message).toBe(`503 GET ${orgPath.slice(3)}: Service Unavailable (Retry-After asks for 3600 s, more than retryTiming.maxRetryAfterMs 60 s: not waited for)`);
    expect(error.retryAfterMs).toBe(3_600_000);
    expect(sleeps).toEqual([]);
    // The test clock starts at 1_800_000_000_000 ms (2027-01-15T08:00:00Z): a date 7 s later.
    nock(SANDBOX).get(orgPath).reply(503, {}, { 'Retry-After': new Date(1_800_000_007_000).toUTCString() }).get(orgPath).reply(503, {}, { 'Retry-After': '2' }).get(orgPath).reply(200, okOrg);
    await client.organizations.get();
    expect(sleeps).toEqual([7000, 2000]);
  });

  it('retries 429s within a time budget, not maxRetries, and then names what it waited', async () => {
    const { client, sleeps } = testClient({ maxRetries: 1, retryTiming: { rateLimitBudgetMs: 4000 } });
    nock(SANDBOX).get(orgPath).times(3).reply(429, {}).get(orgPath).reply(200, okOrg);
    await client.organizations.get(); // three 429s with one retry allowed: 429s are not counted
    expect(sleeps).toEqual([500, 1000, 2000]);
    sleeps.length = 0;
    nock(SANDBOX).get(orgPath).times(4).reply(429, { data: { message: 'Too Many Requests' } });
    const error = (await client.organizations.get().catch((e: unknown) => e)) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    // 500 + 1000 + 2000 waited; the fourth wait (4000) would pass the 4 s budget. (The first sleep is the learned spacing.)
    expect(error.message).toMatch(/Too Many Requests \(still refused after 4 429s and 3\.5 s of waiting; retryTiming\.rateLimitBudgetMs is 4 s\)$/);
    expect(sleeps.slice(-3)).toEqual([500, 1000, 2000]);
    // maxRetries: 0 means no retry at all, 429 included.
    nock(SANDBOX).get(orgPath).reply(429, {});
    await expect(client.organizations.get(ORG, { maxRetries: 0 })).rejects.toBeInstanceOf(RateLimitError);
  });

  it('lets waitSignal end a wait between attempts, but not an attempt in flight', async () => {
    const controller = new AbortController();
    const client = new CredlyClient({ organizationId: ORG, authToken: TOKEN }, {
      // A wait that lasts until it is aborted.
      sleep: (_ms, signal) =>
        new Promise((_resolve, reject) => {
          if (signal?.aborted) reject(new CredlyAbortError('aborted by the caller'));
          signal?.addEventListener('abort', () => reject(new CredlyAbortError('aborted by the caller')));
        }),
    });
    nock(SANDBOX).get(orgPath).reply(429, {}, { 'Retry-After': '30' });
    const waiting = client.organizations.get(ORG, { waitSignal: controller.signal });
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(CredlyAbortError);
    client.close();
    // In flight: the answer still arrives after the stop.
    const fresh = new CredlyClient({ organizationId: ORG, authToken: TOKEN });
    const second = new AbortController();
    nock(SANDBOX).get(orgPath).delay(100).reply(200, okOrg);
    const inFlight = fresh.organizations.get(ORG, { waitSignal: second.signal });
    setTimeout(() => second.abort(), 20);
    await expect(inFlight).resolves.toMatchObject({ id: ORG });
    fresh.close();
  });

  it('never retries other 4xx', async () => {
    const { client, sleeps } = testClient();
    nock(SANDBOX).get(orgPath).reply(404, {});
    await expect(client.organizations.get()).rejects.toBeInstanceOf(NotFoundError);
    expect(sleeps).toEqual([]);
  });

  it('calls onRetry with the attempt and delay', async () => {
    const events: Array<{ attempt: number; delayMs: number; name: string }> = [];
    const { client } = testClient({ onRetry: (e) => events.push({ attempt: e.attempt, delayMs: e.delayMs, name: e.error.name }) });
    nock(SANDBOX).get(orgPath).reply(500, {}).get(orgPath).reply(200, okOrg);
    await client.organizations.get();
    expect(events).toEqual([{ attempt: 1, delayMs: 500, name: 'InternalServerError' }]);
  });
});

describe('beforeAttempt: the caller paces every attempt', () => {
  it('runs before every attempt, retries after 429s included, after the client’s own wait, and each attempt goes only once it resolves', async () => {
    const { client, sleeps } = testClient();
    const order: string[] = [];
    const scope = nock(SANDBOX)
      .post(`${orgPath}/badges`)
      .reply(() => {
        order.push('sent 1');
        return [429, { data: { message: 'Too Many Requests' } }, { 'Retry-After': '1' }];
      })
      .post(`${orgPath}/badges`)
      .reply(() => {
        order.push('sent 2');
        return [429, {}, { 'Retry-After': '2' }];
      })
      .post(`${orgPath}/badges`)
      .reply(() => {
        order.push('sent 3');
        return [201, { data: { id: 'b1' }, metadata: {} }];
      });
    const beforeAttempt = vi.fn(async ({ attempt }: BeforeAttempt) => {
      order.push(`slot ${attempt} after ${sleeps.length} waits`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    expect((await client.badges.issue(issue, { beforeAttempt })).id).toBe('b1');
    scope.done();
    expect(order).toEqual(['slot 1 after 0 waits', 'sent 1', 'slot 2 after 1 waits', 'sent 2', 'slot 3 after 2 waits', 'sent 3']);
    expect(beforeAttempt.mock.calls.map(([a]) => [a.method, a.path, a.attempt])).toEqual([1, 2, 3].map((n) => ['POST', `/organizations/${ORG}/badges`, n]));
  });

  it('runs before each page of a list (the look-ups of findExisting)', async () => {
    const { client } = testClient();
    const page = (n: number, next: string | null) => ({ data: [{ id: `b${n}`, state: 'pending' }], metadata: { current_page: n, total_pages: 2, next_page_url: next } });
    nock(SANDBOX)
      .get(`${orgPath}/badges`)
      .query(true)
      .reply(200, page(1, `${SANDBOX}/v1/organizations/${ORG}/badges?page=2`))
      .get(`${orgPath}/badges`)
      .query(true)
      .reply(200, page(2, null));
    const beforeAttempt = vi.fn(async () => undefined);
    const ids: string[] = [];
    for await (const badge of client.badges.list({}, { beforeAttempt })) ids.push(badge.id);
    expect(ids).toEqual(['b1', 'b2']);
    expect(beforeAttempt).toHaveBeenCalledTimes(2);
  });

  it('a rejection ends the call with the caller’s error: nothing is sent and nothing is retried', async () => {
    const { client } = testClient();
    const scope = nock(SANDBOX).get(orgPath).reply(200, okOrg);
    const refusal = new Error('the rate slot could not be taken');
    const beforeAttempt = vi.fn(async () => {
      throw refusal;
    });
    await expect(client.organizations.get(ORG, { beforeAttempt })).rejects.toBe(refusal);
    expect(beforeAttempt).toHaveBeenCalledTimes(1);
    expect(scope.isDone()).toBe(false);
    nock.cleanAll();
  });

  it('a wait in it ended by the waitSignal is a CredlyAbortError, before anything is sent', async () => {
    const { client } = testClient();
    const scope = nock(SANDBOX).get(orgPath).reply(200, okOrg);
    const stop = new AbortController();
    const beforeAttempt = ({ signal }: { signal: AbortSignal | undefined }) =>
      new Promise<void>((_resolve, reject) => {
        signal?.addEventListener('abort', () => reject(signal.reason));
        stop.abort();
      });
    await expect(client.organizations.get(ORG, { waitSignal: stop.signal, beforeAttempt })).rejects.toBeInstanceOf(CredlyAbortError);
    expect(scope.isDone()).toBe(false);
    nock.cleanAll();
  });
});

describe('timeouts and cancellation', () => {
  it('times out an attempt and retries a GET', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { client, sleeps } = testClient({ timeoutMs: 1000 });
    nock(SANDBOX).get(orgPath).delay(5000).reply(200, okOrg).get(orgPath).reply(200, okOrg);
    const pending = client.organizations.get();
    await vi.advanceTimersByTimeAsync(1001);
    expect((await pending).id).toBe(ORG);
    expect(sleeps).toEqual([500]);
  });

  it('does not retry a timed-out POST: it is ambiguous, and the caller reconciles', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { client } = testClient({ timeoutMs: 1000 });
    nock(SANDBOX).post(`${orgPath}/badges`).delay(5000).reply(201, { data: { id: 'b1' }, metadata: {} });
    const pending = client.badges.issue(issue).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1001);
    const error = (await pending) as CredlyTimeoutError;
    expect(error).toBeInstanceOf(CredlyTimeoutError);
    expect(error.message).toBe(`POST /organizations/${ORG}/badges: no response within 1000 ms`);
  });

  it('takes timeoutMs per call', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { client } = testClient({ timeoutMs: 60_000, maxRetries: 0 });
    nock(SANDBOX).get(orgPath).delay(500).reply(200, okOrg);
    const pending = client.organizations.get(ORG, { timeoutMs: 100 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(101);
    expect(await pending).toBeInstanceOf(CredlyTimeoutError);
  });

  it('aborts an attempt in flight with the caller signal, without retrying', async () => {
    const { client, sleeps } = testClient();
    const controller = new AbortController();
    nock(SANDBOX).get(orgPath).delay(2000).reply(200, okOrg);
    const pending = client.organizations.get(ORG, { signal: controller.signal }).catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 10);
    expect(await pending).toBeInstanceOf(CredlyAbortError);
    expect(sleeps).toEqual([]);
  });

  it('refuses to start with an aborted signal', async () => {
    const { client } = testClient();
    await expect(client.organizations.get(ORG, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(CredlyAbortError);
  });

  it('stops waiting between retries when aborted', async () => {
    const controller = new AbortController();
    const { client } = testClient({
      sleep: (_ms, signal) =>
        new Promise((_resolve, reject) => {
          controller.abort();
          signal?.addEventListener('abort', () => reject(new CredlyAbortError('aborted')));
          if (signal?.aborted) reject(new CredlyAbortError('aborted'));
        }),
    });
    nock(SANDBOX).get(orgPath).reply(500, {});
    await expect(client.organizations.get(ORG, { signal: controller.signal })).rejects.toBeInstanceOf(CredlyAbortError);
  });
});

describe('response validation', () => {
  const bad = { data: { id: 42, name: ['not', 'a', 'string'] }, metadata: {} };

  it('warns and returns the data by default', async () => {
    const { client, logs } = testClient();
    nock(SANDBOX).get(orgPath).reply(200, bad);
    expect(await client.organizations.get()).toEqual(bad.data);
    expect(logs.some((l) => l.level === 'warn' && /does not match its schema/.test(l.message))).toBe(true);
  });

  it('throws CredlyValidationError in strict mode', async () => {
    const { client } = testClient({ validateResponses: 'strict' });
    nock(SANDBOX).get(orgPath).reply(200, bad);
    const error = (await client.organizations.get().catch((e: unknown) => e)) as CredlyValidationError;
    expect(error).toBeInstanceOf(CredlyValidationError);
    expect(error.direction).toBe('response');
    expect(error.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['data.id', 'data.name']));
  });

  it('keeps unknown fields and nulls', async () => {
    const { client } = testClient({ validateResponses: 'strict' });
    nock(SANDBOX).get(orgPath).reply(200, { data: { id: ORG, name: null, brand_new_field: { x: 1 } }, metadata: {} });
    expect(await client.organizations.get()).toEqual({ id: ORG, name: null, unknownFields: { brand_new_field: { x: 1 } } });
  });
});
