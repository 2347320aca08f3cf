/**
 * A minimal raw GDB remote-serial-protocol client for the benchmarks (packet round trip and
 * break-in latency): frames `$payload#cs`, handles acks until `QStartNoAckMode` is accepted,
 * and resolves each request with the next packet from the stub. Source: gdb manual,
 * "Overview" (framing, checksums, acks) and "Packets" (QStartNoAckMode, ?, c, m, 0x03).
 */
import * as net from 'net';

/** `$payload#cs` as bytes. */
export function frame(payload: string): Buffer {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) sum = (sum + payload.charCodeAt(i)) & 0xff;
  return Buffer.from(`$${payload}#${sum.toString(16).padStart(2, '0')}`, 'latin1');
}

/** One connection to a stub. */
export class RspClient {
  private buf = '';
  private waiting: ((p: string) => void) | null = null;
  private readonly queue: string[] = [];
  private noAck = false;

  private constructor(private readonly sock: net.Socket) {
    sock.setNoDelay(true);
    sock.on('data', (b: Buffer) => this.onData(b.toString('latin1')));
  }

  /**
   * Connect to 127.0.0.1:`port`.
   * @throws Error when the connection fails
   */
  static connect(port: number): Promise<RspClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(new RspClient(s)));
      s.once('error', reject);
    });
  }

  private onData(text: string): void {
    this.buf += text;
    for (;;) {
      // Acks ('+'), NAKs and anything before a packet start are skipped.
      const start = this.buf.indexOf('$');
      if (start < 0) {
        this.buf = '';
        return;
      }
      const end = this.buf.indexOf('#', start);
      if (end < 0 || this.buf.length < end + 3) {
        this.buf = this.buf.slice(start);
        return;
      }
      const payload = this.buf.slice(start + 1, end);
      this.buf = this.buf.slice(end + 3);
      if (!this.noAck) this.sock.write('+');
      const w = this.waiting;
      if (w) {
        this.waiting = null;
        w(payload);
      } else {
        this.queue.push(payload);
      }
    }
  }

  /** The next packet from the stub (queued or awaited). */
  next(timeoutMs = 30_000): Promise<string> {
    const q = this.queue.shift();
    if (q !== undefined) return Promise.resolve(q);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiting = null;
        reject(new Error(`no packet from the stub within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting = (p) => {
        clearTimeout(t);
        resolve(p);
      };
    });
  }

  /** Send a packet and wait for the reply packet. */
  async request(payload: string, timeoutMs?: number): Promise<string> {
    this.sock.write(frame(payload));
    return this.next(timeoutMs);
  }

  /** Send raw bytes (e.g. the 0x03 interrupt). */
  sendRaw(bytes: Buffer | string): void {
    this.sock.write(bytes);
  }

  /** Switch to no-ack mode (both stubs support it); returns the stub's reply. */
  async startNoAck(): Promise<string> {
    const r = await this.request('QStartNoAckMode');
    if (r === 'OK') this.noAck = true;
    return r;
  }

  /** Drop packets that arrived unasked (QEMU reports the stop its connection caused). */
  drain(): string[] {
    return this.queue.splice(0);
  }

  /** Treat the peer as already in no-ack mode (the TCP echo floor, which only mirrors bytes). */
  assumeNoAck(): void {
    this.noAck = true;
  }

  close(): void {
    this.sock.destroy();
  }
}
