import type { Command } from 'commander';
import { openLedger } from '../../ledger/open.js';
import { DEFAULT_LEDGER } from '../context.js';
import { EXIT } from '../errors.js';
import { withOb3 } from './ob3-shared.js';

/** `export-ob3`: every issued award as a signed Open Badges 3.0 credential, plus the status list. */
export function registerExportOb3(program: Command): void {
  program
    .command('export-ob3')
    .description('write each issued award in the ledger as a signed Open Badges 3.0 credential (.json), plus the signed revocation status list')
    .requiredOption('--key <file>', 'the signing key file (from keygen)')
    .requiredOption('--out <dir>', 'the directory to write (serve it as <baseUrl>/credentials/)')
    .option('--ledger <path>', 'the ledger (a file path, file:, or postgres:// URL)', process.env.CREDLY_LEDGER ?? DEFAULT_LEDGER)
    .option('--issuer-config <file>', 'the issuer profile: name, url, and optionally email, image, description, baseUrl, statusListUrl (JSON)', 'ob3-issuer.json')
    .action(async (opts: { key: string; out: string; ledger: string; issuerConfig: string }) => {
      await withOb3(async (ob3) => {
        const key = await ob3.readKeyFile(opts.key);
        const issuer = await ob3.readIssuerConfig(opts.issuerConfig);
        // Read-only: an export never changes the ledger and may run while a job holds it.
        const ledger = await openLedger(opts.ledger, { readOnly: true });
        try {
          const awards = [];
          for await (const award of ledger.queryAwards()) awards.push(award);
          const publishedIndexes = await ob3.readPublishedIndexes(opts.out, ob3.issuerBaseUrl(issuer), awards);
          const result = await ob3.exportAchievementCredentials({ ledger, key, issuer, publishedIndexes });
          await ob3.writeOb3Export(result, opts.out);
          const list = result.statusList
            ? `, and ${ob3.STATUS_LIST_FILE} (${result.revokedCount} revoked; publish it at ${issuer.statusListUrl})`
            : ' (no status list: set statusListUrl in the issuer configuration to make credentials revocable)';
          process.stdout.write(`exported ${result.credentials.length} credential${result.credentials.length === 1 ? '' : 's'} to ${opts.out}${list}\n`);
          for (const skip of result.skipped) process.stdout.write(`skipped ${skip.awardKey}: ${skip.reason}\n`);
          process.exitCode = result.skipped.length > 0 ? EXIT.someFailed : EXIT.ok;
        } finally {
          await ledger.close();
        }
      });
    });
}
