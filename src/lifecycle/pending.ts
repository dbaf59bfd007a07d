import { holdsBadge, type AwardRecord, type Ledger } from '../ledger/contract.js';
import { csvLine } from './csv.js';
import { parseDuration, wholeDays } from './duration.js';

/** A learner whose badge (after a replace, the replacement) Credly still shows as pending (not accepted, rejected or revoked). */
export interface PendingAward {
  readonly key: string;
  readonly microcredentialId: string;
  /** From the template's microcredential snapshot; the id when the ledger has none. */
  readonly microcredentialTitle: string;
  readonly email: string;
  readonly firstName: string | null;
  readonly lastName: string | null;
  /** The campus id sent as `issuer_earner_id`. */
  readonly earnerId: string;
  readonly badgeId: string | null;
  readonly badgeUrl: string | null;
  /** When the ledger recorded the badge as issued. */
  readonly issuedAt: string;
  /** Whole days since then. */
  readonly ageDays: number;
  /** `pending` as last seen on Credly, or `unknown` when `reconcile` has not looked at it yet. */
  readonly credlyState: 'pending' | 'unknown';
}

export interface PendingOptions {
  /** Only badges pending for longer than this: milliseconds, or a duration such as `14d`; all pending ones when left out. */
  readonly olderThan?: number | string;
  readonly microcredentialId?: string;
  /** The clock ages are judged by (tests inject one). */
  readonly now?: () => Date;
}

/**
 * Issued awards whose badge is still unaccepted, oldest first. Only as fresh as the ledger: run
 * `reconcile` (or share the ledger with the webhook receiver) so that accepted badges drop out.
 */
export async function pendingAwards(ledger: Ledger, options: PendingOptions = {}): Promise<PendingAward[]> {
  const now = (options.now ?? (() => new Date()))();
  const olderThanMs = typeof options.olderThan === 'string' ? parseDuration(options.olderThan, 'olderThan') : (options.olderThan ?? 0);
  const before = new Date(now.getTime() - olderThanMs);
  const titles = new Map((await ledger.listTemplates()).map((t) => [t.microcredentialId, t.microcredential?.title ?? t.microcredentialId]));
  const rows: PendingAward[] = [];
  const query = { pendingIssuedBefore: before, ...(options.microcredentialId ? { microcredentialId: options.microcredentialId } : {}) };
  for await (const award of ledger.queryAwards(query)) {
    // The query already says "issued (or replaced: the award holds the replacement badge), not accepted"; checked again so a backend's looser index cannot leak others.
    if (!holdsBadge(award.state) || !award.issuedAt) continue;
    const state = award.credly?.state;
    if (state !== undefined && state !== 'pending') continue;
    rows.push(pendingRow(award, titles.get(award.microcredentialId) ?? award.microcredentialId, now));
  }
  return rows.sort((a, b) => (a.issuedAt < b.issuedAt ? -1 : a.issuedAt > b.issuedAt ? 1 : a.key < b.key ? -1 : 1));
}

function pendingRow(award: AwardRecord, title: string, now: Date): PendingAward {
  const learner = award.snapshot?.learner;
  return {
    key: award.key,
    microcredentialId: award.microcredentialId,
    microcredentialTitle: title,
    email: award.email,
    firstName: learner?.firstName ?? null,
    lastName: learner?.lastName ?? null,
    earnerId: award.earnerId,
    badgeId: award.badgeId,
    badgeUrl: award.credly?.url ?? null,
    issuedAt: award.issuedAt!,
    ageDays: wholeDays(award.issuedAt!, now),
    credlyState: award.credly?.state === 'pending' ? 'pending' : 'unknown',
  };
}

/** The mail-merge columns of `status --pending --format csv`, in order. */
export const PENDING_CSV_COLUMNS = [
  'email',
  'first_name',
  'last_name',
  'student_id',
  'microcredential_id',
  'microcredential_title',
  'issued_at',
  'age_days',
  'badge_id',
  'badge_url',
  'credly_state',
] as const;

export type PendingFormat = 'text' | 'json' | 'csv';

/** The pending list as text (for people), JSON (for scripts) or CSV (for a campus mail merge). */
export function formatPending(rows: readonly PendingAward[], format: PendingFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify({ pending: rows }, null, 2)}\n`;
    case 'csv':
      return (
        csvLine(PENDING_CSV_COLUMNS) +
        rows
          .map((r) => csvLine([r.email, r.firstName, r.lastName, r.earnerId, r.microcredentialId, r.microcredentialTitle, r.issuedAt, r.ageDays, r.badgeId, r.badgeUrl, r.credlyState]))
          .join('')
      );
    case 'text': {
      if (rows.length === 0) return 'no pending badges\n';
      const lines = rows.map((r) => {
        const name = [r.firstName, r.lastName].filter(Boolean).join(' ') || '(no name)';
        const seen = r.credlyState === 'unknown' ? ' (not reconciled yet)' : '';
        return `  ${String(r.ageDays).padStart(4)} d  ${r.email}  ${name}  ${r.microcredentialTitle}${seen}`;
      });
      return `${rows.length} badge(s) not accepted yet (age in days, email, name, microcredential):\n${lines.join('\n')}\n`;
    }
  }
}
