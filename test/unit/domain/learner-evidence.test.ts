import { describe, expect, it } from 'vitest';
import {
  DomainValidationError,
  learnerFullName,
  meetsPassingPercent,
  parseAwardee,
  parseEvidence,
  parseLearner,
  scorePercent,
} from '../../../src/index.js';

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainValidationError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
}

describe('learner', () => {
  it('trims and lower-cases the email', () => {
    const learner = parseLearner({ email: '  Ana.Lopez@Example.EDU ', firstName: ' Ana ', lastName: 'López' });
    expect(learner).toEqual({ email: 'ana.lopez@example.edu', firstName: 'Ana', lastName: 'López' });
  });

  it('names the bad email', () => {
    expect(problems(() => parseLearner({ email: 'ana@', firstName: 'A', lastName: 'B' }))).toEqual(['email: "ana@" is not a valid email address']);
  });

  it('requires first and last name', () => {
    expect(problems(() => parseLearner({ email: 'a@example.edu', firstName: '  ' }))).toEqual([
      "firstName: the learner's first name is required",
      "lastName: the learner's last name is required",
    ]);
  });

  it('accepts Credly locales only', () => {
    expect(parseLearner({ email: 'a@example.edu', firstName: 'A', lastName: 'B', locale: 'pt-BR' }).locale).toBe('pt-BR');
    expect(problems(() => parseLearner({ email: 'a@example.edu', firstName: 'A', lastName: 'B', locale: 'it' }))[0]).toMatch(
      /locale: "it" is not a locale Credly supports/,
    );
  });

  it('refuses an empty campus id', () => {
    expect(problems(() => parseLearner({ email: 'a@example.edu', firstName: 'A', lastName: 'B', campusId: ' ' }))[0]).toMatch(/campusId: the campus id is empty/);
  });

  it('builds the full name with a middle name', () => {
    expect(learnerFullName({ firstName: 'Marcus', middleName: 'J.', lastName: 'Thompson' })).toBe('Marcus J. Thompson');
    expect(learnerFullName({ firstName: 'Jia', lastName: 'Chen' })).toBe('Jia Chen');
  });
});

describe('evidence', () => {
  it('parses each kind', () => {
    expect(parseEvidence({ kind: 'url', name: 'Portfolio', url: 'https://portfolio.example.edu/a' }).kind).toBe('url');
    expect(parseEvidence({ kind: 'text', name: 'Reflection', text: 'I learned…' }).kind).toBe('text');
    expect(parseEvidence({ kind: 'id', title: 'License', description: 'RN 123456' }).kind).toBe('id');
    expect(parseEvidence({ kind: 'assessment', name: 'Exam', score: 70 })).toEqual({ kind: 'assessment', name: 'Exam', score: 70, maxScore: 100 });
  });

  it('names an unknown kind', () => {
    expect(problems(() => parseEvidence({ kind: 'video', name: 'x' }))[0]).toMatch(/kind: evidence kind must be one of url, text, id, assessment/);
  });

  it('refuses a non-http URL and a score above the maximum', () => {
    expect(problems(() => parseEvidence({ kind: 'url', name: 'x', url: 'javascript:alert(1)' }))[0]).toMatch(/url: URL evidence needs an http\(s\) URL/);
    expect(problems(() => parseEvidence({ kind: 'assessment', name: 'x', score: 21, maxScore: 20 }))).toEqual([
      'score: the score is higher than the maximum score',
    ]);
  });

  it('ties evidence to a valid competency only', () => {
    expect(problems(() => parseEvidence({ kind: 'text', name: 'x', text: 'y', competency: { framework: 'NACE-2021', code: 'nope' } }))[0]).toMatch(
      /competency.code: "nope" is not a NACE-2021 competency/,
    );
  });

  it('computes percentages and passing marks exactly at the threshold', () => {
    expect(scorePercent({ score: 14, maxScore: 20 })).toBe(70);
    expect(meetsPassingPercent({ score: 7, maxScore: 10 }, 70)).toBe(true);
    expect(meetsPassingPercent({ score: 13, maxScore: 20 }, 70)).toBe(false);
  });
});

describe('awardee', () => {
  it('defaults evidence to none and needs offsets on dates', () => {
    const base = { learner: { email: 'a@example.edu', firstName: 'A', lastName: 'B' } };
    expect(parseAwardee(base).evidence).toEqual([]);
    expect(problems(() => parseAwardee({ ...base, issuedAt: '2026-05-20T17:00:00' }))[0]).toMatch(/issuedAt: .* must be a date-time with an offset/);
    expect(parseAwardee({ ...base, issuedAt: '2026-05-20T17:00:00-04:00' }).issuedAt).toBe('2026-05-20T17:00:00-04:00');
  });
});
