import type { Command } from 'commander';
import { stopRequested, type CliContext } from '../runtime.js';
import { createWebhookHandler } from '../../webhooks/handler.js';
import { listen } from '../../webhooks/listen.js';
import { clientFrom, verifyCredentials, DEFAULT_LEDGER, ledgerTarget, openLedger, withCredlyOptions, type CredlyFlags } from '../context.js';
import { numberOption } from '../options.js';

/** `webhooks`: a small standalone receiver that keeps the ledger current and prints each event. */
export function registerWebhooks(program: Command, ctx: CliContext): void {
  withCredlyOptions(
    program
      .command('webhooks')
      .description("receive Credly's webhook events: verify each through the API, keep the ledger current, print one JSON line per event"),
  )
    .option('--port <n>', 'port to listen on', numberOption('--port', { min: 0, max: 65535 }), 8080)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--path <path>', 'the path Credly posts to', '/credly/webhooks')
    .option('--ledger <path|url>', 'the ledger: a file, or postgres://… shared with the issue job and other receivers', ctx.env.CREDLY_LEDGER ?? DEFAULT_LEDGER)
    .option('--catch-up <n>', 'on start, also process up to n events the API lists that were missed', numberOption('--catch-up', { min: 0 }), 0)
    .option('--event-lease <seconds>', "how long this receiver holds an event it is processing (renewed every third of it); receivers sharing the ledger take it over after it", numberOption('--event-lease', { min: 1, max: 3600, integer: false }), 60)
    .action(async (opts: CredlyFlags & { port: number; host: string; path: string; ledger: string; catchUp: number; eventLease: number }) => {
      const client = clientFrom(opts, ctx.env, ctx);
      await verifyCredentials(client);
      const ledger = await openLedger(ledgerTarget(ctx, opts.ledger));
      const logger = {
        debug: () => {},
        info: (m: string) => ctx.stderr.write(`${m}\n`),
        warn: (m: string) => ctx.stderr.write(`warning: ${m}\n`),
        error: (m: string) => ctx.stderr.write(`error: ${m}\n`),
      };
      const handler = createWebhookHandler({
        client,
        ledger,
        logger,
        eventLeaseMs: opts.eventLease * 1000,
        onEvent: (event) => {
          const subject = 'badge' in event ? event.badge?.id : 'template' in event ? event.template?.id : undefined;
          ctx.stdout.write(`${JSON.stringify({ id: event.id, type: event.type === 'unknown' ? event.eventType : event.type, occurredAt: event.occurredAt, subject })}\n`);
        },
      });
      const resumed = await handler.resume();
      const caught = opts.catchUp ? await handler.catchUp({ max: opts.catchUp }) : 0;
      const server = await listen({ handler, port: opts.port, host: opts.host, path: opts.path });
      ctx.stderr.write(`receiving Credly webhooks on ${server.url} (organization ${client.organizationId}); resumed ${resumed}, caught up ${caught}. Ctrl-C stops it.\n`);
      await stopRequested(ctx.signal);
      await server.close();
      handler.close();
      await handler.idle();
      await ledger.close();
      client.close();
    });
}
