// Issue 13: where the client and the fake agreed on something Credly does not promise. Each
// reading Credly may have is played by the fake (its `fidelity` options), and the client must
// work against every one.
import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError, CredlyClient, isPossibleDuplicate, issueBadges, MemoryLedger, syncTemplates, UnprocessableEntityError } from '../../src/index.js';
import { DUPLICATE_ERROR_STYLES, startFakeCredly } from '../../src/testing/index.js';
import { fakeWithClient, issueParams } from '../helpers/fake.js';
import { approvedEntry, csvRows, issuanceSetup, sqlRosterCsv } from '../helpers/issuance.js';

type Ctx = Awaited<ReturnType<typeof fakeWithClient>>;
let ctx: Ctx | undefined;
afterEach(async () => {
  await ctx?.close();
  ctx = undefined;
});

describe('duplicates, whatever Credly says (item 1)', () => {
  it.each(DUPLICATE_ERROR_STYLES)('records the badge Credly already had when a duplicate is refused as %s', async (style) => {
    const setup = await issuanceSetup({ fake: { fidelity: { duplicateError: style } } });
    ctx = setup;
    const existing = await setup.client.badges.issue(issueParams(setup.templateId, 2, { recipient_email: 'learner2@example.edu', issuer_earner_id: 'B00000002' }));
    const error = await setup.client.badges.issue(issueParams(setup.templateId, 2, { recipient_email: 'learner2@example.edu', issuer_earner_id: 'B00000002' })).catch((e: unknown) => e);
    expect(isPossibleDuplicate(error)).toBe(true);
    expect(error).toBeInstanceOf(style === 'conflict' ? ConflictError : UnprocessableEntityError);
    // The server's words reach the message, whichever body shape carried them.
    expect((error as Error).message).not.toMatch(/no message in the body/);
    const report = await issueBadges(csvRows(sqlRosterCsv(3)), setup.base);
    expect(report.awards.map((a) => a.outcome)).toEqual(['issued', 'already-issued', 'issued']);
    expect(report.awards[1]?.badgeId).toBe(existing.id);
    expect(setup.fake.duplicateCount()).toBe(0);
  });

  it('fails a 422 that is not a duplicate with Credly\'s message, after looking for the badge', async () => {
    const setup = await issuanceSetup();
    ctx = setup;
    // The ledger points at a draft template: Credly refuses the issue with a 422 of another kind.
    const draft = setup.fake.createTemplate({ name: 'Draft', state: 'draft' });
    const record = (await setup.ledger.getTemplate(setup.entries[0]!.microcredential.id))!;
    await setup.ledger.putTemplate({ ...record, templateId: String(draft.id) });
    const report = await issueBadges(csvRows(sqlRosterCsv(1)), setup.base);
    expect(report.awards[0]).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/^422 POST .*: Badge template is not active$/) });
    expect(setup.fake.stats().requests['GET /badges']).toBeGreaterThanOrEqual(1); // it looked first
  });

  it('describes a refusal that is not a duplicate with the server\'s message, whatever its shape', async () => {
    ctx = await fakeWithClient({ fidelity: { duplicateError: 'errors-array' } });
    const template = ctx.fake.createTemplate({ name: 'T' });
    await ctx.client.badges.issue(issueParams(String(template.id), 1));
    const error = await ctx.client.badges.issue(issueParams(String(template.id), 1)).catch((e: unknown) => e);
    expect((error as UnprocessableEntityError).serverMessage).toBe('Badge has already been taken for this recipient');
  });
});

