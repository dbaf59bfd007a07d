import { createReadStream, createWriteStream } from 'node:fs';
import { Option, type Command } from 'commander';
import { stopReasonOf, type CliContext } from '../runtime.js';
import type { DuplicateBehavior } from '../../credly/schemas/requests.js';
import type { BeforeAttempt } from '../../credly/transport.js';
import { issueBadges } from '../../issuance/executor.js';
import { checkTemplates } from '../../issuance/template-check.js';
import type { MicrocredentialEntry } from '../../issuance/plan.js';
import { pacedRate, rateBucket } from '../../issuance/pacer.js';
import { formatReport, reportSucceeded, type AwardOutcome } from '../../issuance/report.js';
import { checkRosterFile, readRosterFile, RosterFormatError } from '../../issuance/roster.js';
import { parseRateLimit } from '../../testing/fake-credly/rate-limit.js';
import { announceTarget, clientFrom, ledgerTarget, openLedger, verifyCredentials, withCredlyOptions, withLedgerOptions, type CredlyFlags, type LockFlags } from '../context.js';
import { CliError, EXIT, EXIT_SIGNAL } from '../errors.js';
import { redactSecrets, redactSecretsDeep } from '../../credly/redact.js';
import { writeReportFile, writeTextFile } from '../report-file.js';
import { renderRunReportHtml } from '../../report/run-report.js';
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
 * Each outcome as a JSON line, written in chunks of about 64 KB (one file write each, not one per
 * award), with the Credly secrets redacted: a large run's report never sits in memory.
 */
async function openOutcomeStream(path: string, shown: string, secrets: readonly string[]): Promise<{ write: (outcome: AwardOutcome) => void; close: () => Promise<void> }> {
  const out = createWriteStream(path, { flags: 'w', mode: 0o600 });
  await new Promise<void>((resolve, reject) => {
    out.once('open', () => resolve());
    out.once('error', (error: NodeJS.ErrnoException) => reject(new CliError(`--report-jsonl ${shown}: cannot be written (${error.code ?? error.message})`)));
  });
  let failure: Error | undefined;
  out.on('error', (error) => (failure ??= error));
  let chunk = '';
  let closed: Promise<void> | undefined;
  return {
    write: (outcome) => {
      if (failure) return;
      chunk += `${redactSecrets(JSON.stringify(outcome), secrets)}\n`;
      if (chunk.length >= 65_536) {
        out.write(chunk);
        chunk = '';
      }
    },
    close: () =>
      (closed ??= new Promise<void>((resolve, reject) => {
        out.end(chunk, () => (failure ? reject(new CliError(`--report-jsonl ${shown}: ${failure.message}`)) : resolve()));
      })),
  };
}

