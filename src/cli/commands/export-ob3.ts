import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { ledgerKind } from '../../ledger/open.js';
import type { CliContext } from '../runtime.js';
import { DEFAULT_LEDGER, ledgerTarget, openLedger } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { numberOption } from '../options.js';
import { withOb3 } from './ob3-shared.js';

/**
 * The default, and the least taken: the W3C Bitstring Status List's recommended minimum (16 KB),
 * as src/ob3's DEFAULT_STATUS_LIST_SIZE (not imported: the CLI loads src/ob3 only when it runs an
 * Open Badges command).
 */
const MIN_STATUS_LIST_SIZE = 131_072;

/** `export-ob3`: every held award as a signed Open Badges 3.0 credential, plus the status list. */
export function registerExportOb3(program: Command, ctx: CliContext): void {
  program
    .command('export-ob3')
    .description('write each issued award in the ledger as a signed Open Badges 3.0 credential (.json), plus the signed revocation status list; exit 2 when an award is skipped')
    .requiredOption('--key <file>', 'the signing key file (from keygen)')
    .requiredOption('--out <dir>', 'the directory to write (serve it as <baseUrl>/credentials/)')
    .option('--ledger <path|url>', 'the ledger: a file path, or postgres://… (CREDLY_LEDGER)', ctx.env.CREDLY_LEDGER ?? DEFAULT_LEDGER)
    .option('--issuer-config <file>', 'the issuer profile: name, url, and optionally email, image, description, baseUrl, statusListUrl (JSON)', 'ob3-issuer.json')
    .option(
      '--status-list-size <entries>',
      'slots in the revocation status list, a multiple of 8: larger when the ledger holds more than half as many awards; never fewer than the list already in --out (its indexes are kept)',
      numberOption('--status-list-size', { min: MIN_STATUS_LIST_SIZE, max: 2 ** 27 }),
      MIN_STATUS_LIST_SIZE,
    )
    .action(async (opts: { key: string; out: string; ledger: string; issuerConfig: string; statusListSize: number }) => {
      await withOb3(async (ob3) => {
        const key = await ob3.readKeyFile(ctx.path(opts.key));
        const issuer = await ob3.readIssuerConfig(ctx.path(opts.issuerConfig));
        const target = ledgerTarget(ctx, opts.ledger);
        if (ledgerKind(target) === 'file' && !existsSync(target.startsWith('file:') ? fileURLToPath(target) : target)) {
          throw new CliError(`no ledger at ${opts.ledger}: nothing has been issued with it (pass --ledger)`, EXIT.couldNotRun, 'LEDGER_NOT_FOUND');
        }
        // Read-only: an export never changes the ledger and may run while a job holds it.
        const ledger = await openLedger(target, {}, { readOnly: true });
        const out = ctx.path(opts.out);
        try {
          const awards = [];
          for await (const award of ledger.queryAwards()) awards.push(award);
          const publishedIndexes = await ob3.readPublishedIndexes(out, ob3.issuerBaseUrl(issuer), awards);
          // A list once published only grows: a smaller one would drop the indexes past its end.
          const statusListSize = Math.max(opts.statusListSize, publishedStatusListSize(join(out, ob3.STATUS_LIST_FILE), ob3.decodeBitstring));
          const result = await ob3.exportAchievementCredentials({ ledger, key, issuer, publishedIndexes, statusListSize });
          await ob3.writeOb3Export(result, out);
          const list = result.statusList
            ? `, and ${ob3.STATUS_LIST_FILE} (${result.revokedCount} revoked; publish it at ${issuer.statusListUrl})`
            : ' (no status list: set statusListUrl in the issuer configuration to make credentials revocable)';
          ctx.stdout.write(`exported ${result.credentials.length} credential${result.credentials.length === 1 ? '' : 's'} to ${opts.out}${list}\n`);
          for (const skip of result.skipped) ctx.stdout.write(`skipped ${skip.awardKey}: ${skip.reason}\n`);
          ctx.exitCode = result.skipped.length > 0 ? EXIT.someFailed : EXIT.ok;
        } finally {
          await ledger.close();
        }
      });
    });
}

/** The slots of the status list an earlier export wrote, or 0 when there is none. */
function publishedStatusListSize(path: string, decode: (encodedList: string) => Buffer): number {
  if (!existsSync(path)) return 0;
  try {
    const list = JSON.parse(readFileSync(path, 'utf8')) as { credentialSubject?: { encodedList?: string } };
    return decode(String(list.credentialSubject?.encodedList)).length * 8;
  } catch (error) {
    throw new CliError(`${path}: the status list an earlier export wrote cannot be read (${(error as Error).message}): restore it from where it is published`, EXIT.couldNotRun, 'OB3_INPUT');
  }
}
