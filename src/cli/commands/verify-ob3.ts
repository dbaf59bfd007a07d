import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { DidDocument, StatusListCredential, VerifyResult } from '../../ob3/index.js';
import type { CliContext } from '../runtime.js';
import { CliError, EXIT } from '../errors.js';
import { withOb3 } from './ob3-shared.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** `verify-ob3`: verifies signed credentials offline; exit 0 when every one is valid, 1 otherwise. */
export function registerVerifyOb3(program: Command, ctx: CliContext): void {
  const readJson = async (path: string, what: string): Promise<unknown> => {
    let text: string;
    try {
      text = await readFile(ctx.path(path), 'utf8');
    } catch (error) {
      throw new CliError(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, EXIT.couldNotRun, 'OB3_INPUT');
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new CliError(`${what} ${path} is not JSON`, EXIT.couldNotRun, 'OB3_INPUT');
    }
  };

  program
    .command('verify-ob3')
    .description('verify Open Badges 3.0 credentials offline (proof, issuer key, dates, and revocation when the status list is given); exit 1 when any is not valid')
    .argument('<file...>', 'credential files (.json)')
    .option('--status-list <file>', 'a signed status list to check revocation against (repeatable)', collect, [])
    .option('--did-document <file>', 'a did:web DID document to trust (repeatable; did:web is never fetched)', collect, [])
    .action(async (files: string[], opts: { statusList: string[]; didDocument: string[] }) => {
      await withOb3(async (ob3) => {
        const statusLists = (await Promise.all(opts.statusList.map((path) => readJson(path, 'status list')))) as StatusListCredential[];
        const didDocuments = (await Promise.all(opts.didDocument.map((path) => readJson(path, 'DID document')))) as DidDocument[];
        let allValid = true;
        for (const file of files) {
          let result: VerifyResult;
          try {
            result = await ob3.verifyCredential(await readJson(file, 'credential'), { statusLists, didDocuments });
          } catch (error) {
            result = { verified: false, reason: error instanceof Error ? error.message : String(error), status: 'none' };
          }
          if (result.verified) {
            const status = result.status === 'not-checked' ? ' (revocation not checked: pass --status-list)' : result.status === 'active' ? ' (not revoked)' : '';
            ctx.stdout.write(`${file}: valid${status}\n`);
          } else {
            allValid = false;
            ctx.stdout.write(`${file}: NOT valid: ${result.reason ?? 'unknown reason'}\n`);
          }
        }
        ctx.exitCode = allValid ? EXIT.ok : EXIT.couldNotRun;
      });
    });
}
