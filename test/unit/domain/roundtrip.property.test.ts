import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BADGE_COSTS,
  BADGE_LEVELS,
  COMPONENT_KINDS,
  NACE_2017_CODES,
  NACE_2021_CODES,
  parseApprovalRecord,
  parseMicrocredential,
  parseProposal,
  serialize,
  toNace2021,
  transition,
  createApprovalRecord,
  type NaceAlignment,
} from '../../../src/index.js';

// Text that may carry surrounding spaces (parsing trims it) but is never blank.
const text = (max: number) =>
  fc
    .tuple(fc.constantFrom('', ' ', '  '), fc.string({ minLength: 1, maxLength: max }).filter((s) => s.trim().length > 0), fc.constantFrom('', ' '))
    .map(([a, b, c]) => `${a}${b}${c}`);
const email = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/), fc.constantFrom('example.edu', 'Example.EDU', 'mail.example.org'))
  .map(([local, domain]) => `${local}@${domain}`);
const url = fc.stringMatching(/^[a-z]{1,10}$/).map((path) => `https://www.example.edu/${path}`);

// Distinct competencies: pick distinct 2021 codes, then write each in either framework.
const competencies = fc
  .uniqueArray(fc.constantFrom(...NACE_2021_CODES), { minLength: 1, maxLength: 4 })
  .chain((codes) =>
    fc.tuple(
      ...codes.map((code) =>
        fc.boolean().map((old): NaceAlignment => {
          const modern: NaceAlignment = { framework: 'NACE-2021', code };
          if (!old) return modern;
          const legacy = NACE_2017_CODES.find((c) => toNace2021({ framework: 'NACE-2017', code: c }).code === code)!;
          return { framework: 'NACE-2017', code: legacy };
        }),
      ),
    ),
  );

const badge = fc.record(
  {
    name: text(60),
    description: text(400),
    imageUrl: url,
    skills: fc.uniqueArray(fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,20}[A-Za-z]$/), {
      minLength: 3,
      maxLength: 8,
      selector: (s) => s.toLowerCase(),
    }),
    criteriaUrl: url,
    level: fc.constantFrom(...BADGE_LEVELS),
    cost: fc.constantFrom(...BADGE_COSTS),
    expiry: fc.oneof(
      fc.constant({ policy: 'never' as const }),
      fc.constant({ policy: 'template-default' as const }),
      fc.integer({ min: 1, max: 120 }).map((months) => ({ policy: 'after' as const, months })),
    ),
  },
  { requiredKeys: ['name', 'description', 'imageUrl', 'skills', 'criteriaUrl'] },
);

const core = {
  id: fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,30}$/),
  title: text(80),
  description: text(300),
  components: fc.array(fc.record({ kind: fc.constantFrom(...COMPONENT_KINDS.filter((k) => k !== 'semester-course')), title: text(40) }), {
    minLength: 1,
    maxLength: 4,
  }),
  learningOutcomes: fc.array(text(80), { minLength: 1, maxLength: 6 }),
  competencies,
  assessment: fc.record({ description: text(100), passingPercent: fc.integer({ min: 0, max: 100 }) }, { requiredKeys: ['description'] }),
  earningCriteria: fc.array(text(80), { minLength: 1, maxLength: 4 }),
  evidenceRequirements: fc.record({ description: text(80), requiredKinds: fc.uniqueArray(fc.constantFrom('url', 'text', 'id', 'assessment')) }),
  targetAudience: fc.array(text(40), { minLength: 1, maxLength: 3 }),
  sponsoringUnit: text(60),
  contacts: fc.array(fc.record({ name: text(30), email }), { minLength: 1, maxLength: 2 }),
  badge,
};

const creditBearing = fc
  .record({ ...core, credits: fc.integer({ min: 5, max: 12 }) })
  .map(({ credits, ...rest }) => ({
    ...rest,
    type: 'credit-bearing',
    credit: {
      credits,
      courses: [
        { code: 'GEOG 260', title: 'GIS', credits: Math.ceil(credits / 2) },
        { code: 'GEOG 362', title: 'Spatial Analysis', credits: Math.floor(credits / 2) },
      ],
      transcriptNotation: 'Microcredential',
    },
  }));
const nonCredit = fc
  .record({ ...core, fee: fc.option(fc.record({ amountUsd: fc.integer({ min: 0, max: 2000 }), budgetOfficeAuthorization: text(20) }), { nil: undefined }) })
  .map(({ fee, ...rest }) => ({ ...rest, type: 'non-credit', ...(fee ? { fee } : {}) }));

const microcredentialInput = fc.oneof(creditBearing, nonCredit);

describe('parse → serialise → parse', () => {
  it('is stable for microcredentials', () => {
    fc.assert(
      fc.property(microcredentialInput, (input) => {
        const parsed = parseMicrocredential(input);
        const json = serialize(parsed);
        const again = parseMicrocredential(json);
        expect(again).toEqual(parsed);
        expect(serialize(again)).toEqual(json);
      }),
      { numRuns: 200 },
    );
  });

  it('is stable for whole proposals with learners', () => {
    const awardee = fc.record({
      learner: fc.record({ email, firstName: text(20), lastName: text(20) }),
      evidence: fc.array(
        fc.oneof(
          fc.record({ kind: fc.constant('url'), name: text(20), url }),
          fc.record({ kind: fc.constant('text'), name: text(20), text: text(100) }),
        ),
        { maxLength: 3 },
      ),
    });
    const proposal = fc
      .record({ micro: nonCredit, awardees: fc.uniqueArray(awardee, { maxLength: 5, selector: (a) => a.learner.email.toLowerCase() }) })
      .map(({ micro, awardees }) => {
        const { badge: b, ...form } = micro;
        return {
          form: {
            ...form,
            evidenceRequirements: { description: 'anything', requiredKinds: [] },
            assessment: { description: 'a test' },
            proposer: { name: 'P', email: 'p@example.edu', department: 'Libraries' },
            rationale: 'why',
          },
          badge: { ...b, cost: 'Paid' },
          learners: { awardees },
        };
      });
    fc.assert(
      fc.property(proposal, (input) => {
        const parsed = parseProposal(input);
        expect(parseProposal(serialize(parsed))).toEqual(parsed);
      }),
      { numRuns: 100 },
    );
  });

  it('is stable for approval records', () => {
    const steps = fc.array(fc.constantFrom('return', 'approve'), { maxLength: 3 });
    fc.assert(
      fc.property(steps, (choices) => {
        let r = createApprovalRecord('abc');
        r = transition(r, { action: 'submit', role: 'proposer', actor: { name: 'P' }, at: '2026-01-01T00:00:00Z' });
        r = transition(r, { action: 'begin_review', role: 'faculty', actor: { name: 'F' }, at: '2026-01-02T00:00:00Z' });
        const roles = ['faculty', 'department', 'office'] as const;
        for (const [i, choice] of choices.entries()) {
          if (r.state === 'returned_for_revision' || r.state === 'approved') break;
          const role = roles[i]!;
          r = transition(r, {
            action: choice === 'approve' ? 'approve' : 'return_for_revision',
            role,
            actor: { name: role },
            at: '2026-01-03T00:00:00+01:00',
            comment: 'c',
          });
        }
        expect(parseApprovalRecord(serialize(r))).toEqual(r);
      }),
    );
  });
});
