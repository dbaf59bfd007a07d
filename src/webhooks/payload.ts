import { z } from 'zod';

/** The thin notification Credly POSTs: `{ id, organization_id, event_type, occurred_at }` (extra fields tolerated). */
export const webhookPayloadSchema = z.looseObject({
  id: z.string().min(1).max(200),
  organization_id: z.string().min(1).max(200),
  event_type: z.string().min(1).max(200),
  occurred_at: z.string().max(100).nullish(),
});
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** Why a delivery was refused before anything happened: the status to answer and a reason for the log. */
export class WebhookRejection extends Error {
  override readonly name = 'WebhookRejection';
  readonly code = 'WEBHOOK_REJECTED';
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * Parses a delivery's body: raw (string or Buffer, as Express's `raw()` gives it) or already parsed
 * (as Fastify gives it). Too large → 413; not JSON → 400; not the payload's shape → 400.
 */
export function parseWebhookBody(body: unknown, maxBytes: number = DEFAULT_MAX_BODY_BYTES): WebhookPayload {
  let value: unknown = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    if (size > maxBytes) throw new WebhookRejection(413, `body of ${size} bytes is over the ${maxBytes}-byte limit`);
    try {
      value = JSON.parse(body.toString()) as unknown;
    } catch {
      throw new WebhookRejection(400, 'body is not JSON');
    }
  } else if (body !== null && typeof body === 'object' && Buffer.byteLength(JSON.stringify(body)) > maxBytes) {
    throw new WebhookRejection(413, `body is over the ${maxBytes}-byte limit`);
  }
  const parsed = webhookPayloadSchema.safeParse(value);
  if (!parsed.success) {
    throw new WebhookRejection(400, `not a Credly event notification: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'} ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
