import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CredlyClient } from '../credly/client.js';
import { NotFoundError } from '../credly/errors.js';
import type { Logger } from '../credly/logger.js';
import type { CredlyEvent } from '../credly/schemas/event.js';
import type { EventRecord, Ledger } from '../ledger/contract.js';
import { typedEvent, type WebhookEvent } from './events.js';
import { applyToLedger, awardAwaitingBadge } from './ledger-effects.js';
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
   * it again (it retries for up to 25 days). An event that waits for the issue job to record its
   * badge (`badgeRecordWaitMs`) is answered 200 when it starts waiting: a failure on a later look
   * is left to `resume()`.
   */
  readonly ackAfterProcessing?: boolean;
  /**
   * How long this receiver holds an event it is processing (renewed every third of it while
   * `onEvent` runs): receivers sharing a ledger leave it alone meanwhile, and take it over only
   * once the lease ends (this receiver died or stalled). 60 s by default.
   */
  readonly eventLeaseMs?: number;
  /**
   * How long an event of a badge the issue job has not recorded yet (its award is `issuing`, without
   * a badge: Credly's answer is being recorded; or, for a replacement badge, `replaceAward` has not)
   * waits before it is looked at again: 1 s by default,
   * doubled each time; after 5 waits it is processed as it is (it then changes nothing in the
   * ledger, and `reconcile` brings the award up to date). The waits are counted on the event's
   * record (`attempts`): a look by another receiver sharing the ledger, or by `resume()`, is one.
   */
  readonly badgeRecordWaitMs?: number;
  readonly logger?: Logger;
  /** @internal Test seam: the clock. */
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
  /** Deliveries of events already processed, or being processed (here, or by another receiver sharing the ledger). */
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
  /**
   * Stops looking again at events another receiver holds (each is looked at once that receiver's
   * lease ends), and at events waiting for the issue job to record their badge (`badgeRecordWaitMs`):
   * for a receiver shutting down. Those events are left to that receiver, to a redelivery, or to the
   * next `resume()`. Events being processed here are not interrupted (`idle()` waits for them).
   */
  close(): void;
  stats(): WebhookStats;
}

