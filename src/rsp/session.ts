import { resolveCapabilities } from './capabilities';
import { consolePayloads, PhaseConsole } from './console';
import { dispatch, type ConnectionState, type HandlerContext, type HandlerStatus, type SessionConsole } from './handlers';
import { reportStop } from './handlers/stop';
import { ascii, latin1 } from './hex';
import { SILENT_LOG, type RspLog } from './log';
import { parsePacket } from './packets';
import { PacketReceiver, type RecvEvent } from './receiver';
import { Errno, TargetError, errnoOf, errorText, isFatal } from './target-error';
import type { DisconnectReason, ResumePlan, StopEvent, Target } from './target';
import type { RspTrace, RspTraceEvent } from './trace';
import { framePacket, ReplyBuilder } from './writer';

/** The connection a session talks through (a TCP socket in practice; a fake in unit tests). */
export interface SessionIo {
  /**
   * Send bytes; called once per flush, with every packet in it whole.
   * @returns false when the output's buffer is full (the client is not reading): the
   *   session then executes no further packet until `onDrain`'s callback (backpressure)
   */
  write(data: Buffer): boolean | void;
  /** Call `resume` once after the output's buffer has drained (after write returned false). */
  onDrain?(resume: () => void): void;
  /** Close after the pending writes (graceful; the peer sees end-of-stream). */
  end(): void;
}

/** Session tuning. */
export interface SessionOptions {
  /** Largest packet body accepted, bytes; advertised as PacketSize. Default {@link DEFAULT_PACKET_SIZE}. */
  packetSize?: number;
  /** Longest silence while gdb waits (resume, monitor command) before an empty `O` packet, ms. Default 1000. */
  keepaliveMs?: number;
  /** Packets held while the target is busy or running, beyond which packets are NAKed. Default 32. */
  maxQueuedPackets?: number;
  trace?: RspTrace;
  log?: RspLog;
  /** Called when the session ends on a fatal target error. */
  onFatal?: (err: unknown) => void;
}

/**
 * 128 KiB: gdb then reads up to 64 KiB per `m` (PacketSize / 2; gdb 13 has no binary `x`), so a
 * 1 MiB `dump binary memory` is 16 round trips instead of 128 (issue 8, row 4).
 */
export const DEFAULT_PACKET_SIZE = 0x20000;

/**
 * - idle: ready for the next packet.
 * - busy: a handler is waiting on the target (`?` halting the machine, a monitor command);
 *   packets are queued.
 * - running: the target runs after `c`/`s`/`vCont`; 0x03 interrupts it; packets are queued.
 * - closed: the session is over; input is ignored.
 */
type SessionState = 'idle' | 'busy' | 'running' | 'closed';

/** A queued packet payload, or `oversize`: answer an oversize packet (no-ack mode) in order. */
type QueueItem = Uint8Array | 'oversize';

const OK_PAYLOAD = ascii('OK');
/** Replies waiting in the outbox beyond this many bytes are written before the next packet runs. */
const FLUSH_BYTES = 64 * 1024;
const ACK = Buffer.from('+');
const NAK = Buffer.from('-');

/**
 * One gdb connection: framing, acknowledgments, packet dispatch, and the wait for the
 * target while it runs. Byte-exact on Buffers throughout.
 *
 * Protocol rules implemented here (gdb manual, "Overview", "Packet Acknowledgment",
 * "Interrupts", "Stop Reply Packets"):
 * - In ack mode every good packet is answered `+` before it is handled, a bad one `-` and
 *   not executed, and a `-` from gdb makes the stub resend its last packet byte for byte
 *   (QEMU does the same; gdbstub treats it as fatal). After QStartNoAckMode, neither side
 *   sends `+`/`-`; a bad packet is then dropped (logged), and an oversize one answered
 *   `E5a` (EMSGSIZE) since gdb would otherwise wait for a reply.
 * - Packets above the PacketSize are NAKed and discarded whole (the receiver's bound).
 * - While the target runs, 0x03 calls the target's `interrupt()`; the stop reply is sent
 *   when the target's resume promise settles. A 0x03 at any other time is ignored.
 * - `O` packets (console output) are sent only while gdb waits for a stop or a monitor
 *   command; while such a wait lasts, an empty `O` goes out whenever nothing else was sent
 *   for `keepaliveMs`·3/4, so gdb never sees a second without traffic.
 * - Acks and replies produced in one turn of the event loop are written together; every
 *   packet goes out in a single write (never split across writes).
 * - Nothing throws out of {@link receive}: an exception while handling a packet becomes an
 *   `E NN` reply and a log line, and the session continues; a fatal TargetError ends it.
 *
 * No-ack mode, thread selection and gdb's features belong to the connection: a new session
 * starts in ack mode.
 */
