// `npm run bench` (or `npm run bench -- --quick`): what users care about, measured against the fake
// Credly on loopback, each figure a median of several runs, side by side in one run.
// Writes bench/results/latest.json and prints a table.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { CredlyClient, FileLedger, issueBadges, MemoryLedger, microcredentialFromProposal, parseProposal, readRosterFile, syncTemplates, type MicrocredentialEntry } from '../src/index.js';
import { durability, DURABILITY_TARGETS } from './durability.js';
import { median, quick, ROOT, round, startFakeProcess, table, tempDir, writeRoster, type FakeProcess } from './lib.js';
import { memory, MEMORY_TARGETS } from './memory.js';
import { profileIssue } from './profile-fsync.js';

const RUNS = quick ? 1 : 3;
const N = quick ? 200 : 2000;
const LATENCY_MS = 20;
const CONCURRENCY = 8;
const RATE = 100;
const RATE_N = quick ? 200 : 1000;
const ROSTER_ROWS = quick ? 20_000 : 100_000;
/** Memory: the built CLI at a small and a large size (the targets are judged at the large one). */
const MEMORY_SIZES = quick ? ([300, 1_500] as const) : ([20_000, 200_000] as const);
const PROFILE_AWARDS = quick ? 500 : 5_000;

function sqlEntry(): MicrocredentialEntry {
  const json = JSON.parse(readFileSync(join(ROOT, 'fixtures/examples/non-credit.proposal.json'), 'utf8'));
  const microcredential = microcredentialFromProposal(parseProposal(json));
  return { microcredential, approval: { state: 'approved', microcredentialId: microcredential.id } };
}

/** Learner k of the benchmark rosters, as one issue request. */
const issueBody = (template: string, k: number) => ({
  badge_template_id: template,
  recipient_email: `learner${k}@example.edu`,
  issued_to_first_name: 'Learner',
  issued_to_last_name: `Number${k}`,
  issued_at: '2026-04-02T10:00:00-04:00',
  issuer_earner_id: `B${String(k).padStart(8, '0')}`,
});

const clientFor = (fake: FakeProcess, extra: ConstructorParameters<typeof CredlyClient>[1] = {}) =>
  new CredlyClient({ organizationId: fake.organizationId, authToken: fake.token }, { baseUrl: fake.baseUrl, maxSockets: 64, ...extra });

const dir = tempDir('credly-bench-');
const issuanceRoster = await writeRoster(join(dir, `roster-${N}.csv`), N);
const entry = sqlEntry();

/** 1 and 2: the whole engine (ledger on disk) against a plain one-at-a-time loop, 20 ms per request. */
async function issuance() {
  const fake = await startFakeProcess(['--latency-ms', String(LATENCY_MS)]);
  const engine: number[] = [];
  const sequential: number[] = [];
  try {
    for (let run = 0; run < RUNS; run += 1) {
      await fake.control('reset', {});
      const client = clientFor(fake);
      const ledgerPath = join(dir, `bench-${run}.ledger`);
      const ledger = await FileLedger.open(ledgerPath);
      await syncTemplates([entry], { client, ledger });
      const started = performance.now();
      const report = await issueBadges(readRosterFile(issuanceRoster), { client, ledger, microcredentials: [entry], concurrency: CONCURRENCY, suppressNotifications: true });
      engine.push((performance.now() - started) / 1000);
      await ledger.close();
      rmSync(ledgerPath, { force: true });
      if (report.totals.issued !== N) throw new Error(`issued ${report.totals.issued} of ${N}`);
      const stats = await fake.control('stats');
      if (stats.duplicates !== 0 || stats.badges !== N) throw new Error(`fake holds ${stats.badges} badges, ${stats.duplicates} duplicates`);

      // The usual integration: a loop, one request at a time, no ledger.
      await fake.control('reset', {});
      const template = (await syncTemplates([entry], { client, ledger: new MemoryLedger() }))[0]!.templateId!;
      const seqStart = performance.now();
      for (let k = 1; k <= N; k += 1) {
        await client.badges.issue({ ...issueBody(template, k), suppress_badge_notification_email: true });
      }
      sequential.push((performance.now() - seqStart) / 1000);
      client.close();
    }
  } finally {
    await fake.stop();
  }
  const measured = median(engine);
  const ideal = (N * LATENCY_MS) / CONCURRENCY / 1000;
  return {
    issuance: {
      awards: N,
      latencyMs: LATENCY_MS,
      concurrency: CONCURRENCY,
      seconds: round(measured),
      sequentialSeconds: round(median(sequential)),
      awardsPerSecond: round(N / measured, 1),
      efficiency: round(ideal / measured),
      speedupVsSequential: round(median(sequential) / measured, 2),
      targets: { efficiency: 0.85, speedupVsSequential: 7 },
      met: ideal / measured >= 0.85 && median(sequential) / measured >= 7,
    },
  };
}

