import { CommanderError } from 'commander';
import { vi } from 'vitest';
import { CliError } from '../../src/cli/errors.js';
import { createProgram } from '../../src/cli/program.js';
import type { CliResult } from './cli.js';

/**
 * Runs the CLI's program in this process (about 100 times faster than a subprocess), reporting
 * errors as `src/cli/main.ts` does. Subprocess tests (`runCli`) still cover the real entry point.
 */
export async function runCliInProcess(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  const saved = { ...process.env };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  process.exitCode = undefined;
  let code: number;
  try {
    await createProgram().parseAsync(['node', 'credly-microcredentials', ...args]);
    code = Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) code = error.exitCode === 0 ? 0 : 1;
    else if (error instanceof CliError) {
      stderr += `error: ${error.message}\n`;
      code = error.exitCode;
    } else throw error;
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
    process.env = saved;
  }
  return { code, stdout, stderr };
}
