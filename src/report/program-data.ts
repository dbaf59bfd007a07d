import { naceCompetency } from '../domain/nace.js';
import type { AwardRecord, Ledger, RunRecord } from '../ledger/contract.js';

/** The numbers behind the program report, computed from the ledger alone (no Credly call). */
export interface ProgramReportData {
  readonly title: string;
  readonly generatedAt: string;
  readonly totals: {
    /** Awards with a badge (issued, revoked or replaced in the ledger). */
    readonly badges: number;
    readonly learners: number;
    readonly microcredentials: number;
    readonly accepted: number;
    readonly pending: number;
    readonly rejected: number;
    readonly revoked: number;
    /** Issued badges `reconcile` has not looked at yet. */
    readonly unknown: number;
  };
  /** Badges issued per month (`YYYY-MM`, by the date the learner earned it), every month from the first to the last. */
  readonly issuedByMonth: ReadonlyArray<{ readonly month: string; readonly count: number }>;
  /**
   * Per microcredential: badges by state on Credly, and the acceptance rate: accepted out of the
   * badges a learner could act on (accepted + pending + rejected; revoked ones left out). Null
   * while none of its badges has a known state.
   */
  readonly acceptance: ReadonlyArray<{
    readonly microcredentialId: string;
    readonly title: string;
    readonly badges: number;
    readonly accepted: number;
    readonly pending: number;
    readonly rejected: number;
    readonly revoked: number;
    readonly unknown: number;
    readonly rate: number | null;
  }>;
  /** Badges still pending, by whole days since issue. */
  readonly pendingByAge: ReadonlyArray<{ readonly bucket: string; readonly count: number }>;
  /**
   * NACE competencies: how many of the program's microcredentials align to each, and how many
   * distinct learners hold a live badge (not revoked or rejected) of one that does.
   */
  readonly competencies: ReadonlyArray<{ readonly key: string; readonly title: string; readonly microcredentials: number; readonly learners: number }>;
  /** Credit-bearing, non-credit and campus (`ext:`) types: microcredentials and badges of each. */
  readonly creditMix: ReadonlyArray<{ readonly type: string; readonly microcredentials: number; readonly badges: number }>;
  /** The most recent runs (issue, reconcile), newest first. */
  readonly runs: readonly RunRecord[];
}

export interface ProgramReportOptions {
  readonly title?: string;
  readonly now?: () => Date;
  /** How many recent runs to show (10 by default). */
  readonly runs?: number;
}

export const PENDING_AGE_BUCKETS: ReadonlyArray<{ readonly label: string; readonly maxDays: number }> = [
  { label: '0–7 days', maxDays: 7 },
  { label: '8–14 days', maxDays: 14 },
  { label: '15–30 days', maxDays: 30 },
  { label: '31–60 days', maxDays: 60 },
  { label: 'over 60 days', maxDays: Number.POSITIVE_INFINITY },
];

const WITH_BADGE = ['issued', 'revoked', 'replaced'] as const;

/** Where a badge stands on Credly, for the report: revoked in the ledger counts as revoked. */
function credlyState(award: AwardRecord): 'accepted' | 'pending' | 'rejected' | 'revoked' | 'unknown' {
  if (award.state === 'revoked') return 'revoked';
  const state = award.credly?.state;
  if (state === 'accepted' || state === 'pending' || state === 'rejected' || state === 'revoked') return state;
  return 'unknown';
}