/** 3: the client's own cost, against a bare axios loop with the same agent and concurrency, at zero latency. */
async function overhead() {
  const fake = await startFakeProcess([]);
  const ours: number[] = [];
  const theirs: number[] = [];
  const pool = async (count: number, task: (k: number) => Promise<unknown>) => {
    let next = 1;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next <= count) await task(next++);
    }));
  };
  try {
    for (let run = 0; run < RUNS + 1; run += 1) {
      for (const side of run % 2 ? (['axios', 'client'] as const) : (['client', 'axios'] as const)) {
        await fake.control('reset', {});
        const template = String((await fake.control('badge_templates', { name: 'Overhead' })).data.id);
        const agent = new Agent({ keepAlive: true, maxSockets: 64 });
        const client = clientFor(fake, { httpAgent: agent });
        const http = axios.create({ httpAgent: agent, baseURL: fake.baseUrl, headers: { Authorization: `Basic ${Buffer.from(`${fake.token}:`).toString('base64')}` } });
        const started = performance.now();
        if (side === 'client') await pool(N, (k) => client.badges.issue(issueBody(template, k)));
        else await pool(N, (k) => http.post(`/organizations/${fake.organizationId}/badges`, issueBody(template, k)));
        const seconds = (performance.now() - started) / 1000;
        if (run > 0) (side === 'client' ? ours : theirs).push(seconds); // run 0 warms both up
        client.close();
        agent.destroy();
      }
    }
  } finally {
    await fake.stop();
  }
  const ratio = median(ours) / median(theirs);
  return { overhead: { requests: N, concurrency: CONCURRENCY, clientSeconds: round(median(ours)), rawAxiosSeconds: round(median(theirs)), ratioVsRawAxios: round(ratio), targets: { ratioVsRawAxios: 1.3 }, met: ratio <= 1.3 } };
}

/** 4: a Credly that allows R requests a second; the engine paces itself to R. */
async function rateLimit() {
  const fake = await startFakeProcess(['--rate-limit', `${RATE}/s`]);
  const seconds: number[] = [];
  const shares: number[] = [];
  const rateRoster = await writeRoster(join(dir, `roster-${RATE_N}.csv`), RATE_N);
  try {
    for (let run = 0; run < RUNS; run += 1) {
      await fake.control('reset', {});
      const client = clientFor(fake);
      const ledger = new MemoryLedger();
      await syncTemplates([entry], { client, ledger });
      await new Promise((resolve) => setTimeout(resolve, 1100)); // a fresh window for the measured part
      const before = await fake.control('stats');
      const started = performance.now();
      const report = await issueBadges(readRosterFile(rateRoster), { client, ledger, microcredentials: [entry], concurrency: CONCURRENCY, ratePerSecond: RATE, suppressNotifications: true });
      seconds.push((performance.now() - started) / 1000);
      const after = await fake.control('stats');
      const requests = Object.values(after.requests as Record<string, number>).reduce((a, b) => a + b, 0) - Object.values(before.requests as Record<string, number>).reduce((a, b) => a + b, 0);
      shares.push((after.rateLimited - before.rateLimited) / requests);
      if (report.totals.issued !== RATE_N || after.duplicates !== 0) throw new Error('rate-limit run did not issue every award once');
      client.close();
    }
  } finally {
    await fake.stop();
  }
  const measured = median(seconds);
  const efficiency = RATE_N / RATE / measured;
  const share429 = median(shares);
  return { rateLimit: { awards: RATE_N, allowedPerSecond: RATE, seconds: round(measured), efficiency: round(efficiency), share429: round(share429, 4), targets: { efficiency: 0.9, share429: 0.02 }, met: efficiency >= 0.9 && share429 <= 0.02 } };
}

/** 5: validate and plan a large roster (dry run), in a child process running the built package, so that its peak RSS is its own. */
async function rosterScale() {
  const rosterPath = await writeRoster(join(dir, `roster-${ROSTER_ROWS}.csv`), ROSTER_ROWS);
  const rowsPerSecond: number[] = [];
  const peaks: number[] = [];
  const child = join(ROOT, 'bench/roster-child.mjs');
  for (let run = 0; run < RUNS; run += 1) {
    const result = spawnSync(process.execPath, [child, rosterPath, String(ROSTER_ROWS)], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`roster child failed: ${result.stderr}`);
    const measured = JSON.parse(result.stdout.trim().split('\n').pop()!);
    rowsPerSecond.push(measured.rowsPerSecond);
    peaks.push(measured.peakRssMb);
  }
  const peakRssMb = median(peaks);
  return { roster: { rows: ROSTER_ROWS, rowsPerSecond: round(median(rowsPerSecond), 0), peakRssMb: round(peakRssMb, 1), targets: { peakRssMb: 200 }, met: peakRssMb <= 200 } };
}

