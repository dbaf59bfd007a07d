import type { Command } from 'commander';
import type { CliContext } from '../runtime.js';
import { syncTemplates } from '../../issuance/template-sync.js';
import { announceTarget, clientFrom, verifyCredentials, DEFAULT_LEDGER, ledgerTarget, openLedger, withCredlyOptions, type CredlyFlags } from '../context.js';
import { EXIT } from '../errors.js';
import { loadMicrocredentialFile } from '../microcredential-files.js';

/** `sync-templates <files…>`: create or update the Credly templates of approved microcredentials. */
export function registerSyncTemplates(program: Command, ctx: CliContext): void {
  withCredlyOptions(program
    .command('sync-templates')
    .description('create or update the Credly badge templates of approved microcredentials (archive retired ones)'))
    .argument('<files...>', 'microcredential or proposal JSON files, each with its "approval" record')
    .option('--ledger <path>', 'the ledger file', ctx.env.CREDLY_LEDGER ?? DEFAULT_LEDGER)
    .option('--dry-run', 'show what would change, and change nothing')
    .option('--assume-approved', 'treat files without an approval record as approved')
    .option('--json', 'print the results as JSON')
    .action(async (files: string[], opts: CredlyFlags & { ledger: string; dryRun?: boolean; assumeApproved?: boolean; json?: boolean }) => {
      const entries = [];
      for (const file of files) entries.push(await loadMicrocredentialFile(ctx.path(file), { assumeApproved: opts.assumeApproved ?? false }));
      const client = clientFrom(opts, ctx.env, ctx);
      await verifyCredentials(client);
      const ledger = await openLedger(ledgerTarget(ctx, opts.ledger));
      try {
        if (!opts.dryRun) announceTarget(client, ctx.stderr);
        const results = await syncTemplates(entries, { client, ledger, dryRun: opts.dryRun ?? false });
        if (opts.json) ctx.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
        else {
          for (const r of results) {
            const would = r.dryRun && !['unchanged', 'skipped', 'failed'].includes(r.action) ? 'would be ' : '';
            const fields = r.changedFields?.length ? ` (${r.changedFields.join(', ')})` : '';
            ctx.stdout.write(`${r.microcredentialId}: ${would}${r.action}${fields}${r.templateId ? ` template ${r.templateId}` : ''}${r.reason ? `: ${r.reason}` : ''}\n`);
          }
        }
        ctx.exitCode = results.some((r) => r.action === 'failed') ? EXIT.someFailed : EXIT.ok;
      } finally {
        await ledger.close();
        client.close();
      }
    });
}
