// `npm run chaos` (or `npm run chaos -- --quick`): seeded fault scenarios end to end, each checked
// for exactly-once against the fake Credly's own state, not the ledger's. Writes
// bench/results/chaos.json (chaos-quick.json with --quick) and prints a table; exits 1 if any
// scenario ends with a duplicate or a missing badge.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CredlyClient, FileLedger, issueBadges, microcredentialFromProposal, parseProposal, readRosterFile, syncTemplates, type CredlyClientOptions, type MicrocredentialEntry } from '../src/index.js';
import { startFakeCredly, type FakeCredly, type FakeCredlyOptions } from '../src/testing/index.js';
import { quick, ROOT, round, table, tempDir, TSX, writeRoster } from './lib.js';
import { renderChaosSection, replaceChaosSection, type ChaosResults, type ChaosScenario } from './chaos-doc.js';
import { seededRandom } from '../src/testing/fake-credly/random.js';

const AWARDS = quick ? 150 : 1000;
const KILL_AWARDS = quick ? 200 : 500;
const KILLS = 20;
const MAX_RUNS = 8;

const json = JSON.parse(readFileSync(join(ROOT, 'fixtures/examples/non-credit.proposal.json'), 'utf8'));
const microcredential = microcredentialFromProposal(parseProposal(json));
const entry: MicrocredentialEntry = { microcredential, approval: { state: 'approved', microcredentialId: microcredential.id } };
const dir = tempDir('credly-chaos-');

// `retries`: issue requests beyond one per award (re-sends after ambiguous failures, 429s,
// crashes); `runs`: runs of the job it took to issue every award (each re-run is what a scheduler would do).
type Scenario = ChaosScenario;

/** What the fake Credly itself holds for the template: the exactly-once check. */
function verdict(fake: FakeCredly, templateId: string, awards: number) {
  const perLearner = new Map<string, number>();
  for (const badge of fake.badges()) {
    if (badge.templateId !== templateId || badge.state === 'revoked' || badge.replacement_badge_id) continue;
    perLearner.set(badge.recipient_email, (perLearner.get(badge.recipient_email) ?? 0) + 1);
  }
  let missing = 0;
  for (let k = 1; k <= awards; k += 1) if (!perLearner.has(`learner${k}@example.edu`)) missing += 1;
  const badges = [...perLearner.values()].reduce((a, b) => a + b, 0);
  return { badgesOnCredly: badges, duplicates: fake.duplicateCount(), missing };
}

async function inProcess(name: string, fakeOptions: FakeCredlyOptions, clientOptions: CredlyClientOptions = {}): Promise<Scenario> {
  const started = performance.now();
  const fake = await startFakeCredly({ seed: 2026, latencyMs: { base: 1, jitter: 2 }, ...fakeOptions, faults: {} });
  const client = new CredlyClient(fake.clientConfig().credentials, { ...fake.clientConfig().options, retryTiming: { baseDelayMs: 20, maxDelayMs: 200 }, ...clientOptions });
  const roster = await writeRoster(join(dir, `${name.replace(/\W+/g, '-')}.csv`), AWARDS);
  const ledgerPath = join(dir, `${name.replace(/\W+/g, '-')}.ledger`);
  const ledger = await FileLedger.open(ledgerPath);
  const [synced] = await syncTemplates([entry], { client, ledger });
  fake.setFaults(fakeOptions.faults ?? {}); // faults only once the template exists
  let runs = 0;
  try {
    for (; runs < MAX_RUNS; ) {
      runs += 1;
      const report = await issueBadges(readRosterFile(roster), { client, ledger, microcredentials: [entry], concurrency: 8, retryDelayMs: 20, suppressNotifications: true });
      if (report.totals.failed === 0 && report.totals.skipped === 0) break;
    }
    const posts = fake.stats().requests['POST /badges'] ?? 0;
    return { name, awards: AWARDS, ...verdict(fake, synced!.templateId!, AWARDS), retries: posts - AWARDS, runs, seconds: round((performance.now() - started) / 1000, 1) };
  } finally {
    await ledger.close();
    client.close();
    await fake.stop();
  }
}

