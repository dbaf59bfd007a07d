import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);

describe('docs/testing.md', () => {
  it('shows each example file exactly as it is run in CI', () => {
    const doc = readFileSync(new URL('docs/testing.md', root), 'utf8');
    const blocks = [...doc.matchAll(/<!-- example: (\S+) -->\n```ts\n([\s\S]*?)```/g)];
    expect(blocks.map((b) => b[1])).toEqual(['examples/testing/fake-credly.test.ts', 'examples/testing/nock.test.ts']);
    for (const [, file, code] of blocks) expect(code, file).toBe(readFileSync(new URL(file!, root), 'utf8'));
  });
});