describe('the same learner under another email (item 2)', () => {
  it('finds a badge issued to another email of the same Credly user, and only then', async () => {
    ctx = await fakeWithClient({ users: [['priya.raman@example.edu', 'priya@gmail.example.com']] });
    const template = String(ctx.fake.createTemplate({ name: 'T' }).id);
    const earlier = await ctx.client.badges.issue(issueParams(template, 1, { recipient_email: 'priya@gmail.example.com', issuer_earner_id: undefined }));
    // Credly's rule: the same user, so a duplicate.
    const refused = await ctx.client.badges.issue(issueParams(template, 2, { recipient_email: 'priya.raman@example.edu', issuer_earner_id: 'B123' })).catch((e: unknown) => e);
    expect(isPossibleDuplicate(refused)).toBe(true);
    const found = await ctx.client.badges.findExisting(template, { issuerEarnerId: 'B123', email: 'priya.raman@example.edu' });
    expect(found?.id).toBe(earlier.id);
    // Another learner is not matched.
    expect(await ctx.client.badges.findExisting(template, { email: 'someone.else@example.edu' })).toBeNull();
  });

  it('records already-issued in a run when the learner holds the badge under another email', async () => {
    const setup = await issuanceSetup({ fake: { users: [['learner2@example.edu', 'learner2.personal@example.com']] } });
    ctx = setup;
    const earlier = await setup.client.badges.issue(issueParams(setup.templateId, 2, { recipient_email: 'learner2.personal@example.com', issuer_earner_id: undefined }));
    const report = await issueBadges(csvRows(sqlRosterCsv(3)), setup.base);
    expect(report.awards.map((a) => a.outcome)).toEqual(['issued', 'already-issued', 'issued']);
    expect(report.awards[1]?.badgeId).toBe(earlier.id);
    expect(setup.fake.duplicateCount()).toBe(0);
  });
});

describe('issuer_earner_id as a number (item 9)', () => {
  it.each(['string', 'number'] as const)('finds the badge when responses carry the earner id as a %s', async (reading) => {
    ctx = await fakeWithClient({ fidelity: { earnerIdInResponses: reading } });
    const template = String(ctx.fake.createTemplate({ name: 'T' }).id);
    const issued = await ctx.client.badges.issue(issueParams(template, 1, { issuer_earner_id: '412763' }));
    const raw = (await fetch(`${ctx.fake.baseUrl}/organizations/${ctx.fake.organizationId}/badges`, { headers: { Authorization: `Basic ${Buffer.from(`${ctx.fake.token}:`).toString('base64')}` } }).then((r) => r.json())) as { data: Array<{ issuer_earner_id: unknown }> };
    expect(typeof raw.data[0]?.issuer_earner_id).toBe(reading);
    const found = await ctx.client.badges.findExisting(template, { issuerEarnerId: '412763' });
    expect(found?.id).toBe(issued.id);
    expect(found?.issuer_earner_id).toBe('412763');
  });
});

describe('IdEvidence carries an id (item 5)', () => {
  it.each(['refused', 'accepted'] as const)('issues text and assessment evidence when IdEvidence without an id is %s', async (reading) => {
    const setup = await issuanceSetup({ fake: { fidelity: { idEvidenceWithoutId: reading } } });
    ctx = setup;
    const report = await issueBadges(csvRows(sqlRosterCsv(2)), setup.base);
    expect(report.totals.issued).toBe(2);
    const evidence = setup.fake.badgesFor(setup.templateId, 'learner1@example.edu')[0]!.evidence[0]!;
    expect(evidence).toMatchObject({ type: 'IdEvidence', id: expect.stringMatching(/^ev-[0-9a-f]{24}$/) });
    // What the fake refuses in the strict reading: an IdEvidence item with no id.
    const bare = setup.client.badges.issue(issueParams(setup.templateId, 9, { evidence: [{ type: 'IdEvidence', title: 'T', description: 'D' }] }));
    if (reading === 'refused') await expect(bare).rejects.toThrow(/422 .*IdEvidence needs an id/);
    else await expect(bare).resolves.toMatchObject({ state: 'pending' });
  });
});

