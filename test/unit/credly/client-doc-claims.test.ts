// Claims of docs/credly-client.md that no other test asserted (or asserted in a way that could not fail).
import { inspect } from 'node:util';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, type CredlyApiError, CredlyClient, PermissionDeniedError, UnprocessableEntityError } from '../../../src/index.js';
import { ORG, SANDBOX, testClient, TOKEN } from '../../helpers/credly.js';

const orgPath = `/v1/organizations/${ORG}`;
const okOrg = { data: { id: ORG, name: 'State University' }, metadata: {} };
const SECRET = 'shh-very-secret-7f3a';
const oauth = { organizationId: ORG, oauth: { clientId: 'client-abc', clientSecret: SECRET } };

/** Every way an error can be printed or serialised. */
const printed = (error: unknown) => {
  const e = error as Error;
  return [e.message, e.stack ?? '', JSON.stringify(e), inspect(e, { depth: 10, showHidden: true })].join('\n');
};

describe('secrets never appear in errors, even when a server echoes them', () => {
  it('an OAuth token endpoint that echoes the client secret in its refusal', async () => {
    for (const body of [
      { error: 'invalid_client', error_description: `Client authentication failed for secret ${SECRET}` },
      { data: { message: `bad client_secret=${SECRET}` } },
    ]) {
      const { client, logs } = testClient({ maxRetries: 0 }, oauth);
      nock('https://sandbox.credly.com').post('/oauth/token').reply(401, body);
      const error = await client.organizations.get().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as Error).message).toMatch(/^401 POST \/oauth\/token: .*\[REDACTED\]/);
      expect(printed(error)).not.toContain(SECRET);
      expect(JSON.stringify(logs)).not.toContain(SECRET);
    }
  });

  it('a response header that echoes the token (raw or as Basic auth) stays out of the error and its inspection', async () => {
    const basic = Buffer.from(`${TOKEN}:`).toString('base64');
    const { client } = testClient({ maxRetries: 0 });
    nock(SANDBOX).get(orgPath).reply(403, { data: { message: 'Forbidden' } }, { 'X-Echo-Authorization': `Basic ${basic}`, 'X-Request-Id': `req-${TOKEN}` });
    const error = (await client.organizations.get().catch((e: unknown) => e)) as PermissionDeniedError;
    expect(error).toBeInstanceOf(PermissionDeniedError);
    const text = printed(error);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(basic);
    expect(error.headers['x-echo-authorization']).toBe('Basic [REDACTED]');
  });

  it('an API that echoes the OAuth access token in an error body', async () => {
    const { client } = testClient({ maxRetries: 0 }, oauth);
    nock('https://sandbox.credly.com').post('/oauth/token').reply(200, { access_token: 'access-echoed-42', expires_in: 3600 });
    nock(SANDBOX).get(orgPath).reply(403, { data: { message: 'token access-echoed-42 is read-only' } });
    const error = await client.organizations.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(printed(error)).not.toContain('access-echoed-42');
  });
});

