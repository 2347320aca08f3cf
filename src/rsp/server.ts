import * as net from 'net';
import { SILENT_LOG, type RspLog } from './log';
import { PacketReceiver } from './receiver';
import { DEFAULT_PACKET_SIZE, RspSession, type SessionOptions } from './session';
import type { Target } from './target';
import { ascii } from './hex';
import { framePacket } from './writer';

/** Where and how to listen. */
export interface RspServerOptions extends SessionOptions {
  /** Address to bind; default 127.0.0.1 (loopback only: the stub can write guest memory). */
  host?: string;
  /** TCP port; 0 picks a free one (see {@link RspServer.listen}'s result). */
  port: number;
  /** How long a refused second client gets to send its first packet, ms. Default 5000. */
  refuseTimeoutMs?: number;
  /**
   * How long a client that arrived while another is connected waits, after its first
   * packet, for the other to leave before it is refused, ms. Default 500.
   */
  handoverMs?: number;
}

/** The address the server listens on. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** The reply a second client gets (gdb prints it; see {@link RspServer}). */
export const BUSY_MESSAGE = 'kgdb-lab: another gdb is already connected; only one client at a time';

/**
 * The GDB remote-protocol TCP server: one {@link RspSession} per connection, one client at
 * a time, listening again when it leaves.
 *
 * - Replies are written with backpressure (see {@link send}): a client that does not read
 *   stops being read.
 * - TCP_NODELAY on every socket: without it, Nagle plus delayed ACKs cost ~40 ms per packet
 *   round trip (QEMU forces `nodelay` on its gdb chardev; measurements in kernel bugzilla
 *   217134 and riscv-vp PR #28).
 * - A second client while one is connected is refused: it gets `+` and an `E.` error
 *   reply to its first packet (gdb prints "Remote failure reply" with the text), then the
 *   connection closes. QEMU instead leaves it hanging unaccepted and OpenOCD closes it
 *   silently; both leave the user guessing. It is refused only if the first client is
 *   still there a moment after that packet (`handoverMs`): a gdb that reconnects right
 *   after quitting is accepted even when its old connection's close is still in flight.
 * - When the client disconnects (with or without `D`), the target is told through
 *   `onDisconnect`, and the next client gets a fresh session in ack mode.
 */
export class RspServer {
  private readonly server: net.Server;
  private readonly log: RspLog;
  private current: { socket: net.Socket; session: RspSession } | undefined;
  private readonly sockets = new Set<net.Socket>();
  /** Clients waiting for the current one to leave (see waitForTurn), oldest first. */
  private readonly freeWaiters = new Set<() => void>();

  constructor(
    private readonly target: Target,
    private readonly opts: RspServerOptions,
  ) {
    this.log = opts.log ?? SILENT_LOG;
    this.server = net.createServer({ noDelay: true }, (socket) => this.onConnection(socket));
    // Errors while binding reach listen()'s caller, which reports them; log only later ones.
    this.server.on('error', (err) => {
      if (this.server.listening) this.log.error({ err }, 'rsp: server error');
    });
  }

