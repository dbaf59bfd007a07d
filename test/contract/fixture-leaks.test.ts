import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scrubDefinitions, PLACEHOLDER_ORG } from '../../scripts/fixtures/scrub.mjs';

const root = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.json') ? [path] : [];
  });

const SAFE_EMAIL = /@example\.(com|edu|org)$/i;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

describe('fixtures hold no secret and no real-looking email', () => {
  const all = files(root);

  it('finds the fixtures', () => {
    expect(all.length).toBeGreaterThan(20);
  });

  it.each(all.map((path) => [path.slice(root.length), path]))('%s', (_name, path) => {
    const text = readFileSync(path, 'utf8');
    const emails = (text.match(EMAIL) ?? []).filter((email) => !SAFE_EMAIL.test(email));
    expect(emails, 'emails outside example.com/.edu/.org').toEqual([]);
    expect(text).not.toMatch(/"authorization"|Basic [A-Za-z0-9+/=]{8,}|Bearer [A-Za-z0-9._-]{8,}/i);
    expect(text).not.toMatch(/"(access_token|client_secret|auth_token|api_token)"\s*:\s*"(?!REDACTED)/);
    expect(text).not.toMatch(/"reqheaders"/);
  });
});

describe('the recording scrubber', () => {
  const token = 'live_tok_9b8a7c6d5e4f';
  const org = '11111111-2222-4333-8444-555555555555';
  const recorded = [
    {
      scope: 'https://sandbox-api.credly.com:443',
      method: 'GET',
      path: `/v1/organizations/${org}/badges?page=1`,
      status: 200,
      reqheaders: { authorization: `Basic ${Buffer.from(`${token}:`).toString('base64')}` },
      rawHeaders: ['Date', 'Mon, 01 Jan 2026 00:00:00 GMT', 'Content-Type', 'application/json', 'Set-Cookie', 'session=abc', 'X-Request-Id', 'r1'],
      response: {
        data: [
          { id: 'b1', recipient_email: 'Real.Person@campus.edu', issued_to: 'Real Person', issued_to_first_name: 'Real', user: { email: 'real.person@campus.edu', first_name: 'Real', last_name: 'Person' }, note: `token ${token}` },
          { id: 'b2', recipient_email: 'other@gmail.com', issued_to_first_name: 'Other', owner: { id: org } },
        ],
        metadata: { next_page_url: `https://sandbox-api.credly.com/v1/organizations/${org}/badges?page=2` },
      },
    },
  ];

  it('replaces emails consistently, names, the organization id and the token, and drops volatile headers', () => {
    const clean = scrubDefinitions(recorded, { secrets: [token], organizationId: org })[0]!;
    const text = JSON.stringify(clean);
    expect(text).not.toContain(token);
    expect(text).not.toContain(org);
    expect(text).not.toMatch(/campus\.edu|gmail|Real|Person/);
    expect(clean.reqheaders).toBeUndefined();
    expect(clean.rawHeaders).toEqual(['Content-Type', 'application/json']);
    expect(clean.path).toBe(`/v1/organizations/${PLACEHOLDER_ORG}/badges?page=1`);
    expect(clean.response.data[0].recipient_email).toBe('learner1@example.edu');
    expect(clean.response.data[0].user.email).toBe('learner1@example.edu');
    expect(clean.response.data[1].recipient_email).toBe('learner2@example.edu');
    expect(clean.response.data[0].issued_to_first_name).toBe(clean.response.data[0].user.first_name);
  });
});
