import * as fs from 'fs';
import type { Argv } from 'yargs';
import type { ElfImage } from '../loader/elf';
import type { Board, BoardExit } from '../machine/board';
import type { MachineEvent, MachineEventListener } from '../machine/events';
import { createLogger, type Logger } from '../log';
import type { CliCommand } from './command';
import { consoleWriter, forwardStdin } from './console-io';
import { EXIT_FAILURE, EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM, EXIT_TIMEOUT, UsageError, oneLine } from './exit';
import { machineOptionsFrom, withMachineOptions, type MachineOptions } from './options';

/**
 * `kgdb-lab run`: load an ELF, run it, copy the guest's UART output to stdout, and exit with
 * a status saying how the machine stopped (see {@link exitStatusFor}).
 */
export const runCommand: CliCommand = {
  command: 'run',
  describe: "Run a kernel to completion; the guest's console is stdin/stdout",
  builder: (y: Argv) =>
    withMachineOptions(y)
      .example('$0 run', 'run the bundled guest on 4 CPUs')
      .example('$0 run --kernel my.elf --cpus 2 --icount', 'run my.elf on 2 CPUs with deterministic time')
      .example('$0 run --timeout 10 < /dev/null', 'give up after 10 s of host time (exit status 124)'),
  run: async (argv) => runMachine(machineOptionsFrom(argv)),
};

/** Why the CLI itself halted the machine, if it did. */
type HaltCause = 'timeout' | 'SIGINT' | 'SIGTERM' | undefined;

/**
 * Build the machine, run it until it stops and report the outcome.
 *
 * Every check that can fail because of the user's input (the kernel file, its format, its
 * segments fitting in RAM) runs before the first instruction, and fails with UsageError.
 *
 * @returns the process exit status
 * @throws UsageError for an unusable kernel or machine configuration
 */
export async function runMachine(opts: MachineOptions): Promise<number> {
  const logger = createLogger({ level: opts.logLevel });
  const { board, trace } = await prepareMachine(opts, logger);

  let cause: HaltCause;
  const halt = (why: Exclude<HaltCause, undefined>): void => {
    if (cause !== undefined && why !== 'timeout') {
      // A second Ctrl-C: the machine did not stop in time, so stop the process itself.
      process.exit(why === 'SIGINT' ? EXIT_SIGINT : EXIT_SIGTERM);
    }
    cause ??= why;
    board.halt();
  };
  const timer = opts.timeoutSec === undefined ? undefined : setTimeout(() => halt('timeout'), opts.timeoutSec * 1000);
  const onSigint = (): void => halt('SIGINT');
  const onSigterm = (): void => halt('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  const stopStdin = forwardStdin((bytes) => board.consoleInput(bytes), logger);

  logger.info(
    { kernel: opts.kernel, cpus: opts.cpus, memoryMiB: opts.memoryMiB, icountShift: opts.icountShift ?? null },
    'machine starting',
  );
  let exit: BoardExit;
  try {
    exit = await board.run();
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    stopStdin();
    trace?.flush();
  }
  const status = exitStatusFor(exit, cause);
  logger.info({ reason: exit.reason, detail: exit.detail, haltedBy: cause ?? null, status }, 'machine exited');
  const message = exitMessage(exit, cause, opts);
  if (message !== undefined) process.stderr.write(`kgdb-lab: ${message}\n`);
  return status;
}

/**
 * The exit status for a machine exit. A guest's own SYSTEM_OFF wins over a halt the CLI asked
 * for at the same moment; SYSTEM_RESET exits 0 because reboot is not modelled, as QEMU does
 * with `-no-reboot`.
 */
export function exitStatusFor(exit: BoardExit, cause: HaltCause): number {
  switch (exit.reason) {
    case 'system-off':
    case 'system-reset':
      return EXIT_OK;
    case 'halted':
      if (cause === 'timeout') return EXIT_TIMEOUT;
      if (cause === 'SIGINT') return EXIT_SIGINT;
      if (cause === 'SIGTERM') return EXIT_SIGTERM;
      return EXIT_FAILURE;
    case 'stopped':
      return EXIT_FAILURE;
  }
}

/** The stderr line for an exit (undefined for a clean power-off). */
function exitMessage(exit: BoardExit, cause: HaltCause, opts: MachineOptions): string | undefined {
  switch (exit.reason) {
    case 'system-off':
      return undefined;
    case 'system-reset':
      return `guest requested PSCI SYSTEM_RESET; reboot is not modelled, so the run ends here`;
    case 'halted':
      if (cause === 'timeout') return `timeout: halted the machine after ${opts.timeoutSec} s of host time`;
      if (cause !== undefined) return `${cause}: halted the machine`;
      return `machine halted: ${oneLine(exit.detail)}`;
    case 'stopped':
      return `machine stopped: ${oneLine(exit.detail)}`;
  }
}

/** A machine ready to run: the board with the kernel loaded, and its --gic-trace writer. */
export interface PreparedMachine {
  board: Board;
  image: ElfImage;
  trace?: { flush: () => void };
}

/**
 * Every step before the first instruction, shared by `run` and `serve`: check and parse the
 * kernel, build the board, load the image. Each failure caused by the user's input (the
 * file, its format, its segments fitting in RAM) becomes one UsageError line.
 * @param onConsole where the guest's UART output goes; default stdout, byte for byte
 * @throws UsageError
 */
export async function prepareMachine(opts: MachineOptions, logger: Logger, onConsole?: (bytes: Uint8Array) => void): Promise<PreparedMachine> {
  // The loader and the machine are loaded here rather than at the top of the file so that
  // `--help` and command-line errors neither wait for nor depend on them.
  checkReadable(opts.kernel);
  const { loadElfFile } = await import('../loader/elf');
  const image = loadKernel(opts.kernel, loadElfFile);
  const { Board: BoardClass } = await import('../machine/board');
  const { eventLine } = await import('../machine/events');
  const board = buildBoard(opts, logger, BoardClass, onConsole ?? consoleWriter(logger));
  const writer = opts.gicTrace ? gicTraceWriter(eventLine) : undefined;
  if (writer) board.events.subscribe(writer.sink);
  const trace = writer ? { flush: writer.flush } : undefined;
  try {
    board.load(image);
  } catch (e) {
    throw new UsageError(withPath(opts.kernel, errorText(e)));
  }
  return { board, image, trace };
}

/** @throws UsageError unless `file` is a readable regular file */
function checkReadable(file: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
    fs.accessSync(file, fs.constants.R_OK);
  } catch (e) {
    throw new UsageError(`cannot read kernel ${file}: ${errnoText(e)}`);
  }
  if (!st.isFile()) throw new UsageError(`cannot read kernel ${file}: not a regular file`);
}