export class RspSession {
  private readonly receiver: PacketReceiver;
  private readonly packetSize: number;
  private readonly keepaliveMs: number;
  private readonly maxQueued: number;
  private readonly log: RspLog;
  private readonly trace: RspTrace | undefined;
  private readonly ctx: HandlerContext;
  private readonly conn: ConnectionState;
  private readonly onFatal: ((err: unknown) => void) | undefined;

  private state: SessionState = 'idle';
  private readonly queue: QueueItem[] = [];
  private outbox: Buffer[] = [];
  /** Bytes in outbox. */
  private outboxBytes = 0;
  private flushQueued = false;
  /** The output's buffer is full: execute nothing more until it drains (see SessionIo.write). */
  private outputBlocked = false;
  /** Packets refused (NAKed, or dropped without acks) since the queue last had room. */
  private refused = 0;
  /** The last packet sent, for retransmission on `-`. */
  private lastPacket: Buffer | undefined;
  /** Date.now() when the last packet was sent, or a console opened if later: keepalives count from it. */
  private quietSince = Date.now();
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private openConsoles = 0;
  private disconnectNotified = false;

  /**
   * Start a session: resolves the target's capabilities and calls its `onConnect`.
   * @throws whatever `target.baseOps()` or a `support*()` method throws (the server then
   *   refuses the connection)
   */
  constructor(
    private readonly target: Target,
    private readonly io: SessionIo,
    opts: SessionOptions = {},
  ) {
    this.packetSize = opts.packetSize ?? DEFAULT_PACKET_SIZE;
    this.keepaliveMs = opts.keepaliveMs ?? 1000;
    this.maxQueued = opts.maxQueuedPackets ?? 32;
    this.log = opts.log ?? SILENT_LOG;
    this.trace = opts.trace;
    this.onFatal = opts.onFatal;
    this.receiver = new PacketReceiver(this.packetSize);
    this.conn = {
      noAck: false,
      hg: { kind: 'any' },
      hc: { kind: 'any' },
      currentCpu: undefined,
      gdbFeatures: new Set(),
      threadsXml: undefined,
    };
    this.ctx = {
      caps: resolveCapabilities(target),
      conn: this.conn,
      packetSize: this.packetSize,
      log: this.log,
      openConsole: () => this.openConsole(),
    };
    this.callTarget('onConnect', () => target.onConnect?.());
  }

  /** True until the session ended (D, k, fatal error, connection closed). */
  get active(): boolean {
    return this.state !== 'closed';
  }

  /** True while the target runs on gdb's behalf (for tests and diagnostics). */
  get running(): boolean {
    return this.state === 'running';
  }

  /** Bytes from the connection. Never throws. */
  receive(chunk: Uint8Array): void {
    if (this.state === 'closed') return;
    try {
      this.receiver.push(chunk, (ev) => this.onEvent(ev));
    } catch (e) {
      // Handlers' exceptions are caught in execute(); reaching here is a stub bug.
      this.log.error({ err: e }, 'rsp: internal error while reading packets');
    }
    this.flush();
  }

  /** The connection closed (by either side). Tells the target unless it already knows. */
  connectionClosed(): void {
    if (this.state === 'closed' && this.disconnectNotified) return;
    this.state = 'closed';
    this.stopKeepalive();
    this.notifyDisconnect('connection-lost');
  }

