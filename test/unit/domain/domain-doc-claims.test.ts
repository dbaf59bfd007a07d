// Claims of docs/domain.md that no other test asserted. Each was checked to fail against a
// mutated src/domain (or src/mapping) before it was committed.
import { readdirSync, readFileSync } from 'node:fs';
import ts from 'typescript';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BINGHAMTON_2025_CREDIT_RULE,
  CREDLY_LOCALES,
  NACE_2017,
  NACE_2017_TO_2021,
  NACE_2021,
  createApprovalRecord,
  DomainValidationError,
  issuePayload,
  parseAwardee,
  parseEvidence,
  parseLearner,
  parseMicrocredential,
  parseProposal,
  safeParseMicrocredential,
  safeParseProposalStep,
  templatePayload,
  transition,
  TRANSITIONS,
  type ApprovalAction,
  type ApprovalRecord,
  type ApprovalRole,
  type ApprovalState,
  type DomainIssue,
  type Nace2017Code,
} from '../../../src/index.js';
import * as domainApi from '../../../src/index.js';
import { PATH_TO_STATE } from '../../helpers/approval.js';
import { exampleMicrocredentialJson, exampleProposalJson } from '../../helpers/examples.js';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const domainDoc = read('docs/domain.md');

function issuesOf(input: unknown, options?: Parameters<typeof safeParseMicrocredential>[1]): DomainIssue[] {
  const result = safeParseMicrocredential(input, options);
  return result.ok ? [] : [...result.error.issues];
}
const paths = (input: unknown, options?: Parameters<typeof safeParseMicrocredential>[1]) => issuesOf(input, options).map((i) => i.path);
const credit = () => exampleMicrocredentialJson('credit-bearing');
const nonCredit = () => exampleMicrocredentialJson('non-credit');

describe('docs/domain.md: everything in src/domain is pure; the wire format stays out', () => {
  const dir = new URL('src/domain/', root);
  const files = readdirSync(dir).filter((name) => name.endsWith('.ts'));

  it('imports only zod, its own files and the shared error helper (no I/O, no Credly client, no mapping)', () => {
    expect(files.length).toBeGreaterThan(5);
    let seen = 0;
    for (const name of files) {
      const source = readFileSync(new URL(name, dir), 'utf8');
      // Static imports, re-exports, side-effect imports and import() (TypeScript's own scanner).
      const specifiers = ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName);
      seen += specifiers.length;
      for (const specifier of specifiers) {
        expect(specifier === 'zod' || /^\.\/[a-z-]+\.js$/.test(specifier) || specifier === '../coded-error.js', `${name} imports ${specifier}`).toBe(true);
      }
    }
    expect(seen).toBeGreaterThan(10);
  });

  it('parses to camelCase objects: no snake_case key in a whole parsed proposal', () => {
    const keys: string[] = [];
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          keys.push(key);
          walk(inner);
        }
      }
    };
    for (const name of ['credit-bearing', 'non-credit'] as const) walk(parseProposal(exampleProposalJson(name)));
    expect(keys.length).toBeGreaterThan(50);
    expect(keys.filter((key) => key.includes('_'))).toEqual([]);
  });
});

describe('docs/domain.md: parsing', () => {
  it('names an unknown field and says what to do, in the words of the page', () => {
    expect(issuesOf({ ...credit(), colour: 'green' })).toEqual([{ path: '', message: 'unknown field "colour"; remove it or check the spelling' }]);
    expect(domainDoc).toContain('`unknown field "colour"; remove it or check the spelling`');
  });

  it('trims text and trims and lower-cases emails (here a contact\'s)', () => {
    const input = credit();
    input.title = '  Geospatial Data Analysis \n';
    input.contacts[0].email = '  Dana.Whitfield@Example.EDU ';
    const micro = parseMicrocredential(input);
    expect(micro.title).toBe('Geospatial Data Analysis');
    expect(micro.contacts[0]?.email).toBe('dana.whitfield@example.edu');
  });

  it('parseProposal takes the campus credit rule', () => {
    const proposal = exampleProposalJson('credit-bearing');
    proposal.form.credit.credits = 16;
    proposal.form.credit.courses = [
      { code: 'GEOG 260', title: 'A', credits: 8 },
      { code: 'GEOG 362', title: 'B', credits: 8 },
    ];
    expect(() => parseProposal(proposal)).toThrow(/form\.credit\.credits: .*at most 12/);
    expect(parseProposal(proposal, { creditRule: BINGHAMTON_2025_CREDIT_RULE }).form.credit?.credits).toBe(16);
  });
});

