import type { IssueBadgeParams } from '../credly/schemas/requests.js';

/**
 * The issuance ledger: what was planned, sent, issued, failed, revoked or replaced, durably, so
 * that a job that crashed, timed out or is run again issues each badge exactly once.
 */
export const AWARD_STATES = ['planned', 'issuing', 'issued', 'failed', 'revoked', 'replaced'] as const;
export type AwardState = (typeof AWARD_STATES)[number];

export interface AwardRecord {
  /** `(microcredential id)|(issuer_earner_id)`: stable across runs. */
  readonly key: string;
  readonly microcredentialId: string;
  readonly templateId: string;
  readonly email: string;
  readonly earnerId: string;
  readonly state: AwardState;
  /** Issue requests sent for this award so far. */
  readonly attempts: number;
  readonly badgeId: string | null;
  /** The request as last sent: reconciliation after a crash re-sends exactly this. */
  readonly request: IssueBadgeParams | null;
  /** `already-issued` when Credly had the badge before this ledger recorded it. */
  readonly how?: 'issued' | 'already-issued' | undefined;
  readonly lastError: string | null;
  readonly previousBadgeIds?: readonly string[] | undefined;
  readonly revocationReason?: string | undefined;
  /** The badge's state on Credly as webhooks report it (pending, accepted, rejected, revoked, deleted). */
  readonly credlyState?: string | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type TemplateRecordState = 'active' | 'archived' | 'unusable';

export interface TemplateRecord {
  readonly microcredentialId: string;
  readonly templateId: string;
  /** A hash of the template payload last sent: an unchanged microcredential is not sent again. */
  readonly fingerprint: string;
  readonly state: TemplateRecordState;
  /** Why the template cannot issue (archived or deleted in Credly), until fixed. */
  readonly unusableReason?: string | undefined;
  readonly allowDuplicates: boolean;
  readonly updatedAt: string;
}

/**
 * A Credly webhook event: `received` once it is durably recorded (before the 200 goes back),
 * `processed` once its work is done. Webhooks deduplicate through these records, and a receiver
 * that restarts finishes the events it had received.
 */
export interface EventRecord {
  readonly eventId: string;
  readonly eventType: string;
  readonly organizationId: string;
  readonly occurredAt: string | null;
  readonly state: 'received' | 'processed';
  readonly receivedAt: string;
  readonly processedAt?: string | undefined;
  /** Processing attempts so far. */
  readonly attempts: number;
  readonly lastError?: string | undefined;
}

export interface Ledger {
  /** Where it is, for messages ("memory" for the memory ledger). */
  readonly location: string;
  getAward(key: string): AwardRecord | undefined;
  /** Resolves once the record is durable. */
  putAward(record: AwardRecord): Promise<void>;
  awards(): IterableIterator<AwardRecord>;
  getTemplate(microcredentialId: string): TemplateRecord | undefined;
  putTemplate(record: TemplateRecord): Promise<void>;
  templates(): IterableIterator<TemplateRecord>;
  getEvent(eventId: string): EventRecord | undefined;
  putEvent(record: EventRecord): Promise<void>;
  events(): IterableIterator<EventRecord>;
  /** Flushes and releases the ledger (the lock, for the file ledger). */
  close(): Promise<void>;
}

/** The ledger for tests and dry runs: the same rules, nothing on disk. */
export class MemoryLedger implements Ledger {
  readonly location = 'memory';
  readonly #awards = new Map<string, AwardRecord>();
  readonly #templates = new Map<string, TemplateRecord>();
  readonly #events = new Map<string, EventRecord>();

  getAward(key: string): AwardRecord | undefined {
    return this.#awards.get(key);
  }

  async putAward(record: AwardRecord): Promise<void> {
    this.#awards.set(record.key, record);
  }

  awards(): IterableIterator<AwardRecord> {
    return this.#awards.values();
  }

  getTemplate(microcredentialId: string): TemplateRecord | undefined {
    return this.#templates.get(microcredentialId);
  }

  async putTemplate(record: TemplateRecord): Promise<void> {
    this.#templates.set(record.microcredentialId, record);
  }

  templates(): IterableIterator<TemplateRecord> {
    return this.#templates.values();
  }

  getEvent(eventId: string): EventRecord | undefined {
    return this.#events.get(eventId);
  }

  async putEvent(record: EventRecord): Promise<void> {
    this.#events.set(record.eventId, record);
  }

  events(): IterableIterator<EventRecord> {
    return this.#events.values();
  }

  async close(): Promise<void> {}
}
