import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLIENT_DEFAULTS, CredlyClient, CredlyConfigError } from '../../../src/index.js';
import { ORG, TOKEN } from '../../helpers/credly.js';

const make = (credentials: any, options: any = {}) => () => new CredlyClient(credentials, options);

describe('configuration', () => {
  it.each([
    ['no organization id', { authToken: TOKEN }, /organizationId is required/],
    ['a blank organization id', { organizationId: '  ', authToken: TOKEN }, /organizationId is required/],
    ['an organization id with a slash', { organizationId: 'a/b', authToken: TOKEN }, /without "\/"/],
    ['a blank token', { organizationId: ORG, authToken: ' ' }, /authToken is empty.*CREDLY_API_TOKEN/],
    ['no credentials at all', { organizationId: ORG }, /an authToken or oauth credentials are required/],
    ['both token and oauth', { organizationId: ORG, authToken: TOKEN, oauth: { clientId: 'a', clientSecret: 'b' } }, /either authToken or oauth/],
    ['oauth without a secret', { organizationId: ORG, oauth: { clientId: 'a' } }, /oauth needs clientId and clientSecret/],
  ])('refuses %s with a CredlyConfigError that says how to fix it', (_name, credentials, message) => {
    expect(make(credentials)).toThrow(CredlyConfigError);
    expect(make(credentials)).toThrow(message);
  });

  it.each([
    [{ environment: 'staging' }, /environment must be "sandbox" or "production"/],
    [{ baseUrl: 'not a url' }, /baseUrl "not a url" is not a URL/],
    [{ baseUrl: 'ftp://x.example.com' }, /baseUrl must be http\(s\)/],
    [{ timeoutMs: 0 }, /timeoutMs must be more than 0/],
    [{ maxRetries: -1 }, /maxRetries must be a whole number/],
    [{ logLevel: 'loud' }, /logLevel must be one of/],
    [{ validateResponses: 'maybe' }, /validateResponses must be warn, strict or off/],
    [{ retries: 3 }, /unknown option "retries"/],
  ])('refuses bad options %j', (options, message) => {
    expect(make({ organizationId: ORG, authToken: TOKEN }, options)).toThrow(message);
  });

  it('never puts the token in a config error', () => {
    try {
      new CredlyClient({ organizationId: ORG, authToken: TOKEN }, { bogus: 1 } as any);
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(TOKEN);
    }
  });

  it('fills in the defaults', () => {
    const client = new CredlyClient({ organizationId: ORG, authToken: TOKEN });
    expect(client.config).toMatchObject({
      environment: 'sandbox',
      baseUrl: 'https://sandbox-api.credly.com/v1',
      oauthTokenUrl: 'https://sandbox.credly.com/oauth/token',
      timeoutMs: 30_000,
      maxRetries: 2,
      logLevel: 'warn',
      validateResponses: 'warn',
    });
    expect(client.config).not.toHaveProperty('credentials');
  });

  it('uses the www host for the production OAuth token endpoint', () => {
    const client = new CredlyClient({ organizationId: ORG, oauth: { clientId: 'id', clientSecret: 'secret' } }, { environment: 'production' });
    expect(client.config.oauthTokenUrl).toBe('https://www.credly.com/oauth/token');
    expect(client.config.baseUrl).toBe('https://api.credly.com/v1');
  });
});

describe('CredlyClient.fromEnv', () => {
  it('reads CREDLY_* variables, trimming them', () => {
    const client = CredlyClient.fromEnv({
      CREDLY_ORGANIZATION_ID: ` ${ORG} `,
      CREDLY_API_TOKEN: TOKEN,
      CREDLY_ENV: 'production',
      CREDLY_TIMEOUT_MS: '5000',
      CREDLY_MAX_RETRIES: '4',
      CREDLY_LOG: 'debug',
    });
    expect(client.organizationId).toBe(ORG);
    expect(client.config).toMatchObject({ environment: 'production', timeoutMs: 5000, maxRetries: 4, logLevel: 'debug' });
  });

  it('takes the base URL of the fake Credly and OAuth credentials', () => {
    const client = CredlyClient.fromEnv({
      CREDLY_ORG_ID: ORG,
      CREDLY_OAUTH_CLIENT_ID: 'id',
      CREDLY_OAUTH_CLIENT_SECRET: 'secret',
      CREDLY_BASE_URL: 'http://127.0.0.1:4010/v1',
    });
    expect(client.config).toMatchObject({ environment: 'custom', baseUrl: 'http://127.0.0.1:4010/v1', oauthTokenUrl: 'http://127.0.0.1:4010/oauth/token' });
  });

  it('explains what is missing or malformed', () => {
    expect(() => CredlyClient.fromEnv({})).toThrow(/organizationId is required.*CREDLY_ORGANIZATION_ID/);
    expect(() => CredlyClient.fromEnv({ CREDLY_ORGANIZATION_ID: ORG })).toThrow(/CREDLY_API_TOKEN/);
    expect(() => CredlyClient.fromEnv({ CREDLY_ORGANIZATION_ID: ORG, CREDLY_API_TOKEN: TOKEN, CREDLY_ENV: 'prod' })).toThrow(/CREDLY_ENV must be/);
    expect(() => CredlyClient.fromEnv({ CREDLY_ORGANIZATION_ID: ORG, CREDLY_API_TOKEN: TOKEN, CREDLY_MAX_RETRIES: 'two' })).toThrow(/CREDLY_MAX_RETRIES must be a whole number/);
  });

  it('lets code options override the environment', () => {
    const client = CredlyClient.fromEnv({ CREDLY_ORGANIZATION_ID: ORG, CREDLY_API_TOKEN: TOKEN, CREDLY_MAX_RETRIES: '4' }, { maxRetries: 0 });
    expect(client.config.maxRetries).toBe(0);
  });
});

describe('docs/credly-client.md', () => {
  it("has a configuration table whose defaults are the code's", () => {
    const doc = readFileSync(new URL('../../../docs/credly-client.md', import.meta.url), 'utf8');
    const rows = new Map<string, string>();
    for (const line of doc.split('\n')) {
      const cells = line.replace(/\\\|/g, '¦').split('|').map((c) => c.trim());
      if (cells.length > 4 && /^`\w+`$/.test(cells[1] ?? '')) rows.set(cells[1]!.slice(1, -1), cells[3]!);
    }
    const expected: Record<string, string> = {
      environment: `\`'${CLIENT_DEFAULTS.environment}'\``,
      timeoutMs: `\`${CLIENT_DEFAULTS.timeoutMs}\``,
      maxRetries: `\`${CLIENT_DEFAULTS.maxRetries}\``,
      logLevel: `\`'${CLIENT_DEFAULTS.logLevel}'\``,
      validateResponses: `\`'${CLIENT_DEFAULTS.validateResponses}'\``,
      maxSockets: `\`${CLIENT_DEFAULTS.maxSockets}\``,
      retryTiming: `\`${JSON.stringify(CLIENT_DEFAULTS.retryTiming).replace(/"/g, '').replace(/,/g, ', ').replace(/:/g, ': ')}\``,
    };
    for (const [option, value] of Object.entries(expected)) expect(rows.get(option), option).toBe(value);
  });
});
