import { naceCompetency } from '../domain/nace.js';
import type { Microcredential } from '../domain/microcredential.js';
import type { AwardRecord, AwardState, Ledger } from '../ledger/contract.js';
import { csvLine } from './csv.js';

/**
 * The registrar's export: one row per award, the columns below in this order (the header never
 * changes within a major version; new columns are only ever added at the end). docs/lifecycle.md
 * describes each column.
 */
export const EXPORT_COLUMNS = [
  'student_id',
  'first_name',
  'middle_name',
  'last_name',
  'email',
  'microcredential_id',
  'microcredential_title',
  'type',
  'credits',
  'nace_competencies',
  'issued_at',
  'badge_id',
  'badge_url',
  'credly_state',
  'accepted_at',
  'revoked_reason',
  'ledger_state',
] as const;
export type ExportColumn = (typeof EXPORT_COLUMNS)[number];

export interface ExportRow {
  readonly student_id: string;
  readonly first_name: string | null;
  readonly middle_name: string | null;
  readonly last_name: string | null;
  readonly email: string;
  readonly microcredential_id: string;
  readonly microcredential_title: string | null;
  /** `credit-bearing`, `non-credit` or a campus's `ext:` type. */
  readonly type: string | null;
  /** Null for a microcredential without credit details. */
  readonly credits: number | null;
  /** NACE competency titles, e.g. `Critical Thinking/Problem Solving`. */
  readonly nace_competencies: readonly string[];
  /** When the learner earned it (the `issued_at` sent to Credly). */
  readonly issued_at: string | null;
  readonly badge_id: string | null;
  readonly badge_url: string | null;
  /** The badge's state on Credly as last reconciled: pending, accepted, rejected, revoked, … (null: never reconciled). */
  readonly credly_state: string | null;
  readonly accepted_at: string | null;
  readonly revoked_reason: string | null;
  /** The award's state in the ledger: issued, revoked or replaced. */
  readonly ledger_state: AwardState;
}

export type ExportFormat = 'csv' | 'jsonl';

export interface ExportOptions {
  readonly format: ExportFormat;
  /** Award states to export (default: issued, revoked, replaced: every award that has a badge). */
  readonly states?: readonly AwardState[];
  readonly microcredentialId?: string;
}

const DEFAULT_STATES: readonly AwardState[] = ['issued', 'revoked', 'replaced'];

/** The rows of the export, sorted by microcredential, then student id (a stable order for diffs). */
export async function exportRows(ledger: Ledger, options: Omit<ExportOptions, 'format'> = {}): Promise<ExportRow[]> {
  const micro = new Map<string, Microcredential | undefined>((await ledger.listTemplates()).map((t) => [t.microcredentialId, t.microcredential]));
  const rows: ExportRow[] = [];
  const query = { state: options.states ?? DEFAULT_STATES, ...(options.microcredentialId ? { microcredentialId: options.microcredentialId } : {}) };
  for await (const award of ledger.queryAwards(query)) rows.push(exportRow(award, micro.get(award.microcredentialId)));
  return rows.sort((a, b) => compare(a.microcredential_id, b.microcredential_id) || compare(a.student_id, b.student_id) || compare(a.badge_id ?? '', b.badge_id ?? ''));
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function exportRow(award: AwardRecord, microcredential: Microcredential | undefined): ExportRow {
  const learner = award.snapshot?.learner;
  const credly = award.credly ?? null;
  return {
    student_id: award.earnerId,
    first_name: learner?.firstName ?? null,
    middle_name: learner?.middleName ?? null,
    last_name: learner?.lastName ?? null,
    email: award.email,
    microcredential_id: award.microcredentialId,
    microcredential_title: microcredential?.title ?? null,
    type: microcredential?.type ?? null,
    credits: microcredential?.credit?.credits ?? null,
    nace_competencies: (microcredential?.competencies ?? []).map((c) => naceCompetency(c.framework, c.code).title),
    issued_at: award.snapshot?.issuedAt ?? award.issuedAt ?? null,
    badge_id: award.badgeId,
    badge_url: credly?.url ?? null,
    credly_state: credly?.state ?? null,
    accepted_at: credly?.acceptedAt ?? null,
    revoked_reason: credly?.revokedReason ?? award.revocationReason ?? null,
    ledger_state: award.state,
  };
}

/** One row as CSV cells: competencies joined with `; `. */
function csvCells(row: ExportRow): Array<string | number | null> {
  return EXPORT_COLUMNS.map((column) => {
    const value = row[column];
    return Array.isArray(value) ? value.join('; ') : (value as string | number | null);
  });
}

/**
 * The export as text: CSV (RFC 4180, CRLF, a header row, formula-looking cells neutralized) or
 * JSON Lines (one object per award, the same keys, competencies as an array). Yields one line at a
 * time, so that a caller can stream it to a file.
 */
export async function* exportAwards(ledger: Ledger, options: ExportOptions): AsyncGenerator<string> {
  const rows = await exportRows(ledger, options);
  if (options.format === 'csv') {
    yield csvLine(EXPORT_COLUMNS);
    for (const row of rows) yield csvLine(csvCells(row));
    return;
  }
  for (const row of rows) yield `${JSON.stringify(Object.fromEntries(EXPORT_COLUMNS.map((c) => [c, row[c]])))}\n`;
}
