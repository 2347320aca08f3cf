import * as path from 'path';
import type { Logger } from '../log';
import type { ElfImage } from '../loader/elf';
import { findSymbol, formatSymbol, symbolize } from '../loader/elf';
import type { Board } from '../machine/board';
import { BoardDebugPort } from '../machine/debug-port';
import { KgdbCore, type GuestKgdb } from '../debug/kgdb-core';
import { KgdbGdbTarget } from '../debug/gdb-target';
import { RspServer, formatTraceEvent, type ListenAddress } from '../rsp';

export interface DebugServerOptions {
  board: Board;
  image: ElfImage;
  host: string;
  port: number;
  /** Roundup timeout, machine ns. */
  roundupTimeoutNs: number;
  /** Hold every CPU at its first instruction until gdb continues. */
  wait: boolean;
  traceRsp: boolean;
  logger: Logger;
}

export interface DebugServer {
  address: ListenAddress;
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
 * and the roundup SGI it published in `kgdb_roundup_sgi`. Undefined when any is missing:
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
  return { handleException: he.value, nmiCallback: nc.value, roundupSgi };
}

/**
 * gdb's time limit for a reply, seconds, in the attach command we print. gdb's default (2 s)
 * is shorter than a roundup can take: under --icount machine time may run slower than host
 * time, and a roundup that times out waits --roundup-timeout of machine time before gdb
 * gets its stop reply; gdb would give up and misread the late replies.
 */
export const GDB_REMOTE_TIMEOUT_S = 30;

/**
 * The line `serve` prints once it listens: where, and the gdb command line that attaches
 * (`kgdb-lab: listening for gdb on HOST:PORT; attach with: gdb-multiarch ELF -ex ...`).
 * The loopback address is left out of `target remote` (gdb's `:PORT` means localhost).
 */
export function readyLine(address: ListenAddress, elfPath: string | undefined): string {
  const shownHost = address.host === '127.0.0.1' ? '' : address.host.includes(':') ? `[${address.host}]` : address.host;
  return (
    `kgdb-lab: listening for gdb on ${address.host}:${address.port}; attach with: ` +
    `gdb-multiarch ${elfPath ?? 'KERNEL.elf'}${sourceDirArg(elfPath)} -ex 'set remotetimeout ${GDB_REMOTE_TIMEOUT_S}' -ex 'target remote ${shownHost}:${address.port}'`
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
 * Wire the machine, the kgdb debug core and the RSP server together and start listening.
 * Prints the ready line (address and the gdb command to attach) on stderr.
 * @throws Error (EADDRINUSE…) when the address cannot be bound
 */
export async function startDebugServer(o: DebugServerOptions): Promise<DebugServer> {
  const log = o.logger.child({ component: 'kgdb' });
  const port = new ServeDebugPort(o.board);
  const guest = findGuestKgdb(o.image, o.board);
  const notice = (text: string): void => void process.stderr.write(`${text}\n`);
  let target: KgdbGdbTarget | undefined;
  const core = new KgdbCore(port, {
    guest,
    roundupTimeoutNs: o.roundupTimeoutNs,
    onStop: (s) => target?.stopped(s),
    onNotice: notice,
  });
  target = new KgdbGdbTarget(core, port, notice, (addr) => formatSymbol(o.image, addr), {
    lookup: (addr) => symbolize(o.image, addr),
    backtraceFlag: findSymbol(o.image, 'backtrace_flag')?.value,
  });
  if (!guest) notice('kgdb-lab: the guest has no kgdb entry points (kgdb_handle_exception, kgdb_nmicallback, kgdb_roundup_sgi): gdb will halt every CPU from outside');
  if (!LOOPBACK.has(o.host)) notice(`kgdb-lab: warning: listening on ${o.host}: anyone who can reach this port controls the guest`);
  const server = new RspServer(target, {
    host: o.host,
    port: o.port,
    log,
    trace: o.traceRsp ? (ev) => notice(`rsp ${formatTraceEvent(ev)}`) : undefined,
  });
  const address = await server.listen();
  notice(readyLine(address, o.image.path));
  // After the ready line, so the user reads where to attach before why the machine waits.
  if (o.wait) core.haltNow('held at the first instruction (--wait)');
  return { address, close: () => server.close() };
}
