import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parse as parseSync } from 'csv-parse/sync';
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

/** Options of the roster readers. */
export interface RosterReadOptions {
  /** The file's text encoding: UTF-8 (the default; other bytes are refused with the row), or latin1. */
  readonly encoding?: RosterEncoding;
  /** Told once about what the reader noticed but did not refuse: columns it does not read. */
  readonly onWarning?: (message: string) => void;
}

export const ROSTER_ENCODINGS = ['utf8', 'latin1'] as const;
export type RosterEncoding = (typeof ROSTER_ENCODINGS)[number];

/** The physical lines of a byte stream, without their line ends, numbered from 1. */
async function* byteLines(input: Readable): AsyncGenerator<{ line: number; bytes: Buffer }> {
  let pending = Buffer.alloc(0);
  let line = 0;
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    pending = Buffer.concat([pending, typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk]);
    let at: number;
    while ((at = pending.indexOf(0x0a)) >= 0) {
      line += 1;
      const end = at > 0 && pending[at - 1] === 0x0d ? at - 1 : at;
      yield { line, bytes: pending.subarray(0, end) };
      pending = pending.subarray(at + 1);
    }
  }
  if (pending.length) yield { line: line + 1, bytes: pending[pending.length - 1] === 0x0d ? pending.subarray(0, -1) : pending };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a line, or says where its bytes are not UTF-8. */
function decode(bytes: Buffer, encoding: RosterEncoding, where: string): string {
  if (encoding === 'latin1') return bytes.toString('latin1');
  try {
    return utf8.decode(bytes);
  } catch {
    const at = bytes.findIndex((b) => b >= 0x80);
    throw new RosterFormatError(
      `${where} is not UTF-8 text (byte 0x${bytes[at]?.toString(16).toUpperCase()} at byte ${at + 1} of the line): save the roster as "CSV UTF-8", or read it with --encoding latin1 (encoding: 'latin1')`,
    );
  }
}

