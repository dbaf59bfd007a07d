import type { CredlyClient } from '../credly/client.js';
import { NotFoundError } from '../credly/errors.js';
import { classifyFailure } from '../credly/failure.js';
import type { RequestOptions } from '../credly/transport.js';
import type { Ledger, TemplateRecord } from '../ledger/contract.js';
import type { MicrocredentialEntry } from './plan.js';

/** The templates a run issues with, as the ledger records them, once checked against Credly. */
export interface TemplateCheck {
  /** The ledger's template of each microcredential (those found unusable marked so). */
  readonly templates: ReadonlyMap<string, TemplateRecord>;
  /** Microcredentials whose template Credly archived or deleted since the last run, with why. */
  readonly unusable: ReadonlyMap<string, string>;
  /** Set when Credly refused the credentials: nothing else will work either. */
  readonly credentialsRefused?: string;
}

export interface TemplateCheckOptions {
  readonly client: CredlyClient;
  readonly ledger: Ledger;
  readonly microcredentials: readonly MicrocredentialEntry[];
  /** Options of each request (a stop signal, the rate's beforeAttempt hook). */
  readonly requestOptions?: RequestOptions;
  /** Record a template found unusable in the ledger (not in a dry run). */
  readonly record?: boolean;
  readonly now?: () => Date;
}

/**
 * Asks Credly for the template of each active microcredential the run names, all at once: one
 * archived or deleted since the last run is refused with a reason (and recorded so, unless
 * `record` is false). `issueBadges` runs it first; a caller may start it earlier, beside its own
 * credentials check, and pass the promise as `templateCheck`.
 */
export async function checkTemplates(options: TemplateCheckOptions): Promise<TemplateCheck> {
  const { client, ledger } = options;
  const now = options.now ?? (() => new Date());
  const templates = new Map<string, TemplateRecord>();
  for (const template of await ledger.listTemplates()) templates.set(template.microcredentialId, template);
  const unusable = new Map<string, string>();
  let credentialsRefused: string | undefined;
  const active = [...new Set(options.microcredentials.map((entry) => entry.microcredential.id))].flatMap((id) => {
    const template = templates.get(id);
    return template && template.state === 'active' ? [template] : [];
  });
  await Promise.all(
    active.map(async (template) => {
      let reason: string | undefined;
      try {
        const live = await client.badgeTemplates.get(template.templateId, options.requestOptions);
        if (live.state === 'archived') reason = 'archived in Credly';
      } catch (error) {
        if (error instanceof NotFoundError) reason = 'deleted in Credly';
        else if (classifyFailure(error) === 'credentials') credentialsRefused ??= error instanceof Error ? error.message : String(error);
        // Anything else: go on; the issue requests will say what is wrong.
      }
      if (!reason) return;
      unusable.set(template.microcredentialId, reason);
      if (options.record === false) return;
      const updated: TemplateRecord = { ...template, state: 'unusable', unusableReason: reason, updatedAt: now().toISOString() };
      await ledger.putTemplate(updated);
      templates.set(template.microcredentialId, updated);
    }),
  );
  return { templates, unusable, ...(credentialsRefused !== undefined ? { credentialsRefused } : {}) };
}
