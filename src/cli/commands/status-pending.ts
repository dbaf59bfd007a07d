import { formatPending, pendingAwards, type PendingFormat } from '../../lifecycle/pending.js';
import { parseDuration } from '../../lifecycle/duration.js';
import { CliError, EXIT } from '../errors.js';
import type { CliContext } from '../runtime.js';
import { openLifecycleLedger } from './lifecycle-ledger.js';

export interface PendingStatusFlags {
  readonly ledger: string;
  readonly olderThan?: string | undefined;
  readonly format?: string | undefined;
}

const FORMATS: readonly PendingFormat[] = ['text', 'json', 'csv'];

/**
 * `status --pending`: learners whose badge is still unaccepted, with email and age; the CSV is a
 * campus mail merge's input (Credly's API has no call to re-send the claim email: docs/lifecycle.md).
 * Exit 2 when any is listed, so that a scheduler can alert on old pending badges.
 */
export async function runPendingStatus(ctx: CliContext, flags: PendingStatusFlags): Promise<void> {
  const format = (flags.format ?? 'text') as PendingFormat;
  if (!FORMATS.includes(format)) throw new CliError(`--format must be text, json or csv, got "${flags.format}"`);
  let olderThanMs: number | undefined;
  try {
    olderThanMs = flags.olderThan === undefined ? undefined : parseDuration(flags.olderThan, '--older-than');
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const ledger = await openLifecycleLedger(flags.ledger, { readOnly: true });
  try {
    const rows = await pendingAwards(ledger, olderThanMs === undefined ? {} : { olderThan: olderThanMs });
    ctx.stdout.write(formatPending(rows, format));
    ctx.exitCode = rows.length ? EXIT.someFailed : EXIT.ok;
  } finally {
    await ledger.close();
  }
}
