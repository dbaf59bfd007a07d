import { z } from 'zod';
import { awardeeProblems, awardeeSchema } from './awardee.js';
import { badgeMetadataSchema } from './badge-metadata.js';
import { emailSchema } from './learner.js';
import {
  checkCoreRules,
  DEFAULT_CREDIT_RULE,
  microcredentialCoreShape,
  type Microcredential,
  type MicrocredentialSchemaOptions,
} from './microcredential.js';

/** Who proposes the microcredential (the faculty member who answers the reviewers). */
export const proposerSchema = z.strictObject({
  name: z.string({ error: "the proposer's name is required" }).trim().min(1, { error: "the proposer's name is required" }),
  email: emailSchema,
  title: z.string().trim().max(200).optional(),
  department: z.string().trim().min(1, { error: "the proposer's department is required" }).max(200),
});
export type Proposer = z.infer<typeof proposerSchema>;

const proposalFormShape = {
  ...microcredentialCoreShape,
  proposer: proposerSchema,
  /** Why the campus should offer it: the need, and how it helps students stand out to employers. */
  rationale: z.string({ error: 'the rationale is required' }).trim().min(1, { error: 'the rationale is required' }).max(5000),
  /** How the proposer knows learners and employers want it. */
  demandEvidence: z.string().trim().max(5000).optional(),
  marketingPlan: z.string().trim().max(5000).optional(),
};

/** Step 1: the proposal form. */
export function createProposalFormSchema(options: MicrocredentialSchemaOptions = {}) {
  const rule = options.creditRule ?? DEFAULT_CREDIT_RULE;
  return z.strictObject(proposalFormShape).superRefine((value, ctx) => checkCoreRules(value, ctx, rule));
}
export const proposalFormSchema = createProposalFormSchema();
export type ProposalForm = z.infer<typeof proposalFormSchema>;

/** Step 2: the badge information and metadata shown on Credly. */
export const proposalBadgeSchema = badgeMetadataSchema;

/** Step 3: the learners who will be issued the badge (may be empty while the proposal is reviewed). */
export const proposalLearnersSchema = z.strictObject({
  awardees: z.array(awardeeSchema, { error: 'awardees must be a list' }).default([]),
});
export type ProposalLearners = z.infer<typeof proposalLearnersSchema>;

/** The whole three-step proposal, checked across steps. */
export function createProposalSchema(options: MicrocredentialSchemaOptions = {}) {
  return z
    .strictObject({
      form: createProposalFormSchema(options),
      badge: proposalBadgeSchema,
      learners: proposalLearnersSchema.default({ awardees: [] }),
    })
    .superRefine((proposal, ctx) => {
      const { form, badge, learners } = proposal;
      if (form.fee && form.fee.amountUsd > 0 && badge.cost === 'Free') {
        ctx.addIssue({
          code: 'custom',
          path: ['badge', 'cost'],
          message: `the form records a fee of $${form.fee.amountUsd}, so the badge cost should be "Paid", not "Free"`,
        });
      }
      const byEmail = new Map<string, number>();
      const byCampusId = new Map<string, number>();
      learners.awardees.forEach((awardee, index) => {
        const base = ['learners', 'awardees', index];
        const { email, campusId } = awardee.learner;
        const earlierEmail = byEmail.get(email);
        if (earlierEmail !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [...base, 'learner', 'email'],
            message: `${email} is already listed at awardees[${earlierEmail}]; a learner earns the badge once`,
          });
        } else byEmail.set(email, index);
        if (campusId !== undefined) {
          const earlierId = byCampusId.get(campusId);
          if (earlierId !== undefined) {
            ctx.addIssue({
              code: 'custom',
              path: [...base, 'learner', 'campusId'],
              message: `campus id ${campusId} is already used by awardees[${earlierId}]`,
            });
          } else byCampusId.set(campusId, index);
        }
        for (const problem of awardeeProblems(form, awardee)) {
          ctx.addIssue({ code: 'custom', path: [...base, ...problem.path], message: problem.message });
        }
      });
    });
}
export const proposalSchema = createProposalSchema();
export type Proposal = z.infer<typeof proposalSchema>;
export type ProposalInput = z.input<typeof proposalSchema>;

export const PROPOSAL_STEPS = {
  form: { number: 1, title: 'proposal form' },
  badge: { number: 2, title: 'badge metadata' },
  learners: { number: 3, title: 'learners' },
} as const;
export type ProposalStep = keyof typeof PROPOSAL_STEPS;

/** The microcredential a proposal describes: the form's fields with the badge metadata. */
export function microcredentialFromProposal(proposal: Proposal): Microcredential {
  const { proposer: _proposer, rationale: _rationale, demandEvidence: _demand, marketingPlan: _marketing, ...core } =
    proposal.form;
  return { ...core, badge: proposal.badge };
}
