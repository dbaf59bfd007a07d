import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredlyClient } from '../../src/index.js';
import { startFakeCredly, type FakeCredly } from '../../src/testing/index.js';
import { BADGE_ID, DOCUMENTED_ISSUE, replay, TEMPLATE_ID, testClient } from '../helpers/credly.js';

/**
 * The same scenarios against the documented-example fixtures (nock) and against the fake Credly
 * (loopback HTTP), compared by shape: the same keys, and compatible types (null goes with any type,
 * as Credly sends nulls for unset fields). A difference means the fake has drifted from what
 * Credly documents, or the fixtures have.
 */
type Shape = string | { [key: string]: Shape } | Shape[];

function shape(value: unknown): Shape {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return value.length ? [shape(value[0])] : [];
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, shape(v)]));
  return typeof value;
}

function differences(a: Shape, b: Shape, path = '$'): string[] {
  if (a === 'null' || b === 'null') return [];
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return [`${path}: array vs ${Array.isArray(a) ? typeof b : typeof a}`];
    if (!a.length || !b.length) return [];
    return differences(a[0]!, b[0]!, `${path}[]`);
  }
  if (typeof a === 'object' || typeof b === 'object') {
    if (typeof a !== 'object' || typeof b !== 'object') return [`${path}: ${typeof a === 'object' ? 'object' : a} vs ${typeof b === 'object' ? 'object' : b}`];
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    const out: string[] = [];
    for (const key of keys) {
      if (!(key in a)) out.push(`${path}.${key}: only in the fixture`);
      else if (!(key in b)) out.push(`${path}.${key}: only in the fake`);
      else out.push(...differences(a[key]!, b[key]!, `${path}.${key}`));
    }
    return out;
  }
  return a === b ? [] : [`${path}: ${a} vs ${b}`];
}

/** Fields documented in one example but not another; either side may lack them. */
const OPTIONAL = [/\.accepted_at$/, /\.accept_badge_url$/, /\.badge_url$/, /\.issued_to_middle_name$/, /\.country_code$/, /\.template_type$/, /\.default_expires_at\w*$/, /\.earn_this_badge_url$/, /\.enable_\w+$/, /\.required_badge_template_(name|url)$/, /\.technical_contact_email$|\.zip_or_postal_code$|\.organization_type$|\.bio$|\.city$|\.address$|\.primary_hex_color$|\.support_\w+$|\.enable_blockchain$|\.print_method$|\.pdf_id$|\.linkedin_a2p_url$|\.location$|\.country$|\.state_or_province$|\.verified_at$/, /\.image$/, /\.revoked$|\.revocationReason$/,
  // The sandbox capture lacks these, the documented examples have them.
  /\.lock_badge_state$|\.visibility$/, /\.targetDescription$/];

function compare(fixture: unknown, fake: unknown): string[] {
  return differences(shape(fake), shape(fixture)).filter((d) => !(OPTIONAL.some((re) => re.test(d.split(':')[0]!)) && /only in/.test(d)));
}

let fake: FakeCredly;
let live: CredlyClient;
let templateId: string;
let badgeId: string;
const docs = testClient({ validateResponses: 'strict' }).client;

beforeAll(async () => {
  fake = await startFakeCredly({ seed: 3 });
  live = new CredlyClient(fake.clientConfig().credentials, { ...fake.clientConfig().options, validateResponses: 'strict' });
  templateId = String(fake.createTemplate({ name: 'Coding in SQL', skills: ['SQL', 'Data Analysis', 'Relational Databases'], reporting_tags: ['non-credit'], alignments: [{ name: 'NACE', url: 'https://www.naceweb.org/', description: 'Technology' }], cost: 'Free', level: 'Foundational', time_to_earn: 'Weeks', type_category: 'Learning' }).id);
  const badge = await live.badges.issue({
    recipient_email: 'learner1@example.edu',
    badge_template_id: templateId,
    issued_to_first_name: 'Jordan',
    issued_to_last_name: 'Learner1',
    issued_at: '2026-03-02 09:00:00 -0500',
    issuer_earner_id: 'S100001',
    evidence: [{ type: 'UrlEvidence', name: 'Assessment report', value: 'https://www.example.edu/evidence/s100001' }],
  });
  badgeId = badge.id;
});
afterAll(async () => {
  live.close();
  await fake.stop();
});

