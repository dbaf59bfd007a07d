// `npm run bench` (second part), or `tsx bench/workers.ts [--quick]`: several `issue` worker
// processes on one PostgreSQL ledger, against the fake Credly in its own process. Runs the built
// CLI (`npm run build` first), as a scheduler would. Needs DATABASE_URL; without it, it starts a
// throwaway server with scripts/with-postgres.sh (fsync on: WITH_POSTGRES_DURABLE=1).
// Writes bench/results/workers.json (quick: workers-quick.json); a full run also rewrites the
// figures in docs/performance.md from that file (bench/workers-doc.ts).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { freshLedger, writeApprovedMicrocredential } from './pg-lib.js';
import { fakeEnv, median, quick, ROOT, round, runNodeProcess, startFakeProcess, table, tempDir, writeRoster, type FakeProcess } from './lib.js';
import { renderWorkersSection, replaceWorkersSection, type WorkersResults } from './workers-doc.js';

if (!process.env.DATABASE_URL) {
  // Re-run under a throwaway server of our own, stopped at the end.
  const result = spawnSync(join(ROOT, 'scripts/with-postgres.sh'), [process.execPath, '--import', 'tsx', ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, WITH_POSTGRES_DURABLE: '1' },
  });
  process.exit(result.status ?? 1);
}

const DATABASE_URL = process.env.DATABASE_URL;
const RUNS = quick ? 1 : 3;
const N = quick ? 200 : 2000;
const LATENCY_MS = 100;
const CONCURRENCY = 8;
const WORKERS = 4;
const RATE = 20;
const RATE_N = quick ? 100 : 400;
const BIG_N = quick ? 1000 : 10_000;
const CLI = join(ROOT, 'dist/cli.cjs');
const BARE_LOOP = join(ROOT, 'bench/bare-loop.mjs');

const dir = tempDir('credly-bench-workers-');
const microcredentialFile = writeApprovedMicrocredential(dir);

/**
 * One `issue` worker (the built CLI) as its own process: its output, and its peak RSS as the kernel
 * counted it when the process was reaped (GNU time, bench/lib.ts). Nothing is loaded into the
 * worker to measure it: a `--import` probe cost each worker about 0.14 s of CPU at start, which
 * four workers starting at once on two cores paid together, in the measured job.
 */
function run(args: string[], fake: FakeProcess, ledger: string, extraEnv: Record<string, string> = {}) {
  const env = { ...process.env, CREDLY_ORGANIZATION_ID: fake.organizationId, CREDLY_API_TOKEN: fake.token, CREDLY_BASE_URL: fake.baseUrl, CREDLY_LEDGER: ledger, ...extraEnv };
  return runNodeProcess([CLI, ...args], { env });
}

/** `workers` issue processes at once on one roster and one fresh ledger; the wall time from the first start to the last exit. */
async function job(fake: FakeProcess, roster: string, n: number, workers: number, extra: string[] = [], extraEnv: Record<string, string> = {}) {
  const { url, drop } = freshLedger(DATABASE_URL, 'bench');
  try {
    await fake.control('reset', {});
    const sync = await run(['sync-templates', microcredentialFile], fake, url);
    if (sync.code !== 0) throw new Error(`sync-templates failed: ${sync.stderr}`);
    const before = await fake.control('stats');
    const started = performance.now();
    const startedAt = Date.now();
    const results = await Promise.all(Array.from({ length: workers }, () => run(['issue', '--roster', roster, '--microcredential', microcredentialFile, '--concurrency', String(CONCURRENCY), '--json', ...extra], fake, url, extraEnv)));
    const seconds = (performance.now() - started) / 1000;
    // When the first badge reached the fake: its own record of it (the badge's created_at, the
    // same system clock), read after the job. Polling the fake during the job to see it cost CPU
    // while the workers started, which is what this figure measures.
    const created = ((await fake.control('state')) as { badges: Array<{ created_at: string }> }).badges.map((badge) => Date.parse(badge.created_at));
    if (created.length === 0) throw new Error('no badge reached the fake Credly during the job: nothing was issued');
    const firstBadgeSeconds = (Math.min(...created) - startedAt) / 1000;
    const after = await fake.control('stats');
    for (const result of results) if (result.code !== 0) throw new Error(`a worker exited ${result.code}: ${result.stderr.slice(-500)}`);
    const issued = results.map((r) => (JSON.parse(r.stdout) as { totals: { issued: number } }).totals.issued);
    if (after.badges !== n || after.duplicates !== 0 || issued.reduce((a, b) => a + b, 0) !== n) {
      throw new Error(`the fake holds ${after.badges} badges (${after.duplicates} duplicates), the workers issued ${issued.join('+')}, for ${n} awards`);
    }
    const peaks = results.map((result) => result.peakRssMb);
    const requests = (stats: { requests: Record<string, number> }) => Object.values(stats.requests).reduce((a, b) => a + b, 0);
    return { seconds, firstBadgeSeconds, issued, peakRssMb: Math.max(...peaks), share429: (after.rateLimited - before.rateLimited) / (requests(after) - requests(before)) };
  } finally {
    await drop();
  }
}

