import type { Argv } from 'yargs';
import type { CliCommand } from './command';
import { EXIT_SIGINT, EXIT_SIGTERM, UsageError, oneLine } from './exit';
import { machineOptionsFrom, parseWholeNumber, withMachineOptions, type MachineOptions } from './options';
import { BUNDLED_KERNEL } from './package-root';
import { createLogger } from '../log';
import { exitStatusFor, prepareMachine } from './run';
import { forwardStdin } from './console-io';

/** Scenarios of the bundled guest (guest/src: kgdb_lab.scenario=NAME). */
export const SCENARIOS = ['hardlockup', 'daifmasked', 'softlockup', 'late', 'breakpoint', 'idle', 'breakpoint-pair', 'oops-undef', 'oops-abort', 'oops-align'] as const;
export const DEFAULT_ROUNDUP_TIMEOUT_MS = 1000;

/** The options `serve` adds to the shared table. */
export const SERVE_OPTIONS = {
  roundup: {
    type: 'string',
    choices: ['nmi', 'ipi'],
    default: 'nmi',
    describe: 'how the bundled guest sends the kgdb roundup: pseudo-NMI (irqchip.gicv3_pseudo_nmi=1) or the regular-IPI fallback',
  },
  scenario: {
    type: 'string',
    choices: SCENARIOS as unknown as string[],
    default: 'hardlockup',
    describe: "the bundled guest's workload (kgdb_lab.scenario=NAME)",
  },
  host: { type: 'string', default: '127.0.0.1', requiresArg: true, describe: 'address to listen on for gdb' },
  port: { requiresArg: true, default: 1234, describe: 'TCP port for gdb (0: any free port)', coerce: (v: unknown) => parseWholeNumber('--port', v, 0, 65535) },
  'roundup-timeout': {
    requiresArg: true,
    default: DEFAULT_ROUNDUP_TIMEOUT_MS,
    describe: 'how long the master waits for the other CPUs, ms of machine time (Linux: 1000)',
    coerce: (v: unknown) => parseWholeNumber('--roundup-timeout', v, 1, 600000, ' ms'),
  },
  'step-mode': {
    type: 'string',
    choices: ['kgdb', 'gdb'],
    default: 'kgdb',
    describe:
      'stepping: kgdb keeps the other CPUs parked while the master steps; gdb honours vCont;s:N;c (set scheduler-locking off): the others run during the step and are rounded up again after it',
  },
  wait: { type: 'boolean', default: false, describe: 'hold every CPU at its first instruction until gdb continues (like QEMU -S)' },
  'trace-rsp': { type: 'boolean', default: false, describe: 'log every RSP packet in and out on stderr' },
} as const;

/**
 * `kgdb-lab serve`: run the machine with the kgdb debug core and a GDB remote-protocol
 * server; gdb attaches with `target remote HOST:PORT` and sees every CPU as a thread.
 */
export const serveCommand: CliCommand = {
  command: 'serve',
  describe: 'Run a kernel with the kgdb debug core and serve gdb (target remote :1234)',
  builder: (y: Argv) =>
    withMachineOptions(y)
      .options(SERVE_OPTIONS)
      .group(Object.keys(SERVE_OPTIONS), 'Debugger options:')
      .example('$0 serve', 'the bundled guest, 4 CPUs, hardlockup scenario, pseudo-NMI roundup, on 127.0.0.1:1234')
      .example('$0 serve --roundup ipi', 'the same with the regular-IPI fallback: the hard-locked CPU is not rounded up')
      .example('$0 serve --kernel my.elf', 'your own kernel; without kgdb entry points every CPU is halted from outside'),
  run: async (argv) => serve(argv),
};

