// Builds fixtures/credly/*.json (nock back format) from the shapes of Credly's documented examples
// and of the one public sandbox capture (see ../shared/credly-api.md §9). These are NOT recordings:
// every value is our own and anonymised (example.edu / example.com addresses, invented ids).
// fixtures/README.md says so per file. `npm run fixtures:record` replaces them with real recordings
// when sandbox credentials are available.
//
//   node scripts/build-doc-fixtures.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const out = fileURLToPath(new URL('../fixtures/credly/', import.meta.url));
const SCOPE = 'https://sandbox-api.credly.com:443';
export const ORG = '7d3f2a10-4c5b-4e6f-8a9b-0c1d2e3f4a5b';
const WEB = 'https://sandbox.credly.com';
const API = 'https://sandbox-api.credly.com/v1';
const T0 = '2026-03-02T14:41:00.000Z';

const uuid = (n, prefix = '0000') => `${prefix}${String(n).padStart(4, '0')}-1111-4222-8333-${String(n).padStart(12, '0')}`;

const owner = {
  type: 'Organization',
  id: ORG,
  name: 'State University Office of Microcredentials',
  enable_blockchain: false,
  url: `${API}/organizations/${ORG}`,
  vanity_url: `${WEB}/org/state-university`,
  vanity_slug: 'state-university',
  verified: true,
  viewable: true,
};

function template(n, overrides = {}) {
  const id = uuid(n, 'b7e0');
  const slug = `microcredential-${n}`;
  return {
    id,
    allow_duplicate_badges: false,
    cost: 'Free',
    description: `Microcredential number ${n}: the earner can apply the skills listed to workplace problems.`,
    global_activity_url: `https://www.example.edu/microcredentials/${slug}`,
    level: 'Foundational',
    lock_badge_state: false,
    name: `Microcredential ${n}`,
    state: 'active',
    public: true,
    badges_count: n % 7,
    recipient_type: 'User',
    show_badge_lmi: false,
    show_lmi_jobs: false,
    show_skill_tag_links: true,
    vanity_slug: slug,
    record_to_blockchain: null,
    time_to_earn: 'Weeks',
    type_category: 'Learning',
    printing_disabled: false,
    visibility: 'public',
    criteria_url_name: null,
    criteria_url: null,
    certification: false,
    state_updated_at: null,
    created_at: T0,
    updated_at: T0,
    show_template_settings: false,
    get_issue_count: n % 7,
    image: { id: uuid(n, 'c1a0'), url: `https://images.example.com/badges/${slug}.png` },
    image_url: `https://images.example.com/badges/${slug}.png`,
    url: `${WEB}/org/state-university/badge/${slug}`,
    owner,
    alignments: [
      {
        id: uuid(n, 'a1a0'),
        name: 'NACE Career Readiness: Technology',
        url: 'https://www.naceweb.org/career-readiness/competencies/career-readiness-defined/',
        description: 'Understand and leverage technologies ethically.',
      },
    ],
    recommendations: [],
    required_badge_templates: [],
    badge_template_activities: [
      {
        id: uuid(n, 'ac10'),
        title: 'Complete the online modules',
        activity_type: 'Course',
        activity_url: `https://www.example.edu/microcredentials/${slug}/modules`,
        required_badge_template_id: null,
      },
    ],
    skills: ['SQL', 'Data Analysis', 'Relational Databases'],
    reporting_tags: ['non-credit'],
    ...overrides,
  };
}

const TEMPLATE = template(1, { name: 'Coding in SQL', vanity_slug: 'coding-in-sql' });

