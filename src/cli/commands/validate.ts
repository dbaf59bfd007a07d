import { Option, type Command } from 'commander';
import type { CliContext } from '../runtime.js';
import { DomainValidationError } from '../../domain/errors.js';
import { awardeeProblems } from '../../domain/awardee.js';
import { readRosterFile, RosterFormatError } from '../../issuance/roster.js';
import { CliError, EXIT } from '../errors.js';
import { loadMicrocredentialFile, type LoadedMicrocredential } from '../microcredential-files.js';

const isRoster = (file: string) => /\.(csv|jsonl|ndjson)$/i.test(file);

/** `validate <files…>`: proposals, microcredentials or rosters; every problem, then exit 1 if there is any. */
export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description('check proposals, microcredentials (JSON) and rosters (CSV, JSON Lines); every problem with file, row, field and fix')
    .argument('<files...>', 'files to check')
    .option('--json', 'print the problems as JSON')
    .addOption(new Option('--encoding <encoding>', 'the encoding of roster files').choices(['utf8', 'latin1']).default('utf8'))
    .action(async (files: string[], opts: { json?: boolean; encoding: 'utf8' | 'latin1' }) => {
      const warnings: Array<{ file: string; message: string }> = [];
      const problems: Array<{ file: string; row?: number; field: string; message: string }> = [];
      const loaded: LoadedMicrocredential[] = [];
      let rowsChecked = 0;
      for (const file of files.filter((f) => !isRoster(f))) {
        try {
          loaded.push(await loadMicrocredentialFile(ctx.path(file), { assumeApproved: true }));
        } catch (error) {
          if (error instanceof DomainValidationError) {
            for (const issue of error.issues) problems.push({ file, field: issue.path || '(file)', message: issue.message });
          } else if (error instanceof CliError) problems.push({ file, field: '(file)', message: error.message.replace(`${ctx.path(file)}: `, '') });
          else throw error;
        }
      }
      const byId = new Map(loaded.map((l) => [l.microcredential.id, l.microcredential]));
      for (const file of files.filter(isRoster)) {
        try {
          for await (const row of readRosterFile(ctx.path(file), { encoding: opts.encoding, onWarning: (message) => warnings.push({ file, message }) })) {
            rowsChecked += 1;
            if (!row.ok) {
              for (const p of row.problems) problems.push({ file, row: row.row, field: p.field, message: p.message });
              continue;
            }
            const micro = row.microcredentialId ? byId.get(row.microcredentialId) : undefined;
            if (row.microcredentialId && !micro && byId.size > 0) {
              problems.push({ file, row: row.row, field: 'Microcredential', message: `unknown microcredential ${row.microcredentialId}; known: ${[...byId.keys()].join(', ')}` });
              continue;
            }
            if (micro) for (const p of awardeeProblems(micro, row.awardee)) problems.push({ file, row: row.row, field: p.path.join('.'), message: p.message });
          }
        } catch (error) {
          if (error instanceof RosterFormatError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
            problems.push({ file, field: '(file)', message: (error as Error).message });
          } else throw error;
        }
      }
      if (opts.json) {
        ctx.stdout.write(`${JSON.stringify({ files: files.length, rowsChecked, problems, warnings }, null, 2)}\n`);
      } else {
        for (const w of warnings) ctx.stdout.write(`${w.file}: warning: ${w.message}\n`);
        for (const p of problems) ctx.stdout.write(`${p.file}${p.row !== undefined ? `:row ${p.row}` : ''}: ${p.field}: ${p.message}\n`);
        ctx.stdout.write(
          problems.length
            ? `${problems.length} problem(s) in ${new Set(problems.map((p) => p.file)).size} of ${files.length} file(s)\n`
            : `${files.length} file(s) valid${rowsChecked ? ` (${rowsChecked} roster rows)` : ''}\n`,
        );
      }
      ctx.exitCode = problems.length ? EXIT.couldNotRun : EXIT.ok;
    });
}
