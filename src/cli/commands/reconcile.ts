import type { Command } from 'commander';
import { reconcile, type ReconcileReport } from '../../lifecycle/reconcile.js';
import { clientFrom, DEFAULT_LEDGER, ledgerTarget, verifyCredentials, withCredlyOptions, type CredlyFlags } from '../context.js';
import type { CliContext } from '../runtime.js';
import { EXIT } from '../errors.js';
import { numberOption } from '../options.js';
import { openLifecycleLedger } from './lifecycle-ledger.js';

interface ReconcileFlags extends CredlyFlags {
  readonly ledger: string;
  readonly microcredential?: string;
  readonly dryRun?: boolean;
  readonly adopt: boolean;
  readonly pageDelay: number;
  readonly json?: boolean;
}

/** `reconcile`: the ledger learns what learners did with their badges, without webhooks. */
export function registerReconcile(program: Command, ctx: CliContext): void {
  withCredlyOptions(
    program
      .command('reconcile')
      .description("bring the ledger in line with Credly: each badge's state (pending, accepted, rejected, revoked), badges issued outside the ledger, drift both ways; exit 2 on drift")
      .option('--ledger <path>', 'the ledger (a path, file:, or postgres://)', ctx.env.CREDLY_LEDGER ?? DEFAULT_LEDGER)
      .option('--microcredential <id>', "only this microcredential's template")
      .option('--dry-run', 'read Credly and report; change nothing in the ledger')
      .option('--no-adopt', 'report badges issued outside the ledger instead of recording them')
      .option('--page-delay <ms>', 'wait between page requests', numberOption('--page-delay', { min: 0, max: 60_000 }), 200)
      .option('--json', 'print the report as JSON'),
  ).action(async (opts: ReconcileFlags) => {
    const client = clientFrom(opts, ctx.env, ctx);
    const ledger = await openLifecycleLedger(ledgerTarget(ctx, opts.ledger), { readOnly: opts.dryRun === true });
    const controller = new AbortController();
    // A signal stops paging; what was read is recorded, and a re-run goes on.
    const stop = () => controller.abort();
    if (ctx.signal.aborted) stop();
    else ctx.signal.addEventListener('abort', stop, { once: true });
    try {
      const { environment, baseUrl } = client.config;
      ctx.stderr.write(`Reading ${environment === 'production' ? 'PRODUCTION Credly' : environment === 'sandbox' ? 'the Credly sandbox' : 'a custom Credly'} (${baseUrl}), organization ${client.organizationId}\n`);
      // Credentials Credly refuses are a run that could not happen (exit 1), not a failure per template.
      await verifyCredentials(client);
      const report = await reconcile({
        client,
        ledger,
        dryRun: opts.dryRun === true,
        adopt: opts.adopt,
        pageDelayMs: opts.pageDelay,
        signal: controller.signal,
        ...(opts.microcredential ? { microcredentialId: opts.microcredential } : {}),
      });
      ctx.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : describe(report));
      const drift = report.totals.missingOnCredly + report.totals.unknownOnCredly + report.totals.failures;
      ctx.exitCode = report.stoppedBecause || drift > 0 ? EXIT.someFailed : EXIT.ok;
    } finally {
      ctx.signal.removeEventListener('abort', stop);
      client.close();
      await ledger.close();
    }
  });
}

/** The report for people: totals first, then each drift with its reason. */
export function describe(report: ReconcileReport): string {
  const t = report.totals;
  const lines = [`reconcile${report.dryRun ? ' (dry run: nothing written)' : ''}: ${report.templates.length} template(s), ${t.pages} page(s), ${t.badges} badge(s) on Credly`];
  const to = new Map<string, number>();
  for (const change of report.changes) to.set(change.to, (to.get(change.to) ?? 0) + 1);
  lines.push(`  state changes recorded: ${t.changed}${to.size ? ` (${[...to].map(([s, n]) => `${s} ${n}`).join(', ')})` : ''}; unchanged ${t.unchanged}`);
  lines.push(`  adopted (issued outside this ledger): ${t.adopted}`);
  for (const a of report.adopted) lines.push(`    ${a.key}  badge ${a.badgeId}  ${a.email}  (${a.how})`);
  lines.push(`  in the ledger, not on Credly: ${t.missingOnCredly}`);
  for (const d of report.missingOnCredly) lines.push(`    ${d.key ?? '?'}  badge ${d.badgeId ?? '?'}: ${d.reason}`);
  lines.push(`  on Credly, not recorded here: ${t.unknownOnCredly}`);
  for (const d of report.unknownOnCredly) lines.push(`    badge ${d.badgeId ?? '?'}  ${d.email ?? ''}: ${d.reason}`);
  if (t.failures) {
    lines.push(`  failures: ${t.failures}`);
    for (const f of report.failures) lines.push(`    ${f.key ?? f.templateId ?? ''}: ${f.reason}`);
  }
  if (report.stoppedBecause) lines.push(`  stopped: ${report.stoppedBecause} (run it again: reconcile is idempotent)`);
  return `${lines.join('\n')}\n`;
}
