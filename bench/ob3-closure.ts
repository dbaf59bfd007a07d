// The install size of a set of dependencies: walks node_modules the way Node resolves packages
// (nested first, then hoisted) from the given roots and sums the bytes of every file reached.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

function packageDir(name: string, from: string, root: string): string | undefined {
  // Node's lookup: <dir>/node_modules/<name> for the package's directory and each ancestor up to the root.
  for (let dir = from; dir.startsWith(root); dir = dirname(dir)) {
    if (basename(dir) === 'node_modules') continue;
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root) break;
  }
  return undefined;
}

/** The package directories a consumer installs for these dependencies (production only). */
export function dependencyClosure(projectRoot: string, names: readonly string[]): Set<string> {
  const root = resolve(projectRoot);
  const seen = new Set<string>();
  const pending = names.map((name) => ({ name, from: root }));
  while (pending.length > 0) {
    const { name, from } = pending.pop()!;
    const dir = packageDir(name, from, root);
    if (!dir || seen.has(dir)) continue;
    seen.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) pending.push({ name: dep, from: dir });
  }
  return seen;
}

/** Bytes on disk of a package directory, without its own nested node_modules (counted as packages of their own). */
export function packageBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += packageBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}
