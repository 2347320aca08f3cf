import type { Cpu } from './cpu';
import { TWO32 } from './exec';

/**
 * 64-bit integer arithmetic on (lo, hi) pairs of int32 halves, the representation of
 * Cpu.lo/Cpu.hi. Nothing here allocates or uses BigInt on the common path
 * (../shared/reference/aarch64-machine.md §5: BigInt costs ~4x in the interpreter loop).
 *
 * Conventions:
 * - A 64-bit value is (lo, hi): lo = bits 31..0, hi = bits 63..32, each as an int32.
 * - Functions producing a 64-bit value write it to {@link RES}: RES[0] = lo, RES[1] = hi.
 *   Callers copy it out at once (it is overwritten by the next call).
 * - Flag-setting functions write the result straight into the register slot `d` of a Cpu
 *   and set its N, Z, C, V fields (each 0 or 1).
 * Semantics follow the ARM ARM pseudocode (DDI 0487, shared/functions: AddWithCarry,
 * DecodeBitMasks, LSL/LSR/ASR/ROR, CountLeadingZeroBits, CountLeadingSignBits).
 */

/** Result pair of the value-producing helpers: [0] = low word, [1] = high word. */
export const RES = new Int32Array(2);

// ---------------------------------------------------------------------------------------------
// Addition and subtraction (ARM ARM AddWithCarry)

/**
 * AddWithCarry(a, b, cin) on 64-bit pairs, writing the sum to X slot `d` of `c` and NZCV.
 * Subtraction a - b is adds64(c, d, alo, ahi, ~blo, ~bhi, 1).
 * @param cin carry in, 0 or 1
 */
export function adds64(c: Cpu, d: number, alo: number, ahi: number, blo: number, bhi: number, cin: number): void {
  const l = (alo >>> 0) + (blo >>> 0) + cin;
  const h = (ahi >>> 0) + (bhi >>> 0) + (l > 0xffffffff ? 1 : 0);
  const rl = l | 0;
  const rh = h | 0;
  c.lo[d] = rl;
  c.hi[d] = rh;
  c.n = rh >>> 31;
  c.z = (rl | rh) === 0 ? 1 : 0;
  c.c = h > 0xffffffff ? 1 : 0;
  // Signed overflow: both operands have the same sign and the result's sign differs.
  c.v = ((ahi ^ rh) & (bhi ^ rh)) >>> 31;
}

/**
 * AddWithCarry(a, b, cin) on 32-bit values, writing the zero-extended sum to slot `d` and NZCV.
 * @param cin carry in, 0 or 1
 */
export function adds32(c: Cpu, d: number, a: number, b: number, cin: number): void {
  const s = (a >>> 0) + (b >>> 0) + cin;
  const r = s | 0;
  c.lo[d] = r;
  c.hi[d] = 0;
  c.n = r >>> 31;
  c.z = r === 0 ? 1 : 0;
  c.c = s > 0xffffffff ? 1 : 0;
  c.v = ((a ^ r) & (b ^ r)) >>> 31;
}

/**
 * Set only NZCV from AddWithCarry(a, b, cin) on 64-bit pairs (CCMP/CCMN, CMP): no register write.
 */
export function flags64(c: Cpu, alo: number, ahi: number, blo: number, bhi: number, cin: number): void {
  const l = (alo >>> 0) + (blo >>> 0) + cin;
  const h = (ahi >>> 0) + (bhi >>> 0) + (l > 0xffffffff ? 1 : 0);
  const rh = h | 0;
  c.n = rh >>> 31;
  c.z = ((l | 0) | rh) === 0 ? 1 : 0;
  c.c = h > 0xffffffff ? 1 : 0;
  c.v = ((ahi ^ rh) & (bhi ^ rh)) >>> 31;
}

