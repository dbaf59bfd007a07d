import { escapeHtml, htmlPage, htmlTable } from './html.js';
import { barChart } from './svg-chart.js';

/**
 * What the per-run renderer needs from an issue run: the shape of the issuance report (totals per
 * outcome, one entry per award), kept structural so that the v1 `IssuanceReport` and the
 * executor's report both fit.
 */
export interface RunReportInput {
  readonly title?: string | undefined;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs?: number | undefined;
  readonly dryRun?: boolean | undefined;
  readonly cancelled?: boolean | undefined;
  readonly stoppedBecause?: string | null | undefined;
  readonly rows?: number | undefined;
  /** Awards another worker held (in that worker's report), and awards taken over from a dead one. */
  readonly heldElsewhere?: number | undefined;
  readonly takenOver?: number | undefined;
  /** True when the run had more outcomes than `awards` holds. */
  readonly awardsTruncated?: boolean | undefined;
  readonly totals: Readonly<Record<string, number>>;
  readonly awards: ReadonlyArray<{
    readonly row: number | null;
    readonly outcome: string;
    readonly microcredentialId?: string | undefined;
    readonly email?: string | undefined;
    readonly key?: string | undefined;
    readonly badgeId?: string | undefined;
    readonly reason?: string | undefined;
    readonly problems?: ReadonlyArray<{ readonly field: string; readonly message: string }> | undefined;
    readonly attempts?: number | undefined;
  }>;
}

/** Outcomes someone must look at: a failure to retry or a row to fix. */
const ATTENTION = new Set(['failed', 'invalid']);
const OUTCOME_CLASS: Readonly<Record<string, string>> = { issued: 'ok', 'already-issued': 's1', failed: 'bad', invalid: 'bad', skipped: 'warn' };

/**
 * One issue run as a self-contained HTML page (`issue --report-html <file>`): totals, the failures
 * with their reasons, and the rows that need attention (failed or invalid), with what to do.
 */
export function renderRunReportHtml(report: RunReportInput): string {
  const title = report.title ?? `Issue run of ${report.startedAt}`;
  const outcomes = Object.keys(report.totals);
  const attention = report.awards.filter((a) => ATTENTION.has(a.outcome)).sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
  const status = report.stoppedBecause
    ? `<p class="bad"><b>Stopped early:</b> ${escapeHtml(report.stoppedBecause)}</p>`
    : report.cancelled
      ? '<p class="bad"><b>Cancelled</b>: awards in flight finished; nothing new was started.</p>'
      : '';
  const notes = [
    report.takenOver ? `${report.takenOver} award(s) left issuing by an earlier run or a dead worker were looked up first.` : '',
    report.heldElsewhere ? `${report.heldElsewhere} award(s) were held by another worker: they are in that worker's report.` : '',
    report.awardsTruncated ? `Only the first ${report.awards.length} outcomes are listed below: the run kept no more (the totals count them all).` : '',
  ].filter(Boolean);
  const kpis = outcomes.map((o) => `<div class="kpi"><b>${escapeHtml(report.totals[o] ?? 0)}</b><span>${escapeHtml(o)}</span></div>`).join('');
  const body = [
    `<section class="wide" id="totals"><h2>Totals</h2>${status}<p class="note">${escapeHtml(report.dryRun ? 'Dry run: nothing was sent to Credly. ' : '')}Started ${escapeHtml(report.startedAt)}, finished ${escapeHtml(report.finishedAt)}${report.durationMs !== undefined ? ` (${escapeHtml(Math.round(report.durationMs / 100) / 10)} s)` : ''}${report.rows !== undefined ? `, ${escapeHtml(report.rows)} roster row(s)` : ''}.</p>
${notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('')}<div class="kpis">${kpis}</div>
${barChart({ id: 'run-totals', title: 'Awards by outcome', orientation: 'horizontal', categories: outcomes, series: [{ name: 'awards', values: outcomes.map((o) => report.totals[o] ?? 0) }], categoryClass: (o) => OUTCOME_CLASS[o] })}</section>`,
    `<section class="wide" id="attention"><h2>Rows that need attention (${attention.length})</h2><p class="note">Failed awards are tried again by the next run; invalid rows must be fixed in the roster first.</p>
${htmlTable('Failed and invalid rows', ['Row', 'Outcome', 'Microcredential', 'Email', 'What went wrong', 'Attempts'], attention.map((a) => [a.row ?? '–', a.outcome, a.microcredentialId ?? '', a.email ?? '', reasonOf(a), a.attempts ?? '']), new Set([0, 5]))}</section>`,
    `<section class="wide" id="failures"><h2>Failure reasons</h2>
${htmlTable('Failures grouped by reason', ['Reason', 'Awards'], groupReasons(attention), new Set([1]))}</section>`,
  ];
  return htmlPage(title, body.join('\n'), report.finishedAt);
}

function reasonOf(award: RunReportInput['awards'][number]): string {
  const problems = award.problems?.map((p) => `${p.field}: ${p.message}`).join('; ');
  return [award.reason, problems].filter(Boolean).join('; ') || 'no reason recorded';
}

function groupReasons(awards: RunReportInput['awards']): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const a of awards) counts.set(reasonOf(a), (counts.get(reasonOf(a)) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