describe('docs/domain.md: microcredential fields', () => {
  it('id: 2 to 80 lower-case letters, digits or hyphens', () => {
    expect(paths({ ...credit(), id: 'a' })).toEqual(['id']);
    expect(paths({ ...credit(), id: 'a1' })).toEqual([]);
    expect(paths({ ...credit(), id: `a${'-b'.repeat(39)}z` })).toEqual([]); // 80 characters
    expect(`a${'-b'.repeat(39)}z`).toHaveLength(80);
    expect(paths({ ...credit(), id: `a${'-b'.repeat(39)}zz` })).toEqual(['id']); // 81
    expect(paths({ ...credit(), id: 'Geo-1' })).toEqual(['id']);
    expect(paths({ ...credit(), id: 'geo_1' })).toEqual(['id']);
  });

  it('description and sponsoringUnit are required text', () => {
    for (const field of ['description', 'sponsoringUnit']) {
      const missing = credit();
      delete missing[field];
      expect(paths(missing), field).toEqual([field]);
      expect(paths({ ...credit(), [field]: '   ' }), field).toEqual([field]);
    }
  });

  it('stackability is optional', () => {
    const input = credit();
    delete input.stackability;
    expect(paths(input)).toEqual([]);
    expect(parseMicrocredential({ ...input, stackability: { description: 'Counts toward the GIS certificate' } }).stackability).toEqual({
      description: 'Counts toward the GIS certificate',
      stacksInto: [],
    });
  });
});

describe('docs/domain.md: the credit rule', () => {
  const withCredits = (credits: number, courses: number[]) => {
    const input = credit();
    input.credit.credits = credits;
    input.credit.courses = courses.map((c, i) => ({ code: `GEOG ${260 + i}`, title: `Course ${i}`, credits: c }));
    input.components = input.components.filter((c: { kind: string }) => c.kind !== 'semester-course');
    return input;
  };

  it('by default (2021): more than 4 credits is enough, in 2 courses', () => {
    expect(paths(withCredits(5, [3, 2]))).toEqual([]);
    expect(paths(withCredits(4, [2, 2]))).toEqual(['credit.credits']);
  });

  it('BINGHAMTON_2025_CREDIT_RULE: at least 6 (6 itself allowed), at most 16', () => {
    const rule = { creditRule: BINGHAMTON_2025_CREDIT_RULE };
    expect(paths(withCredits(6, [3, 3]), rule)).toEqual([]);
    expect(paths(withCredits(17, [9, 8]), rule)).toEqual(['credit.credits']);
    expect(issuesOf(withCredits(17, [9, 8]), rule)[0]?.message).toMatch(/at least 6 and at most 16 credits, in at least 2 courses; got 17/);
  });

  it("takes the page's example campus rule: 1 credit in 1 course", () => {
    const rule = { creditRule: { minCredits: 1, minCreditsInclusive: true, maxCredits: 15, minCourses: 1 } };
    expect(domainDoc).toContain('{ creditRule: { minCredits: 1, minCreditsInclusive: true, maxCredits: 15, minCourses: 1 } }');
    expect(paths(withCredits(1, [1]), rule)).toEqual([]);
    expect(paths(withCredits(15, [8, 7]), rule)).toEqual([]);
    expect(paths(withCredits(16, [8, 8]), rule)).toEqual(['credit.credits']);
    expect(paths(withCredits(1, [1]))).toEqual(['credit.credits', 'credit.courses']);
  });
});

