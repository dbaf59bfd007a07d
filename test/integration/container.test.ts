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
// CI sets this, so that a machine where the probe fails fails the run instead of skipping the test.
if (process.env.CREDLY_TEST_REQUIRE_CONTAINER === '1' && !canUnshare) {
  throw new Error(`CREDLY_TEST_REQUIRE_CONTAINER=1 but \`unshare --pid --fork --mount-proc --uts\` failed (${(probe.stderr || probe.error?.message || `exit ${probe.status}`).trim()}): run as root with util-linux`);
}

describe.skipIf(!canUnshare)(`the CLI as PID 1 in a new PID and UTS namespace${canUnshare ? '' : ' (skipped: unshare --pid --uts needs root and util-linux)'}`, () => {
  let fake: FakeCredly;
  let dir: string;
  beforeAll(async () => {
    fake = await startFakeCredly({ seed: 5, latencyMs: { base: 15, jitter: 5 } });
    dir = mkdtempSync(join(tmpdir(), 'credly-pod-'));
    // A template that allows duplicates: Credly's own duplicate rule would hide a badge sent again without a look-up.
    const proposal = exampleProposalJson('non-credit');
    proposal.badge.allowDuplicates = true;
    writeFileSync(join(dir, 'sql.json'), JSON.stringify({ proposal, approval: { state: 'approved' } }));
    writeFileSync(join(dir, 'roster.csv'), sqlRosterCsv(80));
  });
  afterAll(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Runs the CLI in a new "pod": PID 1 on `host`. Once `killAt` badges exist it sends `signal`
   * (SIGKILL by default) to the CLI itself, PID 1 of the pod, from outside it as a kubelet does.
   */
  const pod = (host: string, args: string[], killAt?: number, signal: NodeJS.Signals = 'SIGKILL') =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; pid1: boolean }>((resolve, reject) => {
      const env = { ...process.env, ...cleanEnv, CREDLY_ORGANIZATION_ID: fake.organizationId, CREDLY_API_TOKEN: fake.token, CREDLY_BASE_URL: fake.baseUrl } as Record<string, string | undefined>;
      for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
      const script = `hostname ${host}; echo "pid=$$ host=$(hostname)" >&2; exec "$0" "$@"`;
      const proc = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--uts', '--kill-child', 'sh', '-c', script, process.execPath, ...NODE_ARGS, ...args], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      proc.stdout.on('data', (c) => (stdout += c));
      proc.stderr.on('data', (c) => (stderr += c));
      let signalled = false;
      const poll =
        killAt === undefined
          ? undefined
          : setInterval(() => {
              if (signalled || fake.badges().length < killAt) return;
              // The CLI is unshare's only child (sh exec'd it); its PID in this namespace.
              const child = Number(spawnSync('pgrep', ['-P', String(proc.pid)], { encoding: 'utf8' }).stdout.trim().split('\n')[0]);
              if (!child) return;
              signalled = true;
              process.kill(child, signal);
            }, 5);
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
    // Killed (unshare then fails to pass the signal on, and exits 1): the run did not finish.
    expect(first.code).not.toBe(0);
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
    const [templateId] = new Set(fake.badges().map((b) => b.templateId));
    expect(fake.stats().templates).toBe(1);
    for (let k = 1; k <= 80; k += 1) expect(fake.badgesFor(templateId!, `learner${k}@example.edu`), `learner${k}`).toHaveLength(1);
  }, 90_000);

  it('SIGTERM to the CLI as PID 1 stops it cleanly (exit 143): PID 1 gets only the signals it handles, and the CLI handles it', async () => {
    const ledger = join(dir, 'term.ledger');
    const before = fake.badges().length;
    const common = ['--microcredential', join(dir, 'sql.json'), '--ledger', ledger];
    expect((await pod('pod-sync2', ['sync-templates', join(dir, 'sql.json'), '--ledger', ledger])).code).toBe(0);
    writeFileSync(join(dir, 'roster-term.csv'), sqlRosterCsv(80, 1001)); // other learners than the first test's
    const stopped = await pod('pod-term', ['issue', '--roster', join(dir, 'roster-term.csv'), ...common], before + 10, 'SIGTERM');
    expect(stopped.pid1).toBe(true);
    // Without a handler of its own the CLI, as PID 1, would not even see the signal, and would finish (exit 0).
    expect(stopped.code, stopped.stderr).toBe(143);
    expect(stopped.stdout + stopped.stderr).toMatch(/stopped by SIGTERM/);
    expect(fake.badges().length - before).toBeLessThan(80);
    // It stopped cleanly: its lease is released, and the next pod starts at once and finishes.
    const next = await pod('pod-term-next', ['issue', '--roster', join(dir, 'roster-term.csv'), ...common]);
    expect(next.code, next.stderr).toBe(0);
    expect(fake.badges().length - before).toBe(80);
    expect(fake.duplicateCount()).toBe(0);
  }, 60_000);
});
