import { CommanderError } from 'commander';
import { DomainValidationError } from '../domain/errors.js';
import { isCredlyError } from '../credly/errors.js';
import { LedgerError } from '../ledger/errors.js';
import { loadEnvFile } from './context.js';
import { CliError, EXIT } from './errors.js';
import { createProgram } from './program.js';

// The .env file is read before the options, whose defaults come from the environment.
const envFlag = process.argv.findIndex((arg) => arg === '--env-file' || arg.startsWith('--env-file='));
loadEnvFile(envFlag < 0 ? undefined : process.argv[envFlag]!.includes('=') ? process.argv[envFlag]!.split('=')[1] : process.argv[envFlag + 1]);

createProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    if (error instanceof CommanderError) {
      // Help and version exit 0; usage errors were printed by commander.
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.couldNotRun;
      return;
    }
    if (error instanceof CliError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    if (error instanceof DomainValidationError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = EXIT.couldNotRun;
      return;
    }
    if (error instanceof LedgerError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = EXIT.couldNotRun;
      return;
    }
    if (isCredlyError(error)) {
      process.stderr.write(`error: Credly: ${error.message}\n`);
      process.exitCode = EXIT.couldNotRun;
      return;
    }
    process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = EXIT.couldNotRun;
  });