describe('OAuth client credentials (the parts docs/credly-client.md states)', () => {
  it('sends scope in the form when given', async () => {
    const { client } = testClient({}, { organizationId: ORG, oauth: { clientId: 'client-abc', clientSecret: SECRET, scope: 'badges:write' } });
    const token = nock('https://sandbox.credly.com')
      .post('/oauth/token', (body) => body.grant_type === 'client_credentials' && body.scope === 'badges:write')
      .reply(200, { access_token: 'access-1', expires_in: 3600 });
    nock(SANDBOX).get(orgPath).reply(200, okOrg);
    await client.organizations.get();
    token.done();
  });

  it('keeps a token without expires_in for an hour, refreshing it a minute before', async () => {
    let now = 0;
    const { client } = testClient({ now: () => now }, oauth);
    const token = nock('https://sandbox.credly.com')
      .post('/oauth/token').reply(200, { access_token: 'access-1' })
      .post('/oauth/token').reply(200, { access_token: 'access-2' });
    nock(SANDBOX, { reqheaders: { authorization: 'Bearer access-1' } }).get(orgPath).times(2).reply(200, okOrg);
    nock(SANDBOX, { reqheaders: { authorization: 'Bearer access-2' } }).get(orgPath).reply(200, okOrg);
    await client.organizations.get();
    now = 3_600_000 - 60_000 - 1; // still cached
    await client.organizations.get();
    now = 3_600_000 - 60_000; // a minute before the hour ends
    await client.organizations.get();
    token.done();
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('refreshes a short-lived token at 90 % of its life when that comes before the minute\'s margin', async () => {
    let now = 0;
    const { client } = testClient({ now: () => now }, oauth);
    const token = nock('https://sandbox.credly.com')
      .post('/oauth/token').reply(200, { access_token: 'access-1', expires_in: 300 })
      .post('/oauth/token').reply(200, { access_token: 'access-2', expires_in: 300 });
    nock(SANDBOX, { reqheaders: { authorization: 'Bearer access-1' } }).get(orgPath).times(2).reply(200, okOrg);
    nock(SANDBOX, { reqheaders: { authorization: 'Bearer access-2' } }).get(orgPath).reply(200, okOrg);
    await client.organizations.get();
    now = 269_999;
    await client.organizations.get();
    now = 270_000;
    await client.organizations.get();
    token.done();
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('maps the legacy youracclaim.com API hosts to their www token host', () => {
    for (const [baseUrl, tokenUrl] of [
      ['https://api.youracclaim.com/v1', 'https://www.youracclaim.com/oauth/token'],
      ['https://sandbox-api.youracclaim.com/v1', 'https://sandbox.youracclaim.com/oauth/token'],
      ['https://credly-proxy.example.edu/v1', 'https://credly-proxy.example.edu/oauth/token'],
    ] as const) {
      expect(new CredlyClient(oauth, { baseUrl }).config.oauthTokenUrl).toBe(tokenUrl);
    }
  });
});

describe('fromEnv (the variables docs/credly-client.md lists)', () => {
  it('reads CREDLY_AUTH_TOKEN as the token, and prefers a token over OAuth variables', async () => {
    const env = { CREDLY_ORGANIZATION_ID: ORG, CREDLY_AUTH_TOKEN: TOKEN, CREDLY_OAUTH_CLIENT_ID: 'id', CREDLY_OAUTH_CLIENT_SECRET: SECRET };
    const client = CredlyClient.fromEnv(env, { maxRetries: 0 });
    const scope = nock(SANDBOX, { reqheaders: { authorization: `Basic ${Buffer.from(`${TOKEN}:`).toString('base64')}` } }).get(orgPath).reply(200, okOrg);
    await client.organizations.get();
    scope.done();
    client.close();
  });
});

describe('proxy variables fromEnv reads (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY, upper or lower case)', () => {
  const base = { CREDLY_ORGANIZATION_ID: ORG, CREDLY_API_TOKEN: TOKEN };
  const proxyOf = (env: Record<string, string>) => {
    const client = CredlyClient.fromEnv({ ...base, ...env });
    client.close();
    return client.config.proxy ? { url: client.config.proxy.url.href, noProxy: client.config.proxy.noProxy } : undefined;
  };

  it('takes ALL_PROXY (or all_proxy) for either scheme, after the scheme\'s own variable', () => {
    expect(proxyOf({ all_proxy: 'http://all.campus.edu:3128', no_proxy: 'localhost,.campus.edu' })).toEqual({ url: 'http://all.campus.edu:3128/', noProxy: ['localhost', '.campus.edu'] });
    expect(proxyOf({ ALL_PROXY: 'http://all.campus.edu:3128', CREDLY_BASE_URL: 'http://127.0.0.1:4010/v1' })?.url).toBe('http://all.campus.edu:3128/');
    expect(proxyOf({ ALL_PROXY: 'http://all.campus.edu:3128', https_proxy: 'http://tls.campus.edu:3128' })?.url).toBe('http://tls.campus.edu:3128/');
  });

  it('does not use HTTP_PROXY for an https base URL, and has no proxy without the variables', () => {
    expect(proxyOf({ HTTP_PROXY: 'http://plain.campus.edu:3128' })).toBeUndefined();
    expect(proxyOf({})).toBeUndefined();
  });
});

describe('logging', () => {
  it('at debug, logs every attempt with method, path, status, duration and request id', async () => {
    const { client, logs } = testClient({ logLevel: 'debug', retryTiming: { baseDelayMs: 1 } });
    nock(SANDBOX).get(orgPath).reply(503, {}, { 'X-Request-Id': 'req-1' }).get(orgPath).reply(200, okOrg, { 'X-Request-Id': 'req-2' });
    await client.organizations.get();
    const debug = logs.filter((l) => l.level === 'debug');
    expect(debug.map((l) => l.message)).toEqual([`GET /organizations/${ORG} → 503 in 0 ms`, `GET /organizations/${ORG} → 200 in 0 ms`]);
    expect(debug.map((l) => l.meta)).toEqual([
      { attempt: 1, status: 503, requestId: 'req-1' },
      { attempt: 2, status: 200, requestId: 'req-2' },
    ]);
  });

  it('logs every retry at info, and drops lines below logLevel', async () => {
    const run = async (logLevel: 'info' | 'warn' | 'off') => {
      const { client, logs } = testClient({ logLevel, validateResponses: 'warn' });
      nock(SANDBOX).get(orgPath).reply(500, { data: { message: 'boom' } }).get(orgPath).reply(200, { data: { id: 42 }, metadata: {} });
      await client.organizations.get();
      return logs;
    };
    const info = await run('info');
    expect(info.map((l) => l.level)).toEqual(['info', 'warn']);
    expect(info[0]!.message).toBe(`retrying GET /organizations/${ORG} in 500 ms (attempt 1 failed: 500 GET /organizations/${ORG}: boom)`);
    expect(info[1]!.message).toMatch(/does not match its schema/);
    expect((await run('warn')).map((l) => l.level)).toEqual(['warn']);
    expect(await run('off')).toEqual([]);
  });
});

describe('error messages', () => {
  it('joins a list of data.message with "; ", and reads an errors[] array', async () => {
    const { client } = testClient({ maxRetries: 0 });
    nock(SANDBOX).get(orgPath).reply(422, { data: { message: ['Name is too long', 'Skills are missing'] }, metadata: null });
    expect(((await client.organizations.get().catch((e: unknown) => e)) as Error).message).toBe(`422 GET /organizations/${ORG}: Name is too long; Skills are missing`);
    nock(SANDBOX).get(orgPath).reply(422, { errors: [{ message: 'Recipient email is invalid' }, 'Issued at is missing'] });
    const error = (await client.organizations.get().catch((e: unknown) => e)) as CredlyApiError;
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect(error.serverMessage).toBe('Recipient email is invalid; Issued at is missing');
  });
});
