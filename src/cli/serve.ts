import * as fs from 'fs';
import * as path from 'path';
import type { Argv } from 'yargs';
import type { CliCommand } from './command';
import { EXIT_SESSION_LOST, EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM, UsageError, oneLine } from './exit';
import { machineOptionsFrom, parseWholeNumber, withMachineOptions, type MachineOptions } from './options';
import { BUNDLED_KERNEL } from './package-root';
import { createLogger } from '../log';
import { exitStatusFor, prepareMachine } from './run';
import { consoleWriter, forwardStdin } from './console-io';
import { GdbSignal, type DisconnectReason, type StopEvent } from '../rsp/target';
import type { BoardExit } from '../machine/board';
import type { Endpoint } from './debug-server';
import { JsonEvents } from './json-events';

/** Scenarios of the bundled guest (guest/src: kgdb_lab.scenario=NAME). */
export const SCENARIOS = ['hardlockup', 'daifmasked', 'softlockup', 'late', 'breakpoint', 'idle', 'breakpoint-pair', 'oops-undef', 'oops-abort', 'oops-align'] as const;
export const DEFAULT_ROUNDUP_TIMEOUT_MS = 1000;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 1234;

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
  // host and port have no yargs default, so that --unix/--stdio can tell whether they were given.
  host: { type: 'string', requiresArg: true, defaultDescription: DEFAULT_HOST, describe: 'address to listen on for gdb' },
  port: {
    requiresArg: true,
    defaultDescription: String(DEFAULT_PORT),
    describe: 'TCP port for gdb (0: any free port; the ready line and --port-file show which)',
    coerce: (v: unknown) => parseWholeNumber('--port', v, 0, 65535),
  },
  'port-file': { type: 'string', requiresArg: true, describe: 'write the TCP port, one line, to FILE once listening (removed at exit)' },
  unix: { type: 'string', requiresArg: true, describe: 'listen on a unix-domain socket at PATH instead of TCP (gdb: target remote PATH)' },
  stdio: {
    type: 'boolean',
    default: false,
    describe: "speak RSP on stdin/stdout (gdb: target remote | kgdb-lab serve --stdio); the guest console goes to stderr; implies --once",
  },
  once: {
    type: 'boolean',
    default: false,
    describe: 'exit when the first gdb session ends: status 0 after gdb detached or killed, 3 when the connection dropped without that',
  },
  json: { type: 'boolean', default: false, describe: 'NDJSON events on stdout (listening, connected, stopped, resumed, disconnected, console, exited)' },
  'trace-out': { type: 'string', requiresArg: true, describe: 'write the roundups as Trace Event JSON to FILE (open in ui.perfetto.dev or chrome://tracing)' },
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

/** Why the CLI itself halted the machine, if it did (as `run`), or that --once's session ended. */
type HaltCause = 'timeout' | 'SIGINT' | 'SIGTERM' | 'session-ended' | undefined;

/** The exit status `--once` gives for how its gdb session ended. */
export function sessionExitStatus(reason: DisconnectReason): number {
  switch (reason) {
    case 'detach':
    case 'kill':
      return EXIT_OK;
    case 'connection-lost':
    case 'error':
      return EXIT_SESSION_LOST;
  }
}

/**
 * Where gdb reaches the server, from --host/--port/--unix/--stdio.
 * @throws UsageError for combinations that contradict each other
 */
export function endpointFrom(argv: Record<string, unknown>): Endpoint {
  const given = (k: string): boolean => argv[k] !== undefined;
  const tcpFlags = ['host', 'port', 'port-file'].filter(given).map((k) => `--${k}`);
  if (argv.stdio === true) {
    const clash = [...tcpFlags, ...(given('unix') ? ['--unix'] : []), ...(argv.json === true ? ['--json'] : [])];
    if (clash.length) throw new UsageError(`--stdio uses stdin/stdout for gdb: it cannot be combined with ${clash.join(', ')}`);
    return { kind: 'stdio' };
  }
  if (given('unix')) {
    if (tcpFlags.length) throw new UsageError(`--unix listens on a unix socket: it cannot be combined with ${tcpFlags.join(', ')}`);
    const p = String(argv.unix);
    if (p === '') throw new UsageError('--unix needs a path');
    if (fs.existsSync(p)) throw new UsageError(`--unix ${p}: the path exists; remove it first (kgdb-lab never replaces a file)`);
    return { kind: 'unix', path: path.resolve(p) };
  }
  return { kind: 'tcp', host: given('host') ? String(argv.host) : DEFAULT_HOST, port: given('port') ? (argv.port as number) : DEFAULT_PORT };
}

/**
 * Build the machine, start the debug server, run until the guest powers off, the CLI halts
 * it (`--timeout`, SIGINT, SIGTERM) or, with --once/--stdio, the gdb session ends; then
 * close the server.
 * @returns the exit status: as `run` maps it (exitStatusFor): 0 power-off, 124 timeout,
 *   130/143 SIGINT/SIGTERM, 1 otherwise; with --once, sessionExitStatus when the session ended
 * @throws UsageError for an unusable kernel, contradicting flags, or an address that cannot be listened on
 */
