// Validates and plans a roster file (dry run) in its own process, from the built package as users
// run it, and prints rows/s and peak RSS. Run `npm run build` first (`npm run bench` does).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CredlyClient, issueBadges, MemoryLedger, microcredentialFromProposal, parseProposal, readRosterFile } from '../dist/index.js';

const [path, rows] = process.argv.slice(2);
const json = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/examples/non-credit.proposal.json', import.meta.url)), 'utf8'));
const microcredential = microcredentialFromProposal(parseProposal(json));
const ledger = new MemoryLedger();
await ledger.putTemplate({ microcredentialId: microcredential.id, templateId: 'template-1', fingerprint: 'x', state: 'active', allowDuplicates: false, updatedAt: new Date().toISOString() });
// A dry run sends nothing; its one look at the template finds no Credly here (port 9) and goes on.
const client = new CredlyClient({ organizationId: 'org', authToken: 'unused' }, { baseUrl: 'http://127.0.0.1:9/v1', maxRetries: 0 });
const started = performance.now();
const report = await issueBadges(readRosterFile(path), { client, ledger, microcredentials: [{ microcredential, approval: { state: 'approved', microcredentialId: microcredential.id } }], dryRun: true });
const seconds = (performance.now() - started) / 1000;
if (report.totals.planned !== Number(rows)) throw new Error(`planned ${report.totals.planned} of ${rows}`);
client.close();
console.log(JSON.stringify({ rows: report.rows, seconds, rowsPerSecond: report.rows / seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
