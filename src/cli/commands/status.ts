import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AWARD_STATES, type AwardRecord, type Ledger } from '../../ledger/contract.js';
import { FileLedger } from '../../ledger/file.js';
import { ledgerKind } from '../../ledger/open.js';
import type { CliContext } from '../runtime.js';
import { clientFrom, DEFAULT_LEDGER, ledgerTarget, openLedger } from '../context.js';
import { TOKEN_WARNING_DAYS } from './doctor.js';
import { CliError, EXIT } from '../errors.js';
import { describeSystemError } from '../system-errors.js';
import { runPendingStatus } from './status-pending.js';

/**
 * Opens the ledger for reading: a file ledger without its lease, so status works while a job runs;
 * a PostgreSQL ledger read-only, so that a mistyped schema is refused instead of created.
 */
async function openForStatus(target: string, shown: string): Promise<Ledger> {
  if (ledgerKind(target) !== 'file') return openLedger(target, {}, { readOnly: true });
  const path = target.startsWith('file:') ? fileURLToPath(target) : target;
  if (!existsSync(path)) throw new CliError(`no ledger at ${shown}: nothing has been issued with it (pass --ledger)`, EXIT.couldNotRun, 'LEDGER_NOT_FOUND');
  try {
    return await FileLedger.readOnly(path);
  } catch (error) {
    const system = describeSystemError(Object.assign(Object.create(error as object) as object, { path: undefined }));
    if (system) throw new CliError(`the ledger ${shown}: ${system.message} (--ledger or CREDLY_LEDGER)`, EXIT.couldNotRun, `LEDGER_${system.code}`);
    throw new CliError(error instanceof Error ? error.message : String(error), EXIT.couldNotRun, (error as { code?: string }).code ?? 'LEDGER_UNREADABLE');
  }
}

/**
 * When Credly credentials are configured, warns (on stderr) if the authorization token expires
 * within 30 days. Status itself reads only the ledger: an unreachable Credly is not its failure.
 */
async function warnOfTokenExpiry(ctx: CliContext): Promise<void> {
  if (!ctx.env.CREDLY_API_TOKEN && !ctx.env.CREDLY_AUTH_TOKEN) return;
  let client;
  try {
    client = clientFrom({}, ctx.env, ctx);
  } catch {
    return;
  }
  try {
    // One short try: status must not hang on a Credly it cannot reach.
    const expiry = await client.authorizationTokens.expiry(new Date(), { timeoutMs: 5_000, maxRetries: 0 });
    if (expiry.status !== 'token' || expiry.daysLeft === null || !expiry.expiresAt) return;
    const day = expiry.expiresAt.toISOString().slice(0, 10);
    if (expiry.daysLeft < 0) ctx.stderr.write(`warning: the Credly token expired on ${day}: create a new one in Credly and update CREDLY_API_TOKEN\n`);
    else if (expiry.daysLeft < TOKEN_WARNING_DAYS) ctx.stderr.write(`warning: the Credly token expires in ${expiry.daysLeft} day(s), on ${day}: create a new one and update CREDLY_API_TOKEN (credly-microcredentials doctor)\n`);
  } catch {
    // Credly unreachable or the token unreadable: doctor says why; status is about the ledger.
  } finally {
    client.close();
  }
}

/** `status`: what was issued, what failed and why, what is still pending; streamed, whatever the ledger's size. */
export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('what the ledger says: issued, failed (and why), pending; exit 0 all settled, 2 some failed, 3 some unfinished, 1 no ledger')
    .option('--ledger <path|url>', 'the ledger: a file path, or postgres://… (CREDLY_LEDGER)', ctx.env.CREDLY_LEDGER ?? DEFAULT_LEDGER)
    .option('--json', 'print JSON')
    .option('--limit <n>', 'list at most this many failed and pending awards (all by default)', (v: string) => Number(v))
    .option('--pending', 'list learners whose badge is not accepted yet, with email and age (after reconcile)')
    .option('--older-than <age>', 'with --pending: only badges pending longer than this, e.g. 14d')
    .option('--format <format>', 'with --pending: text, json or csv (a mail merge list)')
    .action(async (opts: { ledger: string; json?: boolean; limit?: number; pending?: boolean; olderThan?: string; format?: string }) => {
      if (opts.pending) return runPendingStatus(ctx, { ledger: ledgerTarget(ctx, opts.ledger), olderThan: opts.olderThan, format: opts.format ?? (opts.json ? 'json' : 'text') });
      const ledger = await openForStatus(ledgerTarget(ctx, opts.ledger), opts.ledger);
      const out = (text: string) => ctx.stdout.write(text);
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
            const held = a.lease && Date.parse(a.lease.until) > Date.now() ? ` (worker ${a.lease.owner} holds it until ${a.lease.until})` : a.state === 'issuing' ? ' (the next issue run looks it up first)' : '';
            out(`  pending ${a.email} (${a.key}): ${a.state}${held}\n`);
          }
        }
        await warnOfTokenExpiry(ctx);
        // For a scheduler's health check: 2 something failed (read why above), 3 something is unfinished (run issue again).
        ctx.exitCode = counts.failed ? EXIT.someFailed : counts.planned || counts.issuing ? EXIT.unfinished : EXIT.ok;
      } finally {
        await ledger.close();
      }
    });
}
