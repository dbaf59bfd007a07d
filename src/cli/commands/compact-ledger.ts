import type { Command } from 'commander';
import { FileLedger } from '../../ledger/file.js';
import { openLedger, withLedgerOptions, type LockFlags } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { numberOption } from '../options.js';

/** `compact-ledger`: rewrite the file ledger's journal with the current state only (takes its lease). */
export function registerCompactLedger(program: Command): void {
  withLedgerOptions(program
    .command('compact-ledger')
    .description('rewrite the file ledger with only its current records (and webhook events of the last days), atomically'))
    .option('--keep-events-days <n>', 'keep processed webhook events this many days (Credly redelivers for 25)', numberOption('--keep-events-days', { min: 0 }), 30)
    .action(async (opts: LockFlags & { ledger: string; keepEventsDays: number }) => {
      const ledger = await openLedger(opts.ledger, opts);
      try {
        if (!(ledger instanceof FileLedger)) throw new CliError(`compact-ledger works on a file ledger; ${ledger.location} is a ${ledger.kind} ledger, which needs no compaction`);
        const { recordsBefore, recordsAfter, bytesBefore, bytesAfter } = await ledger.compact({ keepEventsDays: opts.keepEventsDays });
        process.stdout.write(`compacted ${opts.ledger}: ${recordsBefore} records (${bytesBefore} bytes) → ${recordsAfter} (${bytesAfter} bytes)\n`);
        process.exitCode = EXIT.ok;
      } finally {
        await ledger.close();
      }
    });
}
