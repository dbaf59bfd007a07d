import type { AwardPatch, AwardRecord, AwardState, EventRecord, ExistingAward, RunRecord, TemplateRecord, TemplateRecordState } from '../contract.js';

// Rows as `pg` returns them, and their records. Instants the ledger judges leases by are
// timestamptz; instants the caller supplies (issuedAt, receivedAt …) are kept as the exact text
// given, so that a record reads back as it was written.

export interface AwardRow {
  key: string;
  microcredential_id: string;
  template_id: string;
  email: string;
  earner_id: string;
  state: AwardState;
  version: number;
  fence: number;
  lease_owner: string | null;
  lease_until: Date | null;
  attempts: number;
  badge_id: string | null;
  how: AwardRecord['how'] | null;
  roster_row: number | null;
  request: AwardRecord['request'];
  snapshot: AwardRecord['snapshot'];
  last_error: string | null;
  issued_at: string | null;
  previous_badge_ids: string[] | null;
  revocation_reason: string | null;
  credly: AwardRecord['credly'] | null;
  created_at: Date;
  updated_at: Date;
}

/** The award columns a query returns (everything but `seq`, which is ours). */
export const AWARD_COLUMNS =
  'key, microcredential_id, template_id, email, earner_id, state, version, fence, lease_owner, lease_until, attempts, badge_id, how, roster_row, request, snapshot, last_error, issued_at, previous_badge_ids, revocation_reason, credly, created_at, updated_at';

