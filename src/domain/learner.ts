import { z } from 'zod';

/** Languages Credly sends notification emails in (the issue request's `locale`). */
export const CREDLY_LOCALES = ['en', 'fr', 'fr-CA', 'de', 'ko', 'ja', 'zh-CN', 'pt', 'pt-BR', 'es-ES', 'es-US'] as const;
export type CredlyLocale = (typeof CREDLY_LOCALES)[number];

/**
 * An email address, trimmed and lower-cased: Credly identifies earners by email, and two spellings
 * of one address must count as one learner.
 */
export const emailSchema = z
  .string({ error: 'an email address is required' })
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: (issue) => `"${String(issue.input)}" is not a valid email address` }));

const personName = (what: string) =>
  z
    .string({ error: `the learner's ${what} is required` })
    .trim()
    .min(1, { error: `the learner's ${what} is required` })
    .max(100, { error: `the learner's ${what} is longer than 100 characters` });

/** A learner who may earn a microcredential. */
export const learnerSchema = z.strictObject({
  email: emailSchema,
  firstName: personName('first name'),
  middleName: personName('middle name').optional(),
  lastName: personName('last name'),
  /** The campus's own id for the learner (e.g. a B-number); sent to Credly as `issuer_earner_id`. */
  campusId: z
    .string()
    .trim()
    .min(1, { error: 'the campus id is empty; leave it out instead' })
    .max(100, { error: 'the campus id is longer than 100 characters' })
    .optional(),
  locale: z
    .enum(CREDLY_LOCALES, {
      error: (issue) => `"${String(issue.input)}" is not a locale Credly supports; use one of ${CREDLY_LOCALES.join(', ')}`,
    })
    .optional(),
});
export type Learner = z.infer<typeof learnerSchema>;
export type LearnerInput = z.input<typeof learnerSchema>;

/** The learner's name as one string, as Credly's `issued_to` shows it. */
export function learnerFullName(learner: Pick<Learner, 'firstName' | 'middleName' | 'lastName'>): string {
  return [learner.firstName, learner.middleName, learner.lastName].filter(Boolean).join(' ');
}