  private onEvent(ev: RecvEvent): void {
    // A `D` or `k` earlier in the same chunk closed the session: ignore what follows it.
    if (this.state === 'closed') return;
    switch (ev.kind) {
      case 'packet':
        this.emitTrace({ direction: 'in', kind: 'packet', data: ev.payload });
        return this.onPacket(ev.payload);
      case 'ack':
        this.emitTrace({ direction: 'in', kind: 'ack' });
        return;
      case 'nak':
        this.emitTrace({ direction: 'in', kind: 'nak' });
        // Without acks there is nothing to retransmit: gdb still sends `-` when its
        // remotetimeout expires (remote.c getpkt), and our last reply then would answer the
        // packet it is waiting for. gdbserver skips it too.
        if (this.conn.noAck) return this.log.debug('rsp: - in no-ack mode (gdb timed out waiting), ignored');
        if (this.lastPacket) {
          this.emitTrace({ direction: 'out', kind: 'retransmit', data: this.lastPacket.subarray(1, -3) });
          this.queueOut(this.lastPacket);
        }
        return;
      case 'interrupt':
        this.emitTrace({ direction: 'in', kind: 'interrupt' });
        if (this.state === 'running') this.callTarget('interrupt', () => this.ctx.caps.resume?.interrupt());
        else this.log.debug({ state: this.state }, 'rsp: 0x03 while the target is not running, ignored');
        return;
      case 'bad-checksum':
        this.emitTrace({ direction: 'in', kind: 'bad-checksum', data: ev.payload });
        this.log.warn(
          { expected: ev.expected, received: ev.received, packet: latin1(ev.payload.subarray(0, 64)) },
          'rsp: packet with a bad checksum or malformed body, not executed',
        );
        if (!this.conn.noAck) this.sendAck(NAK);
        return;
      case 'oversize':
        this.emitTrace({ direction: 'in', kind: 'oversize' });
        this.log.warn({ length: ev.length, packetSize: this.packetSize }, 'rsp: packet longer than PacketSize, discarded');
        if (!this.conn.noAck) this.sendAck(NAK);
        else this.enqueue('oversize');
        return;
      case 'garbage':
        this.emitTrace({ direction: 'in', kind: 'garbage', data: ev.bytes });
        this.log.debug({ count: ev.count, sample: latin1(ev.bytes) }, 'rsp: skipped bytes outside a packet');
        return;
    }
  }

  private onPacket(payload: Uint8Array): void {
    if (this.queue.length >= this.maxQueued) {
      // gdb retransmits a NAKed packet; by then the queue has drained. Without acks the
      // packet is lost: only a client that does not wait for its replies gets here. One
      // warning per overflow, and the count when the queue has room again.
      if (this.refused++ === 0) {
        this.log.warn({ queued: this.queue.length }, this.conn.noAck ? 'rsp: too many packets queued, dropping' : 'rsp: too many packets queued, NAKing');
      }
      if (!this.conn.noAck) this.sendAck(NAK);
      return;
    }
    if (this.refused > 1) this.log.warn({ refused: this.refused }, 'rsp: packet queue has room again');
    this.refused = 0;
    if (!this.conn.noAck) this.sendAck(ACK);
    this.enqueue(payload);
  }

  private enqueue(item: QueueItem): void {
    this.queue.push(item);
    this.pump();
  }

  /**
   * Execute queued packets while nothing is pending and the client reads its replies. Replies
   * are written as soon as they pass FLUSH_BYTES, so a client that sends many packets at once
   * and reads nothing meets backpressure after about one output buffer, not after every
   * packet it sent has been answered into memory.
   */
  private pump(): void {
    while (this.state === 'idle' && this.queue.length > 0 && !this.outputBlocked) {
      const item = this.queue.shift() as QueueItem;
      if (item === 'oversize') this.sendPacket(new ReplyBuilder().text('E').hexByte(Errno.EMSGSIZE).payload());
      else this.execute(item);
      if (this.outboxBytes >= FLUSH_BYTES) this.flush();
    }
  }

