// The scheduled job, alone in a process, for the SIGKILL scenario of the chaos suite.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CredlyClient, FileLedger, issueBadges, microcredentialFromProposal, parseProposal, readRosterFile } from '../src/index.js';
import { ROOT } from './lib.js';

const { BASE_URL, ORG_ID, TOKEN, LEDGER, ROSTER } = process.env;
const json = JSON.parse(readFileSync(join(ROOT, 'fixtures/examples/non-credit.proposal.json'), 'utf8'));
const microcredential = microcredentialFromProposal(parseProposal(json));
const client = new CredlyClient({ organizationId: ORG_ID!, authToken: TOKEN! }, { baseUrl: BASE_URL!, retryTiming: { baseDelayMs: 20 } });
// A short lease: the next run takes over a killed one within a second (production: 30 s).
const ledger = await FileLedger.open(LEDGER!, { lockTtlMs: 1_000, waitForLockMs: 10_000 });
await issueBadges(readRosterFile(ROSTER!), {
  client,
  ledger,
  microcredentials: [{ microcredential, approval: { state: 'approved', microcredentialId: microcredential.id } }],
  concurrency: 8,
  retryDelayMs: 20,
  suppressNotifications: true,
});
await ledger.close();
client.close();
