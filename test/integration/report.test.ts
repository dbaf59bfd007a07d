import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { IssuanceReport } from '../../src/issuance/report.js';
import { programReportData, renderProgramReportHtml, renderRunReportHtml, type RunReportInput } from '../../src/report/index.js';
import { NASTY, programFixture } from '../helpers/report-fixture.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** The numbers a chart drew, read back from its bars' data attributes. */
function bars(html: string, chart: string): Array<{ category: string; series: string; value: number }> {
  const svg = new RegExp(`<svg class="chart" data-chart="${chart}"[\\s\\S]*?</svg>`).exec(html)?.[0] ?? '';
  return [...svg.matchAll(/<rect class="bar[^"]*" data-category="([^"]*)" data-series="([^"]*)" data-value="([^"]*)"/g)].map((m) => ({ category: m[1]!, series: m[2]!, value: Number(m[3]) }));
}

describe('program report', () => {
  it('computes the program numbers from a reconciled ledger', async () => {
    const f = await programFixture();
    close = f.close;
    const data = await programReportData(f.ledger, { now: f.clock.now });
    expect(data.totals).toEqual(f.expected.totals);
    expect(data.issuedByMonth.map((m) => [m.month, m.count])).toEqual(f.expected.issuedByMonth);
    expect(data.acceptance.map((a) => [a.title, a.rate === null ? null : Math.round(a.rate * 1000) / 10])).toEqual(f.expected.acceptancePercent);
    expect(data.pendingByAge.map((p) => [p.bucket, p.count])).toEqual(f.expected.pendingByAge);
    expect(data.competencies.map((c) => [c.title, c.microcredentials, c.learners])).toEqual(f.expected.competencies);
    expect(data.creditMix.map((m) => [m.type, m.microcredentials, m.badges])).toEqual(f.expected.creditMix);
    expect(data.runs.map((r) => r.command)).toEqual(['reconcile', 'issue']);
  });

  it('draws every chart with those numbers, self-contained: no script, nothing fetched', async () => {
    const f = await programFixture();
    close = f.close;
    const html = renderProgramReportHtml(await programReportData(f.ledger, { now: f.clock.now }));
    expect(bars(html, 'issued-over-time').map((b) => [b.category, b.value])).toEqual(f.expected.issuedByMonth);
    expect(bars(html, 'acceptance').map((b) => [b.category, b.value])).toEqual(f.expected.acceptancePercent);
    expect(bars(html, 'pending-by-age').map((b) => [b.category, b.value])).toEqual(f.expected.pendingByAge);
    expect(bars(html, 'competencies').filter((b) => b.series === 'learners').map((b) => [b.category, b.value])).toEqual(f.expected.competencies.map(([t, , l]) => [t, l]));
    expect(bars(html, 'credit-mix').filter((b) => b.series === 'badges').map((b) => [b.category, b.value])).toEqual(f.expected.creditMix.map(([t, , n]) => [t, n]));
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/\b(src|href)=/i);
    expect(html).toContain(`default-src 'none'`);
    expect(html).toContain('name="viewport"');
    expect(html).toContain('@media print');
    expect(html).toContain('Credly refused: Recipient email is invalid');
  });

  it('escapes markup from titles, names and reasons everywhere', async () => {
    const f = await programFixture({ nasty: true });
    close = f.close;
    const html = renderProgramReportHtml(await programReportData(f.ledger, { now: f.clock.now, title: `Report ${NASTY}` }));
    expect(html).not.toContain('<script');
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;');
    // In a chart label, in an attribute and in a table cell.
    expect(html).toMatch(/data-category="Coding in SQL &#60;script&#62;/);
    expect(html).toContain('<td>Credly refused &#60;script&#62;');
  });
});

describe('run report', () => {
  const sample: RunReportInput = {
    startedAt: '2026-09-01T12:00:00.000Z',
    finishedAt: '2026-09-01T12:00:42.000Z',
    durationMs: 42_000,
    dryRun: false,
    cancelled: false,
    stoppedBecause: null,
    rows: 6,
    totals: { issued: 3, 'already-issued': 1, failed: 1, skipped: 0, invalid: 1, planned: 0 },
    awards: [
      { row: 2, outcome: 'issued', email: 'a@example.edu', badgeId: 'b1' },
      { row: 3, outcome: 'issued', email: 'b@example.edu', badgeId: 'b2' },
      { row: 4, outcome: 'issued', email: 'c@example.edu', badgeId: 'b3' },
      { row: 5, outcome: 'already-issued', email: 'd@example.edu', badgeId: 'b4' },
      { row: 7, outcome: 'invalid', problems: [{ field: 'Recipient Email', message: `"${NASTY}" is not a valid email address` }] },
      { row: 6, outcome: 'failed', microcredentialId: 'coding-in-sql', email: 'e@example.edu', reason: 'Credly refused: Badge template is archived', attempts: 1 },
    ],
  };

  it('shows totals, the rows that need attention in row order with what went wrong, and failures by reason', () => {
    const html = renderRunReportHtml(sample);
    expect(bars(html, 'run-totals').map((b) => [b.category, b.value])).toEqual(Object.entries(sample.totals));
    expect(html).toMatch(/class="bar bad" data-category="failed"/);
    const attention = /<section class="wide" id="attention">[\s\S]*?<\/section>/.exec(html)![0];
    expect(attention).toContain('Rows that need attention (2)');
    const rows = [...attention.matchAll(/<tr><td class="num">(\d+)<\/td><td>(\w+)<\/td>/g)].map((m) => [Number(m[1]), m[2]]);
    expect(rows).toEqual([
      [6, 'failed'],
      [7, 'invalid'],
    ]);
    expect(attention).toContain('Credly refused: Badge template is archived');
    expect(attention).toContain('Recipient Email: &#34;&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#34; is not a valid email address');
    expect(html).not.toContain('<script');
    expect(html).not.toMatch(/\b(src|href)=/i);
  });

  it("takes the issue command's report as it is", () => {
    expectTypeOf<IssuanceReport>().toExtend<RunReportInput>();
  });

  it('says when a run stopped early or was a dry run', () => {
    expect(renderRunReportHtml({ ...sample, stoppedBecause: 'Credly refused the credentials (401)' })).toContain('<b>Stopped early:</b> Credly refused the credentials (401)');
    expect(renderRunReportHtml({ ...sample, dryRun: true })).toContain('Dry run: nothing was sent to Credly.');
    const partial = renderRunReportHtml({ ...sample, awardsTruncated: true, takenOver: 2, heldElsewhere: 3 });
    expect(partial).toContain('Only the first 6 outcomes are listed below');
    expect(partial).toContain('2 award(s) left issuing by an earlier run or a dead worker were looked up first.');
    expect(partial).toContain('3 award(s) were held by another worker');
  });
});
