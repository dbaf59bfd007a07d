import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { withOb3 } from './ob3-shared.js';

/** `keygen`: an Ed25519 signing key for Open Badges 3.0 credentials (did:key, or did:web for a campus domain). */
export function registerKeygen(program: Command): void {
  program
    .command('keygen')
    .description('create an Ed25519 signing key for Open Badges 3.0 credentials (file mode 0600; never overwrites)')
    .requiredOption('--out <file>', 'the key file to create')
    .option('--did-web <domain>', 'issue as did:web:<domain> (e.g. badges.example.edu); did:key when left out')
    .action(async (opts: { out: string; didWeb?: string }) => {
      await withOb3(async ({ generateSigningKey, writeKeyFile, didWebDocumentUrl }) => {
        const key = await generateSigningKey({ didWeb: opts.didWeb });
        const didPath = `${opts.out.replace(/\.json$/i, '')}.did.json`;
        if (key.method === 'web' && existsSync(didPath)) throw new CliError(`${didPath} exists; move it away first (keygen writes the DID document there)`);
        await writeKeyFile(opts.out, key);
        process.stdout.write(`wrote ${opts.out} (mode 0600): the issuer is ${key.controller}\n`);
        if (key.method === 'web') {
          await writeFile(didPath, `${JSON.stringify(key.didDocument(), null, 2)}\n`, { encoding: 'utf8', flag: 'wx' });
          process.stdout.write(`wrote ${didPath}: publish it at ${didWebDocumentUrl(key.controller)} before anyone verifies\n`);
        }
        process.stdout.write('keep the key file secret and backed up\n');
      });
      process.exitCode = EXIT.ok;
    });
}
