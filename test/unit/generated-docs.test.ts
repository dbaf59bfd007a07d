import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as chaos from '../../bench/chaos-doc.js';
import * as workers from '../../bench/workers-doc.js';

// Sections of the docs that the benchmarks write from their results files: the page shows what
// the file says (bench/workers.ts and bench/chaos.ts rewrite both together).
const file = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const sections = [
  { page: 'docs/performance.md', results: 'bench/results/workers.json', begin: workers.BEGIN, end: workers.END, render: (r: unknown) => workers.renderWorkersSection(r as workers.WorkersResults) },
  { page: 'docs/reliability.md', results: 'bench/results/chaos.json', begin: chaos.BEGIN, end: chaos.END, render: (r: unknown) => chaos.renderChaosSection(r as chaos.ChaosResults) },
];

describe('docs written from benchmark results', () => {
  it.each(sections)('$page shows the figures of $results', ({ page, results, begin, end, render }) => {
    expect(existsSync(file(results))).toBe(true);
    const text = readFileSync(file(page), 'utf8');
    expect(text.indexOf(begin)).toBeGreaterThanOrEqual(0);
    expect(text.slice(text.indexOf(begin), text.indexOf(end) + end.length)).toBe(render(JSON.parse(readFileSync(file(results), 'utf8'))));
  });
});

describe('the workers section', () => {
  it('says "not met" beside a figure whose target was missed, though rounded it reads as met', () => {
    const results = JSON.parse(readFileSync(file('bench/results/workers.json'), 'utf8')) as workers.WorkersResults;
    const missed = { ...results, rss: { ...results.rss, ratio: 1.25, targets: { ratio: 1.25 }, met: false }, scaling: { ...results.scaling, met: false } };
    const met = { ...results, rss: { ...results.rss, ratio: 1.25, targets: { ratio: 1.25 }, met: true }, scaling: { ...results.scaling, met: true } };
    expect(workers.renderWorkersSection(missed).match(/\(not met\)/g)).toHaveLength(2);
    expect(workers.renderWorkersSection(met)).not.toMatch(/not met/);
  });
});