/** Set only NZCV from AddWithCarry(a, b, cin) on 32-bit values. */
export function flags32(c: Cpu, a: number, b: number, cin: number): void {
  const s = (a >>> 0) + (b >>> 0) + cin;
  const r = s | 0;
  c.n = r >>> 31;
  c.z = r === 0 ? 1 : 0;
  c.c = s > 0xffffffff ? 1 : 0;
  c.v = ((a ^ r) & (b ^ r)) >>> 31;
}

/**
 * X[d] = (a + b + cin) mod 2^64, no flags. Subtraction a - b is addTo64(c, d, alo, ahi, ~blo, ~bhi, 1).
 * The operands are values, so `d` may alias the registers they came from.
 */
export function addTo64(c: Cpu, d: number, alo: number, ahi: number, blo: number, bhi: number, cin: number): void {
  const l = (alo >>> 0) + (blo >>> 0) + cin;
  c.lo[d] = l | 0;
  c.hi[d] = (ahi + bhi + (l > 0xffffffff ? 1 : 0)) | 0;
}

/** X[d] = (rl, rh) and NZCV as a logical flag-setting operation sets them (ANDS/BICS: C = V = 0). */
export function logicFlags64(c: Cpu, d: number, rl: number, rh: number): void {
  c.lo[d] = rl;
  c.hi[d] = rh;
  c.n = rh >>> 31;
  c.z = (rl | rh) === 0 ? 1 : 0;
  c.c = 0;
  c.v = 0;
}

/** W[d] = r (upper half zeroed) and NZCV for a 32-bit logical flag-setting operation. */
export function logicFlags32(c: Cpu, d: number, r: number): void {
  c.lo[d] = r;
  c.hi[d] = 0;
  c.n = r >>> 31;
  c.z = r === 0 ? 1 : 0;
  c.c = 0;
  c.v = 0;
}

/** (a + b + cin) mod 2^64 into RES, no flags. @param cin 0 or 1 */
export function add64(alo: number, ahi: number, blo: number, bhi: number, cin: number): void {
  const l = (alo >>> 0) + (blo >>> 0) + cin;
  RES[0] = l;
  RES[1] = ahi + bhi + (l > 0xffffffff ? 1 : 0);
}

