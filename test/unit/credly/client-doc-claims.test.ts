// Claims of docs/credly-client.md that no other test asserted (or asserted in a way that could not fail).
import { inspect } from 'node:util';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, PermissionDeniedError } from '../../../src/index.js';
import { ORG, SANDBOX, testClient, TOKEN } from '../../helpers/credly.js';

const orgPath = `/v1/organizations/${ORG}`;
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
});
