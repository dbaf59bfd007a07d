// Claims of docs/architecture.md about the layout, checked against the code.
import { existsSync, readFileSync } from 'node:fs';
import type { Options } from 'tsup';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import configs from '../../tsup.config.js';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const page = read('docs/architecture.md').replace(/\s+/g, ' ');
const importsOf = (path: string) => ts.preProcessFile(read(path), true, true).importedFiles.map((file) => file.fileName);

describe('docs/architecture.md', () => {
  it('the CLI is built as one CommonJS executable, dist/cli.cjs', () => {
    const list = (Array.isArray(configs) ? configs : [configs]) as Options[];
    const cli = list.find((config) => JSON.stringify(config.entry ?? '').includes('src/cli/main.ts'));
    expect(cli?.entry).toEqual({ cli: 'src/cli/main.ts' });
    expect(cli?.format).toEqual(['cjs']);
    expect(String((cli?.banner as { js?: string } | undefined)?.js)).toMatch(/^#!\/usr\/bin\/env node/);
    expect(JSON.parse(read('package.json')).bin).toEqual({ 'credly-microcredentials': './dist/cli.cjs' });
    expect(page).toContain('`src/cli/main.ts` as one CommonJS executable, `dist/cli.cjs`');
  });

  it('credly, domain and webhooks have no barrel; src/index.ts re-exports whole only the barrels the page says hold only public names', () => {
    for (const folder of ['credly', 'domain', 'webhooks']) expect(existsSync(new URL(`src/${folder}/index.ts`, root)), folder).toBe(false);
    const whole = [...read('src/index.ts').matchAll(/^export \* from '\.\/([a-z]+)\/index\.js';$/gm)].map((m) => `src/${m[1]}/index.ts`);
    const listed = /the barrels it re-exports whole \(([^)]+)\) hold only what is public/.exec(page)?.[1];
    expect([...(listed ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]).sort()).toEqual(whole.sort());
    // The mapping barrel is not re-exported whole: it holds internals.
    expect(read('src/mapping/index.ts')).toMatch(/\bevidenceItem\b/);
    expect(read('src/index.ts')).not.toMatch(/export \* from '\.\/mapping\//);
  });

  it("the fake Credly's store is pure of HTTP, and its routing is about two dozen path patterns", () => {
    expect(importsOf('src/testing/fake-credly/store.ts').filter((s) => /http|server|api-routes/.test(s))).toEqual([]);
    const patterns = ['api-routes.ts', 'authorization-tokens.ts'].flatMap((file) => [...read(`src/testing/fake-credly/${file}`).matchAll(/^\s+pattern: '/gm)]);
    expect(patterns.length).toBeGreaterThanOrEqual(18);
    expect(patterns.length).toBeLessThanOrEqual(30);
    expect(page).toContain('the routing is about two dozen path patterns, each compiled to one regular expression');
    expect(importsOf('src/testing/fake-credly/server.ts')).toContain('node:http');
  });
});