describe('docs/domain.md: badge metadata', () => {
  it('name: required, at most 255 characters', () => {
    const input = credit();
    input.badge.name = 'n'.repeat(255);
    expect(paths(input)).toEqual([]);
    input.badge.name = 'n'.repeat(256);
    expect(issuesOf(input)).toEqual([{ path: 'badge.name', message: 'the badge name is longer than 255 characters' }]);
    delete input.badge.name;
    expect(issuesOf(input)).toEqual([{ path: 'badge.name', message: 'the badge name is required' }]);
  });

  const approved = (micro: ReturnType<typeof parseMicrocredential>) => templatePayload(micro, { state: 'approved', microcredentialId: micro.id });

  it('earning activities left out are derived from the components: courses as Course, an additional experience as Award', () => {
    const input = nonCredit();
    delete input.badge.earningActivities;
    input.components = [
      { kind: 'short-course', title: 'Short' },
      { kind: 'flexible-option', title: 'Flexible' },
      { kind: 'semester-course', title: 'Semester' },
      { kind: 'additional-experience', title: 'Internship' },
    ];
    expect(approved(parseMicrocredential(input)).badge_template_activities).toEqual([
      { activity_type: 'Course', title: 'Short' },
      { activity_type: 'Course', title: 'Flexible' },
      { activity_type: 'Course', title: 'Semester' },
      { activity_type: 'Award', title: 'Internship' },
    ]);
  });

  it("alignments: the NACE alignments come from competencies, then the badge's other standards", () => {
    const input = nonCredit();
    input.competencies = [{ framework: 'NACE-2021', code: 'technology' }];
    input.badge.alignments = [
      { name: 'ABET Student Outcome 1', url: 'https://www.abet.org/so1', description: 'Solve complex problems' },
      { name: 'ISTE', url: 'https://www.iste.org/standards' },
    ];
    expect(approved(parseMicrocredential(input)).alignments).toEqual([
      { name: 'NACE Career Readiness (2021): Technology', url: expect.stringMatching(/^https:\/\/www\.naceweb\.org\//), description: NACE_2021.technology.definition },
      { name: 'ABET Student Outcome 1', url: 'https://www.abet.org/so1', description: 'Solve complex problems' },
      { name: 'ISTE', url: 'https://www.iste.org/standards' },
    ]);
  });

  it('allowDuplicates goes to Credly as allow_duplicate_badges, and is left out when unset', () => {
    const input = nonCredit();
    delete input.badge.allowDuplicates;
    expect(approved(parseMicrocredential(input))).not.toHaveProperty('allow_duplicate_badges');
    for (const allow of [true, false]) {
      expect(approved(parseMicrocredential({ ...input, badge: { ...input.badge, allowDuplicates: allow } })).allow_duplicate_badges).toBe(allow);
    }
  });
});

describe('docs/domain.md: the three-step proposal', () => {
  it('the form step is the microcredential fields without badge', () => {
    const { form, badge } = exampleProposalJson('credit-bearing');
    const result = safeParseProposalStep('form', { ...form, badge });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.issues).toEqual([{ path: '', message: 'unknown field "badge"; remove it or check the spelling' }]);
  });

  it('demandEvidence and marketingPlan are optional', () => {
    const { form } = exampleProposalJson('credit-bearing');
    delete form.demandEvidence;
    delete form.marketingPlan;
    expect(safeParseProposalStep('form', form).ok).toBe(true);
  });
});

describe('docs/domain.md: learners and evidence', () => {
  it('locale: exactly the languages the page lists', () => {
    const listed = /\(one of the languages Credly sends notifications in: ([^)]+)\)/.exec(domainDoc.replace(/\s+/g, ' '))?.[1];
    expect(listed?.split(', ')).toEqual([...CREDLY_LOCALES]);
    for (const locale of CREDLY_LOCALES) expect(parseLearner({ email: 'a@example.edu', firstName: 'A', lastName: 'B', locale }).locale).toBe(locale);
  });

  it('a middle name is kept', () => {
    expect(parseLearner({ email: 'a@example.edu', firstName: 'A', middleName: ' J. ', lastName: 'B' }).middleName).toBe('J.');
  });

  it.each([
    { kind: 'url', name: 'Portfolio', url: 'https://portfolio.example.edu/a' },
    { kind: 'text', name: 'Reflection', text: 'I learned' },
    { kind: 'id', title: 'License', description: 'RN 123456' },
    { kind: 'assessment', name: 'Exam', score: 80 },
  ])('$kind evidence may carry a competency, checked as a NACE alignment', (evidence) => {
    expect(parseEvidence({ ...evidence, competency: { framework: 'NACE-2017', code: 'leadership' } }).competency).toEqual({
      framework: 'NACE-2017',
      code: 'leadership',
    });
    expect(() => parseEvidence({ ...evidence, competency: { framework: 'NACE-2017', code: 'technology' } })).toThrow(
      /competency\.code: "technology" is not a NACE-2017 competency/,
    );
  });
});

