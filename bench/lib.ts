// Helpers shared by the benchmarks and the chaos suite: a fake Credly in a child process (so that
// the measured process does only the client's work), rosters, medians, tables.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { finished } from 'node:stream/promises';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
export const CLI = join(ROOT, 'src/cli/main.ts');
/** The built CLI, as users run it (`npm run bench` builds it first). */
export const BUILT_CLI = join(ROOT, 'dist/cli.cjs');
export const quick = process.argv.includes('--quick');

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface FakeProcess {
  readonly url: string;
  readonly baseUrl: string;
  readonly organizationId: string;
  readonly token: string;
  // The /__fake/ answers are loosely typed JSON on purpose: benchmarks read a field or two.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  control(path: string, body?: unknown, method?: string): Promise<any>;
  stop(): Promise<void>;
}

/** The fake Credly served by the CLI in its own process (the built CLI with `built`, else from source). */
export async function startFakeProcess(args: string[] = [], options: { built?: boolean } = {}): Promise<FakeProcess> {
  const cli = options.built ? [BUILT_CLI] : ['--import', TSX, CLI];
  // CREDLY_BENCH_FAKE_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir /tmp/fake"): node options for the fake alone, to profile it.
  const nodeArgs = process.env.CREDLY_BENCH_FAKE_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const proc: ChildProcess = spawn(process.execPath, [...nodeArgs, ...cli, 'fake-credly', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const info = await new Promise<Record<string, string>>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`fake-credly exited ${code}`)));
    proc.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('Ctrl-C')) {
        resolve(Object.fromEntries(out.split('\n').filter((l) => l.includes('=')).map((l) => l.split('=') as [string, string])));
      }
    });
  });
  const url = /listening on (\S+)/.exec(out)![1]!;
  return {
    url,
    baseUrl: info.CREDLY_BASE_URL!,
    organizationId: info.CREDLY_ORGANIZATION_ID!,
    token: info.CREDLY_API_TOKEN!,
    control: async (path, body, method = body === undefined ? 'GET' : 'POST') => {
      const res = await fetch(`${url}/__fake/${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }) });
      return res.json();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        proc.removeAllListeners('exit');
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

/** A Coding in SQL roster of `n` learners written to a file, streamed (never held whole). */
export async function writeRoster(path: string, n: number): Promise<string> {
  const out = createWriteStream(path);
  out.write('Microcredential,Recipient Email,First Name,Last Name,Issuer Earner ID,Issued at,Assessment Name,Assessment Score,Assessment Max Score\n');
  for (let k = 1; k <= n; k += 1) {
    const line = `coding-in-sql,learner${k}@example.edu,Learner,Number${k},B${String(k).padStart(8, '0')},2026-04-02T10:00:00-04:00,Proctored SQL assessment,${14 + (k % 7)},20\n`;
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await finished(out);
  return path;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

export function table(rows: Array<Record<string, string | number | boolean>>): string {
  const keys = Object.keys(rows[0] ?? {});
  const cells = [keys, ...rows.map((r) => keys.map((k) => String(r[k])))];
  const widths = keys.map((_, i) => Math.max(...cells.map((row) => (row as string[])[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(cells[0] as string[]), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map((r) => line(r as string[]))].join('\n');
}

export interface ProcessRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to exit, as a scheduler sees it (process start included). */
  readonly seconds: number;
  /** Peak resident set size of the process, from the kernel's accounting (wait4 via GNU time). */
  readonly peakRssMb: number;
  /** CPU time of the process, user + system (NaN without GNU time). */
  readonly cpuSeconds: number;
}

const GNU_TIME = '/usr/bin/time';

/**
 * Runs `node <args>` as its own process and measures it from outside: wall time, and peak RSS as
 * the kernel counted it when the process was reaped (GNU time's %M, from wait4's ru_maxrss), so no
 * peak between two samples is missed. Without GNU time (not Linux), it polls /proc/<pid>/status
 * VmHWM, itself a high-water mark, every 10 ms until the process exits.
 */
export function runNodeProcess(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<ProcessRun> {
  const withTime = existsSync(GNU_TIME);
  const timeFile = join(tmpdir(), `credly-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
  const command = withTime ? GNU_TIME : process.execPath;
  const argv = withTime ? ['-f', '%M %U %S', '-o', timeFile, process.execPath, ...args] : args;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const proc = spawn(command, argv, { env: options.env ?? process.env, cwd: options.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let hwmKb = 0;
    const poll = withTime
      ? undefined
      : setInterval(() => {
          try {
            const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
            if (match) hwmKb = Math.max(hwmKb, Number(match[1]));
          } catch {
            // Gone (or not Linux): the last reading stands.
          }
        }, 10);
    proc.stdout.on('data', (chunk) => (stdout += chunk));
    proc.stderr.on('data', (chunk) => (stderr += chunk));
    proc.on('error', reject);
    proc.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (poll) clearInterval(poll);
      let peakKb = hwmKb;
      let cpuSeconds = Number.NaN;
      if (withTime) {
        try {
          // GNU time's own line ("Command exited with non-zero status") may come first.
          const [maxRss, user, system] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
          peakKb = maxRss ?? Number.NaN;
          cpuSeconds = (user ?? Number.NaN) + (system ?? Number.NaN);
        } catch {
          peakKb = Number.NaN;
        }
        rmSync(timeFile, { force: true });
      }
      resolve({ code, stdout, stderr, seconds, peakRssMb: peakKb / 1024, cpuSeconds });
    });
  });
}

/** The environment that points the CLI at a fake Credly (and nothing from the developer's shell). */
export function fakeEnv(fake: FakeProcess): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CREDLY_BASE_URL: fake.baseUrl, CREDLY_ORGANIZATION_ID: fake.organizationId, CREDLY_API_TOKEN: fake.token };
  for (const key of ['CREDLY_ENV', 'CREDLY_LEDGER', 'CREDLY_ORG_ID', 'CREDLY_AUTH_TOKEN']) delete env[key];
  return env;
}
