import * as fs from 'fs';
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
  /** TCP port for {@link RspServer.listen}; 0 picks a free one (see its result). */
  port?: number;
  /** How long a refused second client gets to send its first packet, ms. Default 5000. */
  refuseTimeoutMs?: number;
  /**
   * How long a client that arrived while another is connected waits, after its first
   * packet, for the other to leave before it is refused, ms. Default 500.
   */
  handoverMs?: number;
  /** Told when a client's session starts and when its connection has closed. */
  onClient?: (ev: ClientEvent) => void;
}

/**
 * A client came or went. `peer` names it: `HOST:PORT` for TCP, `unix:PATH` for a unix
 * socket, `stdio` for stdin/stdout.
 */
export type ClientEvent = { kind: 'connected'; peer: string } | { kind: 'disconnected'; peer: string };

/** The TCP address the server listens on. */
export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * One byte-stream connection to gdb, whatever carries it: a TCP or unix socket (`input` and
 * `output` are the same socket), or a pipe pair such as stdin/stdout when gdb started the
 * server itself (`target remote | kgdb-lab serve --stdio`).
 */
export interface RspStream {
  /** Bytes from gdb ('data' events); its 'end' or 'close' ends the session. */
  input: NodeJS.ReadableStream;
  /** Bytes to gdb. */
  output: NodeJS.WritableStream;
  /** Who is at the other end, for logs and {@link ClientEvent}s. */
  peer: string;
  /** Close both directions at once (the session is over or the server is closing). */
  destroy(): void;
}

/** The reply a second client gets (gdb prints it; see {@link RspServer}). */
export const BUSY_MESSAGE = 'kgdb-lab: another gdb is already connected; only one client at a time';

/**
 * The GDB remote-protocol server: one {@link RspSession} per connection, one client at a
 * time, listening again when it leaves. Connections come from a TCP listener
 * ({@link listen}), a unix-socket listener ({@link listenUnix}), or any stream pair handed
 * to {@link serveStream} (stdin/stdout).
 *
 * - TCP_NODELAY on every TCP socket: without it, Nagle plus delayed ACKs cost ~40 ms per packet
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
 * - Replies are written with backpressure (see {@link send}): a client that does not read
 *   stops being read.
 */
export class RspServer {
  private readonly servers: net.Server[] = [];
  private readonly log: RspLog;
  private current: { stream: RspStream; session: RspSession } | undefined;
  /** Connections not closed yet: close() drops them and waits for their end. */
  private readonly open = new Set<Connection>();
  /** Unix socket files this server created, removed again by close(). */
  private readonly socketFiles: string[] = [];
  /** Clients waiting for the current one to leave (see waitForTurn), oldest first. */
  private readonly freeWaiters = new Set<() => void>();

  constructor(
    private readonly target: Target,
    private readonly opts: RspServerOptions,
  ) {
    this.log = opts.log ?? SILENT_LOG;
  }

  /**
   * Start listening on TCP `host`:`port` (the options).
   * @returns the bound address (the real port when `port` was 0)
   * @throws Error (EADDRINUSE, EACCES…) when the address cannot be bound
   */
  async listen(): Promise<ListenAddress> {
    const host = this.opts.host ?? '127.0.0.1';
    const server = await this.bind({ port: this.opts.port ?? 0, host });
    const addr = server.address() as net.AddressInfo;
    this.log.info({ host: addr.address, port: addr.port }, 'rsp: listening for gdb');
    return { host: addr.address, port: addr.port };
  }

  /**
   * Start listening on a unix-domain socket at `path` (gdb: `target remote PATH`). The
   * socket file is created here and removed by {@link close}; an existing file at `path` is
   * never replaced.
   * @throws Error EADDRINUSE when `path` exists, EACCES/ENOENT when it cannot be created
   */
  async listenUnix(path: string): Promise<void> {
    await this.bind({ path });
    this.socketFiles.push(path);
    this.log.info({ path }, 'rsp: listening for gdb on a unix socket');
  }

  /**
   * Serve one gdb over an already-open stream pair (e.g. stdin/stdout). The session ends
   * when `input` ends or closes, or on `D`/`k` (then `output` is ended).
   */
  serveStream(stream: RspStream): void {
    this.accept(stream);
  }

  /** True while a client is connected. */
  get connected(): boolean {
    return this.current !== undefined;
  }