describe('docs/domain.md: approval workflow', () => {
  const at = '2026-03-02T10:00:00-05:00';
  const act = (record: ApprovalRecord, action: ApprovalAction, role: ApprovalRole, comment?: string) =>
    transition(record, { action, role, actor: { name: role }, at, ...(comment === undefined ? {} : { comment }) });
  const recordIn = (state: ApprovalState) => PATH_TO_STATE[state].reduce((r, [action, role]) => act(r, action, role, 'why'), createApprovalRecord('geo'));

  afterEach(() => {
    vi.useRealTimers();
  });

  it('returning, rejecting and retiring require a comment, from every state; nothing else does', () => {
    const needsComment = new Set(['return_for_revision', 'reject', 'retire']);
    expect(TRANSITIONS.length).toBe(14);
    for (const rule of TRANSITIONS) {
      const from = recordIn(rule.from);
      expect(from.state).toBe(rule.from);
      const label = `${rule.from} ${rule.action} by ${rule.role}`;
      if (needsComment.has(rule.action)) {
        expect(() => act(from, rule.action, rule.role), label).toThrow(/a comment saying why is required/);
        expect(() => act(from, rule.action, rule.role, ' \n '), label).toThrow(/a comment saying why is required/);
        expect(act(from, rule.action, rule.role, 'out of scope').history.at(-1)?.comment, label).toBe('out of scope');
      } else {
        expect(act(from, rule.action, rule.role).history.at(-1)?.comment, label).toBe('');
      }
    }
  });

  it('reads no clock: the same input gives the same record whatever the time, with `at` as passed', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2020-01-01T00:00:00Z'));
    const early = act(recordIn('submitted'), 'begin_review', 'faculty');
    vi.setSystemTime(new Date('2031-07-15T12:34:56Z'));
    const late = act(recordIn('submitted'), 'begin_review', 'faculty');
    expect(late).toEqual(early);
    expect(late.history.map((h) => h.at)).toEqual([at, at]);
  });

  it('an illegal transition says what is allowed, in the words of the page', () => {
    const block = /An illegal transition throws[\s\S]*?```\n([\s\S]*?)```/.exec(domainDoc)?.[1];
    expect(block).toBeDefined();
    // The page wraps the one-line message after "here.".
    const documented = block!.trim().split('\n').join(' ');
    expect(() => act(recordIn('office_review'), 'approve', 'faculty')).toThrow(documented);
    let message = '';
    try {
      act(recordIn('office_review'), 'approve', 'faculty');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(documented);
  });
});

describe('docs/domain.md: NACE competencies', () => {
  // | 2017 title | `2017 code` | 2021 title | `2021 code` |
  const rows = [...domainDoc.matchAll(/^\| ([^|]+?) \| `([a-z-]+)` \| ([^|]+?) \| `([a-z-]+)` \|$/gm)].map((m) => m.slice(1, 5) as [string, string, string, string]);

  it('the table lists the eight competencies in both frameworks, as the code has them', () => {
    expect(rows).toHaveLength(8);
    for (const [title2017, code2017, title2021, code2021] of rows) {
      expect(NACE_2017[code2017 as Nace2017Code]?.title, code2017).toBe(title2017);
      expect(NACE_2021[code2021 as keyof typeof NACE_2021]?.title, code2021).toBe(title2021);
      expect(NACE_2017_TO_2021[code2017 as Nace2017Code], code2017).toBe(code2021);
    }
    expect(rows.map((r) => r[1])).toEqual(Object.keys(NACE_2017));
    expect(rows.map((r) => r[3])).toEqual(Object.keys(NACE_2021));
  });
});

