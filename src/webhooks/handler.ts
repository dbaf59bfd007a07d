import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CredlyClient } from '../credly/client.js';
import { NotFoundError } from '../credly/errors.js';
import type { Logger } from '../credly/logger.js';
import type { CredlyEvent } from '../credly/schemas/event.js';
import type { EventRecord, Ledger } from '../ledger/contract.js';
import { typedEvent, type WebhookEvent } from './events.js';
import { applyToLedger } from './ledger-effects.js';
import { DEFAULT_MAX_BODY_BYTES, parseWebhookBody, WebhookRejection, type WebhookPayload } from './payload.js';

export interface WebhookHandlerOptions {
  readonly client: CredlyClient;
  readonly ledger: Ledger;
  /** Your work for each verified event, once per event id. Throwing leaves the event to be finished later. */
  readonly onEvent?: (event: WebhookEvent) => void | Promise<void>;
  /** Events of other organizations are refused (403); the client's organization by default. */
  readonly organizationId?: string;
  readonly maxBodyBytes?: number;
  /**
   * `false` (the default): answer 200 at once and process asynchronously, as Credly asks.
   * `true`: answer after processing: 200 when done, 500 when it failed, so that Credly delivers
   * it again (it retries for up to 25 days).
   */
  readonly ackAfterProcessing?: boolean;
  readonly logger?: Logger;
  readonly now?: () => Date;
}

export interface WebhookResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface WebhookStats {
  /** Deliveries answered 200. */
  readonly accepted: number;
  /** Events processed (onEvent done, ledger updated). */
  readonly processed: number;
  /** Deliveries of events already processed, or being processed. */
  readonly duplicates: number;
  /** Deliveries refused: bad body, another organization, or an event the API does not know. */
  readonly rejected: number;
  /** Processing attempts that threw. */
  readonly failed: number;
}

export interface WebhookHandler {
  /** Framework-agnostic: give the body (raw string or Buffer, or parsed JSON), send back what it returns. */
  handle(body: unknown): Promise<WebhookResponse>;
  /** A handler for Node's `http.createServer` (reads the body with the size limit). */
  readonly node: (req: IncomingMessage, res: ServerResponse) => void;
  /** Finishes events recorded as received but not processed (after a crash or a throwing onEvent). */
  resume(): Promise<number>;
  /**
   * Processes events the API lists that the ledger has not processed (up to `max`): for
   * notifications lost while the receiver was down.
   */
  catchUp(options: { max: number }): Promise<number>;
  /** Resolves when nothing is being processed. */
  idle(): Promise<void>;
  stats(): WebhookStats;
}

const json = (status: number, body: Record<string, unknown>): WebhookResponse => ({
  status,
  body: JSON.stringify(body),
  headers: { 'Content-Type': 'application/json' },
});

