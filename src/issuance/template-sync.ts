import { createHash } from 'node:crypto';
import type { CredlyClient } from '../credly/client.js';
import { CredlyApiError, CredlyConnectionError, NotFoundError } from '../credly/errors.js';
import type { BadgeTemplate } from '../credly/schemas/badge-template.js';
import type { CreateBadgeTemplateParams } from '../credly/schemas/requests.js';
import { templatePayload } from '../mapping/template-payload.js';
import type { MicrocredentialEntry } from './plan.js';
import type { Ledger, TemplateRecord } from '../ledger/contract.js';

export type TemplateSyncAction = 'created' | 'adopted' | 'updated' | 'unchanged' | 'archived' | 'skipped' | 'failed';

export interface TemplateSyncResult {
  readonly microcredentialId: string;
  readonly action: TemplateSyncAction;
  readonly templateId?: string | undefined;
  /** Payload fields that differ from what was last sent (updated), or would be sent (dry run). */
  readonly changedFields?: readonly string[] | undefined;
  readonly reason?: string | undefined;
  readonly dryRun: boolean;
}

export interface TemplateSyncOptions {
  readonly client: CredlyClient;
  readonly ledger: Ledger;
  /** Say what would change, and change nothing (Credly is only read). */
  readonly dryRun?: boolean;
  readonly now?: () => Date;
}

/** Canonical JSON: the same payload always hashes the same, whatever its key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
const hash = (value: unknown) => createHash('sha256').update(canonical(value)).digest('hex');

/** A fingerprint of the whole payload, and of each field (to say which fields changed). */
export function payloadFingerprint(payload: CreateBadgeTemplateParams): string {
  const fields = Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, hash(v).slice(0, 16)]));
  return `v1:${canonical(fields)}`;
}

function changedFields(previous: string | undefined, next: string): string[] {
  const parse = (fp: string | undefined): Record<string, string> => {
    if (!fp?.startsWith('v1:')) return {};
    try {
      return JSON.parse(fp.slice(3)) as Record<string, string>;
    } catch {
      return {};
    }
  };
  const a = parse(previous);
  const b = parse(next);
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => a[key] !== b[key]).sort();
}

/**
 * Creates or updates the Credly badge template of each approved microcredential, idempotently:
 * an unchanged microcredential sends nothing; a changed field updates that template only; a
 * retired microcredential's template is archived. Template ids are recorded in the ledger.
 * A template with the same exact name already in Credly (made in the UI, or by a run whose ledger
 * was lost) is adopted rather than created twice.
 */
export async function syncTemplates(entries: readonly MicrocredentialEntry[], options: TemplateSyncOptions): Promise<TemplateSyncResult[]> {
  // Two workers syncing at once would both create a template: one at a time per ledger.
  return options.ledger.withTemplateLock(() => syncTemplatesLocked(entries, options));
}

