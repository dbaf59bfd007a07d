import { Command } from 'commander';
import { VERSION } from '../version.js';
import { registerFakeCredly } from './commands/fake-credly.js';

/** The `credly-microcredentials` program. Commands register themselves, one file each. */
export function createProgram(): Command {
  const program = new Command('credly-microcredentials')
    .description('Microcredential proposals to Credly badges, issued exactly once.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)');
  registerFakeCredly(program);
  return program;
}
