import type { Command } from 'commander';
import { isCredlyError } from '../../credly/errors.js';
import { clientFrom, withCredlyOptions, type CredlyFlags } from '../context.js';
import { EXIT } from '../errors.js';
import type { CliContext } from '../runtime.js';

/** Warn when the authorization token expires within this many days (Credly's tokens last 180). */
export const TOKEN_WARNING_DAYS = 30;

interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly warning?: boolean;
  readonly detail: string;
}

/** `doctor`: configuration, Credly reachable, organization and environment, token expiry. Exit 0 healthy, 1 not. */
export function registerDoctor(program: Command, ctx: CliContext): void {
  withCredlyOptions(
    program
      .command('doctor')
      .description(`check the configuration, reach Credly, confirm the organization and environment, warn when the token expires within ${TOKEN_WARNING_DAYS} days; exit 0 healthy, 1 not`),
  )
    .option('--json', 'print the checks as JSON')
    .action(async (opts: CredlyFlags & { json?: boolean }) => {
      const checks: Check[] = [];
      const add = (check: Check) => checks.push(check);
      let client;
      try {
        client = clientFrom(opts, ctx.env, ctx);
        const { environment, baseUrl } = client.config;
        add({ name: 'configuration', ok: true, detail: `organization ${client.organizationId}, ${environment === 'custom' ? 'a custom Credly' : environment} (${baseUrl})` });
      } catch (error) {
        add({ name: 'configuration', ok: false, detail: (error as Error).message });
      }
      if (client) {
        try {
          const org = await client.organizations.get();
          add({ name: 'credly', ok: true, detail: `reached; the credentials work for organization "${org.name ?? org.id}" (${org.id}) in ${client.config.environment === 'production' ? 'PRODUCTION' : client.config.environment === 'sandbox' ? 'the sandbox' : 'a custom Credly'}` });
          try {
            const expiry = await client.authorizationTokens.expiry(new Date());
            if (expiry.status === 'oauth') add({ name: 'token', ok: true, detail: 'OAuth client credentials: access tokens are renewed automatically' });
            else if (expiry.status === 'unidentified') add({ name: 'token', ok: true, warning: true, detail: 'the token list does not show this token, so its expiry is unknown (a read-only token sees only read-only tokens): check it in Credly' });
            else if (expiry.daysLeft === null) add({ name: 'token', ok: true, warning: true, detail: 'Credly lists no expiry for this token' });
            else if (expiry.daysLeft < 0) add({ name: 'token', ok: false, detail: `the token expired on ${expiry.expiresAt!.toISOString().slice(0, 10)}: create a new one in Credly` });
            else if (expiry.daysLeft < TOKEN_WARNING_DAYS) add({ name: 'token', ok: true, warning: true, detail: `the token expires in ${expiry.daysLeft} day(s), on ${expiry.expiresAt!.toISOString().slice(0, 10)}: create a new one and update CREDLY_API_TOKEN` });
            else add({ name: 'token', ok: true, detail: `expires on ${expiry.expiresAt!.toISOString().slice(0, 10)} (${expiry.daysLeft} days)` });
          } catch (error) {
            add({ name: 'token', ok: true, warning: true, detail: `its expiry could not be read (${isCredlyError(error) ? error.message : String(error)})` });
          }
        } catch (error) {
          const status = (error as { status?: number }).status;
          const detail =
            status === 401
              ? 'Credly refused the credentials (401): the token is wrong, expired, or for the other environment (sandbox vs production)'
              : status === 403
                ? 'Credly refused the credentials (403): the token may not act for this organization'
                : `cannot reach Credly: ${isCredlyError(error) ? error.message : String(error)}`;
          add({ name: 'credly', ok: false, detail });
        } finally {
          client.close();
        }
      }
      const healthy = checks.every((c) => c.ok);
      if (opts.json) ctx.stdout.write(`${JSON.stringify({ healthy, checks }, null, 2)}\n`);
      else {
        for (const c of checks) ctx.stdout.write(`${c.ok ? (c.warning ? 'warn' : 'ok  ') : 'FAIL'} ${c.name}: ${c.detail}\n`);
        ctx.stdout.write(healthy ? 'healthy\n' : 'not healthy\n');
      }
      ctx.exitCode = healthy ? EXIT.ok : EXIT.couldNotRun;
    });
}
