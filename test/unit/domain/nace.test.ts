import { describe, expect, it } from 'vitest';
import {
  NACE_2017,
  NACE_2017_CODES,
  NACE_2017_TO_2021,
  NACE_2021,
  NACE_2021_CODES,
  NACE_2021_TO_2017,
  naceCompetency,
  sameNaceCompetency,
  toNace2017,
  toNace2021,
} from '../../../src/index.js';
// Internal: not part of the public API.
import { naceAlignmentSchema } from '../../../src/domain/nace.js';

describe('NACE competencies', () => {
  it('has the 8 names of the university page (2017) and of the 2021 revision', () => {
    expect(NACE_2017_CODES).toHaveLength(8);
    expect(NACE_2021_CODES).toHaveLength(8);
    expect(Object.values(NACE_2017).map((c) => c.title)).toEqual([
      'Critical Thinking/Problem Solving',
      'Oral/Written Communications',
      'Teamwork/Collaboration',
      'Digital Technology',
      'Leadership',
      'Professionalism/Work Ethic',
      'Career Management',
      'Global/Intercultural Fluency',
    ]);
    for (const competency of [...Object.values(NACE_2017), ...Object.values(NACE_2021)]) {
      expect(competency.definition.length).toBeGreaterThan(40);
    }
  });

  it('keys every table entry by its own code and framework', () => {
    for (const [code, c] of Object.entries(NACE_2017)) expect([c.code, c.framework]).toEqual([code, 'NACE-2017']);
    for (const [code, c] of Object.entries(NACE_2021)) expect([c.code, c.framework]).toEqual([code, 'NACE-2021']);
  });

  it('maps one to one in both directions', () => {
    const targets = Object.values(NACE_2017_TO_2021);
    expect(new Set(targets).size).toBe(8);
    expect([...targets].sort()).toEqual([...NACE_2021_CODES].sort());
    for (const code of NACE_2017_CODES) expect(NACE_2021_TO_2017[NACE_2017_TO_2021[code]]).toBe(code);
  });

  it.each([
    ['oral-written-communications', 'communication'],
    ['global-intercultural-fluency', 'equity-inclusion'],
    ['career-management', 'career-self-development'],
    ['digital-technology', 'technology'],
  ])('maps %s to %s', (old, current) => {
    expect(toNace2021({ framework: 'NACE-2017', code: old })).toEqual({ framework: 'NACE-2021', code: current });
    expect(toNace2017({ framework: 'NACE-2021', code: current })).toEqual({ framework: 'NACE-2017', code: old });
  });

  it('keeps the rationale when converting and leaves same-framework alignments alone', () => {
    const alignment = { framework: 'NACE-2017' as const, code: 'leadership', rationale: 'leads a team' };
    expect(toNace2021(alignment).rationale).toBe('leads a team');
    expect(toNace2017(alignment)).toBe(alignment);
  });

  it('compares across frameworks', () => {
    expect(sameNaceCompetency({ framework: 'NACE-2017', code: 'teamwork-collaboration' }, { framework: 'NACE-2021', code: 'teamwork' })).toBe(true);
    expect(sameNaceCompetency({ framework: 'NACE-2017', code: 'leadership' }, { framework: 'NACE-2021', code: 'teamwork' })).toBe(false);
  });

  it('looks competencies up and refuses unknown codes', () => {
    expect(naceCompetency('NACE-2021', 'equity-inclusion').title).toBe('Equity & Inclusion');
    expect(() => naceCompetency('NACE-2021', 'digital-technology')).toThrow(/not a NACE-2021 competency/);
  });

  it('validates alignments, including the rationale length', () => {
    expect(naceAlignmentSchema.safeParse({ framework: 'NACE-2021', code: 'technology' }).success).toBe(true);
    expect(naceAlignmentSchema.safeParse({ framework: 'NACE-2021', code: 'technology', rationale: 'x'.repeat(1001) }).success).toBe(false);
    expect(naceAlignmentSchema.safeParse({ framework: 'NACE-2021', code: '' }).success).toBe(false);
  });
});