/** Quotes in a line that are not escaped as "" leave a quoted value open when their count is odd. */
const opensQuote = (text: string) => (text.match(/"/g)?.length ?? 0) % 2 === 1;

/** The delimiter of a header line: the one of , ; and tab that names the most roster columns. */
function detectDelimiter(header: string): ',' | ';' | '\t' {
  const score = (d: string) => header.split(d).filter((name) => lookup.has(normalise(name.replace(/"/g, '').trim()))).length;
  return ([',', ';', '\t'] as const).reduce((best, d) => (score(d) > score(best) ? d : best), ',' as ',' | ';' | '\t');
}

/** One record's cells, or why it cannot be read. */
function parseRecord(text: string, delimiter: string): { cells?: string[]; problem?: string; field?: number } {
  // Without a quote a CSV record is its cells split at the delimiter (RFC 4180: only quotes escape):
  // the usual row skips building a parser, which costs more than the rest of the row's reading.
  if (!text.includes('"')) return { cells: text === '' ? [] : text.split(delimiter).map((cell) => cell.trim()) };
  try {
    const records = parseSync(text, { delimiter, bom: false, trim: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
    return { cells: records[0] ?? [] };
  } catch (error) {
    const code = String((error as { code?: string }).code);
    const match = /field (\d+)/.exec((error as Error).message); // 0-based
    const field = match ? Number(match[1]) : undefined;
    if (code.includes('QUOTE_NOT_CLOSED')) return { problem: 'a quote (") is opened and never closed: close it, or remove it' };
    if (code.includes('INVALID_OPENING_QUOTE') || code.includes('INVALID_CLOSING_QUOTE')) {
      return { problem: 'a quote (") inside a value that is not quoted: quote the whole value and double the quote ("O""Brien"), or remove it', ...(field !== undefined ? { field } : {}) };
    }
    return { problem: `the row is not valid CSV (${(error as Error).message})` };
  }
}

/**
 * Reads a CSV roster from a stream: comma-, semicolon- or tab-delimited (told by the header),
 * UTF-8 (or latin1). A row with a stray or unclosed quote is a problem of that row only; the rows
 * around it are read. An empty file, a header naming a column twice, or bytes that are not UTF-8
 * refuse the roster (RosterFormatError); a header alone is a roster of no rows.
 */
export async function* readCsvRoster(input: Readable, options: RosterReadOptions = {}): AsyncGenerator<RosterRow> {
  yield* csvRoster(input, options, false);
}

/** The CSV reader; with `structureOnly`, each row is yielded without being read (see `scanRosterFile`). */
async function* csvRoster(input: Readable, options: RosterReadOptions, structureOnly: boolean): AsyncGenerator<RosterRow> {
  const encoding = options.encoding ?? 'utf8';
  let header: Array<Column | undefined> | undefined;
  let names: string[] = [];
  let delimiter = ',';
  let row = 0;
  // A record that spans lines (a quoted value with a line break), while its quote is open.
  let open: { text: string; firstLine: number } | undefined;

  function* emit(text: string): Generator<RosterRow> {
    row += 1;
    if (structureOnly) {
      yield { ok: false, row, problems: [] };
      return;
    }
    const parsed = parseRecord(text, delimiter);
    if (!parsed.cells) {
      yield { ok: false, row, problems: [{ field: (parsed.field !== undefined && names[parsed.field]) || '(row)', message: parsed.problem! }] };
      return;
    }
    yield rowFrom(parsed.cells);
  }

  const rowFrom = (cells: string[]): RosterRow => {
    const record: Partial<Record<Column, string>> = {};
    header!.forEach((column, index) => {
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
    return finish(row, awardeeInput, { microcredentialId: record.microcredential?.trim() || undefined, templateId: record.templateId?.trim() || undefined }, problems, fieldName);
  };

  for await (const { line, bytes } of byteLines(input)) {
    let text = decode(bytes, encoding, header ? `line ${line} (row ${row + 1})` : 'the header line');
    if (line === 1) text = text.replace(/^\uFEFF/, '');
    if (!header) {
      if (text.trim() === '') continue;
      delimiter = detectDelimiter(text);
      const parsed = parseRecord(text, delimiter);
      if (!parsed.cells) throw new RosterFormatError(`the roster's header line cannot be read: ${parsed.problem}`);
      names = parsed.cells.map((c) => c.trim());
      header = names.map((name) => lookup.get(normalise(name)));
      const seen = new Map<string, string>();
      names.forEach((name, index) => {
        const key = header![index] ?? normalise(name);
        const earlier = seen.get(key);
        if (earlier !== undefined) throw new RosterFormatError(`the roster's header names the column "${name}" twice${earlier !== name ? ` (as "${earlier}" and "${name}")` : ''}: remove one, so that it is clear which value counts`);
        seen.set(key, name);
      });
      const present = new Set(header);
      const missing = (['email', 'firstName', 'lastName'] as const).filter((c) => !present.has(c));
      if (missing.length) {
        const hint = delimiter === ',' && text.includes(';') ? ' (if the file is semicolon-delimited, its header should name them separated by ";")' : '';
        throw new RosterFormatError(`the roster's header has no ${missing.map((c) => `"${ROSTER_COLUMNS[c][0]}"`).join(', ')} column; the columns are: ${names.join(', ')}${hint}`);
      }
      const unknown = names.filter((name, index) => !header![index] && name !== '');
      if (unknown.length) options.onWarning?.(`the roster's column(s) ${unknown.map((n) => `"${n}"`).join(', ')} are not read (the columns read are listed in docs/issuance.md)`);
      continue;
    }
    if (open) {
      // Is this line the next row, and the open quote a mistake? Then the open record is a bad row.
      const standalone = !opensQuote(text) && parseRecord(text, delimiter).cells;
      if (standalone && looksLikeRow(standalone, header)) {
        yield* emit(open.text);
        open = undefined;
      } else {
        open.text += `\n${text}`;
        if (!opensQuote(open.text)) {
          const done = open.text;
          open = undefined;
          yield* emit(done);
        }
        continue;
      }
    }
    if (text.trim() === '') continue;
    if (opensQuote(text)) {
      open = { text, firstLine: line };
      continue;
    }
    yield* emit(text);
  }
  if (!header) throw new RosterFormatError('the roster is empty: its first line must name the columns (e.g. Microcredential,Recipient Email,First Name,Last Name)');
  if (open) yield* emit(open.text);
}

/** A line that reads as a complete roster row: an email where the header has its email column. */
function looksLikeRow(cells: string[], header: Array<Column | undefined>): boolean {
  const at = header.indexOf('email');
  return at >= 0 && /^[^@\s]+@[^@\s]+$/.test(cells[at] ?? '');
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

/**
 * The rows a roster file holds, counted as `readRosterFile` would yield them, and the errors it
 * would raise for the file as a whole (an empty file, a header without the columns read, bytes
 * that are not UTF-8), without reading the rows themselves: a first pass, before anything is sent,
 * costs a fraction of reading the roster.
 */
export async function scanRosterFile(path: string, options: RosterReadOptions = {}): Promise<number> {
  let rows = 0;
  if (/\.(jsonl|ndjson)$/i.test(path)) {
    for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) if (line.trim() !== '') rows += 1;
    return rows;
  }
  for await (const _row of csvRoster(createReadStream(path), options, true)) rows += 1;
  return rows;
}

/** Reads a roster file, CSV or JSON Lines by its extension (`.jsonl`, `.ndjson` are JSON Lines). */
export function readRosterFile(path: string, options: RosterReadOptions = {}): AsyncGenerator<RosterRow> {
  const stream = createReadStream(path);
  return /\.(jsonl|ndjson)$/i.test(path) ? readJsonLinesRoster(stream) : readCsvRoster(stream, options);
}