/** Bootargs for the bundled guest from --roundup/--scenario; an explicit --append wins, with a warning. */
export function serveBootargs(opts: MachineOptions, argv: Record<string, unknown>, warn: (m: string) => void): string {
  const explicit = opts.bootargs;
  const bundled = opts.kernel === BUNDLED_KERNEL;
  const derived = [`kgdb_lab.scenario=${argv.scenario}`];
  if (argv.roundup === 'nmi') derived.push('irqchip.gicv3_pseudo_nmi=1');
  if (explicit !== '') {
    if (bundled && (argvGiven('roundup') || argvGiven('scenario'))) warn('--append given: --roundup and --scenario add nothing to the bootargs');
    return explicit;
  }
  return bundled ? derived.join(' ') : '';
}

function argvGiven(flag: string): boolean {
  return process.argv.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`));
}

/** Why the CLI itself halted the machine, if it did (as `run`). */
type HaltCause = 'timeout' | 'SIGINT' | 'SIGTERM' | undefined;

/**
 * Build the machine, start the debug server, run until the guest powers off or the CLI
 * halts it (`--timeout`, SIGINT, SIGTERM), then close the server.
 * @returns the exit status, as `run` maps it (exitStatusFor): 0 power-off, 124 timeout,
 *   130/143 SIGINT/SIGTERM, 1 otherwise
 * @throws UsageError for an unusable kernel, or an address that cannot be listened on
 */
async function serve(argv: Record<string, unknown>): Promise<number> {
  const opts = machineOptionsFrom(argv);
  const logger = createLogger({ level: opts.logLevel });
  opts.bootargs = serveBootargs(opts, argv, (m) => process.stderr.write(`kgdb-lab: warning: ${m}\n`));
  const { board, image, trace } = await prepareMachine(opts, logger);
  const { startDebugServer } = await import('./debug-server');
  let server;
  try {
    server = await startDebugServer({
      board,
      image,
      host: String(argv.host),
      port: argv.port as number,
      roundupTimeoutNs: (argv['roundup-timeout'] as number) * 1e6,
      stepMode: argv['step-mode'] === 'gdb' ? 'gdb' : 'kgdb',
      wait: argv.wait === true,
      traceRsp: argv['trace-rsp'] === true,
      logger,
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new UsageError(`port ${argv.port} on ${argv.host} is in use (try --port 0)`);
    if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') throw new UsageError(`cannot listen on ${argv.host}: ${err.code}`);
    throw e;
  }

  let cause: HaltCause;
  const halt = (why: Exclude<HaltCause, undefined>): void => {
    // A second Ctrl-C: the machine did not stop in time, so stop the process itself.
    if (cause !== undefined && why !== 'timeout') process.exit(why === 'SIGINT' ? EXIT_SIGINT : EXIT_SIGTERM);
    cause ??= why;
    board.halt();
  };
  const timer = opts.timeoutSec === undefined ? undefined : setTimeout(() => halt('timeout'), opts.timeoutSec * 1000);
  const onSigint = (): void => halt('SIGINT');
  const onSigterm = (): void => halt('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  const stopStdin = forwardStdin((bytes) => board.consoleInput(bytes), logger);
  let exit;
  try {
    exit = await board.run();
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    stopStdin();
    trace?.flush();
    await server.close();
  }
  const status = exitStatusFor(exit, cause);
  logger.info({ reason: exit.reason, detail: exit.detail, haltedBy: cause ?? null, status }, 'machine exited');
  if (cause === 'timeout') process.stderr.write(`kgdb-lab: timeout: halted the machine after ${opts.timeoutSec} s of host time\n`);
  else if (cause !== undefined) process.stderr.write(`kgdb-lab: ${cause}: halted the machine\n`);
  else if (exit.reason === 'system-reset') process.stderr.write('kgdb-lab: guest requested PSCI SYSTEM_RESET; reboot is not modelled, so the run ends here\n');
  else if (exit.reason === 'stopped' || exit.reason === 'halted') process.stderr.write(`kgdb-lab: machine stopped: ${oneLine(exit.detail)}\n`);
  return status;
}