/** How long after another receiver's lease on an event ends this one looks at the event again. */
const LOOK_AGAIN_MARGIN_MS = 100;
/** How many times an event waits for the issue job to record its badge (see `badgeRecordWaitMs`). */
const MAX_BADGE_RECORD_WAITS = 5;

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
  const inFlight = new Map<string, Promise<boolean>>();
  const counts = { accepted: 0, processed: 0, duplicates: 0, rejected: 0, failed: 0 };
  // This receiver's id for the events it processes (two handlers on one ledger handle are two receivers).
  const owner = `webhooks-${randomUUID()}`;
  const leaseMs = options.eventLeaseMs ?? 60_000;
  const badgeRecordWaitMs = options.badgeRecordWaitMs ?? 1000;

  /** Events another receiver holds, each looked at again once its lease ends. */
  const watched = new Map<string, ReturnType<typeof setTimeout>>();
  let closed = false;
  const lookAgain = (payload: WebhookPayload, event: CredlyEvent, until: string) => {
    if (closed || watched.has(payload.id)) return;
    // A little after the lease's end, so that the ledger's clock (the database's) agrees it ended.
    const delayMs = Math.max(0, Date.parse(until) - now().getTime()) + LOOK_AGAIN_MARGIN_MS;
    const timer = setTimeout(() => {
      watched.delete(payload.id);
      process(payload, event).catch((error: unknown) => {
        log?.error(`webhook: processing event ${payload.id} failed: ${error instanceof Error ? error.message : String(error)}; it stays "received" until a redelivery or resume() finishes it`);
      });
    }, delayMs);
    timer.unref?.();
    watched.set(payload.id, timer);
  };

  /**
   * Verifies, records and processes one event; resolves true when this call did the work, false
   * when there was none to do (processed already, refused, or another receiver holds it), and
   * rejects when the work threw. `delivered`: a delivery to this receiver (counted as a duplicate
   * when another receiver holds the event), not a second look or resume().
   */
  const process = (payload: WebhookPayload, known?: CredlyEvent, delivered = false): Promise<boolean> => {
    const running = inFlight.get(payload.id);
    if (running) return running;
    const work = (async (): Promise<boolean> => {
      if ((await ledger.getEvent(payload.id))?.state === 'processed') return false;
      let event = known;
      if (!event) {
        try {
          event = await client.events.get(payload.id);
        } catch (error) {
          if (error instanceof NotFoundError) {
            counts.rejected += 1;
            log?.warn(`webhook: event ${payload.id} is unknown to the Credly API: not processed (forged, or for another account)`);
            return false;
          }
          throw error;
        }
      }
      if ((event.organization_id && event.organization_id !== organizationId) || event.event_type !== payload.event_type) {
        counts.rejected += 1;
        log?.warn(`webhook: event ${payload.id} does not match what the API says (type ${event.event_type}, organization ${event.organization_id}): not processed`);
        return false;
      }
      // Recorded once, whichever receiver sharing the ledger gets it first; then processed by one
      // receiver at a time, under its lease.
      const recorded = await ledger.recordEvent({
        eventId: payload.id,
        eventType: event.event_type,
        organizationId,
        occurredAt: event.occurred_at ?? payload.occurred_at ?? null,
        state: 'received',
        receivedAt: now().toISOString(),
        attempts: 0,
      });
      if (recorded.record.state === 'processed') return false;
      const claim = (): Promise<EventRecord | undefined> => ledger.claimEvent(payload.id, { owner, leaseMs });
      const claimed = await claim();
      if (!claimed) {
        // Processed meanwhile, or in the hands of another receiver sharing the ledger: its work, not
        // this one's, unless that receiver dies or stalls: looked at again when its lease ends.
        if (delivered) counts.duplicates += 1;
        const current = await ledger.getEvent(payload.id);
        if (current?.state === 'received' && current.lease) {
          log?.info(`webhook: event ${payload.id} is being processed by another receiver sharing the ledger: left to it (looked at again when its lease ends, ${current.lease.until})`);
          lookAgain(payload, event, current.lease.until);
        }
        return false;
      }
      let record: EventRecord = claimed;
      const typed = typedEvent(event);
      // The issue job has not recorded this event's badge yet: let go, and look again shortly.
      // (`attempts` counts this receiver's claims and everyone's: each wait is one.)
      if (claimed.attempts <= MAX_BADGE_RECORD_WAITS) {
        let waitingFor: string | null;
        try {
          waitingFor = await awardAwaitingBadge(ledger, typed);
        } catch (error) {
          // As a failure of the work: let go at once, for a redelivery or resume() (not held for the lease).
          counts.failed += 1;
          await ledger.putEvent({ ...record, lastError: error instanceof Error ? error.message : String(error), lease: null });
          throw error;
        }
        if (waitingFor) {
          const waitMs = badgeRecordWaitMs * 2 ** (claimed.attempts - 1);
          await ledger.putEvent({ ...record, lastError: `waiting for the issue job to record its badge on award ${waitingFor}`, lease: null });
          log?.info(`webhook: event ${payload.id}: award ${waitingFor} is being issued and does not hold the badge yet; looked at again in ${waitMs} ms`);
          lookAgain(payload, event, new Date(now().getTime() + waitMs).toISOString());
          return false;
        }
      }
      const renewal = setInterval(() => {
        claim().then(
          (renewed) => {
            if (!renewed) log?.warn(`webhook: event ${payload.id}: this receiver's lease on it ran out before its work was done; another receiver may process it too`);
          },
          (error: unknown) => log?.warn(`webhook: event ${payload.id}: could not renew this receiver's lease on it: ${error instanceof Error ? error.message : String(error)}`),
        );
      }, Math.max(10, Math.floor(leaseMs / 3)));
      renewal.unref();
      try {
        const change = await applyToLedger(ledger, typed, now);
        if (change) log?.info(`webhook: ${change}`);
        await options.onEvent?.(typed);
      } catch (error) {
        counts.failed += 1;
        // Let go at once: a redelivery, or resume(), takes it up again without waiting for the lease.
        record = { ...record, lastError: error instanceof Error ? error.message : String(error), lease: null };
        await ledger.putEvent(record);
        throw error;
      } finally {
        clearInterval(renewal);
      }
      const { lastError: _lastError, ...done } = record;
      await ledger.putEvent({ ...done, state: 'processed', processedAt: now().toISOString(), lease: null });
      counts.processed += 1;
      return true;
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
    const work = process(payload, undefined, true);
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
          if (await process({ id: record.eventId, organization_id: record.organizationId, event_type: record.eventType, occurred_at: record.occurredAt })) finished += 1;
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
          if (await process({ id: event.id, organization_id: event.organization_id ?? organizationId, event_type: event.event_type, occurred_at: event.occurred_at ?? null }, event)) processed += 1;
        } catch {
          // Logged; it stays received.
        }
      }
      return processed;
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight.values()]);
    },
    close() {
      closed = true;
      for (const timer of watched.values()) clearTimeout(timer);
      watched.clear();
    },
    stats: () => ({ ...counts }),
  };
}
