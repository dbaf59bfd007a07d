// Durability without blocking the job: the built CLI's whole `issue` job (process start included,
// as a scheduler sees it), file ledger on disk, against the fake Credly in another process.
// (a) no latency, concurrency 32: its throughput against a bare CredlyClient loop issuing the same
//     badges at the same concurrency, also a whole process (bench/bare-loop.mjs);
// (b) 20 ms latency, concurrency 8: the whole job's efficiency, N × latency ÷ concurrency ÷ wall.
// Run alone: `npx tsx bench/durability.ts` (after `npm run build`).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeMicrocredentialFile } from './memory.js';
import { BUILT_CLI, fakeEnv, median, quick, ROOT, round, runNodeProcess, startFakeProcess, tempDir, writeRoster, type FakeProcess, type ProcessRun } from './lib.js';

export const DURABILITY_TARGETS = { throughputVsBareLoop: 0.7, efficiency: 0.9 } as const;

async function issueJob(fake: FakeProcess, dir: string, roster: string, awards: number, concurrency: number): Promise<ProcessRun> {
  await fake.control('reset', {});
  const env = fakeEnv(fake);
  const micro = writeMicrocredentialFile(dir);
  const ledger = join(dir, 'awards.ledger');
  rmSync(ledger, { force: true });
  const sync = await runNodeProcess([BUILT_CLI, 'sync-templates', micro, '--assume-approved', '--ledger', ledger], { env, cwd: dir });
  if (sync.code !== 0) throw new Error(`sync-templates: ${sync.stderr}`);
  const run = await runNodeProcess([BUILT_CLI, 'issue', '--roster', roster, '--microcredential', micro, '--assume-approved', '--ledger', ledger, '--concurrency', String(concurrency), '--report-jsonl', join(dir, 'report.jsonl')], { env, cwd: dir });
  if (run.code !== 0) throw new Error(`issue exited ${run.code}: ${run.stderr.slice(-2000)}`);
  const stats = await fake.control('stats');
  if (stats.badges !== awards || stats.duplicates !== 0) throw new Error(`the fake holds ${stats.badges} badges (${stats.duplicates} duplicates) of ${awards}`);
  return run;
}

async function bareLoop(fake: FakeProcess, dir: string, awards: number, concurrency: number): Promise<ProcessRun> {
  await fake.control('reset', {});
  // The same template as the job's (synced from the same microcredential, untimed): Credly's
  // answer to an issue embeds the template, so a bare template would give the loop smaller
  // answers to read than the job's.
  const env = { ...fakeEnv(fake), AWARDS: String(awards), CONCURRENCY: String(concurrency) };
  const ledger = join(dir, 'bare.ledger');
  rmSync(ledger, { force: true });
  const sync = await runNodeProcess([BUILT_CLI, 'sync-templates', writeMicrocredentialFile(dir), '--assume-approved', '--ledger', ledger], { env, cwd: dir });
  if (sync.code !== 0) throw new Error(`sync-templates: ${sync.stderr}`);
  const listed = (await (await fetch(`${fake.baseUrl}/organizations/${fake.organizationId}/badge_templates`, { headers: { Authorization: `Basic ${Buffer.from(`${fake.token}:`).toString('base64')}` } })).json()) as { data: Array<{ id: string }> };
  if (listed.data.length !== 1) throw new Error(`expected the one synced template, found ${listed.data.length}`);
  const template = listed.data[0]!.id;
  const run = await runNodeProcess([join(ROOT, 'bench/bare-loop.mjs')], { env: { ...env, TEMPLATE: template }, cwd: dir });
  if (run.code !== 0) throw new Error(`bare loop exited ${run.code}: ${run.stderr.slice(-2000)}`);
  const stats = await fake.control('stats');
  if (stats.badges !== awards) throw new Error(`the bare loop left ${stats.badges} badges of ${awards}`);
  return run;
}

/**
 * The job and the bare loop `runs` times each against one fake (`fakeArgs`), alternating which goes
 * first, so that a drift in the machine's load touches both alike.
 */
async function jobAndBareLoop(fakeArgs: string[], awards: number, runs: number, concurrency: number): Promise<{ job: ProcessRun[]; bare: ProcessRun[] }> {
  const dir = tempDir('credly-durability-');
  const fake = await startFakeProcess(fakeArgs, { built: true });
  const job: ProcessRun[] = [];
  const bare: ProcessRun[] = [];
  try {
    const roster = await writeRoster(join(dir, 'roster.csv'), awards);
    for (let run = 0; run < runs; run += 1) {
      for (const side of run % 2 ? (['bare', 'job'] as const) : (['job', 'bare'] as const)) {
        if (side === 'job') job.push(await issueJob(fake, dir, roster, awards, concurrency));
        else bare.push(await bareLoop(fake, dir, awards, concurrency));
      }
    }
  } finally {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { job, bare };
}

/** (a): whole job against the bare loop, medians of `runs`. */
export async function versusBareLoop(awards: number, runs: number, concurrency = 32) {
  const { job, bare } = await jobAndBareLoop([], awards, runs, concurrency);
  const jobPerSecond = awards / median(job.map((r) => r.seconds));
  const barePerSecond = awards / median(bare.map((r) => r.seconds));
  const ratio = jobPerSecond / barePerSecond;
  return {
    awards,
    concurrency,
    latencyMs: 0,
    jobSeconds: round(median(job.map((r) => r.seconds))),
    bareLoopSeconds: round(median(bare.map((r) => r.seconds))),
    // CPU time per award of each process: what the job costs beyond the client's own work.
    jobCpuMsPerAward: round((median(job.map((r) => r.cpuSeconds)) * 1000) / awards),
    bareLoopCpuMsPerAward: round((median(bare.map((r) => r.cpuSeconds)) * 1000) / awards),
    jobAwardsPerSecond: round(jobPerSecond, 0),
    bareLoopAwardsPerSecond: round(barePerSecond, 0),
    throughputVsBareLoop: round(ratio),
    target: DURABILITY_TARGETS.throughputVsBareLoop,
    met: ratio >= DURABILITY_TARGETS.throughputVsBareLoop,
  };
}

/**
 * (b): whole-job efficiency at a latency where Credly, not the job, should set the pace; beside
 * it, the bare client loop's (also a whole process) in the same setting, alternating which goes
 * first: what the machine allows a process that only issues.
 */
export async function wholeJobEfficiency(awards: number, runs: number, latencyMs = 20, concurrency = 8) {
  const runsOf = await jobAndBareLoop(['--latency-ms', String(latencyMs)], awards, runs, concurrency);
  const seconds = runsOf.job.map((r) => r.seconds);
  const bare = runsOf.bare.map((r) => r.seconds);
  const measured = median(seconds);
  const ideal = (awards * latencyMs) / concurrency / 1000;
  return {
    awards,
    concurrency,
    latencyMs,
    idealSeconds: round(ideal),
    jobSeconds: round(measured),
    efficiency: round(ideal / measured),
    bareLoopSeconds: round(median(bare)),
    bareLoopEfficiency: round(ideal / median(bare)),
    target: DURABILITY_TARGETS.efficiency,
    met: ideal / measured >= DURABILITY_TARGETS.efficiency,
  };
}

export async function durability(runs: number) {
  return {
    durability: {
      versusBareLoop: await versusBareLoop(quick ? 1000 : 5000, runs),
      wholeJob: await wholeJobEfficiency(quick ? 400 : 4000, runs),
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await durability(quick ? 1 : 3), null, 2));
}