function badge(n, overrides = {}) {
  const id = uuid(n, 'e5d0');
  return {
    user: {
      id: uuid(n, 'f0f0'),
      email: `${uuid(n, 'f0f0')}@example.com`,
      first_name: 'Jordan',
      last_name: `Learner${n}`,
      current_position_name: '*****',
      current_organization_name: '*****',
      confirmed: true,
      photo: null,
      photo_url: null,
      url: `${WEB}/users/jordan-learner${n}`,
    },
    created_by: {
      type: 'Organization',
      id: ORG,
      name: owner.name,
      url: owner.url,
      vanity_url: owner.vanity_url,
      verified: true,
    },
    issuer: {
      summary: `issued by ${owner.name}`,
      entities: [{ label: 'Issued by', primary: true, entity: { type: 'Organization', id: ORG, name: owner.name, url: owner.url, vanity_url: owner.vanity_url, verified: true } }],
    },
    printing_enabled: false,
    print_method: null,
    badge_template: TEMPLATE,
    id,
    issued_to: `Jordan Learner${n}`,
    issued_to_first_name: 'Jordan',
    issued_to_last_name: `Learner${n}`,
    issuer_earner_id: `S${String(100000 + n)}`,
    locale: 'en',
    public: true,
    recipient_email: `learner${n}@example.edu`,
    replacement_badge_id: null,
    replaces_badge_id: null,
    revocation_reason: null,
    state: 'pending',
    suppress_badge_notification_email: true,
    updated_at: T0,
    country: null,
    state_or_province: null,
    created_at: T0,
    expires_at: null,
    expires_at_date: null,
    issued_at: '2026-03-02T14:00:00.000Z',
    issued_at_date: '2026-03-02',
    state_updated_at: null,
    image: { id: uuid(n, 'c1a0'), url: TEMPLATE.image_url },
    image_url: TEMPLATE.image_url,
    alignments: [{ name: 'NACE Career Readiness: Technology', description: 'Understand and leverage technologies ethically.' }],
    evidence: [],
    badge_url: `${WEB}/badges/${id}`,
    ...overrides,
  };
}

const pageMeta = (count, page, total, per = 50) => {
  const pages = Math.max(1, Math.ceil(total / per));
  const url = (p) => `${API}/organizations/${ORG}/badge_templates?page=${p}`;
  return {
    count,
    current_page: page,
    total_count: total,
    total_pages: pages,
    per,
    previous_page_url: page > 1 ? url(page - 1) : null,
    next_page_url: page < pages ? url(page + 1) : null,
  };
};

const jsonHeaders = ['Content-Type', 'application/json; charset=utf-8'];
const def = (method, path, status, response, extra = {}) => ({
  scope: SCOPE,
  method,
  path: `/v1${path}`,
  ...(extra.body !== undefined ? { body: extra.body } : {}),
  status,
  response,
  rawHeaders: [...jsonHeaders, ...(extra.headers ?? [])],
  responseIsBinary: false,
});
const org = `/organizations/${ORG}`;

const ISSUE_BODY = {
  recipient_email: 'learner1@example.edu',
  badge_template_id: TEMPLATE.id,
  issued_to_first_name: 'Jordan',
  issued_to_last_name: 'Learner1',
  issued_at: '2026-03-02 09:00:00 -0500',
  issuer_earner_id: 'S100001',
  locale: 'en',
  suppress_badge_notification_email: true,
  expires_at: null,
  evidence: [{ type: 'UrlEvidence', name: 'Assessment report', value: 'https://www.example.edu/evidence/s100001' }],
};

