import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { exportAwards, formatPending, pendingAwards } from '../../../src/lifecycle/index.js';
import { MemoryLedger } from '../../../src/ledger/memory.js';
import { collectText } from '../../helpers/lifecycle.js';

// docs/lifecycle.md: "a cell that starts with =, +, -, @, a tab or a carriage return gets a leading
// ', so that Excel, LibreOffice and Google Sheets show it as text and run nothing", in the
// registrar's export and the pending list's CSV; JSON Lines "is not escaped". The other tests
// cover =, + , - and @ in the export and = in the pending CSV; these cover every character in both.
const STARTS = ['=', '+', '-', '@', '\t', '\r'] as const;
const now = () => new Date('2026-11-29T12:00:00.000Z');

/** One issued, still pending award per formula character, its learner's first name starting with it. */
async function ledgerWithFormulaNames(): Promise<MemoryLedger> {
  const ledger = new MemoryLedger({ now });
  for (const [i, start] of STARTS.entries()) {
    const earnerId = `B${i}`;
    await ledger.planAward({
      key: `coding-in-sql|${earnerId}`,
      microcredentialId: 'coding-in-sql',
      templateId: 'tpl-1',
      email: `learner${i}@example.edu`,
      earnerId,
      state: 'issued',
      badgeId: `badge-${i}`,
      how: 'issued',
      issuedAt: '2026-10-01T12:00:00.000Z',
      snapshot: { learner: { email: `learner${i}@example.edu`, firstName: `${start}SUM(A1)`, lastName: `Plain${i}` }, evidence: [], issuedAt: '2026-10-01T12:00:00.000Z', expiresAt: null },
      credly: { state: 'pending', changedAt: '2026-10-01T12:00:00.000Z', acceptedAt: null, revokedReason: null, url: null, seenAt: '2026-10-02T12:00:00.000Z' },
    });
  }
  return ledger;
}


describe('CSV formula neutralising, as docs/lifecycle.md lists it', () => {
  it("the registrar's export: a value starting with =, +, -, @, a tab or a carriage return gets a leading '", async () => {
    const rows = parse(await collectText(exportAwards(await ledgerWithFormulaNames(), { format: 'csv' })), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.first_name)).toEqual(STARTS.map((start) => `'${start}SUM(A1)`));
    expect(rows.map((r) => r.last_name)).toEqual(STARTS.map((_, i) => `Plain${i}`));
  });

  it("the pending list's CSV: the same", async () => {
    const pending = await pendingAwards(await ledgerWithFormulaNames(), { now });
    const rows = parse(formatPending(pending, 'csv'), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.first_name)).toEqual(STARTS.map((start) => `'${start}SUM(A1)`));
  });

  it('JSON Lines carries the values as they are', async () => {
    const lines = (await collectText(exportAwards(await ledgerWithFormulaNames(), { format: 'jsonl' }))).trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { first_name: string }).first_name)).toEqual(STARTS.map((start) => `${start}SUM(A1)`));
  });
});
