import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_V8_FLAGS, tuneV8 } from '../../src/cli/v8-tuning.js';
import { CLI_BUILT, mergedEnv } from '../helpers/cli.js';

// The CLI's V8 settings (src/cli/v8-tuning.ts). Whether a process runs with a V8 flag shows in
// v8.cachedDataVersionTag(), which V8 derives from its flags' values: a preload prints it as the
// process exits, and it is compared with node's own started with the flags on its command line.
const dir = mkdtempSync(join(tmpdir(), 'credly-v8-'));
const probe = join(dir, 'tag-probe.cjs');
writeFileSync(probe, "process.on('exit', () => require('node:fs').writeSync(2, `V8TAG ${require('node:v8').cachedDataVersionTag()}\\n`));\n");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The tag of a node process started with `args` (the probe preloaded). */
function tagOf(args: string[], env: Record<string, string | undefined> = {}, cwd?: string): string {
  const result = spawnSync(process.execPath, ['-r', probe, ...args], { env: mergedEnv({ CREDLY_V8_TUNING: undefined, NODE_OPTIONS: undefined, ...env }), encoding: 'utf8', ...(cwd ? { cwd } : {}) });
  const tag = /V8TAG (\d+)/.exec(result.stderr)?.[1];
  if (!tag) throw new Error(`no tag from node ${args.join(' ')}: ${result.stderr}`);
  return tag;
}

describe('the CLI\'s V8 settings', () => {
  it('sets both flags, except one the operator named on the node command line, and none with CREDLY_V8_TUNING=off', () => {
    const set: string[] = [];
    expect(tuneV8([], {}, (flag) => set.push(flag))).toEqual([...CLI_V8_FLAGS]);
    expect(set).toEqual(['--no-allocation-site-pretenuring', '--heap-growing-percent=50']);
    // Any spelling of the flag's name: --x, --no-x, --x=n, --x_y.
    expect(tuneV8(['--heap_growing_percent=0'], {}, () => undefined)).toEqual(['--no-allocation-site-pretenuring']);
    expect(tuneV8(['--allocation-site-pretenuring', '--max-old-space-size=512'], {}, () => undefined)).toEqual(['--heap-growing-percent=50']);
    expect(tuneV8(['--noallocation-site-pretenuring', '--heap-growing-percent=80'], {}, () => undefined)).toEqual([]);
    // Node takes V8 flags with one dash too.
    expect(tuneV8(['-heap-growing-percent=0', '-r', 'x'], {}, () => undefined)).toEqual(['--no-allocation-site-pretenuring']);
    const none: string[] = [];
    expect(tuneV8([], { CREDLY_V8_TUNING: ' OFF ' }, (flag) => none.push(flag))).toEqual([]);
    expect(none).toEqual([]);
  });

  it('a CLI process runs with them; the operator\'s own flags and CREDLY_V8_TUNING=off give V8\'s defaults back; an app that imports the package keeps them', () => {
    const defaults = tagOf(['-e', '0']);
    const tuned = tagOf([...CLI_V8_FLAGS, '-e', '0']);
    expect(tuned).not.toBe(defaults);
    expect(tagOf([CLI_BUILT, '--version'])).toBe(tuned);
    expect(tagOf([CLI_BUILT, '--version'], { CREDLY_V8_TUNING: 'off' })).toBe(defaults);
    expect(tagOf(['--allocation-site-pretenuring', '--heap-growing-percent=0', CLI_BUILT, '--version'])).toBe(defaults);
    // One flag named: it keeps the operator's value, and the other is still set.
    expect(tagOf(['--heap-growing-percent=0', CLI_BUILT, '--version'])).toBe(tagOf(['--heap-growing-percent=0', '--no-allocation-site-pretenuring', '-e', '0']));
    // A .env file is read by the command, after the flags are set: it cannot turn them off.
    writeFileSync(join(dir, '.env'), 'CREDLY_V8_TUNING=off\n');
    expect(tagOf([CLI_BUILT, '--version'], {}, dir)).toBe(tuned);
    expect(tagOf(['-e', `require(${JSON.stringify(CLI_BUILT.replace(/cli\.cjs$/, 'index.cjs'))})`])).toBe(defaults);
  });

  it('Node refuses the flags in NODE_OPTIONS (so the docs name node\'s command line instead)', () => {
    for (const flag of CLI_V8_FLAGS) {
      const result = spawnSync(process.execPath, ['-e', '0'], { env: mergedEnv({ NODE_OPTIONS: flag }), encoding: 'utf8' });
      expect(result.status, flag).not.toBe(0);
      expect(result.stderr).toMatch(/is not allowed in NODE_OPTIONS/);
    }
  });
});
