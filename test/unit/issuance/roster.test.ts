import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readCsvRoster, readJsonLinesRoster, RosterFormatError, type RosterRow } from '../../../src/index.js';
// Internal: not part of the public API.
import { rosterDate } from '../../../src/issuance/roster.js';

async function all(rows: AsyncIterable<RosterRow>): Promise<RosterRow[]> {
  const out: RosterRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}
const csv = (text: string) => all(readCsvRoster(Readable.from([text])));

describe('CSV roster', () => {
  it("reads Credly's bulk-issue column names, a BOM, CRLF and quoted fields", async () => {
    const rows = await csv(
      '\uFEFFBadge Template ID,Recipient Email,First Name,Last Name,Issued at,Expiration Date,Issuer Earner ID,Evidence Name,Evidence URL\r\n' +
        't-123," Priya.Raman@Example.edu ",Priya,"Raman, ""PR""",05/20/26,05/20/2029,B00412763,Portfolio,https://portfolio.example.edu/p\r\n',
    );
    expect(rows).toEqual([
      {
        ok: true,
        row: 1,
        microcredentialId: undefined,
        templateId: 't-123',
        awardee: {
          learner: { email: 'priya.raman@example.edu', firstName: 'Priya', lastName: 'Raman, "PR"', campusId: 'B00412763' },
          evidence: [{ kind: 'url', name: 'Portfolio', url: 'https://portfolio.example.edu/p' }],
          issuedAt: '2026-05-20T12:00:00Z',
          expiresAt: '2029-05-20T12:00:00Z',
        },
      },
    ]);
  });

  it('matches column names without case, spaces or underscores, and reads every evidence kind', async () => {
    const [row] = await csv(
      'microcredential,recipient_email,first name,LAST NAME,middle name,locale,text evidence name,text evidence,id evidence title,id evidence description,assessment name,assessment score,evidence opt out\n' +
        'coding-in-sql,a@example.edu,Ana,Lopez,María,es-US,Reflection,I learned joins,License,RN 1234,Exam,88,no\n',
    );
    expect(row).toMatchObject({
      ok: true,
      microcredentialId: 'coding-in-sql',
      awardee: {
        learner: { middleName: 'María', locale: 'es-US' },
        evidence: [
          { kind: 'text', name: 'Reflection', text: 'I learned joins' },
          { kind: 'id', title: 'License', description: 'RN 1234' },
          { kind: 'assessment', name: 'Exam', score: 88, maxScore: 100 },
        ],
        evidenceOptOut: false,
      },
    });
  });

  it('names the row and the column of every problem, and goes on', async () => {
    const rows = await csv(
      'Microcredential,Recipient Email,First Name,Last Name,Issued at,Locale,Assessment Score,Evidence Opt Out\n' +
        'm1,ok@example.edu,A,B,,,,\n' +
        'm1,broken,,B,02/30/26,xx,abc,maybe\n' +
        ',ok2@example.edu,A,B,,,,\n',
    );
    expect(rows[0]?.ok).toBe(true);
    expect(rows[1]).toEqual({
      ok: false,
      row: 2,
      problems: [
        { field: 'Issued at', message: 'Issued at "02/30/26" is not a real date' },
        { field: 'Evidence Opt Out', message: '"maybe" should be yes or no' },
        { field: 'Recipient Email', message: '"broken" is not a valid email address' },
        { field: 'First Name', message: "the learner's first name is required" },
        { field: 'Locale', message: expect.stringMatching(/"xx" is not a locale Credly supports/) },
        { field: 'Assessment Score', message: 'an assessment score must be a number' },
      ],
    });
    expect(rows[2]).toMatchObject({ ok: false, row: 3, problems: [{ field: 'Microcredential', message: expect.stringMatching(/names no microcredential/) }] });
  });

  it('refuses a file without the learner columns, listing what it found', async () => {
    await expect(csv('Name,Mail\nA,a@example.edu\n')).rejects.toThrow(RosterFormatError);
    await expect(csv('Name,Mail\n')).rejects.toThrow(/no "Recipient Email", "First Name", "Last Name" column; the columns are: Name, Mail/);
  });
});

describe('roster dates', () => {
  it.each([
    ['05/20/26', '2026-05-20T12:00:00Z'],
    ['5/2/2026', '2026-05-02T12:00:00Z'],
    ['2026-05-20', '2026-05-20T12:00:00Z'],
    ['2026-05-20T17:00:00-04:00', '2026-05-20T17:00:00-04:00'],
  ])('%s → %s', (input, value) => {
    expect(rosterDate(input, 'Issued at')).toEqual({ value });
  });
  it('refuses what is not a date', () => {
    expect(rosterDate('next tuesday', 'Issued at').problem).toMatch(/is not a date/);
  });
});

describe('JSON Lines roster', () => {
  it('reads objects line by line, with the line number in problems', async () => {
    const rows = await all(
      readJsonLinesRoster(
        Readable.from([
          '\uFEFF{"microcredential":"coding-in-sql","learner":{"email":"a@example.edu","firstName":"A","lastName":"B"},"evidence":[{"kind":"assessment","name":"Exam","score":15,"maxScore":20}]}\r\n',
          '\n',
          '{"microcredential":"coding-in-sql","learner":{"email":"a@example","firstName":"A","lastName":"B"}}\n',
          '[1,2]\n',
        ]),
      ),
    );
    expect(rows[0]).toMatchObject({ ok: true, row: 1, microcredentialId: 'coding-in-sql' });
    expect(rows[1]).toEqual({ ok: false, row: 3, problems: [{ field: 'learner.email', message: '"a@example" is not a valid email address' }] });
    expect(rows[2]).toEqual({ ok: false, row: 4, problems: [{ field: '(line)', message: 'the line is not a JSON object' }] });
  });
});
