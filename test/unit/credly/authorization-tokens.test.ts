import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { CredlyApiError, CredlyClient } from '../../../src/index.js';
import { startFakeCredly } from '../../../src/testing/index.js';
import { ORG, SANDBOX, TOKEN, testClient } from '../../helpers/credly.js';

const DAY = 24 * 60 * 60 * 1000;

describe('authorization tokens and their expiry', () => {
  it('lists the tokens without their secret values, and finds when the client’s own expires', async () => {
    const expiresAt = new Date(Date.now() + 20.5 * DAY).toISOString();
    const fake = await startFakeCredly({ tokens: [{ token: 'own-token', expiresAt }, { token: 'other-token' }] });
    const client = new CredlyClient({ organizationId: fake.organizationId, authToken: 'own-token' }, { baseUrl: fake.baseUrl, maxRetries: 0 });
    try {
      const tokens = await client.authorizationTokens.list();
      expect(tokens).toHaveLength(2);
      expect(JSON.stringify(tokens)).not.toContain('own-token');
      expect(JSON.stringify(tokens)).not.toContain('other-token');
      expect(tokens.map((t) => t.current)).toEqual([true, false]);
      const expiry = await client.authorizationTokens.expiry(new Date());
      expect(expiry).toEqual({ status: 'token', expiresAt: new Date(expiresAt), daysLeft: 20 });
    } finally {
      client.close();
      await fake.stop();
    }
  });

  it('plays both documented responses: without expires_at (older docs) the expiry is unknown, not an error', async () => {
    const fake = await startFakeCredly({ tokens: [{ token: 'own-token', expiresAt: null }] });
    const client = new CredlyClient({ organizationId: fake.organizationId, authToken: 'own-token' }, { baseUrl: fake.baseUrl, maxRetries: 0 });
    try {
      expect(await client.authorizationTokens.expiry()).toEqual({ status: 'token', expiresAt: null, daysLeft: null });
    } finally {
      client.close();
      await fake.stop();
    }
  });

  it('a list that does not show the client’s token is "unidentified"; OAuth clients have no token to expire', async () => {
    const { client } = testClient();
    nock(SANDBOX).get(`/v1/organizations/${ORG}/authorization_tokens`).query({ page: '1' }).reply(200, { data: [{ id: 't1', token: 'someone-else', expires_at: '2030-01-01T00:00:00Z' }], metadata: { total_pages: 1, current_page: 1 } });
    expect((await client.authorizationTokens.expiry()).status).toBe('unidentified');
    const oauth = new CredlyClient({ organizationId: ORG, oauth: { clientId: 'id', clientSecret: 'secret' } });
    expect(await oauth.authorizationTokens.expiry()).toEqual({ status: 'oauth', expiresAt: null, daysLeft: null });
    oauth.close();
  });
});

describe('a response that echoes the request', () => {
  it('never carries the token into the error message, body or JSON', async () => {
    const { client } = testClient({ maxRetries: 0 });
    const basic = Buffer.from(`${TOKEN}:`).toString('base64');
    nock(SANDBOX)
      .get(`/v1/organizations/${ORG}`)
      .reply(400, { data: { message: `bad request; you sent Authorization: Basic ${basic} (token ${TOKEN})` }, request: { headers: { authorization: `Basic ${basic}` }, token: TOKEN } });
    const error = (await client.organizations.get().catch((e: unknown) => e)) as CredlyApiError;
    expect(error).toBeInstanceOf(CredlyApiError);
    const everything = `${error.message} ${JSON.stringify(error.body)} ${JSON.stringify(error.toJSON())} ${error.stack}`;
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(basic);
    expect(error.serverMessage).toContain('[REDACTED]');
  });
});
