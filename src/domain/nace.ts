import { z } from 'zod';
import { withCode } from '../coded-error.js';

/**
 * NACE career-readiness competencies in both frameworks a campus may use: the 8 names of the 2017
 * framework (the list Binghamton's page uses) and the 8 of NACE's April 2021 revision.
 * Definitions are condensed from NACE material (see ../shared/domain.md §2).
 */
export const NACE_FRAMEWORKS = ['NACE-2017', 'NACE-2021'] as const;
export type NaceFramework = (typeof NACE_FRAMEWORKS)[number];

export const NACE_2017_CODES = [
  'critical-thinking-problem-solving',
  'oral-written-communications',
  'teamwork-collaboration',
  'digital-technology',
  'leadership',
  'professionalism-work-ethic',
  'career-management',
  'global-intercultural-fluency',
] as const;
export type Nace2017Code = (typeof NACE_2017_CODES)[number];

export const NACE_2021_CODES = [
  'critical-thinking',
  'communication',
  'teamwork',
  'technology',
  'leadership',
  'professionalism',
  'career-self-development',
  'equity-inclusion',
] as const;
export type Nace2021Code = (typeof NACE_2021_CODES)[number];

export interface NaceCompetency {
  readonly framework: NaceFramework;
  readonly code: string;
  readonly title: string;
  readonly definition: string;
}

/** The NACE page every alignment points to (per-competency URLs are not verified). */
export const NACE_COMPETENCIES_URL = 'https://www.naceweb.org/career-readiness/competencies/career-readiness-defined/';

export const NACE_2017: Readonly<Record<Nace2017Code, NaceCompetency>> = {
  'critical-thinking-problem-solving': {
    framework: 'NACE-2017',
    code: 'critical-thinking-problem-solving',
    title: 'Critical Thinking/Problem Solving',
    definition:
      'Exercise sound reasoning to analyze issues, make decisions and overcome problems; obtain, interpret and use knowledge, facts and data; demonstrate originality and inventiveness.',
  },
  'oral-written-communications': {
    framework: 'NACE-2017',
    code: 'oral-written-communications',
    title: 'Oral/Written Communications',
    definition:
      'Articulate thoughts and ideas clearly and effectively in written and oral forms to persons inside and outside of the organization, including public speaking and writing and editing memos, letters and reports.',
  },
  'teamwork-collaboration': {
    framework: 'NACE-2017',
    code: 'teamwork-collaboration',
    title: 'Teamwork/Collaboration',
    definition:
      'Build collaborative relationships with colleagues and customers representing diverse cultures, races, ages, genders, religions, lifestyles and viewpoints; work within a team structure; negotiate and manage conflict.',
  },
  'digital-technology': {
    framework: 'NACE-2017',
    code: 'digital-technology',
    title: 'Digital Technology',
    definition:
      'Leverage existing digital technologies ethically and efficiently to solve problems, complete tasks and accomplish goals; demonstrate effective adaptability to new and emerging technologies.',
  },
  leadership: {
    framework: 'NACE-2017',
    code: 'leadership',
    title: 'Leadership',
    definition:
      'Leverage the strengths of others to achieve common goals; use interpersonal skills to coach and develop others; assess and manage emotions; organize, prioritize and delegate work.',
  },
  'professionalism-work-ethic': {
    framework: 'NACE-2017',
    code: 'professionalism-work-ethic',
    title: 'Professionalism/Work Ethic',
    definition:
      'Demonstrate personal accountability and effective work habits such as punctuality and time and workload management; act with integrity and ethical behavior; learn from mistakes.',
  },
  'career-management': {
    framework: 'NACE-2017',
    code: 'career-management',
    title: 'Career Management',
    definition:
      "Identify and articulate one's skills, strengths, knowledge and experiences relevant to the position desired and career goals; identify areas for growth; navigate and explore job options; self-advocate.",
  },
  'global-intercultural-fluency': {
    framework: 'NACE-2017',
    code: 'global-intercultural-fluency',
    title: 'Global/Intercultural Fluency',
    definition:
      'Value, respect and learn from diverse cultures, races, ages, genders, sexual orientations and religions; demonstrate openness, inclusiveness, sensitivity and the ability to interact respectfully with all people.',
  },
};

