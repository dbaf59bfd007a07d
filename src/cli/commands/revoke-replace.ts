import type { Command } from 'commander';
import type { CliContext } from '../runtime.js';
import { earnerIdFor } from '../../mapping/issue-payload.js';
import { holdsBadge, type Ledger } from '../../ledger/contract.js';
import { findAward, replaceAward, revokeAward } from '../../issuance/revoke-replace.js';
import { announceTarget, clientFrom, verifyCredentials, DEFAULT_LEDGER, ledgerTarget, openLedger, withCredlyOptions, type CredlyFlags } from '../context.js';
import { CliError, EXIT } from '../errors.js';

interface Target {
  readonly badgeId?: string;
  readonly learner?: string;
  readonly microcredential?: string;
}

/** The award named by --badge-id, or by --learner (email or campus id) and --microcredential. */
async function target(ledger: Ledger, opts: Target): Promise<{ key?: string; badgeId?: string }> {
  const found = await findTarget(ledger, opts);
  // Refused here, before anything is sent: one line that says why.
  const award = await findAward(ledger, found);
  if (!award) throw new CliError(`no award with badge ${opts.badgeId} in the ledger: check the id (credly-microcredentials status lists them)`, 1, 'AWARD_NOT_FOUND');
  if (!holdsBadge(award.state) || !award.badgeId) {
    throw new CliError(`the award of ${award.microcredentialId} for ${award.email} is ${award.state}, not issued: there is no badge to act on`, 1, 'AWARD_NOT_ISSUED');
  }
  return found;
}

async function findTarget(ledger: Ledger, opts: Target): Promise<{ key?: string; badgeId?: string }> {
  if (opts.badgeId) return { badgeId: opts.badgeId };
  if (!opts.learner || !opts.microcredential) throw new CliError('name the award with --badge-id <id>, or with --learner <email or campus id> and --microcredential <id>');
  const learner = opts.learner.trim();
  const asEmail = learner.includes('@') ? { email: learner.toLowerCase() } : { campusId: learner, email: '' };
  const direct = `${opts.microcredential}|${earnerIdFor(asEmail)}`;
  if (await ledger.getAward(direct)) return { key: direct };
  for await (const award of ledger.queryAwards({ microcredentialId: opts.microcredential, learner, limit: 1 })) return { key: award.key };
  throw new CliError(`no award of ${opts.microcredential} for ${learner} in the ledger`, 1, 'AWARD_NOT_FOUND');
}

function common(command: Command, ctx: CliContext): Command {
  return withCredlyOptions(command)
    .option('--badge-id <id>', 'the Credly badge id')
    .option('--learner <email-or-campus-id>', 'the learner (with --microcredential)')
    .option('--microcredential <id>', 'the microcredential id (with --learner)')
    .option('--ledger <path>', 'the ledger file', ctx.env.CREDLY_LEDGER ?? DEFAULT_LEDGER);
}

export function registerRevokeReplace(program: Command, ctx: CliContext): void {
  common(program.command('revoke').description('revoke an issued badge, with a reason, and record it'), ctx)
    .requiredOption('--reason <text>', 'why (Credly shows it)')
    .option('--no-notify', "do not email the learner about the revocation")
    .action(async (opts: Target & CredlyFlags & { reason: string; ledger: string; notify: boolean }) => {
      const ledger = await openLedger(ledgerTarget(ctx, opts.ledger));
      const client = clientFrom(opts, ctx.env, ctx);
      try {
        const by = await target(ledger, opts);
        await verifyCredentials(client);
        announceTarget(client, ctx.stderr);
        const award = await revokeAward({ client, ledger }, by, opts.reason, !opts.notify);
        ctx.stdout.write(`revoked badge ${award.badgeId} (${award.email}, ${award.microcredentialId}): ${opts.reason}\n`);
        ctx.exitCode = EXIT.ok;
      } finally {
        await ledger.close();
        client.close();
      }
    });

  common(program.command('replace').description('replace an issued badge (re-certification) with a new one, and record it'), ctx)
    .option('--issued-at <date-time>', 'when the new badge was earned (with an offset); now by default')
    .option('--expires-at <date-time>', 'when the new badge expires (with an offset), or "never"')
    .action(async (opts: Target & CredlyFlags & { ledger: string; issuedAt?: string; expiresAt?: string }) => {
      const ledger = await openLedger(ledgerTarget(ctx, opts.ledger));
      const client = clientFrom(opts, ctx.env, ctx);
      try {
        const by = await target(ledger, opts);
        await verifyCredentials(client);
        announceTarget(client, ctx.stderr);
        const award = await replaceAward({ client, ledger }, by, {
          ...(opts.issuedAt ? { issued_at: opts.issuedAt } : {}),
          ...(opts.expiresAt ? { expires_at: opts.expiresAt === 'never' ? false : opts.expiresAt } : {}),
        });
        ctx.stdout.write(`replaced badge ${award.previousBadgeIds?.at(-1)} with ${award.badgeId} (${award.email}, ${award.microcredentialId})\n`);
        ctx.exitCode = EXIT.ok;
      } finally {
        await ledger.close();
        client.close();
      }
    });
}
