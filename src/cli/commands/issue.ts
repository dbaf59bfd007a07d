import { createReadStream, createWriteStream } from 'node:fs';
import { Option, type Command } from 'commander';
import { issueBadges } from '../../issuance/executor.js';
import { LedgerError } from '../../ledger/errors.js';
import { formatReport, reportSucceeded, type AwardOutcome } from '../../issuance/report.js';
import { readRosterFile } from '../../issuance/roster.js';
import { parseRateLimit } from '../../testing/fake-credly/rate-limit.js';
import { announceTarget, clientFrom, openLedger, withCredlyOptions, withLedgerOptions, type CredlyFlags, type LockFlags } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { loadMicrocredentialFile } from '../microcredential-files.js';
import { numberOption } from '../options.js';
import { progressReporter } from '../progress.js';

/** Rows in a roster file (lines after the header), counted as a stream, for the progress bar. */
export async function countRosterRows(path: string): Promise<number> {
  let lines = 0;
  let last = 0x0a;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i += 1) if (chunk[i] === 0x0a) lines += 1;
    last = chunk[chunk.length - 1] ?? last;
  }
  if (last !== 0x0a) lines += 1;
  return /\.(jsonl|ndjson)$/i.test(path) ? lines : Math.max(0, lines - 1);
}

/**
 * The per-award report as a JSON Lines file, written as outcomes settle: a run of any size holds
 * none of them. The stream buffers what the disk has not taken yet; outcomes (one per finished
 * request) cannot outpace a disk for long.
 */
async function openOutcomeStream(path: string): Promise<{ write: (outcome: AwardOutcome) => void; close: () => Promise<void> }> {
  const out = createWriteStream(path, { flags: 'w', mode: 0o600 });
  await new Promise<void>((resolve, reject) => {
    out.once('open', () => resolve());
    out.once('error', (error: NodeJS.ErrnoException) => reject(new CliError(`--report-jsonl ${path}: cannot be written (${error.code ?? error.message})`)));
  });
  let failure: Error | undefined;
  out.on('error', (error) => (failure ??= error));
  // Lines are gathered into chunks of about 64 KB: one file write each, not one per award.
  let chunk = '';
  let closed: Promise<void> | undefined;
  return {
    write: (outcome) => {
      if (failure) return;
      chunk += `${JSON.stringify(outcome)}\n`;
      if (chunk.length >= 65_536) {
        out.write(chunk);
        chunk = '';
      }
    },
    close: () =>
      (closed ??= new Promise<void>((resolve, reject) => {
        out.end(chunk, () => (failure ? reject(new CliError(`--report-jsonl ${path}: ${failure.message}`)) : resolve()));
      })),
  };
}

/** `issue`: the exactly-once engine for a scheduled job. */
export function registerIssue(program: Command): void {
  withLedgerOptions(withCredlyOptions(program
    .command('issue')
    .description('issue the badges of a roster exactly once; exit 0 all issued, 2 some failed, 1 could not run')))
    .requiredOption('--roster <file>', 'the roster (CSV, or JSON Lines with .jsonl)')
    .option('--microcredential <file>', 'a microcredential or proposal JSON file with its approval (repeat for several)', (v: string, all: string[] = []) => [...all, v])
    .option('--concurrency <n>', 'awards in flight at once', numberOption('--concurrency', { min: 1, max: 64 }), 8)
    .option('--rate <N/s>', 'pace requests to Credly to N per second (or N/m)')
    .option('--dry-run', 'validate and plan, send nothing')
    .option('--json', 'put the JSON report on stdout')
    .option('--report-jsonl <file>', "write each award's outcome to this file as it settles, one JSON object a line (for large runs)")
    .option('--assume-approved', 'treat microcredential files without an approval record as approved')
    .addOption(new Option('--notifications <mode>', "Credly's emails to learners: on, or off (default: on in production, off elsewhere)").choices(['on', 'off']))
    .action(async (opts: CredlyFlags & LockFlags & { roster: string; microcredential?: string[]; ledger: string; concurrency: number; rate?: string; dryRun?: boolean; json?: boolean; reportJsonl?: string; assumeApproved?: boolean; notifications?: 'on' | 'off' }) => {
      if (!opts.microcredential?.length) throw new CliError('--microcredential <file> is required: the microcredentials this roster issues');
      let ratePerSecond: number | undefined;
      if (opts.rate) {
        try {
          const limit = parseRateLimit(opts.rate);
          ratePerSecond = (limit.requests * 1000) / (limit.windowMs ?? 1000);
        } catch (error) {
          throw new CliError(`--rate: ${(error as Error).message}`);
        }
      }
      const entries = [];
      for (const file of opts.microcredential) entries.push(await loadMicrocredentialFile(file, { assumeApproved: opts.assumeApproved ?? false }));
      let total: number;
      try {
        total = await countRosterRows(opts.roster);
      } catch {
        throw new CliError(`${opts.roster}: cannot be read`);
      }
      const outcomes = opts.reportJsonl ? await openOutcomeStream(opts.reportJsonl) : undefined;
      const client = clientFrom(opts);
      const ledger = await openLedger(opts.ledger, opts);
      const controller = new AbortController();
      // A job that loses the file ledger's lease (paused past it, or taken over) stops sending at once.
      if ('onLeaseLost' in ledger) {
        (ledger as { onLeaseLost?: (reason: string) => void }).onLeaseLost = (reason) => {
          process.stderr.write(`error: this job lost the ledger's lease (${reason}); it sends nothing more\n`);
          controller.abort();
        };
      }
      const onSignal = () => {
        process.stderr.write('\nstopping: awards in flight finish and are recorded; nothing new starts (again to quit at once)\n');
        controller.abort();
        process.once('SIGINT', () => process.exit(EXIT.couldNotRun));
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const progress = progressReporter(total);
      try {
        if (!opts.dryRun) announceTarget(client);
        const report = await issueBadges(readRosterFile(opts.roster), {
          keepOutcomes: 2_000,
          client,
          ledger,
          microcredentials: entries,
          concurrency: opts.concurrency,
          ...(ratePerSecond ? { ratePerSecond } : {}),
          dryRun: opts.dryRun ?? false,
          signal: controller.signal,
          onProgress: progress.onProgress,
          ...(outcomes ? { onOutcome: outcomes.write } : {}),
          suppressNotifications: (opts.notifications ?? (client.config.environment === 'production' ? 'on' : 'off')) === 'off',
          logger: { debug: () => {}, info: () => {}, warn: (m) => process.stderr.write(`warning: ${m}\n`), error: (m) => process.stderr.write(`error: ${m}\n`) },
        });
        progress.stop();
        await outcomes?.close();
        if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else process.stdout.write(`${formatReport(report)}\n`);
        if (opts.json) process.stderr.write(`${formatReport(report, { maxLines: 0 })}\n`);
        process.exitCode = report.stoppedBecause ? EXIT.couldNotRun : reportSucceeded(report) ? EXIT.ok : EXIT.someFailed;
      } catch (error) {
        if (error instanceof LedgerError) throw new CliError(error.message);
        throw error;
      } finally {
        progress.stop();
        await outcomes?.close().catch(() => undefined);
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
        await ledger.close();
        client.close();
      }
    });
}
