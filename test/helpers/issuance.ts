import { Readable } from 'node:stream';
import {
  FileLedger,
  MemoryLedger,
  microcredentialFromProposal,
  parseProposal,
  readCsvRoster,
  syncTemplates,
  type AwardRecord,
  type EventRecord,
  type Ledger,
  type MicrocredentialEntry,
} from '../../src/index.js';
import { exampleProposalJson } from './examples.js';
import { fakeWithClient } from './fake.js';

export function approvedEntry(name: 'credit-bearing' | 'non-credit', change?: (json: any) => void): MicrocredentialEntry {
  const json = exampleProposalJson(name);
  change?.(json);
  const microcredential = microcredentialFromProposal(parseProposal(json));
  return { microcredential, approval: { state: 'approved', microcredentialId: microcredential.id } };
}

/**
 * Coding in SQL, approved, on a template that allows duplicate badges: Credly's own duplicate
 * rule then hides nothing, and an award sent twice shows as a second badge.
 */
export const sqlAllowingDuplicates = (): MicrocredentialEntry => approvedEntry('non-credit', (json) => (json.badge.allowDuplicates = true));

/** A CSV roster of `n` learners of Coding in SQL (assessment evidence), starting at learner `from`. */
export function sqlRosterCsv(n: number, from = 1, extraRows: string[] = []): string {
  const header = 'Microcredential,Recipient Email,First Name,Last Name,Issuer Earner ID,Issued at,Assessment Name,Assessment Score,Assessment Max Score';
  const rows = Array.from({ length: n }, (_, i) => {
    const k = from + i;
    return `coding-in-sql,learner${k}@example.edu,Learner,Number${k},B${String(k).padStart(8, '0')},2026-04-02T10:00:00-04:00,Proctored SQL assessment,${14 + (k % 7)},20`;
  });
  return [header, ...rows, ...extraRows].join('\r\n') + '\r\n';
}

export const csvRows = (csv: string) => readCsvRoster(Readable.from([csv]));

/** A fake Credly with Coding in SQL's template synced into a ledger. */
export async function issuanceSetup(options: { fake?: Parameters<typeof fakeWithClient>[0]; client?: Parameters<typeof fakeWithClient>[1]; ledger?: Ledger; entries?: MicrocredentialEntry[] } = {}) {
  const ctx = await fakeWithClient(options.fake, { retryTiming: { baseDelayMs: 1, maxDelayMs: 2 }, ...options.client });
  const ledger = options.ledger ?? new MemoryLedger();
  const entries = options.entries ?? [approvedEntry('non-credit')];
  const synced = await syncTemplates(entries, { client: ctx.client, ledger });
  const templateId = synced[0]!.templateId!;
  const sleeps: number[] = [];
  const base = {
    client: ctx.client,
    ledger,
    microcredentials: entries,
    suppressNotifications: true,
    retryDelayMs: 1,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  };
  return { ...ctx, ledger, entries, templateId, base, engineSleeps: sleeps };
}

export async function openTempLedger(dir: string, name = 'awards.ledger'): Promise<FileLedger> {
  return FileLedger.open(`${dir}/${name}`);
}

/** Every award, template and event of a ledger, as arrays (tests only: a real ledger may be large). */
export async function allAwards(ledger: Ledger): Promise<AwardRecord[]> {
  const out: AwardRecord[] = [];
  for await (const record of ledger.queryAwards()) out.push(record);
  return out;
}
export async function allEvents(ledger: Ledger): Promise<EventRecord[]> {
  const out: EventRecord[] = [];
  for await (const record of ledger.queryEvents()) out.push(record);
  return out;
}
