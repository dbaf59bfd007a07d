import type { Command } from 'commander';
import { stopRequested, type CliContext } from '../runtime.js';
import { EXIT } from '../errors.js';
import { startFakeCredly } from '../../testing/fake-credly/server.js';
import { parseRateLimit } from '../../testing/fake-credly/rate-limit.js';
import { numberOption, rateOption } from '../options.js';

/** `fake-credly`: serves the fake Credly for tools in any language, until interrupted. */
export function registerFakeCredly(program: Command, ctx: CliContext): void {
  program
    .command('fake-credly')
    .description('serve a stateful fake Credly on loopback for tests (prints its URL, organization id and token)')
    .option('--port <n>', 'port to listen on (0 picks a free one)', numberOption('--port', { min: 0, max: 65535 }), 4010)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--seed <n>', 'seed for ids and random faults', numberOption('--seed', { min: 0 }), 1)
    .option('--latency-ms <n>', 'latency added to every API response', numberOption('--latency-ms', { min: 0 }))
    .option('--error-rate <r>', 'share of API requests answered 500/503 (0 to 1)', rateOption('--error-rate'))
    .option('--reset-after-commit-rate <r>', 'share of API requests whose connection is reset after the change was made', rateOption('--reset-after-commit-rate'))
    .option('--rate-limit <N/s>', 'allow N requests per second (or N/m per minute); then 429 with Retry-After')
    .action(async (opts: { port: number; host: string; seed: number; latencyMs?: number; errorRate?: number; resetAfterCommitRate?: number; rateLimit?: string }) => {
      const fake = await startFakeCredly({
        port: opts.port,
        host: opts.host,
        seed: opts.seed,
        ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}),
        faults: {
          ...(opts.errorRate !== undefined ? { errorRate: opts.errorRate } : {}),
          ...(opts.resetAfterCommitRate !== undefined ? { resetAfterCommitRate: opts.resetAfterCommitRate } : {}),
        },
        ...(opts.rateLimit ? { rateLimit: parseRateLimit(opts.rateLimit) } : {}),
      });
      ctx.stdout.write(
        [
          `fake Credly listening on ${fake.url}`,
          `CREDLY_BASE_URL=${fake.baseUrl}`,
          `CREDLY_ORGANIZATION_ID=${fake.organizationId}`,
          `CREDLY_API_TOKEN=${fake.token}`,
          `OAuth client: ${fake.oauth.clientId} / ${fake.oauth.clientSecret} (token endpoint ${fake.url}/oauth/token)`,
          `inspect: ${fake.url}/__fake/state, ${fake.url}/__fake/stats; reset: POST ${fake.url}/__fake/reset`,
          'Ctrl-C stops it.',
          '',
        ].join('\n'),
      );
      await stopRequested(ctx.signal);
      await fake.stop();
      ctx.exitCode = EXIT.ok;
    });
}