  private execute(payload: Uint8Array): void {
    const out = new ReplyBuilder();
    let result: HandlerStatus | Promise<HandlerStatus>;
    try {
      result = dispatch(this.ctx, parsePacket(payload), out);
    } catch (e) {
      result = this.failure(e, payload, out);
    }
    if (!(result instanceof Promise)) {
      this.complete(result, out);
      return;
    }
    this.state = 'busy';
    result
      .catch((e: unknown) => this.failure(e, payload, out))
      .then((status) => {
        if (this.state === 'closed') return;
        this.state = 'idle';
        this.complete(status, out);
        this.pump();
        this.flush();
      })
      .catch((e: unknown) => this.log.error({ err: e }, 'rsp: internal error after an asynchronous packet'));
  }

  /** An exception from a handler: an `E NN` reply, or the end of the session. */
  private failure(e: unknown, payload: Uint8Array, out: ReplyBuilder): HandlerStatus {
    const packet = latin1(payload.subarray(0, 48));
    if (isFatal(e)) {
      this.fatal(e, packet);
      return { kind: 'none' };
    }
    const errno = errnoOf(e);
    // A refusal the target chose (bad address, no such register…) is gdb's to show, not a
    // problem of the server: debug level, no stack. Anything else is a bug worth a warning.
    if (e instanceof TargetError) this.log.debug({ packet, errno, reason: e.message }, 'rsp: packet refused');
    else this.log.warn({ err: e, packet, errno }, 'rsp: packet failed');
    out.reset();
    if (this.textualErrorAllowed(payload)) out.text(`E.${errorText(e)}`);
    else out.text('E').hexByte(errno);
    return { kind: 'reply' };
  }

  /**
   * `E.errtext` replies are understood by gdb ≥ 15 for `qRcmd` and `m` when it announced
   * `error-message+` in qSupported (gdb manual, qSupported "error-message"; gdb-patches
   * 2024-04 "Add error_message+ feature to qSupported"). Older gdb prints "Protocol error
   * with Rcmd" for any `E NN` to qRcmd, so the text is worth sending when allowed.
   */
  private textualErrorAllowed(payload: Uint8Array): boolean {
    if (!this.conn.gdbFeatures.has('error-message')) return false;
    if (payload[0] === 0x6d /* m */) return true;
    return latin1(payload.subarray(0, 6)) === 'qRcmd,';
  }

  private complete(status: HandlerStatus, out: ReplyBuilder): void {
    if (this.state === 'closed') return;
    switch (status.kind) {
      case 'reply':
        this.sendPacket(out.payload());
        return;
      case 'ok':
        this.sendPacket(OK_PAYLOAD);
        return;
      case 'none':
        return;
      case 'stop':
        reportStop(this.ctx, status.stop, out.reset());
        this.sendPacket(out.payload());
        return;
      case 'resume':
        this.startResume(status.plan);
        return;
      case 'disconnect':
        this.notifyDisconnect(status.reason);
        if (status.replyOk) this.sendPacket(OK_PAYLOAD);
        this.close();
        return;
    }
  }

  /** Run the target and answer with its stop, reading 0x03 meanwhile. */
  private startResume(plan: ResumePlan): void {
    const ops = this.ctx.caps.resume;
    if (!ops) return; // handlers only plan a resume when the capability exists
    const console = this.openConsole();
    this.state = 'running';
    let stopped: Promise<StopEvent>;
    try {
      stopped = ops.resume(plan, console);
    } catch (e) {
      stopped = Promise.reject(e);
    }
    stopped
      .then(
        (stop) => {
          if (this.state === 'closed') return;
          console.close();
          this.state = 'idle';
          this.complete({ kind: 'stop', stop }, new ReplyBuilder());
        },
        (e: unknown) => {
          if (this.state === 'closed') return;
          console.close();
          this.state = 'idle';
          // gdb shows an `E NN` stop reply as a warning and treats the target as stopped.
          const out = new ReplyBuilder();
          this.complete(this.failure(e, ascii('vCont'), out), out);
        },
      )
      .then(() => {
        this.pump();
        this.flush();
      })
      .catch((e: unknown) => this.log.error({ err: e }, 'rsp: internal error after a resume'));
  }

