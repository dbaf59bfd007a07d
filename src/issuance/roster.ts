import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { awardeeSchema, type Awardee } from '../domain/awardee.js';
import { toDomainIssues } from '../domain/parse.js';

/**
 * Roster rows: a learner to be issued a microcredential's badge, with evidence. CSV (with the
 * column names of Credly's bulk-issue sheet where they overlap) or JSON Lines. Read as a stream:
 * a roster of any size is never held in memory.
 */
export interface RosterProblem {
  /** The column (CSV) or field path (JSON Lines). */
  readonly field: string;
  readonly message: string;
}

export type RosterRow =
  | {
      readonly ok: true;
      /** 1-based data row (the CSV header is not counted; for JSON Lines, the line). */
      readonly row: number;
      /** The microcredential id, or undefined when the row names only a Credly template id. */
      readonly microcredentialId: string | undefined;
      readonly templateId: string | undefined;
      readonly awardee: Awardee;
    }
  | { readonly ok: false; readonly row: number; readonly problems: readonly RosterProblem[] };

/** CSV columns we read, each with the names it may go by (compared without case, spaces or underscores). */
export const ROSTER_COLUMNS = {
  microcredential: ['Microcredential', 'Microcredential ID'],
  templateId: ['Badge Template ID'],
  email: ['Recipient Email', 'Email'],
  firstName: ['First Name'],
  middleName: ['Middle Name'],
  lastName: ['Last Name'],
  campusId: ['Issuer Earner ID', 'Campus ID'],
  locale: ['Locale'],
  issuedAt: ['Issued at', 'Issued At Date'],
  expiresAt: ['Expiration Date', 'Expires At'],
  evidenceName: ['Evidence Name'],
  evidenceUrl: ['Evidence URL'],
  evidenceDescription: ['Evidence Description'],
  textEvidenceName: ['Text Evidence Name'],
  textEvidence: ['Text Evidence', 'Text Evidence Description'],
  idEvidenceTitle: ['ID Evidence Title'],
  idEvidenceDescription: ['ID Evidence Description'],
  assessmentName: ['Assessment Name'],
  assessmentScore: ['Assessment Score'],
  assessmentMaxScore: ['Assessment Max Score'],
  evidenceOptOut: ['Evidence Opt Out'],
} as const;
type Column = keyof typeof ROSTER_COLUMNS;

const normalise = (name: string) => name.toLowerCase().replace(/[\s_-]+/g, '');
const lookup = new Map<string, Column>(
  Object.entries(ROSTER_COLUMNS).flatMap(([column, names]) => names.map((name) => [normalise(name), column as Column] as const)),
);

/**
 * A date from the roster: ISO 8601 with an offset as it is; Credly's sheet dates (`mm/dd/yy`,
 * `mm/dd/yyyy`) and plain `yyyy-mm-dd` become noon UTC that day, so that the day shown is the same
 * across the Americas and Europe.
 */
export function rosterDate(value: string, column: string): { value?: string; problem?: string } {
  const text = value.trim();
  if (/T\d{2}:\d{2}/.test(text)) return { value: text };
  let m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(text);
  let year: number, month: number, day: number;
  if (m) {
    month = Number(m[1]);
    day = Number(m[2]);
    year = m[3]!.length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
  } else if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text))) {
    year = Number(m[1]);
    month = Number(m[2]);
    day = Number(m[3]);
  } else {
    return { problem: `${column} "${text}" is not a date: use mm/dd/yyyy, yyyy-mm-dd, or a date-time with an offset` };
  }
  const date = new Date(Date.UTC(year, month - 1, day, 12));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return { problem: `${column} "${text}" is not a real date` };
  return { value: date.toISOString().replace('.000Z', 'Z') };
}

/** Maps a CSV record (by our column names) to the awardee input. */
function csvToInput(record: Partial<Record<Column, string>>, problems: RosterProblem[], columnName: (c: Column) => string) {
  const get = (c: Column) => {
    const v = record[c]?.trim();
    return v ? v : undefined;
  };
  const evidence: unknown[] = [];
  if (get('evidenceUrl') || get('evidenceName')) {
    evidence.push({ kind: 'url', name: get('evidenceName') ?? 'Evidence', url: get('evidenceUrl'), ...(get('evidenceDescription') ? { description: get('evidenceDescription') } : {}) });
  }
  if (get('textEvidence') || get('textEvidenceName')) {
    evidence.push({ kind: 'text', name: get('textEvidenceName') ?? 'Evidence', text: get('textEvidence') });
  }
  if (get('idEvidenceTitle') || get('idEvidenceDescription')) {
    evidence.push({ kind: 'id', title: get('idEvidenceTitle'), description: get('idEvidenceDescription') });
  }
  if (get('assessmentScore') || get('assessmentName')) {
    const score = Number(get('assessmentScore'));
    const max = get('assessmentMaxScore');
    evidence.push({ kind: 'assessment', name: get('assessmentName') ?? 'Assessment', score: get('assessmentScore') === undefined ? undefined : score, ...(max ? { maxScore: Number(max) } : {}) });
  }
  const dates: Record<string, string> = {};
  for (const [column, key] of [['issuedAt', 'issuedAt'], ['expiresAt', 'expiresAt']] as const) {
    const raw = get(column);
    if (!raw) continue;
    const parsed = rosterDate(raw, columnName(column));
    if (parsed.problem) problems.push({ field: columnName(column), message: parsed.problem });
    else dates[key] = parsed.value!;
  }
  const optOut = get('evidenceOptOut');
  if (optOut && !/^(yes|no|true|false|y|n|1|0)$/i.test(optOut)) {
    problems.push({ field: columnName('evidenceOptOut'), message: `"${optOut}" should be yes or no` });
  }
  return {
    learner: {
      email: get('email'),
      firstName: get('firstName'),
      ...(get('middleName') ? { middleName: get('middleName') } : {}),
      lastName: get('lastName'),
      ...(get('campusId') ? { campusId: get('campusId') } : {}),
      ...(get('locale') ? { locale: get('locale') } : {}),
    },
    evidence,
    ...dates,
    ...(optOut ? { evidenceOptOut: /^(yes|true|y|1)$/i.test(optOut) } : {}),
  };
}

