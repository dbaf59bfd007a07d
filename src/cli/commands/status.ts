import type { Command } from 'commander';
import type { CliContext } from '../runtime.js';
import { existsSync } from 'node:fs';
import { AWARD_STATES, type AwardRecord } from '../../issuance/ledger.js';
import { FileLedger } from '../../issuance/file-ledger.js';
import { DEFAULT_LEDGER } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { describeSystemError } from '../system-errors.js';

/** `status`: what was issued, what failed and why, what is still pending. */
export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('what the ledger says: issued, failed (and why), pending; exit 0 all settled, 2 some failed, 3 some unfinished, 1 no ledger')
    .option('--ledger <path>', 'the ledger file', ctx.env.CREDLY_LEDGER ?? DEFAULT_LEDGER)
    .option('--json', 'print JSON')
    .action(async (opts: { ledger: string; json?: boolean }) => {
      const path = ctx.path(opts.ledger);
      if (!existsSync(path)) throw new CliError(`no ledger at ${opts.ledger}: nothing has been issued with it (pass --ledger)`, EXIT.couldNotRun, 'LEDGER_NOT_FOUND');
      // Read-only, without the lock: status works while a job is running.
      const ledger = await FileLedger.readOnly(path).catch((error: unknown) => {
        const system = describeSystemError(Object.assign(Object.create(error as object) as object, { path: undefined }));
        if (system) throw new CliError(`the ledger ${opts.ledger}: ${system.message} (--ledger or CREDLY_LEDGER)`, EXIT.couldNotRun, `LEDGER_${system.code}`);
        throw new CliError(error instanceof Error ? error.message : String(error), EXIT.couldNotRun, (error as { code?: string }).code ?? 'LEDGER_UNREADABLE');
      });
      try {
        const awards = [...ledger.awards()];
        const counts = Object.fromEntries(AWARD_STATES.map((s) => [s, awards.filter((a) => a.state === s).length]));
        const byMicro = new Map<string, Record<string, number>>();
        for (const a of awards) {
          const row = byMicro.get(a.microcredentialId) ?? Object.fromEntries(AWARD_STATES.map((s) => [s, 0]));
          row[a.state] = (row[a.state] ?? 0) + 1;
          byMicro.set(a.microcredentialId, row);
        }
        const failed = awards.filter((a) => a.state === 'failed');
        const pending = awards.filter((a) => a.state === 'issuing' || a.state === 'planned');
        const templates = [...ledger.templates()];
        if (opts.json) {
          const brief = (a: AwardRecord) => ({ key: a.key, email: a.email, state: a.state, attempts: a.attempts, badgeId: a.badgeId, lastError: a.lastError, updatedAt: a.updatedAt });
          ctx.stdout.write(`${JSON.stringify({ ledger: opts.ledger, counts, byMicrocredential: Object.fromEntries(byMicro), templates, failed: failed.map(brief), pending: pending.map(brief) }, null, 2)}\n`);
        } else {
          ctx.stdout.write(`ledger ${opts.ledger}: ${awards.length} award(s)\n`);
          ctx.stdout.write(`  ${AWARD_STATES.map((s) => `${s} ${counts[s]}`).join(', ')}\n`);
          for (const t of templates) ctx.stdout.write(`  template ${t.microcredentialId}: ${t.templateId} (${t.state}${t.unusableReason ? `: ${t.unusableReason}` : ''})\n`);
          for (const [id, row] of byMicro) ctx.stdout.write(`  ${id}: issued ${row.issued}, failed ${row.failed}, pending ${(row.issuing ?? 0) + (row.planned ?? 0)}, revoked ${row.revoked}, replaced ${row.replaced}\n`);
          for (const a of failed) ctx.stdout.write(`  failed  ${a.email} (${a.key}) after ${a.attempts} attempt(s): ${a.lastError ?? 'no reason recorded'}\n`);
          for (const a of pending) ctx.stdout.write(`  pending ${a.email} (${a.key}): ${a.state}${a.state === 'issuing' ? ' (the next issue run looks it up first)' : ''}\n`);
        }
        // For a scheduler's health check: 2 something failed (read why above), 3 something is unfinished (run issue again).
        ctx.exitCode = failed.length ? EXIT.someFailed : pending.length ? EXIT.unfinished : EXIT.ok;
      } finally {
        await ledger.close();
      }
    });
}
