import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BEGIN, END, renderWorkersSection, type WorkersResults } from '../../bench/workers-doc.js';

// docs/performance.md's workers figures are the results file's, as bench/workers.ts wrote them.
const results = fileURLToPath(new URL('../../bench/results/workers.json', import.meta.url));
const page = fileURLToPath(new URL('../../docs/performance.md', import.meta.url));

describe('docs/performance.md, several workers', () => {
  it('shows the figures of bench/results/workers.json', () => {
    expect(existsSync(results)).toBe(true);
    const text = readFileSync(page, 'utf8');
    const section = text.slice(text.indexOf(BEGIN), text.indexOf(END) + END.length);
    expect(section).toBe(renderWorkersSection(JSON.parse(readFileSync(results, 'utf8')) as WorkersResults));
  });
});
