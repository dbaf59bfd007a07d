/** Text and attribute values for HTML: everything a learner, a reason or Credly wrote is escaped. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * The page around a report: one file, nothing fetched. The Content-Security-Policy forbids every
 * network request and every script, so that even a value that slipped past escaping could neither
 * run nor call out.
 */
export function htmlPage(title: string, body: string, generatedAt: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="generator" content="credly-microcredentials">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><p class="meta">Generated ${escapeHtml(generatedAt)}</p></header>
<main>
${body}
</main>
</body>
</html>
`;
}

/** A table of rows; `numeric` columns are right-aligned. */
export function htmlTable(caption: string, headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>, numeric: ReadonlySet<number> = new Set()): string {
  const head = headers.map((h, i) => `<th scope="col"${numeric.has(i) ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('');
  const body = rows.length
    ? rows.map((r) => `<tr>${r.map((cell, i) => `<td${numeric.has(i) ? ' class="num"' : ''}>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n')
    : `<tr><td colspan="${headers.length}" class="empty">None</td></tr>`;
  return `<div class="table-wrap"><table><caption>${escapeHtml(caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

const STYLE = `
:root { --ink: #1d2733; --muted: #5b6775; --line: #d8dee6; --bg: #f5f7fa; --card: #fff; --accent: #1f6feb; --ok: #1a7f37; --warn: #b35900; --bad: #c2372c; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header { padding: 16px 20px 4px; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.1rem; margin: 0 0 8px; }
.meta, .note { color: var(--muted); font-size: .85rem; margin: 0 0 8px; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 420px), 1fr)); gap: 16px; padding: 12px 20px 24px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; min-width: 0; }
section.wide { grid-column: 1 / -1; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(120px, 1fr)); gap: 10px; }
.kpi { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
.kpi b { display: block; font-size: 1.4rem; }
.kpi span { color: var(--muted); font-size: .8rem; }
svg.chart { width: 100%; max-width: 720px; height: auto; display: block; }
svg.chart text { font: 11px system-ui, sans-serif; fill: var(--ink); }
svg.chart .axis { stroke: var(--line); }
svg.chart .bar { fill: var(--accent); }
svg.chart .bar.s1 { fill: #8250df; }
svg.chart .bar.ok { fill: var(--ok); }
svg.chart .bar.warn { fill: var(--warn); }
svg.chart .bar.bad { fill: var(--bad); }
.legend { display: flex; flex-wrap: wrap; gap: 12px; font-size: .8rem; color: var(--muted); margin: 4px 0; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; background: var(--accent); }
.legend i.s1 { background: #8250df; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; margin-top: 8px; }
caption { text-align: left; color: var(--muted); font-size: .8rem; padding-bottom: 4px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { white-space: nowrap; }
td { overflow-wrap: anywhere; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.empty { color: var(--muted); font-style: italic; }
.bad { color: var(--bad); }
@media (max-width: 520px) { body { font-size: 14px; } header, main { padding-left: 10px; padding-right: 10px; } section { padding: 10px; } }
@media print {
  body { background: #fff; font-size: 11pt; }
  main { display: block; padding: 0; }
  section { border: none; border-top: 1px solid #999; border-radius: 0; padding: 8pt 0; break-inside: avoid; page-break-inside: avoid; }
  .table-wrap { overflow: visible; }
  svg.chart { max-height: 8cm; }
  svg.chart .bar, .legend i { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
`;