/** (a - b) mod 2^64 into RES, no flags. */
export function sub64(alo: number, ahi: number, blo: number, bhi: number): void {
  const l = (alo >>> 0) - (blo >>> 0);
  RES[0] = l;
  RES[1] = ahi - bhi - (l < 0 ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// Multiplication

/** High 32 bits of the unsigned 64-bit product a * b (a, b taken as uint32), as an int32. */
export function umulh32(a: number, b: number): number {
  // 16-bit limbs keep every partial product below 2^32, so doubles stay exact.
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

/** High 32 bits of the signed 64-bit product a * b (a, b taken as int32), as an int32. */
export function smulh32(a: number, b: number): number {
  // Signed high = unsigned high - (a<0 ? b : 0) - (b<0 ? a : 0)  (mod 2^32).
  return (umulh32(a, b) - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
}

/** Low 64 bits of the product a * b (same for signed and unsigned operands) into RES. */
export function mul64(alo: number, ahi: number, blo: number, bhi: number): void {
  RES[0] = Math.imul(alo, blo);
  RES[1] = (umulh32(alo, blo) + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
}

/** High 64 bits of the unsigned 128-bit product a * b into RES (UMULH). */
export function umulh64(alo: number, ahi: number, blo: number, bhi: number): void {
  // Schoolbook on 32-bit limbs; every partial sum below stays under 2^35, exact in doubles.
  const h00 = umulh32(alo, blo) >>> 0;
  const l01 = Math.imul(alo, bhi) >>> 0;
  const l10 = Math.imul(ahi, blo) >>> 0;
  const mid = h00 + l01 + l10;
  const w2 = (Math.imul(ahi, bhi) >>> 0) + (umulh32(alo, bhi) >>> 0) + (umulh32(ahi, blo) >>> 0) + Math.floor(mid / TWO32);
  RES[0] = w2;
  RES[1] = (umulh32(ahi, bhi) >>> 0) + Math.floor(w2 / TWO32);
}

/** High 64 bits of the signed 128-bit product a * b into RES (SMULH). */
export function smulh64(alo: number, ahi: number, blo: number, bhi: number): void {
  umulh64(alo, ahi, blo, bhi);
  // Signed high = unsigned high - (a<0 ? b : 0) - (b<0 ? a : 0)  (mod 2^64).
  if (ahi < 0) sub64(RES[0], RES[1], blo, bhi);
  if (bhi < 0) sub64(RES[0], RES[1], alo, ahi);
}

// ---------------------------------------------------------------------------------------------
// Division (ARM ARM C6.2 UDIV/SDIV: round towards zero, x/0 = 0, INT_MIN/-1 = INT_MIN)

/** Largest magnitude (exclusive) for which a 64-bit value is an exact double: 2^53 as a high word bound. */
const HI53 = 0x200000;

/** Store the JS integer v (|v| < 2^53) into RES as a 64-bit two's complement pair. */
function resFromNumber(v: number): void {
  RES[0] = v; // ToInt32 keeps the low 32 bits of an exact integer, negative ones included
  RES[1] = Math.floor(v / TWO32);
}

/** Store the BigInt v (taken mod 2^64) into RES. */
function resFromBigInt(v: bigint): void {
  RES[0] = Number(BigInt.asIntN(32, v));
  RES[1] = Number(BigInt.asIntN(32, v >> 32n));
}

/** Unsigned 64-bit a / b, rounded towards zero, into RES; 0 when b = 0. */
export function udiv64(alo: number, ahi: number, blo: number, bhi: number): void {
  if ((blo | bhi) === 0) {
    RES[0] = 0;
    RES[1] = 0;
  } else if ((ahi | bhi) === 0) {
    RES[0] = (alo >>> 0) / (blo >>> 0);
    RES[1] = 0;
  } else if (ahi >>> 0 < HI53 && bhi >>> 0 < HI53) {
    // Both below 2^53: the rounding error of the double quotient is < 1/b, so floor is exact.
    resFromNumber(Math.floor(((ahi >>> 0) * TWO32 + (alo >>> 0)) / ((bhi >>> 0) * TWO32 + (blo >>> 0))));
  } else {
    const a = (BigInt(ahi >>> 0) << 32n) | BigInt(alo >>> 0);
    const b = (BigInt(bhi >>> 0) << 32n) | BigInt(blo >>> 0);
    resFromBigInt(a / b);
  }
}

/** Signed 64-bit a / b, rounded towards zero, into RES; 0 when b = 0; INT64_MIN / -1 = INT64_MIN. */
export function sdiv64(alo: number, ahi: number, blo: number, bhi: number): void {
  if ((blo | bhi) === 0) {
    RES[0] = 0;
    RES[1] = 0;
  } else if (ahi >= -HI53 && ahi < HI53 && bhi >= -HI53 && bhi < HI53) {
    // Both in (-2^53, 2^53): exact doubles, and trunc of the double quotient is exact.
    resFromNumber(Math.trunc((ahi * TWO32 + (alo >>> 0)) / (bhi * TWO32 + (blo >>> 0))));
  } else {
    const a = (BigInt(ahi) << 32n) | BigInt(alo >>> 0);
    const b = (BigInt(bhi) << 32n) | BigInt(blo >>> 0);
    resFromBigInt(a / b); // BigInt division truncates; 2^63 wraps to INT64_MIN in resFromBigInt
  }
}

// ---------------------------------------------------------------------------------------------
// Shifts and rotates

/** LSL of a 64-bit pair by s (0..63 bits) into RES. */
export function lsl64(lo: number, hi: number, s: number): void {
  if (s === 0) {
    RES[0] = lo;
    RES[1] = hi;
  } else if (s < 32) {
    RES[0] = lo << s;
    RES[1] = (hi << s) | (lo >>> (32 - s));
  } else {
    RES[0] = 0;
    RES[1] = lo << (s - 32);
  }
}

/** LSR of a 64-bit pair by s (0..63 bits) into RES. */
export function lsr64(lo: number, hi: number, s: number): void {
  if (s === 0) {
    RES[0] = lo;
    RES[1] = hi;
  } else if (s < 32) {
    RES[0] = (lo >>> s) | (hi << (32 - s));
    RES[1] = hi >>> s;
  } else {
    RES[0] = hi >>> (s - 32);
    RES[1] = 0;
  }
}

/** ASR of a 64-bit pair by s (0..63 bits) into RES. */
export function asr64(lo: number, hi: number, s: number): void {
  if (s === 0) {
    RES[0] = lo;
    RES[1] = hi;
  } else if (s < 32) {
    RES[0] = (lo >>> s) | (hi << (32 - s));
    RES[1] = hi >> s;
  } else {
    RES[0] = hi >> (s - 32);
    RES[1] = hi >> 31;
  }
}

/** ROR of a 64-bit pair by s (0..63 bits) into RES. */
export function ror64(lo: number, hi: number, s: number): void {
  if (s >= 32) {
    const t = lo;
    lo = hi;
    hi = t;
    s -= 32;
  }
  if (s === 0) {
    RES[0] = lo;
    RES[1] = hi;
  } else {
    RES[0] = (lo >>> s) | (hi << (32 - s));
    RES[1] = (hi >>> s) | (lo << (32 - s));
  }
}

/** ROR of a 32-bit value by s (any count; taken mod 32). */
export function ror32(x: number, s: number): number {
  return (x >>> s) | (x << (32 - s)); // JS masks both counts to 5 bits, so s = 0 gives x | x
}

/*
 * Word helpers for shifts by a constant 1..63 (decode-time amounts of shifted-register
 * operands). Each returns one int32 word of the shifted 64-bit value (l, h), so an Exec can
 * compute the operand without a RES round trip. Not valid for a = 0: handle that separately.
 */
/** Low word of LSL((l,h), a), 1 <= a <= 63. */
export function lslLo(l: number, a: number): number {
  return a < 32 ? l << a : 0;
}
/** High word of LSL((l,h), a), 1 <= a <= 63. */
export function lslHi(l: number, h: number, a: number): number {
  return a < 32 ? (h << a) | (l >>> (32 - a)) : l << (a - 32);
}
/** Low word of LSR((l,h), a), 1 <= a <= 63. */
export function lsrLo(l: number, h: number, a: number): number {
  return a < 32 ? (l >>> a) | (h << (32 - a)) : (h >>> (a - 32)) | 0;
}
/** High word of LSR((l,h), a), 1 <= a <= 63. */
export function lsrHi(h: number, a: number): number {
  return a < 32 ? (h >>> a) | 0 : 0;
}
/** Low word of ASR((l,h), a), 1 <= a <= 63. */
export function asrLo(l: number, h: number, a: number): number {
  return a < 32 ? (l >>> a) | (h << (32 - a)) : h >> (a - 32);
}
/** High word of ASR((l,h), a), 1 <= a <= 63. */
export function asrHi(h: number, a: number): number {
  return a < 32 ? h >> a : h >> 31;
}
/** Low word of ROR((l,h), a), 1 <= a <= 63. */
export function rorLo(l: number, h: number, a: number): number {
  if (a < 32) return (l >>> a) | (h << (32 - a));
  return a === 32 ? h : (h >>> (a - 32)) | (l << (64 - a));
}
/** High word of ROR((l,h), a), 1 <= a <= 63. */
export function rorHi(l: number, h: number, a: number): number {
  if (a < 32) return (h >>> a) | (l << (32 - a));
  return a === 32 ? l : (l >>> (a - 32)) | (h << (64 - a));
}

// ---------------------------------------------------------------------------------------------
// Bit counting and reversal (ARM ARM CountLeadingZeroBits, CountLeadingSignBits; RBIT, REV*)

/** CountLeadingZeroBits of a 64-bit pair (0..64). */
export function clz64(lo: number, hi: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

/** CountLeadingSignBits of a 32-bit value: leading bits after bit 31 equal to it (0..31). */
export function cls32(x: number): number {
  // Bit i+1 of x ^ (x << 1) says whether bits i+1 and i differ; bit 0 caps the count at 31.
  return Math.clz32((x ^ (x << 1)) | 1);
}

/** CountLeadingSignBits of a 64-bit pair (0..63). */
export function cls64(lo: number, hi: number): number {
  const sign = hi >> 31;
  if (hi !== sign) return cls32(hi);
  return 31 + Math.clz32(lo ^ sign);
}

/** Reverse the 32 bits of x (RBIT Wd). */
export function rbit32(x: number): number {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  return (x >>> 16) | (x << 16);
}

/** Reverse the 4 bytes of x (REV Wd). */
export function bswap32(x: number): number {
  return (x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

/** Swap the bytes within each 16-bit halfword of x (REV16 on one word). */
export function rev16w(x: number): number {
  return ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
}

// ---------------------------------------------------------------------------------------------
// Decode-time helpers

/**
 * A pair of 64-bit masks from DecodeBitMasks, as int32 halves. For 32-bit operations the
 * high halves are copies of the low halves (the element pattern replicated) and are ignored.
 */
export interface BitMasks {
  wmaskLo: number;
  wmaskHi: number;
  tmaskLo: number;
  tmaskHi: number;
}

/**
 * ARM ARM DecodeBitMasks (shared/functions/bitmasks): the logical-immediate value (wmask)
 * and the bitfield top mask (tmask) for the fields N, imms, immr (6 bits each for imms/immr).
 * Runs at decode time only (uses BigInt).
 * @param immediate true for logical immediates, which also reject the all-ones element
 * @param datasize 32 or 64
 * @returns the masks, or undefined for a reserved encoding (the instruction is UNDEFINED):
 *   N:NOT(imms) with no set bit above bit 0, an element wider than datasize, or
 *   (immediate only) an element of all ones.
 */
export function decodeBitMasks(immN: number, imms: number, immr: number, immediate: boolean, datasize: 32 | 64): BitMasks | undefined {
  const combined = (immN << 6) | (~imms & 0x3f);
  const len = 31 - Math.clz32(combined); // HighestSetBit; -1 when combined is 0
  if (len < 1) return undefined;
  const esize = 1 << len;
  if (esize > datasize) return undefined;
  const levels = esize - 1;
  if (immediate && (imms & levels) === levels) return undefined;
  const S = imms & levels;
  const R = immr & levels;
  const diff = (S - R) & levels;
  const emask = (1n << BigInt(esize)) - 1n;
  const welem = (1n << BigInt(S + 1)) - 1n;
  const telem = (1n << BigInt(diff + 1)) - 1n;
  const rotated = R === 0 ? welem : ((welem >> BigInt(R)) | (welem << BigInt(esize - R))) & emask;
  let wmask = 0n;
  let tmask = 0n;
  for (let i = 0; i < 64; i += esize) {
    wmask |= rotated << BigInt(i);
    tmask |= telem << BigInt(i);
  }
  return {
    wmaskLo: Number(BigInt.asIntN(32, wmask)),
    wmaskHi: Number(BigInt.asIntN(32, wmask >> 32n)),
    tmaskLo: Number(BigInt.asIntN(32, tmask)),
    tmaskHi: Number(BigInt.asIntN(32, tmask >> 32n)),
  };
}

/** Low word (int32) of the exact JS integer v, |v| < 2^53, as a 64-bit two's complement value. */
export function numberLo(v: number): number {
  return v | 0;
}

/** High word (int32) of the exact JS integer v, |v| < 2^53, as a 64-bit two's complement value. */
export function numberHi(v: number): number {
  return Math.floor(v / TWO32) | 0;
}
