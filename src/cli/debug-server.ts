import type { Logger } from '../log';
import type { ElfImage } from '../loader/elf';
import { findSymbol, formatSymbol } from '../loader/elf';
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
 * Wire the machine, the kgdb debug core and the RSP server together and start listening.
 * Prints the ready line (address and the gdb command to attach) on stderr.
 * @throws Error (EADDRINUSE…) when the address cannot be bound
 */
export async function startDebugServer(o: DebugServerOptions): Promise<DebugServer> {
  const log = o.logger.child({ component: 'kgdb' });
  const port = new BoardDebugPort(o.board);
  const guest = findGuestKgdb(o.image, o.board);
  const notice = (text: string): void => void process.stderr.write(`${text}\n`);
  let target: KgdbGdbTarget | undefined;
  const core = new KgdbCore(port, {
    guest,
    roundupTimeoutNs: o.roundupTimeoutNs,
    onStop: (s) => target?.stopped(s),
    onNotice: notice,
  });
  target = new KgdbGdbTarget(core, port, notice, (addr) => formatSymbol(o.image, addr));
  if (!guest) notice('kgdb-lab: the guest has no kgdb entry points (kgdb_handle_exception, kgdb_nmicallback, kgdb_roundup_sgi): gdb will halt every CPU from outside');
  if (!LOOPBACK.has(o.host)) notice(`kgdb-lab: warning: listening on ${o.host}: anyone who can reach this port controls the guest`);
  if (o.wait) core.haltNow('held at the first instruction (--wait)');
  const server = new RspServer(target, {
    host: o.host,
    port: o.port,
    log,
    trace: o.traceRsp ? (ev) => notice(`rsp ${formatTraceEvent(ev)}`) : undefined,
  });
  const address = await server.listen();
  const shownHost = address.host === '127.0.0.1' ? '' : address.host;
  notice(`kgdb-lab: listening for gdb on ${address.host}:${address.port}; attach with: gdb-multiarch ${o.image.path ?? 'KERNEL.elf'} -ex 'target remote ${shownHost}:${address.port}'`);
  return { address, close: () => server.close() };
}