/**
 * What this machine allows, in the same setting as a job: `n` badges issued by bare `CredlyClient`
 * loops (bench/bare-loop.mjs: the same requests, no roster, no ledger, no checks at start), shared
 * by `processes` processes started at once, concurrency 8 each. Wall time from the first start to
 * the last exit.
 */
async function bareLoops(fake: FakeProcess, n: number, processes: number): Promise<number> {
  await fake.control('reset', {});
  const template = String(((await fake.control('badge_templates', { name: 'Bare loop' })) as { data: { id: string } }).data.id);
  const share = n / processes;
  const started = performance.now();
  const runs = await Promise.all(
    Array.from({ length: processes }, (_, i) =>
      runNodeProcess([BARE_LOOP], { env: { ...fakeEnv(fake), TEMPLATE: template, AWARDS: String(share), OFFSET: String(i * share), CONCURRENCY: String(CONCURRENCY) } }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const result of runs) if (result.code !== 0) throw new Error(`a bare loop exited ${result.code}: ${result.stderr.slice(-500)}`);
  const stats = await fake.control('stats');
  if (stats.badges !== n || stats.duplicates !== 0) throw new Error(`the bare loops left ${stats.badges} badges (${stats.duplicates} duplicates) for ${n}`);
  return seconds;
}

/**
 * 1 worker against 4 worker processes: 2,000 awards, 100 ms per request, concurrency 8 each; and,
 * in each run, the same with bare client loops instead of workers: the speed-up this machine allows.
 */
async function scaling() {
  const fake = await startFakeProcess(['--latency-ms', String(LATENCY_MS)]);
  const roster = await writeRoster(join(dir, `roster-${N}.csv`), N);
  const one: number[] = [];
  const four: number[] = [];
  const oneFirst: number[] = [];
  const fourFirst: number[] = [];
  const peaks: number[] = [];
  const shares: number[][] = [];
  const bareOne: number[] = [];
  const bareFour: number[] = [];
  try {
    for (let r = 0; r < RUNS; r += 1) {
      bareOne.push(await bareLoops(fake, N, 1));
      bareFour.push(await bareLoops(fake, N, WORKERS));
      const single = await job(fake, roster, N, 1);
      one.push(single.seconds);
      oneFirst.push(single.firstBadgeSeconds);
      const many = await job(fake, roster, N, WORKERS);
      four.push(many.seconds);
      fourFirst.push(many.firstBadgeSeconds);
      peaks.push(many.peakRssMb);
      shares.push(many.issued);
    }
  } finally {
    await fake.stop();
  }
  const speedup = median(one) / median(four);
  return {
    awards: N,
    latencyMs: LATENCY_MS,
    concurrencyPerWorker: CONCURRENCY,
    workers: WORKERS,
    oneWorkerSeconds: round(median(one)),
    fourWorkerSeconds: round(median(four)),
    idealOneWorkerSeconds: round((N * LATENCY_MS) / CONCURRENCY / 1000),
    idealFourWorkerSeconds: round((N * LATENCY_MS) / CONCURRENCY / WORKERS / 1000),
    speedup: round(speedup, 2),
    // Start-up (process start to the first badge at Credly) apart: the speed-up of the issuing itself.
    oneWorkerFirstBadgeSeconds: round(median(oneFirst)),
    fourWorkerFirstBadgeSeconds: round(median(fourFirst)),
    speedupAfterFirstBadge: round((median(one) - median(oneFirst)) / (median(four) - median(fourFirst)), 2),
    // The same requests from bare client loops, 1 process against 4: what this machine allows.
    bareOneProcessSeconds: round(median(bareOne)),
    bareFourProcessSeconds: round(median(bareFour)),
    bareSpeedup: round(median(bareOne) / median(bareFour), 2),
    awardsIssuedPerWorker: shares[shares.length - 1]!,
    peakRssMbPerWorker: round(median(peaks), 1),
    targets: { speedup: 3.5 },
    met: speedup >= 3.5,
  };
}

/** Credly allows RATE requests a second; four workers share `--rate <paced>/s` through the ledger. */
async function sharedRate(paced: number) {
  const fake = await startFakeProcess(['--rate-limit', `${RATE}/s`]);
  const roster = await writeRoster(join(dir, `roster-${RATE_N}.csv`), RATE_N);
  const seconds: number[] = [];
  const shares: number[] = [];
  try {
    for (let r = 0; r < RUNS; r += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1100)); // a fresh window
      const result = await job(fake, roster, RATE_N, WORKERS, ['--rate', `${paced}/s`]);
      seconds.push(result.seconds);
      shares.push(result.share429);
    }
  } finally {
    await fake.stop();
  }
  const measured = median(seconds);
  const share429 = median(shares);
  // The whole job's requests: one per award (plus a template look-up per worker), at RATE a second.
  return {
    awards: RATE_N,
    workers: WORKERS,
    allowedPerSecond: RATE,
    pacedPerSecond: paced,
    seconds: round(measured),
    requestsPerSecond: round(RATE_N / measured, 1),
    share429: round(share429, 4),
    targets: { share429: 0.02, requestsPerSecondAtMost: RATE },
    met: share429 <= 0.02,
  };
}

