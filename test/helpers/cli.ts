import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
/** tsx's loader by absolute URL, so that the CLI runs from source whatever the working directory. */
export const TSX = createRequire(import.meta.url).resolve('tsx');
export const NODE_ARGS = ['--import', pathToFileURL(TSX).href, CLI];

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI from source as a subprocess, as a scheduler would run it. */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, ...options.env };
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
    const proc = spawn(process.execPath, [...NODE_ARGS, ...args], { cwd: options.cwd ?? process.cwd(), env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c) => (stdout += c));
    proc.stderr.on('data', (c) => (stderr += c));
    proc.on('error', reject);
    proc.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** No CREDLY_* from the developer's shell leaks into a test. */
export const cleanEnv = { CREDLY_ORGANIZATION_ID: undefined, CREDLY_API_TOKEN: undefined, CREDLY_ENV: undefined, CREDLY_BASE_URL: undefined, CREDLY_LEDGER: undefined, CREDLY_ORG_ID: undefined, CREDLY_AUTH_TOKEN: undefined };
