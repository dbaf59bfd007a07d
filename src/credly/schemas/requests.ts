import { z } from 'zod';
import { formatCredlyDate, hasExplicitOffset } from '../dates.js';

/**
 * Request payloads, in Credly's wire names. They are strict (a misspelt field is an error, not a
 * silently ignored key) and validated before anything is sent.
 */

const id = (what: string) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .min(1, { error: `${what} is required` })
    .regex(/^[^/?#\s]+$/, { error: `${what} must be an id, without "/", "?", "#" or spaces` });

/** A date-time that goes out with an explicit offset: a Date, or a string that carries one. */
export const credlyDateSchema = z.union([
  z.date().transform((date) => formatCredlyDate(date)),
  z.string().refine(hasExplicitOffset, {
    error: (issue) =>
      `"${String(issue.input)}" needs an explicit offset, e.g. 2026-05-20T17:00:00-04:00 or 2026-05-20 17:00:00 -0400`,
  }),
]);

export const CREDLY_REQUEST_LOCALES = ['en', 'fr', 'fr-CA', 'de', 'ko', 'ja', 'zh-CN', 'pt', 'pt-BR', 'es-ES', 'es-US'] as const;

/** Evidence items: URL and ID evidence are documented; other types pass with a `type` of their own. */
export const evidenceItemSchema = z.union([
  z.strictObject({
    type: z.literal('UrlEvidence'),
    name: z.string().min(1),
    value: z.url({ protocol: /^https?$/ }),
    description: z.string().optional(),
  }),
  z.strictObject({
    type: z.literal('IdEvidence'),
    id: z.string().optional(),
    title: z.string().min(1),
    description: z.string().min(1),
  }),
  z.looseObject({ type: z.string().min(1).refine((t) => t !== 'UrlEvidence' && t !== 'IdEvidence') }),
]);
export type EvidenceItem = z.input<typeof evidenceItemSchema>;

const name = (what: string) => z.string({ error: `${what} is required` }).trim().min(1, { error: `${what} is required` });

const issueFields = {
  recipient_email: z.string({ error: 'recipient_email is required' }).trim().pipe(z.email({ error: 'recipient_email is not a valid email address' })),
  badge_template_id: id('badge_template_id'),
  issued_to_first_name: name('issued_to_first_name'),
  issued_to_last_name: name('issued_to_last_name'),
  issued_to_middle_name: z.string().optional(),
  issued_at: credlyDateSchema,
  /** A date; `null` for the template's default; `false` for never. */
  expires_at: z.union([credlyDateSchema, z.null(), z.literal(false)]).optional(),
  issuer_earner_id: z.string().trim().min(1).max(255).optional(),
  locale: z.enum(CREDLY_REQUEST_LOCALES).optional(),
  suppress_badge_notification_email: z.boolean().optional(),
  country_name: z.string().optional(),
  state_or_province: z.string().optional(),
  evidence: z.array(evidenceItemSchema).optional(),
  notification_message: z.string().optional(),
  issued_to: z.string().optional(),
  issuer_earner_group: z.strictObject({ name: z.string().min(1) }).optional(),
  /**
   * For a template that refuses duplicates: `replace` the learner's badge, `allow` a second one,
   * or `deny` (Credly's default). Documented on one page; its behaviour is unverified.
   */
  duplicate_behavior: z.enum(['replace', 'allow', 'deny'], { error: 'duplicate_behavior must be replace, allow or deny' }).optional(),
};

export const DUPLICATE_BEHAVIORS = ['replace', 'allow', 'deny'] as const;
export type DuplicateBehavior = (typeof DUPLICATE_BEHAVIORS)[number];

export const issueBadgeRequestSchema = z.strictObject(issueFields);
export type IssueBadgeParams = z.input<typeof issueBadgeRequestSchema>;

export const issueBadgeBatchRequestSchema = z.strictObject({
  badges: z.array(issueBadgeRequestSchema).min(1, { error: 'a batch needs at least one badge' }),
});
export type IssueBadgeBatchParams = z.input<typeof issueBadgeBatchRequestSchema>;

/** Replace takes the issue fields; the doc example leaves out the recipient email. */
export const replaceBadgeRequestSchema = z.strictObject({
  ...issueFields,
  recipient_email: issueFields.recipient_email.optional(),
  issued_to_first_name: issueFields.issued_to_first_name.optional(),
  issued_to_last_name: issueFields.issued_to_last_name.optional(),
});
export type ReplaceBadgeParams = z.input<typeof replaceBadgeRequestSchema>;

export const revokeBadgeRequestSchema = z.strictObject({
  reason: z.string({ error: 'a revocation reason is required' }).trim().min(1, { error: 'a revocation reason is required' }),
  suppress_revoke_notification_email: z.boolean().optional(),
});
export type RevokeBadgeParams = z.input<typeof revokeBadgeRequestSchema>;

const templateEnums = {
  cost: z.enum(['Free', 'Paid']).nullish(),
  level: z.enum(['Foundational', 'Intermediate', 'Advanced']).nullish(),
  time_to_earn: z.enum(['Hours', 'Days', 'Weeks', 'Months', 'Years']).nullish(),
  type_category: z.enum(['Learning', 'Validation', 'Experience', 'Certification']).nullish(),
};

/**
 * Activity types seen in Credly's data and documentation: `Award` and `Badge` in the documented
 * create example, `Schedule / Registration` in the documented responses, `Application` in a
 * recorded sandbox response, `Course` and `Assessment` in real badge JSON (domain.md [S33]).
 * Credly documents no list; a template is sent with these only.
 */
export const CREDLY_ACTIVITY_TYPES = ['Course', 'Assessment', 'Award', 'Schedule / Registration', 'Application', 'Badge'] as const;
export type CredlyActivityType = (typeof CREDLY_ACTIVITY_TYPES)[number];
const titledActivityTypes = CREDLY_ACTIVITY_TYPES.filter((t) => t !== 'Badge');

export const templateActivityRequestSchema = z.union([
  z.strictObject({ activity_type: z.literal('Badge'), required_badge_template_id: id('required_badge_template_id') }),
  z.strictObject({
    activity_type: z.string().refine((t) => (titledActivityTypes as readonly string[]).includes(t), {
      error: (issue) => `activity_type "${String(issue.input)}" is not one seen in Credly's data; use one of ${titledActivityTypes.join(', ')}`,
    }),
    title: z.string().min(1),
    activity_url: z.url().optional(),
  }),
]);

const templateFields = {
  name: name('name'),
  description: z.string().trim().min(1).max(500, { error: 'description must be at most 500 characters' }),
  image: z.union([z.strictObject({ remote_upload_url: z.url() }), z.strictObject({ data: z.string().min(1) })]),
  skills: z.array(z.string().min(1)).min(3, { error: 'at least 3 skills are required' }),
  global_activity_url: z.url({ error: 'global_activity_url (the criteria URL) must be a URL' }),
  badge_template_activities: z.array(templateActivityRequestSchema).min(1, { error: 'at least one activity is required' }),
  ...templateEnums,
  alignments: z.array(z.strictObject({ name: z.string().min(1), url: z.url(), description: z.string().optional() })).optional(),
  recommendations: z.array(z.looseObject({})).optional(),
  reporting_tags: z.array(z.string()).optional(),
  lock_badge_state: z.boolean().optional(),
  translatable: z.boolean().optional(),
  allow_duplicate_badges: z.boolean().optional(),
  state: z.enum(['draft', 'active', 'archived']).optional(),
  public: z.boolean().optional(),
};

export const createBadgeTemplateRequestSchema = z.strictObject(templateFields);
export type CreateBadgeTemplateParams = z.input<typeof createBadgeTemplateRequestSchema>;

/** Update is unverified (credly-api.md §3.2): any subset of the create fields. */
export const updateBadgeTemplateRequestSchema = z.strictObject(templateFields).partial();
export type UpdateBadgeTemplateParams = z.input<typeof updateBadgeTemplateRequestSchema>;