/**
 * Peak RSS of each of four workers, the largest (median of RUNS jobs), with a roster five times
 * larger: it must not grow with the roster. Both rosters in the same setting (zero latency, one fake), so that only the
 * roster's size differs. (Until this round the small figure was benchmark 6's, at 100 ms a
 * request: the ratio mixed that latency into the roster's effect; `peakRssMbScaling` keeps it.)
 */
async function rssByRoster(scalingPeak: number) {
  const fake = await startFakeProcess([]);
  const small = await writeRoster(join(dir, `roster-rss-${N}.csv`), N);
  const big = await writeRoster(join(dir, `roster-${BIG_N}.csv`), BIG_N);
  try {
    // Medians of RUNS jobs each, alternated: one job's peak is one draw of when V8 happened to collect.
    const smallPeaks: number[] = [];
    const bigPeaks: number[] = [];
    // The big roster again with V8's own heap settings (CREDLY_V8_TUNING=off): what the CLI's V8
    // flags (src/cli/v8-tuning.ts) are worth, measured beside them.
    const bigDefaultPeaks: number[] = [];
    for (let r = 0; r < RUNS; r += 1) {
      smallPeaks.push((await job(fake, small, N, WORKERS)).peakRssMb);
      bigPeaks.push((await job(fake, big, BIG_N, WORKERS)).peakRssMb);
      bigDefaultPeaks.push((await job(fake, big, BIG_N, WORKERS, [], { CREDLY_V8_TUNING: 'off' })).peakRssMb);
    }
    const smallPeak = median(smallPeaks);
    const bigPeak = median(bigPeaks);
    const ratio = bigPeak / smallPeak;
    return {
      smallRoster: N,
      bigRoster: BIG_N,
      runs: RUNS,
      peakRssMbSmall: round(smallPeak, 1),
      peakRssMbBig: round(bigPeak, 1),
      ratio: round(ratio, 3),
      peakRssMbBigV8Defaults: round(median(bigDefaultPeaks), 1),
      peakRssMbScaling: round(scalingPeak, 1),
      targets: { ratio: 1.25 },
      met: ratio <= 1.25,
    };
  } finally {
    await fake.stop();
  }
}

const started = Date.now();
const scale = await scaling();
const rate = await sharedRate(RATE);
const headroom = await sharedRate(Math.floor(RATE * 0.9));
const rss = await rssByRoster(scale.peakRssMbPerWorker);
const output: WorkersResults = {
  generatedAt: new Date().toISOString(),
  quick,
  runs: RUNS,
  node: process.version,
  machine: `${(await import('node:os')).cpus().length} cores`,
  postgres: await (async () => {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    const version = String((await client.query('SHOW server_version')).rows[0].server_version);
    const fsync = String((await client.query('SHOW fsync')).rows[0].fsync);
    await client.end();
    return `PostgreSQL ${version} on loopback, fsync ${fsync}`;
  })(),
  seconds: round((Date.now() - started) / 1000, 1),
  scaling: scale,
  sharedRate: rate,
  sharedRateHeadroom: headroom,
  rss,
};
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results', quick ? 'workers-quick.json' : 'workers.json'), `${JSON.stringify(output, null, 2)}\n`);
if (!quick) {
  const doc = join(ROOT, 'docs/performance.md');
  writeFileSync(doc, replaceWorkersSection(readFileSync(doc, 'utf8'), renderWorkersSection(output)));
}
rmSync(dir, { recursive: true, force: true });

console.log(`\nWorkers on one PostgreSQL ledger (${quick ? 'quick' : 'full'}; medians of ${RUNS} run(s))\n`);
console.log(
  table([
    { benchmark: 'scaling', figure: `${WORKERS} workers vs 1 (speedup)`, value: scale.speedup, target: '>= 3.5', met: scale.met },
    { benchmark: 'scaling', figure: `bare client loops, ${WORKERS} processes vs 1`, value: scale.bareSpeedup, target: '(the machine)', met: '' },
    { benchmark: 'shared rate', figure: 'share429', value: rate.share429, target: '<= 0.02', met: rate.met },
    { benchmark: 'shared rate', figure: 'requestsPerSecond', value: rate.requestsPerSecond, target: `<= ${RATE}`, met: rate.requestsPerSecond <= RATE },
    { benchmark: `shared rate, --rate ${headroom.pacedPerSecond}/s`, figure: 'share429', value: headroom.share429, target: '<= 0.02', met: headroom.met },
    { benchmark: 'rss', figure: 'peakRssMb per worker (big/small)', value: `${rss.peakRssMbBig}/${rss.peakRssMbSmall}`, target: '<= 1.25x', met: rss.met },
  ]),
);
console.log(`\nwritten to bench/results/${quick ? 'workers-quick' : 'workers'}.json in ${output.seconds} s`);
