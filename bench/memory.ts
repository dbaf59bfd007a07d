// Flat memory: the built CLI's real `issue`, `status` and `compact-ledger` runs, each in its own
// process, against the fake Credly in another process (no latency); peak RSS from the kernel
// (see runNodeProcess). Run alone: `npx tsx bench/memory.ts [awards…]` (after `npm run build`).
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILT_CLI, fakeEnv, ROOT, round, startFakeProcess, tempDir, writeRoster, runNodeProcess, type ProcessRun } from './lib.js';

export const MEMORY_TARGETS = { issuePeakRssMb: 250, statusPeakRssMb: 200, compactPeakRssMb: 200, growth: 1.3 } as const;

export interface MemoryRun {
  readonly awards: number;
  readonly issueSeconds: number;
  readonly issuePeakRssMb: number;
  readonly statusPeakRssMb: number;
  readonly compactPeakRssMb: number;
  readonly ledgerMb: number;
  readonly reportLines: number;
}

/** The microcredential the benchmark rosters name, as a file the CLI reads. */
export function writeMicrocredentialFile(dir: string): string {
  const path = join(dir, 'coding-in-sql.json');
  writeFileSync(path, readFileSync(join(ROOT, 'fixtures/examples/non-credit.proposal.json')));
  return path;
}

function check(run: ProcessRun, what: string): ProcessRun {
  if (run.code !== 0) throw new Error(`${what} exited ${run.code}: ${run.stderr.slice(-2000)}`);
  return run;
}

function countLines(path: string): number {
  const data = readFileSync(path);
  let lines = 0;
  for (let i = data.indexOf(0x0a); i >= 0; i = data.indexOf(0x0a, i + 1)) lines += 1;
  return lines;
}

/** One size: sync the template, issue every award, then `status` and `compact-ledger` on that ledger. */
export async function memoryRun(awards: number, options: { concurrency?: number } = {}): Promise<MemoryRun> {
  const dir = tempDir('credly-memory-');
  const fake = await startFakeProcess([], { built: true });
  try {
    const env = fakeEnv(fake);
    const roster = await writeRoster(join(dir, `roster-${awards}.csv`), awards);
    const micro = writeMicrocredentialFile(dir);
    const ledger = join(dir, 'awards.ledger');
    const report = join(dir, 'report.jsonl');
    check(await runNodeProcess([BUILT_CLI, 'sync-templates', micro, '--assume-approved', '--ledger', ledger], { env, cwd: dir }), 'sync-templates');
    const issue = check(
      await runNodeProcess([BUILT_CLI, 'issue', '--roster', roster, '--microcredential', micro, '--assume-approved', '--ledger', ledger, '--concurrency', String(options.concurrency ?? 32), '--report-jsonl', report], { env, cwd: dir }),
      'issue',
    );
    const stats = await fake.control('stats');
    if (stats.badges !== awards || stats.duplicates !== 0) throw new Error(`the fake holds ${stats.badges} badges (${stats.duplicates} duplicates) after issuing ${awards}`);
    const reportLines = countLines(report);
    if (reportLines !== awards) throw new Error(`--report-jsonl holds ${reportLines} outcomes of ${awards}`);
    const ledgerMb = statSync(ledger).size / 2 ** 20;
    const status = check(await runNodeProcess([BUILT_CLI, 'status', '--ledger', ledger], { env, cwd: dir }), 'status');
    if (!status.stdout.includes(`issued ${awards}`)) throw new Error(`status does not count ${awards} issued: ${status.stdout.slice(0, 300)}`);
    const compact = check(await runNodeProcess([BUILT_CLI, 'compact-ledger', '--ledger', ledger], { env, cwd: dir }), 'compact-ledger');
    return {
      awards,
      issueSeconds: round(issue.seconds),
      issuePeakRssMb: round(issue.peakRssMb, 1),
      statusPeakRssMb: round(status.peakRssMb, 1),
      compactPeakRssMb: round(compact.peakRssMb, 1),
      ledgerMb: round(ledgerMb, 1),
      reportLines,
    };
  } finally {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The small and the large size, and whether the large one meets the targets. */
export async function memory(small: number, large: number) {
  const runs = [await memoryRun(small), await memoryRun(large)];
  const [a, b] = runs as [MemoryRun, MemoryRun];
  const growth = b.issuePeakRssMb / a.issuePeakRssMb;
  return {
    memory: {
      runs,
      growth: round(growth),
      targets: MEMORY_TARGETS,
      met:
        b.issuePeakRssMb < MEMORY_TARGETS.issuePeakRssMb &&
        b.statusPeakRssMb < MEMORY_TARGETS.statusPeakRssMb &&
        b.compactPeakRssMb < MEMORY_TARGETS.compactPeakRssMb &&
        growth <= MEMORY_TARGETS.growth,
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv.slice(2).map(Number);
  for (const n of sizes.length ? sizes : [20_000]) console.log(JSON.stringify(await memoryRun(n)));
}
