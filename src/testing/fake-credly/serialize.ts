import type { FakeOrganization, StoredBadge, StoredEvent, StoredTemplate } from './store.js';

export interface FakeUrls {
  /** e.g. http://127.0.0.1:4010/v1 */
  readonly api: string;
  /** e.g. http://127.0.0.1:4010 (stands for the www host) */
  readonly web: string;
}

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'badge';

/** Organizations as Credly sends them. */
export function organizationJson(org: FakeOrganization, urls: FakeUrls): Record<string, unknown> {
  return {
    id: org.id,
    name: org.name,
    website_url: org.website_url,
    webhook_url: org.webhook_url,
    allowed_webhooks: [],
    contact_email: org.contact_email,
    vanity_slug: org.vanity_slug,
    vanity_url: `${urls.web}/org/${org.vanity_slug}`,
    verified: true,
    photo: null,
    photo_url: null,
    created_at: org.created_at,
    updated_at: org.updated_at,
  };
}

function ownerJson(org: FakeOrganization | undefined, organizationId: string, urls: FakeUrls): Record<string, unknown> {
  return {
    type: 'Organization',
    id: organizationId,
    name: org?.name ?? null,
    enable_blockchain: false,
    url: `${urls.api}/organizations/${organizationId}`,
    vanity_url: `${urls.web}/org/${org?.vanity_slug ?? 'organization'}`,
    vanity_slug: org?.vanity_slug ?? 'organization',
    verified: true,
    viewable: true,
  };
}

/** A template with the fields, and the nulls, of Credly's examples. */
export function templateJson(template: StoredTemplate, org: FakeOrganization | undefined, urls: FakeUrls, badgesCount: number): Record<string, unknown> {
  const f = template.fields;
  const name = String(f.name ?? '');
  const image = f.image as { remote_upload_url?: string } | undefined;
  const imageUrl = image?.remote_upload_url ?? `${urls.web}/images/${template.id}.png`;
  const activities = Array.isArray(f.badge_template_activities) ? (f.badge_template_activities as Array<Record<string, unknown>>) : [];
  const alignments = Array.isArray(f.alignments) ? (f.alignments as Array<Record<string, unknown>>) : [];
  return {
    id: template.id,
    allow_duplicate_badges: f.allow_duplicate_badges === true,
    cost: f.cost ?? null,
    description: f.description ?? null,
    global_activity_url: f.global_activity_url ?? null,
    level: f.level ?? null,
    lock_badge_state: f.lock_badge_state === true,
    name,
    state: template.state,
    public: f.public !== false,
    badges_count: badgesCount,
    recipient_type: 'User',
    show_badge_lmi: false,
    show_lmi_jobs: false,
    show_skill_tag_links: true,
    vanity_slug: slug(name),
    record_to_blockchain: null,
    time_to_earn: f.time_to_earn ?? null,
    type_category: f.type_category ?? null,
    printing_disabled: false,
    visibility: f.public === false ? 'private' : 'public',
    criteria_url_name: null,
    criteria_url: null,
    certification: false,
    state_updated_at: template.state_updated_at,
    created_at: template.created_at,
    updated_at: template.updated_at,
    show_template_settings: false,
    get_issue_count: badgesCount,
    image: { id: template.id, url: imageUrl },
    image_url: imageUrl,
    url: `${urls.web}/org/${org?.vanity_slug ?? 'organization'}/badge/${slug(name)}`,
    owner: ownerJson(org, template.organizationId, urls),
    alignments: alignments.map((a, i) => ({ id: `${template.id}-alignment-${i}`, name: a.name ?? null, url: a.url ?? null, description: a.description ?? null })),
    recommendations: Array.isArray(f.recommendations) ? f.recommendations : [],
    required_badge_templates: [],
    badge_template_activities: activities.map((a, i) => ({
      id: `${template.id}-activity-${i}`,
      title: a.title ?? null,
      activity_type: a.activity_type ?? null,
      activity_url: a.activity_url ?? null,
      required_badge_template_id: a.required_badge_template_id ?? null,
    })),
    skills: Array.isArray(f.skills) ? f.skills : [],
    reporting_tags: Array.isArray(f.reporting_tags) ? f.reporting_tags : [],
  };
}