const sandboxCaptureShape = (n) => ({
  // The fields and nulls of the 2019 sandbox capture (credly-api.md §9), with our own values.
  id: uuid(n, '5a0d'),
  allow_duplicate_badges: false,
  cost: null,
  description: 'test',
  global_activity_url: 'http://www.example.com',
  level: null,
  name: `Sandbox Template ${n}`,
  state: 'active',
  public: true,
  badges_count: 0,
  recipient_type: 'User',
  show_badge_lmi: false,
  show_lmi_jobs: false,
  show_skill_tag_links: true,
  vanity_slug: `sandbox-template-${n}`,
  record_to_blockchain: null,
  time_to_earn: null,
  type_category: null,
  printing_disabled: false,
  criteria_url_name: null,
  criteria_url: null,
  certification: true,
  state_updated_at: null,
  created_at: '2026-01-10T13:42:12.773Z',
  updated_at: '2026-01-10T13:42:12.809Z',
  template_type: null,
  show_template_settings: false,
  get_issue_count: 0,
  image: { id: uuid(n, '1a0e'), url: `https://sandbox-images.example.com/images/${uuid(n, '1a0e')}/blob.png` },
  image_url: `https://sandbox-images.example.com/images/${uuid(n, '1a0e')}/blob.png`,
  url: `${WEB}/org/sandbox-org/badge/sandbox-template-${n}`,
  owner: { ...owner, enable_blockchain: null, verified: false },
  alignments: [],
  recommendations: [],
  required_badge_templates: [],
  badge_template_activities: [{ id: uuid(n, 'ac20'), title: 'test', activity_type: 'Application', activity_url: 'http://www.example.com', required_badge_template_id: null }],
  skills: ['Ruby'],
  reporting_tags: [],
});

const allTemplates = Array.from({ length: 53 }, (_, i) => template(i + 1));
const revoked = badge(1, { state: 'revoked', revocation_reason: 'Issued to the wrong learner', state_updated_at: '2026-03-05T10:00:00.000Z' });
const replacement = badge(3, { replaces_badge_id: uuid(1, 'e5d0') });
const minimal = (b) => ({
  id: b.id, issued_to: b.issued_to, issued_to_first_name: b.issued_to_first_name, issued_to_last_name: b.issued_to_last_name,
  issuer_earner_id: b.issuer_earner_id, public: true, recipient_email: b.recipient_email, state: b.state, badge_url: b.badge_url,
  updated_at: T0, created_at: T0, expires_at: null, issued_at: b.issued_at, state_updated_at: null,
  badge_template: { id: TEMPLATE.id, name: TEMPLATE.name }, user: { id: b.user.id },
});