  /**
   * Stop listening and drop every connection (the client's session ends as connection-lost).
   * Resolves once each dropped connection's end has been handled (onClient 'disconnected'
   * reported), or after CLOSE_WAIT_MS for a stream that never says it closed.
   */
  async close(): Promise<void> {
    // After the callbacks already queued (the session's end, 'disconnected'): they run in order.
    const ended = [...this.open].map((c) => new Promise<void>((resolve) => c.onClosed.push(resolve)));
    for (const c of this.open) c.stream.destroy();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)));
    await Promise.race([Promise.all(ended), late]);
    clearTimeout(timer);
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    for (const f of this.socketFiles.splice(0)) {
      try {
        fs.unlinkSync(f);
      } catch {
        // already gone
      }
    }
  }

  private bind(where: net.ListenOptions): Promise<net.Server> {
    const server = net.createServer({ noDelay: true }, (socket) => this.onSocket(socket, where.path));
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      server.listen(where, () => {
        server.off('error', onError);
        // Errors while binding reach the caller, which reports them; log only later ones.
        server.on('error', (err) => this.log.error({ err }, 'rsp: server error'));
        this.servers.push(server);
        resolve(server);
      });
    });
  }

  private onSocket(socket: net.Socket, unixPath: string | undefined): void {
    if (!unixPath) socket.setNoDelay(true);
    this.accept({
      input: socket,
      output: socket,
      peer: unixPath ? `unix:${unixPath}` : `${socket.remoteAddress}:${socket.remotePort}`,
      destroy: () => socket.destroy(),
    });
  }

  /** A new connection: track it, then start its session or let it wait for its turn. */
  private accept(stream: RspStream): void {
    const { peer } = stream;
    const conn: Connection = { stream, closed: false, onClosed: [] };
    conn.onClosed.push(() => this.open.delete(conn));
    this.open.add(conn);
    const closedOnce = (): void => {
      if (conn.closed) return;
      conn.closed = true;
      for (const f of conn.onClosed) f();
    };
    conn.close = closedOnce;
    stream.input.on('end', closedOnce);
    stream.input.on('close', closedOnce);
    stream.input.on('error', (err) => {
      this.log.debug({ err, peer }, 'rsp: connection error');
      closedOnce();
    });
    stream.output.on('error', (err) => this.log.debug({ err, peer }, 'rsp: connection error (writing)'));
    if (this.current) this.waitForTurn(conn);
    else this.startSession(conn, []);
  }

  /** Start a session on the connection, replaying bytes it sent before it was accepted. */
  private startSession(conn: Connection, early: Buffer[]): void {
    const { stream } = conn;
    const { peer } = stream;
    let session: RspSession;
    try {
      session = new RspSession(
        this.target,
        {
          write: (data) => this.send(stream, data),
          onDrain: (resume) => void stream.output.once('drain', resume),
          end: () => {
            stream.output.end();
            // A socket ends both ways at once; a pipe pair needs its input let go too.
            if (stream.input !== (stream.output as unknown)) conn.close?.();
          },
        },
        this.opts,
      );
    } catch (err) {
      this.log.error({ err, peer }, 'rsp: the target cannot start a session');
      this.refuse(stream, `kgdb-lab: the target cannot be debugged: ${String(err)}`, early);
      return;
    }
    const entry = { stream, session };
    this.current = entry;
    this.log.info({ peer }, 'rsp: gdb connected');
    this.opts.onClient?.({ kind: 'connected', peer });
    stream.input.on('data', (chunk: Buffer) => session.receive(chunk));
    conn.onClosed.push(() => {
      session.connectionClosed();
      if (this.current === entry) this.current = undefined;
      this.log.info({ peer }, 'rsp: gdb disconnected');
      this.opts.onClient?.({ kind: 'disconnected', peer });
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
  private waitForTurn(conn: Connection): void {
    const { stream } = conn;
    const { peer } = stream;
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
      stream.input.removeListener('data', onData);
      if (conn.closed) return;
      if (!this.current) return this.startSession(conn, early);
      this.log.warn({ peer }, 'rsp: refusing a second gdb connection');
      this.refuse(stream, BUSY_MESSAGE, early);
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
    // A client that never sends a packet does not hold a connection forever.
    const idleTimer = setTimeout(() => {
      if (!decided) stream.destroy();
    }, this.opts.refuseTimeoutMs ?? 5000);
    idleTimer.unref();
    this.freeWaiters.add(onFree);
    stream.input.on('data', onData);
    conn.onClosed.push(() => {
      decided = true;
      clearTimeout(idleTimer);
      clearTimeout(graceTimer);
      this.freeWaiters.delete(onFree);
    });
  }

  /** The current client left: the first waiting one may take its place. */
  private emitFree(): void {
    const first = this.freeWaiters.values().next();
    if (!first.done) first.value();
  }

  /**
   * Write to the client, with backpressure: once the output's buffer is full (the client
   * is not reading its replies), stop reading its requests until the buffer drains; the
   * session meanwhile executes none of the packets it already holds (SessionIo.write), so a
   * client can never make the server hold more than about one buffer of replies.
   * @returns false when the output's buffer is full
   */
  private send(stream: RspStream, data: Buffer): boolean {
    if (stream.output.write(data)) return true;
    if (stream.input.isPaused()) return false;
    stream.input.pause();
    stream.output.once('drain', () => stream.input.resume());
    return false;
  }

  /**
   * Answer the client's first packet with `E.<message>` (gdb manual, "Standard Replies":
   * `E.` followed by text is an error with a message), then close.
   * @param early bytes the client sent before it was refused
   */
  private refuse(stream: RspStream, message: string, early: Buffer[]): void {
    const receiver = new PacketReceiver(this.opts.packetSize ?? DEFAULT_PACKET_SIZE);
    const reply = framePacket(ascii(`E.${message.replace(/[$#}*]/g, '?')}`));
    let answered = false;
    const timer = setTimeout(() => stream.destroy(), this.opts.refuseTimeoutMs ?? 5000);
    timer.unref();
    stream.input.on('close', () => clearTimeout(timer));
    const onData = (chunk: Buffer): void =>
      receiver.push(chunk, (ev) => {
        if (ev.kind !== 'packet' || answered) return;
        answered = true;
        stream.output.end(Buffer.concat([Buffer.from('+'), reply]));
      });
    stream.input.on('data', onData);
    for (const chunk of early) onData(chunk);
  }
}

/** A connection's bookkeeping while it is open. */
/** How long close() waits for dropped connections to report their end (host ms). */
const CLOSE_WAIT_MS = 1000;

interface Connection {
  stream: RspStream;
  closed: boolean;
  /** Run once when the connection closes, in order. */
  onClosed: (() => void)[];
  /** Close it from our side (a pipe pair whose output we ended). */
  close?: () => void;
}
