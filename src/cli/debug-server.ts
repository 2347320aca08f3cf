import * as os from 'os';
import * as path from 'path';
import type { Logger } from '../log';
import type { ElfImage } from '../loader/elf';
import { findSymbol, formatSymbol, loadElfFile, symbolize } from '../loader/elf';
import type { Board } from '../machine/board';
import { BoardDebugPort } from '../machine/debug-port';
import { INT_RX, UARTIMSC } from '../machine/devices/pl011';
import { UART0_BASE } from '../machine/memory-map';
import { KgdbCore, type GuestKgdb, type StepMode, type StopInfo } from '../debug/kgdb-core';
import { KgdbGdbTarget } from '../debug/gdb-target';
import { catchGuestFaults } from '../debug/guest-faults';
import type { MachineReset } from '../debug/monitor';
import { RspServer, formatTraceEvent, type DisconnectReason, type StopEvent } from '../rsp';
import { roundupSummary, type JsonEvents } from './json-events';

/** Where gdb reaches the server. */
export type Endpoint =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'unix'; path: string }
  /** stdin/stdout: gdb started the server (`target remote | kgdb-lab serve --stdio`). */
  | { kind: 'stdio' };

export interface DebugServerOptions {
  board: Board;
  image: ElfImage;
  /** Where to listen; for TCP, port 0 picks a free one (the bound endpoint says which). */
  endpoint: Endpoint;
  /** Roundup timeout, machine ns. */
  roundupTimeoutNs: number;
  /** How a step of the master treats the other CPUs (`--step-mode`). */
  stepMode?: StepMode;
  /** Hold every CPU at its first instruction until gdb continues. */
  wait: boolean;
  traceRsp: boolean;
  logger: Logger;
  /** `--json`: the event writer (listening, connected, stopped, resumed, disconnected). */
  json?: JsonEvents;
  /** Called whenever the machine stops for gdb (after the roundup). */
  onStop?: (s: StopInfo) => void;
  /** Called when a gdb session has ended and its connection is closed. */
  onSessionEnd?: (reason: DisconnectReason, peer: string) => void;
  /**
   * Called once the server listens (with the bound endpoint: the real port for TCP port 0),
   * before the ready line is printed, e.g. to write --port-file. If it throws, the server is
   * closed and startDebugServer rejects with that error.
   */
  onListening?: (endpoint: Endpoint) => void;
}

export interface DebugServer {
  /** Where it listens (the real port for TCP port 0). */
  endpoint: Endpoint;
  /**
   * The machine has exited: a gdb waiting for a stop gets `ev` (`W`/`X`) after `detail` on
   * its console (KgdbGdbTarget.machineGone). Resolves once the reply had its turn to be
   * written, so close() after it does not cut it off.
   */
  machineExited(ev: Extract<StopEvent, { kind: 'exited' | 'terminated' }>, detail: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The board's debug port plus MachinePort.interruptPending, which the core uses to keep
 * interrupts out of a single step: the CPU's IRQ/FIQ inputs (the GIC's signals, after
 * priority masking by ICC_PMR_EL1) against PSTATE.I/F, the test Cpu.checkInterrupts makes
 * before each instruction (Cpu.wfeWakeable is that test).
 */
class ServeDebugPort extends BoardDebugPort {
  constructor(private readonly b: Board) {
    super(b);
  }