/** `issue`: the exactly-once engine for a scheduled job. */
export function registerIssue(program: Command, ctx: CliContext): void {
  withLedgerOptions(withCredlyOptions(program
    .command('issue')
    .description('issue the badges of a roster exactly once; exit 0 all issued, 2 some failed, 1 could not run')), ctx.env)
    .requiredOption('--roster <file>', 'the roster (CSV, or JSON Lines with .jsonl)')
    .option('--microcredential <file>', 'a microcredential or proposal JSON file with its approval (repeat for several)', (v: string, all: string[] = []) => [...all, v])
    .option('--concurrency <n>', 'awards in flight at once', numberOption('--concurrency', { min: 1, max: 64 }), 8)
    .option('--rate <N/s>', 'pace requests to Credly to N per second (or N/m)')
    .option('--lease <seconds>', "how long this worker's hold on an award lives unless renewed (renewed every third of it); a dead worker's awards are taken over after it", numberOption('--lease', { min: 0.5, max: 3600, integer: false }), 30)
    .option('--dry-run', 'validate and plan, send nothing')
    .addOption(new Option('--encoding <encoding>', 'the roster file\'s encoding').choices(['utf8', 'latin1']).default('utf8'))
    .option('--json', 'put the JSON report on stdout (and a JSON error object when the run cannot start)')
    .option('--report <file>', 'write the JSON report to this file')
    .option('--report-jsonl <file>', "write each award's outcome to this file as it settles, one JSON object a line (for large runs: the JSON report holds at most 2,000)")
    .option('--report-html <file>', 'write the run report as one self-contained HTML page (totals, failures with reasons, rows that need attention)')
    .option('--assume-approved', 'treat microcredential files without an approval record as approved')
    .addOption(new Option('--duplicate-behavior <mode>', "Credly's duplicate_behavior for templates that refuse duplicates: replace (re-certification), allow or deny").choices(['replace', 'allow', 'deny']))
    .addOption(new Option('--notifications <mode>', "Credly's emails to learners: on, or off (default: on in production, off elsewhere)").choices(['on', 'off']))
    .action(async (opts: CredlyFlags & LockFlags & { roster: string; microcredential?: string[]; ledger: string; concurrency: number; rate?: string; lease: number; dryRun?: boolean; json?: boolean; report?: string; reportJsonl?: string; reportHtml?: string; encoding?: 'utf8' | 'latin1'; assumeApproved?: boolean; notifications?: 'on' | 'off'; duplicateBehavior?: DuplicateBehavior }) => {
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
      const entries: MicrocredentialEntry[] = [];
      for (const file of opts.microcredential) entries.push(await loadMicrocredentialFile(ctx.path(file), { assumeApproved: opts.assumeApproved ?? false }));
      // A first pass: the roster's format (header, encoding) is checked, and its rows counted, before
      // any award is attempted; its errors are reported before any other. The rows themselves are
      // read once, by the run. The pass runs while Credly checks the credentials (a read) and a
      // shared ledger opens.
      const rosterOptions = { encoding: opts.encoding ?? 'utf8' } as const;
      const scanning = checkRosterFile(ctx.path(opts.roster), { ...rosterOptions, onWarning: (m) => ctx.stderr.write(`warning: ${opts.roster}: ${m}\n`) }).catch((error: unknown) => {
        if (error instanceof RosterFormatError) throw new CliError(`${opts.roster}: ${error.message}`, EXIT.couldNotRun, error.code);
        const code = (error as NodeJS.ErrnoException).code;
        throw new CliError(`${opts.roster}: cannot be read (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (code ?? 'error')}): check the --roster path`, EXIT.couldNotRun, 'ROSTER_UNREADABLE');
      });
      scanning.catch(() => undefined); // reported below, first
      let client: ReturnType<typeof clientFrom>;
      try {
        client = clientFrom(opts, ctx.env, ctx);
      } catch (error) {
        await scanning;
        throw error;
      }
      const target = ledgerTarget(ctx, opts.ledger);
      // A shared ledger (a round trip; no lock to wait for) opens while Credly checks the credentials.
      const opening = /^postgres(ql)?:\/\//i.test(target) ? openLedger(target, opts) : undefined;
      opening?.catch(() => undefined); // a failure to open is reported below, after the roster's and the credentials'
      // With a rate shared through the ledger, these requests wait for their slots like every other.
      const paced = opening && ratePerSecond ? { beforeAttempt: async ({ signal }: BeforeAttempt) => (await opening).takeRateSlot?.(rateBucket(client.organizationId), pacedRate(ratePerSecond), signal) } : {};
      // Once a shared ledger is open, the templates are checked in Credly beside the credentials
      // check: the run then waits for one round trip before its first award, not two.
      const templateCheck = opening?.then((opened) =>
        checkTemplates({ client, ledger: opened, microcredentials: entries, requestOptions: { waitSignal: ctx.signal, ...paced }, record: !opts.dryRun }),
      );
      templateCheck?.catch(() => undefined); // the run reports it
      const giveUp = async (error: unknown): Promise<never> => {
        await templateCheck?.catch(() => undefined);
        await opening?.then((opened) => opened.close()).catch(() => undefined);
        client.close();
        await scanning;
        throw error;
      };
      if (!opts.dryRun) await verifyCredentials(client, paced).catch(giveUp);
      const total = await scanning.catch(giveUp);
      const ledger = await (opening ?? openLedger(target, opts)).catch(giveUp);
      /** The run cannot start after all: the template check settles, then the ledger and the client close. */
      const closeAll = async (error: unknown): Promise<never> => {
        await templateCheck?.catch(() => undefined);
        await ledger.close();
        client.close();
        throw error;
      };
      // An approved microcredential without a template in this ledger would fail on every row: say so once.
      const unsynced: string[] = [];
      try {
        for (const e of entries) if (e.approval.state === 'approved' && !(await ledger.getTemplate(e.microcredential.id))) unsynced.push(e.microcredential.id);
      } catch (error) {
        await closeAll(error);
      }
      if (unsynced.length) {
        // The ledger as its location says it: a PostgreSQL URL without its password.
        await closeAll(new CliError(`no Credly template is recorded in ${ledger.location} for ${unsynced.join(', ')}: run sync-templates with the same --ledger first`, EXIT.couldNotRun, 'TEMPLATE_NOT_SYNCED'));
      }
      const outcomes = opts.reportJsonl ? await openOutcomeStream(ctx.path(opts.reportJsonl), opts.reportJsonl, ctx.secrets).catch(closeAll) : undefined;
      const controller = new AbortController();
      // A job that loses the file ledger's lease (paused past it, or taken over) sends nothing more.
      if ('onLeaseLost' in ledger) {
        (ledger as { onLeaseLost?: (reason: string) => void }).onLeaseLost = (reason) => {
          ctx.stderr.write(`error: this job lost the ledger's lease (${reason}); it sends nothing more\n`);
          controller.abort();
        };
      }
      const progress = progressReporter(total, ctx.stderr);
      const onSignal = () => {
        progress.interrupt('stopping: awards in flight finish and are recorded; nothing new starts (again to quit at once)');
        controller.abort();
      };
      if (ctx.signal.aborted) onSignal();
      else ctx.signal.addEventListener('abort', onSignal, { once: true });
      try {
        if (!opts.dryRun) announceTarget(client, ctx.stderr);
        const report = await issueBadges(readRosterFile(ctx.path(opts.roster), rosterOptions), {
          keepOutcomes: 2_000,
          ...(outcomes ? { onOutcome: outcomes.write } : {}),
          client,
          ledger,
          microcredentials: entries,
          ...(templateCheck ? { templateCheck } : {}),
          concurrency: opts.concurrency,
          leaseMs: opts.lease * 1000,
          ...(ratePerSecond ? { ratePerSecond } : {}),
          dryRun: opts.dryRun ?? false,
          signal: controller.signal,
          onProgress: progress.onProgress,
          ...(opts.duplicateBehavior ? { duplicateBehavior: opts.duplicateBehavior } : {}),
          suppressNotifications: (opts.notifications ?? (client.config.environment === 'production' ? 'on' : 'off')) === 'off',
          // Log lines are printed with the progress bar cleared, so neither garbles the other.
          logger: {
            debug: (m, meta) => progress.around(() => ctx.logger.debug(m, meta)),
            info: (m, meta) => progress.around(() => ctx.logger.info(m, meta)),
            warn: (m, meta) => progress.around(() => ctx.logger.warn(m, meta)),
            error: (m, meta) => progress.around(() => ctx.logger.error(m, meta)),
          },
        });
        progress.stop();
        await outcomes?.close();
        const stopped = ctx.signal.aborted ? stopReasonOf(ctx.signal) : null;
        const notReached = Math.max(0, total - report.rows);
        const full = { ...report, ...(stopped ? { stoppedBySignal: stopped, rowsNotReached: notReached } : {}) };
        const json = redactSecretsDeep(full, ctx.secrets);
        if (opts.report) await writeReportFile(ctx.path(opts.report), json);
        if (opts.reportHtml) await writeTextFile(ctx.path(opts.reportHtml), renderRunReportHtml(json as typeof report));
        // The summary points at the JSON report only where there is one.
        const pointer = opts.report ? `(see ${opts.report})` : opts.json ? '(see the JSON report on stdout)' : '(write them all with --report <file>)';
        const summary = (maxLines?: number) => formatReport(report, maxLines === undefined ? {} : { maxLines }).replaceAll('(see the JSON report)', pointer);
        if (opts.json) ctx.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        else ctx.stdout.write(`${summary()}\n`);
        if (opts.json) ctx.stderr.write(`${summary(0)}\n`);
        if (stopped) {
          ctx.stderr.write(`stopped by ${stopped}: ${notReached} row(s) not reached; the awards in flight were finished and recorded. Run the same command again to go on.\n`);
          ctx.exitCode = EXIT_SIGNAL[stopped];
        } else ctx.exitCode = report.stoppedBecause ? EXIT.couldNotRun : reportSucceeded(report) ? EXIT.ok : EXIT.someFailed;
      } finally {
        progress.stop();
        await outcomes?.close().catch(() => undefined);
        ctx.signal.removeEventListener('abort', onSignal);
        await ledger.close();
        client.close();
      }
    });
}