describe('rate limits and Retry-After (items 6 and 7)', () => {
  it('rides out a per-minute window without Retry-After, slowing the whole run instead of failing awards', async () => {
    // One clock for the fake and the client: the client's waits move it.
    let clock = Date.parse('2026-11-28T12:00:00Z');
    const setup = await issuanceSetup({
      fake: { clock: () => clock, rateLimit: { requests: 6, windowMs: 60_000, retryAfter: false } },
      client: { now: () => clock, retryTiming: {}, sleep: async (ms: number) => void (clock += ms) },
    });
    ctx = setup;
    const started = clock;
    const report = await issueBadges(csvRows(sqlRosterCsv(10)), { ...setup.base, concurrency: 4 });
    expect(report.totals).toMatchObject({ issued: 10, failed: 0 });
    expect(setup.fake.stats().rateLimited).toBeGreaterThan(0);
    expect(clock - started).toBeGreaterThanOrEqual(60_000); // it waited for the next window
    // Before: 9 POSTs per award and a failure after about 7 s. Now the retries are bounded by the budget.
    expect(setup.fake.stats().requests['POST /badges']).toBeLessThan(10 + 4 * 15);
    expect(setup.fake.duplicateCount()).toBe(0);
  });

  it('fails an award whose Retry-After is past the cap, naming the wait, without sleeping', async () => {
    const setup = await issuanceSetup();
    ctx = setup;
    setup.fake.injectFault({ route: 'POST /badges', kind: 'rate-limit', retryAfterSeconds: 3600 });
    const report = await issueBadges(csvRows(sqlRosterCsv(2)), { ...setup.base, concurrency: 1 });
    expect(report.awards[0]).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/429 POST .*\(Retry-After asks for 3600 s, more than retryTiming\.maxRetryAfterMs 60 s: not waited for\)/) });
    expect(report.awards[1]?.outcome).toBe('issued');
    expect(setup.sleeps.every((ms) => ms < 60_000)).toBe(true);
    expect(setup.engineSleeps).toEqual([]);
  });

  it('honours Retry-After on 503 for reads, as seconds or an HTTP date, up to the cap', async () => {
    ctx = await fakeWithClient();
    ctx.fake.injectFault({ route: 'GET /organizations/:org', kind: 'error-5xx', status: 503, retryAfterHeader: '3' });
    ctx.fake.injectFault({ route: 'GET /organizations/:org', kind: 'error-5xx', status: 503, retryAfterHeader: new Date(Date.now() + 20_000).toUTCString() });
    await ctx.client.organizations.get();
    expect(ctx.sleeps[0]).toBe(3000);
    expect(ctx.sleeps[1]).toBeGreaterThan(14_000); // about 17 s on the client's clock, to the second
    expect(ctx.sleeps[1]).toBeLessThanOrEqual(17_000);
    ctx.fake.injectFault({ route: 'GET /organizations/:org', kind: 'error-5xx', status: 503, retryAfterHeader: 'Wed, 21 Oct 2099 07:28:00 GMT' });
    await expect(ctx.client.organizations.get()).rejects.toThrow(/503 GET .*: Service Unavailable \(Retry-After asks for \d+(\.\d)? s, more than retryTiming\.maxRetryAfterMs 60 s: not waited for\)/);
  });

  it('stops waiting on SIGTERM (the run\'s signal): the award waiting out a Retry-After fails, nothing is duplicated', async () => {
    const fake = await startFakeCredly({ seed: 3 });
    const controller = new AbortController();
    const { credentials, options } = fake.clientConfig();
    const client = new CredlyClient(credentials, {
      ...options,
      // A wait that lasts until it is aborted: only the stop can end it.
      sleep: (_ms, signal) => new Promise((_resolve, reject) => {
        if (signal?.aborted) reject(new Error('aborted'));
        signal?.addEventListener('abort', () => reject(new Error('aborted')));
      }),
    });
    ctx = { fake, client, sleeps: [], close: async () => { client.close(); await fake.stop(); } };
    const entries = [approvedEntry('non-credit')];
    const ledger = new MemoryLedger();
    await syncTemplates(entries, { client, ledger });
    fake.injectFault({ route: 'POST /badges', kind: 'rate-limit', retryAfterSeconds: 30 });
    setTimeout(() => controller.abort(), 200);
    const report = await issueBadges(csvRows(sqlRosterCsv(3)), { client, ledger, microcredentials: entries, concurrency: 1, signal: controller.signal, suppressNotifications: true });
    expect(report.cancelled).toBe(true);
    expect(report.awards[0]).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/aborted by the caller/) });
    // Refused (429), then held back: known not sent, so nothing is looked up, and the next run sends it.
    expect(fake.stats().requests['GET /badges'] ?? 0).toBe(0);
    expect((await ledger.getAward(report.awards[0]!.key!))?.state).toBe('failed');
    expect(fake.badges()).toHaveLength(0);
  });
});

