import type { Command } from 'commander';
import { rename, rm, writeFile } from 'node:fs/promises';
import { programReportHtml } from '../../report/program-report.js';
import { DEFAULT_LEDGER, ledgerTarget } from '../context.js';
import type { CliContext } from '../runtime.js';
import { CliError } from '../errors.js';
import { openLifecycleLedger } from './lifecycle-ledger.js';

/** `report --html <file>`: the program report, one self-contained page. */
export function registerReport(program: Command, ctx: CliContext): void {
  program
    .command('report')
    .description('the program report for the Office of Microcredentials: one self-contained HTML page (charts, no network), from the ledger')
    .requiredOption('--html <file>', 'write the report to this file')
    .option('--title <text>', 'the page title', 'Microcredentials program report')
    .option('--ledger <path>', 'the ledger (a path, file:, or postgres://)', ctx.env.CREDLY_LEDGER ?? DEFAULT_LEDGER)
    .action(async (opts: { html: string; title: string; ledger: string }) => {
      const ledger = await openLifecycleLedger(ledgerTarget(ctx, opts.ledger), { readOnly: true });
      try {
        const html = await programReportHtml(ledger, { title: opts.title });
        const temp = `${ctx.path(opts.html)}.${process.pid}.tmp`;
        try {
          await writeFile(temp, html, 'utf8');
          await rename(temp, ctx.path(opts.html));
        } catch (error) {
          await rm(temp, { force: true });
          throw new CliError(`could not write ${opts.html}: ${(error as Error).message} (check the folder exists and is writable)`);
        }
        ctx.stderr.write(`wrote the program report to ${opts.html} (${Buffer.byteLength(html)} bytes)\n`);
      } finally {
        await ledger.close();
      }
    });
}
