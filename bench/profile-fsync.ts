// The fsync share of the main thread: a real `issue` run of the built CLI (5,000 awards,
// concurrency 32, no latency, file ledger) under `node --cpu-prof`, against the fake Credly in
// another process; sums the profile's time in fsync/fdatasync frames against the whole.
// Run alone: `npx tsx bench/profile-fsync.ts [awards] [--top]` (after `npm run build`); set
// KEEP_PROFILE=<file> to keep the profile (open it in Chrome DevTools).
import { copyFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeMicrocredentialFile } from './memory.js';
import { BUILT_CLI, fakeEnv, round, runNodeProcess, startFakeProcess, tempDir, writeRoster } from './lib.js';
import { readProfile, summarizeProfile, type ProfileSummary } from './cpu-profile.js';

export async function profileIssue(awards: number, concurrency = 32): Promise<ProfileSummary & { awards: number; concurrency: number; seconds: number }> {
  const dir = tempDir('credly-profile-');
  const fake = await startFakeProcess([], { built: true });
  try {
    const env = fakeEnv(fake);
    const roster = await writeRoster(join(dir, 'roster.csv'), awards);
    const micro = writeMicrocredentialFile(dir);
    const ledger = join(dir, 'awards.ledger');
    const profiles = join(dir, 'profiles');
    const sync = await runNodeProcess([BUILT_CLI, 'sync-templates', micro, '--assume-approved', '--ledger', ledger], { env, cwd: dir });
    if (sync.code !== 0) throw new Error(`sync-templates: ${sync.stderr}`);
    const args = ['--cpu-prof', '--cpu-prof-dir', profiles, BUILT_CLI, 'issue', '--roster', roster, '--microcredential', micro, '--assume-approved', '--ledger', ledger, '--concurrency', String(concurrency), '--report-jsonl', join(dir, 'report.jsonl')];
    const run = await runNodeProcess(args, { env, cwd: dir });
    if (run.code !== 0) throw new Error(`issue exited ${run.code}: ${run.stderr.slice(-2000)}`);
    const [file] = readdirSync(profiles).filter((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error('node wrote no CPU profile');
    if (process.env.KEEP_PROFILE) copyFileSync(join(profiles, file), process.env.KEEP_PROFILE);
    return { awards, concurrency, seconds: round(run.seconds), ...summarizeProfile(readProfile(join(profiles, file)), 25) };
  } finally {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const awards = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 5000);
  const summary = await profileIssue(awards);
  console.log(`${awards} awards in ${summary.seconds} s; main thread ${summary.totalMs} ms, idle ${summary.idleMs} ms, fsync ${summary.fsyncMs} ms = ${(summary.fsyncShare * 100).toFixed(2)} %`);
  if (process.argv.includes('--top')) for (const row of summary.top) console.log(`${String(row.selfMs).padStart(7)} ms ${(row.share * 100).toFixed(1).padStart(5)} %  ${row.name}`);
}