export const FIXTURES = {
  'organizations-list': [
    def('GET', '/organizations?page=1', 200, {
      data: [{ id: ORG, name: owner.name, website_url: 'https://www.example.edu/', webhook_url: 'https://hooks.example.edu/credly', allowed_webhooks: [], contact_email: 'microcredentials@example.edu', vanity_slug: 'state-university', vanity_url: owner.vanity_url, verified: true, created_at: T0, updated_at: T0, photo: null, photo_url: null }],
      metadata: { count: 1, current_page: 1, total_count: 1, total_pages: 1, per: 50, previous_page_url: null, next_page_url: null },
    }),
  ],
  'organization-get': [
    def('GET', org, 200, {
      data: {
        id: ORG, name: owner.name, website_url: 'https://www.example.edu/', webhook_url: 'https://hooks.example.edu/credly',
        contact_email: 'microcredentials@example.edu', technical_contact_email: 'it-help@example.edu', zip_or_postal_code: '13902',
        organization_type: 'Higher Education', bio: 'Microcredentials for students, staff and lifelong learners.', vanity_slug: 'state-university',
        city: 'Vestal', address: '4400 Vestal Parkway East', primary_hex_color: null, support_email: 'microcredentials@example.edu',
        support_url: 'https://www.example.edu/microcredentials', allowed_webhooks: [], enable_blockchain: false, print_method: null, pdf_id: null,
        linkedin_a2p_url: null, location: 'Vestal New York 13902 United States', country: 'United States', state_or_province: 'New York',
        created_at: T0, updated_at: T0, vanity_url: owner.vanity_url, verified_at: T0, verified: true,
        photo: { id: uuid(1, 'dd00'), url: 'https://images.example.com/org/logo.png' }, photo_url: 'https://images.example.com/org/logo.png',
      },
      metadata: {},
    }),
  ],
  'badge-templates-list-two-pages': [
    def('GET', `${org}/badge_templates?filter=state::active&sort=name&page=1`, 200, { data: allTemplates.slice(0, 50), metadata: pageMeta(50, 1, 53) }),
    def('GET', `${org}/badge_templates?filter=state::active&sort=name&page=2`, 200, { data: allTemplates.slice(50), metadata: pageMeta(3, 2, 53) }),
  ],
  'badge-templates-list-sandbox-nulls': [
    def('GET', `${org}/badge_templates?page=1`, 200, { data: [sandboxCaptureShape(1), sandboxCaptureShape(2)], metadata: pageMeta(2, 1, 2) }),
  ],
  'badge-template-get': [def('GET', `${org}/badge_templates/${TEMPLATE.id}`, 200, { data: TEMPLATE, metadata: {} })],
  'badge-template-get-badge-activity': [
    def('GET', `${org}/badge_templates/${uuid(2, 'b7e0')}`, 200, {
      data: template(2, {
        name: 'Advanced SQL',
        level: 'Intermediate',
        required_badge_templates: [{ id: TEMPLATE.id, name: TEMPLATE.name }],
        badge_template_activities: [
          { id: uuid(2, 'ac10'), title: null, activity_type: 'Badge', activity_url: null, required_badge_template_id: TEMPLATE.id, required_badge_template_name: TEMPLATE.name, required_badge_template_url: TEMPLATE.url },
          { id: uuid(3, 'ac10'), title: 'Window functions workshop', activity_type: 'Schedule / Registration', activity_url: 'https://www.example.edu/workshops/window-functions', required_badge_template_id: null },
        ],
      }),
      metadata: {},
    }),
  ],
  'badge-template-create': [
    def(
      'POST',
      `${org}/badge_templates`,
      201,
      {
        data: template(60, {
          name: 'Geospatial Data Analysis',
          state: 'draft',
          default_expires_at: null,
          default_expires_at_date: null,
          default_expires_at_type: null,
          earn_this_badge_url: null,
          enable_earn_this_badge: false,
          enable_detail_attribute_visibility: false,
        }),
        metadata: {},
      },
      {
        headers: ['Location', `${API}${org}/badge_templates/${uuid(60, 'b7e0')}`],
        body: {
          name: 'Geospatial Data Analysis',
          description: 'The earner can acquire and clean spatial data, run overlay and hot-spot analyses, and design maps.',
          image: { remote_upload_url: 'https://images.example.edu/badges/geospatial-data-analysis.png' },
          skills: ['Geographic Information Systems', 'Spatial Analysis', 'Python'],
          global_activity_url: 'https://www.example.edu/microcredentials/geospatial-data-analysis',
          badge_template_activities: [{ activity_type: 'Course', title: 'GEOG 260', activity_url: 'https://www.example.edu/courses/geog-260' }],
          level: 'Intermediate',
          type_category: 'Learning',
        },
      },
    ),
  ],
  'badge-issue': [def('POST', `${org}/badges`, 201, { data: { ...badge(1), accept_badge_url: `${WEB}/badges/${uuid(1, 'e5d0')}/accept` }, metadata: {} }, { body: ISSUE_BODY })],
  'badge-issue-duplicate': [def('POST', `${org}/badges`, 422, { data: { message: 'User already has this badge' } }, { body: ISSUE_BODY })],
  'badges-list-by-earner': [
    def('GET', `${org}/badges?filter=issuer_earner_id::S100001%7Cbadge_template_id::${TEMPLATE.id}&page=1`, 200, {
      data: [badge(1, { state: 'accepted', accepted_at: '2026-03-03T08:00:00.000Z', evidence: [{ id: uuid(1, 'ed00'), type: 'UrlEvidence', name: 'Assessment report', description: 'Proctored assessment, 85 %', value: 'https://www.example.edu/evidence/s100001' }] })],
      metadata: { count: 1, current_page: 1, total_count: 1, total_pages: 1, per: 50, previous_page_url: null, next_page_url: null },
    }),
  ],
  'badges-list-id-evidence': [
    def('GET', `${org}/badges?filter=recipient_email::learner2@example.edu&page=1`, 200, {
      data: [badge(2, { issued_to_middle_name: 'Q.', country: 'United States', country_code: 'US', evidence: [{ id: uuid(2, 'ed00'), type: 'IdEvidence', name: 'License number' }] })],
      metadata: { count: 1, current_page: 1, total_count: 1, total_pages: 1, per: 50, previous_page_url: null, next_page_url: null },
    }),
  ],
  'badges-batch-issue': [
    def('POST', `${org}/badges/batch`, 201, { data: [badge(4), badge(5)], metadata: {} }, {
      body: {
        badges: [4, 5].map((n) => ({ recipient_email: `learner${n}@example.edu`, badge_template_id: TEMPLATE.id, issued_to_first_name: 'Jordan', issued_to_last_name: `Learner${n}`, issued_at: '2026-03-02 09:00:00 -0500', issuer_earner_id: `S${100000 + n}` })),
      },
    }),
  ],
  'badges-batch-issue-error-index': [
    def('POST', `${org}/badges/batch`, 422, { data: { message: 'User already has this badge', error_index: 1 } }, {
      body: {
        badges: [4, 1].map((n) => ({ recipient_email: `learner${n}@example.edu`, badge_template_id: TEMPLATE.id, issued_to_first_name: 'Jordan', issued_to_last_name: `Learner${n}`, issued_at: '2026-03-02 09:00:00 -0500', issuer_earner_id: `S${100000 + n}` })),
      },
    }),
  ],
  'badge-revoke': [
    def('PUT', `${org}/badges/${uuid(1, 'e5d0')}/revoke`, 200, { data: revoked, metadata: {} }, { body: { reason: 'Issued to the wrong learner', suppress_revoke_notification_email: true } }),
  ],
  'badge-replace': [
    def('POST', `${org}/badges/${uuid(1, 'e5d0')}/replace`, 201, { data: replacement, metadata: {} }, {
      body: { badge_template_id: TEMPLATE.id, issued_at: '2027-03-02 09:00:00 -0500', expires_at: false, evidence: [{ type: 'UrlEvidence', name: 'Re-certification', value: 'https://www.example.edu/evidence/recert' }] },
    }),
  ],
  'badge-delete': [{ scope: SCOPE, method: 'DELETE', path: `/v1${org}/badges/${uuid(1, 'e5d0')}`, status: 204, response: '', rawHeaders: [], responseIsBinary: false }],
  'badges-high-volume-search': [
    def('GET', `${org}/high_volume_issued_badge_search?filter=state::accepted&badge_format=minimal`, 200, {
      data: [minimal(badge(6, { state: 'accepted' })), minimal(badge(7, { state: 'accepted' }))],
      // The cursor URL drops our filter, as real clients report; the client re-applies it.
      metadata: { next_page_url: `${API}${org}/high_volume_issued_badge_search?badge_format=minimal&cursor=c2VhcmNoLWN1cnNvci0y` },
    }),
    def('GET', `${org}/high_volume_issued_badge_search?cursor=c2VhcmNoLWN1cnNvci0y&filter=state::accepted&badge_format=minimal`, 200, {
      data: [minimal(badge(8, { state: 'accepted' }))],
      metadata: { next_page_url: null },
    }),
  ],
  'events-list': [
    def('GET', `${org}/events?page=1`, 200, {
      data: [
        { id: uuid(1, '9e00'), event_type: 'badge.created', organization_id: ORG, occurred_at: T0, badge: badge(1) },
        { id: uuid(2, '9e00'), event_type: 'badge_template.changed', organization_id: ORG, occurred_at: T0, badge_template: { ...TEMPLATE, state: 'archived' } },
      ],
      metadata: { count: 2, current_page: 1, total_count: 2, total_pages: 1, per: 50, previous_page_url: null, next_page_url: null },
    }),
  ],
  'event-get': [def('GET', `${org}/events/${uuid(1, '9e00')}`, 200, { data: { id: uuid(1, '9e00'), event_type: 'badge.created', organization_id: ORG, occurred_at: T0, badge: badge(1) }, metadata: {} })],
  'obi-badge-assertion': [
    def('GET', `/obi/v2/badge_assertions/${uuid(1, 'e5d0')}`, 200, {
      '@context': 'https://w3id.org/openbadges/v2',
      type: 'Assertion',
      id: `${API}/obi/v2/badge_assertions/${uuid(1, 'e5d0')}`,
      recipient: { type: 'email', identity: 'sha256$5d2f3a1b8c9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192', hashed: true },
      badge: `${API}/obi/v2/issuers/${ORG}/badge_classes/${TEMPLATE.id}`,
      issuedOn: '2026-03-02T14:00:00.000Z',
      expires: null,
      image: { id: TEMPLATE.image_url },
      evidence: [{ '@context': 'https://w3id.org/openbadges/v2', id: 'https://www.example.edu/evidence/s100001', name: 'Assessment report', description: null, genre: 'UrlEvidence', type: 'Evidence' }],
      verification: { type: 'hosted' },
    }),
  ],
  'obi-badge-class': [
    def('GET', `/obi/v2/badge_classes/${TEMPLATE.id}`, 200, {
      '@context': 'https://w3id.org/openbadges/v2',
      type: 'BadgeClass',
      id: `${API}/obi/v2/issuers/${ORG}/badge_classes/${TEMPLATE.id}`,
      name: TEMPLATE.name,
      description: TEMPLATE.description,
      image: { id: TEMPLATE.image_url },
      criteria: { id: TEMPLATE.global_activity_url, narrative: 'Complete the online modules' },
      issuer: `${API}/obi/v2/issuers/${ORG}`,
      alignment: [{ targetName: 'NACE Career Readiness: Technology', targetUrl: 'https://www.naceweb.org/career-readiness/competencies/career-readiness-defined/' }],
      tags: TEMPLATE.skills,
    }),
  ],
  'obi-issuer': [
    def('GET', `/obi/v2/issuers/${ORG}`, 200, {
      '@context': 'https://w3id.org/openbadges/v2',
      type: 'Issuer',
      id: `${API}/obi/v2/issuers/${ORG}`,
      name: owner.name,
      url: 'https://www.example.edu/',
      email: 'microcredentials@example.edu',
    }),
  ],
  'error-401': [def('GET', org, 401, { data: { message: 'Unauthorized' } })],
  'error-404-template': [def('GET', `${org}/badge_templates/${uuid(99, 'b7e0')}`, 404, { data: { message: 'Not Found' } })],
  'error-422-archived-template': [
    def('POST', `${org}/badges`, 422, { data: { message: 'Badge template is archived and cannot be used to issue badges' } }, { body: ISSUE_BODY }),
  ],
  'error-429-then-ok': [
    def('GET', `${org}/events?page=1`, 429, { data: { message: 'Too Many Requests' } }, { headers: ['Retry-After', '1'] }),
    def('GET', `${org}/events?page=1`, 200, { data: [], metadata: { count: 0, current_page: 1, total_count: 0, total_pages: 1, per: 50, previous_page_url: null, next_page_url: null } }),
  ],
  'error-502-html-then-ok': [
    { scope: SCOPE, method: 'GET', path: `/v1${org}`, status: 502, response: '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>', rawHeaders: ['Content-Type', 'text/html'], responseIsBinary: false },
    def('GET', org, 200, { data: { id: ORG, name: owner.name }, metadata: {} }),
  ],
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(out, { recursive: true });
  for (const [name, defs] of Object.entries(FIXTURES)) {
    writeFileSync(`${out}${name}.json`, `${JSON.stringify(defs, null, 2)}\n`);
  }
  console.log(`wrote ${Object.keys(FIXTURES).length} fixtures to fixtures/credly/`);
}
