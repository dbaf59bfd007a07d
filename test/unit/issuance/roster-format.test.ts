import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readCsvRoster, readRosterFile, RosterFormatError, type RosterRow } from '../../../src/index.js';
// Internal: the CLI's pre-flight pass.
import { checkRosterFile } from '../../../src/issuance/roster.js';

const HEADER = 'Microcredential,Recipient Email,First Name,Last Name';
const good = (k: number, sep = ',') => ['coding-in-sql', `learner${k}@example.edu`, 'Ada', `Number${k}`].join(sep);

async function read(content: string | Buffer, options: Parameters<typeof readCsvRoster>[1] = {}): Promise<RosterRow[]> {
  const rows: RosterRow[] = [];
  for await (const row of readCsvRoster(Readable.from([typeof content === 'string' ? Buffer.from(content) : content]), options)) rows.push(row);
  return rows;
}

const summary = (rows: RosterRow[]) => rows.map((r) => (r.ok ? `${r.row} ok ${r.awardee.learner.lastName}` : `${r.row} ${r.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`));

describe('roster format problems', () => {
  it('a bare quote is a problem of its row; the rows around it are read', async () => {
    const rows = await read([HEADER, good(1), 'coding-in-sql,l2@example.edu,Ada,O"Brien', good(3)].join('\n'));
    expect(summary(rows)).toEqual([
      '1 ok Number1',
      '2 Last Name: a quote (") inside a value that is not quoted: quote the whole value and double the quote ("O""Brien"), or remove it',
      '3 ok Number3',
    ]);
  });

  it('an unclosed quote is a problem of its row, not the end of the roster', async () => {
    const rows = await read([HEADER, good(1), 'coding-in-sql,l2@example.edu,"Ada,Lovelace', good(3), good(4)].join('\r\n'));
    expect(summary(rows)).toEqual(['1 ok Number1', '2 (row): a quote (") is opened and never closed: close it, or remove it', '3 ok Number3', '4 ok Number4']);
  });

  it('a quoted value with a line break is still one row', async () => {
    const rows = await read([`${HEADER},Text Evidence Name,Text Evidence`, `${good(1)},Reflection,"line one`, `line two"`, good(2) + ',,'].join('\n'));
    expect(summary(rows)).toEqual(['1 ok Number1', '2 ok Number2']);
    expect(rows[0]!.ok && rows[0]!.awardee.evidence[0]).toMatchObject({ kind: 'text', text: 'line one\nline two' });
  });

  it('refuses a header that names a column twice, naming it', async () => {
    await expect(read(`${HEADER},Last Name\n${good(1)},X\n`)).rejects.toThrow('the roster\'s header names the column "Last Name" twice');
    await expect(read(`${HEADER},Email\n${good(1)},x@example.edu\n`)).rejects.toThrow('names the column "Email" twice (as "Recipient Email" and "Email")');
  });

  it('an empty file is an error; a header alone is a roster of no rows', async () => {
    await expect(read('')).rejects.toThrow(/the roster is empty: its first line must name the columns/);
    await expect(read('\n\n')).rejects.toBeInstanceOf(RosterFormatError);
    expect(await read(`${HEADER}\n`)).toEqual([]);
  });

  it('refuses bytes that are not UTF-8 with the row and a hint, and reads them as latin1 when told', async () => {
    const latin1 = Buffer.concat([Buffer.from(`${HEADER}\n${good(1)}\ncoding-in-sql,l2@example.edu,Ren`), Buffer.from([0xe9]), Buffer.from(',Number2\n')]);
    await expect(read(latin1)).rejects.toThrow('line 3 (row 2) is not UTF-8 text (byte 0xE9 at byte 33 of the line): save the roster as "CSV UTF-8", or read it with --encoding latin1');
    const rows = await read(latin1, { encoding: 'latin1' });
    expect(rows[1]!.ok && rows[1]!.awardee.learner.firstName).toBe('René');
  });

  it.each([
    ['semicolon', ';'],
    ['tab', '\t'],
  ])('detects a %s-delimited export', async (_name, sep) => {
    const rows = await read([HEADER.replaceAll(',', sep), good(1, sep), good(2, sep)].join('\n'));
    expect(summary(rows)).toEqual(['1 ok Number1', '2 ok Number2']);
  });

  it('reports unknown columns once, not silently', async () => {
    const warnings: string[] = [];
    const rows = await read([`${HEADER},Grade,Advisor`, `${good(1)},A,Smith`, `${good(2)},B,Jones`].join('\n'), { onWarning: (m) => warnings.push(m) });
    expect(rows).toHaveLength(2);
    expect(warnings).toEqual(['the roster\'s column(s) "Grade", "Advisor" are not read (the columns read are listed in docs/issuance.md)']);
  });
});

describe('checkRosterFile (the pre-flight pass of `issue`)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'roster-check-'));
  const file = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('counts the rows readRosterFile reads, through quotes, line breaks, bad rows and blank lines', async () => {
    const text =
      'Microcredential,Recipient Email,First Name,Last Name\n' +
      'sql,a@example.edu,Ann,Lee\n' +
      '\n' +
      'sql,"b@example.edu",Bo,"Line one\nline two"\n' +
      'sql,c@example.edu,C"hris,Dee\n' +
      'sql,d@example.edu,"Dana,Ng\n' +
      'sql,e@example.edu,Eve,Orr\n' +
      'sql,not-an-email,Fay,Poe';
    const path = file('mixed.csv', text);
    let rows = 0;
    for await (const _row of readRosterFile(path)) rows += 1;
    expect(rows).toBe(5); // the two lines with one stray quote each close each other: one (bad) row
    expect(await checkRosterFile(path)).toBe(rows);
    expect(await checkRosterFile(file('rows.jsonl', '{"microcredential":"sql"}\n\n{"microcredential":"sql"}\n'))).toBe(2);
  });

  it('refuses what readRosterFile refuses: bytes that are not UTF-8 anywhere, a header without the learner columns, an empty file', async () => {
    const latin1 = Buffer.concat([Buffer.from('Microcredential,Recipient Email,First Name,Last Name\nsql,a@example.edu,Ann,Lee\nsql,z@example.edu,Zo'), Buffer.from([0xeb]), Buffer.from(',Ray\n')]);
    await expect(checkRosterFile(file('latin1.csv', latin1))).rejects.toThrow(/line 3 \(row 2\) is not UTF-8/);
    expect(await checkRosterFile(file('latin1-ok.csv', latin1), { encoding: 'latin1' })).toBe(2);
    await expect(checkRosterFile(file('header.csv', 'Microcredential,Email\nsql,a@example.edu\n'))).rejects.toBeInstanceOf(RosterFormatError);
    await expect(checkRosterFile(file('empty.csv', ''))).rejects.toThrow(/the roster is empty/);
  });
});
