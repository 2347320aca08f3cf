import { checksum } from './checksum';
import { ascii, encodeHexInto, hexDigit } from './hex';

const ESCAPE = 0x7d;

/**
 * True for the bytes that must be sent as `}` (byte ^ 0x20) inside binary data: `#` and `$`
 * (framing), `}` (the escape itself) and `*` (gdb decodes `*` as run-length encoding in
 * every reply it reads, remote.c `read_frame`). Source: gdb manual, "Overview", binary
 * data: `#`, `$` and `}` must always be escaped, and responses must also escape `*`.
 */
export function needsEscape(b: number): boolean {
  return b === 0x23 || b === 0x24 || b === ESCAPE || b === 0x2a;
}

/**
 * Builds one reply payload (the bytes between `$` and `#`) and frames it. Handlers write
 * into a ReplyBuilder and never touch framing, escaping or checksums; the builder starts
 * empty, and an empty payload is the RSP's "unsupported" reply (gdb manual, "Standard
 * Replies"). Storage grows geometrically, so a reply costs O(length) whatever its pieces.
 */
export class ReplyBuilder {
  private bytes = new Uint8Array(64);
  private len = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.len;
  }

  /** Discard everything written (a handler failing halfway is replaced by an error reply). */
  reset(): this {
    this.len = 0;
    return this;
  }

  /**
   * Protocol text: packet letters, field names, separators. Must not contain `$ # } *`.
   * @throws Error when it does (a programming error: use binary() or hex for data)
   */
  text(s: string): this {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7e || c < 0x20 || needsEscape(c)) {
        throw new Error(`ReplyBuilder.text: character 0x${c.toString(16)} must be escaped or hex-encoded`);
      }
    }
    return this.raw(ascii(s));
  }

  /** `bytes` as hex pairs (memory contents, register values, hex-encoded text). */
  hex(bytes: Uint8Array): this {
    this.reserve(bytes.length * 2);
    encodeHexInto(bytes, this.bytes, this.len);
    this.len += bytes.length * 2;
    return this;
  }

  /** `size` bytes marked unavailable: `xx` per byte (gdb's remote.c `process_g_packet`). */
  unavailable(size: number): this {
    this.reserve(size * 2);
    this.bytes.fill(0x78, this.len, this.len + size * 2);
    this.len += size * 2;
    return this;
  }

  /** One byte as exactly two hex digits (signal numbers, error numbers). */
  hexByte(value: number): this {
    this.reserve(2);
    this.bytes[this.len++] = hexDigit(value >> 4);
    this.bytes[this.len++] = hexDigit(value);
    return this;
  }

  /** A number in hex without leading zeros ("0" for zero): thread ids, addresses, counts. */
  hexNumber(value: number | bigint): this {
    return this.raw(ascii(BigInt(value).toString(16)));
  }

  /**
   * Binary data with `#`, `$`, `}` and `*` escaped (the `x` and `qXfer` replies;
   * gdb manual, "Overview", binary data).
   */
  binary(data: Uint8Array): this {
    this.reserve(data.length * 2);
    for (const b of data) {
      if (needsEscape(b)) {
        this.bytes[this.len++] = ESCAPE;
        this.bytes[this.len++] = b ^ 0x20;
      } else {
        this.bytes[this.len++] = b;
      }
    }
    return this;
  }

  /** The payload written so far (a view: valid until the next write). */
  payload(): Uint8Array {
    return this.bytes.subarray(0, this.len);
  }

  private raw(data: Uint8Array): this {
    this.reserve(data.length);
    this.bytes.set(data, this.len);
    this.len += data.length;
    return this;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.len + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.len));
    this.bytes = grown;
  }
}

/**
 * Frame `payload` (already escaped) as `$payload#cs`, in one Buffer so the socket gets one
 * write per packet (gdb-rsp notes §5: byte-at-a-time writes make sessions sluggish).
 * Source: gdb manual, "Overview".
 */
export function framePacket(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(payload.length + 4);
  out[0] = 0x24;
  out.set(payload, 1);
  const cs = checksum(payload);
  out[payload.length + 1] = 0x23;
  out[payload.length + 2] = hexDigit(cs >> 4);
  out[payload.length + 3] = hexDigit(cs);
  return out;
}
