/**
 * A raw GDB remote-protocol client for tests that need bytes gdb would never send (bad
 * checksums, oversize packets, garbage, a NAK of a good reply) or that count round trips
 * (reconnecting a hundred times). It speaks TCP to `kgdb-lab serve` directly.
 *
 * The stream is read as tokens, in order: `+`, `-`, and packets (`$…#cs`, `%…#cs`
 * notifications; the raw bytes are kept so a retransmission can be compared byte for
 * byte). Anything else between packets is collected as noise and fails {@link next}.
 * Packets from the stub are checked against their checksum. Rules: gdb manual, "Overview",
 * "Packet Acknowledgment".
 */
import * as net from 'net';

/** One thing the stub sent. */
export type RspToken = { kind: 'ack' } | { kind: 'nak' } | { kind: 'packet'; payload: string; raw: Buffer };

/** The `$payload#cs` frame of a text payload (latin1: one char per byte). */
export function frame(payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
  let sum = 0;
  for (const b of body) sum = (sum + b) & 0xff;
  return Buffer.concat([Buffer.from('$'), body, Buffer.from(`#${sum.toString(16).padStart(2, '0')}`)]);
}

/** `text` as hex (qRcmd arguments, `M` data). */
export function hex(text: string | Buffer): string {
  return (typeof text === 'string' ? Buffer.from(text, 'latin1') : text).toString('hex');
}

export class RspClient {
  private buf = Buffer.alloc(0);
  private readonly waiters: (() => void)[] = [];
  private ended = false;
  /** False after QStartNoAckMode was accepted on this connection. */
  ackMode = true;
  /** Resolves when the stub closes the connection (or it errors). */
  readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      const done = (): void => {
        this.ended = true;
        this.wake();
        resolve();
      };
      socket.on('close', done);
      socket.on('error', done);
    });
  }

  /** Connect to 127.0.0.1:port. @throws Error when the connection is refused */
  static connect(port: number): Promise<RspClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.off('error', reject);
        resolve(new RspClient(s));
      });
      s.once('error', reject);
    });
  }

  /** True once the stub closed the connection. */
  get isClosed(): boolean {
    return this.ended;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Bytes exactly as given (garbage, a lone `-`, a 0x03…). */
  sendRaw(bytes: string | Buffer): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** One framed packet. */
  send(payload: string | Buffer): void {
    this.sendRaw(frame(payload));
  }

  /** Parse one token off the front of the buffer, or undefined when incomplete. @throws Error on noise */
  private take(): RspToken | undefined {
    if (this.buf.length === 0) return undefined;
    const c = this.buf[0];
    if (c === 0x2b || c === 0x2d) {
      this.buf = this.buf.subarray(1);
      return { kind: c === 0x2b ? 'ack' : 'nak' };
    }
    if (c !== 0x24 && c !== 0x25) throw new Error(`rsp-client: unexpected byte 0x${c.toString(16)} in ${JSON.stringify(this.buf.toString('latin1').slice(0, 80))}`);
    const hash = this.buf.indexOf(0x23);
    if (hash < 0 || this.buf.length < hash + 3) return undefined;
    const raw = Buffer.from(this.buf.subarray(0, hash + 3));
    this.buf = this.buf.subarray(hash + 3);
    const body = raw.subarray(1, hash);
    let sum = 0;
    for (const b of body) sum = (sum + b) & 0xff;
    const cs = parseInt(raw.subarray(hash + 1).toString('latin1'), 16);
    if (cs !== sum) throw new Error(`rsp-client: bad checksum from the stub in ${raw.toString('latin1').slice(0, 80)}`);
    return { kind: 'packet', payload: body.toString('latin1'), raw };
  }

  /**
   * The next token from the stub.
   * @throws Error after `timeoutMs`, when the connection closes first, or on noise
   */
  async next(timeoutMs = 30_000): Promise<RspToken> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const t = this.take();
      if (t) return t;
      if (this.ended) throw new Error('rsp-client: connection closed by the stub');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`rsp-client: nothing from the stub within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** True when nothing arrives within `ms` (for "not answered" checks). */
  async silentFor(ms: number): Promise<boolean> {
    await new Promise((r) => setTimeout(r, ms));
    return this.buf.length === 0;
  }

  /** The next token, which must be `+` (ack mode) or `-`. @throws Error otherwise */
  async ack(timeoutMs?: number): Promise<'+' | '-'> {
    const t = await this.next(timeoutMs);
    if (t.kind === 'packet') throw new Error(`rsp-client: expected + or -, got packet ${t.payload.slice(0, 80)}`);
    return t.kind === 'ack' ? '+' : '-';
  }

  /**
   * The next packet's payload, acknowledging it in ack mode. `O` console packets are
   * collected into `consoleOut` and skipped (unless `keepO`).
   * @throws Error when an ack or nak comes instead
   */
  async packet(opts: { timeoutMs?: number; keepO?: boolean; consoleOut?: string[] } = {}): Promise<string> {
    for (;;) {
      const t = await this.next(opts.timeoutMs);
      if (t.kind !== 'packet') throw new Error(`rsp-client: expected a packet, got ${t.kind}`);
      if (this.ackMode) this.sendRaw('+');
      const isO = t.payload.startsWith('O') && t.payload !== 'OK';
      if (isO && !opts.keepO) {
        opts.consoleOut?.push(Buffer.from(t.payload.slice(1), 'hex').toString('utf8'));
        continue;
      }
      return t.payload;
    }
  }

  /**
   * Send a packet and return the reply payload: in ack mode the stub's `+` must come first.
   * @throws Error when the stub NAKs or does not answer in time
   */
  async request(payload: string | Buffer, opts: { timeoutMs?: number; consoleOut?: string[] } = {}): Promise<string> {
    this.send(payload);
    if (this.ackMode) {
      const a = await this.ack(opts.timeoutMs);
      if (a !== '+') throw new Error(`rsp-client: the stub NAKed ${String(payload).slice(0, 60)}`);
    }
    return this.packet(opts);
  }

  /** QStartNoAckMode; afterwards neither side acks. @returns the stub's reply */
  async startNoAck(): Promise<string> {
    const r = await this.request('QStartNoAckMode');
    if (r === 'OK') this.ackMode = false;
    return r;
  }

  /** Close our side and wait until the socket is gone. */
  async close(): Promise<void> {
    this.socket.end();
    this.socket.destroy();
    await this.closed;
  }
}
