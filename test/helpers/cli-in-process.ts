import { runCli, type CliResult } from './cli.js';

/** The CLI in this process with the given environment (the harness's `runCli`). */
export function runCliInProcess(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  return runCli(args, { env });
}