  private openConsole(): SessionConsole {
    this.openConsoles++;
    // gdb's own timer for this wait started when it sent the packet, a moment ago.
    this.quietSince = Math.max(this.quietSince, Date.now());
    this.startKeepalive();
    return new PhaseConsole(
      (text) => {
        if (this.state === 'closed') return;
        for (const payload of consolePayloads(text, this.packetSize)) this.sendPacket(payload);
        this.scheduleFlush();
      },
      () => {
        if (--this.openConsoles === 0) this.stopKeepalive();
      },
    );
  }

  private startKeepalive(): void {
    if (this.keepaliveTimer) return;
    const threshold = (this.keepaliveMs * 3) / 4;
    this.keepaliveTimer = setInterval(() => {
      if (this.state === 'closed') return this.stopKeepalive();
      if (Date.now() - this.quietSince >= threshold) {
        this.sendPacket(ascii('O'));
        this.flush();
      }
    }, Math.max(1, Math.floor(this.keepaliveMs / 4)));
    this.keepaliveTimer.unref();
  }

  private stopKeepalive(): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
  }

  /** Frame and queue one packet; it becomes the packet a `-` retransmits. */
  private sendPacket(payload: Uint8Array): void {
    const framed = framePacket(payload);
    this.emitTrace({ direction: 'out', kind: 'packet', data: payload });
    this.lastPacket = framed;
    this.quietSince = Date.now();
    this.queueOut(framed);
  }

  private sendAck(ack: Buffer): void {
    this.emitTrace({ direction: 'out', kind: ack === ACK ? 'ack' : 'nak' });
    this.queueOut(ack);
  }

  /** Queue bytes for the next flush. */
  private queueOut(b: Buffer): void {
    this.outbox.push(b);
    this.outboxBytes += b.length;
  }

  /** Write everything queued, as one write. */
  private flush(): void {
    if (this.outbox.length === 0) return;
    const data = this.outbox.length === 1 ? this.outbox[0] : Buffer.concat(this.outbox);
    this.outbox = [];
    this.outboxBytes = 0;
    let ok: boolean | void = true;
    try {
      ok = this.io.write(data);
    } catch (e) {
      this.log.warn({ err: e }, 'rsp: write failed');
    }
    if (ok === false && this.io.onDrain && !this.outputBlocked) {
      this.outputBlocked = true;
      this.io.onDrain(() => {
        this.outputBlocked = false;
        if (this.state === 'closed') return;
        this.pump();
        this.flush();
      });
    }
  }

  /** Flush at the end of the current turn (for output produced outside receive()). */
  private scheduleFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  private close(): void {
    this.state = 'closed';
    this.stopKeepalive();
    this.flush();
    try {
      this.io.end();
    } catch (e) {
      this.log.warn({ err: e }, 'rsp: closing the connection failed');
    }
  }

  private fatal(e: unknown, packet: string): void {
    this.log.error({ err: e, packet }, 'rsp: fatal target error, closing the session');
    this.notifyDisconnect('error');
    this.close();
    if (this.onFatal) {
      try {
        this.onFatal(e);
      } catch (err) {
        this.log.error({ err }, 'rsp: onFatal threw');
      }
    }
  }

  private notifyDisconnect(reason: DisconnectReason): void {
    if (this.disconnectNotified) return;
    this.disconnectNotified = true;
    this.callTarget('onDisconnect', () => this.target.onDisconnect?.(reason));
  }

  /** Call into the target where no reply can carry an error: log and carry on. */
  private callTarget(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log.warn({ err: e }, `rsp: target ${what} threw`);
    }
  }

  private emitTrace(ev: RspTraceEvent): void {
    if (!this.trace) return;
    try {
      this.trace(ev);
    } catch (e) {
      this.log.warn({ err: e }, 'rsp: trace callback threw');
    }
  }
}