/**
 * Parse the kernel, turning every loader failure into one clear line.
 * @throws UsageError when the file is not a loadable AArch64 ELF
 */
function loadKernel(file: string, loadElfFile: (path: string) => ElfImage): ElfImage {
  try {
    return loadElfFile(file);
  } catch (e) {
    throw new UsageError(withPath(file, errorText(e)));
  }
}

/**
 * Construct the board. The options were range-checked already, so a failure here is about
 * the host (e.g. no room for the guest RAM) and is reported like a usage error: nothing ran.
 * @throws UsageError
 */
function buildBoard(opts: MachineOptions, logger: Logger, BoardClass: typeof Board, onConsole: (bytes: Uint8Array) => void): Board {
  try {
    return new BoardClass({
      cpus: opts.cpus,
      memoryMiB: opts.memoryMiB,
      bootargs: opts.bootargs,
      icountShift: opts.icountShift,
      onConsole,
      logger,
      engine: opts.engine,
    });
  } catch (e) {
    throw new UsageError(`cannot build a machine with ${opts.cpus} CPUs and ${opts.memoryMiB} MiB: ${errorText(e)}`);
  }
}

/**
 * The `--gic-trace` output: one JSON line per machine event (GIC and debugger, events.ts) on stderr (fd 2), independent of the
 * pino log level. Events arrive synchronously from the emulation loop, so lines are collected
 * and written in one write when the run loop next yields to Node's event loop (every few ms)
 * and at the end of the run; order is kept. If stderr goes away (EPIPE) tracing stops and the
 * machine carries on.
 * @param line formats one event (events.ts eventLine)
 */
function gicTraceWriter(line: (e: MachineEvent) => string): { sink: MachineEventListener; flush: () => void } {
  let pending: string[] = [];
  let scheduled = false;
  let broken = false;
  // process.stderr is synchronous for files and pipes on Linux (Node docs, "A note on process
  // I/O"); a closed reader shows up as an 'error' event, which must not kill the machine.
  process.stderr.on('error', () => {
    broken = true;
  });
  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    if (!broken) process.stderr.write(text);
  };
  const sink: MachineEventListener = (e) => {
    if (broken) return;
    pending.push(line(e));
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return { sink, flush };
}

/** `path: message`, unless the message names the path already. */
function withPath(file: string, message: string): string {
  return message.includes(file) ? message : `${file}: ${message}`;
}

function errorText(e: unknown): string {
  return oneLine(e instanceof Error ? e.message : String(e));
}

/** A short text for a file-system error: "no such file" rather than Node's "ENOENT: …, stat '/x'". */
function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a directory in the path is a file';
    case 'ELOOP':
      return 'too many symbolic links';
    default:
      return errorText(e);
  }
}
