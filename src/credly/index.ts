export { CredlyClient } from './client.js';
export {
  CLIENT_DEFAULTS,
  CREDLY_ENVIRONMENTS,
  ENV_VARIABLES,
  type CredlyClientOptions,
  type CredlyCredentials,
  type CredlyEnvironment,
  type OAuthCredentials,
  type TokenCredentials,
  type ResponseValidation,
  type RetryEvent,
} from './config.js';
export * from './errors.js';
export { LOG_LEVELS, type Logger, type LogLevel } from './logger.js';
export { DEFAULT_RETRY_TIMING, computeDelay, isRetryable, parseRetryAfter, type RetryTiming } from './retry.js';
export { PagePromise, type Page } from './pagination.js';
export { buildFilter, buildSort, type FilterValue } from './filters.js';
export { formatCredlyDate, hasExplicitOffset } from './dates.js';
export { maskEmail } from './redact.js';
export type { RequestOptions } from './transport.js';
export type { BadgeListParams, FindExistingParams, HighVolumeSearchParams } from './resources/badges.js';
export type { BadgeTemplateListParams } from './resources/badge-templates.js';
export type { PageMetadata, Open } from './schemas/common.js';
export { organizationSchema, type Organization } from './schemas/organization.js';
export { badgeTemplateSchema, type BadgeTemplate, type BadgeTemplateState } from './schemas/badge-template.js';
export { issuedBadgeSchema, type IssuedBadge, type IssuedBadgeState } from './schemas/badge.js';
export { credlyEventSchema, type CredlyEvent, type CredlyEventType } from './schemas/event.js';
export {
  obiBadgeAssertionSchema,
  obiBadgeClassSchema,
  obiIssuerSchema,
  type ObiBadgeAssertion,
  type ObiBadgeClass,
  type ObiIssuer,
} from './schemas/obi.js';
export {
  issueBadgeRequestSchema,
  issueBadgeBatchRequestSchema,
  replaceBadgeRequestSchema,
  revokeBadgeRequestSchema,
  createBadgeTemplateRequestSchema,
  updateBadgeTemplateRequestSchema,
  CREDLY_ACTIVITY_TYPES,
  DUPLICATE_BEHAVIORS,
  type DuplicateBehavior,
  type CredlyActivityType,
  type IssueBadgeParams,
  type IssueBadgeBatchParams,
  type ReplaceBadgeParams,
  type RevokeBadgeParams,
  type CreateBadgeTemplateParams,
  type UpdateBadgeTemplateParams,
  type EvidenceItem,
} from './schemas/requests.js';
