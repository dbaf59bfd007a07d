// A scheduled job in its own process, for crash tests: issue a roster with a file ledger.
// The parent kills it with SIGKILL at some point and checks what a re-run makes of it.
// Coding in SQL on a template that allows duplicates (as the parent synced it): Credly's own
// duplicate rule would hide a badge sent again without a look-up.
import { CredlyClient, FileLedger, issueBadges, readRosterFile } from '../../../src/index.js';
import { sqlAllowingDuplicates } from '../../helpers/issuance.js';

const { BASE_URL, ORG_ID, TOKEN, LEDGER, ROSTER, CONCURRENCY } = process.env;
const client = new CredlyClient({ organizationId: ORG_ID!, authToken: TOKEN! }, { baseUrl: BASE_URL!, retryTiming: { baseDelayMs: 1 } });
// A short lease, so that the next run takes over a killed one's ledger within a second.
const ledger = await FileLedger.open(LEDGER!, { lockTtlMs: 1_500, waitForLockMs: 10_000 });
const report = await issueBadges(readRosterFile(ROSTER!), {
  client,
  ledger,
  microcredentials: [sqlAllowingDuplicates()],
  concurrency: Number(CONCURRENCY ?? 4),
  retryDelayMs: 1,
  suppressNotifications: true,
});
await ledger.close();
client.close();
process.stdout.write(JSON.stringify(report.totals));