  /**
   * Start listening.
   * @returns the bound address (the real port when `port` was 0)
   * @throws Error (EADDRINUSE, EACCES…) when the address cannot be bound
   */
  listen(): Promise<ListenAddress> {
    const host = this.opts.host ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.opts.port, host, () => {
        this.server.off('error', onError);
        const addr = this.server.address() as net.AddressInfo;
        this.log.info({ host: addr.address, port: addr.port }, 'rsp: listening for gdb');
        resolve({ host: addr.address, port: addr.port });
      });
    });
  }

  /** True while a client is connected. */
  get connected(): boolean {
    return this.current !== undefined;
  }

  /** Stop listening and drop every connection (the client's session ends as connection-lost). */
  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(socket: net.Socket): void {
    socket.setNoDelay(true);
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    if (this.current) this.waitForTurn(socket);
    else this.accept(socket, []);
  }

  /** Start a session on `socket`, replaying bytes it sent before it was accepted. */
  private accept(socket: net.Socket, early: Buffer[]): void {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    let session: RspSession;
    try {
      session = new RspSession(this.target, { write: (data) => this.send(socket, data), end: () => socket.end() }, this.opts);
    } catch (err) {
      this.log.error({ err, peer }, 'rsp: the target cannot start a session');
      this.refuse(socket, `kgdb-lab: the target cannot be debugged: ${String(err)}`, early);
      return;
    }
    const entry = { socket, session };
    this.current = entry;
    this.log.info({ peer }, 'rsp: gdb connected');
    socket.on('data', (chunk: Buffer) => session.receive(chunk));
    socket.on('error', (err) => this.log.debug({ err, peer }, 'rsp: socket error'));
    socket.on('close', () => {
      session.connectionClosed();
      if (this.current === entry) this.current = undefined;
      this.log.info({ peer }, 'rsp: gdb disconnected');
      this.emitFree();
    });
    for (const chunk of early) session.receive(chunk);
  }

  /**
   * A client arrived while another is connected. gdb reconnecting right after quitting
   * often gets here before the old connection's close has been processed, so the new one
   * is not refused at once: it waits until it sends its first packet plus up to
   * `handoverMs` for the old connection to go. If it goes, the new client is accepted
   * with what it sent so far; otherwise it is refused (see {@link refuse}).
   */
  private waitForTurn(socket: net.Socket): void {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const early: Buffer[] = [];
    const receiver = new PacketReceiver(this.opts.packetSize ?? DEFAULT_PACKET_SIZE);
    let decided = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const decide = (): void => {
      if (decided) return;
      decided = true;
      clearTimeout(idleTimer);
      clearTimeout(graceTimer);
      this.freeWaiters.delete(onFree);
      socket.off('data', onData);
      if (socket.destroyed) return;
      if (!this.current) return this.accept(socket, early);
      this.log.warn({ peer }, 'rsp: refusing a second gdb connection');
      this.refuse(socket, BUSY_MESSAGE, early);
    };
    const onFree = (): void => decide();
    let earlyBytes = 0;
    const onData = (chunk: Buffer): void => {
      early.push(chunk);
      // Held bytes stay bounded: a client flooding while it waits is decided at once.
      if ((earlyBytes += chunk.length) > 2 * (this.opts.packetSize ?? DEFAULT_PACKET_SIZE)) return decide();
      let sawPacket = false;
      receiver.push(chunk, (ev) => {
        if (ev.kind === 'packet') sawPacket = true;
      });
      if (sawPacket && graceTimer === undefined) {
        graceTimer = setTimeout(decide, this.opts.handoverMs ?? 500);
        graceTimer.unref();
      }
    };
    // A client that never sends a packet does not hold a socket forever.
    const idleTimer = setTimeout(() => {
      if (!decided) socket.destroy();
    }, this.opts.refuseTimeoutMs ?? 5000);
    idleTimer.unref();
    this.freeWaiters.add(onFree);
    socket.on('data', onData);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      decided = true;
      clearTimeout(idleTimer);
      clearTimeout(graceTimer);
      this.freeWaiters.delete(onFree);
    });
  }

  /**
   * Write to the client, with backpressure: once the socket's send buffer is full (the
   * client is not reading its replies), stop reading its requests until the buffer drains,
   * so a client can never make the server hold more than about one buffer of replies.
   */
  private send(socket: net.Socket, data: Buffer): void {
    if (socket.write(data) || socket.isPaused()) return;
    socket.pause();
    socket.once('drain', () => socket.resume());
  }

  /** The current client left: the first waiting one may take its place. */
  private emitFree(): void {
    const first = this.freeWaiters.values().next();
    if (!first.done) first.value();
  }

  /**
   * Answer the client's first packet with `E.<message>` (gdb manual, "Standard Replies":
   * `E.` followed by text is an error with a message), then close.
   */
  private refuse(socket: net.Socket, message: string, early: Buffer[]): void {
    const receiver = new PacketReceiver(this.opts.packetSize ?? DEFAULT_PACKET_SIZE);
    const reply = framePacket(ascii(`E.${message.replace(/[$#}*]/g, '?')}`));
    let answered = false;
    const timer = setTimeout(() => socket.destroy(), this.opts.refuseTimeoutMs ?? 5000);
    timer.unref();
    socket.on('error', () => undefined);
    socket.on('close', () => clearTimeout(timer));
    const onData = (chunk: Buffer): void =>
      receiver.push(chunk, (ev) => {
        if (ev.kind !== 'packet' || answered) return;
        answered = true;
        socket.end(Buffer.concat([Buffer.from('+'), reply]));
      });
    socket.on('data', onData);
    for (const chunk of early) onData(chunk);
  }
}
