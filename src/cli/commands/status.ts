import type { Command } from 'commander';
import { AWARD_STATES, type AwardRecord, type Ledger } from '../../ledger/contract.js';
import { FileLedger } from '../../ledger/file.js';
import { ledgerKind } from '../../ledger/open.js';
import { DEFAULT_LEDGER, openLedger } from '../context.js';
import { CliError, EXIT } from '../errors.js';

/** Opens the ledger for reading: a file ledger without its lease, so status works while a job runs. */
async function openForStatus(target: string): Promise<Ledger> {
  if (ledgerKind(target) !== 'file') return openLedger(target);
  try {
    return await FileLedger.readOnly(target.startsWith('file:') ? new URL(target).pathname : target);
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
}

/** `status`: what was issued, what failed and why, what is still pending; streamed, whatever the ledger's size. */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('what the ledger says: issued, failed (and why), pending; exit 2 when something failed or is pending')
    .option('--ledger <path|url>', 'the ledger: a file path, or postgres://… (CREDLY_LEDGER)', process.env.CREDLY_LEDGER ?? DEFAULT_LEDGER)
    .option('--json', 'print JSON')
    .option('--limit <n>', 'list at most this many failed and pending awards (all by default)', (v: string) => Number(v))
    .action(async (opts: { ledger: string; json?: boolean; limit?: number }) => {
      const ledger = await openForStatus(opts.ledger);
      const out = (text: string) => process.stdout.write(text);
      try {
        const counts = await ledger.countAwards();
        const total = AWARD_STATES.reduce((sum, state) => sum + counts[state], 0);
        const templates = await ledger.listTemplates();
        const byMicro: Record<string, Record<string, number>> = {};
        const micros = new Set(templates.map((t) => t.microcredentialId));
        for (const id of micros) byMicro[id] = { ...(await ledger.countAwards({ microcredentialId: id })) };
        const runs = await ledger.listRuns({ limit: 5 });
        const limit = opts.limit !== undefined && Number.isFinite(opts.limit) ? { limit: opts.limit } : {};
        const failed = ledger.queryAwards({ state: 'failed', ...limit });
        const pending = ledger.queryAwards({ state: ['planned', 'issuing'], ...limit });
        if (opts.json) {
          const brief = (a: AwardRecord) => ({ key: a.key, email: a.email, state: a.state, attempts: a.attempts, badgeId: a.badgeId, lastError: a.lastError, lease: a.lease, credly: a.credly ?? null, updatedAt: a.updatedAt });
          out(`{"ledger":${JSON.stringify(ledger.location)},"counts":${JSON.stringify(counts)},"byMicrocredential":${JSON.stringify(byMicro)},"templates":${JSON.stringify(templates.map(({ microcredential: _m, ...t }) => t))},"runs":${JSON.stringify(runs)},"failed":[`);
          let first = true;
          for await (const a of failed) {
            out(`${first ? '' : ','}${JSON.stringify(brief(a))}`);
            first = false;
          }
          out('],"pending":[');
          first = true;
          for await (const a of pending) {
            out(`${first ? '' : ','}${JSON.stringify(brief(a))}`);
            first = false;
          }
          out(']}\n');
        } else {
          out(`ledger ${ledger.location}: ${total} award(s)\n`);
          out(`  ${AWARD_STATES.map((s) => `${s} ${counts[s]}`).join(', ')}\n`);
          for (const t of templates) out(`  template ${t.microcredentialId}: ${t.templateId} (${t.state}${t.unusableReason ? `: ${t.unusableReason}` : ''})\n`);
          for (const [id, row] of Object.entries(byMicro)) out(`  ${id}: issued ${row.issued}, failed ${row.failed}, pending ${(row.issuing ?? 0) + (row.planned ?? 0)}, revoked ${row.revoked}, replaced ${row.replaced}\n`);
          for (const run of runs) {
            const t = run.totals;
            out(`  run ${run.startedAt} (${run.owner}): issued ${t.issued ?? 0}, already ${t['already-issued'] ?? 0}, failed ${t.failed ?? 0}, invalid ${t.invalid ?? 0}${run.stoppedBecause ? `; stopped: ${run.stoppedBecause}` : ''}\n`);
          }
          for await (const a of failed) out(`  failed  ${a.email} (${a.key}) after ${a.attempts} attempt(s): ${a.lastError ?? 'no reason recorded'}\n`);
          for await (const a of pending) {
            const held = a.lease && Date.parse(a.lease.until) > Date.now() ? ` (a worker holds it until ${a.lease.until})` : a.state === 'issuing' ? ' (the next issue run looks it up first)' : '';
            out(`  pending ${a.email} (${a.key}): ${a.state}${held}\n`);
          }
        }
        process.exitCode = counts.failed || counts.planned || counts.issuing ? EXIT.someFailed : EXIT.ok;
      } finally {
        await ledger.close();
      }
    });
}
