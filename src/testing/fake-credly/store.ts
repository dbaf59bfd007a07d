import { createHash } from 'node:crypto';
import type { FakeClock } from './clock.js';
import { duplicateRefusal, type FakeFidelityOptions } from './fidelity.js';
import { randomUuid, type Random } from './random.js';

/** An error the fake answers with: `{ data: { message } }` and a status, like Credly, or a body of its own. */
export class FakeHttpError extends Error {
  readonly status: number;
  readonly errorIndex: number | undefined;
  /** Sent as it is instead of `{ data: { message } }`. */
  readonly body: unknown;

  constructor(status: number, message: string, errorIndex?: number, body?: unknown) {
    super(message);
    this.status = status;
    this.errorIndex = errorIndex;
    this.body = body;
  }
}

const DUPLICATE_BEHAVIORS = ['replace', 'allow', 'deny'];

export interface FakeOrganization {
  id: string;
  name: string;
  webhook_url: string | null;
  website_url: string | null;
  contact_email: string | null;
  vanity_slug: string;
  created_at: string;
  updated_at: string;
}

export type TemplateState = 'draft' | 'active' | 'archived';

export interface StoredTemplate {
  id: string;
  organizationId: string;
  state: TemplateState;
  /** The create and update fields as sent (image, skills, activities, …). */
  fields: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  state_updated_at: string | null;
}

export interface StoredBadge {
  id: string;
  organizationId: string;
  templateId: string;
  state: string;
  recipient_email: string;
  issued_to_first_name: string;
  issued_to_middle_name: string | null;
  issued_to_last_name: string;
  issuer_earner_id: string | null;
  issued_at: string;
  expires_at: string | null;
  locale: string;
  suppress_badge_notification_email: boolean;
  evidence: Array<Record<string, unknown>>;
  country: string | null;
  state_or_province: string | null;
  revocation_reason: string | null;
  replacement_badge_id: string | null;
  replaces_badge_id: string | null;
  public: boolean;
  created_at: string;
  updated_at: string;
  state_updated_at: string | null;
  accepted_at: string | null;
}

export interface StoredEvent {
  id: string;
  organizationId: string;
  event_type: string;
  occurred_at: string;
  badgeId?: string;
  templateId?: string;
  /** The object as it was when the event happened. */
  snapshot: Record<string, unknown>;
}

const REQUIRED_TEMPLATE = ['name', 'description', 'image', 'skills', 'global_activity_url', 'badge_template_activities'] as const;
const REQUIRED_ISSUE = ['recipient_email', 'badge_template_id', 'issued_to_first_name', 'issued_to_last_name', 'issued_at'] as const;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s?(Z|[+-]\d{2}:?\d{2})$/;

/** Badges that count for Credly's duplicate rule: not revoked, not replaced, not deleted. */
const counts = (badge: StoredBadge) => badge.state !== 'revoked' && badge.replacement_badge_id === null;

export function parseRequestDate(value: unknown, field: string): string {
  if (typeof value !== 'string' || !DATE_WITH_OFFSET.test(value.trim())) {
    throw new FakeHttpError(422, `${field} must be a date-time with a time zone offset`);
  }
  const text = value.trim().replace(' ', 'T').replace(/\s?([+-]\d{2}):?(\d{2})$/, '$1:$2');
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new FakeHttpError(422, `${field} is not a valid date`);
  return new Date(at).toISOString();
}

/**
 * The fake's state: organizations, templates, badges and events, with Credly's rules (required
 * fields, archived templates, the duplicate rule, revoke and replace rules). Pure state: HTTP,
 * faults and webhooks live elsewhere.
 */
export class FakeStore {
  readonly organizations = new Map<string, FakeOrganization>();
  readonly templates = new Map<string, StoredTemplate>();
  readonly badges = new Map<string, StoredBadge>();
  readonly events: StoredEvent[] = [];
  readonly eventsById = new Map<string, StoredEvent>();
  /** (template, email) and (template, earner id) → badges that count for the duplicate rule. */
  readonly #byEmail = new Map<string, Set<string>>();
  readonly #byEarner = new Map<string, Set<string>>();
  /** Badges issued per template (Credly's `badges_count`). */
  readonly badgeCounts = new Map<string, number>();
  /** Email → every email of the same Credly user (Credly's duplicate rule counts the user, not the address). */
  readonly #userEmails = new Map<string, readonly string[]>();
  readonly #random: Random;
  readonly #clock: FakeClock;
  readonly #fidelity: FakeFidelityOptions;
  /** Called for every event recorded (webhook delivery listens). */
  onEvent: (event: StoredEvent) => void = () => {};