const dateOnly = (iso: string | null) => (iso ? iso.slice(0, 10) : null);

/** An issued badge with its embedded template, issuer and user, as Credly's examples show it. */
export function badgeJson(
  badge: StoredBadge,
  template: Record<string, unknown>,
  org: FakeOrganization | undefined,
  urls: FakeUrls,
  options: { acceptUrl?: boolean } = {},
): Record<string, unknown> {
  const entity = {
    type: 'Organization',
    id: badge.organizationId,
    name: org?.name ?? null,
    url: `${urls.api}/organizations/${badge.organizationId}`,
    vanity_url: `${urls.web}/org/${org?.vanity_slug ?? 'organization'}`,
    verified: true,
  };
  const fullName = [badge.issued_to_first_name, badge.issued_to_middle_name, badge.issued_to_last_name].filter(Boolean).join(' ');
  return {
    user: null,
    created_by: entity,
    issuer: { summary: `issued by ${org?.name ?? 'the organization'}`, entities: [{ label: 'Issued by', primary: true, entity }] },
    printing_enabled: false,
    print_method: null,
    badge_template: template,
    id: badge.id,
    issued_to: fullName,
    issued_to_first_name: badge.issued_to_first_name,
    issued_to_middle_name: badge.issued_to_middle_name,
    issued_to_last_name: badge.issued_to_last_name,
    issuer_earner_id: badge.issuer_earner_id,
    locale: badge.locale,
    public: badge.public,
    recipient_email: badge.recipient_email,
    replacement_badge_id: badge.replacement_badge_id,
    replaces_badge_id: badge.replaces_badge_id,
    revocation_reason: badge.revocation_reason,
    state: badge.state,
    suppress_badge_notification_email: badge.suppress_badge_notification_email,
    updated_at: badge.updated_at,
    country: badge.country,
    state_or_province: badge.state_or_province,
    created_at: badge.created_at,
    expires_at: badge.expires_at,
    expires_at_date: dateOnly(badge.expires_at),
    issued_at: badge.issued_at,
    issued_at_date: dateOnly(badge.issued_at),
    state_updated_at: badge.state_updated_at,
    accepted_at: badge.accepted_at,
    image: template.image ?? null,
    image_url: template.image_url ?? null,
    alignments: Array.isArray(template.alignments)
      ? (template.alignments as Array<Record<string, unknown>>).map((a) => ({ name: a.name, description: a.description }))
      : [],
    evidence: badge.evidence,
    badge_url: `${urls.web}/badges/${badge.id}`,
    ...(options.acceptUrl ? { accept_badge_url: `${urls.web}/badges/${badge.id}/accept` } : {}),
  };
}

/** The short item shape of high-volume search (`badge_format=minimal`). */
export function minimalBadgeJson(badge: StoredBadge, templateName: string, urls: FakeUrls): Record<string, unknown> {
  return {
    id: badge.id,
    issued_to: [badge.issued_to_first_name, badge.issued_to_last_name].join(' '),
    issued_to_first_name: badge.issued_to_first_name,
    issued_to_last_name: badge.issued_to_last_name,
    issuer_earner_id: badge.issuer_earner_id,
    public: badge.public,
    recipient_email: badge.recipient_email,
    state: badge.state,
    badge_url: `${urls.web}/badges/${badge.id}`,
    updated_at: badge.updated_at,
    created_at: badge.created_at,
    expires_at: badge.expires_at,
    issued_at: badge.issued_at,
    state_updated_at: badge.state_updated_at,
    badge_template: { id: badge.templateId, name: templateName },
    user: null,
  };
}

export function eventJson(event: StoredEvent): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: event.id,
    event_type: event.event_type,
    organization_id: event.organizationId,
    occurred_at: event.occurred_at,
  };
  if (event.badgeId) body.badge = event.snapshot;
  if (event.templateId) body.badge_template = event.snapshot;
  return body;
}
