// Reads a V8 CPU profile (`node --cpu-prof`): where the main thread's time went.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  /** Sampled main-thread time, idle included. */
  readonly totalMs: number;
  /** Time the event loop waited with nothing to run. */
  readonly idleMs: number;
  /** Time in fsync or fdatasync frames and everything under them (the sync calls themselves). */
  readonly fsyncMs: number;
  /** Share of the main thread's time spent in fsync frames. */
  readonly fsyncShare: number;
  /** Functions by self time, heaviest first. */
  readonly top: ReadonlyArray<{ readonly name: string; readonly selfMs: number; readonly share: number }>;
}

/** Frames that are a sync to disk: `fsync`, `fdatasync`, `fsyncSync`, `fdatasyncSync`. */
export const isSyncFrame = (name: string) => /^(fsync|fdatasync)(Sync)?$/.test(name);

export function summarizeProfile(profile: CpuProfile, topN = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i += 1) {
    const delta = (profile.timeDeltas[i] ?? 0) / 1000;
    total += delta;
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + delta);
  }
  const underSync = (id: number): boolean => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) if (isSyncFrame(byId.get(at)!.callFrame.functionName)) return true;
    return false;
  };
  let idle = 0;
  let fsync = 0;
  const byName = new Map<string, number>();
  for (const [id, ms] of self) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') idle += ms;
    if (underSync(id)) fsync += ms;
    const where = frame.url ? `${frame.url.replace(/^.*\/(node_modules\/|dist\/|src\/)/, '$1')}:${frame.lineNumber + 1}` : '';
    const name = `${frame.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    byName.set(name, (byName.get(name) ?? 0) + ms);
  }
  const top = [...byName]
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([name, ms]) => ({ name, selfMs: Math.round(ms), share: Math.round((ms / total) * 1000) / 1000 }));
  return { totalMs: Math.round(total), idleMs: Math.round(idle), fsyncMs: Math.round(fsync * 10) / 10, fsyncShare: total ? fsync / total : 0, top };
}

export function readProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const summary = summarizeProfile(readProfile(process.argv[2]!), Number(process.argv[3] ?? 25));
  console.log(`total ${summary.totalMs} ms, idle ${summary.idleMs} ms, fsync ${summary.fsyncMs} ms (${(summary.fsyncShare * 100).toFixed(2)} %)`);
  for (const row of summary.top) console.log(`${String(row.selfMs).padStart(7)} ms ${(row.share * 100).toFixed(1).padStart(5)} %  ${row.name}`);
}
