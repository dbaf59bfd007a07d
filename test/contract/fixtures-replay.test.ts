import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  BadgeAlreadyIssuedError,
  InternalServerError,
  NotFoundError,
  UnprocessableEntityError,
} from '../../src/index.js';
import { BADGE_ID, DOCUMENTED_ISSUE, ORG, replay, TEMPLATE_ID, testClient } from '../helpers/credly.js';

// Every fixture is replayed with strict response validation: the client must parse every shape.
const strict = () => testClient({ validateResponses: 'strict' });

const ISSUE = DOCUMENTED_ISSUE;

describe('replaying fixtures/credly (lockdown)', () => {
  it('organizations-list and organization-get', async () => {
    const { client } = strict();
    await replay('organizations-list', async () => {
      const page = await client.organizations.list();
      expect(page.data.map((o) => o.id)).toEqual([ORG]);
      expect(page.hasNextPage()).toBe(false);
    });
    await replay('organization-get', async () => {
      const org = await client.organizations.get();
      expect(org.webhook_url).toBe('https://hooks.example.edu/credly');
      expect(org.unknownFields.technical_contact_email).toBe('it-help@example.edu'); // unknown keys kept, under unknownFields
      expect(org).not.toHaveProperty('technical_contact_email');
    });
  });

  it('badge-templates-list-two-pages: iterates 53 templates over page=1 and page=2', async () => {
    const { client } = strict();
    await replay('badge-templates-list-two-pages', async () => {
      const names: string[] = [];
      for await (const template of client.badgeTemplates.list({ filter: { state: 'active' }, sort: 'name' })) names.push(template.name ?? '');
      expect(names).toHaveLength(53);
      expect(names[52]).toBe('Microcredential 53');
    });
  });

  it('badge-templates-list-sandbox-nulls: parses the null-heavy sandbox shape', async () => {
    const { client } = strict();
    await replay('badge-templates-list-sandbox-nulls', async () => {
      const page = await client.badgeTemplates.list();
      expect(page.data).toHaveLength(2);
      expect(page.data[0]).toMatchObject({ cost: null, level: null, time_to_earn: null, type_category: null, unknownFields: expect.objectContaining({ template_type: null }) });
      expect(page.data[0]?.badge_template_activities?.[0]?.activity_type).toBe('Application');
    });
  });

  it('badge-template-get and the Badge-activity variant', async () => {
    const { client } = strict();
    await replay('badge-template-get', async () => {
      const template = await client.badgeTemplates.get(TEMPLATE_ID);
      expect(template).toMatchObject({ name: 'Coding in SQL', state: 'active', skills: ['SQL', 'Data Analysis', 'Relational Databases'] });
    });
    await replay('badge-template-get-badge-activity', async () => {
      const template = await client.badgeTemplates.get('b7e00002-1111-4222-8333-000000000002');
      expect(template.badge_template_activities?.[0]).toMatchObject({ activity_type: 'Badge', required_badge_template_id: TEMPLATE_ID });
    });
  });

  it('badge-template-create sends the documented fields and reads the 201', async () => {
    const { client } = strict();
    await replay('badge-template-create', async () => {
      const created = await client.badgeTemplates.create({
        name: 'Geospatial Data Analysis',
        description: 'The earner can acquire and clean spatial data, run overlay and hot-spot analyses, and design maps.',
        image: { remote_upload_url: 'https://images.example.edu/badges/geospatial-data-analysis.png' },
        skills: ['Geographic Information Systems', 'Spatial Analysis', 'Python'],
        global_activity_url: 'https://www.example.edu/microcredentials/geospatial-data-analysis',
        badge_template_activities: [{ activity_type: 'Course', title: 'GEOG 260', activity_url: 'https://www.example.edu/courses/geog-260' }],
        level: 'Intermediate',
        type_category: 'Learning',
      });
      expect(created).toMatchObject({ name: 'Geospatial Data Analysis', state: 'draft', unknownFields: expect.objectContaining({ default_expires_at: null }) });
    });
  });

  it('badge-issue: 201 pending with accept_badge_url', async () => {
    const { client } = strict();
    await replay('badge-issue', async () => {
      const badge = await client.badges.issue(ISSUE);
      expect(badge).toMatchObject({ id: BADGE_ID, state: 'pending', issuer_earner_id: 'S100001' });
      expect(badge.accept_badge_url).toMatch(/\/accept$/);
    });
  });

  it('badge-issue-duplicate: 422 "already has this badge" is BadgeAlreadyIssuedError', async () => {
    const { client, sleeps } = strict();
    await replay('badge-issue-duplicate', async () => {
      const error = await client.badges.issue(ISSUE).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadgeAlreadyIssuedError);
      expect(error).toBeInstanceOf(UnprocessableEntityError);
      expect((error as Error).message).toBe(`422 POST /organizations/${ORG}/badges: User already has this badge`);
    });
    expect(sleeps).toEqual([]);
  });

  it('error-422-archived-template is a plain validation 422', async () => {
    const { client } = strict();
    await replay('error-422-archived-template', async () => {
      const error = await client.badges.issue(ISSUE).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnprocessableEntityError);
      expect(error).not.toBeInstanceOf(BadgeAlreadyIssuedError);
    });
  });

  it('badges-list-by-earner and findExisting', async () => {
    const { client } = strict();
    await replay('badges-list-by-earner', async () => {
      const found = await client.badges.findExisting(TEMPLATE_ID, { issuerEarnerId: 'S100001' });
      expect(found).toMatchObject({ id: BADGE_ID, state: 'accepted' });
      expect(found?.evidence?.[0]).toMatchObject({ type: 'UrlEvidence', value: 'https://www.example.edu/evidence/s100001' });
    });
  });

  it('badges-list-id-evidence: middle name, country_code and IdEvidence', async () => {
    const { client } = strict();
    await replay('badges-list-id-evidence', async () => {
      const page = await client.badges.list({ filter: { recipient_email: 'learner2@example.edu' } });
      expect(page.data[0]).toMatchObject({ issued_to_middle_name: 'Q.', country_code: 'US' });
      expect(page.data[0]?.evidence?.[0]).toMatchObject({ type: 'IdEvidence', name: 'License number' });
    });
  });

  it('badges-batch-issue and its error_index', async () => {
    const { client } = strict();
    const item = (n: number) => ({
      recipient_email: `learner${n}@example.edu`,
      badge_template_id: TEMPLATE_ID,
      issued_to_first_name: 'Jordan',
      issued_to_last_name: `Learner${n}`,
      issued_at: '2026-03-02 09:00:00 -0500',
      issuer_earner_id: `S${100000 + n}`,
    });
    await replay('badges-batch-issue', async () => {
      const badges = await client.badges.issueBatch({ badges: [item(4), item(5)] });
      expect(badges.map((b) => b.recipient_email)).toEqual(['learner4@example.edu', 'learner5@example.edu']);
    });
    await replay('badges-batch-issue-error-index', async () => {
      const error = await client.badges.issueBatch({ badges: [item(4), item(1)] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadgeAlreadyIssuedError);
      expect((error as UnprocessableEntityError).errorIndex).toBe(1);
    });
  });

  it('badge-revoke, badge-replace, badge-delete', async () => {
    const { client } = strict();
    await replay('badge-revoke', async () => {
      const badge = await client.badges.revoke(BADGE_ID, { reason: 'Issued to the wrong learner', suppress_revoke_notification_email: true });
      expect(badge).toMatchObject({ state: 'revoked', revocation_reason: 'Issued to the wrong learner' });
    });
    await replay('badge-replace', async () => {
      const badge = await client.badges.replace(BADGE_ID, {
        badge_template_id: TEMPLATE_ID,
        issued_at: '2027-03-02 09:00:00 -0500',
        expires_at: false,
        evidence: [{ type: 'UrlEvidence', name: 'Re-certification', value: 'https://www.example.edu/evidence/recert' }],
      });
      expect(badge.replaces_badge_id).toBe(BADGE_ID);
    });
    await replay('badge-delete', async () => {
      await expect(client.badges.delete(BADGE_ID)).resolves.toBeUndefined();
    });
  });

  it('badges-high-volume-search: follows the cursor and re-applies the filter', async () => {
    const { client } = strict();
    await replay('badges-high-volume-search', async () => {
      const ids: string[] = [];
      for await (const badge of client.badges.highVolumeSearch({ filter: { state: 'accepted' } })) ids.push(badge.id);
      expect(ids).toHaveLength(3);
    });
  });

  it('events-list and event-get', async () => {
    const { client } = strict();
    await replay('events-list', async () => {
      const page = await client.events.list();
      expect(page.data.map((e) => e.event_type)).toEqual(['badge.created', 'badge_template.changed']);
      expect(page.data[1]?.badge_template?.state).toBe('archived');
    });
    await replay('event-get', async () => {
      const event = await client.events.get('9e000001-1111-4222-8333-000000000001');
      expect(event.badge?.id).toBe(BADGE_ID);
    });
  });

  it('obi endpoints return bare JSON-LD', async () => {
    const { client } = strict();
    await replay('obi-badge-assertion', async () => {
      const assertion = await client.obi.badgeAssertion(BADGE_ID);
      expect(assertion.recipient?.identity).toMatch(/^sha256\$/);
    });
    await replay('obi-badge-class', async () => {
      expect((await client.obi.badgeClass(TEMPLATE_ID)).tags).toEqual(['SQL', 'Data Analysis', 'Relational Databases']);
    });
    await replay('obi-issuer', async () => {
      expect((await client.obi.issuer(ORG)).name).toBe('State University Office of Microcredentials');
    });
  });

  it('error fixtures map to typed errors, and retryable ones are retried', async () => {
    const { client, sleeps } = strict();
    await replay('error-401', async () => {
      await expect(client.organizations.get()).rejects.toBeInstanceOf(AuthenticationError);
    });
    await replay('error-404-template', async () => {
      await expect(client.badgeTemplates.get('b7e00099-1111-4222-8333-000000000099')).rejects.toBeInstanceOf(NotFoundError);
    });
    await replay('error-429-then-ok', async () => {
      expect((await client.events.list()).data).toEqual([]);
    });
    expect(sleeps).toEqual([1000]);
    await replay('error-502-html-then-ok', async () => {
      expect((await client.organizations.get()).id).toBe(ORG);
    });
    // The 429 taught the client to space its requests (100 ms) before the 502's backoff (500 ms).
    expect(sleeps).toEqual([1000, 100, 500]);
    const { client: noRetry } = testClient({ maxRetries: 0 });
    await replay('error-502-html-then-ok', async () => {
      const error = await noRetry.organizations.get().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InternalServerError);
      expect((error as Error).message).toBe(`502 GET /organizations/${ORG}: non-JSON body (text/html): 502 Bad Gateway 502 Bad Gateway`);
      await noRetry.organizations.get(); // use up the second recorded exchange
    });
  });
});
