/**
 * How the CLI ends: its exit statuses and the error that means "the user asked for something
 * we cannot do". Statuses follow common Unix practice: 2 for usage errors (as GNU tools and
 * getopt-style CLIs), 124 for a time limit (as coreutils `timeout`), 128 + signal number for
 * a signal (as shells report it).
 */

/** The guest powered off (PSCI SYSTEM_OFF) or requested SYSTEM_RESET, or --help/--version. */
export const EXIT_OK = 0;
/** The machine stopped for another reason (every CPU stopped, an internal error). */
export const EXIT_FAILURE = 1;
/** Bad command line or unusable input (flag, value, ELF), detected before the machine starts. */
export const EXIT_USAGE = 2;
/**
 * `serve --once`: the gdb session ended without a detach or kill: the connection closed
 * (gdb crashed or was killed, the network failed) or the session failed.
 */
export const EXIT_SESSION_LOST = 3;
/** `--timeout` elapsed (host time). */
export const EXIT_TIMEOUT = 124;
/** Stopped by SIGINT (128 + 2). */
export const EXIT_SIGINT = 130;
/** Stopped by SIGTERM (128 + 15). */
export const EXIT_SIGTERM = 143;

/**
 * A problem with what the user asked for. The CLI prints its message as the single line
 * `kgdb-lab: <message>` on stderr and exits with {@link EXIT_USAGE}. Messages must be one line.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(oneLine(message));
    this.name = 'UsageError';
  }
}

/** Collapse a (possibly multi-line, e.g. yargs') message into one line with single spaces. */
export function oneLine(message: string): string {
  return message.replace(/\s+/g, ' ').trim();
}
