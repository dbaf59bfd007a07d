// Testing your own code against the fake Credly: real HTTP on loopback, Credly's rules, no account.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CredlyClient, isPossibleDuplicate } from 'credly-microcredentials';
import { startFakeCredly, type FakeCredly } from 'credly-microcredentials/testing';

// The code under test: a campus app's "award the badge" step.
async function awardBadge(credly: CredlyClient, templateId: string, learner: { email: string; first: string; last: string; id: string }) {
  try {
    const badge = await credly.badges.issue({
      badge_template_id: templateId,
      recipient_email: learner.email,
      issued_to_first_name: learner.first,
      issued_to_last_name: learner.last,
      issuer_earner_id: learner.id,
      issued_at: new Date(),
    });
    return { status: 'issued', badgeId: badge.id };
  } catch (error) {
    // Credly documents neither the status nor the wording of a duplicate: any 422 or 409 may be one.
    if (!isPossibleDuplicate(error)) throw error;
    const existing = await credly.badges.findExisting(templateId, { issuerEarnerId: learner.id, email: learner.email });
    if (!existing) throw error; // refused for another reason
    return { status: 'already issued', badgeId: existing.id };
  }
}

describe('awardBadge', () => {
  let fake: FakeCredly;
  let credly: CredlyClient;
  let templateId: string;

  beforeAll(async () => {
    fake = await startFakeCredly({ seed: 1 });
    const { credentials, options } = fake.clientConfig();
    credly = new CredlyClient(credentials, { ...options, retryTiming: { baseDelayMs: 1 } });
  });
  afterAll(async () => {
    credly.close();
    await fake.stop();
  });
  beforeEach(() => {
    fake.reset();
    templateId = String(fake.createTemplate({ name: 'Coding in SQL' }).id);
  });

  const priya = { email: 'priya.raman@example.edu', first: 'Priya', last: 'Raman', id: 'B00412763' };

  it('issues one badge, and a second call finds it instead of issuing again', async () => {
    const first = await awardBadge(credly, templateId, priya);
    const second = await awardBadge(credly, templateId, priya);
    expect(first.status).toBe('issued');
    expect(second).toEqual({ status: 'already issued', badgeId: first.badgeId });
    expect(fake.badgesFor(templateId, priya.email)).toHaveLength(1);
    expect(fake.duplicateCount()).toBe(0);
  });

  it('survives a 503 on a read: the client retries GETs', async () => {
    await awardBadge(credly, templateId, priya);
    fake.injectFault({ route: 'GET /badges', kind: 'error-5xx', status: 503, count: 1 });
    expect((await awardBadge(credly, templateId, priya)).status).toBe('already issued');
  });

  it('refuses an archived template', async () => {
    fake.archiveTemplate(templateId);
    await expect(awardBadge(credly, templateId, priya)).rejects.toThrow(/archived/);
  });
});
