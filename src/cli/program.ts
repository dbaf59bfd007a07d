import { Command } from 'commander';
import { VERSION } from '../version.js';
import { registerCompactLedger } from './commands/compact-ledger.js';
import { registerDemo } from './commands/demo.js';
import { registerDoctor } from './commands/doctor.js';
import { registerExportOb3 } from './commands/export-ob3.js';
import { registerFakeCredly } from './commands/fake-credly.js';
import { registerIssue } from './commands/issue.js';
import { registerKeygen } from './commands/keygen.js';
import { registerMigrateLedger } from './commands/migrate-ledger.js';
import { registerRevokeReplace } from './commands/revoke-replace.js';
import { registerStatus } from './commands/status.js';
import { registerSyncTemplates } from './commands/sync-templates.js';
import { registerValidate } from './commands/validate.js';
import { registerVerifyOb3 } from './commands/verify-ob3.js';
import { registerWebhooks } from './commands/webhooks.js';
import { registerLifecycle } from './commands/lifecycle.js';
import type { CliContext } from './runtime.js';

/** The `credly-microcredentials` program. Commands register themselves, one file each. */
export function createProgram(ctx: CliContext): Command {
  const program = new Command('credly-microcredentials')
    .description(
      'Microcredential proposals to Credly badges, issued exactly once.\n' +
        'Configuration: flags, then the environment (CREDLY_ORGANIZATION_ID, CREDLY_API_TOKEN, CREDLY_ENV, CREDLY_BASE_URL, CREDLY_LEDGER, CREDLY_LOG, HTTPS_PROXY, NO_PROXY), then .env.',
    )
    .version(VERSION, '-V, --version')
    .option('--dotenv <file>', 'read environment variables from this file (default .env if present; variables already set win)')
    .option('--verbose', 'log everything (debug), and print the stack of an unexpected error')
    .option('--log-format <format>', 'log lines as text, or json (one object per line, for log shippers)', 'text')
    .showHelpAfterError('(run with --help for usage)')
    // Set before the commands are added, which inherit them: no process.exit, the run's streams.
    .configureOutput({ writeOut: (text) => ctx.stdout.write(text), writeErr: (text) => ctx.stderr.write(text) })
    .exitOverride();
  registerDemo(program, ctx);
  registerValidate(program, ctx);
  registerSyncTemplates(program, ctx);
  registerIssue(program, ctx);
  registerStatus(program, ctx);
  registerRevokeReplace(program, ctx);
  registerCompactLedger(program, ctx);
  registerMigrateLedger(program, ctx);
  registerWebhooks(program, ctx);
  registerFakeCredly(program, ctx);
  registerDoctor(program, ctx);
  registerLifecycle(program, ctx);
  registerKeygen(program, ctx);
  registerExportOb3(program, ctx);
  registerVerifyOb3(program, ctx);
  return program;
}