export async function programReportData(ledger: Ledger, options: ProgramReportOptions = {}): Promise<ProgramReportData> {
  const now = (options.now ?? (() => new Date()))();
  const templates = await ledger.listTemplates();
  const micro = new Map(templates.map((t) => [t.microcredentialId, t.microcredential]));
  const awards: AwardRecord[] = [];
  for await (const award of ledger.queryAwards({ state: [...WITH_BADGE] })) awards.push(award);

  const totals = { badges: awards.length, learners: new Set(awards.map((a) => a.earnerId)).size, microcredentials: templates.length, accepted: 0, pending: 0, rejected: 0, revoked: 0, unknown: 0 };
  const perMicro = new Map<string, { accepted: number; pending: number; rejected: number; revoked: number; unknown: number; badges: number }>();
  const pendingCounts = PENDING_AGE_BUCKETS.map(() => 0);
  const months = new Map<string, number>();
  for (const award of awards) {
    const state = credlyState(award);
    totals[state] += 1;
    const row = perMicro.get(award.microcredentialId) ?? { accepted: 0, pending: 0, rejected: 0, revoked: 0, unknown: 0, badges: 0 };
    row[state] += 1;
    row.badges += 1;
    perMicro.set(award.microcredentialId, row);
    if (state === 'pending' && award.issuedAt) {
      const days = Math.max(0, Math.floor((now.getTime() - Date.parse(award.issuedAt)) / 86_400_000));
      pendingCounts[PENDING_AGE_BUCKETS.findIndex((b) => days <= b.maxDays)]! += 1;
    }
    const earned = award.snapshot?.issuedAt ?? award.issuedAt;
    if (earned) {
      const month = new Date(Date.parse(earned)).toISOString().slice(0, 7);
      months.set(month, (months.get(month) ?? 0) + 1);
    }
  }

  const ids = [...new Set([...templates.map((t) => t.microcredentialId), ...perMicro.keys()])].sort();
  const acceptance = ids.map((id) => {
    const row = perMicro.get(id) ?? { accepted: 0, pending: 0, rejected: 0, revoked: 0, unknown: 0, badges: 0 };
    const actionable = row.accepted + row.pending + row.rejected;
    return { microcredentialId: id, title: micro.get(id)?.title ?? id, ...row, rate: actionable ? row.accepted / actionable : null };
  });

  // Competencies: by microcredential, and by the distinct learners holding a live badge of one.
  const comp = new Map<string, { title: string; micro: Set<string>; learners: Set<string> }>();
  for (const t of templates) {
    for (const c of t.microcredential?.competencies ?? []) {
      const key = `${c.framework}:${c.code}`;
      const entry = comp.get(key) ?? { title: naceCompetency(c.framework, c.code).title, micro: new Set(), learners: new Set() };
      entry.micro.add(t.microcredentialId);
      comp.set(key, entry);
    }
  }
  for (const award of awards) {
    const state = credlyState(award);
    // A replaced award holds the replacement badge: live unless that one is revoked or rejected.
    if (state === 'revoked' || state === 'rejected') continue;
    for (const c of micro.get(award.microcredentialId)?.competencies ?? []) comp.get(`${c.framework}:${c.code}`)?.learners.add(award.earnerId);
  }

  const mix = new Map<string, { microcredentials: number; badges: number }>();
  for (const id of ids) {
    const type = micro.get(id)?.type ?? 'unknown';
    const entry = mix.get(type) ?? { microcredentials: 0, badges: 0 };
    entry.microcredentials += micro.has(id) ? 1 : 0;
    entry.badges += perMicro.get(id)?.badges ?? 0;
    mix.set(type, entry);
  }
  const typeOrder = (t: string) => (t === 'credit-bearing' ? 0 : t === 'non-credit' ? 1 : 2);

  return {
    title: options.title ?? 'Microcredentials program report',
    generatedAt: now.toISOString(),
    totals,
    issuedByMonth: fillMonths(months),
    acceptance,
    pendingByAge: PENDING_AGE_BUCKETS.map((b, i) => ({ bucket: b.label, count: pendingCounts[i]! })),
    competencies: [...comp.entries()]
      .map(([key, v]) => ({ key, title: v.title, microcredentials: v.micro.size, learners: v.learners.size }))
      .sort((a, b) => b.learners - a.learners || b.microcredentials - a.microcredentials || a.title.localeCompare(b.title)),
    creditMix: [...mix.entries()].map(([type, v]) => ({ type, ...v })).sort((a, b) => typeOrder(a.type) - typeOrder(b.type) || a.type.localeCompare(b.type)),
    runs: await ledger.listRuns({ limit: options.runs ?? 10 }),
  };
}

/** Every month from the first to the last, zeros included, so that gaps show as gaps. */
function fillMonths(counts: Map<string, number>): Array<{ month: string; count: number }> {
  const keys = [...counts.keys()].sort();
  if (keys.length === 0) return [];
  const out: Array<{ month: string; count: number }> = [];
  let [year, month] = keys[0]!.split('-').map(Number) as [number, number];
  const last = keys[keys.length - 1]!;
  for (;;) {
    const key = `${year}-${String(month).padStart(2, '0')}`;
    out.push({ month: key, count: counts.get(key) ?? 0 });
    if (key >= last) break;
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return out;
}
