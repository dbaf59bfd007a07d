import { escapeHtml } from './html.js';

export interface ChartSeries {
  readonly name: string;
  /** A CSS class for the bars' colour: `s1`, `ok`, `warn`, `bad` (the accent colour when left out). */
  readonly className?: string;
  readonly values: readonly number[];
}

export interface BarChartSpec {
  /** A unique id in the page (the chart's `data-chart`). */
  readonly id: string;
  readonly title: string;
  readonly categories: readonly string[];
  readonly series: readonly ChartSeries[];
  /** `vertical` columns (time, age buckets) or `horizontal` bars (named things, long labels). */
  readonly orientation: 'vertical' | 'horizontal';
  /** The value of a full-length bar (the largest value when left out; 100 for percentages). */
  readonly max?: number;
  readonly format?: (value: number) => string;
  /** A colour class per category, over the series' own (e.g. red for `failed`). */
  readonly categoryClass?: (category: string) => string | undefined;
}

/** viewBox widths close to the rendered size in a card, so that 11px text stays about 11px. */
const VERTICAL_WIDTH = 480;
const HORIZONTAL_WIDTH = 420;
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
const round = (n: number) => Math.round(n * 100) / 100;

/**
 * A bar chart as inline SVG, drawn here (no library, no script). Every bar carries its numbers in
 * `data-category`, `data-series` and `data-value`, and its length is exactly value / max of the
 * plot: the browser test reads both back from the DOM. A `<title>` on each bar is its tooltip.
 */
export function barChart(spec: BarChartSpec): string {
  const format = spec.format ?? fmt;
  const all = spec.series.flatMap((s) => s.values);
  const max = spec.max ?? Math.max(1, ...all);
  const legend =
    spec.series.length > 1
      ? `<div class="legend">${spec.series.map((s) => `<span><i class="${escapeHtml(s.className ?? '')}"></i>${escapeHtml(s.name)}</span>`).join('')}</div>`
      : '';
  const svg = spec.orientation === 'vertical' ? vertical(spec, max, format) : horizontal(spec, max, format);
  return `${legend}${svg}`;
}

function open(spec: BarChartSpec, width: number, height: number, max: number, plot: number): string {
  const titleId = `${spec.id}-title`;
  return `<svg class="chart" data-chart="${escapeHtml(spec.id)}" data-max="${max}" data-plot="${plot}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${escapeHtml(titleId)}" preserveAspectRatio="xMinYMin meet"><title id="${escapeHtml(titleId)}">${escapeHtml(spec.title)}</title>`;
}

function bar(spec: BarChartSpec, series: ChartSeries, category: string, value: number, box: { x: number; y: number; w: number; h: number }, format: (n: number) => string): string {
  const colour = spec.categoryClass?.(category) ?? series.className;
  const cls = `bar${colour ? ` ${colour}` : ''}`;
  return `<rect class="${escapeHtml(cls)}" data-category="${escapeHtml(category)}" data-series="${escapeHtml(series.name)}" data-value="${value}" x="${round(box.x)}" y="${round(box.y)}" width="${round(box.w)}" height="${round(box.h)}"><title>${escapeHtml(`${category}: ${series.name} ${format(value)}`)}</title></rect>`;
}

function vertical(spec: BarChartSpec, max: number, format: (n: number) => string): string {
  const left = 8;
  const top = 18;
  const plot = 180;
  const n = Math.max(1, spec.categories.length);
  const WIDTH = VERTICAL_WIDTH;
  const slot = (WIDTH - left * 2) / n;
  const rotate = spec.categories.some((c) => c.length * 6.5 > slot);
  const bottom = rotate ? 64 : 28;
  const height = top + plot + bottom;
  const groupWidth = slot * 0.8;
  const barWidth = groupWidth / spec.series.length;
  const parts = [open(spec, WIDTH, height, max, plot), `<line class="axis" x1="${left}" x2="${WIDTH - left}" y1="${top + plot}" y2="${top + plot}"/>`];
  spec.categories.forEach((category, i) => {
    const x0 = left + i * slot + (slot - groupWidth) / 2;
    spec.series.forEach((series, s) => {
      const value = series.values[i] ?? 0;
      const h = (Math.min(value, max) / max) * plot;
      const x = x0 + s * barWidth;
      parts.push(bar(spec, series, category, value, { x, y: top + plot - h, w: Math.max(1, barWidth - 2), h }, format));
      if (value > 0) parts.push(`<text x="${round(x + barWidth / 2 - 1)}" y="${round(top + plot - h - 4)}" text-anchor="middle">${escapeHtml(format(value))}</text>`);
    });
    const cx = round(left + i * slot + slot / 2);
    const ly = top + plot + 14;
    parts.push(
      rotate
        ? `<text x="${cx}" y="${ly}" text-anchor="end" transform="rotate(-40 ${cx} ${ly})">${escapeHtml(category)}</text>`
        : `<text x="${cx}" y="${ly}" text-anchor="middle">${escapeHtml(category)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

function horizontal(spec: BarChartSpec, max: number, format: (n: number) => string): string {
  const left = 8;
  const WIDTH = HORIZONTAL_WIDTH;
  const valueRoom = 48;
  const plot = WIDTH - left * 2 - valueRoom;
  const barHeight = 14;
  const row = 18 + spec.series.length * (barHeight + 3) + 6;
  const height = Math.max(1, spec.categories.length) * row + 4;
  const parts = [open(spec, WIDTH, height, max, plot)];
  spec.categories.forEach((category, i) => {
    const y0 = i * row + 4;
    // The label sits above its bars, so that a long title never squeezes the bars on a phone.
    parts.push(`<text x="${left}" y="${y0 + 12}">${escapeHtml(category)}</text>`);
    spec.series.forEach((series, s) => {
      const value = series.values[i] ?? 0;
      const w = (Math.min(value, max) / max) * plot;
      const y = y0 + 18 + s * (barHeight + 3);
      parts.push(bar(spec, series, category, value, { x: left, y, w, h: barHeight }, format));
      parts.push(`<text x="${round(left + w + 4)}" y="${y + barHeight - 3}">${escapeHtml(format(value))}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('');
}