async function fromFixture<T>(name: string, call: () => Promise<T>): Promise<T> {
  let result: T | undefined;
  await replay(name, async () => {
    result = await call();
  });
  return result as T;
}

describe('the fake Credly agrees in shape with the documented examples', () => {
  it('organization get', async () => {
    const documented = await fromFixture('organization-get', () => docs.organizations.get());
    expect(compare(documented, await live.organizations.get())).toEqual([]);
  });

  it('badge template get and list', async () => {
    const documented = await fromFixture('badge-template-get', () => docs.badgeTemplates.get(TEMPLATE_ID));
    expect(compare(documented, await live.badgeTemplates.get(templateId))).toEqual([]);
    const documentedPage = await fromFixture('badge-templates-list-sandbox-nulls', async () => (await docs.badgeTemplates.list()).data);
    expect(compare(documentedPage, (await live.badgeTemplates.list()).data)).toEqual([]);
  });

  it('badge issue, list, get', async () => {
    const issueBody = DOCUMENTED_ISSUE;
    const documented = await fromFixture('badge-issue', () => docs.badges.issue(issueBody));
    const issued = await live.badges.issue({ ...issueBody, badge_template_id: templateId, recipient_email: 'learner2@example.edu', issuer_earner_id: 'S100002' });
    expect(compare(documented, issued)).toEqual([]);
    const documentedList = await fromFixture('badges-list-by-earner', async () => (await docs.badges.list({ filter: { issuer_earner_id: 'S100001', badge_template_id: TEMPLATE_ID } })).data);
    expect(compare(documentedList, (await live.badges.list({ filter: { issuer_earner_id: 'S100001' } })).data)).toEqual([]);
  });

  it('duplicate 422, revoke, replace', async () => {
    const dup = (c: CredlyClient, t: string) => c.badges.issue({ ...DOCUMENTED_ISSUE, badge_template_id: t }).catch((e: unknown) => e);
    const documented = (await fromFixture('badge-issue-duplicate', () => dup(docs, TEMPLATE_ID))) as { name: string; status: number; body: unknown };
    const actual = (await dup(live, templateId)) as { name: string; status: number; body: unknown };
    expect([actual.name, actual.status]).toEqual([documented.name, documented.status]);
    expect(actual.body).toEqual(documented.body);
    const replacedDoc = await fromFixture('badge-replace', () => docs.badges.replace(BADGE_ID, { badge_template_id: TEMPLATE_ID, issued_at: '2027-03-02 09:00:00 -0500', expires_at: false, evidence: [{ type: 'UrlEvidence', name: 'Re-certification', value: 'https://www.example.edu/evidence/recert' }] }));
    const replaced = await live.badges.replace(badgeId, { badge_template_id: templateId, issued_at: '2027-03-02 09:00:00 -0500', expires_at: false });
    expect(compare(replacedDoc, replaced)).toEqual([]);
    const revokedDoc = await fromFixture('badge-revoke', () => docs.badges.revoke(BADGE_ID, { reason: 'Issued to the wrong learner', suppress_revoke_notification_email: true }));
    expect(compare(revokedDoc, await live.badges.revoke(replaced.id, { reason: 'Issued to the wrong learner' }))).toEqual([]);
  });

  it('events and high-volume search', async () => {
    const documented = await fromFixture('events-list', async () => (await docs.events.list()).data);
    const events = (await live.events.list()).data;
    const byType = (list: typeof events, type: string) => list.filter((e) => e.event_type === type);
    expect(compare(byType(documented, 'badge.created'), byType(events, 'badge.created'))).toEqual([]);
    const documentedSearch = await fromFixture('badges-high-volume-search', () => docs.badges.highVolumeSearch({ filter: { state: 'accepted' } }).collect({ max: 10 }));
    expect(compare(documentedSearch, (await live.badges.highVolumeSearch()).data)).toEqual([]);
  });

  it('OBI assertion and badge class', async () => {
    const documented = await fromFixture('obi-badge-class', () => docs.obi.badgeClass(TEMPLATE_ID));
    expect(compare(documented, await live.obi.badgeClass(templateId))).toEqual([]);
    const assertion = await fromFixture('obi-badge-assertion', () => docs.obi.badgeAssertion(BADGE_ID));
    expect(compare(assertion, await live.obi.badgeAssertion(badgeId))).toEqual([]);
  });
});
