import type { Argv } from 'yargs';

/**
 * A subcommand: its yargs definition plus an async body that returns the process exit
 * status. main.ts registers each one with yargs and turns thrown UsageErrors into status 2.
 */
export interface CliCommand {
  /** yargs command string, e.g. "run". */
  command: string;
  /** One-line description for `--help`. */
  describe: string;
  /** Adds the subcommand's options (usually the shared table, options.ts) and examples. */
  builder: (y: Argv) => Argv;
  /**
   * Do the work. `argv` holds the parsed, coerced options.
   * @returns the exit status
   * @throws UsageError for input that cannot be used
   */
  run: (argv: Record<string, unknown>) => Promise<number>;
}
