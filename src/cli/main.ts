import yargs from 'yargs';
import type { CliCommand } from './command';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, oneLine } from './exit';
import { packageVersion } from './package-root';
import { runCommand } from './run';
import { serveCommand } from './serve';
import { compareCommand } from './compare';

/** Every subcommand, in the order `--help` lists them. */
const COMMANDS: readonly CliCommand[] = [runCommand, serveCommand, compareCommand];

/**
 * The CLI entry point used by bin/kgdb-lab.js. Never rejects: the outcome is left in
 * `process.exitCode` (not `process.exit()`, which could cut off pending stdout writes of the
 * guest's console; Node docs, process.exitCode).
 * @param argv the arguments after the program name (`process.argv.slice(2)`)
 */
export async function main(argv: string[]): Promise<void> {
  process.exitCode = await runCli(argv);
}

/**
 * Parse `argv`, run the chosen subcommand and map failures to exit statuses:
 * a UsageError (or any yargs validation failure) → one line `kgdb-lab: <message>` on stderr
 * and EXIT_USAGE (2, instead of yargs' default 1); anything else → an internal-error report
 * with its stack and EXIT_FAILURE.
 * @returns the exit status
 */
export async function runCli(argv: string[]): Promise<number> {
  const status = { value: EXIT_OK };
  try {
    await buildParser(argv, status).parseAsync();
    return status.value;
  } catch (e) {
    return reportError(e);
  }
}

/** The yargs parser with every subcommand; a command's exit status is stored in `status`. */
function buildParser(argv: string[], status: { value: number }) {
  const parser = yargs(argv)
    .scriptName('kgdb-lab')
    .usage('$0 <command> [options]\n\nAn emulated multicore arm64 machine (QEMU virt memory map) for kernel-debugging experiments.')
    .parserConfiguration({
      // Values reach the coerce functions of options.ts as typed, so they can be checked strictly.
      'parse-numbers': false,
      // `--cpus 2 --cpus 4` means 4 (the last wins), not an array.
      'duplicate-arguments-array': false,
    })
    .strict()
    .exitProcess(false)
    .fail((msg, err) => {
      // yargs reports its own validation failures (unknown flag, missing value, coerce
      // errors) here as a message or a YError; errors thrown by a command's body also pass
      // through here and keep their identity.
      if (err && err.name !== 'YError') throw err;
      // A YError carries our own coerce message (options.ts), which is complete; yargs' own
      // messages ("Unknown argument: x") get a pointer to the help.
      throw new UsageError(err ? err.message : `${msg} (see kgdb-lab --help)`);
    })
    // Global: it sees the chosen command's switches too (yargs passes every boolean option).
    .check((_parsed, options: { boolean?: string[] }) => {
      rejectSwitchValues(argv, options.boolean ?? []);
      return true;
    })
    .demandCommand(1, 'no command given')
    .help()
    .alias('help', 'h')
    .version(packageVersion())
    .wrap(Math.min(100, yargs().terminalWidth() ?? 100))
    .epilogue(
      'Exit status: 0 guest powered off (PSCI SYSTEM_OFF, or SYSTEM_RESET), 1 machine stopped otherwise, ' +
        '2 usage error, 3 serve --once: the gdb connection dropped without detach (0: gdb detached), ' +
        '124 --timeout reached, 130/143 SIGINT/SIGTERM.',
    );
  for (const cmd of COMMANDS) {
    parser.command(cmd.command, cmd.describe, cmd.builder, async (args) => {
      status.value = await cmd.run(args as Record<string, unknown>);
    });
  }
  return parser;
}

/**
 * A switch given a value other than true/false (`--wait=maybe`, `--json=1`) is a usage error:
 * yargs would quietly read it as false.
 * @throws UsageError naming the switch and the value
 */
export function rejectSwitchValues(raw: readonly string[], switches: readonly string[]): void {
  for (const arg of raw) {
    if (arg === '--') return;
    const m = /^--(?:no-)?([^=]+)=(.*)$/s.exec(arg);
    if (m && switches.includes(m[1]) && m[2] !== 'true' && m[2] !== 'false') {
      throw new UsageError(`--${m[1]} is a switch: give it alone or as --${m[1]}=true / --${m[1]}=false, not '${m[2]}'`);
    }
  }
}

/** Print a failure on stderr and choose the exit status. */
function reportError(e: unknown): number {
  if (e instanceof UsageError) {
    process.stderr.write(`kgdb-lab: ${e.message}\n`);
    return EXIT_USAGE;
  }
  const text = e instanceof Error ? (e.stack ?? e.message) : String(e);
  process.stderr.write(`kgdb-lab: internal error: ${oneLine(e instanceof Error ? e.message : String(e))}\n${text}\n`);
  return EXIT_FAILURE;
}
