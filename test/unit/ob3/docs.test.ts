import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BEGIN, END, renderOb3Figures, replaceSection, type Ob3Results } from '../../../bench/ob3-doc.js';

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

describe('docs/performance.md, Open Badges 3.0 section', () => {
  it('shows the figures of bench/results/ob3.json, as bench/ob3-doc.ts renders them', () => {
    const doc = read('docs/performance.md');
    const results = JSON.parse(read('bench/results/ob3.json')) as Ob3Results;
    const section = doc.slice(doc.indexOf(BEGIN), doc.indexOf(END) + END.length);
    expect(section).toBe(renderOb3Figures(results));
    expect(replaceSection(doc, renderOb3Figures(results))).toBe(doc);
  });
});

describe('docs/open-badges.md', () => {
  it('shows the example exactly as it is run in CI', () => {
    const doc = read('docs/open-badges.md');
    const blocks = [...doc.matchAll(/<!-- example: (\S+) -->\n```ts\n([\s\S]*?)```/g)];
    expect(blocks.map((block) => block[1])).toEqual(['examples/ob3/sign-and-verify.test.ts']);
    for (const [, file, code] of blocks) expect(code, file).toBe(read(file!));
  });
});
