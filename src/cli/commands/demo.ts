import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { CredlyClient } from '../../credly/client.js';
import { createApprovalRecord, transition, type ApprovalAction, type ApprovalRecord, type ApprovalRole } from '../../domain/approval.js';
import { learnerFullName } from '../../domain/learner.js';
import { parseProposal } from '../../domain/parse.js';
import { microcredentialFromProposal } from '../../domain/proposal.js';
import { FileLedger } from '../../ledger/file.js';
import { issueBadges, type MicrocredentialEntry } from '../../issuance/executor.js';
import { formatReport } from '../../issuance/report.js';
import { readRosterFile } from '../../issuance/roster.js';
import { syncTemplates } from '../../issuance/template-sync.js';
import { startFakeCredly } from '../../testing/fake-credly/server.js';
import { EXIT } from '../errors.js';
import { readJson } from '../microcredential-files.js';
import { progressReporter } from '../progress.js';
import { countRosterRows } from './issue.js';

/** The examples ship with the package (fixtures/examples); found from the source or the build. */
function examplesDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidates = [resolve(here, '../../../fixtures/examples'), resolve(here, '../fixtures/examples'), resolve('fixtures/examples')];
  return candidates.find((dir) => existsSync(join(dir, 'roster.csv'))) ?? candidates[2]!;
}

const out = (line = '') => process.stdout.write(`${line}\n`);

/** `demo`: the whole job against an in-process fake Credly, no account needed. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the whole job against an embedded fake Credly: approve, sync the template, issue a roster, run it again')
    .option('--roster <file>', 'a roster to issue (the example roster by default)')
    .option('--latency-ms <n>', 'latency of the fake Credly per request', (v) => Number(v), 2)
    .action(async (opts: { roster?: string; latencyMs: number }) => {
      const dir = examplesDir();
      const roster = opts.roster ?? join(dir, 'roster.csv');
      const work = mkdtempSync(join(tmpdir(), 'credly-demo-'));
      const fake = await startFakeCredly({ seed: 2026, latencyMs: { base: opts.latencyMs, jitter: opts.latencyMs } });
      const { credentials, options } = fake.clientConfig();
      const client = new CredlyClient(credentials, { ...options, retryTiming: { baseDelayMs: 20 } });
      try {
        out(`credly-microcredentials demo: an embedded fake Credly at ${fake.url} (no account needed)`);
        out();
        out('1. Proposals (three steps: form, badge metadata, learners)');
        const entries: MicrocredentialEntry[] = [];
        for (const name of ['credit-bearing', 'non-credit']) {
          const proposal = parseProposal(await readJson(join(dir, `${name}.proposal.json`)));
          const micro = microcredentialFromProposal(proposal);
          const credit = micro.credit ? `, ${micro.credit.credits} credits in ${micro.credit.courses.length} courses` : '';
          out(`   ${micro.title}: ${micro.type}${credit}; ${micro.competencies.length} NACE competencies; badge "${micro.badge.name}" with ${micro.badge.skills.length} skills; ${proposal.learners.awardees.length} learners listed (${proposal.learners.awardees.map((a) => learnerFullName(a.learner)).join(', ')})`);
          let approval: ApprovalRecord = createApprovalRecord(micro.id);
          const steps: Array<[ApprovalAction, ApprovalRole, string, string?]> = [
            ['submit', 'proposer', proposal.form.proposer.name],
            ['begin_review', 'faculty', 'Faculty curriculum committee'],
            ['approve', 'faculty', 'Faculty curriculum committee'],
            ...(name === 'credit-bearing'
              ? ([
                  ['return_for_revision', 'department', 'Department chair', 'Please state how the portfolio is assessed.'],
                  ['submit', 'proposer', proposal.form.proposer.name, 'Added the 80 % rubric threshold.'],
                  ['begin_review', 'faculty', 'Faculty curriculum committee'],
                  ['approve', 'faculty', 'Faculty curriculum committee'],
                ] as Array<[ApprovalAction, ApprovalRole, string, string?]>)
              : []),
            ['approve', 'department', 'Department chair'],
            ['approve', 'office', 'Office of Microcredentials'],
          ];
          let day = 1;
          for (const [action, role, actor, comment] of steps) {
            approval = transition(approval, { action, role, actor: { name: actor }, at: `2026-02-${String(day++).padStart(2, '0')}T10:00:00-05:00`, ...(comment ? { comment } : {}) });
          }
          if (name === 'credit-bearing') {
            out(`2. Approval of ${micro.title}:`);
            for (const h of approval.history) out(`   ${h.at.slice(0, 10)} ${h.from} → ${h.to} (${h.action} by ${h.actor.name}, ${h.role})${h.comment ? `: "${h.comment}"` : ''}`);
          }
          entries.push({ microcredential: micro, approval });
        }
        out();
        const ledgerPath = join(work, 'awards.ledger');
        let ledger = await FileLedger.open(ledgerPath);
        out('3. Credly badge templates');
        for (const r of await syncTemplates(entries, { client, ledger })) out(`   ${r.microcredentialId}: ${r.action} (template ${r.templateId})`);
        out();
        // A few of the failures a real job meets, injected into the fake: the engine must still issue each badge once.
        fake.injectFault({ route: 'POST /badges', kind: 'reset-after-commit', count: 3 });
        fake.injectFault({ route: 'POST /badges', kind: 'error-5xx', status: 503, count: 3 });
        fake.injectFault({ route: 'POST /badges', kind: 'rate-limit', retryAfterSeconds: null, count: 2 });
        const total = await countRosterRows(roster);
        out(`4. Issuing ${roster} (${total} rows), with 3 connection resets after a badge was created, 3 503s and 2 429s injected`);
        const progress = progressReporter(total, process.stderr);
        const first = await issueBadges(readRosterFile(roster), { client, ledger, microcredentials: entries, suppressNotifications: true, onProgress: progress.onProgress, retryDelayMs: 20 });
        progress.stop();
        out(formatReport(first, { maxLines: 20 }));
        out();
        await ledger.close();
        ledger = await FileLedger.open(ledgerPath);
        out('5. The same job again (a re-run, or a retry by the scheduler)');
        const second = await issueBadges(readRosterFile(roster), { client, ledger, microcredentials: entries, suppressNotifications: true });
        await ledger.close();
        out(formatReport(second, { maxLines: 0 }));
        out();
        const stats = fake.stats();
        out(`On the fake Credly: ${stats.badges} badges for ${first.totals.issued + first.totals['already-issued']} learners issued, ${stats.duplicates} duplicates; POST /badges requests: ${stats.requests['POST /badges'] ?? 0} over both runs (the second run sent ${second.totals.issued}).`);
        const ok = stats.duplicates === 0 && second.totals.issued === 0 && stats.badges === first.totals.issued + first.totals['already-issued'];
        out(ok ? 'Every badge was issued exactly once.' : 'UNEXPECTED: the fake Credly does not hold exactly one badge per learner.');
        process.exitCode = ok ? EXIT.ok : EXIT.someFailed;
      } finally {
        client.close();
        await fake.stop();
        rmSync(work, { recursive: true, force: true });
      }
    });
}