/**
 * Receives Credly's webhook notifications. Credly documents no signature, so an event is verified by
 * fetching it back from the API with our own credentials; that also brings the embedded badge or
 * template. Each event is processed once, durably: the ledger records it `received` before the work
 * and `processed` after, so duplicates (Credly retries for 25 days) are dropped and interrupted work
 * is finished.
 */
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
  const { client, ledger } = options;
  const organizationId = options.organizationId ?? client.organizationId;
  const maxBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const now = options.now ?? (() => new Date());
  const log = options.logger;
  const inFlight = new Map<string, Promise<void>>();
  const counts = { accepted: 0, processed: 0, duplicates: 0, rejected: 0, failed: 0 };

  /** Verifies, records and processes one event; resolves when done, rejects when the work threw. */
  const process = (payload: WebhookPayload, known?: CredlyEvent): Promise<void> => {
    const running = inFlight.get(payload.id);
    if (running) return running;
    const work = (async () => {
      if ((await ledger.getEvent(payload.id))?.state === 'processed') return;
      let event = known;
      if (!event) {
        try {
          event = await client.events.get(payload.id);
        } catch (error) {
          if (error instanceof NotFoundError) {
            counts.rejected += 1;
            log?.warn(`webhook: event ${payload.id} is unknown to the Credly API: not processed (forged, or for another account)`);
            return;
          }
          throw error;
        }
      }
      if ((event.organization_id && event.organization_id !== organizationId) || event.event_type !== payload.event_type) {
        counts.rejected += 1;
        log?.warn(`webhook: event ${payload.id} does not match what the API says (type ${event.event_type}, organization ${event.organization_id}): not processed`);
        return;
      }
      let record: EventRecord = {
        eventId: payload.id,
        eventType: event.event_type,
        organizationId,
        occurredAt: event.occurred_at ?? payload.occurred_at ?? null,
        state: 'received',
        receivedAt: now().toISOString(),
        attempts: 1,
      };
      // Recorded once, whichever receiver sharing the ledger gets it first.
      const recorded = await ledger.recordEvent(record);
      if (!recorded.created) {
        if (recorded.record.state === 'processed') return;
        record = { ...record, receivedAt: recorded.record.receivedAt, attempts: recorded.record.attempts + 1 };
        await ledger.putEvent(record);
      }
      const typed = typedEvent(event);
      try {
        const change = await applyToLedger(ledger, typed, now);
        if (change) log?.info(`webhook: ${change}`);
        await options.onEvent?.(typed);
      } catch (error) {
        counts.failed += 1;
        record = { ...record, lastError: error instanceof Error ? error.message : String(error) };
        await ledger.putEvent(record);
        throw error;
      }
      const { lastError: _lastError, ...done } = record;
      await ledger.putEvent({ ...done, state: 'processed', processedAt: now().toISOString() });
      counts.processed += 1;
    })().finally(() => inFlight.delete(payload.id));
    inFlight.set(payload.id, work);
    return work;
  };

  const handle = async (body: unknown): Promise<WebhookResponse> => {
    let payload: WebhookPayload;
    try {
      payload = parseWebhookBody(body, maxBytes);
    } catch (error) {
      if (!(error instanceof WebhookRejection)) throw error;
      counts.rejected += 1;
      log?.warn(`webhook: refused a delivery (${error.status}): ${error.message}`);
      return json(error.status, { error: error.message });
    }
    if (payload.organization_id !== organizationId) {
      counts.rejected += 1;
      log?.warn(`webhook: refused event ${payload.id} of another organization (${payload.organization_id})`);
      return json(403, { error: 'event of another organization' });
    }
    if (inFlight.has(payload.id) || (await ledger.getEvent(payload.id))?.state === 'processed') {
      counts.duplicates += 1;
      counts.accepted += 1;
      return json(200, { received: payload.id, duplicate: true });
    }
    const work = process(payload);
    if (options.ackAfterProcessing) {
      try {
        await work;
      } catch (error) {
        log?.error(`webhook: processing event ${payload.id} failed: ${error instanceof Error ? error.message : String(error)}; answering 500 so that Credly delivers it again`);
        return json(500, { error: 'processing failed; deliver again' });
      }
    } else {
      work.catch((error: unknown) => {
        log?.error(`webhook: processing event ${payload.id} failed: ${error instanceof Error ? error.message : String(error)}; it stays "received" until a redelivery or resume() finishes it`);
      });
    }
    counts.accepted += 1;
    return json(200, { received: payload.id });
  };

  const node = (req: IncomingMessage, res: ServerResponse): void => {
    const reply = (response: WebhookResponse) => {
      if (res.headersSent) return;
      res.writeHead(response.status, response.headers);
      res.end(response.body);
    };
    if (req.method !== 'POST') {
      reply(json(405, { error: 'POST only' }));
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      counts.rejected += 1;
      reply(json(413, { error: `body over the ${maxBytes}-byte limit` }));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes && !refused) {
        refused = true;
        counts.rejected += 1;
        reply(json(413, { error: `body over the ${maxBytes}-byte limit` }));
      }
      if (!refused) chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      handle(Buffer.concat(chunks)).then(reply, () => reply(json(500, { error: 'internal error' })));
    });
  };

  return {
    handle,
    node,
    async resume() {
      let finished = 0;
      const received: EventRecord[] = [];
      for await (const record of ledger.queryEvents({ state: 'received' })) received.push(record);
      for (const record of received) {
        try {
          await process({ id: record.eventId, organization_id: record.organizationId, event_type: record.eventType, occurred_at: record.occurredAt });
          finished += 1;
        } catch {
          // Logged; it stays received.
        }
      }
      return finished;
    },
    async catchUp({ max }) {
      let processed = 0;
      for (const event of await client.events.list().collect({ max })) {
        if ((await ledger.getEvent(event.id))?.state === 'processed') continue;
        try {
          await process({ id: event.id, organization_id: event.organization_id ?? organizationId, event_type: event.event_type, occurred_at: event.occurred_at ?? null }, event);
          processed += 1;
        } catch {
          // Logged; it stays received.
        }
      }
      return processed;
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight.values()]);
    },
    stats: () => ({ ...counts }),
  };
}
