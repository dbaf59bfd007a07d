import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCredly, type FakeCredly } from '../../src/testing/index.js';
import { cleanEnv, NODE_ARGS } from '../helpers/cli.js';
import { exampleProposalJson } from '../helpers/examples.js';
import { sqlRosterCsv } from '../helpers/issuance.js';

// Kubernetes CronJob pods as they really are: each run is PID 1 in a fresh PID namespace, on a new
// hostname, and a crashed pod leaves its lease behind. `unshare` (util-linux, as root) makes such a
// "container" without a container engine.
const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', '--uts', 'sh', '-c', 'echo $$'], { encoding: 'utf8' });
const canUnshare = probe.status === 0 && probe.stdout.trim() === '1';

describe.skipIf(!canUnshare)(`the CLI as PID 1 in a new PID and UTS namespace${canUnshare ? '' : ' (skipped: unshare --pid --uts needs root and util-linux)'}`, () => {
  let fake: FakeCredly;
  let dir: string;
  beforeAll(async () => {
    fake = await startFakeCredly({ seed: 5, latencyMs: { base: 15, jitter: 5 } });
    dir = mkdtempSync(join(tmpdir(), 'credly-pod-'));
    writeFileSync(join(dir, 'sql.json'), JSON.stringify({ proposal: exampleProposalJson('non-credit'), approval: { state: 'approved' } }));
    writeFileSync(join(dir, 'roster.csv'), sqlRosterCsv(80));
  });
  afterAll(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the CLI in a new "pod": PID 1 on `host`; kills it with SIGKILL once `killAt` badges exist. */
  const pod = (host: string, args: string[], killAt?: number) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; pid1: boolean }>((resolve, reject) => {
      const env = { ...process.env, ...cleanEnv, CREDLY_ORGANIZATION_ID: fake.organizationId, CREDLY_API_TOKEN: fake.token, CREDLY_BASE_URL: fake.baseUrl } as Record<string, string | undefined>;
      for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
      const script = `hostname ${host}; echo "pid=$$ host=$(hostname)" >&2; exec "$0" "$@"`;
      const proc = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--uts', '--kill-child', 'sh', '-c', script, process.execPath, ...NODE_ARGS, ...args], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      proc.stdout.on('data', (c) => (stdout += c));
      proc.stderr.on('data', (c) => (stderr += c));
      const poll = killAt === undefined ? undefined : setInterval(() => fake.badges().length >= killAt && proc.kill('SIGKILL'), 5);
      proc.on('error', reject);
      proc.on('exit', (code, signal) => {
        if (poll) clearInterval(poll);
        resolve({ code, signal, stdout, stderr, pid1: /pid=1 host=/.test(stderr) });
      });
    });

  it('a pod killed mid-run leaves its lease; the next pod (PID 1 again, another host) takes it over after the TTL and finishes once', async () => {
    const ledger = join(dir, 'awards.ledger');
    const common = ['--microcredential', join(dir, 'sql.json'), '--ledger', ledger, '--lock-ttl', '8'];
    const sync = await pod('pod-sync', ['sync-templates', join(dir, 'sql.json'), '--ledger', ledger]);
    expect(sync.code, sync.stderr).toBe(0);
    const first = await pod('pod-a', ['issue', '--roster', join(dir, 'roster.csv'), ...common], 20);
    expect(first.pid1).toBe(true);
    expect(first.signal ?? (first.code === null ? 'SIGKILL' : null)).toBe('SIGKILL');
    expect(fake.badges().length).toBeLessThan(80);
    // At once, the lease of the dead pod is still live: the next pod is told who holds it.
    const blocked = await pod('pod-b', ['issue', '--roster', join(dir, 'roster.csv'), ...common]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/the ledger is in use by pod-a:1:.* \(process 1 on pod-a\)/);
    // Waiting past the TTL, the next pod takes it over, looks up what was in flight, and finishes.
    const next = await pod('pod-c', ['issue', '--roster', join(dir, 'roster.csv'), ...common, '--wait-for-lock', '30']);
    expect(next.pid1).toBe(true);
    expect(next.code, next.stderr).toBe(0);
    expect(fake.duplicateCount()).toBe(0);
    expect(fake.badges()).toHaveLength(80);
  }, 90_000);
});
