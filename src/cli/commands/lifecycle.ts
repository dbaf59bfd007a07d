import type { Command } from 'commander';
import { registerExport } from './export.js';
import { registerReconcile } from './reconcile.js';
import { registerReport } from './report.js';

/** The after-issue commands: reconcile, export, report (status --pending lives with status). */
export function registerLifecycle(program: Command): void {
  registerReconcile(program);
  registerExport(program);
  registerReport(program);
}
