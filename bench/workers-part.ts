// `tsx bench/workers-part.ts scaling|rate [options]`: one part of bench/workers.ts, for iterating
// on it (the same job: the built CLI in each worker, the fake Credly in its own process, one fresh
// PostgreSQL schema per job). Writes no results file; prints each job's wall time, each worker's
// wall and CPU time, the CPU of the fake Credly and of PostgreSQL, and the load average before and
// after. Options: --n <awards>, --runs <n>, --latency <ms> (scaling), --rate <N> (rate: --rate N/s
// against a limit of 20/s), --one-only, --four-only, --cpu-prof <dir> (each worker profiled),
// --cpu-timeline (the machine's CPU use per half second), --badge-timeline (the badges the fake holds every quarter second), --rss (each worker's peak RSS); CREDLY_BENCH_CLI=<file> times another
// build of the CLI. Lines a worker writes to stderr starting with "TIMING " are printed too.
// `npm run build` first. Needs DATABASE_URL; without it, it starts a throwaway server (fsync on).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { freshLedger, writeApprovedMicrocredential } from './pg-lib.js';
import { median, ROOT, round, runNodeProcess, startFakeProcess, tempDir, writeRoster, type FakeProcess } from './lib.js';

if (!process.env.DATABASE_URL) {
  const result = spawnSync(join(ROOT, 'scripts/with-postgres.sh'), [process.execPath, '--import', 'tsx', ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, WITH_POSTGRES_DURABLE: '1' },
  });
  process.exit(result.status ?? 1);
}

const argv = process.argv.slice(2);
const part = argv[0] ?? 'scaling';
const flag = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : fallback;
};
const DATABASE_URL = process.env.DATABASE_URL;
const RUNS = Number(flag('runs', '1'));
const CPU_PROF = flag('cpu-prof', '');
const CLI = process.env.CREDLY_BENCH_CLI ?? join(ROOT, 'dist/cli.cjs');
const dir = tempDir('credly-bench-part-');
const microcredentialFile = writeApprovedMicrocredential(dir);

/** One worker (the built CLI, or CREDLY_BENCH_CLI) as its own process, measured from outside (GNU time: CPU, peak RSS). */
function run(args: string[], fake: FakeProcess, ledger: string, node: string[] = []) {
  const env = { ...process.env, CREDLY_ORGANIZATION_ID: fake.organizationId, CREDLY_API_TOKEN: fake.token, CREDLY_BASE_URL: fake.baseUrl, CREDLY_LEDGER: ledger };
  return runNodeProcess([...node, CLI, ...args], { env });
}

async function job(fake: FakeProcess, roster: string, n: number, workers: number, extra: string[] = []) {
  const { url, drop } = freshLedger(DATABASE_URL, 'part');
  try {
    await fake.control('reset', {});
    const sync = await run(['sync-templates', microcredentialFile], fake, url);
    if (sync.code !== 0) throw new Error(`sync-templates failed: ${sync.stderr}`);
    const before = await fake.control('stats');
    const cpuBefore = fakeAndPgCpu();
    const started = performance.now();
    // The machine's CPU use (both cores, every process) through the job, in tenths of a second.
    const busy: number[] = [];
    const stat = () => readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
    let last = stat();
    const sampler = setInterval(() => {
      const now = stat();
      const d = now.map((v, i) => v - last[i]!);
      const total = d.reduce((a, b) => a + b, 0);
      busy.push(total ? 1 - (d[3]! + d[4]!) / total : 0);
      last = now;
    }, 100);
    // The badges the fake holds through the job (--badge-timeline): when the first goes out, how fast they follow.
    const badgeCounts: Array<[number, number]> = [];
    const badgeSampler = argv.includes('--badge-timeline')
      ? setInterval(() => {
          const at = performance.now() - started;
          fake.control('stats').then(
            (s: { badges: number }) => badgeCounts.push([at, s.badges]),
            () => undefined, // a sample lost: the timeline has a gap
          );
        }, 250)
      : undefined;
    const node = CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF] : [];
    const results = await Promise.all(
      Array.from({ length: workers }, () => run(['issue', '--roster', roster, '--microcredential', microcredentialFile, '--concurrency', '8', '--json', ...extra], fake, url, node)),
    );
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    // --rss: each worker's peak RSS, as bench/workers.ts measures it (the kernel's, from outside).
    if (argv.includes('--rss')) console.log(`  peak RSS of each worker (MB): ${results.map((r) => round(r.peakRssMb, 1)).join(' ')}`);
    if (badgeSampler) {
      clearInterval(badgeSampler);
      console.log(`  badges held by the fake every 0.25 s: ${badgeCounts.map(([, b]) => b - before.badges).join(' ')}`);
    }
    if (argv.includes('--cpu-timeline')) console.log(`  CPU use per 0.5 s (2 cores = 100): ${Array.from({ length: Math.ceil(busy.length / 5) }, (_, i) => Math.round((100 * busy.slice(i * 5, i * 5 + 5).reduce((a, b) => a + b, 0)) / busy.slice(i * 5, i * 5 + 5).length)).join(' ')}`);
    const after = await fake.control('stats');
    const cpuAfter = fakeAndPgCpu();
    for (const result of results) if (result.code !== 0) throw new Error(`a worker exited ${result.code}: ${result.stderr.slice(-500)}`);
    for (const [i, r] of results.entries()) {
      const timing = r.stderr.split('\n').filter((l) => l.startsWith('TIMING ')).map((l) => l.slice(7));
      if (timing.length) console.log(`  worker ${i}: ${timing.join(' | ')}`);
    }
    const issued = results.map((r) => (JSON.parse(r.stdout) as { totals: { issued: number } }).totals.issued);
    if (after.badges !== n || after.duplicates !== 0 || issued.reduce((a, b) => a + b, 0) !== n) {
      throw new Error(`the fake holds ${after.badges} badges (${after.duplicates} duplicates), the workers issued ${issued.join('+')}, for ${n} awards`);
    }
    const requests = (stats: { requests: Record<string, number> }) => Object.values(stats.requests).reduce((a, b) => a + b, 0);
    const byRoute: Record<string, number> = {};
    for (const [route, count] of Object.entries(after.requests as Record<string, number>)) byRoute[route] = count - ((before.requests as Record<string, number>)[route] ?? 0);
    return {
      seconds: round(seconds),
      issued,
      workerSeconds: results.map((r) => round(r.seconds, 2)),
      workerCpu: results.map((r) => round(r.cpuSeconds, 2)),
      fakeCpu: round(cpuAfter.fake - cpuBefore.fake, 2),
      postgresCpu: round(cpuAfter.postgres - cpuBefore.postgres, 2),
      requests: byRoute,
      share429: round((after.rateLimited - before.rateLimited) / (requests(after) - requests(before)), 4),
    };
  } finally {
    await drop();
  }
}

