import type { Command } from 'commander';
import type { CliContext } from '../runtime.js';
import { registerExport } from './export.js';
import { registerReconcile } from './reconcile.js';
import { registerReport } from './report.js';

/** The after-issue commands: reconcile, export, report (status --pending lives with status). */
export function registerLifecycle(program: Command, ctx: CliContext): void {
  registerReconcile(program, ctx);
  registerExport(program, ctx);
  registerReport(program, ctx);
}
