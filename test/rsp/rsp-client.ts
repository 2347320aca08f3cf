/**
 * A minimal RSP client for tests, written independently of src/rsp's receiver so the tests
 * do not check the stub's framing against itself: it splits the byte stream into `+`, `-`
 * and `$payload#cs` items (checksum verified, payload left escaped, as gdb's read_frame
 * leaves it) and lets tests send raw bytes.
 */
import * as net from 'net';

/** One item read from the stub. `raw` is the exact bytes received for it. */
export type Item = { kind: 'ack' } | { kind: 'nak' } | { kind: 'packet'; payload: Buffer; raw: Buffer };

/** `$payload#cs` with a correct checksum (payload given as latin1 text or bytes). */
export function frame(payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
  let sum = 0;
  for (const b of body) sum = (sum + b) & 0xff;
  return Buffer.concat([Buffer.from('$'), body, Buffer.from(`#${sum.toString(16).padStart(2, '0')}`)]);
}

/** Undo `}` escapes (for binary replies: x, qXfer). */
export function unescape(data: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0x7d) out.push(data[++i] ^ 0x20);
    else out.push(data[i]);
  }
  return Buffer.from(out);
}

/**
 * Split stub output into items; `rest` is an incomplete tail.
 * @throws Error on a byte that cannot start an item, or a bad checksum
 */
export function splitItems(data: Buffer): { items: Item[]; rest: Buffer } {
  const items: Item[] = [];
  let buf = data;
  while (buf.length > 0) {
    const c = buf[0];
    if (c === 0x2b || c === 0x2d) {
      items.push({ kind: c === 0x2b ? 'ack' : 'nak' });
      buf = buf.subarray(1);
      continue;
    }
    if (c !== 0x24) throw new Error(`unexpected byte 0x${c.toString(16)} from the stub`);
    const hash = buf.indexOf(0x23);
    if (hash < 0 || buf.length < hash + 3) break;
    const payload = buf.subarray(1, hash);
    let sum = 0;
    for (const b of payload) sum = (sum + b) & 0xff;
    const cs = parseInt(buf.subarray(hash + 1, hash + 3).toString('latin1'), 16);
    if (cs !== sum) throw new Error(`bad checksum from the stub: ${buf.subarray(0, hash + 3).toString('latin1')}`);
    items.push({ kind: 'packet', payload: Buffer.from(payload), raw: Buffer.from(buf.subarray(0, hash + 3)) });
    buf = buf.subarray(hash + 3);
  }
  return { items, rest: Buffer.from(buf) };
}

/** `text` as hex (qRcmd arguments, vFile file names). */
export function hex(text: string | Buffer): string {
  return (typeof text === 'string' ? Buffer.from(text, 'latin1') : text).toString('hex');
}

/** Render items compactly: `+`, `-`, or the payload text. */
export function show(items: Item[]): string[] {
  return items.map((i) => (i.kind === 'ack' ? '+' : i.kind === 'nak' ? '-' : `$${i.payload.toString('latin1')}`));
}

export class RspClient {
  private buf: Buffer = Buffer.alloc(0);
  private readonly items: Item[] = [];
  private waiters: (() => void)[] = [];
  /** Every byte received, in order. */
  received: Buffer = Buffer.alloc(0);
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      this.received = Buffer.concat([this.received, d]);
      this.buf = Buffer.concat([this.buf, d]);
      this.parse();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RspClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host, () => resolve(new RspClient(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private parse(): void {
    const { items, rest } = splitItems(this.buf);
    this.items.push(...items);
    this.buf = rest;
    this.wake();
  }

  /** Send raw bytes. */
  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** The next item, waiting up to `timeoutMs`. */
  async next(timeoutMs = 3000): Promise<Item> {
    const deadline = Date.now() + timeoutMs;
    while (this.items.length === 0) {
      if (this.closed) throw new Error('connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timeout waiting for the stub');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.items.shift() as Item;
  }

  /** The next packet's payload (latin1), skipping nothing: fails if an ack comes instead. */
  async packet(timeoutMs?: number): Promise<Buffer> {
    const it = await this.next(timeoutMs);
    if (it.kind !== 'packet') throw new Error(`expected a packet, got ${it.kind}`);
    return it.payload;
  }

  /** Expect `+`. */
  async ack(): Promise<void> {
    const it = await this.next();
    if (it.kind !== 'ack') throw new Error(`expected +, got ${it.kind === 'packet' ? it.payload.toString('latin1') : it.kind}`);
  }

  /**
   * Send `payload` as a packet and return the reply payload; in ack mode, expects the stub's
   * `+` first and acks the reply.
   */
  async request(payload: string | Buffer, opts: { noAck?: boolean } = {}): Promise<Buffer> {
    this.write(frame(payload));
    if (!opts.noAck) await this.ack();
    const reply = await this.packet();
    if (!opts.noAck) this.write('+');
    return reply;
  }

  /** No item arrives within `ms`. */
  async quiet(ms: number): Promise<boolean> {
    try {
      const it = await this.next(ms);
      this.items.unshift(it);
      return false;
    } catch {
      return this.items.length === 0;
    }
  }

  /** False once {@link startNoAck} succeeded: then {@link ask} and {@link answer} send and expect no acks. */
  ackMode = true;

  /**
   * The next `+` or `-` (for tests that expect either).
   * @throws Error when a packet comes instead, or on timeout
   */
  async ackOrNak(timeoutMs?: number): Promise<'+' | '-'> {
    const it = await this.next(timeoutMs);
    if (it.kind === 'packet') throw new Error(`expected + or -, got packet ${it.payload.toString('latin1').slice(0, 80)}`);
    return it.kind === 'ack' ? '+' : '-';
  }

  /**
   * The next packet as latin1 text, acknowledged in ack mode. `O` console packets (gdb
   * manual, "Stop Reply Packets") are skipped, their text collected into `consoleOut`.
   * @throws Error when an ack or NAK comes instead, or on timeout
   */
  async answer(opts: { timeoutMs?: number; consoleOut?: string[] } = {}): Promise<string> {
    for (;;) {
      const it = await this.next(opts.timeoutMs);
      if (it.kind !== 'packet') throw new Error(`expected a packet, got ${it.kind}`);
      if (this.ackMode) this.write('+');
      const text = it.payload.toString('latin1');
      if (text.startsWith('O') && text !== 'OK') {
        opts.consoleOut?.push(Buffer.from(text.slice(1), 'hex').toString('utf8'));
        continue;
      }
      return text;
    }
  }

  /**
   * Send a packet and return the reply as text ({@link answer}); in ack mode the stub's `+`
   * must come first. For live servers, where replies may take a roundup's time.
   * @throws Error when the stub NAKs, or nothing comes within `timeoutMs` (default 30 s)
   */
  async ask(payload: string | Buffer, opts: { timeoutMs?: number; consoleOut?: string[] } = {}): Promise<string> {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    this.write(frame(payload));
    if (this.ackMode && (await this.ackOrNak(timeoutMs)) !== '+') throw new Error(`the stub NAKed ${String(payload).slice(0, 60)}`);
    return this.answer({ ...opts, timeoutMs });
  }

  /** QStartNoAckMode through {@link ask}; after an `OK` neither side acks. @returns the reply */
  async startNoAck(): Promise<string> {
    const r = await this.ask('QStartNoAckMode');
    if (r === 'OK') this.ackMode = false;
    return r;
  }

  /** Wait until the stub closes the connection. */
  async waitClosed(timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('the stub did not close the connection');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
