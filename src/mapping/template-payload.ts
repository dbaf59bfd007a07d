import { assertApprovedForCredly, type ApprovalRecord } from '../domain/approval.js';
import type { Component, Microcredential } from '../domain/microcredential.js';
import { NACE_COMPETENCIES_URL, naceCompetency } from '../domain/nace.js';
import type { CreateBadgeTemplateParams, CredlyActivityType } from '../credly/schemas/requests.js';

/**
 * Credly activity types for our component kinds, only among those seen in Credly's data
 * (CREDLY_ACTIVITY_TYPES): no "Experience" type has been seen, so an additional experience
 * (an internship, a capstone) is an "Award", Credly's documented example of a non-course activity.
 */
const ACTIVITY_TYPE: Record<Component['kind'], CredlyActivityType> = {
  'semester-course': 'Course',
  'short-course': 'Course',
  'flexible-option': 'Course',
  'additional-experience': 'Award',
};

/** The `badge_template_activities` of a microcredential: its badge's own list, or its components. */
export function templateActivities(micro: Microcredential): CreateBadgeTemplateParams['badge_template_activities'] {
  if (micro.badge.earningActivities?.length) {
    return micro.badge.earningActivities.map((activity) => ({
      activity_type: activity.type,
      title: activity.title,
      ...(activity.url ? { activity_url: activity.url } : {}),
    }));
  }
  return micro.components.map((component) => ({
    activity_type: ACTIVITY_TYPE[component.kind],
    title: component.courseCode && !component.title.includes(component.courseCode) ? `${component.courseCode}: ${component.title}` : component.title,
    ...(component.url ? { activity_url: component.url } : {}),
  }));
}

/** NACE alignments as Credly `alignments`, each naming its framework, then the badge's other standards. */
export function templateAlignments(micro: Microcredential): NonNullable<CreateBadgeTemplateParams['alignments']> {
  const nace = micro.competencies.map((alignment) => {
    const competency = naceCompetency(alignment.framework, alignment.code);
    return {
      name: `NACE Career Readiness (${alignment.framework.slice(5)}): ${competency.title}`,
      url: NACE_COMPETENCIES_URL,
      description: competency.definition,
    };
  });
  const others = (micro.badge.alignments ?? []).map((a) => ({ name: a.name, url: a.url, ...(a.description ? { description: a.description } : {}) }));
  return [...nace, ...others];
}

/**
 * The Credly badge template for an approved microcredential. Pure; refuses (NotApprovedError) a
 * microcredential that is not approved, or retired.
 */
export function templatePayload(micro: Microcredential, approval: Pick<ApprovalRecord, 'state' | 'microcredentialId'>): CreateBadgeTemplateParams {
  assertApprovedForCredly(approval);
  const { badge } = micro;
  return {
    name: badge.name,
    description: badge.description,
    image: { remote_upload_url: badge.imageUrl },
    skills: [...badge.skills],
    global_activity_url: badge.criteriaUrl,
    badge_template_activities: templateActivities(micro),
    alignments: templateAlignments(micro),
    ...(badge.level ? { level: badge.level } : {}),
    ...(badge.typeCategory ? { type_category: badge.typeCategory } : {}),
    ...(badge.timeToEarn ? { time_to_earn: badge.timeToEarn } : {}),
    ...(badge.cost ? { cost: badge.cost } : {}),
    ...(badge.reportingTags?.length ? { reporting_tags: [...badge.reportingTags] } : {}),
    ...(badge.allowDuplicates !== undefined ? { allow_duplicate_badges: badge.allowDuplicates } : {}),
  };
}
