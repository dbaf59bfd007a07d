import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { AuthenticationError } from '../../../src/index.js';
import { ORG, testClient } from '../../helpers/credly.js';

const orgPath = `/v1/organizations/${ORG}`;
const okOrg = { data: { id: ORG }, metadata: {} };
const credentials = { organizationId: ORG, oauth: { clientId: 'client-abc', clientSecret: 'shh-very-secret-7f3a' } };

describe('OAuth client credentials', () => {
  it('gets a token from the www host, caches it, and sends it as a Bearer token', async () => {
    let now = 0;
    const { client } = testClient({ now: () => now }, credentials);
    const token = nock('https://sandbox.credly.com')
      .post('/oauth/token', (body) => body.grant_type === 'client_credentials' && body.client_id === 'client-abc' && body.client_secret === 'shh-very-secret-7f3a')
      .reply(200, { access_token: 'access-1', token_type: 'bearer', expires_in: 7200 });
    const api = nock('https://sandbox-api.credly.com', { reqheaders: { authorization: 'Bearer access-1' } }).get(orgPath).times(2).reply(200, okOrg);
    await client.organizations.get();
    now = 60_000;
    await client.organizations.get();
    token.done();
    api.done();
  });

  it('keeps the token on Credly\'s www host when baseUrl names Credly\'s API host, and on tokenUrl when given', async () => {
    for (const [baseUrl, tokenHost] of [['https://api.credly.com/v1', 'https://www.credly.com'], ['https://sandbox-api.credly.com/v1/', 'https://sandbox.credly.com']] as const) {
      const { client } = testClient({ baseUrl }, credentials);
      const token = nock(tokenHost).post('/oauth/token').reply(200, { access_token: 'access-1', expires_in: 600 });
      const api = nock(new URL(baseUrl).origin, { reqheaders: { authorization: 'Bearer access-1' } }).get(orgPath).reply(200, okOrg);
      await client.organizations.get();
      token.done();
      api.done();
    }
    const { client } = testClient({ baseUrl: 'https://api.credly.com/v1' }, { ...credentials, oauth: { ...credentials.oauth, tokenUrl: 'https://auth.example.edu/credly/token' } });
    const token = nock('https://auth.example.edu').post('/credly/token').reply(200, { access_token: 'access-2', expires_in: 600 });
    nock('https://api.credly.com', { reqheaders: { authorization: 'Bearer access-2' } }).get(orgPath).reply(200, okOrg);
    await client.organizations.get();
    token.done();
  });

  it('refreshes before expiry', async () => {
    let now = 0;
    const { client } = testClient({ now: () => now }, credentials);
    nock('https://sandbox.credly.com').post('/oauth/token').reply(200, { access_token: 'access-1', expires_in: 600 }).post('/oauth/token').reply(200, { access_token: 'access-2', expires_in: 600 });
    nock('https://sandbox-api.credly.com', { reqheaders: { authorization: 'Bearer access-1' } }).get(orgPath).reply(200, okOrg);
    nock('https://sandbox-api.credly.com', { reqheaders: { authorization: 'Bearer access-2' } }).get(orgPath).reply(200, okOrg);
    await client.organizations.get();
    now = 541_000; // past 600 s less the 60 s margin
    await client.organizations.get();
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('reads the data.token shape one real client saw', async () => {
    const { client } = testClient({}, credentials);
    nock('https://sandbox.credly.com').post('/oauth/token').reply(200, { data: { token: 'access-x' } });
    nock('https://sandbox-api.credly.com', { reqheaders: { authorization: 'Bearer access-x' } }).get(orgPath).reply(200, okOrg);
    await client.organizations.get();
  });

  it('fetches one token for concurrent requests', async () => {
    const { client } = testClient({}, credentials);
    const token = nock('https://sandbox.credly.com').post('/oauth/token').once().reply(200, { access_token: 'access-1', expires_in: 3600 });
    nock('https://sandbox-api.credly.com').get(orgPath).times(5).reply(200, okOrg);
    await Promise.all(Array.from({ length: 5 }, () => client.organizations.get()));
    token.done();
  });

  it('refreshes once after a 401, without spending a retry', async () => {
    const { client, sleeps } = testClient({ maxRetries: 0 }, credentials);
    nock('https://sandbox.credly.com').post('/oauth/token').reply(200, { access_token: 'stale' }).post('/oauth/token').reply(200, { access_token: 'fresh' });
    nock('https://sandbox-api.credly.com', { reqheaders: { authorization: 'Bearer stale' } }).get(orgPath).reply(401, { data: { message: 'Unauthorized' } });
    nock('https://sandbox-api.credly.com', { reqheaders: { authorization: 'Bearer fresh' } }).get(orgPath).reply(200, okOrg);
    expect((await client.organizations.get()).id).toBe(ORG);
    expect(sleeps).toEqual([]);
  });

  it('gives up after the second 401 and never shows the secret', async () => {
    const { client, logs } = testClient({}, credentials);
    nock('https://sandbox.credly.com').post('/oauth/token').times(2).reply(200, { access_token: 'access-1' });
    nock('https://sandbox-api.credly.com').get(orgPath).times(2).reply(401, { data: { message: 'Unauthorized' } });
    const error = await client.organizations.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    const text = JSON.stringify({ error, message: (error as Error).message, stack: (error as Error).stack, logs });
    expect(text).not.toContain('shh-very-secret-7f3a');
    expect(text).not.toContain('access-1');
  });

  it('maps a refused token request to AuthenticationError', async () => {
    const { client } = testClient({ maxRetries: 0 }, credentials);
    nock('https://sandbox.credly.com').post('/oauth/token').reply(401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    const error = await client.organizations.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toBe('401 POST /oauth/token: Client authentication failed');
  });
});
