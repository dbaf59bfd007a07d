import { z } from 'zod';
import { evidenceSchema, meetsPassingPercent, scorePercent } from './evidence.js';
import { learnerSchema } from './learner.js';
import { sameNaceCompetency, type NaceFramework } from './nace.js';

/** An ISO 8601 date-time with an explicit offset: Credly needs one, and "local time" is ambiguous. */
export const offsetDateTimeSchema = z.iso.datetime({
  offset: true,
  error: (issue) => `"${String(issue.input)}" must be a date-time with an offset, e.g. 2026-05-20T17:00:00-04:00`,
});

/** A learner to be issued the badge (proposal step 3, and a roster row), with the evidence of their competency. */
export const awardeeSchema = z.strictObject({
  learner: learnerSchema,
  evidence: z.array(evidenceSchema, { error: 'evidence must be a list' }).default([]),
  /** When the learner earned it; the issuing job's clock when left out. */
  issuedAt: offsetDateTimeSchema.optional(),
  /** Overrides the microcredential's expiry policy for this learner. */
  expiresAt: offsetDateTimeSchema.optional(),
  /** Evidence on Credly is public: a learner who opted out gets the badge without it. */
  evidenceOptOut: z.boolean().optional(),
});
export type Awardee = z.infer<typeof awardeeSchema>;
export type AwardeeInput = z.input<typeof awardeeSchema>;

/** What an awardee is checked against: the microcredential's competencies and evidence rules. */
export interface AwardeeRules {
  readonly competencies: ReadonlyArray<{ framework: string; code: string }>;
  readonly assessment: { readonly passingPercent?: number | undefined };
  readonly evidenceRequirements: { readonly requiredKinds: readonly string[]; readonly learnerMayOptOut: boolean };
}

export interface AwardeeProblem {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

/**
 * The problems with one awardee for one microcredential: evidence tied to a competency the
 * microcredential does not claim, required evidence missing, an assessment below the passing mark.
 * Paths are relative to the awardee.
 */
export function awardeeProblems(rules: AwardeeRules, awardee: Awardee): AwardeeProblem[] {
  const problems: AwardeeProblem[] = [];
  awardee.evidence.forEach((item, index) => {
    const competency = item.competency;
    if (
      competency &&
      !rules.competencies.some((claimed) =>
        sameNaceCompetency(competency, { framework: claimed.framework as NaceFramework, code: claimed.code }),
      )
    ) {
      problems.push({
        path: ['evidence', index, 'competency'],
        message: `${competency.framework} ${competency.code} is not one of the microcredential's competencies`,
      });
    }
    const passing = rules.assessment.passingPercent;
    if (item.kind === 'assessment' && passing !== undefined && !meetsPassingPercent(item, passing)) {
      problems.push({
        path: ['evidence', index, 'score'],
        message: `a score of ${formatPercent(scorePercent(item))} % is below the ${passing} % needed to earn this microcredential`,
      });
    }
  });
  if (awardee.evidenceOptOut) {
    if (!rules.evidenceRequirements.learnerMayOptOut) {
      problems.push({ path: ['evidenceOptOut'], message: 'this microcredential does not let learners opt out of evidence' });
    }
  } else {
    for (const kind of rules.evidenceRequirements.requiredKinds) {
      if (!awardee.evidence.some((item) => item.kind === kind)) {
        problems.push({ path: ['evidence'], message: `${kind} evidence is required for this microcredential, and none was given` });
      }
    }
  }
  return problems;
}

function formatPercent(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
}
