import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_VARIABLES } from '../../src/credly/config.js';
import { EXIT } from '../../src/cli/errors.js';
import { createProgram } from '../../src/cli/program.js';
import { createCliContext } from '../../src/cli/runtime.js';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const doc = read('docs/cli.md');

/** The rows of the markdown table under a heading. */
function tableAfter(heading: string): string[] {
  const from = doc.indexOf(heading);
  expect(from, heading).toBeGreaterThanOrEqual(0);
  const lines = doc.slice(from).split('\n');
  const start = lines.findIndex((l) => l.startsWith('| '));
  const rows: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line);
  }
  return rows;
}

describe('docs/cli.md tells the truth', () => {
  it('has a section for every command the CLI has', () => {
    const sink = { write: () => true, isTTY: false } as never;
    const program = createProgram(createCliContext({ env: {}, cwd: process.cwd(), stdout: sink, stderr: sink }));
    const headings = doc.split('\n').filter((line) => line.startsWith('### `'));
    const names = program.commands.map((command) => command.name());
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect(headings.some((heading) => heading.includes(`\`${name}`)), `docs/cli.md: no "### \`${name} …\`" section`).toBe(true);
  });

  it('lists every exit code the CLI uses, and no other', () => {
    const documented = tableAfter('## Exit codes').map((row) => Number(/^\| (\d+) \|/.exec(row)?.[1]));
    expect(new Set(documented)).toEqual(new Set(Object.values(EXIT)));
  });

  it('lists every environment variable the CLI and the client read, and no other', () => {
    const rows = tableAfter('| variable | meaning |');
    const documented = new Set(rows.flatMap((row) => [...row.matchAll(/`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`/g)].map((m) => m[1]!)));
    // What the code reads: the client's variables (with their aliases) and the CLI's own.
    const used = new Set<string>([...Object.values(ENV_VARIABLES).flat(), 'CREDLY_LEDGER']);
    const sources = [...readdirSync(new URL('src/cli/', root), { recursive: true })].filter((f) => String(f).endsWith('.ts')).map((f) => `src/cli/${String(f)}`);
    for (const file of [...sources, 'src/credly/config.ts', 'src/credly/proxy.ts']) {
      for (const m of read(file).matchAll(/env(?:\.|\[')([A-Z][A-Z0-9_]+)|'((?:CREDLY|HTTPS?|ALL|NO)_[A-Z_]+)'/g)) used.add((m[1] ?? m[2])!);
    }
    expect(documented).toEqual(used);
  });
});