/** 8: the fsync share of the main thread, from a CPU profile of a real `issue` run. */
async function fsyncProfile() {
  const summary = await profileIssue(PROFILE_AWARDS, 32);
  return { fsyncProfile: { awards: summary.awards, concurrency: summary.concurrency, seconds: summary.seconds, mainThreadMs: summary.totalMs, idleMs: summary.idleMs, fsyncMs: summary.fsyncMs, fsyncShare: round(summary.fsyncShare, 4), top: summary.top.slice(0, 10) } };
}

const started = Date.now();
const loadBefore = loadavg();
const results = {
  ...(await issuance()),
  ...(await overhead()),
  ...(await rateLimit()),
  ...(await rosterScale()),
  ...(await durability(RUNS)),
  ...(await memory(MEMORY_SIZES[0], MEMORY_SIZES[1])),
  ...(await fsyncProfile()),
};
const output = {
  generatedAt: new Date().toISOString(),
  quick,
  runs: RUNS,
  node: process.version,
  machine: `${cpus().length} cores`,
  // The machine's load (1, 5, 15 minutes) before and after: other work lowers every figure.
  loadAverage: { before: loadBefore.map((l) => round(l, 2)), after: loadavg().map((l) => round(l, 2)) },
  seconds: round((Date.now() - started) / 1000, 1),
  ...results,
};
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results', quick ? 'quick.json' : 'latest.json'), `${JSON.stringify(output, null, 2)}\n`);
rmSync(dir, { recursive: true, force: true });

console.log(`Benchmarks (${quick ? 'quick' : 'full'}; medians of ${RUNS} run(s); node ${process.version})\n`);
console.log(
  table([
    { benchmark: 'issuance', figure: 'efficiency', value: results.issuance.efficiency, target: '>= 0.85', met: results.issuance.efficiency >= 0.85 },
    { benchmark: 'issuance', figure: 'awardsPerSecond', value: results.issuance.awardsPerSecond, target: '', met: '' as unknown as boolean },
    { benchmark: 'vs sequential', figure: 'speedupVsSequential', value: results.issuance.speedupVsSequential, target: '>= 7', met: results.issuance.speedupVsSequential >= 7 },
    { benchmark: 'overhead', figure: 'ratioVsRawAxios', value: results.overhead.ratioVsRawAxios, target: '<= 1.3', met: results.overhead.met },
    { benchmark: 'rate limit', figure: 'efficiency', value: results.rateLimit.efficiency, target: '>= 0.9', met: results.rateLimit.efficiency >= 0.9 },
    { benchmark: 'rate limit', figure: 'share429', value: results.rateLimit.share429, target: '<= 0.02', met: results.rateLimit.share429 <= 0.02 },
    { benchmark: 'roster', figure: 'rowsPerSecond', value: results.roster.rowsPerSecond, target: '', met: '' as unknown as boolean },
    { benchmark: 'roster', figure: 'peakRssMb', value: results.roster.peakRssMb, target: '<= 200', met: results.roster.met },
    { benchmark: 'whole job vs bare loop', figure: 'throughputVsBareLoop', value: results.durability.versusBareLoop.throughputVsBareLoop, target: `>= ${DURABILITY_TARGETS.throughputVsBareLoop}`, met: results.durability.versusBareLoop.met },
    { benchmark: 'whole job, 20 ms', figure: 'efficiency', value: results.durability.wholeJob.efficiency, target: `>= ${DURABILITY_TARGETS.efficiency}`, met: results.durability.wholeJob.met },
    ...results.memory.runs.flatMap((run, i) => {
      const large = i === results.memory.runs.length - 1;
      return [
        { benchmark: `memory ${run.awards}`, figure: 'issue peakRssMb', value: run.issuePeakRssMb, target: large ? `< ${MEMORY_TARGETS.issuePeakRssMb}` : '', met: (large ? run.issuePeakRssMb < MEMORY_TARGETS.issuePeakRssMb : '') as boolean },
        { benchmark: `memory ${run.awards}`, figure: 'status peakRssMb', value: run.statusPeakRssMb, target: large ? `< ${MEMORY_TARGETS.statusPeakRssMb}` : '', met: (large ? run.statusPeakRssMb < MEMORY_TARGETS.statusPeakRssMb : '') as boolean },
        { benchmark: `memory ${run.awards}`, figure: 'compact peakRssMb', value: run.compactPeakRssMb, target: large ? `< ${MEMORY_TARGETS.compactPeakRssMb}` : '', met: (large ? run.compactPeakRssMb < MEMORY_TARGETS.compactPeakRssMb : '') as boolean },
      ];
    }),
    { benchmark: 'memory', figure: 'growth (large ÷ small)', value: results.memory.growth, target: `<= ${MEMORY_TARGETS.growth}`, met: results.memory.growth <= MEMORY_TARGETS.growth },
    { benchmark: 'fsync profile', figure: 'fsyncShare', value: results.fsyncProfile.fsyncShare, target: '', met: '' as unknown as boolean },
  ]),
);
console.log(`\nwritten to bench/results/${quick ? 'quick' : 'latest'}.json in ${output.seconds} s`);
