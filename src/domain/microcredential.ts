import { z } from 'zod';
import { badgeMetadataSchema } from './badge-metadata.js';
import { EVIDENCE_KINDS } from './evidence.js';
import { emailSchema } from './learner.js';
import { naceAlignmentSchema, sameNaceCompetency } from './nace.js';

/**
 * A campus's rule for the size of credit-bearing microcredentials. The default is Binghamton's
 * 2021 page: more than 4 and at most 12 credits, at least 2 courses.
 */
export interface CreditRule {
  readonly minCredits: number;
  /** Whether `minCredits` itself is allowed (the 2021 page says "more than 4", so false there). */
  readonly minCreditsInclusive: boolean;
  readonly maxCredits: number;
  readonly minCourses: number;
}

export const BINGHAMTON_2021_CREDIT_RULE: CreditRule = Object.freeze({
  minCredits: 4,
  minCreditsInclusive: false,
  maxCredits: 12,
  minCourses: 2,
});

/** Binghamton's 2025 page (at least 6 credits, at most 16, at least 2 courses); not the default. */
export const BINGHAMTON_2025_CREDIT_RULE: CreditRule = Object.freeze({
  minCredits: 6,
  minCreditsInclusive: true,
  maxCredits: 16,
  minCourses: 2,
});

export const DEFAULT_CREDIT_RULE = BINGHAMTON_2021_CREDIT_RULE;

export function describeCreditRule(rule: CreditRule): string {
  const low = rule.minCreditsInclusive ? `at least ${rule.minCredits}` : `more than ${rule.minCredits}`;
  return `${low} and at most ${rule.maxCredits} credits, in at least ${rule.minCourses} courses`;
}

/** `credit-bearing`, `non-credit`, or a campus's own type written `ext:<name>` (e.g. `ext:co-curricular`). */
export const microcredentialTypeSchema = z.union(
  [
    z.literal('credit-bearing'),
    z.literal('non-credit'),
    z.templateLiteral(['ext:', z.string().regex(/^[a-z0-9][a-z0-9-]*$/)]),
  ],
  { error: (issue) => `type "${String(issue.input)}" is not allowed; use credit-bearing, non-credit, or ext:<your-type>` },
);
export type MicrocredentialType = z.infer<typeof microcredentialTypeSchema>;

const text = (what: string, max: number) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .min(1, { error: `${what} is required` })
    .max(max, { error: `${what} must be at most ${max} characters` });

const nonEmptyList = <T extends z.ZodType>(item: T, what: string) =>
  z.array(item, { error: `${what} must be a list` }).min(1, { error: `at least one ${what} is required` });

export const courseSchema = z.strictObject({
  /** Subject and number as the schedule of classes shows them, e.g. "GEOG 260". */
  code: z
    .string({ error: 'the course code is required' })
    .trim()
    .regex(/^[A-Z]{2,5} ?\d{2,4}[A-Z]?$/, { error: (issue) => `course code "${String(issue.input)}" should look like "GEOG 260"` }),
  title: text('the course title', 200),
  credits: z.number({ error: 'course credits must be a number' }).positive({ error: 'course credits must be more than 0' }).max(12),
});
export type Course = z.infer<typeof courseSchema>;

export const creditDetailsSchema = z.strictObject({
  credits: z.number({ error: 'the number of credits is required' }).positive({ error: 'credits must be more than 0' }),
  courses: z.array(courseSchema, { error: 'courses must be a list' }),
  /** What the transcript says when the microcredential is completed. */
  transcriptNotation: text('the transcript notation', 100),
});
export type CreditDetails = z.infer<typeof creditDetailsSchema>;

