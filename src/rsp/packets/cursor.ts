import { parseHexBigInt, parseHexNumber } from '../hex';

/**
 * A read position in a packet payload, for the packet parsers. Fields are sub-arrays of the
 * payload (no copies, no string decoding).
 */
export class Cursor {
  constructor(
    readonly bytes: Uint8Array,
    public pos = 0,
  ) {}

  /** True when every byte was consumed. */
  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  /** Everything from the position to the end; consumes it. */
  rest(): Uint8Array {
    const r = this.bytes.subarray(this.pos);
    this.pos = this.bytes.length;
    return r;
  }

  /**
   * The bytes up to the first `sep` (an ASCII code), consuming the separator too; when there
   * is no `sep`, the rest of the payload.
   */
  field(sep: number): Uint8Array {
    const at = this.bytes.indexOf(sep, this.pos);
    const end = at < 0 ? this.bytes.length : at;
    const f = this.bytes.subarray(this.pos, end);
    this.pos = at < 0 ? end : end + 1;
    return f;
  }

  /** Consume `ch` if it is next. */
  eat(ch: number): boolean {
    if (this.bytes[this.pos] !== ch) return false;
    this.pos++;
    return true;
  }
}

/** ASCII codes the parsers use. */
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const SEMICOLON = 0x3b;
export const EQUALS = 0x3d;

/** Lengths above this are clamped (handlers cap them at the PacketSize anyway). */
export const LENGTH_CLAMP = 2 ** 32;

/** An address field: up to 64 bits of hex. */
export function parseAddress(field: Uint8Array): bigint | undefined {
  return parseHexBigInt(field, 64);
}

/** A length field: up to 64 bits of hex, clamped to {@link LENGTH_CLAMP}. */
export function parseLength(field: Uint8Array): number | undefined {
  const v = parseHexBigInt(field, 64);
  if (v === undefined) return undefined;
  return v > BigInt(LENGTH_CLAMP) ? LENGTH_CLAMP : Number(v);
}

/** A signal number field: hex, 0..255 (gdb sends two digits). */
export function parseSignal(field: Uint8Array): number | undefined {
  return parseHexNumber(field, 8);
}