describe('docs/domain.md: the examples', () => {
  it('credit-bearing: Geospatial Data Analysis, 8 credits in two geography courses plus a portfolio', () => {
    const { form } = parseProposal(exampleProposalJson('credit-bearing'));
    expect(form.title).toBe('Geospatial Data Analysis');
    expect(form.credit?.credits).toBe(8);
    expect(form.credit?.courses.map((c) => c.code)).toEqual([expect.stringMatching(/^GEOG /), expect.stringMatching(/^GEOG /)]);
    expect(form.components.filter((c) => c.kind !== 'semester-course').map((c) => c.title)).toEqual([expect.stringMatching(/portfolio/i)]);
  });

  it('non-credit: Coding in SQL, a free badge earned with 70 % or better on an assessment', () => {
    const { form, badge } = parseProposal(exampleProposalJson('non-credit'));
    expect([form.title, form.type, badge.cost, form.fee]).toEqual(['Coding in SQL', 'non-credit', 'Free', undefined]);
    expect(form.assessment.passingPercent).toBe(70);
  });

  it('people and addresses are invented: every email and host is example.edu', () => {
    for (const name of ['credit-bearing', 'non-credit']) {
      const text = read(`fixtures/examples/${name}.proposal.json`);
      const emails = [...text.matchAll(/[\w.+-]+@([\w.-]+)/g)].map((m) => m[1]!.toLowerCase());
      const hosts = [...text.matchAll(/https?:\/\/([^/"]+)/g)].map((m) => m[1]!);
      expect(emails.length).toBeGreaterThan(2);
      for (const domain of [...emails, ...hosts]) expect(domain, name).toMatch(/(^|\.)example\.edu$/);
    }
  });
});

describe('docs/domain.md: every parse* function has a safeParse* twin', () => {
  const documented = [...new Set([...domainDoc.matchAll(/`(parse[A-Z]\w+)[`(]/g)].map((m) => m[1]!))];
  const valid: Record<string, unknown[]> = {
    parseMicrocredential: [exampleMicrocredentialJson('non-credit')],
    parseProposal: [exampleProposalJson('non-credit')],
    parseProposalStep: ['badge', exampleProposalJson('non-credit').badge],
    parseLearner: [{ email: 'A@Example.edu', firstName: 'A', lastName: 'B' }],
    parseEvidence: [{ kind: 'assessment', name: 'Exam', score: 70 }],
    parseAwardee: [{ learner: { email: 'a@example.edu', firstName: 'A', lastName: 'B' } }],
    parseApprovalRecord: [createApprovalRecord('geo')],
  };
  const invalid: Record<string, unknown[]> = {
    parseMicrocredential: [{ ...exampleMicrocredentialJson('non-credit'), colour: 'green' }],
    parseProposal: [{}],
    parseProposalStep: ['badge', { name: '' }],
    parseLearner: [{ email: 'nope' }],
    parseEvidence: [{ kind: 'video' }],
    parseAwardee: [{ learner: {}, issuedAt: 'yesterday' }],
    parseApprovalRecord: [{ state: 'pending' }],
  };

  it('the page names the seven parse functions', () => {
    expect(documented.sort()).toEqual(Object.keys(valid).sort());
  });

  it.each(Object.keys(valid))('%s and its twin agree', (name) => {
    const api = domainApi as unknown as Record<string, (...args: unknown[]) => unknown>;
    const parse = api[name]!;
    const safeParse = api[`safe${name[0]!.toUpperCase()}${name.slice(1)}`];
    expect(typeof safeParse, `safe${name[0]!.toUpperCase()}${name.slice(1)}`).toBe('function');
    expect(safeParse!(...valid[name]!)).toEqual({ ok: true, value: parse(...valid[name]!) });
    const failed = safeParse!(...invalid[name]!) as { ok: false; error: DomainValidationError };
    expect(failed.ok).toBe(false);
    expect(failed.error).toBeInstanceOf(DomainValidationError);
    expect(failed.error.issues.length).toBeGreaterThan(0);
    expect(() => parse(...invalid[name]!)).toThrow(failed.error.message);
  });
});

describe('docs/domain.md: credit is for credit-bearing microcredentials only', () => {
  it.each(['non-credit', 'ext:co-curricular'])('a %s microcredential with credit details is refused', (type) => {
    const input = { ...nonCredit(), type, credit: credit().credit };
    expect(issuesOf(input)).toEqual([
      { path: 'credit', message: `a ${type} microcredential carries no credits; remove credit or make the type credit-bearing` },
    ]);
  });

  it('a fee is refused on a credit-bearing microcredential only: a campus type may record one, as non-credit ones do', () => {
    expect(domainDoc).toContain('| `fee?` | not on a credit-bearing one (tuition pays for it; non-credit and `ext:` types may have one)');
    const fee = { amountUsd: 40, budgetOfficeAuthorization: 'BO-2026-0200' };
    expect(parseMicrocredential({ ...nonCredit(), type: 'ext:co-curricular', fee }).fee).toEqual(fee);
  });
});

describe('docs/domain.md: how each kind of evidence goes to Credly', () => {
  const micro = parseMicrocredential(nonCredit());
  const evidence = [
    { kind: 'url', name: 'Portfolio', url: 'https://portfolio.example.edu/a' },
    { kind: 'text', name: 'Reflection', text: 'What I learned' },
    { kind: 'id', title: 'License', description: 'RN 123456' },
    { kind: 'assessment', name: 'Exam', score: 17, maxScore: 20 },
  ];
  const awardee = parseAwardee({ learner: { email: 'a@example.edu', firstName: 'A', lastName: 'B' }, evidence });
  const sent = (options: { textEvidenceType?: 'TextEvidence' } = {}) =>
    issuePayload(micro, awardee, { templateId: 't', now: new Date('2026-06-01T00:00:00Z'), ...options }).evidence ?? [];

  it('the table says what goes out by default', () => {
    const column = Object.fromEntries(
      [...domainDoc.matchAll(/^\| `(url|text|id|assessment)` \| [^|]+ \| `(\w+Evidence)`[^|]*\|$/gm)].map((m) => [m[1]!, m[2]!]),
    );
    expect(column).toEqual({ url: 'UrlEvidence', text: 'IdEvidence', id: 'IdEvidence', assessment: 'IdEvidence' });
    expect(sent().map((item) => item.type)).toEqual(evidence.map((item) => column[item.kind]));
    expect(sent()[1]).toMatchObject({ title: 'Reflection', description: 'What I learned' });
    expect(sent()[3]).toMatchObject({ title: 'Exam', description: expect.stringMatching(/^Score 17\/20 \(85 %\)/) });
    expect(domainDoc).toContain('(`Score 17/20 (85 %)`)');
  });

  it("textEvidenceType: 'TextEvidence' sends text and assessment results as that type", () => {
    expect(sent({ textEvidenceType: 'TextEvidence' }).map((item) => item.type)).toEqual(['UrlEvidence', 'TextEvidence', 'IdEvidence', 'TextEvidence']);
  });
});

describe('docs/domain.md: a fee and a Free badge', () => {
  it('a fee above $0 must not say Free; a $0 fee may', () => {
    expect(domainDoc).toContain('(a proposal with a fee above $0 must not say Free)');
    const proposal = exampleProposalJson('non-credit');
    expect(proposal.badge.cost).toBe('Free');
    proposal.form.fee = { amountUsd: 0, budgetOfficeAuthorization: 'BO-2026-0001' };
    expect(parseProposal(proposal).form.fee?.amountUsd).toBe(0);
    proposal.form.fee.amountUsd = 0.01;
    expect(() => parseProposal(proposal)).toThrow(/badge\.cost: the form records a fee of \$0\.01, so the badge cost should be "Paid"/);
  });
});
