import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CliContext } from '../runtime.js';
import { CliError, EXIT } from '../errors.js';
import { withOb3 } from './ob3-shared.js';

/** `keygen`: an Ed25519 signing key for Open Badges 3.0 credentials (did:key, or did:web for a campus domain). */
export function registerKeygen(program: Command, ctx: CliContext): void {
  program
    .command('keygen')
    .description('create an Ed25519 signing key for Open Badges 3.0 credentials (file mode 0600; never overwrites)')
    .requiredOption('--out <file>', 'the key file to create')
    .option('--did-web <domain>', 'issue as did:web:<domain> (e.g. badges.example.edu); did:key when left out')
    .action(async (opts: { out: string; didWeb?: string }) => {
      await withOb3(async ({ generateSigningKey, writeKeyFile, didWebDocumentUrl }) => {
        const key = await generateSigningKey({ didWeb: opts.didWeb });
        const didFile = `${opts.out.replace(/\.json$/i, '')}.did.json`;
        if (key.method === 'web' && existsSync(ctx.path(didFile))) {
          throw new CliError(`${didFile} exists; move it away first (keygen writes the DID document there)`, EXIT.couldNotRun, 'OB3_KEY');
        }
        await writeKeyFile(ctx.path(opts.out), key);
        ctx.stdout.write(`wrote ${opts.out} (mode 0600): the issuer is ${key.controller}\n`);
        if (key.method === 'web') {
          await writeFile(ctx.path(didFile), `${JSON.stringify(key.didDocument(), null, 2)}\n`, { encoding: 'utf8', flag: 'wx' });
          ctx.stdout.write(`wrote ${didFile}: publish it at ${didWebDocumentUrl(key.controller)} before anyone verifies\n`);
        }
        ctx.stdout.write('keep the key file secret and backed up\n');
      });
      ctx.exitCode = EXIT.ok;
    });
}
