import { describe, expect, it } from 'vitest';
import {
  awardKey,
  earnerIdFor,
  issuePayload,
  NotApprovedError,
  parseAwardee,
  templatePayload,
} from '../../../src/index.js';
import { CREDLY_ACTIVITY_TYPES } from '../../../src/credly/schemas/requests.js';
import { EARNING_ACTIVITY_TYPES } from '../../../src/domain/badge-metadata.js';
// Internal: not part of the public API.
import { evidenceId, evidenceItem } from '../../../src/mapping/issue-payload.js';
// Internal: not part of the public API.
import { issueBadgeRequestSchema, createBadgeTemplateRequestSchema } from '../../../src/credly/schemas/requests.js';
import { approvedEntry } from '../../helpers/issuance.js';

const sql = approvedEntry('non-credit');
const geo = approvedEntry('credit-bearing');

describe('template payload', () => {
  it('maps an approved microcredential onto a valid Credly template', () => {
    const payload = templatePayload(geo.microcredential, geo.approval);
    expect(createBadgeTemplateRequestSchema.safeParse(payload).success).toBe(true);
    expect(payload).toMatchObject({
      name: 'Geospatial Data Analysis',
      image: { remote_upload_url: 'https://images.example.edu/badges/geospatial-data-analysis.png' },
      global_activity_url: 'https://www.example.edu/microcredentials/geospatial-data-analysis',
      level: 'Intermediate',
      type_category: 'Learning',
      time_to_earn: 'Months',
      cost: 'Paid',
      reporting_tags: ['geography', 'credit-bearing'],
    });
    expect(payload.badge_template_activities).toEqual([
      { activity_type: 'Course', title: 'GEOG 260: Introduction to Geographic Information Systems' },
      { activity_type: 'Course', title: 'GEOG 362: Spatial Analysis with Python' },
      { activity_type: 'Award', title: 'Capstone map portfolio' },
    ]);
    expect(payload.alignments?.map((a) => a.name)).toEqual([
      'NACE Career Readiness (2017): Critical Thinking/Problem Solving',
      'NACE Career Readiness (2017): Digital Technology',
      'NACE Career Readiness (2017): Oral/Written Communications',
    ]);
    expect(payload.alignments?.[0]?.url).toMatch(/^https:\/\/www\.naceweb\.org\//);
  });

  it("uses the badge's own earning activities when it lists them", () => {
    const payload = templatePayload(sql.microcredential, sql.approval);
    expect(payload.badge_template_activities).toEqual([
      { activity_type: 'Course', title: 'Six online SQL modules', activity_url: 'https://www.example.edu/microcredentials/coding-in-sql/modules' },
      { activity_type: 'Assessment', title: 'Proctored SQL assessment (70 % or better)' },
    ]);
  });

  it.each(['draft', 'office_review', 'rejected', 'retired'] as const)('refuses a %s microcredential', (state) => {
    expect(() => templatePayload(sql.microcredential, { state, microcredentialId: 'coding-in-sql' })).toThrow(NotApprovedError);
  });
});

describe('issue payload', () => {
  const now = new Date('2026-06-01T15:30:00Z');
  const awardee = parseAwardee({
    learner: { email: 'Jia.Chen@example.edu', firstName: 'Jia', middleName: 'L.', lastName: 'Chen', campusId: 'B00455310', locale: 'zh-CN' },
    evidence: [
      { kind: 'assessment', name: 'Proctored SQL assessment', score: 17, maxScore: 20, assessedOn: '2026-04-02', competency: { framework: 'NACE-2021', code: 'technology' } },
      { kind: 'url', name: 'Query portfolio', url: 'https://portfolio.example.edu/jchen' },
    ],
  });

  it('builds a valid issue request with an offset, the expiry policy, locale and evidence', () => {
    const payload = issuePayload(sql.microcredential, awardee, { templateId: 't-1', now, suppressNotifications: true });
    expect(issueBadgeRequestSchema.safeParse(payload).success).toBe(true);
    expect(payload).toEqual({
      badge_template_id: 't-1',
      recipient_email: 'jia.chen@example.edu',
      issued_to_first_name: 'Jia',
      issued_to_middle_name: 'L.',
      issued_to_last_name: 'Chen',
      issued_at: '2026-06-01 15:30:00 +0000',
      expires_at: '2029-06-01 15:30:00 +0000',
      issuer_earner_id: 'B00455310',
      locale: 'zh-CN',
      suppress_badge_notification_email: true,
      evidence: [
        { type: 'IdEvidence', id: evidenceId('coding-in-sql|B00455310', 0), title: 'Proctored SQL assessment', description: 'Score 17/20 (85 %), assessed 2026-04-02 (NACE: Technology)' },
        { type: 'UrlEvidence', name: 'Query portfolio', value: 'https://portfolio.example.edu/jchen' },
      ],
    });
  });

  it("keeps the awardee's own dates, and sends no evidence for a learner who opted out", () => {
    const own = parseAwardee({ ...awardee, issuedAt: '2026-05-20T17:00:00-04:00', expiresAt: '2027-05-20T17:00:00-04:00', evidenceOptOut: true });
    const payload = issuePayload(sql.microcredential, own, { templateId: 't-1', now });
    expect(payload).toMatchObject({ issued_at: '2026-05-20T17:00:00-04:00', expires_at: '2027-05-20T17:00:00-04:00' });
    expect(payload).not.toHaveProperty('evidence');
  });

  it('maps the expiry policies: never → false, template default → null, months → the same day later', () => {
    const micro = geo.microcredential;
    expect(issuePayload(micro, awardee, { templateId: 't', now }).expires_at).toBe(false);
    const withDefault = { ...micro, badge: { ...micro.badge, expiry: { policy: 'template-default' as const } } };
    expect(issuePayload(withDefault, awardee, { templateId: 't', now }).expires_at).toBeNull();
    const monthly = { ...micro, badge: { ...micro.badge, expiry: { policy: 'after' as const, months: 1 } } };
    expect(issuePayload(monthly, awardee, { templateId: 't', now: new Date('2026-01-31T10:00:00Z') }).expires_at).toBe('2026-02-28 10:00:00 +0000');
  });

  it('sends only activity types seen in Credly\'s data', () => {
    for (const entry of [sql, approvedEntry('credit-bearing')]) {
      for (const activity of templatePayload(entry.microcredential, entry.approval).badge_template_activities) {
        expect(CREDLY_ACTIVITY_TYPES).toContain(activity.activity_type);
      }
    }
    expect(EARNING_ACTIVITY_TYPES.every((t) => (CREDLY_ACTIVITY_TYPES as readonly string[]).includes(t))).toBe(true);
    const refused = createBadgeTemplateRequestSchema.safeParse({ ...templatePayload(sql.microcredential, sql.approval), badge_template_activities: [{ activity_type: 'Experience', title: 'x' }] });
    expect(refused.error?.issues.map((i) => i.message).join()).toMatch(/activity_type "Experience" is not one seen in Credly's data/);
  });

  it('sends text evidence as the chosen type, with an id on IdEvidence only', () => {
    const text = { kind: 'text' as const, name: 'Reflection', text: 'What I learned' };
    expect(evidenceItem(text, 'IdEvidence', 'ev-1')).toEqual({ type: 'IdEvidence', id: 'ev-1', title: 'Reflection', description: 'What I learned' });
    expect(evidenceItem(text, 'TextEvidence', 'ev-1')).toEqual({ type: 'TextEvidence', title: 'Reflection', description: 'What I learned' });
  });

  it('derives evidence ids that are stable for an award and differ between items and awards', () => {
    const first = issuePayload(sql.microcredential, awardee, { templateId: 't-1', now });
    const again = issuePayload(sql.microcredential, awardee, { templateId: 't-1', now: new Date('2027-01-01T00:00:00Z') });
    expect(again.evidence).toEqual(first.evidence);
    expect(evidenceId('coding-in-sql|B00455310', 0)).toMatch(/^ev-[0-9a-f]{24}$/);
    expect(new Set([evidenceId('a|1', 0), evidenceId('a|1', 1), evidenceId('a|2', 0)]).size).toBe(3);
  });

  it('keys an award by microcredential and learner; without a campus id, by a stable hash of the email', () => {
    expect(earnerIdFor({ campusId: 'B1', email: 'a@example.edu' })).toBe('B1');
    const hashed = earnerIdFor({ email: 'Ana@Example.edu ' });
    expect(hashed).toMatch(/^mc-[0-9a-f]{24}$/);
    expect(earnerIdFor({ email: 'ana@example.edu' })).toBe(hashed);
    expect(awardKey('coding-in-sql', { email: 'ana@example.edu' })).toBe(`coding-in-sql|${hashed}`);
  });
});
