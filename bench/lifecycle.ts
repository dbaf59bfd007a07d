// `npx tsx bench/lifecycle.ts [--badges 1000] [--file]`: how long reconcile, export and the program
// report take against the fake Credly (loopback, no pacing), on the memory ledger or (--file) the
// file ledger, for the figures in docs/lifecycle.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredlyClient } from '../src/credly/client.js';
import { MemoryLedger } from '../src/ledger/memory.js';
import { openLedger } from '../src/ledger/open.js';
import { exportAwards, reconcile } from '../src/lifecycle/index.js';
import { programReportHtml } from '../src/report/index.js';
import { startFakeCredly } from '../src/testing/index.js';

const flag = process.argv.indexOf('--badges');
const BADGES = flag > 0 ? Number(process.argv[flag + 1]) : 1000;
const ms = (start: number) => Math.round(performance.now() - start);

const fake = await startFakeCredly({ seed: 3 });
const template = fake.createTemplate({ name: 'Bench' });
for (let n = 0; n < BADGES; n += 1) {
  fake.issueOutside({ badge_template_id: template.id, recipient_email: `l${n}@example.edu`, issued_to_first_name: 'A', issued_to_last_name: `B${n}`, issuer_earner_id: `S${n}`, issued_at: '2026-08-01T10:00:00-04:00' });
}
const { credentials, options } = fake.clientConfig();
const client = new CredlyClient(credentials, options);
const dir = process.argv.includes('--file') ? mkdtempSync(join(tmpdir(), 'credly-bench-lifecycle-')) : null;
const ledger = dir ? await openLedger(join(dir, 'bench.ledger')) : new MemoryLedger();
console.log(`${BADGES} badges, ${ledger.kind} ledger`);
await ledger.putTemplate({ microcredentialId: 'bench', templateId: String(template.id), fingerprint: 'bench', state: 'active', allowDuplicates: false, updatedAt: new Date().toISOString() });
try {
  let start = performance.now();
  const adopt = await reconcile({ client, ledger, pageDelayMs: 0 });
  const adoptMs = ms(start);
  for (const badge of fake.badges().slice(0, Math.floor(BADGES * 0.3))) fake.acceptBadge(badge.id);
  start = performance.now();
  const changes = await reconcile({ client, ledger, pageDelayMs: 0 });
  const changesMs = ms(start);
  start = performance.now();
  const again = await reconcile({ client, ledger, pageDelayMs: 0 });
  const againMs = ms(start);
  start = performance.now();
  let csv = '';
  for await (const line of exportAwards(ledger, { format: 'csv' })) csv += line;
  const exportMs = ms(start);
  start = performance.now();
  const html = await programReportHtml(ledger);
  const reportMs = ms(start);
  console.table({
    'reconcile, adopting every badge': { ms: adoptMs, pages: adopt.totals.pages, written: adopt.totals.adopted },
    'reconcile, 30% accepted since': { ms: changesMs, pages: changes.totals.pages, written: changes.totals.changed },
    'reconcile again (idempotent)': { ms: againMs, pages: again.totals.pages, written: again.totals.changed + again.totals.adopted },
    'export --format csv': { ms: exportMs, bytes: csv.length },
    'report --html': { ms: reportMs, bytes: html.length },
  });
} finally {
  client.close();
  await ledger.close();
  await fake.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
