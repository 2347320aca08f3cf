import pino from 'pino';

/** A structured logger (pino). Components take child loggers: `logger.child({ component: 'psci' })`. */
export type Logger = pino.Logger;

/** pino levels plus `silent`, most verbose first (pino docs/api.md, "logger.level"). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** Minimum level written; default `info`. */
  level?: LogLevel;
  /**
   * File descriptor to write NDJSON lines to; default 2 (stderr), which keeps stdout for the
   * guest's console bytes.
   */
  fd?: number;
}

/**
 * The process-wide logger: one JSON object per line (pino NDJSON) on stderr.
 *
 * Writes are synchronous (`pino.destination({ sync: true })`, sonic-boom) rather than pino's
 * buffered default, so the last line logged before the process exits (e.g. why the machine
 * stopped) is never lost, and log lines interleave in order with the CLI's own stderr
 * messages. Logging is kept off the emulator's hot paths, so the cost of a write(2) per line
 * does not matter.
 *
 * @throws Error from pino when `level` is not a pino level name.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const dest = pino.destination({ dest: opts.fd ?? 2, sync: true });
  return pino(
    {
      name: 'kgdb-lab',
      level: opts.level ?? 'info',
      // The host name adds nothing for a local tool; the pid tells concurrent runs apart.
      base: { pid: process.pid },
    },
    dest,
  );
}
