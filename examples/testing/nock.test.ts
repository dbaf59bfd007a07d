// Testing with nock: script exactly what Credly answers, offline.
import nock from 'nock';
import { afterEach, expect, it } from 'vitest';
import { CredlyClient, RateLimitError } from 'credly-microcredentials';

const organizationId = '7d3f2a10-4c5b-4e6f-8a9b-0c1d2e3f4a5b';
const credly = new CredlyClient({ organizationId, authToken: 'test-token' }, { retryTiming: { baseDelayMs: 1 }, maxRetries: 1 });

afterEach(() => nock.cleanAll());

it('lists active templates (sandbox host by default)', async () => {
  const scope = nock('https://sandbox-api.credly.com')
    .get(`/v1/organizations/${organizationId}/badge_templates`)
    .query({ filter: 'state::active', page: '1' })
    .reply(200, {
      data: [{ id: 't1', name: 'Coding in SQL', state: 'active' }],
      metadata: { count: 1, current_page: 1, total_count: 1, total_pages: 1, per: 50, previous_page_url: null, next_page_url: null },
    });
  const names = [];
  for await (const template of credly.badgeTemplates.list({ filter: { state: 'active' } })) names.push(template.name);
  expect(names).toEqual(['Coding in SQL']);
  scope.done();
});

it('gives up on a long Retry-After with a RateLimitError the caller can schedule around', async () => {
  nock('https://sandbox-api.credly.com').get(`/v1/organizations/${organizationId}`).reply(429, { data: { message: 'Too Many Requests' } }, { 'Retry-After': '3600' });
  const error = await credly.organizations.get().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RateLimitError);
  expect((error as RateLimitError).retryAfterMs).toBe(3_600_000);
});
