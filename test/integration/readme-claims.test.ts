// README.md's first lines: two commands that must work on a fresh machine. `npm run demo` is run
// here exactly as written (npm, its script, tsx, from source), and its paragraph's claims checked
// against what it prints; `npm test` is this suite, so only its script is checked.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cleanEnv, mergedEnv } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: Record<string, string>; devDependencies: Record<string, string>; engines: { node: string } };

function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env: mergedEnv({ ...cleanEnv, npm_config_loglevel: 'error' }), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe("README.md's first commands", () => {
  it('names npm scripts that exist: demo runs the CLI from source with tsx (a dev dependency npm ci installs), test runs vitest', () => {
    const fence = /```sh\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(fence).toContain('npm ci && npm run demo');
    expect(fence).toContain('npm ci && npm test');
    expect(pkg.scripts.demo).toBe('tsx src/cli/main.ts demo');
    expect(pkg.devDependencies.tsx).toBeDefined();
    expect(pkg.scripts.test).toBe('vitest run');
  });

  it('says the Node version that package.json engines requires, wherever it names one', () => {
    const named = [...readme.matchAll(/Node(?:\.js)? (\d+\.\d+) or later/g)].map((match) => match[1]);
    expect(named.length).toBeGreaterThanOrEqual(3);
    for (const version of named) expect(`>=${version}`).toBe(pkg.engines.node);
  });

  it('npm run demo issues 300 learners through injected resets, 503s and 429s, reports 7 bad rows, and issues nothing twice', async () => {
    const result = await run('npm', ['run', '--silent', 'demo']);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('with 3 connection resets after a badge was created, 3 503s and 2 429s injected');
    // 7 bad rows: one skipped and six invalid.
    expect(result.stdout).toMatch(/issued 300, already issued 0, failed 0, skipped 1, invalid 6/);
    expect(result.stdout).toMatch(/issued 0, already issued 300/);
    const stats = /On the fake Credly: (\d+) badges for (\d+) learners issued, (\d+) duplicates; POST \/badges requests: (\d+) over both runs \(the second run sent (\d+)\)/.exec(result.stdout);
    expect(stats).not.toBeNull();
    const [, badges, learners, duplicates, posts, second] = stats!.map(Number);
    expect({ badges, learners, duplicates, second }).toEqual({ badges: 300, learners: 300, duplicates: 0, second: 0 });
    // The 503s and 429s were refused before the change and sent again: more POSTs than badges.
    expect(posts).toBeGreaterThanOrEqual(300 + 3 + 2);
    expect(result.stdout).toContain('Every badge was issued exactly once.');
  }, 60_000);
});
