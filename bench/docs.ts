// `npm run bench:docs`: rewrites the generated parts of docs/performance.md (between
// `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`) from bench/results/latest.json, so that the
// figures in the docs are the ones a run measured, never typed by hand.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib.js';

const DOC = join(ROOT, 'docs/performance.md');
const RESULTS = join(ROOT, process.argv[2] ?? 'bench/results/latest.json');

// The results file is loosely typed JSON written by bench/run.ts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const r: any = JSON.parse(readFileSync(RESULTS, 'utf8'));

const n = (value: number, digits?: number) => (digits === undefined ? value : Number(value.toFixed(digits))).toLocaleString('en-US', { maximumFractionDigits: 3 });
const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
const tableOf = (head: string[], rows: Array<Array<string | number>>) => [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');

function figures(): string {
  const { issuance: i, overhead: o, rateLimit: rl, roster: ro } = r;
  const ideal = (i.awards * i.latencyMs) / i.concurrency / 1000;
  return tableOf(
    ['benchmark', 'figure', 'measured', 'target'],
    [
      [`1. Issuance throughput: ${n(i.awards)} awards, whole engine (in process), file ledger on disk, ${i.latencyMs} ms per request, concurrency ${i.concurrency}`, `\`efficiency\` = ideal time (N × latency ÷ concurrency = ${n(ideal, 1)} s) ÷ measured (${n(i.seconds, 2)} s)`, `**${i.efficiency}** (${n(i.awardsPerSecond, 0)} awards/s)`, `≥ ${i.targets.efficiency}`],
      [`2. Against the usual integration: the same ${n(i.awards)} awards one request at a time in a plain loop (${n(i.sequentialSeconds, 1)} s)`, '`speedupVsSequential`', `**${i.speedupVsSequential}**`, `≥ ${i.targets.speedupVsSequential}`],
      [`3. Client overhead: ${n(o.requests)} issue requests at zero latency, concurrency ${o.concurrency}, through \`CredlyClient\` (${n(o.clientSeconds, 3)} s) and through bare axios with the same keep-alive agent (${n(o.rawAxiosSeconds, 3)} s)`, '`ratioVsRawAxios`', `**${o.ratioVsRawAxios}**`, `≤ ${o.targets.ratioVsRawAxios}`],
      [`4. Rate limits: the fake allows ${rl.allowedPerSecond} requests/s; ${n(rl.awards)} awards, the engine paced to ${rl.allowedPerSecond}/s`, `\`efficiency\` = (N ÷ R) ÷ measured (${n(rl.seconds, 2)} s)`, `**${rl.efficiency}**`, `≥ ${rl.targets.efficiency}`],
      ['', '`share429`', `**${rl.share429}**`, `≤ ${rl.targets.share429}`],
      [`5. Roster scale: validate and plan a ${n(ro.rows)}-row CSV roster (dry run, the built package in its own process)`, 'rows/s', `**${n(ro.rowsPerSecond, 0)}**`, ''],
      ['', '`peakRssMb`', `**${n(ro.peakRssMb, 0)}**`, `≤ ${ro.targets.peakRssMb}`],
    ],
  );
}

function durability(): string {
  const { versusBareLoop: a, wholeJob: b } = r.durability;
  return tableOf(
    ['benchmark', 'figure', 'measured', 'target'],
    [
      [
        `6. The whole \`issue\` job (\`node dist/cli.cjs issue\`, process start included, file ledger on disk) against a bare \`CredlyClient\` loop (also a whole process) issuing the same ${n(a.awards)} badges, concurrency ${a.concurrency}, no latency`,
        `\`throughputVsBareLoop\`: ${n(a.jobAwardsPerSecond, 0)} ÷ ${n(a.bareLoopAwardsPerSecond, 0)} badges/s (${n(a.jobSeconds, 2)} s against ${n(a.bareLoopSeconds, 2)} s); CPU ${a.jobCpuMsPerAward} against ${a.bareLoopCpuMsPerAward} ms a badge`,
        `**${a.throughputVsBareLoop}**`,
        `≥ ${a.target}`,
      ],
      [
        `7. The whole \`issue\` job, ${n(b.awards)} awards, ${b.latencyMs} ms per request, concurrency ${b.concurrency}`,
        `\`efficiency\` = ideal (${n(b.idealSeconds, 1)} s) ÷ wall time of the process (${n(b.jobSeconds, 2)} s)${b.bareLoopEfficiency === undefined ? '' : `; a bare \`CredlyClient\` loop process in the same setting: ${b.bareLoopEfficiency} (${n(b.bareLoopSeconds, 2)} s)`}`,
        `**${b.efficiency}**`,
        `≥ ${b.target}`,
      ],
    ],
  );
}

function memory(): string {
  const m = r.memory;
  const large = m.runs[m.runs.length - 1];
  const t = m.targets;
  const rows: Array<Array<string | number>> = m.runs.map((run: Record<string, number>) => [
    n(run.awards!),
    `${n(run.issuePeakRssMb!, 0)} MB (${n(run.issueSeconds!, 1)} s)`,
    `${n(run.statusPeakRssMb!, 0)} MB`,
    `${n(run.compactPeakRssMb!, 0)} MB`,
    `${n(run.ledgerMb!, 0)} MB`,
  ]);
  rows.push([`target (at ${n(large.awards)})`, `< ${t.issuePeakRssMb} MB`, `< ${t.statusPeakRssMb} MB`, `< ${t.compactPeakRssMb} MB`, '']);
  return [
    tableOf(['awards', '`issue` peak RSS (wall time)', '`status` peak RSS', '`compact-ledger` peak RSS', 'ledger file'], rows),
    '',
    `Growth of \`issue\`'s peak from ${n(m.runs[0].awards)} to ${n(large.awards)} awards: **${m.growth}×** (target ≤ ${t.growth}×). All memory targets met: **${m.met ? 'yes' : 'no'}**.`,
  ].join('\n');
}

function fsync(): string {
  const f = r.fsyncProfile;
  return [
    `A CPU profile (\`node --cpu-prof\`) of a real \`issue\` run of the built CLI, ${n(f.awards)} awards, concurrency ${f.concurrency}, no latency (${n(f.seconds, 1)} s): of ${n(f.mainThreadMs, 0)} ms of main-thread time, **${n(f.fsyncMs, 0)} ms (${pct(f.fsyncShare)})** were in fsync/fdatasync frames (before the pipelined journal: 48 %). The heaviest frames by self time:`,
    '',
    tableOf(
      ['frame', 'self time', 'share'],
      f.top.map((t: { name: string; selfMs: number; share: number }) => [`\`${t.name}\``, `${n(t.selfMs, 0)} ms`, pct(t.share)]),
    ),
  ].join('\n');
}

function measured(): string {
  const load = r.loadAverage;
  return `Measured on ${r.generatedAt.slice(0, 10)} (${r.machine}, Node ${r.node}) in one run of ${n(r.seconds, 0)} s; load average (1, 5, 15 min) ${load.before.join(', ')} before and ${load.after.join(', ')} after.`;
}

const blocks: Record<string, () => string> = { figures, durability, memory, fsync, measured };
let doc = readFileSync(DOC, 'utf8');
for (const [name, render] of Object.entries(blocks)) {
  const pattern = new RegExp(`(<!-- bench:${name} -->\\n)[\\s\\S]*?(<!-- /bench:${name} -->)`);
  if (!pattern.test(doc)) throw new Error(`docs/performance.md has no <!-- bench:${name} --> … <!-- /bench:${name} --> block`);
  doc = doc.replace(pattern, (_all, open: string, close: string) => `${open}${render()}\n${close}`);
}
writeFileSync(DOC, doc);
console.log(`docs/performance.md rewritten from ${RESULTS.slice(ROOT.length)}`);