export function awardFromRow(row: AwardRow): AwardRecord {
  return {
    key: row.key,
    microcredentialId: row.microcredential_id,
    templateId: row.template_id,
    email: row.email,
    earnerId: row.earner_id,
    state: row.state,
    version: row.version,
    fence: row.fence,
    lease: row.lease_owner !== null && row.lease_until !== null ? { owner: row.lease_owner, until: row.lease_until.toISOString() } : null,
    attempts: row.attempts,
    badgeId: row.badge_id,
    ...(row.how ? { how: row.how } : {}),
    row: row.roster_row,
    request: row.request,
    snapshot: row.snapshot,
    lastError: row.last_error,
    issuedAt: row.issued_at,
    ...(row.previous_badge_ids ? { previousBadgeIds: row.previous_badge_ids } : {}),
    ...(row.revocation_reason !== null ? { revocationReason: row.revocation_reason } : {}),
    credly: row.credly ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The columns `ExistingAward` is read from (not the request and snapshot themselves). */
export type ExistingRow = Pick<AwardRow, 'key' | 'email' | 'state' | 'version' | 'attempts' | 'badge_id' | 'revocation_reason' | 'updated_at'> & { has_request: boolean };

export const EXISTING_COLUMNS = (alias: string): string =>
  ['key', 'email', 'state', 'version', 'attempts', 'badge_id', 'revocation_reason', 'updated_at'].map((c) => `${alias}.${c}`).join(', ') + `, ${alias}.request IS NOT NULL AS has_request`;

export function existingFromRow(row: ExistingRow): ExistingAward {
  return {
    key: row.key,
    email: row.email,
    state: row.state,
    version: row.version,
    attempts: row.attempts,
    badgeId: row.badge_id,
    ...(row.revocation_reason !== null ? { revocationReason: row.revocation_reason } : {}),
    updatedAt: row.updated_at.toISOString(),
    hasRequest: row.has_request,
  };
}

/** A JSON column's parameter: `pg` would turn a JS array into a PostgreSQL array, so send text. */
export function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** Each patchable field's column, and whether it is JSON. */
const PATCH_COLUMNS: Readonly<Record<keyof AwardPatch, readonly [column: string, isJson: boolean]>> = {
  state: ['state', false],
  templateId: ['template_id', false],
  email: ['email', false],
  attempts: ['attempts', false],
  badgeId: ['badge_id', false],
  how: ['how', false],
  row: ['roster_row', false],
  request: ['request', true],
  snapshot: ['snapshot', true],
  lastError: ['last_error', false],
  issuedAt: ['issued_at', false],
  previousBadgeIds: ['previous_badge_ids', true],
  revocationReason: ['revocation_reason', false],
  credly: ['credly', true],
};

/**
 * `SET` assignments for a patch, with their parameters numbered from `firstParam`. A field left
 * undefined is not written (as `applyPatch` does); null clears it.
 */
export function patchAssignments(patch: AwardPatch, firstParam: number): { sql: string[]; params: unknown[] } {
  const sql: string[] = [];
  const params: unknown[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const mapping = PATCH_COLUMNS[field as keyof AwardPatch];
    if (!mapping) continue;
    const [column, isJson] = mapping;
    params.push(isJson ? json(value) : value);
    sql.push(`${column} = $${firstParam + params.length - 1}${isJson ? '::jsonb' : ''}`);
  }
  return { sql, params };
}

/** The patchable columns that hold integers (the others are text or JSON). */
const INTEGER_PATCH_FIELDS: ReadonlySet<keyof AwardPatch> = new Set(['attempts', 'row']);

/**
 * `SET` assignments that apply a patch held as a JSON object in `source` (a column of a row of
 * patches): a field the object has is written (a JSON null clears it), a field it lacks is kept,
 * as `patchAssignments` does for one patch. `target` is the updated table's alias.
 */
export function jsonPatchAssignments(target: string, source: string): string[] {
  return Object.entries(PATCH_COLUMNS).map(([field, [column, isJson]]) => {
    const value = isJson
      ? `nullif(${source}->'${field}', 'null'::jsonb)`
      : INTEGER_PATCH_FIELDS.has(field as keyof AwardPatch)
        ? `(${source}->>'${field}')::integer`
        : `${source}->>'${field}'`;
    return `${column} = CASE WHEN ${source} ? '${field}' THEN ${value} ELSE ${target}.${column} END`;
  });
}

export interface TemplateRow {
  microcredential_id: string;
  template_id: string;
  fingerprint: string;
  state: TemplateRecordState;
  unusable_reason: string | null;
  allow_duplicates: boolean;
  microcredential: TemplateRecord['microcredential'] | null;
  updated_at: string;
}

export function templateFromRow(row: TemplateRow): TemplateRecord {
  return {
    microcredentialId: row.microcredential_id,
    templateId: row.template_id,
    fingerprint: row.fingerprint,
    state: row.state,
    ...(row.unusable_reason !== null ? { unusableReason: row.unusable_reason } : {}),
    allowDuplicates: row.allow_duplicates,
    ...(row.microcredential ? { microcredential: row.microcredential } : {}),
    updatedAt: row.updated_at,
  };
}

export interface EventRow {
  event_id: string;
  event_type: string;
  organization_id: string;
  occurred_at: string | null;
  state: EventRecord['state'];
  received_at: string;
  processed_at: string | null;
  attempts: number;
  last_error: string | null;
  lease_owner: string | null;
  lease_until: Date | null;
}

export function eventFromRow(row: EventRow): EventRecord {
  return {
    eventId: row.event_id,
    eventType: row.event_type,
    organizationId: row.organization_id,
    occurredAt: row.occurred_at,
    state: row.state,
    receivedAt: row.received_at,
    ...(row.processed_at !== null ? { processedAt: row.processed_at } : {}),
    attempts: row.attempts,
    ...(row.last_error !== null ? { lastError: row.last_error } : {}),
    lease: row.lease_owner !== null && row.lease_until !== null ? { owner: row.lease_owner, until: row.lease_until.toISOString() } : null,
  };
}

/** `eventParams`' columns, in order. */
export const EVENT_COLUMNS = 'event_id, event_type, organization_id, occurred_at, state, received_at, processed_at, attempts, last_error, lease_owner, lease_until';

export function eventParams(record: EventRecord): unknown[] {
  return [
    record.eventId,
    record.eventType,
    record.organizationId,
    record.occurredAt,
    record.state,
    record.receivedAt,
    record.processedAt ?? null,
    record.attempts,
    record.lastError ?? null,
    record.lease?.owner ?? null,
    record.lease?.until ?? null,
  ];
}

export interface RunRow {
  run_id: string;
  command: string;
  owner: string;
  started_at: string;
  finished_at: string | null;
  totals: RunRecord['totals'];
  failures: RunRecord['failures'];
  stopped_because: string | null;
}

export function runFromRow(row: RunRow): RunRecord {
  return {
    runId: row.run_id,
    command: row.command,
    owner: row.owner,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    totals: row.totals,
    failures: row.failures,
    ...(row.stopped_because !== null ? { stoppedBecause: row.stopped_because } : {}),
  };
}
