import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLedger, reactivateTemplate, syncTemplates } from '../../src/index.js';
import { approvedEntry } from '../helpers/issuance.js';
import { fakeWithClient } from '../helpers/fake.js';

let ctx: Awaited<ReturnType<typeof fakeWithClient>>;
afterEach(async () => ctx?.close());

describe('template sync against the fake Credly', () => {
  it('creates active templates, then changes nothing and says so', async () => {
    ctx = await fakeWithClient();
    const ledger = new MemoryLedger();
    const entries = [approvedEntry('credit-bearing'), approvedEntry('non-credit')];
    const first = await syncTemplates(entries, { client: ctx.client, ledger });
    expect(first.map((r) => r.action)).toEqual(['created', 'created']);
    const template = await ctx.client.badgeTemplates.get(first[0]!.templateId!);
    expect(template).toMatchObject({ name: 'Geospatial Data Analysis', state: 'active', skills: ['Geographic Information Systems', 'Spatial Analysis', 'Python', 'Cartography', 'Data Cleaning'] });
    expect(await ledger.getTemplate('geospatial-data-analysis')).toMatchObject({ templateId: template.id, state: 'active' });
    const requests = { ...ctx.fake.stats().requests };
    const second = await syncTemplates(entries, { client: ctx.client, ledger });
    expect(second.map((r) => r.action)).toEqual(['unchanged', 'unchanged']);
    expect(ctx.fake.stats().requests).toEqual(requests);
  });

  it('updates only the template whose microcredential changed, only the changed fields', async () => {
    ctx = await fakeWithClient();
    const ledger = new MemoryLedger();
    await syncTemplates([approvedEntry('credit-bearing'), approvedEntry('non-credit')], { client: ctx.client, ledger });
    const changed = approvedEntry('non-credit', (json) => {
      json.badge.skills.push('Window Functions');
    });
    const dry = await syncTemplates([approvedEntry('credit-bearing'), changed], { client: ctx.client, ledger, dryRun: true });
    expect(dry.map((r) => [r.action, r.changedFields])).toEqual([['unchanged', undefined], ['updated', ['skills']]]);
    expect(ctx.fake.stats().requests['PUT /badge_templates/:id']).toBeUndefined();
    const result = await syncTemplates([approvedEntry('credit-bearing'), changed], { client: ctx.client, ledger });
    expect(result.map((r) => r.action)).toEqual(['unchanged', 'updated']);
    expect(ctx.fake.stats().requests['PUT /badge_templates/:id']).toBe(1);
    expect((await ctx.client.badgeTemplates.get(result[1]!.templateId!)).skills).toContain('Window Functions');
  });

  it('archives the template of a retired microcredential', async () => {
    ctx = await fakeWithClient();
    const ledger = new MemoryLedger();
    const [created] = await syncTemplates([approvedEntry('non-credit')], { client: ctx.client, ledger });
    const retired = { ...approvedEntry('non-credit'), approval: { state: 'retired' as const, microcredentialId: 'coding-in-sql' } };
    const [result] = await syncTemplates([retired], { client: ctx.client, ledger });
    expect(result).toMatchObject({ action: 'archived', templateId: created!.templateId });
    expect((await ctx.client.badgeTemplates.get(created!.templateId!)).state).toBe('archived');
    expect((await ledger.getTemplate('coding-in-sql'))?.state).toBe('archived');
  });

  it('skips unapproved ones, and adopts a template of the same name instead of making a second', async () => {
    ctx = await fakeWithClient();
    const existing = ctx.fake.createTemplate({ name: 'Coding in SQL', state: 'draft' });
    const ledger = new MemoryLedger();
    const draft = { ...approvedEntry('credit-bearing'), approval: { state: 'department_review' as const, microcredentialId: 'geospatial-data-analysis' } };
    const result = await syncTemplates([draft, approvedEntry('non-credit')], { client: ctx.client, ledger });
    expect(result.map((r) => r.action)).toEqual(['skipped', 'adopted']);
    expect(result[1]?.templateId).toBe(existing.id);
    expect(ctx.fake.stats().templates).toBe(1);
    expect((await ctx.client.badgeTemplates.get(String(existing.id))).state).toBe('active');
  });

  it('recreates a template deleted in Credly; reports one archived there until it is re-activated', async () => {
    ctx = await fakeWithClient();
    const ledger = new MemoryLedger();
    const [first] = await syncTemplates([approvedEntry('non-credit')], { client: ctx.client, ledger });
    const record = (await ledger.getTemplate('coding-in-sql'))!;
    await ledger.putTemplate({ ...record, state: 'unusable', unusableReason: 'archived in Credly' });
    ctx.fake.archiveTemplate(first!.templateId!);
    const [blocked] = await syncTemplates([approvedEntry('non-credit')], { client: ctx.client, ledger });
    expect(blocked).toMatchObject({ action: 'failed', reason: expect.stringMatching(/unusable \(archived in Credly\)/) });
    await reactivateTemplate(ledger, 'coding-in-sql');
    expect((await ledger.getTemplate('coding-in-sql'))?.state).toBe('active');
    await ledger.putTemplate({ ...record, state: 'unusable', unusableReason: 'deleted in Credly' });
    await ctx.client.badgeTemplates.update(first!.templateId!, { state: 'active' });
    await (await fetch(`${ctx.fake.baseUrl}/organizations/${ctx.fake.organizationId}/badge_templates/${first!.templateId}`, { method: 'DELETE', headers: { Authorization: `Basic ${Buffer.from(`${ctx.fake.token}:`).toString('base64')}` } })).text();
    const [recreated] = await syncTemplates([approvedEntry('non-credit')], { client: ctx.client, ledger });
    expect(recreated?.action).toBe('created');
    expect(recreated?.templateId).not.toBe(first!.templateId);
  });
});
