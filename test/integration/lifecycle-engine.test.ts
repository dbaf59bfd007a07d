import { afterEach, describe, expect, it } from 'vitest';
import { issueBadges } from '../../src/index.js';
import { exportRows, pendingAwards, reconcile } from '../../src/lifecycle/index.js';
import { programReportData, renderRunReportHtml } from '../../src/report/index.js';
import { csvRows, issuanceSetup, sqlRosterCsv } from '../helpers/issuance.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

// The after-issue functions on what the real issuance engine leaves in the ledger (not a seeded copy).
describe('after a real issue run', () => {
  it('reconciles, lists pending, exports and reports what the engine issued', async () => {
    const setup = await issuanceSetup();
    close = setup.close;
    const report = await issueBadges(csvRows(sqlRosterCsv(5)), setup.base);
    expect(report.totals.issued).toBe(5);
    const badges = setup.fake.badges();
    setup.fake.acceptBadge(badges[0]!.id);
    setup.fake.rejectBadge(badges[1]!.id);

    const result = await reconcile({ client: setup.client, ledger: setup.ledger, sleep: async () => {} });
    expect(result.totals).toMatchObject({ badges: 5, changed: 5, adopted: 0, missingOnCredly: 0, unknownOnCredly: 0, failures: 0 });

    const pending = await pendingAwards(setup.ledger);
    expect(pending.map((p) => p.email).sort()).toEqual(['learner3@example.edu', 'learner4@example.edu', 'learner5@example.edu']);
    expect(pending[0]).toMatchObject({ firstName: 'Learner', microcredentialTitle: 'Coding in SQL', credlyState: 'pending' });

    const rows = await exportRows(setup.ledger);
    expect(rows).toHaveLength(5);
    expect(rows[0]).toMatchObject({ student_id: 'B00000001', microcredential_title: 'Coding in SQL', type: 'non-credit', issued_at: expect.stringMatching(/^2026-04-02T/), credly_state: expect.any(String) });
    expect(rows.every((r) => r.nace_competencies.length > 0 && r.badge_url !== null)).toBe(true);

    const data = await programReportData(setup.ledger);
    expect(data.totals).toMatchObject({ badges: 5, accepted: 1, rejected: 1, pending: 3 });
    expect(data.runs.map((r) => r.command).sort()).toEqual(['issue', 'reconcile']);
    // The engine's own report renders as a run report.
    expect(renderRunReportHtml(report)).toContain('data-category="issued" data-series="awards" data-value="5"');
  });
});
