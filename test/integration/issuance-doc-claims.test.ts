import { afterEach, describe, expect, it } from 'vitest';
import { issueBadges } from '../../src/index.js';
import { allAwards, csvRows, issuanceSetup, sqlRosterCsv } from '../helpers/issuance.js';

// docs/issuance.md, claim by claim: what test/integration/issuance.test.ts,
// credly-fidelity.test.ts and test/unit/issuance/award.test.ts do not assert.

let ctx: Awaited<ReturnType<typeof issuanceSetup>>;
afterEach(async () => {
  await ctx?.close();
});

describe('docs/issuance.md: planning', () => {
  it('signal: those in flight and those prepared are sent and recorded; an award not yet prepared when it fires does not start', async () => {
    ctx = await issuanceSetup();
    const controller = new AbortController();
    const sent: string[] = [];
    const read: string[] = [];
    const getAward = ctx.ledger.getAward.bind(ctx.ledger);
    ctx.ledger.getAward = (key) => {
      read.push(key);
      return getAward(key);
    };
    const issue = ctx.client.badges.issueReturningId.bind(ctx.client.badges);
    ctx.client.badges.issueReturningId = async (params, options) => {
      sent.push(params.recipient_email);
      if (sent.length === 1) {
        // The first request is in flight, the second award prepared (its intent durable, waiting
        // for the one slot), the third row read and waiting for a place: then the run is stopped.
        while (!read.some((key) => key.endsWith('|B00000003'))) await new Promise((resolve) => setTimeout(resolve, 1));
        await new Promise((resolve) => setTimeout(resolve, 5));
        controller.abort();
      }
      return issue(params, options);
    };
    const report = await issueBadges(csvRows(sqlRosterCsv(6)), { ...ctx.base, concurrency: 1, signal: controller.signal });
    expect(report.cancelled).toBe(true);
    expect(sent).toEqual(['learner1@example.edu', 'learner2@example.edu']); // before: learner3's award started after the stop, and was sent
    expect(report.totals).toMatchObject({ issued: 2, failed: 0 });
    expect(report.rows).toBe(2); // the rows reached: the CLI counts the others "not reached"
    expect((await allAwards(ctx.ledger)).map((a) => a.state)).toEqual(['issued', 'issued']);
    const rest = await issueBadges(csvRows(sqlRosterCsv(6)), ctx.base);
    expect(rest.totals).toMatchObject({ issued: 4, 'already-issued': 2 });
  });
});
