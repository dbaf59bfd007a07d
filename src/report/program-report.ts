import type { Ledger } from '../ledger/contract.js';
import { escapeHtml, htmlPage, htmlTable } from './html.js';
import { programReportData, type ProgramReportData, type ProgramReportOptions } from './program-data.js';
import { barChart } from './svg-chart.js';

const pct = (rate: number | null) => (rate === null ? '–' : `${Math.round(rate * 1000) / 10}%`);
const NUM = (...columns: number[]) => new Set(columns);

/**
 * The program report for the Office of Microcredentials: one self-contained HTML page (inline CSS
 * and SVG, no script, nothing fetched), readable on a phone and printable. Every chart has a table
 * with the same numbers under it.
 */
export function renderProgramReportHtml(data: ProgramReportData): string {
  const t = data.totals;
  const kpi = (value: string | number, label: string) => `<div class="kpi"><b>${escapeHtml(value)}</b><span>${escapeHtml(label)}</span></div>`;
  const overall = t.accepted + t.pending + t.rejected ? t.accepted / (t.accepted + t.pending + t.rejected) : null;
  const sections: string[] = [];

  sections.push(`<section class="wide" id="summary"><h2>Summary</h2><div class="kpis">
${kpi(t.badges, 'badges issued')}${kpi(t.learners, 'learners')}${kpi(t.microcredentials, 'microcredentials')}${kpi(pct(overall), 'accepted')}${kpi(t.pending, 'pending')}${kpi(t.rejected, 'rejected')}${kpi(t.revoked, 'revoked')}
</div>${t.unknown ? `<p class="note">${escapeHtml(t.unknown)} issued badge(s) have not been reconciled with Credly yet (run <code>reconcile</code>): their state is unknown.</p>` : ''}</section>`);

  sections.push(`<section class="wide" id="issued-over-time"><h2>Badges issued over time</h2><p class="note">By the month the learner earned the badge.</p>
${barChart({ id: 'issued-over-time', title: 'Badges issued per month', orientation: 'vertical', categories: data.issuedByMonth.map((m) => m.month), series: [{ name: 'badges', values: data.issuedByMonth.map((m) => m.count) }] })}
${htmlTable('Badges issued per month', ['Month', 'Badges'], data.issuedByMonth.map((m) => [m.month, m.count]), NUM(1))}</section>`);

  sections.push(`<section id="acceptance"><h2>Acceptance rate per microcredential</h2><p class="note">Accepted out of accepted, pending and rejected badges (revoked ones left out).</p>
${barChart({ id: 'acceptance', title: 'Acceptance rate per microcredential (%)', orientation: 'horizontal', max: 100, format: (v) => `${v}%`, categories: data.acceptance.map((a) => a.title), series: [{ name: 'accepted %', className: 'ok', values: data.acceptance.map((a) => (a.rate === null ? 0 : Math.round(a.rate * 1000) / 10)) }] })}
${htmlTable('Badges by state on Credly', ['Microcredential', 'Badges', 'Accepted', 'Pending', 'Rejected', 'Revoked', 'Rate'], data.acceptance.map((a) => [a.title, a.badges, a.accepted, a.pending, a.rejected, a.revoked, pct(a.rate)]), NUM(1, 2, 3, 4, 5, 6))}</section>`);

  sections.push(`<section id="pending-by-age"><h2>Pending badges by age</h2><p class="note">Days since the badge was issued; <code>status --pending --format csv</code> lists the learners.</p>
${barChart({ id: 'pending-by-age', title: 'Pending badges by age', orientation: 'vertical', categories: data.pendingByAge.map((p) => p.bucket), series: [{ name: 'pending', className: 'warn', values: data.pendingByAge.map((p) => p.count) }] })}
${htmlTable('Pending badges by age', ['Age', 'Badges'], data.pendingByAge.map((p) => [p.bucket, p.count]), NUM(1))}</section>`);

  sections.push(`<section id="competencies"><h2>NACE competencies covered</h2><p class="note">Microcredentials aligned to each competency, and learners holding a live badge of one.</p>
${barChart({ id: 'competencies', title: 'NACE competencies: microcredentials and learners', orientation: 'horizontal', categories: data.competencies.map((c) => c.title), series: [{ name: 'microcredentials', className: 's1', values: data.competencies.map((c) => c.microcredentials) }, { name: 'learners', values: data.competencies.map((c) => c.learners) }] })}
${htmlTable('NACE competencies', ['Competency', 'Microcredentials', 'Learners'], data.competencies.map((c) => [c.title, c.microcredentials, c.learners]), NUM(1, 2))}</section>`);

  sections.push(`<section id="credit-mix"><h2>Credit-bearing and non-credit</h2>
${barChart({ id: 'credit-mix', title: 'Microcredentials and badges by type', orientation: 'horizontal', categories: data.creditMix.map((m) => m.type), series: [{ name: 'microcredentials', className: 's1', values: data.creditMix.map((m) => m.microcredentials) }, { name: 'badges', values: data.creditMix.map((m) => m.badges) }] })}
${htmlTable('By type', ['Type', 'Microcredentials', 'Badges'], data.creditMix.map((m) => [m.type, m.microcredentials, m.badges]), NUM(1, 2))}</section>`);

  const runRows = data.runs.map((r) => [r.command, r.startedAt, r.finishedAt ?? 'running or stopped', Object.entries(r.totals).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || '–', r.failures.length, r.stoppedBecause ?? '']);
  const failures = data.runs.flatMap((r) => r.failures.map((f) => [r.command, r.startedAt, f.row ?? '', f.key ?? '', f.reason]));
  sections.push(`<section class="wide" id="runs"><h2>Last runs</h2>
${htmlTable('Most recent first', ['Command', 'Started', 'Finished', 'Totals', 'Failures', 'Stopped because'], runRows, NUM(4))}
${htmlTable('Failures of these runs (first ones per run)', ['Command', 'Run started', 'Row', 'Award', 'Reason'], failures)}</section>`);

  return htmlPage(data.title, sections.join('\n'), data.generatedAt);
}

/** Reads the ledger and renders the program report. */
export async function programReportHtml(ledger: Ledger, options: ProgramReportOptions = {}): Promise<string> {
  return renderProgramReportHtml(await programReportData(ledger, options));
}
