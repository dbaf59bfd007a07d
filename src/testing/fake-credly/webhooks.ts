import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface WebhookDelivery {
  readonly eventId: string;
  readonly url: string;
  readonly attempt: number;
  /** The status the receiver answered, or the connection error. */
  readonly status: number | null;
  readonly error: string | null;
  readonly delivered: boolean;
}

export interface WebhookOptions {
  /** First retry delay; doubled each time (Credly retries for up to 25 days; the fake, for tests, faster). */
  readonly retryBaseMs?: number;
  readonly maxAttempts?: number;
  readonly timeoutMs?: number;
}

interface Job {
  readonly url: string;
  readonly body: string;
  readonly eventId: string;
  attempt: number;
}

/**
 * Delivers `{ id, organization_id, event_type, occurred_at }` to the organization's webhook URL
 * with a POST, and retries with backoff until the receiver answers exactly 200 (as Credly does:
 * a 204 is a failure too).
 */
export class WebhookDeliverer {
  readonly deliveries: WebhookDelivery[] = [];
  readonly #retryBaseMs: number;
  readonly #maxAttempts: number;
  readonly #timeoutMs: number;
  readonly #timers = new Set<NodeJS.Timeout>();
  #inFlight = 0;
  #idleWaiters: Array<() => void> = [];
  #stopped = false;

  constructor(options: WebhookOptions = {}) {
    this.#retryBaseMs = options.retryBaseMs ?? 1000;
    this.#maxAttempts = options.maxAttempts ?? 10;
    this.#timeoutMs = options.timeoutMs ?? 5000;
  }

  enqueue(url: string, payload: Record<string, unknown>): void {
    if (this.#stopped) return;
    this.#run({ url, body: JSON.stringify(payload), eventId: String(payload.id), attempt: 0 });
  }

  /** Resolves when no delivery is in flight or waiting for a retry. */
  idle(): Promise<void> {
    if (this.#inFlight === 0 && this.#timers.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#settle();
  }

  #settle(): void {
    if (this.#inFlight === 0 && this.#timers.size === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  #run(job: Job): void {
    job.attempt += 1;
    this.#inFlight += 1;
    this.#post(job.url, job.body).then(
      (status) => this.#done(job, status, null),
      (error: Error) => this.#done(job, null, error.message),
    );
  }

  #done(job: Job, status: number | null, error: string | null): void {
    this.#inFlight -= 1;
    const delivered = status === 200;
    this.deliveries.push({ eventId: job.eventId, url: job.url, attempt: job.attempt, status, error, delivered });
    if (!delivered && !this.#stopped && job.attempt < this.#maxAttempts) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#run(job);
      }, this.#retryBaseMs * 2 ** (job.attempt - 1));
      timer.unref();
      this.#timers.add(timer);
    }
    this.#settle();
  }

  #post(url: string, body: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const target = new URL(url);
      const send = target.protocol === 'https:' ? httpsRequest : request;
      const req = send(
        target,
        { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'User-Agent': 'fake-credly-webhooks' }, timeout: this.#timeoutMs },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('timeout', () => req.destroy(new Error('webhook receiver timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }
}