export const NACE_2021: Readonly<Record<Nace2021Code, NaceCompetency>> = {
  'critical-thinking': {
    framework: 'NACE-2021',
    code: 'critical-thinking',
    title: 'Critical Thinking',
    definition:
      'Identify and respond to needs based upon an understanding of situational context and logical analysis of relevant information.',
  },
  communication: {
    framework: 'NACE-2021',
    code: 'communication',
    title: 'Communication',
    definition:
      'Clearly and effectively exchange information, ideas, facts and perspectives with persons inside and outside of an organization.',
  },
  teamwork: {
    framework: 'NACE-2021',
    code: 'teamwork',
    title: 'Teamwork',
    definition:
      'Build and maintain collaborative relationships to work effectively toward common goals, while appreciating diverse viewpoints and shared responsibilities.',
  },
  technology: {
    framework: 'NACE-2021',
    code: 'technology',
    title: 'Technology',
    definition:
      'Understand and leverage technologies ethically to enhance efficiencies, complete tasks and accomplish goals.',
  },
  leadership: {
    framework: 'NACE-2021',
    code: 'leadership',
    title: 'Leadership',
    definition: 'Recognize and capitalize on personal and team strengths to achieve organizational goals.',
  },
  professionalism: {
    framework: 'NACE-2021',
    code: 'professionalism',
    title: 'Professionalism',
    definition:
      'Knowing that work environments differ greatly, understand and demonstrate effective work habits, and act in the interest of the larger community and workplace.',
  },
  'career-self-development': {
    framework: 'NACE-2021',
    code: 'career-self-development',
    title: 'Career & Self-Development',
    definition:
      "Proactively develop oneself and one's career through continual personal and professional learning, awareness of one's strengths and weaknesses, navigation of career opportunities and networking.",
  },
  'equity-inclusion': {
    framework: 'NACE-2021',
    code: 'equity-inclusion',
    title: 'Equity & Inclusion',
    definition:
      'Demonstrate the awareness, attitude, knowledge and skills required to equitably engage and include people from different local and global cultures, and engage in anti-racist practices.',
  },
};

/** NACE's 2021 revision renamed each 2017 competency; the mapping is one to one. */
export const NACE_2017_TO_2021: Readonly<Record<Nace2017Code, Nace2021Code>> = {
  'critical-thinking-problem-solving': 'critical-thinking',
  'oral-written-communications': 'communication',
  'teamwork-collaboration': 'teamwork',
  'digital-technology': 'technology',
  leadership: 'leadership',
  'professionalism-work-ethic': 'professionalism',
  'career-management': 'career-self-development',
  'global-intercultural-fluency': 'equity-inclusion',
};

export const NACE_2021_TO_2017: Readonly<Record<Nace2021Code, Nace2017Code>> = Object.fromEntries(
  Object.entries(NACE_2017_TO_2021).map(([from, to]) => [to, from]),
) as Record<Nace2021Code, Nace2017Code>;

const codesOf: Record<NaceFramework, readonly string[]> = {
  'NACE-2017': NACE_2017_CODES,
  'NACE-2021': NACE_2021_CODES,
};

/** An alignment of a microcredential (or a piece of evidence) to one NACE competency. */
export const naceAlignmentSchema = z
  .strictObject({
    framework: z.enum(NACE_FRAMEWORKS, {
      error: () => `must be one of ${NACE_FRAMEWORKS.join(', ')}`,
    }),
    code: z.string().trim().min(1, { error: 'a NACE competency code is required' }),
    /** Why the microcredential develops this competency (shown to reviewers). */
    rationale: z.string().trim().min(1).max(1000).optional(),
  })
  .superRefine((value, ctx) => {
    const allowed = codesOf[value.framework];
    if (!allowed.includes(value.code)) {
      ctx.addIssue({
        code: 'custom',
        path: ['code'],
        message: `"${value.code}" is not a ${value.framework} competency; use one of ${allowed.join(', ')}`,
      });
    }
  });
export type NaceAlignment = z.infer<typeof naceAlignmentSchema>;

/** The competency an alignment names, with its title and definition. */
export function naceCompetency(framework: NaceFramework, code: string): NaceCompetency {
  const table: Readonly<Record<string, NaceCompetency>> = framework === 'NACE-2017' ? NACE_2017 : NACE_2021;
  const found = table[code];
  if (!found) {
    throw withCode(new RangeError(`"${code}" is not a ${framework} competency; use one of ${codesOf[framework].join(', ')}`), 'NACE_UNKNOWN_COMPETENCY');
  }
  return found;
}

/** The same alignment expressed in the 2021 framework (a no-op for 2021 alignments). */
export function toNace2021(alignment: NaceAlignment): NaceAlignment {
  if (alignment.framework === 'NACE-2021') return alignment;
  const code = NACE_2017_TO_2021[alignment.code as Nace2017Code];
  return { ...alignment, framework: 'NACE-2021', code };
}

/** The same alignment expressed in the 2017 framework (a no-op for 2017 alignments). */
export function toNace2017(alignment: NaceAlignment): NaceAlignment {
  if (alignment.framework === 'NACE-2017') return alignment;
  const code = NACE_2021_TO_2017[alignment.code as Nace2021Code];
  return { ...alignment, framework: 'NACE-2017', code };
}

/** True when two alignments name the same competency, whichever framework each uses. */
export function sameNaceCompetency(a: Pick<NaceAlignment, 'framework' | 'code'>, b: Pick<NaceAlignment, 'framework' | 'code'>): boolean {
  return toNace2021({ ...a }).code === toNace2021({ ...b }).code;
}
