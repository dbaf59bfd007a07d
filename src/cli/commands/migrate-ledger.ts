import type { Command } from 'commander';
import type { Ledger } from '../../ledger/contract.js';
import { copyLedger } from '../../ledger/copy.js';
import { LedgerError } from '../../ledger/errors.js';
import { openLedger } from '../../ledger/open.js';
import { CliError, EXIT } from '../errors.js';
import { ledgerTarget } from '../context.js';
import type { CliContext } from '../runtime.js';

/**
 * `migrate-ledger <from> <to>`: copies a ledger (a file, typically) into another (PostgreSQL,
 * typically). Idempotent: run it again and it copies only what is missing.
 */
export function registerMigrateLedger(program: Command, ctx: CliContext): void {
  program
    .command('migrate-ledger')
    .description('copy every award, template, webhook event and run of a ledger into another, e.g. a file ledger into postgres://… (safe to run again)')
    .argument('<from>', 'the ledger to copy: a file path (or file:, memory:)')
    .argument('<to>', 'the ledger to copy into: postgres://user:password@host:5432/database?schema=…')
    .option('--schema <name>', 'the PostgreSQL schema of <to> (default: ?schema= in the URL, else credly_ledger)')
    .action(async (from: string, to: string, opts: { schema?: string }) => {
      if (from === to) throw new CliError('migrate-ledger: <from> and <to> are the same ledger: name another target');
      const source = await open(ledgerTarget(ctx, from), {});
      let target: Ledger | undefined;
      try {
        target = await open(ledgerTarget(ctx, to), opts.schema ? { schema: opts.schema } : {});
        const report = await copyLedger(source, target).catch((error: unknown) => {
          throw error instanceof LedgerError ? new CliError(`migrate-ledger: ${error.message}`) : error;
        });
        ctx.stdout.write(
          `copied ${source.location} into ${target.location}: ` +
            `${report.awards.copied} award(s) (${report.awards.present} already there), ` +
            `${report.templates.copied} template(s) (${report.templates.present} already there), ` +
            `${report.events.copied} webhook event(s) (${report.events.present} already there), ${report.runs} run(s)\n`,
        );
        ctx.exitCode = EXIT.ok;
      } finally {
        await target?.close();
        await source.close();
      }
    });
}

async function open(target: string, options: { schema?: string }): Promise<Ledger> {
  try {
    return await openLedger(target, options);
  } catch (error) {
    // Ledger errors never carry a password (PostgreSQL's are scrubbed): one line is enough.
    if (error instanceof LedgerError) throw new CliError(`migrate-ledger: ${error.message}`);
    throw error;
  }
}