async function syncTemplatesLocked(entries: readonly MicrocredentialEntry[], options: TemplateSyncOptions): Promise<TemplateSyncResult[]> {
  const { client, ledger } = options;
  const dryRun = options.dryRun ?? false;
  const now = options.now ?? (() => new Date());
  const results: TemplateSyncResult[] = [];

  const record = async (id: string, templateId: string, fingerprint: string, state: TemplateRecord['state'], allowDuplicates: boolean) => {
    if (dryRun) return;
    // The microcredential as synced: the domain half of every award's snapshot (exports read it).
    const microcredential = entries.find((entry) => entry.microcredential.id === id)?.microcredential;
    await ledger.putTemplate({ microcredentialId: id, templateId, fingerprint, state, allowDuplicates, ...(microcredential ? { microcredential } : {}), updatedAt: now().toISOString() });
  };

  const findByName = async (name: string): Promise<BadgeTemplate | undefined> => {
    for await (const template of client.badgeTemplates.list({ filter: { name: `"${name.replace(/"/g, '')}"` } })) {
      if (template.name === name && template.state !== 'archived') return template;
    }
    return undefined;
  };

  /** Create is a POST: after an ambiguous failure, look for the template before creating again. */
  const create = async (payload: CreateBadgeTemplateParams): Promise<BadgeTemplate> => {
    try {
      return await client.badgeTemplates.create({ ...payload, state: 'active' });
    } catch (error) {
      const ambiguous = error instanceof CredlyConnectionError || (error instanceof CredlyApiError && error.status >= 500);
      if (!ambiguous) throw error;
      return (await findByName(payload.name)) ?? client.badgeTemplates.create({ ...payload, state: 'active' });
    }
  };

  for (const { microcredential: micro, approval } of entries) {
    const id = micro.id;
    const existing = await ledger.getTemplate(id);
    const allowDuplicates = micro.badge.allowDuplicates ?? false;
    try {
      if (approval.state === 'retired') {
        if (!existing || existing.state === 'archived') {
          results.push({ microcredentialId: id, action: 'unchanged', templateId: existing?.templateId, reason: 'retired; no active template', dryRun });
          continue;
        }
        if (!dryRun) await client.badgeTemplates.update(existing.templateId, { state: 'archived' });
        await record(id, existing.templateId, existing.fingerprint, 'archived', existing.allowDuplicates);
        results.push({ microcredentialId: id, action: 'archived', templateId: existing.templateId, reason: 'the microcredential is retired', dryRun });
        continue;
      }
      if (approval.state !== 'approved') {
        results.push({ microcredentialId: id, action: 'skipped', reason: `it is ${approval.state}, not approved`, dryRun });
        continue;
      }
      const payload = templatePayload(micro, approval);
      const fingerprint = payloadFingerprint(payload);
      if (existing && existing.state !== 'active') {
        let gone = false;
        try {
          await client.badgeTemplates.get(existing.templateId);
        } catch (error) {
          if (!(error instanceof NotFoundError)) throw error;
          gone = true;
        }
        if (!gone) {
          results.push({ microcredentialId: id, action: 'failed', templateId: existing.templateId, reason: `its template is ${existing.state}${existing.unusableReason ? ` (${existing.unusableReason})` : ''}: re-activate it in Credly, then mark it active with sync-templates --reactivate`, dryRun });
          continue;
        }
        // Deleted in Credly: make a new one below.
      } else if (existing) {
        if (existing.fingerprint === fingerprint) {
          results.push({ microcredentialId: id, action: 'unchanged', templateId: existing.templateId, dryRun });
          continue;
        }
        const changed = changedFields(existing.fingerprint, fingerprint);
        if (!dryRun) await client.badgeTemplates.update(existing.templateId, Object.fromEntries(changed.filter((k) => k in payload).map((k) => [k, payload[k as keyof CreateBadgeTemplateParams]])));
        await record(id, existing.templateId, fingerprint, 'active', allowDuplicates);
        results.push({ microcredentialId: id, action: 'updated', templateId: existing.templateId, changedFields: changed, dryRun });
        continue;
      }
      const found = await findByName(payload.name);
      if (found) {
        if (!dryRun) await client.badgeTemplates.update(found.id, { ...payload, state: 'active' });
        await record(id, found.id, fingerprint, 'active', allowDuplicates);
        results.push({ microcredentialId: id, action: 'adopted', templateId: found.id, reason: 'a template with this exact name was already in Credly', dryRun });
        continue;
      }
      if (dryRun) {
        results.push({ microcredentialId: id, action: 'created', changedFields: Object.keys(payload).sort(), dryRun });
        continue;
      }
      let created = await create(payload);
      // Credly may ignore `state` on create (unverified): a draft template cannot issue, so activate it.
      if (created.state === 'draft') created = await client.badgeTemplates.update(created.id, { state: 'active' });
      await record(id, created.id, fingerprint, 'active', allowDuplicates);
      results.push({ microcredentialId: id, action: 'created', templateId: created.id, dryRun });
    } catch (error) {
      results.push({ microcredentialId: id, action: 'failed', templateId: existing?.templateId, reason: error instanceof Error ? error.message : String(error), dryRun });
    }
  }
  return results;
}

/** Marks a template usable again after it was re-activated in Credly (its ledger record says unusable or archived). */
export async function reactivateTemplate(ledger: Ledger, microcredentialId: string, now: () => Date = () => new Date()): Promise<void> {
  const existing = await ledger.getTemplate(microcredentialId);
  if (!existing) throw new Error(`no template is recorded for ${microcredentialId}`);
  const { unusableReason: _reason, ...rest } = existing;
  await ledger.putTemplate({ ...rest, state: 'active', updatedAt: now().toISOString() });
}
