// `npm run bench:ob3` (or `-- --quick`): what Open Badges 3.0 costs. Signing and verification time
// per credential (eddsa-rdfc-2022, offline), a whole export from a ledger, and the size the
// signing stack adds to a consumer's install. Writes bench/results/ob3.json (or ob3-quick.json);
// `npm run bench:ob3:doc` puts the figures in docs/performance.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { microcredentialSchema } from '../src/domain/microcredential.js';
import { MemoryLedger } from '../src/ledger/memory.js';
import {
  buildAchievementCredential,
  exportAchievementCredentials,
  generateSigningKey,
  signCredential,
  verifyCredential,
  type AchievementCredential,
  type IssuerConfig,
} from '../src/ob3/index.js';
import { dependencyClosure, packageBytes } from './ob3-closure.js';
import { median, quick, ROOT, round, table } from './lib.js';

const N = quick ? 20 : 300;
const EXPORT_N = quick ? 20 : 200;
const WARMUP = quick ? 3 : 20;
const ISSUER: IssuerConfig = { name: 'Example University', url: 'https://www.example.edu', baseUrl: 'https://badges.example.edu', statusListUrl: 'https://badges.example.edu/status/revocation' };

const microcredential = (() => {
  const { form, badge } = JSON.parse(readFileSync(join(ROOT, 'fixtures/examples/credit-bearing.proposal.json'), 'utf8'));
  const { proposer: _p, rationale: _r, demandEvidence: _d, marketingPlan: _m, ...core } = form;
  return microcredentialSchema.parse({ ...core, badge });
})();

async function ledgerWith(n: number): Promise<MemoryLedger> {
  const ledger = new MemoryLedger();
  await ledger.putTemplate({ microcredentialId: microcredential.id, templateId: 't', fingerprint: 'f', state: 'active', allowDuplicates: false, microcredential, updatedAt: new Date().toISOString() });
  for (let k = 0; k < n; k += 1) {
    const email = `learner${k}@example.edu`;
    await ledger.planAward({
      key: `${microcredential.id}|B${String(k).padStart(8, '0')}`,
      microcredentialId: microcredential.id,
      templateId: 't',
      email,
      earnerId: `B${String(k).padStart(8, '0')}`,
      state: k % 10 === 9 ? 'revoked' : 'issued',
      badgeId: `badge-${k}`,
      credly: { state: 'accepted', changedAt: null, url: `https://www.credly.com/badges/badge-${k}`, seenAt: new Date().toISOString() },
      snapshot: {
        learner: { email, firstName: 'Learner', lastName: `Number${k}` },
        evidence: [
          { kind: 'url', name: 'Portfolio', url: `https://portfolio.example.edu/${k}` },
          { kind: 'assessment', name: 'Final exam', score: 80 + (k % 20), maxScore: 100 },
        ],
        issuedAt: '2026-06-01T12:00:00Z',
        expiresAt: null,
      },
    });
  }
  return ledger;
}

async function timeEach<T>(items: readonly T[], fn: (item: T) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (const item of items) {
    const start = performance.now();
    await fn(item);
    times.push(performance.now() - start);
  }
  return times;
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!;

// 1. Per credential: sign, then verify, one at a time (what export-ob3 and verify-ob3 do).
const loadStart = performance.now();
const key = await generateSigningKey(); // the first call loads the signing stack
const loadStackMs = performance.now() - loadStart;
const ledger = await ledgerWith(N + WARMUP);
const awards = [];
for await (const award of ledger.queryAwards({ state: 'issued' })) awards.push(award);
const unsigned: AchievementCredential[] = awards.map((award, i) => buildAchievementCredential({ award, microcredential, issuer: { ...ISSUER, id: key.controller }, statusListIndex: i }));
const firstSignStart = performance.now();
await signCredential(unsigned[0]!, key);
const firstSignMs = performance.now() - firstSignStart; // the first canonicalization: contexts processed, code warmed
const warm = unsigned.slice(1, WARMUP);
const signedWarm = await Promise.all(warm.map((credential) => signCredential(credential, key)));
for (const credential of signedWarm) await verifyCredential(credential);
const measured = unsigned.slice(WARMUP, WARMUP + N);
const signed: AchievementCredential[] = [];
const signMs = await timeEach(measured, async (credential) => signed.push(await signCredential(credential, key)));
const verifyMs = await timeEach(signed, async (credential) => {
  const result = await verifyCredential(credential);
  if (!result.verified) throw new Error(`bench credential did not verify: ${result.reason}`);
});
const bytes = signed.map((credential) => Buffer.byteLength(JSON.stringify(credential)));

// 2. A whole export from the ledger: every issued award signed, plus the status list.
const exportLedger = await ledgerWith(EXPORT_N);
const exportStart = performance.now();
const exported = await exportAchievementCredentials({ ledger: exportLedger, key, issuer: ISSUER });
const exportSeconds = (performance.now() - exportStart) / 1000;

// 3. Install size: the dependency closure of the package with and without the Open Badges packages.
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const ob3Packages = Object.keys(pkg.dependencies).filter((name) => /^@digital(bazaar|credentials)\//.test(name));
const all = dependencyClosure(ROOT, Object.keys(pkg.dependencies));
const without = dependencyClosure(ROOT, Object.keys(pkg.dependencies).filter((name) => !ob3Packages.includes(name)));
const sum = (dirs: Set<string>) => [...dirs].reduce((total, dir) => total + packageBytes(dir), 0);
const added = new Set([...all].filter((dir) => !without.has(dir)));

const results = {
  date: new Date().toISOString(),
  node: process.version,
  cores: availableParallelism(),
  loadAverage1m: round(loadavg()[0]!, 2),
  quick,
  perCredential: {
    n: N,
    signMsMedian: round(median(signMs), 2),
    signMsP95: round(percentile(signMs, 95), 2),
    verifyMsMedian: round(median(verifyMs), 2),
    verifyMsP95: round(percentile(verifyMs, 95), 2),
    loadStackMs: round(loadStackMs, 1),
    firstSignMs: round(firstSignMs, 1),
    credentialBytesMedian: median(bytes),
  },
  export: { awards: EXPORT_N, credentials: exported.credentials.length, seconds: round(exportSeconds, 2), credentialsPerSecond: round(exported.credentials.length / exportSeconds, 1) },
  install: {
    ob3Packages,
    packagesWithout: without.size,
    bytesWithout: sum(without),
    packagesWith: all.size,
    bytesWith: sum(all),
    packagesAdded: added.size,
    bytesAdded: sum(added),
  },
};

writeFileSync(join(ROOT, 'bench/results', quick ? 'ob3-quick.json' : 'ob3.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(
  table([
    { figure: 'sign, median ms', value: results.perCredential.signMsMedian },
    { figure: 'sign, p95 ms', value: results.perCredential.signMsP95 },
    { figure: 'verify, median ms', value: results.perCredential.verifyMsMedian },
    { figure: 'verify, p95 ms', value: results.perCredential.verifyMsP95 },
    { figure: 'load the signing stack, ms', value: results.perCredential.loadStackMs },
    { figure: 'first sign, ms', value: results.perCredential.firstSignMs },
    { figure: `export of ${EXPORT_N} awards, s`, value: results.export.seconds },
    { figure: 'install added, packages', value: results.install.packagesAdded },
    { figure: 'install added, MB', value: round(results.install.bytesAdded / 1e6, 2) },
  ]),
);
