// The public surface of credly-microcredentials: what users need, each documented in docs/.
// Internals (error factories, retry arithmetic, filter builders, raw zod schemas, test seams) stay
// out: tests import them from their modules. docs/architecture.md says how the list is kept.

// Domain: microcredentials, proposals, approval, NACE, learners and evidence.
export type { ApprovalState, ApprovalRole, ApprovalAction, TransitionRule, Actor, TransitionRecord, ApprovalRecord, TransitionInput } from './domain/approval.js';
export type { Awardee, AwardeeInput, AwardeeRules, AwardeeProblem } from './domain/awardee.js';
export type { EarningActivity, BadgeAlignment, ExpiryPolicy, BadgeMetadata, BadgeMetadataInput } from './domain/badge-metadata.js';
export type { DomainIssue } from './domain/errors.js';
export type { EvidenceKind, Evidence, AssessmentEvidence } from './domain/evidence.js';
export type { CredlyLocale, Learner, LearnerInput } from './domain/learner.js';
export type {
  CreditRule,
  MicrocredentialType,
  Course,
  CreditDetails,
  Component,
  Contact,
  Assessment,
  EvidenceRequirements,
  Fee,
  MicrocredentialSchemaOptions,
  Microcredential,
  MicrocredentialInput,
} from './domain/microcredential.js';
export type { NaceFramework, Nace2017Code, Nace2021Code, NaceCompetency, NaceAlignment } from './domain/nace.js';
export type { ParseResult, ProposalStepValues } from './domain/parse.js';
export type { Proposer, ProposalForm, ProposalLearners, Proposal, ProposalInput, ProposalStep } from './domain/proposal.js';
export {
  APPROVAL_ACTIONS,
  APPROVAL_ROLES,
  APPROVAL_STATES,
  TRANSITIONS,
  allowedTransitions,
  assertApprovedForCredly,
  createApprovalRecord,
  isApprovedForCredly,
  transition,
  IllegalTransitionError,
  NotApprovedError,
} from './domain/approval.js';
export { awardeeProblems } from './domain/awardee.js';
export { BADGE_COSTS, BADGE_DESCRIPTION_MAX, BADGE_LEVELS, BADGE_MIN_SKILLS, BADGE_TIME_TO_EARN, BADGE_TYPE_CATEGORIES } from './domain/badge-metadata.js';
export { DomainValidationError } from './domain/errors.js';
export { EVIDENCE_KINDS, meetsPassingPercent, scorePercent } from './domain/evidence.js';
export { CREDLY_LOCALES, learnerFullName } from './domain/learner.js';
export {
  BINGHAMTON_2021_CREDIT_RULE,
  BINGHAMTON_2025_CREDIT_RULE,
  COMPONENT_KINDS,
  DEFAULT_CREDIT_RULE,
  describeCreditRule,
} from './domain/microcredential.js';
export {
  NACE_2017,
  NACE_2017_CODES,
  NACE_2017_TO_2021,
  NACE_2021,
  NACE_2021_CODES,
  NACE_2021_TO_2017,
  NACE_COMPETENCIES_URL,
  NACE_FRAMEWORKS,
  naceCompetency,
  sameNaceCompetency,
  toNace2017,
  toNace2021,
} from './domain/nace.js';
export {
  parseApprovalRecord,
  parseAwardee,
  parseEvidence,
  parseLearner,
  parseMicrocredential,
  parseProposal,
  parseProposalStep,
  safeParseApprovalRecord,
  safeParseAwardee,
  safeParseEvidence,
  safeParseLearner,
  safeParseMicrocredential,
  safeParseProposal,
  safeParseProposalStep,
  serialize,
} from './domain/parse.js';
export { PROPOSAL_STEPS, microcredentialFromProposal } from './domain/proposal.js';

export { VERSION } from './version.js';

// The Credly client.
export { CredlyClient } from './credly/client.js';
export {
  CREDLY_ENVIRONMENTS,
  CLIENT_DEFAULTS,
  ENV_VARIABLES,
  type CredlyClientOptions,
  type CredlyCredentials,
  type CredlyEnvironment,
  type OAuthCredentials,
  type TokenCredentials,
  type ResponseValidation,
  type RetryEvent,
} from './credly/config.js';
export {
  CredlyError,
  CredlyConfigError,
  CredlyApiError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  GoneError,
  UnprocessableEntityError,
  BadgeAlreadyIssuedError,
  RateLimitError,
  InternalServerError,
  CredlyConnectionError,
  CredlyTimeoutError,
  CredlyAbortError,
  CredlyValidationError,
  isCredlyError,
  isPossibleDuplicate,
  type CredlyErrorCode,
  type CredlyErrorOptions,
  type ApiErrorDetails,
} from './credly/errors.js';
export { LOG_LEVELS, type Logger, type LogLevel } from './credly/logger.js';
export { DEFAULT_RETRY_TIMING, type RetryTiming } from './credly/retry.js';
export type { PagePromise, Page } from './credly/pagination.js';
export type { FilterValue } from './credly/filters.js';
export type { BeforeAttempt, RequestOptions } from './credly/transport.js';
export type { BadgeListParams, FindExistingParams, HighVolumeSearchParams } from './credly/resources/badges.js';
export type { BadgeTemplateListParams } from './credly/resources/badge-templates.js';
export type { PageMetadata, Open, UnknownFields } from './credly/schemas/common.js';
export type { Organization } from './credly/schemas/organization.js';
export type { AuthorizationToken } from './credly/schemas/authorization-token.js';
export type { AuthorizationTokensResource, TokenExpiry } from './credly/resources/authorization-tokens.js';
export type { BadgeTemplate, BadgeTemplateState } from './credly/schemas/badge-template.js';
export type { IssuedBadge, IssuedBadgeState } from './credly/schemas/badge.js';
export type { CredlyEvent, CredlyEventType } from './credly/schemas/event.js';
export type { ObiBadgeAssertion, ObiBadgeClass, ObiIssuer } from './credly/schemas/obi.js';
export type {
  IssueBadgeParams,
  IssueBadgeBatchParams,
  ReplaceBadgeParams,
  RevokeBadgeParams,
  CreateBadgeTemplateParams,
  UpdateBadgeTemplateParams,
  EvidenceItem,
} from './credly/schemas/requests.js';

// From a microcredential to Credly's requests.
export { templatePayload, issuePayload, earnerIdFor, awardKey, type IssuePayloadOptions, type TextEvidenceType } from './mapping/index.js';

// Issuance: the exactly-once engine, template sync, revoke/replace, rosters, reports.
export * from './issuance/index.js';

// The ledger: one contract, several backends (docs/ledger.md).
export * from './ledger/index.js';

// Webhooks.
export { createWebhookHandler, type WebhookHandler, type WebhookHandlerOptions, type WebhookResponse, type WebhookStats } from './webhooks/handler.js';
export { listen, type ListenOptions, type WebhookServer } from './webhooks/listen.js';
export { parseWebhookBody, WebhookRejection, type WebhookPayload } from './webhooks/payload.js';
export { typedEvent, KNOWN_EVENT_TYPES, type WebhookEvent } from './webhooks/events.js';

// After issue: reconcile, pending badges, the registrar's export, the program and run reports.
export * from './lifecycle/index.js';
export * from './report/index.js';
