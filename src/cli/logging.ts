import type { Logger, LogLevel } from '../credly/logger.js';
import { CliError } from './errors.js';
import type { CliStream } from './runtime.js';

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
const CLI_LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'off'] as const;

/** The level: debug with --verbose, else CREDLY_LOG, else warn. */
export function logLevelFrom(verbose: boolean, env: Record<string, string | undefined>): LogLevel {
  if (verbose) return 'debug';
  const raw = env.CREDLY_LOG?.trim().toLowerCase();
  if (!raw) return 'warn';
  if (!(CLI_LOG_LEVELS as readonly string[]).includes(raw)) throw new CliError(`CREDLY_LOG must be one of ${CLI_LOG_LEVELS.join(', ')}, got "${env.CREDLY_LOG}"`, 1, 'BAD_OPTION');
  return raw as LogLevel;
}

export function logFormatFrom(value: string | undefined): LogFormat {
  if (value === undefined) return 'text';
  if (!(LOG_FORMATS as readonly string[]).includes(value)) throw new CliError(`--log-format must be text or json, got "${value}"`, 1, 'BAD_OPTION');
  return value as LogFormat;
}

const rank: Record<LogLevel, number> = { off: 0, error: 1, warn: 2, info: 3, debug: 4 };

/**
 * Log lines on stderr: `2026-03-02T14:00:00.000Z warn message {meta}` as text, or one JSON object
 * per line (`{"time","level","msg",...meta}`) for log shippers. Below `level`, nothing.
 */
export function createCliLogger(stream: CliStream, level: LogLevel, format: LogFormat, now: () => Date = () => new Date()): Logger {
  const emit = (at: Exclude<LogLevel, 'off'>) => (message: string, meta?: Record<string, unknown>) => {
    if (rank[at] > rank[level]) return;
    const time = now().toISOString();
    if (format === 'json') stream.write(`${JSON.stringify({ time, level: at, msg: message, ...meta })}\n`);
    else stream.write(`${time} ${at} ${message}${meta && Object.keys(meta).length ? ` ${JSON.stringify(meta)}` : ''}\n`);
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