async function serve(argv: Record<string, unknown>): Promise<number> {
  const opts = machineOptionsFrom(argv);
  const endpoint = endpointFrom(argv);
  const once = argv.once === true || endpoint.kind === 'stdio';
  const portFile = argv['port-file'] === undefined ? undefined : path.resolve(String(argv['port-file']));
  // Before anything starts: a port file that cannot be written is a usage error, not a
  // failure after the ready line (scripts read the file when they see that line).
  if (portFile) checkPortFileWritable(portFile);
  const traceFile = argv['trace-out'] === undefined ? undefined : path.resolve(String(argv['trace-out']));
  const logger = createLogger({ level: opts.logLevel });
  opts.bootargs = serveBootargs(opts, argv, (m) => process.stderr.write(`kgdb-lab: warning: ${m}\n`));
  // The guest console: stdout, except where stdout carries RSP (--stdio: stderr) or JSON (--json: console events).
  let json: JsonEvents | undefined;
  const onConsole =
    argv.json === true
      ? (bytes: Uint8Array) => json?.console(bytes)
      : endpoint.kind === 'stdio'
        ? consoleWriter(logger, process.stderr)
        : undefined;
  const { board, image, trace } = await prepareMachine(opts, logger, onConsole);
  if (argv.json === true) {
    // A reader that goes away (EPIPE) ends the events, not the machine (as consoleWriter does).
    let open = true;
    process.stdout.on('error', () => {
      open = false;
    });
    json = new JsonEvents((line) => void (open && process.stdout.write(line)), () => board.machineTimeNs());
  }
  const traceOut = traceFile ? await startTraceOut(traceFile, board, argv, opts) : undefined;

  let cause: HaltCause;
  let sessionReason: DisconnectReason | undefined;
  const { startDebugServer } = await import('./debug-server');
  let server;
  try {
    server = await startDebugServer({
      board,
      image,
      endpoint,
      roundupTimeoutNs: (argv['roundup-timeout'] as number) * 1e6,
      stepMode: argv['step-mode'] === 'gdb' ? 'gdb' : 'kgdb',
      wait: argv.wait === true,
      traceRsp: argv['trace-rsp'] === true,
      logger,
      json,
      onStop: () => traceOut?.write(),
      // Before the ready line: scripts read the port file as soon as they see it.
      onListening: (ep) => {
        if (portFile && ep.kind === 'tcp') writePortFile(portFile, ep.port);
      },
      onSessionEnd: (reason) => {
        if (!once || sessionReason !== undefined) return;
        sessionReason = reason;
        cause ??= 'session-ended';
        board.halt();
      },
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const where = endpoint.kind === 'unix' ? endpoint.path : endpoint.kind === 'tcp' ? `port ${endpoint.port} on ${endpoint.host}` : 'stdio';
    if (err.code === 'EADDRINUSE') throw new UsageError(endpoint.kind === 'tcp' ? `${where} is in use (try --port 0)` : `${where} is in use`);
    if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') throw new UsageError(`cannot listen on ${endpoint.kind === 'tcp' ? endpoint.host : where}: ${err.code}`);
    // libuv reports bind()'s ENOENT on a unix socket as EACCES (uv_pipe_bind).
    const dir = endpoint.kind === 'unix' ? path.dirname(path.resolve(endpoint.path)) : undefined;
    if (dir !== undefined && err.code === 'EACCES' && !fs.existsSync(dir)) throw new UsageError(`cannot listen on ${where}: directory ${dir} does not exist (ENOENT)`);
    if (err.code === 'EACCES' || err.code === 'ENOENT') throw new UsageError(`cannot listen on ${where}: ${err.code}`);
    throw e;
  }

  const halt = (why: Exclude<HaltCause, undefined>): void => {
    // A second Ctrl-C: the machine did not stop in time, so stop the process itself. (gdb
    // sends SIGTERM to a --stdio server it closes: after the session ended, that changes nothing.)
    if ((cause === 'SIGINT' || cause === 'SIGTERM') && why !== 'timeout') process.exit(why === 'SIGINT' ? EXIT_SIGINT : EXIT_SIGTERM);
    cause ??= why;
    board.halt();
  };
  const timer = opts.timeoutSec === undefined ? undefined : setTimeout(() => halt('timeout'), opts.timeoutSec * 1000);
  const onSigint = (): void => halt('SIGINT');
  const onSigterm = (): void => halt('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  // With --stdio, stdin is gdb's.
  const stopStdin = endpoint.kind === 'stdio' ? () => {} : forwardStdin((bytes) => board.consoleInput(bytes), logger);
  let exit;
  try {
    exit = await board.run();
    const line = exitLine(exit, cause, sessionReason, opts.timeoutSec);
    await server.machineExited(gdbExitEvent(exit, cause), `kgdb-lab: ${line ?? oneLine(exit.detail)}`);
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    stopStdin();
    trace?.flush();
    await server.close();
    if (portFile) fs.rmSync(portFile, { force: true });
    traceOut?.write();
  }
  const status = cause === 'session-ended' && sessionReason !== undefined ? sessionExitStatus(sessionReason) : exitStatusFor(exit, cause === 'session-ended' ? undefined : cause);
  logger.info({ reason: exit.reason, detail: exit.detail, haltedBy: cause ?? null, status }, 'machine exited');
  json?.flushConsole();
  json?.emit({ event: 'exited', status, reason: cause === 'session-ended' ? `session-ended:${sessionReason}` : exit.reason, detail: oneLine(exit.detail) });
  const line = exitLine(exit, cause, sessionReason, opts.timeoutSec, status);
  if (line !== undefined) process.stderr.write(`kgdb-lab: ${line}\n`);
  return status;
}

/** Why the run ended, for stderr and for gdb's console (undefined for a plain power-off). */
function exitLine(exit: BoardExit, cause: HaltCause, sessionReason: DisconnectReason | undefined, timeoutSec: number | undefined, status?: number): string | undefined {
  if (cause === 'timeout') return `timeout: halted the machine after ${timeoutSec} s of host time`;
  if (cause === 'session-ended') return `the gdb session ended (${sessionReason}); exiting (--once)${status === undefined ? '' : ` with status ${status}`}`;
  if (cause !== undefined) return `${cause}: halted the machine`;
  if (exit.reason === 'system-reset') return 'guest requested PSCI SYSTEM_RESET; reboot is not modelled, so the run ends here';
  if (exit.reason === 'stopped' || exit.reason === 'halted') return `machine stopped: ${oneLine(exit.detail)}`;
  return undefined;
}

/**
 * The machine's exit as gdb's last stop reply (gdb manual, "Stop Reply Packets"): `X` with the
 * signal for a halt the CLI caused (--timeout as SIGALRM, SIGINT, SIGTERM), else `W` with the
 * exit status (0 after the guest's SYSTEM_OFF or SYSTEM_RESET, 1 when every CPU is off or
 * stopped).
 */
export function gdbExitEvent(exit: BoardExit, cause: HaltCause): Extract<StopEvent, { kind: 'exited' | 'terminated' }> {
  if (exit.reason === 'halted') {
    if (cause === 'timeout') return { kind: 'terminated', signal: GdbSignal.SIGALRM };
    if (cause === 'SIGINT') return { kind: 'terminated', signal: GdbSignal.SIGINT };
    if (cause === 'SIGTERM') return { kind: 'terminated', signal: GdbSignal.SIGTERM };
  }
  return { kind: 'exited', status: exitStatusFor(exit, undefined) };
}

/** The temporary file `writePortFile` renames into place (same directory, so the rename is atomic). */
function portFileTemp(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
}

/** Write `port` and a newline to `file` atomically (a reader never sees a partial line). @throws UsageError */
function writePortFile(file: string, port: number): void {
  const tmp = portFileTemp(file);
  try {
    fs.writeFileSync(tmp, `${port}\n`);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new UsageError(`--port-file ${file}: cannot write it (${fsCode(e)})`);
  }
}

/**
 * Check up front that `writePortFile` can write `file`: creates and removes its temporary
 * file in the directory (a real write, which permission bits alone would not tell for root),
 * and refuses a directory as the target.
 * @throws UsageError naming the file and the errno code (ENOENT, EACCES, EISDIR…)
 */
function checkPortFileWritable(file: string): void {
  const tmp = portFileTemp(file);
  try {
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    fs.writeFileSync(tmp, '');
    fs.rmSync(tmp, { force: true });
  } catch (e) {
    throw new UsageError(`--port-file ${file}: cannot write it (${fsCode(e)})`);
  }
}

/**
 * Start recording for --trace-out and write the (empty) file once, so an unwritable path is
 * a usage error before anything runs.
 * @throws UsageError
 */
async function startTraceOut(
  file: string,
  board: { events: import('../machine/events').MachineEventStream; cpus: readonly unknown[]; machineTimeNs(): number },
  argv: Record<string, unknown>,
  opts: MachineOptions,
): Promise<{ write: () => void }> {
  const { TraceOut } = await import('./trace-out');
  const bundled = opts.kernel === BUNDLED_KERNEL;
  const title = `kgdb-lab serve ${path.basename(opts.kernel)}${bundled ? ` --scenario ${argv.scenario} --roundup ${argv.roundup}` : ''}`;
  const t = new TraceOut(board.events, file, { cpus: board.cpus.length, title, other: { kernel: opts.kernel, bootargs: opts.bootargs, roundup: bundled ? argv.roundup : null, scenario: bundled ? argv.scenario : null } }, () => board.machineTimeNs() / 1000);
  try {
    t.writeNow();
  } catch (e) {
    throw new UsageError(`--trace-out ${file}: cannot write it (${fsCode(e)})`);
  }
  let broken = false;
  return {
    write: () => {
      if (broken) return;
      try {
        t.writeNow();
      } catch (e) {
        broken = true;
        process.stderr.write(`kgdb-lab: --trace-out ${file}: cannot write it (${fsCode(e)}); trace writing stops\n`);
      }
    },
  };
}

/** The errno code of a file-system error (ENOENT, EACCES…), or its message. */
function fsCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? oneLine(String((e as Error).message ?? e));
}