/** Where each awardee field came from in the CSV, to name the column in a problem. */
const FIELD_TO_COLUMN: Record<string, Column> = {
  'learner.email': 'email',
  'learner.firstName': 'firstName',
  'learner.middleName': 'middleName',
  'learner.lastName': 'lastName',
  'learner.campusId': 'campusId',
  'learner.locale': 'locale',
  issuedAt: 'issuedAt',
  expiresAt: 'expiresAt',
};

const EVIDENCE_FIELD_TO_COLUMN: Record<string, Column> = {
  url: 'evidenceUrl',
  text: 'textEvidence',
  title: 'idEvidenceTitle',
  score: 'assessmentScore',
  maxScore: 'assessmentMaxScore',
};

function finish(
  row: number,
  input: unknown,
  ids: { microcredentialId: string | undefined; templateId: string | undefined },
  problems: RosterProblem[],
  fieldName: (path: string) => string,
): RosterRow {
  if (!ids.microcredentialId && !ids.templateId) {
    problems.push({ field: fieldName('microcredential'), message: 'the row names no microcredential (a Microcredential or Badge Template ID column)' });
  }
  const parsed = awardeeSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of toDomainIssues(parsed.error.issues)) problems.push({ field: fieldName(issue.path), message: issue.message });
  }
  if (problems.length > 0 || !parsed.success) return { ok: false, row, problems };
  return { ok: true, row, microcredentialId: ids.microcredentialId, templateId: ids.templateId, awardee: parsed.data };
}

/** Reads a CSV roster from a stream. */
export async function* readCsvRoster(input: Readable): AsyncGenerator<RosterRow> {
  const parser = input.pipe(parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true }));
  let header: Array<Column | undefined> | undefined;
  let names: string[] = [];
  let row = 0;
  for await (const cells of parser as AsyncIterable<string[]>) {
    if (!header) {
      names = cells.map((c) => c.trim());
      header = names.map((name) => lookup.get(normalise(name)));
      const present = new Set(header);
      const missing = (['email', 'firstName', 'lastName'] as const).filter((c) => !present.has(c));
      if (missing.length) {
        throw new RosterFormatError(`the roster's header has no ${missing.map((c) => `"${ROSTER_COLUMNS[c][0]}"`).join(', ')} column; the columns are: ${names.join(', ')}`);
      }
      continue;
    }
    row += 1;
    const record: Partial<Record<Column, string>> = {};
    header.forEach((column, index) => {
      if (column && cells[index] !== undefined) record[column] = cells[index];
    });
    const columnName = (c: Column) => names[header!.indexOf(c)] ?? ROSTER_COLUMNS[c][0];
    const problems: RosterProblem[] = [];
    const awardeeInput = csvToInput(record, problems, columnName);
    const fieldName = (path: string) => {
      if (path === 'microcredential') return 'Microcredential';
      const column = FIELD_TO_COLUMN[path];
      if (column) return columnName(column);
      const evidenceField = /^evidence\[\d+\]\.(\w+)/.exec(path)?.[1];
      if (evidenceField && EVIDENCE_FIELD_TO_COLUMN[evidenceField]) return columnName(EVIDENCE_FIELD_TO_COLUMN[evidenceField]);
      return path;
    };
    yield finish(row, awardeeInput, { microcredentialId: record.microcredential?.trim() || undefined, templateId: record.templateId?.trim() || undefined }, problems, fieldName);
  }
}

/** Reads a JSON Lines roster: each line `{ "microcredential": id, "learner": {...}, "evidence": [...], ... }`. */
export async function* readJsonLinesRoster(input: Readable): AsyncGenerator<RosterRow> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let row = 0;
  let first = true;
  for await (let line of lines) {
    row += 1;
    if (first) {
      line = line.replace(/^\uFEFF/, '');
      first = false;
    }
    if (line.trim() === '') continue;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(line) as Record<string, unknown>;
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    } catch {
      yield { ok: false, row, problems: [{ field: '(line)', message: 'the line is not a JSON object' }] };
      continue;
    }
    const { microcredential, microcredentialId, badgeTemplateId, ...rest } = value;
    const id = (microcredential ?? microcredentialId) as unknown;
    yield finish(
      row,
      rest,
      { microcredentialId: typeof id === 'string' && id.trim() ? id.trim() : undefined, templateId: typeof badgeTemplateId === 'string' ? badgeTemplateId : undefined },
      [],
      (path) => path,
    );
  }
}

/** The roster cannot be read at all (no usable header, unknown format). */
export class RosterFormatError extends Error {
  override readonly name = 'RosterFormatError';
  readonly code = 'ROSTER_FORMAT';
}

/** Reads a roster file, CSV or JSON Lines by its extension (`.jsonl`, `.ndjson` are JSON Lines). */
export function readRosterFile(path: string): AsyncGenerator<RosterRow> {
  const stream = createReadStream(path);
  return /\.(jsonl|ndjson)$/i.test(path) ? readJsonLinesRoster(stream) : readCsvRoster(stream);
}