  interruptPending(cpu: number): boolean {
    return this.b.cpus[cpu].wfeWakeable();
  }
}

/** The loopback addresses `--host` may name without a warning. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * Find the guest's kgdb entry points by symbol (kgdb_handle_exception, kgdb_nmicallback)
 * and the roundup SGI it published in `kgdb_roundup_sgi`, plus its pseudo-NMI flag
 * `arm64_irq_prio_masking` (optional). Undefined when any of the first three is missing:
 * a kernel without kgdb, debugged from outside like a hardware probe.
 */
export function findGuestKgdb(image: ElfImage, board: Board): GuestKgdb | undefined {
  const he = findSymbol(image, 'kgdb_handle_exception');
  const nc = findSymbol(image, 'kgdb_nmicallback');
  const sgi = findSymbol(image, 'kgdb_roundup_sgi');
  if (!he || !nc || !sgi) return undefined;
  const roundupSgi = (): number | undefined => {
    const b = board.bus.debugRead(sgi.value, 4);
    const v = b ? new DataView(b.buffer, b.byteOffset).getInt32(0, true) : -1;
    return v >= 0 && v < 16 ? v : undefined;
  };
  // Serial SysRq is live once the guest unmasked the UART's receive interrupt (pl011_enable_rx).
  const consoleRxEnabled = (): boolean => {
    const b = board.bus.debugRead(UART0_BASE + UARTIMSC, 4);
    return b !== undefined && (new DataView(b.buffer, b.byteOffset).getUint32(0, true) & INT_RX) !== 0;
  };
  const breakInReady = (): boolean => roundupSgi() !== undefined && consoleRxEnabled();
  const prioMasking = findSymbol(image, 'arm64_irq_prio_masking');
  return { handleException: he.value, nmiCallback: nc.value, roundupSgi, breakInReady, prioMaskingFlag: prioMasking?.value };
}

/**
 * gdb's time limit for a reply, seconds, in the attach command we print. gdb's default (2 s)
 * is shorter than a roundup can take: under --icount machine time may run slower than host
 * time, and a roundup that times out waits --roundup-timeout of machine time before gdb
 * gets its stop reply; gdb would give up and misread the late replies.
 */
export const GDB_REMOTE_TIMEOUT_S = 30;

/** Addresses that listen on every interface. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0']);

/**
 * The line `serve` prints once it listens, on stderr; scripts and IDEs wait for it, so its
 * shape is fixed (README, "The ready line"): `kgdb-lab: listening for gdb on WHERE; attach
 * with: gdb-multiarch ELF -ex 'directory DIR' -ex 'set remotetimeout 30' -ex 'target remote
 * ADDR'`, WHERE being `HOST:PORT` or `unix:PATH`. The loopback address is left out of
 * `target remote` (gdb's `:PORT` means localhost); a wildcard address becomes os.hostname(). With --stdio there is nothing to attach
 * to: the line is `kgdb-lab: serving gdb on stdin/stdout`.
 */
export function readyLine(endpoint: Endpoint, elfPath: string | undefined): string {
  if (endpoint.kind === 'stdio') return 'kgdb-lab: serving gdb on stdin/stdout';
  let where: string;
  let remote: string;
  if (endpoint.kind === 'unix') {
    where = `unix:${endpoint.path}`;
    remote = endpoint.path;
  } else {
    // A wildcard address is no address to connect to: name this machine instead, which works
    // here and is what a user on another machine needs.
    const host = WILDCARD_HOSTS.has(endpoint.host) ? os.hostname() : endpoint.host;
    const shownHost = host === '127.0.0.1' ? '' : host.includes(':') ? `[${host}]` : host;
    where = `${endpoint.host}:${endpoint.port}`;
    remote = `${shownHost}:${endpoint.port}`;
  }
  return (
    `kgdb-lab: listening for gdb on ${where}; attach with: ` +
    `gdb-multiarch ${elfPath ?? 'KERNEL.elf'}${sourceDirArg(elfPath)} -ex 'set remotetimeout ${GDB_REMOTE_TIMEOUT_S}' -ex 'target remote ${remote}'`
  );
}

/**
 * ` -ex 'directory DIR'` so gdb finds the sources: the bundled guest's debug info names
 * files relative to guest/ (it is built with -ffile-prefix-map), which is where its ELF is.
 */
function sourceDirArg(elfPath: string | undefined): string {
  return elfPath ? ` -ex 'directory ${path.dirname(elfPath)}'` : '';
}

/**
 * Wire the machine, the kgdb debug core and the RSP server together and start serving.
 * Prints the ready line (where, and the gdb command to attach) on stderr.
 * @throws Error (EADDRINUSE…) when the address cannot be bound
 */
export async function startDebugServer(o: DebugServerOptions): Promise<DebugServer> {
  const log = o.logger.child({ component: 'kgdb' });
  const port = new ServeDebugPort(o.board);
  let image = o.image;
  const guest = findGuestKgdb(image, o.board);
  const notice = (text: string): void => void process.stderr.write(`${text}\n`);
  let target: KgdbGdbTarget | undefined;
  const core = new KgdbCore(port, {
    guest,
    roundupTimeoutNs: o.roundupTimeoutNs,
    stepMode: o.stepMode,
    onStop: (s) => {
      // What the guest printed before it stopped reaches the console before gdb hears of the stop.
      o.board.flushConsole();
      // A stop in the instant the run ended (a step over SYSTEM_OFF, or over the MMU enable
      // that stopped the last CPU): the end is what gdb and --json hear of (machineExited),
      // as QEMU answers a step into a power-off with W; the stop is not reported.
      if (o.board.ended) return;
      o.json?.emit({
        event: 'stopped',
        cpu: s.cpu,
        signal: s.signo,
        reason: s.reason,
        detail: s.detail,
        roundup: roundupSummary({
          master: core.master,
          cpuCount: port.cpuCount,
          role: (c) => core.role(c),
          describe: (c) => core.describe(c),
          isOnline: (c) => port.isOnline(c),
          events: core.events,
        }),
      });
      o.onStop?.(s);
      target?.stopped(s);
    },
    onNotice: notice,
  });
  const reset: MachineReset = {
    reset: (halt) => {
      const file = image.path;
      if (file === undefined) throw new Error('the kernel was not loaded from a file');
      const fresh = loadElfFile(file);
      o.board.reboot(fresh);
      image = fresh;
      core.reset(findGuestKgdb(fresh, o.board), halt ? 'held at the first instruction (monitor reset halt)' : undefined);
      const bytes = fresh.segments.reduce((n, sg) => n + sg.data.length, 0);
      return `kgdb-lab: reloaded ${file} (${bytes} bytes, entry 0x${fresh.entry.toString(16)}) and rebooted the machine`;
    },
  };
  let lastReason: DisconnectReason = 'connection-lost';
  target = new KgdbGdbTarget(core, port, {
    notice,
    symbolize: (addr) => formatSymbol(image, addr),
    reset,
    tools: {
      lookup: (addr) => symbolize(image, addr),
      // Looked up at each use: `monitor reset` may have loaded a rebuilt kernel.
      get backtraceFlag() {
        return findSymbol(image, 'backtrace_flag')?.value;
      },
    },
    observer: {
      resumed: (step) => o.json?.emit({ event: 'resumed', step }),
      disconnected: (reason) => {
        lastReason = reason;
      },
    },
  });
  catchGuestFaults(port, core);
  if (!guest) notice('kgdb-lab: the guest has no kgdb entry points (kgdb_handle_exception, kgdb_nmicallback, kgdb_roundup_sgi): gdb will halt every CPU from outside');
  const server = new RspServer(target, {
    host: o.endpoint.kind === 'tcp' ? o.endpoint.host : undefined,
    port: o.endpoint.kind === 'tcp' ? o.endpoint.port : undefined,
    log,
    trace: o.traceRsp ? (ev) => notice(`rsp ${formatTraceEvent(ev)}`) : undefined,
    onClient: (ev) => {
      if (ev.kind === 'connected') {
        lastReason = 'connection-lost';
        o.json?.emit({ event: 'connected', peer: ev.peer });
        return;
      }
      o.json?.emit({ event: 'disconnected', peer: ev.peer, reason: lastReason });
      o.onSessionEnd?.(lastReason, ev.peer);
    },
  });
  let endpoint: Endpoint;
  if (o.endpoint.kind === 'tcp') {
    const addr = await server.listen();
    // Once, and only when the address was really bound (a bad --host fails without it).
    if (!LOOPBACK.has(o.endpoint.host)) notice(`kgdb-lab: warning: listening on ${o.endpoint.host}: anyone who can reach this port controls the guest (reads and writes all its memory)`);
    endpoint = { kind: 'tcp', host: addr.host, port: addr.port };
    o.json?.emit({ event: 'listening', transport: 'tcp', host: addr.host, port: addr.port });
  } else if (o.endpoint.kind === 'unix') {
    await server.listenUnix(o.endpoint.path);
    endpoint = o.endpoint;
    o.json?.emit({ event: 'listening', transport: 'unix', path: o.endpoint.path });
  } else {
    endpoint = o.endpoint;
    server.serveStream({ input: process.stdin, output: process.stdout, peer: 'stdio', destroy: () => process.stdin.destroy() });
  }
  try {
    o.onListening?.(endpoint);
  } catch (e) {
    await server.close();
    throw e;
  }
  notice(readyLine(endpoint, image.path));
  // After the ready line, so the user reads where to attach before why the machine waits.
  if (o.wait) core.haltNow('held at the first instruction (--wait)');
  return {
    endpoint,
    machineExited: async (ev, detail) => {
      target?.machineGone(ev, detail);
      // The session answers from a promise callback; its write is done by the next turn of the event loop.
      await new Promise((r) => setImmediate(r));
    },
    close: () => server.close(),
  };
}
