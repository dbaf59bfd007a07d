import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BEGIN, END, renderChaosSection, type ChaosResults } from '../../bench/chaos-doc.js';

// docs/reliability.md's chaos table is the results file's, as bench/chaos.ts wrote them.
const results = fileURLToPath(new URL('../../bench/results/chaos.json', import.meta.url));
const page = fileURLToPath(new URL('../../docs/reliability.md', import.meta.url));

describe('docs/reliability.md', () => {
  it('shows the figures of bench/results/chaos.json', () => {
    expect(existsSync(results)).toBe(true);
    const text = readFileSync(page, 'utf8');
    expect(text.indexOf(BEGIN)).toBeGreaterThanOrEqual(0);
    const section = text.slice(text.indexOf(BEGIN), text.indexOf(END) + END.length);
    expect(section).toBe(renderChaosSection(JSON.parse(readFileSync(results, 'utf8')) as ChaosResults));
  });
});
