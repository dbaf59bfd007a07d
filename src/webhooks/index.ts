export { createWebhookHandler, type WebhookHandler, type WebhookHandlerOptions, type WebhookResponse, type WebhookStats } from './handler.js';
export { listen, type ListenOptions, type WebhookServer } from './listen.js';
export { parseWebhookBody, webhookPayloadSchema, WebhookRejection, DEFAULT_MAX_BODY_BYTES, type WebhookPayload } from './payload.js';
export { typedEvent, KNOWN_EVENT_TYPES, type WebhookEvent } from './events.js';
export { applyToLedger } from './ledger-effects.js';