/** CPU seconds (user + system, reaped children included) of a process and its live children. */
function cpuOfTree(root: number): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      if (Number(pid) !== root && Number(fields[1]) !== root) continue;
      ticks += Number(fields[11]) + Number(fields[12]) + (Number(pid) === root ? Number(fields[13]) + Number(fields[14]) : 0);
    } catch {
      // gone
    }
  }
  return ticks / 100;
}
const postmaster = (() => {
  const port = new URL(DATABASE_URL).port;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(`-p ${port} `)) return Number(pid);
    } catch {
      // gone
    }
  }
  return 0;
})();
let fakePid = 0;
/** The fake Credly this process started (a child of ours). */
function findFake(): number {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const ppid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('fake-credly')) return Number(pid);
    } catch {
      // gone
    }
  }
  return 0;
}
const fakeAndPgCpu = () => ({ fake: fakePid ? cpuOfTree(fakePid) : NaN, postgres: postmaster ? cpuOfTree(postmaster) : NaN });
const load = () => loadavg().map((l) => l.toFixed(2)).join(', ');
console.log(`load average before: ${load()}`);
if (part === 'scaling') {
  const n = Number(flag('n', '2000'));
  const fake = await startFakeProcess(['--latency-ms', flag('latency', '100')]);
  fakePid = findFake();
  const roster = await writeRoster(join(dir, `roster-${n}.csv`), n);
  const one: number[] = [];
  const four: number[] = [];
  try {
    for (let r = 0; r < RUNS; r += 1) {
      if (!argv.includes('--four-only')) {
        const a = await job(fake, roster, n, 1);
        console.log('1 worker ', JSON.stringify(a));
        one.push(a.seconds);
      }
      if (argv.includes('--one-only')) continue;
      const b = await job(fake, roster, n, 4);
      console.log('4 workers', JSON.stringify(b));
      four.push(b.seconds);
    }
  } finally {
    await fake.stop();
  }
  if (one.length && four.length) console.log(`speedup (medians of ${RUNS}): ${round(median(one) / median(four), 2)} (1 worker ${round(median(one))} s, 4 workers ${round(median(four))} s)`);
} else {
  const n = Number(flag('n', '400'));
  const paced = flag('rate', '20');
  const fake = await startFakeProcess(['--rate-limit', '20/s']);
  fakePid = findFake();
  const roster = await writeRoster(join(dir, `roster-${n}.csv`), n);
  const shares: number[] = [];
  try {
    for (let r = 0; r < RUNS; r += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const result = await job(fake, roster, n, 4, ['--rate', `${paced}/s`]);
      console.log(`--rate ${paced}/s`, JSON.stringify(result));
      shares.push(result.share429);
    }
  } finally {
    await fake.stop();
  }
  console.log(`share429 (median of ${RUNS}): ${median(shares)}`);
}
console.log(`load average after: ${load()}`);
rmSync(dir, { recursive: true, force: true });
