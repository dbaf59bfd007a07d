import type { Command } from 'commander';
import type { CliContext } from '../runtime.js';
import { DEFAULT_LEDGER, openLedger } from '../context.js';
import { EXIT } from '../errors.js';
import { numberOption } from '../options.js';

/** `compact-ledger`: rewrite the journal with the current state only (takes the lock). */
export function registerCompactLedger(program: Command, ctx: CliContext): void {
  program
    .command('compact-ledger')
    .description('rewrite the ledger with only its current records (and webhook events of the last days), atomically')
    .option('--ledger <path>', 'the ledger file', ctx.env.CREDLY_LEDGER ?? DEFAULT_LEDGER)
    .option('--keep-events-days <n>', 'keep processed webhook events this many days (Credly redelivers for 25)', numberOption('--keep-events-days', { min: 0 }), 30)
    .action(async (opts: { ledger: string; keepEventsDays: number }) => {
      const ledger = await openLedger(ctx.path(opts.ledger));
      try {
        const { linesBefore, linesAfter } = await ledger.compact({ keepEventsDays: opts.keepEventsDays });
        ctx.stdout.write(`compacted ${opts.ledger}: ${linesBefore} lines → ${linesAfter}\n`);
        ctx.exitCode = EXIT.ok;
      } finally {
        await ledger.close();
      }
    });
}
