import { redactSecrets, redactValue, maskEmail } from './redact.js';

/** The shape of `console` and pino: pass either. */
export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export const LOG_LEVELS = ['off', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const rank: Record<LogLevel, number> = { off: 0, error: 1, warn: 2, info: 3, debug: 4 };

/**
 * Wraps a logger once: drops messages below `level`, and redacts every message and meta object
 * (tokens, secret-named keys, recipient emails) before the user's logger sees it.
 */
export function createRedactingLogger(target: Logger | undefined, level: LogLevel, secrets: () => readonly string[]): Logger {
  const emit = (at: Exclude<LogLevel, 'off'>) => (message: string, meta?: Record<string, unknown>) => {
    if (!target || rank[at] > rank[level]) return;
    const known = secrets();
    const text = maskEmail(redactSecrets(message, known));
    const fn = target[at];
    if (meta === undefined) fn.call(target, text);
    else fn.call(target, text, redactValue(meta, known) as Record<string, unknown>);
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
