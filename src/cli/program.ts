import { Command } from 'commander';
import { VERSION } from '../version.js';
import { registerCompactLedger } from './commands/compact-ledger.js';
import { registerDemo } from './commands/demo.js';
import { registerFakeCredly } from './commands/fake-credly.js';
import { registerIssue } from './commands/issue.js';
import { registerMigrateLedger } from './commands/migrate-ledger.js';
import { registerRevokeReplace } from './commands/revoke-replace.js';
import { registerStatus } from './commands/status.js';
import { registerSyncTemplates } from './commands/sync-templates.js';
import { registerValidate } from './commands/validate.js';
import { registerWebhooks } from './commands/webhooks.js';

/** The `credly-microcredentials` program. Commands register themselves, one file each. */
export function createProgram(): Command {
  const program = new Command('credly-microcredentials')
    .description(
      'Microcredential proposals to Credly badges, issued exactly once.\n' +
        'Configuration: flags, then the environment (CREDLY_ORGANIZATION_ID, CREDLY_API_TOKEN, CREDLY_ENV, CREDLY_BASE_URL, CREDLY_LEDGER), then .env.',
    )
    .version(VERSION, '-V, --version')
    .option('--env-file <path>', 'read environment variables from this file (default .env; variables already set win)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerDemo(program);
  registerValidate(program);
  registerSyncTemplates(program);
  registerIssue(program);
  registerStatus(program);
  registerRevokeReplace(program);
  registerCompactLedger(program);
  registerMigrateLedger(program);
  registerWebhooks(program);
  registerFakeCredly(program);
  return program;
}
