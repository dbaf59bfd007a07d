import { z } from 'zod';
import { naceAlignmentSchema } from './nace.js';

/**
 * Evidence of a learner's competency, shown with the badge on Credly. The kinds follow Credly's
 * bulk-issue sheet (URL, text and ID evidence) plus assessment results, which campuses use to show
 * a score against a threshold (for example 70 % or better).
 */
export const EVIDENCE_KINDS = ['url', 'text', 'id', 'assessment'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

const competency = naceAlignmentSchema.optional();

const urlEvidenceSchema = z.strictObject({
  kind: z.literal('url'),
  name: z.string().trim().min(1, { error: 'URL evidence needs a name' }).max(200),
  url: z.url({ protocol: /^https?$/, error: 'URL evidence needs an http(s) URL' }),
  description: z.string().trim().max(1000).optional(),
  competency,
});

const textEvidenceSchema = z.strictObject({
  kind: z.literal('text'),
  name: z.string().trim().min(1, { error: 'text evidence needs a name' }).max(200),
  text: z.string().trim().min(1, { error: 'text evidence needs its text' }).max(5000),
  competency,
});

const idEvidenceSchema = z.strictObject({
  kind: z.literal('id'),
  title: z.string().trim().min(1, { error: 'ID evidence needs a title' }).max(200),
  description: z.string().trim().min(1, { error: 'ID evidence needs a description (e.g. the license number)' }).max(1000),
  competency,
});

const assessmentEvidenceSchema = z
  .strictObject({
    kind: z.literal('assessment'),
    name: z.string().trim().min(1, { error: 'an assessment result needs the assessment name' }).max(200),
    score: z.number({ error: 'an assessment score must be a number' }).min(0, { error: 'a score cannot be negative' }),
    maxScore: z.number().positive({ error: 'the maximum score must be more than 0' }).default(100),
    assessedOn: z.iso.date({ error: 'assessedOn must be a date such as 2026-05-14' }).optional(),
    competency,
  })
  .refine((value) => value.score <= value.maxScore, {
    error: 'the score is higher than the maximum score',
    path: ['score'],
  });

export const evidenceSchema = z.discriminatedUnion('kind', [
  urlEvidenceSchema,
  textEvidenceSchema,
  idEvidenceSchema,
  assessmentEvidenceSchema,
], { error: `evidence kind must be one of ${EVIDENCE_KINDS.join(', ')}` });
export type Evidence = z.infer<typeof evidenceSchema>;
export type AssessmentEvidence = Extract<Evidence, { kind: 'assessment' }>;

/** The assessment's score as a percentage of its maximum. */
export function scorePercent(evidence: Pick<AssessmentEvidence, 'score' | 'maxScore'>): number {
  return (evidence.score / evidence.maxScore) * 100;
}

/** True when an assessment result meets a passing threshold given in percent. */
export function meetsPassingPercent(evidence: Pick<AssessmentEvidence, 'score' | 'maxScore'>, passingPercent: number): boolean {
  // Rounding guards against 69.99999 for 7/10 style fractions.
  return Math.round(scorePercent(evidence) * 1e6) / 1e6 >= passingPercent;
}