/** The job in a child process, killed with SIGKILL at a random point; then resumed. */
async function killed(): Promise<Scenario> {
  const started = performance.now();
  const name = `${KILLS} runs killed by SIGKILL at random points, then resumed`;
  const fake = await startFakeCredly({ seed: 77, latencyMs: { base: 3, jitter: 4 } });
  const client = new CredlyClient(fake.clientConfig().credentials, { ...fake.clientConfig().options, retryTiming: { baseDelayMs: 20 } });
  const roster = await writeRoster(join(dir, 'killed.csv'), KILL_AWARDS);
  const ledgerPath = join(dir, 'killed.ledger');
  let ledger = await FileLedger.open(ledgerPath);
  const [synced] = await syncTemplates([entry], { client, ledger });
  await ledger.close();
  const random = seededRandom(20261128);
  const child = join(ROOT, 'bench/issue-child.ts');
  const env = { ...process.env, BASE_URL: fake.baseUrl, ORG_ID: fake.organizationId, TOKEN: fake.token, LEDGER: ledgerPath, ROSTER: roster };
  let kills = 0;
  let runs = 0;
  while (kills < KILLS) {
    const have = fake.badges().length;
    if (have >= KILL_AWARDS) break;
    // Somewhere in the next stretch of work, at a random badge count (0 means: while reconciling).
    const killAt = have + Math.floor(random() * Math.max(2, (KILL_AWARDS - have) / (KILLS - kills)));
    runs += 1;
    const outcome = await new Promise<'killed' | 'finished'>((resolve, reject) => {
      const proc = spawn(process.execPath, ['--import', TSX, child], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      proc.stderr.on('data', (c) => (stderr += c));
      const poll = setInterval(() => {
        if (fake.badges().length >= killAt) proc.kill('SIGKILL');
      }, 1);
      proc.on('exit', (code, signal) => {
        clearInterval(poll);
        if (signal === 'SIGKILL') resolve('killed');
        else if (code === 0) resolve('finished');
        else reject(new Error(`child failed (${code}): ${stderr}`));
      });
    });
    if (outcome === 'killed') kills += 1;
  }
  // The final run, in this process: it must reconcile whatever the kills left behind (and take
  // over the lease the last killed run left, once it is older than its 1 s TTL).
  ledger = await FileLedger.open(ledgerPath, { lockTtlMs: 1_000, waitForLockMs: 10_000 });
  for (let i = 0; i < MAX_RUNS; i += 1) {
    runs += 1;
    const report = await issueBadges(readRosterFile(roster), { client, ledger, microcredentials: [entry], retryDelayMs: 20, suppressNotifications: true });
    if (report.totals.failed === 0) break;
  }
  await ledger.close();
  client.close();
  const posts = fake.stats().requests['POST /badges'] ?? 0;
  const result = { name, awards: KILL_AWARDS, ...verdict(fake, synced!.templateId!, KILL_AWARDS), retries: posts - KILL_AWARDS, runs, seconds: round((performance.now() - started) / 1000, 1) };
  await fake.stop();
  if (kills < KILLS) console.error(`note: only ${kills} kills landed before the work ran out`);
  return result;
}

const scenarios: Scenario[] = [];
scenarios.push(await inProcess('10 % of requests answered 5xx', { faults: { errorRate: 0.1 } }));
scenarios.push(await inProcess('5 % connection resets after the badge was created', { faults: { resetAfterCommitRate: 0.05 } }));
scenarios.push(await inProcess('2 % of answers slower than the client timeout', { faults: { slowRate: 0.02, slowMs: 1500 } }, { timeoutMs: 300 }));
scenarios.push(await inProcess('bursts of 429 (40 requests a second allowed, unpaced)', { rateLimit: { requests: 40, windowMs: 1000 } }));
scenarios.push(await killed());

mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
const file = quick ? 'chaos-quick.json' : 'chaos.json';
const results: ChaosResults = { generatedAt: new Date().toISOString(), quick, node: process.version, scenarios };
writeFileSync(join(ROOT, 'bench/results', file), `${JSON.stringify(results, null, 2)}\n`);
if (!quick) {
  const page = join(ROOT, 'docs/reliability.md');
  writeFileSync(page, replaceChaosSection(readFileSync(page, 'utf8'), renderChaosSection(results)));
}
rmSync(dir, { recursive: true, force: true });
console.log(`Chaos (${quick ? 'quick' : 'full'}): exactly-once checked against the fake Credly's own state\n`);
console.log(table(scenarios.map((s) => ({ ...s, ok: s.duplicates === 0 && s.missing === 0 }))));
console.log(`\nwritten to bench/results/${file}`);
const bad = scenarios.filter((s) => s.duplicates !== 0 || s.missing !== 0);
if (bad.length) {
  console.error(`FAILED: ${bad.map((s) => s.name).join('; ')}`);
  process.exitCode = 1;
}