describe('next-page URLs (item 8)', () => {
  it.each(['same-path', 'api-path'] as const)('lists every filtered item across pages when next_page_url is %s', async (reading) => {
    ctx = await fakeWithClient({ fidelity: { nextPageUrl: reading } });
    for (let i = 0; i < 120; i += 1) ctx.fake.createTemplate({ name: `Badge ${i}`, state: i % 2 === 0 ? 'active' : 'draft' });
    const active = await ctx.client.badgeTemplates.list({ filter: { state: 'active' } }).collect({ max: 500 });
    expect(active).toHaveLength(60);
    expect(active.every((t) => t.state === 'active')).toBe(true);
    const first = await ctx.client.badgeTemplates.list({ filter: { state: 'active' } });
    const next = String(first.metadata.next_page_url);
    if (reading === 'api-path') expect(next).toBe(`${ctx.fake.url}/api/v1/organizations/${ctx.fake.organizationId}/badge_templates?page=2`);
    else expect(next).toContain('filter=state');
  });
});

describe('duplicate_behavior (item 10)', () => {
  it('replaces or allows on a template that refuses duplicates when Credly honours it, and is refused when it does not', async () => {
    ctx = await fakeWithClient();
    const template = String(ctx.fake.createTemplate({ name: 'T' }).id);
    const first = await ctx.client.badges.issue(issueParams(template, 1));
    const replacement = await ctx.client.badges.issue(issueParams(template, 1, { duplicate_behavior: 'replace' }));
    expect(replacement.replaces_badge_id).toBe(first.id);
    expect(ctx.fake.badges().find((b) => b.id === first.id)?.replacement_badge_id).toBe(replacement.id);
    expect(ctx.fake.duplicateCount()).toBe(0);
    // The current badge is the replacement, not the one it replaced.
    expect((await ctx.client.badges.findExisting(template, { issuerEarnerId: 'S100001' }))?.id).toBe(replacement.id);
    await ctx.client.badges.issue(issueParams(template, 1, { duplicate_behavior: 'allow' }));
    expect(ctx.fake.badgesFor(template, 'learner1@example.edu')).toHaveLength(3);
    await expect(ctx.client.badges.issue(issueParams(template, 1, { duplicate_behavior: 'deny' }))).rejects.toSatisfy(isPossibleDuplicate);
    await expect(ctx.client.badges.issue(issueParams(template, 1, { duplicate_behavior: 'sometimes' as never }))).rejects.toThrow(/duplicate_behavior must be replace, allow or deny/);
    await ctx.close();
    ctx = await fakeWithClient({ fidelity: { duplicateBehavior: 'ignored' } });
    const other = String(ctx.fake.createTemplate({ name: 'T' }).id);
    await ctx.client.badges.issue(issueParams(other, 1));
    await expect(ctx.client.badges.issue(issueParams(other, 1, { duplicate_behavior: 'replace' }))).rejects.toSatisfy(isPossibleDuplicate);
  });

  it.each([['honoured', 'issued'], ['ignored', 'already-issued']] as const)('re-certifies from a roster with duplicateBehavior replace when Credly has it %s', async (reading, outcome) => {
    const setup = await issuanceSetup({ fake: { fidelity: { duplicateBehavior: reading } } });
    ctx = setup;
    // Last year's badge, issued outside this ledger.
    const old = await setup.client.badges.issue(issueParams(setup.templateId, 2, { recipient_email: 'learner2@example.edu', issuer_earner_id: 'B00000002' }));
    const report = await issueBadges(csvRows(sqlRosterCsv(2)), { ...setup.base, duplicateBehavior: 'replace' });
    expect(report.awards[1]?.outcome).toBe(outcome);
    const current = setup.fake.badgesFor(setup.templateId, 'learner2@example.edu').filter((b) => b.replacement_badge_id === null);
    expect(current).toHaveLength(1);
    expect(report.awards[1]?.badgeId).toBe(reading === 'honoured' ? current[0]!.id : old.id);
    if (reading === 'honoured') expect(current[0]!.replaces_badge_id).toBe(old.id);
    expect(setup.fake.duplicateCount()).toBe(0);
  });
});