/** The parts a learner completes: courses in the semester schedule, shorter or flexible options, other experiences. */
export const COMPONENT_KINDS = ['semester-course', 'short-course', 'flexible-option', 'additional-experience'] as const;
export const componentSchema = z.strictObject({
  kind: z.enum(COMPONENT_KINDS, {
    error: (issue) => `component kind "${String(issue.input)}" is not allowed; use one of ${COMPONENT_KINDS.join(', ')}`,
  }),
  title: text('the component title', 200),
  description: z.string().trim().max(2000).optional(),
  /** The course code for a semester course, linking it to `credit.courses`. */
  courseCode: z.string().trim().optional(),
  url: z.url({ protocol: /^https?$/ }).optional(),
});
export type Component = z.infer<typeof componentSchema>;

export const contactSchema = z.strictObject({
  name: text("the contact's name", 200),
  title: z.string().trim().max(200).optional(),
  email: emailSchema,
  phone: z.string().trim().max(40).optional(),
});
export type Contact = z.infer<typeof contactSchema>;

export const assessmentSchema = z.strictObject({
  description: text('the assessment description', 2000),
  /** The share of the assessment a learner must reach, e.g. 70 for "70 % or better". */
  passingPercent: z
    .number({ error: 'passingPercent must be a number' })
    .min(0, { error: 'passingPercent must be between 0 and 100' })
    .max(100, { error: 'passingPercent must be between 0 and 100' })
    .optional(),
});
export type Assessment = z.infer<typeof assessmentSchema>;

export const evidenceRequirementsSchema = z.strictObject({
  description: text('the evidence requirements', 2000),
  /** The kinds of evidence every learner's award must carry. */
  requiredKinds: z.array(z.enum(EVIDENCE_KINDS, { error: `evidence kinds are ${EVIDENCE_KINDS.join(', ')}` })).default([]),
  /** Evidence on Credly is public; learners may ask for theirs to be left off. */
  learnerMayOptOut: z.boolean().default(true),
});
export type EvidenceRequirements = z.infer<typeof evidenceRequirementsSchema>;

export const stackabilitySchema = z.strictObject({
  description: text('the stackability description', 2000),
  /** Certificates, degrees or other microcredentials this one stacks into. */
  stacksInto: z.array(z.string().trim().min(1)).default([]),
});

/**
 * A non-credit fee. The Office of Microcredentials does not approve fees; the Budget Office
 * authorizes them, and the model only records the authorization.
 */
export const feeSchema = z.strictObject({
  amountUsd: z.number({ error: 'the fee amount must be a number' }).nonnegative({ error: 'the fee cannot be negative' }),
  budgetOfficeAuthorization: text('the Budget Office authorization reference', 100),
});
export type Fee = z.infer<typeof feeSchema>;

/** Fields the proposal form (step 1) and the approved microcredential share. */
export const microcredentialCoreShape = {
  id: z
    .string({ error: 'the microcredential id is required' })
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{1,79}$/, {
      error: 'the id must be 2-80 lower-case letters, digits or hyphens, e.g. "geospatial-data-analysis"',
    }),
  title: text('the title', 200),
  description: text('the description', 5000),
  type: microcredentialTypeSchema,
  credit: creditDetailsSchema.optional(),
  components: nonEmptyList(componentSchema, 'component'),
  learningOutcomes: nonEmptyList(text('a learning outcome', 500), 'learning outcome'),
  competencies: z
    .array(naceAlignmentSchema, { error: 'competencies must be a list' })
    .min(1, { error: 'at least one NACE competency is required' }),
  assessment: assessmentSchema,
  earningCriteria: nonEmptyList(text('an earning criterion', 1000), 'earning criterion'),
  evidenceRequirements: evidenceRequirementsSchema,
  targetAudience: nonEmptyList(text('a target audience', 200), 'target audience'),
  stackability: stackabilitySchema.optional(),
  sponsoringUnit: text('the sponsoring unit', 200),
  contacts: nonEmptyList(contactSchema, 'contact'),
  fee: feeSchema.optional(),
} as const;

type CoreFields = {
  type: MicrocredentialType;
  credit?: CreditDetails | undefined;
  components: Component[];
  competencies: z.infer<typeof naceAlignmentSchema>[];
  fee?: Fee | undefined;
};

