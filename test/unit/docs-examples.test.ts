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

describe('docs/scaling.md, the Kubernetes example', () => {
  it("runs each container with a command and options the CLI has, and the memory limit holds a worker's measured peak", async () => {
    const { runCli } = await import('../helpers/cli.js');
    const doc = readFileSync(new URL('docs/scaling.md', root), 'utf8');
    const yaml = doc.slice(doc.indexOf('## Kubernetes'), doc.indexOf('## Moving a file ledger'));
    const containers = [...yaml.matchAll(/args: (\[[^\]]*\])/g)].map((m) => JSON.parse(m[1]!) as string[]);
    expect(containers.map((args) => args[0])).toEqual(['issue', 'webhooks']);
    for (const [command, ...args] of containers) {
      const help = await runCli([command!, '--help']);
      expect(help.code, command).toBe(0);
      for (const flag of args.filter((a) => a.startsWith('--'))) expect(help.stdout, `${command} ${flag}`).toMatch(new RegExp(`(^|[ ,])${flag}[ ,<\\n]`, 'm'));
    }
    // The CronJob's limit against the largest worker peak the workers benchmark measured (MB).
    const limit = Number(/limits: \{ memory: (\d+)Mi \}/.exec(yaml)?.[1]);
    const workers = JSON.parse(readFileSync(new URL('bench/results/workers.json', root), 'utf8')) as { rss: { peakRssMbBig: number }; scaling: { peakRssMbPerWorker: number } };
    expect(limit).toBeGreaterThan(Math.max(workers.rss.peakRssMbBig, workers.scaling.peakRssMbPerWorker) * 1.25);
  });
});
