import type { RosterProblem } from './roster.js';

/**
 * What happened to each award in a run:
 * - `issued`: this run created the badge on Credly;
 * - `already-issued`: the badge existed already (an earlier run, or Credly had it);
 * - `failed`: with the reason; the next run tries again;
 * - `skipped`: not attempted (the same learner twice, revoked, not approved, cancelled);
 * - `invalid`: the row could not be read, with every problem;
 * - `planned`: a dry run would issue it.
 */
export const OUTCOMES = ['issued', 'already-issued', 'failed', 'skipped', 'invalid', 'planned'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface AwardOutcome {
  /** The roster row, or null for an award reconciled from an earlier run. */
  readonly row: number | null;
  readonly outcome: Outcome;
  readonly microcredentialId?: string | undefined;
  readonly email?: string | undefined;
  readonly key?: string | undefined;
  readonly badgeId?: string | undefined;
  readonly reason?: string | undefined;
  readonly problems?: readonly RosterProblem[] | undefined;
  /** Issue requests sent for this award, over all runs. */
  readonly attempts?: number | undefined;
}

export interface IssuanceReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly dryRun: boolean;
  /** The run was cancelled: in-flight awards finished, nothing new started. */
  readonly cancelled: boolean;
  /** Set when the run stopped early (e.g. Credly refused the credentials). */
  readonly stoppedBecause: string | null;
  /** Awards left in `issuing` by an earlier run, settled before anything new was sent. */
  readonly reconciled: number;
  readonly rows: number;
  readonly totals: Readonly<Record<Outcome, number>>;
  /**
   * Awards another worker held while this one read the roster (several workers on one
   * PostgreSQL ledger): they are in that worker's report, not in these totals.
   */
  readonly heldElsewhere: number;
  /** Awards that were issuing under a worker that died (or an earlier run) and were looked up first. */
  readonly takenOver: number;
  /**
   * Each award's outcome in row order, up to `keepOutcomes` (10,000 by default); a large run
   * streams them with `onOutcome` (the CLI's `--report`) instead of holding them.
   */
  readonly awards: readonly AwardOutcome[];
  /** True when more outcomes happened than `awards` holds. */
  readonly awardsTruncated: boolean;
}

export class ReportBuilder {
  readonly #startedAt: number;
  readonly #now: () => Date;
  readonly #awards: AwardOutcome[] = [];
  readonly #keep: number;
  #truncated = false;
  readonly totals: Record<Outcome, number> = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  rows = 0;
  reconciled = 0;
  heldElsewhere = 0;
  cancelled = false;
  stoppedBecause: string | null = null;

  constructor(now: () => Date, keepOutcomes = 10_000) {
    this.#now = now;
    this.#startedAt = now().getTime();
    this.#keep = keepOutcomes;
  }

  add(outcome: AwardOutcome): void {
    if (this.#awards.length < this.#keep) this.#awards.push(outcome);
    else this.#truncated = true;
    this.totals[outcome.outcome] += 1;
  }

  build(dryRun: boolean): IssuanceReport {
    const finished = this.#now();
    const awards = [...this.#awards].sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
    return {
      startedAt: new Date(this.#startedAt).toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - this.#startedAt,
      dryRun,
      cancelled: this.cancelled,
      stoppedBecause: this.stoppedBecause,
      reconciled: this.reconciled,
      rows: this.rows,
      totals: { ...this.totals },
      heldElsewhere: this.heldElsewhere,
      takenOver: this.reconciled,
      awards,
      awardsTruncated: this.#truncated,
    };
  }
}

/** True when every award ended issued or already issued (nothing failed, nothing invalid). */
export function reportSucceeded(report: IssuanceReport): boolean {
  return report.totals.failed === 0 && report.totals.invalid === 0 && report.stoppedBecause === null;
}

/** A human summary: totals, then each award that needs attention. */
export function formatReport(report: IssuanceReport, options: { maxLines?: number } = {}): string {
  const t = report.totals;
  const lines = [
    `${report.dryRun ? 'Dry run' : 'Issuance'} finished in ${(report.durationMs / 1000).toFixed(1)} s: ${report.rows} roster rows` +
      (report.reconciled ? `, ${report.reconciled} award(s) from an earlier run reconciled` : ''),
    report.dryRun
      ? `  planned ${t.planned}, already issued ${t['already-issued']}, skipped ${t.skipped}, invalid ${t.invalid}`
      : `  issued ${t.issued}, already issued ${t['already-issued']}, failed ${t.failed}, skipped ${t.skipped}, invalid ${t.invalid}`,
  ];
  if (report.cancelled) lines.push('  cancelled: awards in flight finished; the rest were not started (run again to go on)');
  if (report.stoppedBecause) lines.push(`  stopped: ${report.stoppedBecause}`);
  const attention = report.awards.filter((a) => a.outcome === 'failed' || a.outcome === 'invalid' || a.outcome === 'skipped');
  const max = options.maxLines ?? 50;
  for (const award of attention.slice(0, max)) {
    const where = award.row === null ? 'earlier run' : `row ${award.row}`;
    const who = [award.microcredentialId, award.email].filter(Boolean).join(' ');
    const why = award.problems?.length ? award.problems.map((p) => `${p.field}: ${p.message}`).join('; ') : award.reason ?? '';
    lines.push(`  ${award.outcome.padEnd(7)} ${where}${who ? ` (${who})` : ''}: ${why}`);
  }
  if (attention.length > max) {
    lines.push(max === 0 ? `  ${attention.length} award(s) need attention (see the JSON report)` : `  … and ${attention.length - max} more (see the JSON report)`);
  }
  return lines.join('\n');
}