/** Cross-field rules: credit size, credit only on credit-bearing, no fee on credit-bearing, components that match courses, no repeated competency. */
export function checkCoreRules(value: CoreFields, ctx: z.RefinementCtx, rule: CreditRule): void {
  if (value.type === 'credit-bearing') {
    if (!value.credit) {
      ctx.addIssue({
        code: 'custom',
        path: ['credit'],
        message: `a credit-bearing microcredential needs credit details: credits, courses and a transcript notation (${describeCreditRule(rule)})`,
      });
    } else {
      const { credits, courses } = value.credit;
      const tooFew = rule.minCreditsInclusive ? credits < rule.minCredits : credits <= rule.minCredits;
      if (tooFew || credits > rule.maxCredits) {
        ctx.addIssue({
          code: 'custom',
          path: ['credit', 'credits'],
          message: `a credit-bearing microcredential must carry ${describeCreditRule(rule)}; got ${credits} credits`,
        });
      }
      if (courses.length < rule.minCourses) {
        ctx.addIssue({
          code: 'custom',
          path: ['credit', 'courses'],
          message: `at least ${rule.minCourses} courses are required, got ${courses.length}`,
        });
      }
      const courseCredits = courses.reduce((sum, course) => sum + course.credits, 0);
      if (courses.length > 0 && courseCredits < credits) {
        ctx.addIssue({
          code: 'custom',
          path: ['credit', 'courses'],
          message: `the courses add up to ${courseCredits} credits, fewer than the ${credits} the microcredential carries`,
        });
      }
      const codes = new Set(courses.map((course) => course.code));
      value.components.forEach((component, index) => {
        if (component.kind !== 'semester-course') return;
        if (!component.courseCode) {
          // A semester course is what the credits come from: it must say which one.
          ctx.addIssue({
            code: 'custom',
            path: ['components', index, 'courseCode'],
            message: `a semester-course component names its course: set courseCode to one of credit.courses (${[...codes].join(', ')})`,
          });
          return;
        }
        if (!codes.has(component.courseCode)) {
          ctx.addIssue({
            code: 'custom',
            path: ['components', index, 'courseCode'],
            message: `course ${component.courseCode} is not among credit.courses (${[...codes].join(', ')})`,
          });
        }
      });
    }
    if (value.fee) {
      ctx.addIssue({
        code: 'custom',
        path: ['fee'],
        message: 'a credit-bearing microcredential is paid through tuition; remove the fee (fees are for non-credit ones)',
      });
    }
  } else if (value.credit) {
    // Non-credit and campus (`ext:`) types alike: credits outside the credit rule would go unchecked.
    ctx.addIssue({
      code: 'custom',
      path: ['credit'],
      message: `a ${value.type} microcredential carries no credits; remove credit or make the type credit-bearing`,
    });
  }
  value.competencies.forEach((alignment, index) => {
    const earlier = value.competencies.slice(0, index).findIndex((other) => sameNaceCompetency(other, alignment));
    if (earlier >= 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['competencies', index],
        message: `this competency repeats competencies[${earlier}] (the 2017 and 2021 names of one competency count once)`,
      });
    }
  });
}

export interface MicrocredentialSchemaOptions {
  /** The campus rule for credit-bearing microcredentials; defaults to Binghamton's 2021 page. */
  readonly creditRule?: CreditRule;
}

/** Builds the microcredential schema for a campus's credit rule. */
export function createMicrocredentialSchema(options: MicrocredentialSchemaOptions = {}) {
  const rule = options.creditRule ?? DEFAULT_CREDIT_RULE;
  return z
    .strictObject({ ...microcredentialCoreShape, badge: badgeMetadataSchema })
    .superRefine((value, ctx) => checkCoreRules(value, ctx, rule));
}

/** A microcredential: what the campus offers and what Credly shows about its badge. */
export const microcredentialSchema = createMicrocredentialSchema();
export type Microcredential = z.infer<typeof microcredentialSchema>;
export type MicrocredentialInput = z.input<typeof microcredentialSchema>;
