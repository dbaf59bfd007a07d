import { describe, expect, it } from 'vitest';
import {
  BINGHAMTON_2025_CREDIT_RULE,
  DomainValidationError,
  parseMicrocredential,
  safeParseMicrocredential,
  type DomainIssue,
} from '../../../src/index.js';
import { exampleMicrocredentialJson } from '../../helpers/examples.js';

function issuesOf(input: unknown, options?: Parameters<typeof safeParseMicrocredential>[1]): DomainIssue[] {
  const result = safeParseMicrocredential(input, options);
  if (result.ok) return [];
  return [...result.error.issues];
}

function expectIssue(input: unknown, path: string, message: RegExp, options?: Parameters<typeof safeParseMicrocredential>[1]) {
  const issues = issuesOf(input, options);
  const match = issues.find((issue) => issue.path === path && message.test(issue.message));
  expect(match, `expected ${path} ~ ${message}, got ${JSON.stringify(issues, null, 1)}`).toBeDefined();
}

const credit = () => exampleMicrocredentialJson('credit-bearing');
const nonCredit = () => exampleMicrocredentialJson('non-credit');

describe('microcredential: identity and text', () => {
  it('accepts both examples', () => {
    expect(issuesOf(credit())).toEqual([]);
    expect(issuesOf(nonCredit())).toEqual([]);
  });

  it('requires a slug id', () => {
    expectIssue({ ...credit(), id: 'Geospatial Data' }, 'id', /lower-case letters/);
  });

  it('requires a title and names the field when it is missing', () => {
    const input = credit();
    delete input.title;
    expectIssue(input, 'title', /required/);
  });

  it('rejects unknown fields and names them', () => {
    expectIssue({ ...credit(), colour: 'green' }, '', /unknown field "colour"/);
  });

  it('lists every problem, not only the first', () => {
    const input = { ...credit(), id: 'X', title: '', competencies: [] };
    const paths = issuesOf(input).map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['id', 'title', 'competencies']));
  });

  it('throws a DomainValidationError whose message names path and problem', () => {
    try {
      parseMicrocredential({ ...credit(), competencies: [] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainValidationError);
      expect((error as Error).message).toContain('competencies: at least one NACE competency is required');
    }
  });
});

