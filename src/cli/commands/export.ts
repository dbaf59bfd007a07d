import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { exportAwards, type ExportFormat } from '../../lifecycle/export.js';
import { DEFAULT_LEDGER, ledgerTarget } from '../context.js';
import type { CliContext } from '../runtime.js';
import { CliError } from '../errors.js';
import { openLifecycleLedger } from './lifecycle-ledger.js';

const FORMATS: readonly ExportFormat[] = ['csv', 'jsonl'];

/** `export`: the registrar's file, one row per award (docs/lifecycle.md lists the columns). */
export function registerExport(program: Command, ctx: CliContext): void {
  program
    .command('export')
    .description("the registrar's export: one row per award with student id, name, email, microcredential, type, credits, NACE competencies, badge and its state on Credly")
    .option('--format <format>', 'csv or jsonl', (value: string) => {
      if (!FORMATS.includes(value as ExportFormat)) throw new InvalidArgumentError(`--format must be csv or jsonl, got "${value}"`);
      return value as ExportFormat;
    }, 'csv' as ExportFormat)
    .option('--out <file>', 'write to this file (replaced whole, never half-written); standard output by default')
    .option('--microcredential <id>', 'only this microcredential')
    .option('--ledger <path>', 'the ledger (a path, file:, or postgres://)', ctx.env.CREDLY_LEDGER ?? DEFAULT_LEDGER)
    .action(async (opts: { format: ExportFormat; out?: string; microcredential?: string; ledger: string }) => {
      const ledger = await openLifecycleLedger(ledgerTarget(ctx, opts.ledger), { readOnly: true });
      try {
        const lines = exportAwards(ledger, { format: opts.format, ...(opts.microcredential ? { microcredentialId: opts.microcredential } : {}) });
        if (!opts.out) {
          for await (const line of lines) ctx.stdout.write(line);
          return;
        }
        // A temporary file renamed into place: a registrar's import never reads a half-written export.
        const temp = `${ctx.path(opts.out)}.${process.pid}.tmp`;
        const stream = createWriteStream(temp, { encoding: 'utf8' });
        let rows = -1;
        try {
          for await (const line of lines) {
            rows += 1;
            if (!stream.write(line)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
          }
          stream.end();
          await finished(stream);
          await rename(temp, ctx.path(opts.out));
        } catch (error) {
          stream.destroy();
          await rm(temp, { force: true });
          throw new CliError(`could not write ${opts.out}: ${(error as Error).message} (check the folder exists and is writable)`);
        }
        ctx.stderr.write(`wrote ${opts.format === 'csv' ? rows : rows + 1} award(s) to ${opts.out}\n`);
      } finally {
        await ledger.close();
      }
    });
}
