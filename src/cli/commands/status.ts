import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { AWARD_STATES, type AwardRecord } from '../../issuance/ledger.js';
import { FileLedger } from '../../issuance/file-ledger.js';
import { DEFAULT_LEDGER } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { runPendingStatus } from './status-pending.js';

/** `status`: what was issued, what failed and why, what is still pending. */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('what the ledger says: issued, failed (and why), pending; exit 2 when something failed or is pending')
    .option('--ledger <path>', 'the ledger file', process.env.CREDLY_LEDGER ?? DEFAULT_LEDGER)
    .option('--json', 'print JSON')
    .option('--pending', 'list learners whose badge is not accepted yet, with email and age (after reconcile)')
    .option('--older-than <age>', 'with --pending: only badges pending longer than this, e.g. 14d')
    .option('--format <format>', 'with --pending: text, json or csv (a mail merge list)')
    .action(async (opts: { ledger: string; json?: boolean; pending?: boolean; olderThan?: string; format?: string }) => {
      if (opts.pending) return runPendingStatus({ ledger: opts.ledger, olderThan: opts.olderThan, format: opts.format ?? (opts.json ? 'json' : 'text') });
      if (!existsSync(opts.ledger)) throw new CliError(`no ledger at ${opts.ledger}: nothing has been issued with it (pass --ledger)`);
      // Read-only, without the lock: status works while a job is running.
      const ledger = await FileLedger.readOnly(opts.ledger).catch((error: unknown) => {
        throw new CliError(error instanceof Error ? error.message : String(error));
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
          process.stdout.write(`${JSON.stringify({ ledger: opts.ledger, counts, byMicrocredential: Object.fromEntries(byMicro), templates, failed: failed.map(brief), pending: pending.map(brief) }, null, 2)}\n`);
        } else {
          process.stdout.write(`ledger ${opts.ledger}: ${awards.length} award(s)\n`);
          process.stdout.write(`  ${AWARD_STATES.map((s) => `${s} ${counts[s]}`).join(', ')}\n`);
          for (const t of templates) process.stdout.write(`  template ${t.microcredentialId}: ${t.templateId} (${t.state}${t.unusableReason ? `: ${t.unusableReason}` : ''})\n`);
          for (const [id, row] of byMicro) process.stdout.write(`  ${id}: issued ${row.issued}, failed ${row.failed}, pending ${(row.issuing ?? 0) + (row.planned ?? 0)}, revoked ${row.revoked}, replaced ${row.replaced}\n`);
          for (const a of failed) process.stdout.write(`  failed  ${a.email} (${a.key}) after ${a.attempts} attempt(s): ${a.lastError ?? 'no reason recorded'}\n`);
          for (const a of pending) process.stdout.write(`  pending ${a.email} (${a.key}): ${a.state}${a.state === 'issuing' ? ' (the next issue run looks it up first)' : ''}\n`);
        }
        process.exitCode = failed.length || pending.length ? EXIT.someFailed : EXIT.ok;
      } finally {
        await ledger.close();
      }
    });
}