describe('microcredential: type and credits (2021 rule by default)', () => {
  it('accepts a campus type with the ext: prefix', () => {
    const input = { ...nonCredit(), type: 'ext:co-curricular' };
    expect(issuesOf(input)).toEqual([]);
  });

  it('rejects an unknown type', () => {
    expectIssue({ ...nonCredit(), type: 'workshop' }, 'type', /credit-bearing, non-credit, or ext:/);
  });

  it('requires credit details for a credit-bearing microcredential', () => {
    const input = credit();
    delete input.credit;
    expectIssue(input, 'credit', /needs credit details/);
  });

  it('rejects exactly 4 credits (the rule says more than 4)', () => {
    const input = credit();
    input.credit.credits = 4;
    expectIssue(input, 'credit.credits', /more than 4 and at most 12 credits.*got 4/);
  });

  it('accepts 12 credits and rejects 13', () => {
    const ok = credit();
    ok.credit.credits = 12;
    ok.credit.courses = [
      { code: 'GEOG 260', title: 'A', credits: 4 },
      { code: 'GEOG 362', title: 'B', credits: 4 },
      { code: 'GEOG 470', title: 'C', credits: 4 },
    ];
    expect(issuesOf(ok)).toEqual([]);
    const tooMany = structuredClone(ok);
    tooMany.credit.credits = 13;
    tooMany.credit.courses.push({ code: 'GEOG 480', title: 'D', credits: 1 });
    expectIssue(tooMany, 'credit.credits', /got 13 credits/);
  });

  it('requires at least 2 courses', () => {
    const input = credit();
    input.credit.courses = [{ code: 'GEOG 260', title: 'GIS', credits: 8 }];
    input.components = input.components.filter((c: any) => c.courseCode !== 'GEOG 362');
    expectIssue(input, 'credit.courses', /at least 2 courses are required, got 1/);
  });

  it('checks that the courses carry the credits claimed', () => {
    const input = credit();
    input.credit.credits = 10;
    expectIssue(input, 'credit.courses', /add up to 8 credits, fewer than the 10/);
  });

  it('checks course codes', () => {
    const input = credit();
    input.credit.courses[0].code = 'geography 1';
    expectIssue(input, 'credit.courses[0].code', /should look like "GEOG 260"/);
  });

  it('links semester-course components to listed courses', () => {
    const input = credit();
    input.components[0].courseCode = 'GEOG 999';
    expectIssue(input, 'components[0].courseCode', /GEOG 999 is not among credit.courses/);
  });

  it('refuses a semester-course component that names no course (docs/domain.md: each is linked by courseCode)', () => {
    const input = credit();
    expect(input.components[0].kind).toBe('semester-course');
    delete input.components[0].courseCode;
    expectIssue(input, 'components[0].courseCode', /a semester-course component names its course: set courseCode to one of credit.courses \(GEOG 260, /);
  });

  it('takes a configurable campus rule (the 2025 page allows 16 credits)', () => {
    const input = credit();
    input.credit.credits = 16;
    input.credit.courses = [
      { code: 'GEOG 260', title: 'A', credits: 8 },
      { code: 'GEOG 362', title: 'B', credits: 8 },
    ];
    expectIssue(input, 'credit.credits', /at most 12/);
    expect(issuesOf(input, { creditRule: BINGHAMTON_2025_CREDIT_RULE })).toEqual([]);
    const five = structuredClone(input);
    five.credit.credits = 5;
    expectIssue(five, 'credit.credits', /at least 6 and at most 16/, { creditRule: BINGHAMTON_2025_CREDIT_RULE });
  });

  it('refuses credits on a non-credit microcredential', () => {
    const input = { ...nonCredit(), credit: credit().credit };
    expectIssue(input, 'credit', /non-credit microcredential carries no credits/);
  });

  it('records a non-credit fee with its Budget Office authorization', () => {
    const input = { ...nonCredit(), fee: { amountUsd: 150, budgetOfficeAuthorization: 'BO-2026-0117' } };
    expect(parseMicrocredential(input).fee).toEqual({ amountUsd: 150, budgetOfficeAuthorization: 'BO-2026-0117' });
  });

  it('requires the Budget Office reference with a fee and refuses a negative amount', () => {
    expectIssue({ ...nonCredit(), fee: { amountUsd: 150 } }, 'fee.budgetOfficeAuthorization', /required/);
    expectIssue({ ...nonCredit(), fee: { amountUsd: -1, budgetOfficeAuthorization: 'x' } }, 'fee.amountUsd', /negative/);
  });

  it('refuses a fee on a credit-bearing microcredential', () => {
    const input = { ...credit(), fee: { amountUsd: 50, budgetOfficeAuthorization: 'BO-1' } };
    expectIssue(input, 'fee', /paid through tuition/);
  });
});

describe('microcredential: content', () => {
  it.each([
    ['components', /at least one component/],
    ['learningOutcomes', /at least one learning outcome/],
    ['earningCriteria', /at least one earning criterion/],
    ['targetAudience', /at least one target audience/],
    ['contacts', /at least one contact/],
  ])('requires at least one item in %s', (field, message) => {
    expectIssue({ ...credit(), [field]: [] }, field, message);
  });

  it('checks component kinds', () => {
    const input = credit();
    input.components[2].kind = 'internship';
    expectIssue(input, 'components[2].kind', /use one of semester-course, short-course/);
  });

  it('checks contact emails', () => {
    const input = credit();
    input.contacts[0].email = 'dana at example';
    expectIssue(input, 'contacts[0].email', /not a valid email/);
  });

  it('bounds the passing percent', () => {
    const input = credit();
    input.assessment.passingPercent = 120;
    expectIssue(input, 'assessment.passingPercent', /between 0 and 100/);
  });

  it('checks evidence kinds in the requirements and defaults them', () => {
    const input = credit();
    input.evidenceRequirements.requiredKinds = ['video'];
    expectIssue(input, 'evidenceRequirements.requiredKinds[0]', /url, text, id, assessment/);
    const minimal = credit();
    minimal.evidenceRequirements = { description: 'none' };
    expect(parseMicrocredential(minimal).evidenceRequirements).toEqual({
      description: 'none',
      requiredKinds: [],
      learnerMayOptOut: true,
    });
  });
});

describe('microcredential: NACE competencies', () => {
  it('requires at least one', () => {
    expectIssue({ ...credit(), competencies: [] }, 'competencies', /at least one NACE competency/);
  });

  it('rejects a code from the other framework and lists the right codes', () => {
    const input = credit();
    input.competencies[0] = { framework: 'NACE-2017', code: 'communication' };
    expectIssue(input, 'competencies[0].code', /not a NACE-2017 competency; use one of critical-thinking-problem-solving/);
  });

  it('rejects an unknown framework', () => {
    const input = credit();
    input.competencies[0] = { framework: 'NACE-2030', code: 'leadership' };
    expectIssue(input, 'competencies[0].framework', /NACE-2017, NACE-2021/);
  });

  it('counts a 2017 and a 2021 name of one competency once', () => {
    const input = credit();
    input.competencies.push({ framework: 'NACE-2021', code: 'technology' });
    expectIssue(input, 'competencies[3]', /repeats competencies\[1\]/);
  });
});

describe('microcredential: badge metadata', () => {
  it('requires at least 3 skills and says how many were given', () => {
    const input = credit();
    input.badge.skills = ['GIS'];
    expectIssue(input, 'badge.skills', /^at least 3 skills are required, got 1$/);
  });

  it('refuses the same skill twice, whatever its case', () => {
    const input = credit();
    input.badge.skills = ['GIS', 'Python', 'gis'];
    expectIssue(input, 'badge.skills[2]', /listed twice/);
  });

  it('limits the description to 500 characters', () => {
    const input = credit();
    input.badge.description = 'x'.repeat(501);
    expectIssue(input, 'badge.description', /at most 500 characters, got 501/);
    input.badge.description = 'x'.repeat(500);
    expect(issuesOf(input)).toEqual([]);
  });

  it('requires http(s) URLs for the image and criteria', () => {
    const input = credit();
    input.badge.imageUrl = 'ftp://images.example.edu/a.png';
    input.badge.criteriaUrl = 'not a url';
    expectIssue(input, 'badge.imageUrl', /http\(s\) URL/);
    expectIssue(input, 'badge.criteriaUrl', /http\(s\) URL/);
  });

  it.each([
    ['level', 'Expert', /Foundational, Intermediate, Advanced/],
    ['typeCategory', 'Course', /Learning, Validation, Experience, Certification/],
    ['timeToEarn', 'Minutes', /Hours, Days, Weeks, Months, Years/],
    ['cost', 'Cheap', /Free, Paid/],
  ])('checks %s against Credly values', (field, value, message) => {
    const input = credit();
    input.badge[field] = value;
    expectIssue(input, `badge.${field}`, message);
  });

  it('defaults the expiry policy to never and checks "after"', () => {
    const input = credit();
    delete input.badge.expiry;
    expect(parseMicrocredential(input).badge.expiry).toEqual({ policy: 'never' });
    input.badge.expiry = { policy: 'after', months: 0 };
    expectIssue(input, 'badge.expiry.months', /at least 1 month/);
    input.badge.expiry = { policy: 'sometimes' };
    expectIssue(input, 'badge.expiry.policy', /never, template-default, after/);
  });

  it('checks earning activities and alignments', () => {
    const input = credit();
    input.badge.earningActivities = [{ type: '', title: 'x' }];
    input.badge.alignments = [{ name: 'ABET', url: 'nope' }];
    expectIssue(input, 'badge.earningActivities[0].type', /needs a type/);
    expectIssue(input, 'badge.alignments[0].url', /http\(s\) URL/);
    // Only activity types seen in Credly's data go out.
    input.badge.earningActivities = [{ type: 'Experience', title: 'Internship' }];
    expectIssue(input, 'badge.earningActivities[0].type', /earning activity type "Experience" is not one Credly is known to accept; use one of Course, Assessment, Award, Schedule \/ Registration, Application/);
  });
});
