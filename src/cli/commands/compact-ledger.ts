import type { Command } from 'commander';
import { DEFAULT_LEDGER, openLedger } from '../context.js';
import { EXIT } from '../errors.js';
import { numberOption } from '../options.js';

/** `compact-ledger`: rewrite the journal with the current state only (takes the lock). */
export function registerCompactLedger(program: Command): void {
  program
    .command('compact-ledger')
    .description('rewrite the ledger with only its current records (and webhook events of the last days), atomically')
    .option('--ledger <path>', 'the ledger file', process.env.CREDLY_LEDGER ?? DEFAULT_LEDGER)
    .option('--keep-events-days <n>', 'keep processed webhook events this many days (Credly redelivers for 25)', numberOption('--keep-events-days', { min: 0 }), 30)
    .action(async (opts: { ledger: string; keepEventsDays: number }) => {
      const ledger = await openLedger(opts.ledger);
      try {
        const { linesBefore, linesAfter } = await ledger.compact({ keepEventsDays: opts.keepEventsDays });
        process.stdout.write(`compacted ${opts.ledger}: ${linesBefore} lines → ${linesAfter}\n`);
        process.exitCode = EXIT.ok;
      } finally {
        await ledger.close();
      }
    });
}
