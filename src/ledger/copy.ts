import type { AwardPatch, AwardRecord, Ledger, NewAward } from './contract.js';
import { VersionConflictError } from './errors.js';

export interface CopyLedgerReport {
  readonly awards: { readonly copied: number; readonly present: number };
  readonly templates: { readonly copied: number; readonly present: number };
  readonly events: { readonly copied: number; readonly present: number };
  readonly runs: number;
}

/**
 * Copies every award, template, webhook event and run of `source` into `target` (a file ledger
 * into PostgreSQL, typically). Idempotent: what the target already has is left as it is, because
 * workers may already be using it; running the copy again copies only what is missing.
 *
 * An award copied `issuing` arrives without a lease, so whoever claims it first takes it over and
 * looks the badge up in Credly before sending anything: no badge is issued twice by moving ledgers.
 * Versions, fences and leases are the target's own (they order writes within one ledger).
 */
export async function copyLedger(source: Ledger, target: Ledger): Promise<CopyLedgerReport> {
  const awards = { copied: 0, present: 0 };
  for await (const record of source.queryAwards()) {
    const { created, record: there } = await target.planAward(plannedFrom(record));
    const rest = restOf(record);
    // Fill in the rest when the target holds our own first half (a copy that stopped in between):
    // version 1 means nobody has written to it since; the version guard keeps it so.
    if ((created || (there.version === 1 && there.state === record.state)) && rest) {
      try {
        await target.writeAward(record.key, rest, { version: there.version });
      } catch (error) {
        if (!(error instanceof VersionConflictError)) throw error;
      }
    }
    if (created) awards.copied += 1;
    else awards.present += 1;
  }

  const templates = { copied: 0, present: 0 };
  for (const template of await source.listTemplates()) {
    if (await target.getTemplate(template.microcredentialId)) {
      templates.present += 1;
      continue;
    }
    await target.putTemplate(template);
    templates.copied += 1;
  }

  const events = { copied: 0, present: 0 };
  for await (const event of source.queryEvents()) {
    // Without a lease: the receiver that held it processes against the source, not the copy.
    if ((await target.recordEvent({ ...event, lease: null })).created) events.copied += 1;
    else events.present += 1;
  }

  let runs = 0;
  for (const run of await source.listRuns({ limit: Number.MAX_SAFE_INTEGER })) {
    await target.putRun(run);
    runs += 1;
  }
  return { awards, templates, events, runs };
}

/** The award as `planAward` takes it: identity, state, badge and what it was. */
function plannedFrom(record: AwardRecord): NewAward {
  return {
    key: record.key,
    microcredentialId: record.microcredentialId,
    templateId: record.templateId,
    email: record.email,
    earnerId: record.earnerId,
    state: record.state,
    row: record.row ?? null,
    snapshot: record.snapshot,
    request: record.request,
    badgeId: record.badgeId,
    ...(record.how ? { how: record.how } : {}),
    issuedAt: record.issuedAt ?? null,
    credly: record.credly ?? null,
  };
}

/** The fields `planAward` does not take, when any is set. */
function restOf(record: AwardRecord): AwardPatch | null {
  const rest: AwardPatch = {
    ...(record.attempts ? { attempts: record.attempts } : {}),
    ...(record.lastError !== null ? { lastError: record.lastError } : {}),
    ...(record.previousBadgeIds?.length ? { previousBadgeIds: record.previousBadgeIds } : {}),
    ...(record.revocationReason !== undefined ? { revocationReason: record.revocationReason } : {}),
  };
  return Object.keys(rest).length > 0 ? rest : null;
}
