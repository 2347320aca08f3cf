/**
 * Hex and little-endian helpers for the GDB Remote Serial Protocol. Everything works on
 * bytes (Uint8Array), never on strings decoded from the wire, so payload bytes >= 0x80 are
 * never mangled (the rp2040js pitfall noted in docs: socket data decoded as UTF-8).
 *
 * Source of the encodings: gdb manual, "Overview" (hex pairs, most significant nibble first)
 * and "Packets" (addresses and lengths as big-endian hex numbers; register contents in
 * target byte order, which is little-endian on aarch64).
 */

/** ASCII codes of the 16 lowercase hex digits, indexed by nibble value. */
const HEX_DIGITS = new Uint8Array([...'0123456789abcdef'].map((c) => c.charCodeAt(0)));

/** 2^64, the modulus of aarch64 addresses. */
export const TWO_POW_64 = 1n << 64n;

/**
 * The value of one ASCII hex digit (either case), or -1 when `byte` is not a hex digit.
 * @param byte an octet 0..255
 */
export function hexDigitValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** The ASCII code of the lowercase hex digit for `nibble` (0..15). */
export function hexDigit(nibble: number): number {
  return HEX_DIGITS[nibble & 15];
}

/**
 * Decode `text` (ASCII hex pairs) into bytes.
 * @returns the bytes, or undefined when the length is odd or a character is not a hex digit
 */
export function decodeHex(text: Uint8Array): Uint8Array | undefined {
  if (text.length % 2 !== 0) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigitValue(text[2 * i]);
    const lo = hexDigitValue(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** From this length on, encodeHex uses Node's native encoder (large `m` replies, 64 KiB and up). */
const NATIVE_HEX_MIN = 256;

/** Encode `bytes` as lowercase hex pairs (ASCII bytes, twice as long). */
export function encodeHex(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length * 2);
  encodeHexInto(bytes, out, 0);
  return out;
}

/**
 * Write `bytes` as lowercase hex pairs into `out` from byte offset `at` (which must have room
 * for bytes.length * 2 more bytes), without an intermediate array for short inputs.
 */
export function encodeHexInto(bytes: Uint8Array, out: Uint8Array, at: number): void {
  if (bytes.length >= NATIVE_HEX_MIN) {
    // Buffer's hex encoder is native: several times faster than the loop below for bulk reads.
    const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
    Buffer.from(out.buffer, out.byteOffset, out.length).write(hex, at, 'latin1');
    return;
  }
  for (let i = 0; i < bytes.length; i++) {
    out[at + 2 * i] = HEX_DIGITS[bytes[i] >> 4];
    out[at + 2 * i + 1] = HEX_DIGITS[bytes[i] & 15];
  }
}

/**
 * Parse a whole field of hex digits as an unsigned number of at most `maxBits` bits.
 * @returns the value, or undefined when the field is empty, holds a non-hex character, or
 *   does not fit in `maxBits` (leading zeros are allowed: gdb pads some fields)
 */
export function parseHexBigInt(text: Uint8Array, maxBits = 64): bigint | undefined {
  if (text.length === 0) return undefined;
  let value = 0n;
  for (const b of text) {
    const d = hexDigitValue(b);
    if (d < 0) return undefined;
    value = (value << 4n) | BigInt(d);
  }
  return value >> BigInt(maxBits) === 0n ? value : undefined;
}

/**
 * Parse a whole field of hex digits as a number below 2^`maxBits` (maxBits ≤ 48, so the
 * result is an exact JS number).
 * @returns the value, or undefined as for {@link parseHexBigInt}
 */
export function parseHexNumber(text: Uint8Array, maxBits = 32): number | undefined {
  const v = parseHexBigInt(text, maxBits);
  return v === undefined ? undefined : Number(v);
}

/**
 * `value` as `size` little-endian bytes (aarch64 target byte order), truncated modulo
 * 2^(8·size). Source: gdb manual, "Packets", `g`: "each byte ... in target byte order".
 */
export function toLittleEndian(value: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  if (size === 8) {
    // Registers are mostly 8 bytes: one native store instead of eight BigInt shifts (`g` at 256 CPUs).
    new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
    return out;
  }
  let v = BigInt.asUintN(size * 8, value);
  for (let i = 0; i < size; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** The unsigned value of little-endian `bytes`. */
export function fromLittleEndian(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}

/** ASCII text as bytes; characters above U+00FF are a programming error here (protocol tokens only). */
export function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** Bytes as a string with one character per byte (latin1): lossless, for tokens and traces. */
export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}
