// `credly-microcredentials/testing`: a stateful fake Credly for tests, yours and ours.
export {
  startFakeCredly,
  FAKE_ORGANIZATION_ID,
  FAKE_TOKEN,
  FAKE_READ_ONLY_TOKEN,
  FAKE_OAUTH_CLIENT,
  type FakeCredly,
  type FakeCredlyOptions,
  type FakeCredlyStats,
  type FakeTokenConfig,
  type FakeOAuthClientConfig,
} from './fake-credly/server.js';
export { FAULT_KINDS, type FaultKind, type FaultRates, type TargetedFault } from './fake-credly/faults.js';
export { parseRateLimit, type RateLimitOptions } from './fake-credly/rate-limit.js';
export { DUPLICATE_ERROR_STYLES, type DuplicateErrorStyle, type FakeFidelityOptions } from './fake-credly/fidelity.js';
export type { WebhookDelivery, WebhookOptions } from './fake-credly/webhooks.js';
export type { BadgeLifecycleOptions } from './fake-credly/badge-lifecycle.js';
export type { StoredBadge } from './fake-credly/store.js';
export { VERSION } from '../version.js';