  constructor(random: Random, clock: FakeClock, fidelity: FakeFidelityOptions = {}) {
    this.#random = random;
    this.#clock = clock;
    this.#fidelity = fidelity;
  }

  /** One Credly user who has confirmed several emails. */
  addUser(emails: readonly string[]): void {
    const all = [...new Set(emails.map((e) => e.trim().toLowerCase()))];
    for (const email of all) this.#userEmails.set(email, all);
  }

  /** The Credly user id behind an email: the same for every email of one user. */
  userIdOf(email: string): string {
    const hex = createHash('sha256').update(`user|${this.emailsOfUser(email)[0]}`).digest('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  /** Every email of the user behind this one (just itself when the user has one). */
  emailsOfUser(email: string): readonly string[] {
    const key = email.trim().toLowerCase();
    return this.#userEmails.get(key) ?? [key];
  }

  newId(): string {
    return randomUuid(this.#random);
  }

  addOrganization(org: Partial<FakeOrganization> & { id: string }): FakeOrganization {
    const now = this.#clock.iso();
    const stored: FakeOrganization = {
      name: 'Fake University',
      webhook_url: null,
      website_url: 'https://www.example.edu/',
      contact_email: 'microcredentials@example.edu',
      vanity_slug: 'fake-university',
      created_at: now,
      updated_at: now,
      ...org,
    };
    this.organizations.set(stored.id, stored);
    return stored;
  }

  organization(id: string): FakeOrganization {
    const org = this.organizations.get(id);
    if (!org) throw new FakeHttpError(404, 'Organization not found');
    return org;
  }

  updateOrganization(id: string, body: Record<string, unknown>): FakeOrganization {
    const org = this.organization(id);
    for (const key of ['name', 'webhook_url', 'website_url', 'contact_email'] as const) {
      if (key in body) {
        const value = body[key];
        if (value !== null && typeof value !== 'string') throw new FakeHttpError(422, `${key} must be a string`);
        if (key === 'name') {
          if (typeof value === 'string' && value.trim()) org.name = value;
        } else org[key] = value as string | null;
      }
    }
    org.updated_at = this.#clock.iso();
    return org;
  }

  #record(organizationId: string, event_type: string, subject: { badgeId?: string; templateId?: string }, snapshot: Record<string, unknown>): void {
    const event: StoredEvent = { id: this.newId(), organizationId, event_type, occurred_at: this.#clock.iso(), snapshot, ...subject };
    this.events.push(event);
    this.eventsById.set(event.id, event);
    this.onEvent(event);
  }

  // ---- templates ----

  template(organizationId: string, id: string): StoredTemplate {
    const template = this.templates.get(id);
    if (!template || template.organizationId !== organizationId) throw new FakeHttpError(404, 'Badge template not found');
    return template;
  }

  createTemplate(organizationId: string, body: Record<string, unknown>, snapshot: (t: StoredTemplate) => Record<string, unknown>): StoredTemplate {
    const missing = REQUIRED_TEMPLATE.filter((key) => body[key] === undefined || body[key] === null || body[key] === '');
    if (missing.length) throw new FakeHttpError(422, `Missing required fields: ${missing.join(', ')}`);
    this.#checkTemplateFields(body);
    const state = (body.state as TemplateState | undefined) ?? 'draft';
    const now = this.#clock.iso();
    const { state: _state, ...fields } = body;
    const template: StoredTemplate = { id: this.newId(), organizationId, state, fields, created_at: now, updated_at: now, state_updated_at: null };
    this.templates.set(template.id, template);
    this.#record(organizationId, 'badge_template.created', { templateId: template.id }, snapshot(template));
    return template;
  }

  updateTemplate(organizationId: string, id: string, body: Record<string, unknown>, snapshot: (t: StoredTemplate) => Record<string, unknown>): StoredTemplate {
    const template = this.template(organizationId, id);
    this.#checkTemplateFields(body);
    const { state, ...fields } = body;
    if (state !== undefined && state !== template.state) {
      template.state = state as TemplateState;
      template.state_updated_at = this.#clock.iso();
    }
    Object.assign(template.fields, fields);
    template.updated_at = this.#clock.iso();
    this.#record(organizationId, 'badge_template.changed', { templateId: template.id }, snapshot(template));
    return template;
  }

  /** The archive and unarchive calls: the only ways the fake changes a template's state after creation (unless a PUT's state is applied). */
  setTemplateState(organizationId: string, id: string, state: TemplateState, snapshot: (t: StoredTemplate) => Record<string, unknown>): StoredTemplate {
    const template = this.template(organizationId, id);
    if (state === 'active' && template.state !== 'archived') throw new FakeHttpError(422, `Badge template is ${template.state}, not archived`);
    if (template.state !== state) {
      template.state = state;
      template.state_updated_at = this.#clock.iso();
      template.updated_at = template.state_updated_at;
      this.#record(organizationId, 'badge_template.changed', { templateId: template.id }, snapshot(template));
    }
    return template;
  }

  deleteTemplate(organizationId: string, id: string, snapshot: (t: StoredTemplate) => Record<string, unknown>): void {
    const template = this.template(organizationId, id);
    if ([...this.badges.values()].some((badge) => badge.templateId === id)) {
      throw new FakeHttpError(422, 'Badge template has issued badges and cannot be deleted; archive it instead');
    }
    this.templates.delete(id);
    this.#record(organizationId, 'badge_template.deleted', { templateId: id }, snapshot(template));
  }

  #checkTemplateFields(body: Record<string, unknown>): void {
    if (body.description !== undefined && (typeof body.description !== 'string' || body.description.length > 500)) {
      throw new FakeHttpError(422, 'Description is too long (maximum is 500 characters)');
    }
    if (body.skills !== undefined && (!Array.isArray(body.skills) || body.skills.length < 3)) {
      throw new FakeHttpError(422, 'At least three skills are required');
    }
    if (body.badge_template_activities !== undefined && (!Array.isArray(body.badge_template_activities) || body.badge_template_activities.length < 1)) {
      throw new FakeHttpError(422, 'At least one activity is required');
    }
    if (body.state !== undefined && !['draft', 'active', 'archived'].includes(String(body.state))) {
      throw new FakeHttpError(422, 'State must be draft, active or archived');
    }
  }

  // ---- badges ----

  badge(organizationId: string, id: string): StoredBadge {
    const badge = this.badges.get(id);
    if (!badge || badge.organizationId !== organizationId) throw new FakeHttpError(404, 'Badge not found');
    return badge;
  }

  /** Checks an issue request against Credly's rules; throws the 422 Credly would send. */
  #checkIssue(organizationId: string, body: Record<string, unknown>, pending: StoredBadge[] = []): { template: StoredTemplate; badge: StoredBadge } {
    const missing = REQUIRED_ISSUE.filter((key) => typeof body[key] !== 'string' || (body[key] as string).trim() === '');
    if (missing.length) throw new FakeHttpError(422, `Missing required fields: ${missing.join(', ')}`);
    const email = (body.recipient_email as string).trim().toLowerCase();
    if (!EMAIL.test(email)) throw new FakeHttpError(422, 'Recipient email is invalid');
    const templateId = body.badge_template_id as string;
    const template = this.templates.get(templateId);
    if (!template || template.organizationId !== organizationId) throw new FakeHttpError(422, 'Badge template not found');
    if (template.state === 'archived') throw new FakeHttpError(422, 'Badge template is archived and cannot be used to issue badges');
    if (template.state !== 'active') throw new FakeHttpError(422, 'Badge template is not active');
    const issuedAt = parseRequestDate(body.issued_at, 'issued_at');
    let expiresAt: string | null = null;
    if (body.expires_at !== undefined && body.expires_at !== null && body.expires_at !== false) {
      expiresAt = parseRequestDate(body.expires_at, 'expires_at');
    }
    const earnerId = typeof body.issuer_earner_id === 'string' && body.issuer_earner_id.trim() ? body.issuer_earner_id.trim() : null;
    const behavior = this.#fidelity.duplicateBehavior === 'ignored' ? undefined : body.duplicate_behavior;
    if (behavior !== undefined && !DUPLICATE_BEHAVIORS.includes(String(behavior))) {
      throw new FakeHttpError(422, 'duplicate_behavior must be replace, allow or deny');
    }
    let replaces: StoredBadge | undefined;
    if (template.fields.allow_duplicate_badges !== true && behavior !== 'allow') {
      // The same template and the same email, the same Credly user (any of their emails), or the same earner id.
      const emails = this.emailsOfUser(email);
      const clashIds = [
        ...emails.flatMap((e) => [...(this.#byEmail.get(`${templateId}|${e}`) ?? [])]),
        ...(earnerId ? [...(this.#byEarner.get(`${templateId}|${earnerId}`) ?? [])] : []),
      ];
      const clashPending = pending.some((other) => other.templateId === templateId && (emails.includes(other.recipient_email) || (earnerId !== null && other.issuer_earner_id === earnerId)));
      if (clashIds.length && behavior === 'replace' && !clashPending) replaces = this.badges.get(clashIds[0]!);
      else if (clashIds.length || clashPending) {
        const refusal = duplicateRefusal(this.#fidelity.duplicateError);
        throw new FakeHttpError(refusal.status, 'duplicate badge', undefined, refusal.body);
      }
    }
    const evidence = Array.isArray(body.evidence) ? (body.evidence as Array<Record<string, unknown>>) : [];
    for (const item of evidence) {
      if (!item || typeof item !== 'object' || typeof item.type !== 'string') throw new FakeHttpError(422, 'Evidence items need a type');
      if (item.type === 'IdEvidence' && this.#fidelity.idEvidenceWithoutId !== 'accepted' && (typeof item.id !== 'string' || item.id.trim() === '')) {
        throw new FakeHttpError(422, 'IdEvidence needs an id');
      }
    }
    const now = this.#clock.iso();
    const badge: StoredBadge = {
      id: this.newId(),
      organizationId,
      templateId,
      state: 'pending',
      recipient_email: email,
      issued_to_first_name: (body.issued_to_first_name as string).trim(),
      issued_to_middle_name: typeof body.issued_to_middle_name === 'string' ? body.issued_to_middle_name : null,
      issued_to_last_name: (body.issued_to_last_name as string).trim(),
      issuer_earner_id: earnerId,
      issued_at: issuedAt,
      expires_at: expiresAt,
      locale: typeof body.locale === 'string' ? body.locale : 'en',
      suppress_badge_notification_email: body.suppress_badge_notification_email === true,
      evidence: evidence.map((item) => ({ id: this.newId(), ...(item.type === 'UrlEvidence' ? { description: null } : {}), ...item })),
      country: typeof body.country_name === 'string' ? body.country_name : null,
      state_or_province: typeof body.state_or_province === 'string' ? body.state_or_province : null,
      revocation_reason: null,
      replacement_badge_id: null,
      replaces_badge_id: null,
      public: true,
      created_at: now,
      updated_at: now,
      state_updated_at: null,
      accepted_at: null,
    };
    if (replaces) badge.replaces_badge_id = replaces.id;
    return { template, badge };
  }

  #commit(badge: StoredBadge, snapshot: (b: StoredBadge) => Record<string, unknown>): void {
    const replaced = badge.replaces_badge_id ? this.badges.get(badge.replaces_badge_id) : undefined;
    if (replaced && replaced.replacement_badge_id === null) {
      // duplicate_behavior "replace": the earlier badge is replaced, as by the replace call.
      this.#unindex(replaced);
      replaced.replacement_badge_id = badge.id;
      replaced.updated_at = this.#clock.iso();
    }
    this.badges.set(badge.id, badge);
    this.badgeCounts.set(badge.templateId, (this.badgeCounts.get(badge.templateId) ?? 0) + 1);
    this.#index(badge);
    this.#record(badge.organizationId, 'badge.created', { badgeId: badge.id }, snapshot(badge));
  }

  #index(badge: StoredBadge): void {
    const add = (map: Map<string, Set<string>>, key: string) => {
      let set = map.get(key);
      if (!set) map.set(key, (set = new Set()));
      set.add(badge.id);
    };
    add(this.#byEmail, `${badge.templateId}|${badge.recipient_email}`);
    if (badge.issuer_earner_id) add(this.#byEarner, `${badge.templateId}|${badge.issuer_earner_id}`);
  }

  #unindex(badge: StoredBadge): void {
    this.#byEmail.get(`${badge.templateId}|${badge.recipient_email}`)?.delete(badge.id);
    if (badge.issuer_earner_id) this.#byEarner.get(`${badge.templateId}|${badge.issuer_earner_id}`)?.delete(badge.id);
  }

  issueBadge(organizationId: string, body: Record<string, unknown>, snapshot: (b: StoredBadge) => Record<string, unknown>): StoredBadge {
    const { badge } = this.#checkIssue(organizationId, body);
    this.#commit(badge, snapshot);
    return badge;
  }

  /** All or nothing: the first failing item is named by `error_index`, and nothing is issued. */
  issueBatch(organizationId: string, items: unknown, snapshot: (b: StoredBadge) => Record<string, unknown>): StoredBadge[] {
    if (!Array.isArray(items) || items.length === 0) throw new FakeHttpError(422, 'badges must be a non-empty list');
    const pending: StoredBadge[] = [];
    items.forEach((item, index) => {
      try {
        if (!item || typeof item !== 'object') throw new FakeHttpError(422, 'each badge must be an object');
        pending.push(this.#checkIssue(organizationId, item as Record<string, unknown>, pending).badge);
      } catch (error) {
        if (error instanceof FakeHttpError) {
          const body = error.body as { data?: Record<string, unknown> } | undefined;
          const indexed = body?.data ? { ...body, data: { ...body.data, error_index: index } } : body;
          throw new FakeHttpError(error.status, error.message, index, indexed);
        }
        throw error;
      }
    });
    for (const badge of pending) this.#commit(badge, snapshot);
    return pending;
  }

  setBadgeState(badge: StoredBadge, state: 'accepted' | 'rejected', snapshot: (b: StoredBadge) => Record<string, unknown>): StoredBadge {
    if (badge.state !== 'pending') throw new FakeHttpError(422, `Badge is ${badge.state}, not pending`);
    const now = this.#clock.iso();
    badge.state = state;
    badge.state_updated_at = now;
    badge.updated_at = now;
    if (state === 'accepted') badge.accepted_at = now;
    this.#record(badge.organizationId, 'badge.state.changed', { badgeId: badge.id }, snapshot(badge));
    return badge;
  }

  revokeBadge(organizationId: string, id: string, body: Record<string, unknown>, snapshot: (b: StoredBadge) => Record<string, unknown>): StoredBadge {
    const badge = this.badge(organizationId, id);
    if (typeof body.reason !== 'string' || body.reason.trim() === '') throw new FakeHttpError(422, 'A reason is required to revoke a badge');
    if (badge.replacement_badge_id) throw new FakeHttpError(422, 'A badge that has been replaced cannot be revoked');
    if (badge.state === 'revoked') throw new FakeHttpError(422, 'Badge is already revoked');
    const now = this.#clock.iso();
    this.#unindex(badge);
    badge.state = 'revoked';
    badge.revocation_reason = body.reason.trim();
    badge.state_updated_at = now;
    badge.updated_at = now;
    this.#record(organizationId, 'badge.state.changed', { badgeId: badge.id }, snapshot(badge));
    return badge;
  }

  replaceBadge(organizationId: string, id: string, body: Record<string, unknown>, snapshot: (b: StoredBadge) => Record<string, unknown>): StoredBadge {
    const old = this.badge(organizationId, id);
    if (old.state === 'revoked') throw new FakeHttpError(422, 'A revoked badge cannot be replaced');
    if (old.replacement_badge_id) throw new FakeHttpError(422, 'Badge has already been replaced');
    // The replacement takes the old badge's recipient unless the body names one.
    const merged: Record<string, unknown> = {
      recipient_email: old.recipient_email,
      issued_to_first_name: old.issued_to_first_name,
      issued_to_last_name: old.issued_to_last_name,
      issuer_earner_id: old.issuer_earner_id ?? undefined,
      badge_template_id: old.templateId,
      ...body,
    };
    this.#unindex(old);
    let replacement: StoredBadge;
    try {
      replacement = this.#checkIssue(organizationId, merged).badge;
    } catch (error) {
      this.#index(old);
      throw error;
    }
    replacement.replaces_badge_id = old.id;
    old.replacement_badge_id = replacement.id;
    old.updated_at = this.#clock.iso();
    this.#commit(replacement, snapshot);
    return replacement;
  }

  deleteBadge(organizationId: string, id: string, snapshot: (b: StoredBadge) => Record<string, unknown>): void {
    const badge = this.badge(organizationId, id);
    this.#unindex(badge);
    this.badges.delete(id);
    this.badgeCounts.set(badge.templateId, Math.max(0, (this.badgeCounts.get(badge.templateId) ?? 1) - 1));
    this.#record(organizationId, 'badge.deleted', { badgeId: id }, snapshot(badge));
  }

  /** Badges per (template, recipient email), every state included. */
  badgesFor(templateId: string, email: string): StoredBadge[] {
    const key = email.trim().toLowerCase();
    return [...this.badges.values()].filter((badge) => badge.templateId === templateId && badge.recipient_email === key);
  }

  /**
   * Badges that should not exist: for each (template, learner), the badges beyond the first among
   * those that count (not revoked, not replaced). Must stay 0 in every exactly-once test.
   */
  duplicateCount(): number {
    const seenEmail = new Set<string>();
    const seenEarner = new Set<string>();
    let extra = 0;
    for (const badge of this.badges.values()) {
      if (!counts(badge)) continue;
      const emailKey = `${badge.templateId}|${this.emailsOfUser(badge.recipient_email)[0]}`;
      const earnerKey = badge.issuer_earner_id ? `${badge.templateId}|${badge.issuer_earner_id}` : undefined;
      if (seenEmail.has(emailKey) || (earnerKey !== undefined && seenEarner.has(earnerKey))) extra += 1;
      seenEmail.add(emailKey);
      if (earnerKey !== undefined) seenEarner.add(earnerKey);
    }
    return extra;
  }
}
