import { z } from 'zod';

/** Credly's template categorisations (credly-api.md §3.2); Credly sends null when unset. */
export const BADGE_LEVELS = ['Foundational', 'Intermediate', 'Advanced'] as const;
export const BADGE_TYPE_CATEGORIES = ['Learning', 'Validation', 'Experience', 'Certification'] as const;
export const BADGE_TIME_TO_EARN = ['Hours', 'Days', 'Weeks', 'Months', 'Years'] as const;
export const BADGE_COSTS = ['Free', 'Paid'] as const;

export const BADGE_DESCRIPTION_MAX = 500;
export const BADGE_MIN_SKILLS = 3;

const oneOf = (field: string, values: readonly string[]) => ({
  error: (issue: { input?: unknown }) => `${field} "${String(issue.input)}" is not allowed; use one of ${values.join(', ')}`,
});

const httpsUrl = (what: string) =>
  z.url({ protocol: /^https?$/, error: (issue) => `${what} must be an http(s) URL, got "${String(issue.input)}"` });

/** An activity a learner completes to earn the badge (Credly `badge_template_activities`). */
/** Activity types a microcredential's earning activities may use (seen in Credly's data; see CREDLY_ACTIVITY_TYPES). */
export const EARNING_ACTIVITY_TYPES = ['Course', 'Assessment', 'Award', 'Schedule / Registration', 'Application'] as const;

export const earningActivitySchema = z.strictObject({
  /** Credly's activity type: one seen in Credly's data (CREDLY_ACTIVITY_TYPES, without Badge, which names a template instead). */
  type: z
    .string()
    .trim()
    .min(1, { error: 'an earning activity needs a type such as Course or Assessment' })
    .refine((t) => (EARNING_ACTIVITY_TYPES as readonly string[]).includes(t), {
      error: (issue) => `earning activity type "${String(issue.input)}" is not one Credly is known to accept; use one of ${EARNING_ACTIVITY_TYPES.join(', ')}`,
    }),
  title: z.string().trim().min(1, { error: 'an earning activity needs a title' }).max(200),
  url: httpsUrl('the activity URL').optional(),
});
export type EarningActivity = z.infer<typeof earningActivitySchema>;

/** A standard the badge aligns to, other than the NACE competencies (those are added from the microcredential). */
export const badgeAlignmentSchema = z.strictObject({
  name: z.string().trim().min(1, { error: 'an alignment needs a name' }).max(200),
  url: httpsUrl('the alignment URL'),
  description: z.string().trim().max(1000).optional(),
});
export type BadgeAlignment = z.infer<typeof badgeAlignmentSchema>;

/**
 * When an issued badge expires: never, the template's default (Credly's `expires_at: null`), or a
 * number of months after it is issued.
 */
export const expiryPolicySchema = z.discriminatedUnion(
  'policy',
  [
    z.strictObject({ policy: z.literal('never') }),
    z.strictObject({ policy: z.literal('template-default') }),
    z.strictObject({
      policy: z.literal('after'),
      months: z
        .number({ error: 'months must be a whole number' })
        .int({ error: 'months must be a whole number' })
        .min(1, { error: 'an expiry must be at least 1 month after issue' })
        .max(600, { error: 'an expiry more than 50 years away is not an expiry; use policy "never"' }),
    }),
  ],
  { error: 'expiry.policy must be one of never, template-default, after' },
);
export type ExpiryPolicy = z.infer<typeof expiryPolicySchema>;

/** Step 2 of a proposal: what Credly shows about the badge. */
export const badgeMetadataSchema = z
  .strictObject({
    name: z
      .string({ error: 'the badge name is required' })
      .trim()
      .min(1, { error: 'the badge name is required' })
      .max(255, { error: 'the badge name is longer than 255 characters' }),
    description: z
      .string({ error: 'the badge description is required' })
      .trim()
      .min(1, { error: 'the badge description is required' })
      .max(BADGE_DESCRIPTION_MAX, {
        error: (issue) =>
          `the badge description must be at most ${BADGE_DESCRIPTION_MAX} characters, got ${String((issue.input as string).length)}`,
      }),
    imageUrl: httpsUrl('the badge image'),
    skills: z
      .array(z.string().trim().min(1, { error: 'a skill cannot be empty' }).max(100), { error: 'skills must be a list' })
      .min(BADGE_MIN_SKILLS, {
        error: (issue) =>
          `at least ${BADGE_MIN_SKILLS} skills are required, got ${String((issue.input as unknown[]).length)}`,
      }),
    criteriaUrl: httpsUrl('the criteria URL'),
    /** Earning activities; when left out they are derived from the microcredential's components. */
    earningActivities: z.array(earningActivitySchema).optional(),
    level: z.enum(BADGE_LEVELS, oneOf('level', BADGE_LEVELS)).optional(),
    typeCategory: z.enum(BADGE_TYPE_CATEGORIES, oneOf('typeCategory', BADGE_TYPE_CATEGORIES)).optional(),
    timeToEarn: z.enum(BADGE_TIME_TO_EARN, oneOf('timeToEarn', BADGE_TIME_TO_EARN)).optional(),
    cost: z.enum(BADGE_COSTS, oneOf('cost', BADGE_COSTS)).optional(),
    alignments: z.array(badgeAlignmentSchema).optional(),
    reportingTags: z.array(z.string().trim().min(1).max(100)).optional(),
    expiry: expiryPolicySchema.default({ policy: 'never' }),
    /** Whether Credly may issue this badge twice to one learner (re-certification uses replace instead). */
    allowDuplicates: z.boolean().optional(),
  })
  .superRefine((badge, ctx) => {
    const seen = new Set<string>();
    badge.skills.forEach((skill, index) => {
      const key = skill.toLowerCase();
      if (seen.has(key)) {
        ctx.addIssue({ code: 'custom', path: ['skills', index], message: `the skill "${skill}" is listed twice` });
      }
      seen.add(key);
    });
  });
export type BadgeMetadata = z.infer<typeof badgeMetadataSchema>;
export type BadgeMetadataInput = z.input<typeof badgeMetadataSchema>;
