import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { issueBadges } from '../../src/index.js';
import { realJournalIo } from '../../src/ledger/file-journal.js';
import { FileLedger } from '../../src/ledger/file.js';
import { allAwards, sqlAllowingDuplicates, csvRows, issuanceSetup, sqlRosterCsv } from '../helpers/issuance.js';

// The disk fills up in the middle of a run, on a template that allows duplicates (where the ledger
// is the only guard): no badge may be sent without its complete, synced intent, and a re-run after
// space is freed must not create a second badge for anyone.
describe('a full disk in the middle of a run', () => {
  let ctx: Awaited<ReturnType<typeof issuanceSetup>> | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'credly-full-disk-'));
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const how of ['short write', 'ENOSPC', 'failed fsync'] as const) {
    it(`stops sending at the first ${how}; a re-run issues the rest once`, async () => {
      const path = join(dir, `${how}.ledger`);
      const entries = [sqlAllowingDuplicates()];
      let writes = 0;
      let full = false;
      const limit = 25; // template record, then about two records an award
      const ledger = await FileLedger.open(path, {
        io: {
          ...realJournalIo,
          writeSync: (fd, buffer, offset, length, position) => {
            writes += 1;
            if (how !== 'failed fsync' && writes >= limit) full = true;
            if (full && how === 'ENOSPC') throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
            if (full && how === 'short write') return writes === limit ? realJournalIo.writeSync(fd, buffer, offset, Math.max(1, length >> 1), position) : 0;
            return realJournalIo.writeSync(fd, buffer, offset, length, position);
          },
          fdatasync: (fd, callback) => {
            if (how === 'failed fsync' && writes >= limit) return setImmediate(() => callback(Object.assign(new Error('input/output error'), { code: 'EIO' })));
            realJournalIo.fdatasync(fd, callback);
          },
        },
      });
      ctx = await issuanceSetup({ ledger, entries });
      const report = await issueBadges(csvRows(sqlRosterCsv(30)), { ...ctx.base, concurrency: 4 });
      expect(report.stoppedBecause).toMatch(/could not (write|sync) the ledger/);
      await ledger.close().catch(() => undefined);
      const sentFirst = ctx.fake.badges().length;
      expect(sentFirst).toBeLessThan(30);

      // Space is freed. Every badge Credly holds has a complete intent in the ledger.
      const reopened = await FileLedger.open(path, { waitForLockMs: 5_000 });
      const awards = await allAwards(reopened);
      for (const badge of ctx.fake.badges()) {
        const award = awards.find((a) => a.email === badge.recipient_email);
        expect(award, `badge for ${badge.recipient_email} has no intent in the ledger`).toBeDefined();
        expect(award!.attempts).toBeGreaterThanOrEqual(1);
      }
      const second = await issueBadges(csvRows(sqlRosterCsv(30)), { ...ctx.base, ledger: reopened });
      await reopened.close();
      expect(second.stoppedBecause).toBeNull();
      expect(second.totals.failed).toBe(0);
      expect(ctx.fake.badges()).toHaveLength(30);
      for (let k = 1; k <= 30; k += 1) expect(ctx.fake.badgesFor(ctx.templateId, `learner${k}@example.edu`), `learner${k}`).toHaveLength(1);
    });
  }
});
