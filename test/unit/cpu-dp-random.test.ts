/**
 * Randomised checks of the data-processing implementation against BigInt references:
 * 1. the (lo, hi) helpers of arith64.ts against BigInt arithmetic (fast-check properties);
 * 2. random instruction words from the two data-processing classes, executed on random
 *    register states, against a reference interpreter written here from the ARM ARM
 *    pseudocode (AddWithCarry, ShiftReg, ExtendReg, DecodeBitMasks, Poly32Mod2, ...) with
 *    encoding-pattern decoding, deliberately structured unlike the decoders under test.
 */
import fc from 'fast-check';
import { Bus } from '../../src/machine/bus';
import { Cpu, type CpuHost } from '../../src/machine/cpu/cpu';
import * as A from '../../src/machine/cpu/arith64';
import { conditionHolds, conditionMask, nzcvIndex } from '../../src/machine/cpu/condition';
import { decodeDataProcessingImm } from '../../src/machine/cpu/decode-dp-imm';
import { decodeDataProcessingReg } from '../../src/machine/cpu/decode-dp-reg';
import type { Exec } from '../../src/machine/cpu/exec';
import { SP_SLOT } from '../../src/machine/cpu/exec';

const M64 = (1n << 64n) - 1n;
const ones = (n: number | bigint): bigint => (1n << BigInt(n)) - 1n;
const pair = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
const loOf = (v: bigint): number => Number(BigInt.asIntN(32, v));
const hiOf = (v: bigint): number => Number(BigInt.asIntN(32, v >> 32n));
const res = (): bigint => pair(A.RES[0], A.RES[1]);
const sint = (v: bigint, bits: number): bigint => BigInt.asIntN(bits, v);

function makeCpu(): Cpu {
  const bus = new Bus(4096);
  // Data-processing instructions never call the host, so only the bus is filled in.
  const host = { bus } as unknown as CpuHost;
  return new Cpu(0, 0x80000000, host);
}

/** 64-bit values biased towards the edges where carries, overflows and sign bits bite. */
const edge64 = [0n, 1n, 2n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x1_0000_0000n,
  0x1_ffff_ffffn, 0x1f_ffff_ffff_ffffn, 0x20_0000_0000_0000n, 0x7fff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, M64, M64 - 1n,
  0xffff_ffff_0000_0000n, 0xffe0_0000_0000_0000n];
const arb64: fc.Arbitrary<bigint> = fc.oneof(
  { weight: 4, arbitrary: fc.bigUintN(64) },
  { weight: 2, arbitrary: fc.constantFrom(...edge64) },
  { weight: 1, arbitrary: fc.bigUintN(32) },
  { weight: 1, arbitrary: fc.bigUintN(6) },
  { weight: 1, arbitrary: fc.bigUintN(6).map((v) => M64 - v) },
  { weight: 1, arbitrary: fc.bigUintN(53) },
  { weight: 1, arbitrary: fc.bigUintN(53).map((v) => (M64 - v) & M64) },
);

// =============================================================================================
// 1. arith64 helpers

describe('arith64 helpers against BigInt', () => {
  const runs = { numRuns: 1000 };

  test('adds64/adds32/flags64/flags32 = AddWithCarry', () => {
    const c = makeCpu();
    fc.assert(
      fc.property(arb64, arb64, fc.integer({ min: 0, max: 1 }), (a, b, cin) => {
        const sum = a + b + BigInt(cin);
        const r = sum & M64;
        const v = sint(a, 64) + sint(b, 64) + BigInt(cin) !== sint(r, 64) ? 1 : 0;
        const want = [r, Number(r >> 63n), r === 0n ? 1 : 0, sum > M64 ? 1 : 0, v];
        A.adds64(c, 5, loOf(a), hiOf(a), loOf(b), hiOf(b), cin);
        expect([c.getX(5), c.n, c.z, c.c, c.v]).toEqual(want);
        c.n = c.z = c.c = c.v = 0;
        A.flags64(c, loOf(a), hiOf(a), loOf(b), hiOf(b), cin);
        expect([c.n, c.z, c.c, c.v]).toEqual(want.slice(1));
        A.addTo64(c, 6, loOf(a), hiOf(a), loOf(b), hiOf(b), cin);
        expect(c.getX(6)).toBe(r);
        A.add64(loOf(a), hiOf(a), loOf(b), hiOf(b), cin);
        expect(res()).toBe(r);
        A.sub64(loOf(a), hiOf(a), loOf(b), hiOf(b));
        expect(res()).toBe((a - b) & M64);

        const a32 = a & 0xffffffffn;
        const b32 = b & 0xffffffffn;
        const s32 = a32 + b32 + BigInt(cin);
        const r32 = s32 & 0xffffffffn;
        const v32 = sint(a32, 32) + sint(b32, 32) + BigInt(cin) !== sint(r32, 32) ? 1 : 0;
        const want32 = [r32, Number(r32 >> 31n), r32 === 0n ? 1 : 0, s32 > 0xffffffffn ? 1 : 0, v32];
        A.adds32(c, 7, loOf(a), loOf(b), cin);
        expect([c.getX(7), c.n, c.z, c.c, c.v]).toEqual(want32);
        A.flags32(c, loOf(a), loOf(b), cin);
        expect([c.n, c.z, c.c, c.v]).toEqual(want32.slice(1));
      }),
      runs,
    );
  });

  test('multiplications', () => {
    fc.assert(
      fc.property(arb64, arb64, (a, b) => {
        A.mul64(loOf(a), hiOf(a), loOf(b), hiOf(b));
        expect(res()).toBe((a * b) & M64);
        A.umulh64(loOf(a), hiOf(a), loOf(b), hiOf(b));
        expect(res()).toBe((a * b) >> 64n);
        A.smulh64(loOf(a), hiOf(a), loOf(b), hiOf(b));
        expect(res()).toBe(((sint(a, 64) * sint(b, 64)) >> 64n) & M64);
        const a32 = a & 0xffffffffn;
        const b32 = b & 0xffffffffn;
        expect(A.umulh32(loOf(a), loOf(b)) >>> 0).toBe(Number((a32 * b32) >> 32n));
        expect(A.smulh32(loOf(a), loOf(b))).toBe(Number((sint(a32, 32) * sint(b32, 32)) >> 32n));
      }),
      runs,
    );
  });

  test('divisions (x/0 = 0, INT64_MIN/-1 = INT64_MIN)', () => {
    fc.assert(
      fc.property(arb64, arb64, (a, b) => {
        A.udiv64(loOf(a), hiOf(a), loOf(b), hiOf(b));
        expect(res()).toBe(b === 0n ? 0n : a / b);
        A.sdiv64(loOf(a), hiOf(a), loOf(b), hiOf(b));
        const sa = sint(a, 64);
        const sb = sint(b, 64);
        expect(res()).toBe(sb === 0n ? 0n : (sa / sb) & M64);
      }),
      { numRuns: 5000 },
    );
  });

  test('shifts and rotates, variable and constant amount', () => {
    fc.assert(
      fc.property(arb64, fc.integer({ min: 0, max: 63 }), (v, s) => {
        const S = BigInt(s);
        const l = loOf(v);
        const h = hiOf(v);
        const lsl = (v << S) & M64;
        const lsr = v >> S;
        const asr = (sint(v, 64) >> S) & M64;
        const ror = ((v >> S) | (v << (64n - S))) & M64;
        A.lsl64(l, h, s);
        expect(res()).toBe(lsl);
        A.lsr64(l, h, s);
        expect(res()).toBe(lsr);
        A.asr64(l, h, s);
        expect(res()).toBe(asr);
        A.ror64(l, h, s);
        expect(res()).toBe(ror);
        if (s > 0) {
          expect(pair(A.lslLo(l, s), A.lslHi(l, h, s))).toBe(lsl);
          expect(pair(A.lsrLo(l, h, s), A.lsrHi(h, s))).toBe(lsr);
          expect(pair(A.asrLo(l, h, s), A.asrHi(h, s))).toBe(asr);
          expect(pair(A.rorLo(l, h, s), A.rorHi(l, h, s))).toBe(ror);
        }
        const w = v & 0xffffffffn;
        const s5 = BigInt(s & 31);
        expect(A.ror32(l, s) >>> 0).toBe(Number(((w >> s5) | (w << (32n - s5))) & 0xffffffffn));
      }),
      runs,
    );
  });

  test('bit counting and reversal', () => {
    const clz = (v: bigint, bits: number): number => {
      for (let i = bits - 1; i >= 0; i--) if ((v >> BigInt(i)) & 1n) return bits - 1 - i;
      return bits;
    };
    // CountLeadingSignBits(x) = CountLeadingZeroBits(x<N-1:1> EOR x<N-2:0>)
    const cls = (v: bigint, bits: number): number => clz(((v >> 1n) ^ v) & ones(bits - 1), bits - 1);
    const reverse = (v: bigint, bits: number): bigint => {
      let r = 0n;
      for (let i = 0; i < bits; i++) if ((v >> BigInt(i)) & 1n) r |= 1n << BigInt(bits - 1 - i);
      return r;
    };
    fc.assert(
      fc.property(arb64, (v) => {
        const l = loOf(v);
        const h = hiOf(v);
        const w = v & 0xffffffffn;
        expect(A.clz64(l, h)).toBe(clz(v, 64));
        expect(A.cls64(l, h)).toBe(cls(v, 64));
        expect(A.cls32(l)).toBe(cls(w, 32));
        expect(BigInt(A.rbit32(l) >>> 0)).toBe(reverse(w, 32));
        const bytes = [0, 1, 2, 3].map((i) => (w >> BigInt(8 * i)) & 0xffn);
        expect(BigInt(A.bswap32(l) >>> 0)).toBe((bytes[0] << 24n) | (bytes[1] << 16n) | (bytes[2] << 8n) | bytes[3]);
        expect(BigInt(A.rev16w(l) >>> 0)).toBe((bytes[1] | (bytes[0] << 8n)) | ((bytes[3] | (bytes[2] << 8n)) << 16n));
      }),
      runs,
    );
  });

  test('numberLo/numberHi split exact integers', () => {
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (v) => {
        expect(pair(A.numberLo(v), A.numberHi(v))).toBe(BigInt(v) & M64);
      }),
      runs,
    );
  });

  test('decodeBitMasks against the pseudocode for every N, imms, immr', () => {
    for (const datasize of [32, 64] as const) {
      for (let N = 0; N < 2; N++) {
        for (let imms = 0; imms < 64; imms++) {
          for (let immr = 0; immr < 64; immr++) {
            for (const immediate of [true, false]) {
              const want = refDecodeBitMasks(N, imms, immr, immediate, datasize);
              const got = A.decodeBitMasks(N, imms, immr, immediate, datasize);
              if (want === undefined) {
                expect(got).toBeUndefined();
                continue;
              }
              expect(got).toBeDefined();
              const w = pair(got!.wmaskLo, got!.wmaskHi) & ones(datasize);
              const t = pair(got!.tmaskLo, got!.tmaskHi) & ones(datasize);
              if (w !== want[0] || t !== want[1]) throw new Error(`N=${N} imms=${imms} immr=${immr} ${datasize}`);
            }
          }
        }
      }
    }
  });

  test('condition masks agree with conditionHolds on all flag states', () => {
    const c = makeCpu();
    for (let f = 0; f < 16; f++) {
      c.n = f >> 3;
      c.z = (f >> 2) & 1;
      c.c = (f >> 1) & 1;
      c.v = f & 1;
      expect(nzcvIndex(c)).toBe(f);
      for (let cond = 0; cond < 16; cond++) {
        expect(conditionHolds(c, cond)).toBe(refConditionHolds(cond, c.n, c.z, c.c, c.v));
        expect(((conditionMask(cond) >>> f) & 1) === 1).toBe(refConditionHolds(cond, c.n, c.z, c.c, c.v));
      }
    }
  });
});

// =============================================================================================
// 2. Reference interpreter (ARM ARM pseudocode, BigInt)

interface State {
  x: bigint[]; // X0..X30, each in [0, 2^64)
  sp: bigint;
  n: number;
  z: number;
  c: number;
  v: number;
}

/** DecodeBitMasks (ARM ARM shared/functions/bitmasks), returning [wmask, tmask] of datasize bits. */
function refDecodeBitMasks(immN: number, imms: number, immr: number, immediate: boolean, M: number): [bigint, bigint] | undefined {
  const nNotS = (immN << 6) | (~imms & 0x3f);
  let len = -1;
  for (let i = 6; i >= 0; i--) {
    if ((nNotS >> i) & 1) {
      len = i;
      break;
    }
  }
  if (len < 1) return undefined;
  if (M < 1 << len) return undefined; // the pseudocode asserts this; the callers make it UNDEFINED
  const levels = (1 << len) - 1;
  if (immediate && (imms & levels) === levels) return undefined;
  const S = imms & levels;
  const R = immr & levels;
  const diff = (S - R) & 0x3f; // 6-bit subtraction with borrow
  const esize = 1 << len;
  const d = diff & levels;
  const welem = ones(S + 1);
  const telem = ones(d + 1);
  const rorE = (x: bigint, r: number): bigint => ((x >> BigInt(r)) | (x << BigInt(esize - r))) & ones(esize);
  const replicate = (x: bigint): bigint => {
    let out = 0n;
    for (let i = 0; i < M; i += esize) out |= x << BigInt(i);
    return out;
  };
  return [replicate(rorE(welem, R)), replicate(telem)];
}

function refConditionHolds(cond: number, n: number, z: number, c: number, v: number): boolean {
  let result: boolean;
  switch (cond >> 1) {
    case 0: result = z === 1; break;
    case 1: result = c === 1; break;
    case 2: result = n === 1; break;
    case 3: result = v === 1; break;
    case 4: result = c === 1 && z === 0; break;
    case 5: result = n === v; break;
    case 6: result = n === v && z === 0; break;
    default: result = true;
  }
  if ((cond & 1) === 1 && cond !== 15) result = !result;
  return result;
}

/** AddWithCarry(x, y, carry_in) for N-bit x, y: [result, n, z, c, v]. */
function addWithCarry(x: bigint, y: bigint, cin: number, N: number): [bigint, number, number, number, number] {
  const usum = x + y + BigInt(cin);
  const ssum = sint(x, N) + sint(y, N) + BigInt(cin);
  const result = usum & ones(N);
  return [result, Number(result >> BigInt(N - 1)), result === 0n ? 1 : 0, result === usum ? 0 : 1, sint(result, N) === ssum ? 0 : 1];
}

/** ShiftReg: LSL/LSR/ASR/ROR of an N-bit value. */
function shiftReg(v: bigint, type: number, amount: number, N: number): bigint {
  const a = BigInt(amount);
  const m = ones(N);
  switch (type) {
    case 0: return (v << a) & m;
    case 1: return v >> a;
    case 2: return (sint(v, N) >> a) & m;
    default: return amount === 0 ? v : ((v >> a) | (v << BigInt(N - amount))) & m;
  }
}

/** ExtendReg: extend the low bits of a register value by UXTB..SXTX, then shift left (0..4). */
function extendReg(v: bigint, type: number, shift: number, N: number): bigint {
  const unsigned = (type & 4) === 0;
  let len = 8 << (type & 3);
  len = Math.min(len, N - shift);
  let x = v & ones(len);
  if (!unsigned) x = sint(x, len) & ones(N);
  return (x << BigInt(shift)) & ones(N);
}

function reverseBits(v: bigint, bits: number): bigint {
  let r = 0n;
  for (let i = 0; i < bits; i++) if ((v >> BigInt(i)) & 1n) r |= 1n << BigInt(bits - 1 - i);
  return r;
}

/** Reverse the bytes in each `container`-bit container of the N-bit value (REV16/REV32/REV). */
function reverseBytes(v: bigint, container: number, N: number): bigint {
  let out = 0n;
  for (let base = 0; base < N; base += container) {
    for (let b = 0; b < container / 8; b++) {
      const byte = (v >> BigInt(base + 8 * b)) & 0xffn;
      out |= byte << BigInt(base + container - 8 - 8 * b);
    }
  }
  return out;
}

/** Poly32Mod2 on a (32 + size)-bit value. */
function poly32Mod2(data: bigint, bits: number, poly: bigint): bigint {
  for (let i = bits - 1; i >= 32; i--) {
    if ((data >> BigInt(i)) & 1n) data ^= poly << BigInt(i - 32);
  }
  return data & 0xffffffffn;
}

/**
 * Execute `insn` at `pc` on `s` (mutated). Returns false if the word is UNDEFINED in the
 * ARMv8.0 data-processing classes (with CRC32), true otherwise.
 * @throws Error for words outside the data-processing classes.
 */
function refExecute(insn: number, pc: bigint, s: State): boolean {
  insn >>>= 0;
  const bit = (i: number): number => (insn >>> i) & 1;
  const field = (hi: number, lo: number): number => (insn >>> lo) & ((1 << (hi - lo + 1)) - 1);
  const sf = bit(31);
  const N = sf ? 64 : 32;
  const Rd = field(4, 0);
  const Rn = field(9, 5);
  const Rm = field(20, 16);
  const X = (r: number): bigint => (r === 31 ? 0n : s.x[r]) & ones(N);
  const XSP = (r: number): bigint => (r === 31 ? s.sp : s.x[r]) & ones(N);
  const setX = (r: number, v: bigint): void => {
    if (r !== 31) s.x[r] = v & ones(N); // W writes zero-extend
  };
  const setXSP = (r: number, v: bigint): void => {
    if (r === 31) s.sp = v & ones(N);
    else s.x[r] = v & ones(N);
  };
  const setNZCV = (f: (number | bigint)[]): void => {
    [s.n, s.z, s.c, s.v] = f.map(Number);
  };

  if ((insn & 0x1f000000) === 0x10000000) {
    // ADR / ADRP
    const imm = sint(BigInt((field(23, 5) << 2) | field(30, 29)), 21);
    const result = bit(31) ? (pc & ~0xfffn) + (imm << 12n) : pc + imm;
    if (Rd !== 31) s.x[Rd] = result & M64;
    return true;
  }
  if ((insn & 0x1f000000) === 0x11000000) {
    // ADD/SUB (immediate); shift = bits 23:22, 1x reserved
    if (bit(23)) return false;
    let imm = BigInt(field(21, 10)) << (bit(22) ? 12n : 0n);
    let carry = 0;
    if (bit(30)) {
      imm = ~imm & ones(N);
      carry = 1;
    }
    const [r, ...f] = addWithCarry(XSP(Rn), imm, carry, N);
    if (bit(29)) {
      setNZCV(f);
      setX(Rd, r);
    } else setXSP(Rd, r);
    return true;
  }
  if ((insn & 0x1f800000) === 0x12000000) {
    // Logical (immediate)
    if (!sf && bit(22)) return false;
    const masks = refDecodeBitMasks(bit(22), field(15, 10), field(21, 16), true, N);
    if (!masks) return false;
    const imm = masks[0];
    const opc = field(30, 29);
    const a = X(Rn);
    const r = opc === 0 || opc === 3 ? a & imm : opc === 1 ? a | imm : a ^ imm;
    if (opc === 3) {
      setNZCV([Number(r >> BigInt(N - 1)), r === 0n ? 1 : 0, 0, 0]);
      setX(Rd, r);
    } else setXSP(Rd, r);
    return true;
  }
  if ((insn & 0x1f800000) === 0x12800000) {
    // Move wide
    const opc = field(30, 29);
    const hw = field(22, 21);
    if (opc === 1 || (!sf && hw >= 2)) return false;
    const pos = BigInt(hw * 16);
    let r = opc === 3 ? X(Rd) : 0n;
    r = (r & ~(0xffffn << pos)) | (BigInt(field(20, 5)) << pos);
    if (opc === 0) r = ~r & ones(N);
    setX(Rd, r);
    return true;
  }
  if ((insn & 0x1f800000) === 0x13000000) {
    // Bitfield: SBFM / BFM / UBFM
    const opc = field(30, 29);
    const immN = bit(22);
    const R = field(21, 16);
    const S = field(15, 10);
    if (opc === 3) return false;
    if (sf && !immN) return false;
    if (!sf && (immN || R >= 32 || S >= 32)) return false;
    const masks = refDecodeBitMasks(immN, S, R, false, N);
    if (!masks) return false;
    const [wmask, tmask] = masks;
    const dst = opc === 1 ? X(Rd) : 0n;
    const src = X(Rn);
    const m = ones(N);
    const bot = (dst & ~wmask & m) | (shiftReg(src, 3, R, N) & wmask);
    const top = opc === 0 ? ((src >> BigInt(S)) & 1n ? m : 0n) : dst;
    setX(Rd, (top & ~tmask & m) | (bot & tmask));
    return true;
  }
  if ((insn & 0x1f800000) === 0x13800000) {
    // Extract
    if (field(30, 29) !== 0 || bit(21) !== 0) return false;
    if (bit(22) !== sf) return false;
    const lsb = field(15, 10);
    if (!sf && lsb >= 32) return false;
    const concat = (X(Rn) << BigInt(N)) | X(Rm);
    setX(Rd, (concat >> BigInt(lsb)) & ones(N));
    return true;
  }
  if ((insn & 0x1f000000) === 0x0a000000) {
    // Logical (shifted register)
    const amount = field(15, 10);
    if (!sf && amount >= 32) return false;
    let op2 = shiftReg(X(Rm), field(23, 22), amount, N);
    if (bit(21)) op2 = ~op2 & ones(N);
    const opc = field(30, 29);
    const a = X(Rn);
    const r = opc === 0 || opc === 3 ? a & op2 : opc === 1 ? a | op2 : a ^ op2;
    if (opc === 3) setNZCV([Number(r >> BigInt(N - 1)), r === 0n ? 1 : 0, 0, 0]);
    setX(Rd, r);
    return true;
  }
  if ((insn & 0x1f200000) === 0x0b000000) {
    // ADD/SUB (shifted register)
    const shift = field(23, 22);
    const amount = field(15, 10);
    if (shift === 3 || (!sf && amount >= 32)) return false;
    let op2 = shiftReg(X(Rm), shift, amount, N);
    let carry = 0;
    if (bit(30)) {
      op2 = ~op2 & ones(N);
      carry = 1;
    }
    const [r, ...f] = addWithCarry(X(Rn), op2, carry, N);
    if (bit(29)) setNZCV(f);
    setX(Rd, r);
    return true;
  }
  if ((insn & 0x1f200000) === 0x0b200000) {
    // ADD/SUB (extended register)
    const shift = field(12, 10);
    if (field(23, 22) !== 0 || shift > 4) return false;
    let op2 = extendReg(Rm === 31 ? 0n : s.x[Rm], field(15, 13), shift, N);
    let carry = 0;
    if (bit(30)) {
      op2 = ~op2 & ones(N);
      carry = 1;
    }
    const [r, ...f] = addWithCarry(XSP(Rn), op2, carry, N);
    if (bit(29)) {
      setNZCV(f);
      setX(Rd, r);
    } else setXSP(Rd, r);
    return true;
  }
  if ((insn & 0x1fe00000) === 0x1a000000) {
    // ADC/SBC; bits 15:10 != 0 are other (later) instructions
    if (field(15, 10) !== 0) return false;
    let op2 = X(Rm);
    if (bit(30)) op2 = ~op2 & ones(N);
    const [r, ...f] = addWithCarry(X(Rn), op2, s.c, N);
    if (bit(29)) setNZCV(f);
    setX(Rd, r);
    return true;
  }
  if ((insn & 0x1fe00000) === 0x1a400000) {
    // CCMN/CCMP (register: bit 11 = 0, immediate: bit 11 = 1)
    if (!bit(29) || bit(10) || bit(4)) return false;
    const cond = field(15, 12);
    if (refConditionHolds(cond, s.n, s.z, s.c, s.v)) {
      let op2 = bit(11) ? BigInt(Rm) : X(Rm);
      let carry = 0;
      if (bit(30)) {
        op2 = ~op2 & ones(N);
        carry = 1;
      }
      setNZCV(addWithCarry(X(Rn), op2, carry, N).slice(1));
    } else {
      setNZCV([bit(3), bit(2), bit(1), bit(0)]);
    }
    return true;
  }
  if ((insn & 0x1fe00000) === 0x1a800000) {
    // Conditional select
    if (bit(29) || bit(11)) return false;
    let r: bigint;
    if (refConditionHolds(field(15, 12), s.n, s.z, s.c, s.v)) r = X(Rn);
    else {
      r = X(Rm);
      if (bit(30)) r = ~r & ones(N);
      if (bit(10)) r = (r + 1n) & ones(N);
    }
    setX(Rd, r);
    return true;
  }
  if ((insn & 0x5fe00000) === 0x5ac00000) {
    // Data-processing (1 source)
    if (bit(29) || field(20, 16) !== 0) return false;
    const opcode = field(15, 10);
    const v = X(Rn);
    let r: bigint;
    switch (opcode) {
      case 0: r = reverseBits(v, N); break;
      case 1: r = reverseBytes(v, 16, N); break;
      case 2: r = reverseBytes(v, 32, N); break; // REV32 for X, REV for W
      case 3:
        if (!sf) return false;
        r = reverseBytes(v, 64, N);
        break;
      case 4: {
        let k = 0;
        while (k < N && ((v >> BigInt(N - 1 - k)) & 1n) === 0n) k++;
        r = BigInt(k);
        break;
      }
      case 5: {
        const t = ((v >> 1n) ^ v) & ones(N - 1);
        let k = 0;
        while (k < N - 1 && ((t >> BigInt(N - 2 - k)) & 1n) === 0n) k++;
        r = BigInt(k);
        break;
      }
      default:
        return false;
    }
    setX(Rd, r);
    return true;
  }
  if ((insn & 0x5fe00000) === 0x1ac00000) {
    // Data-processing (2 source)
    if (bit(29)) return false;
    const opcode = field(15, 10);
    const a = X(Rn);
    const b = X(Rm);
    let r: bigint;
    if (opcode === 2) r = b === 0n ? 0n : a / b;
    else if (opcode === 3) r = b === 0n ? 0n : (sint(a, N) / sint(b, N)) & ones(N);
    else if (opcode >= 8 && opcode <= 11) r = shiftReg(a, opcode - 8, Number(b % BigInt(N)), N);
    else if (opcode >= 16 && opcode <= 23) {
      const sz = opcode & 3;
      if ((sf === 1) !== (sz === 3)) return false;
      const size = 8 << sz;
      const acc = (Rn === 31 ? 0n : s.x[Rn]) & 0xffffffffn;
      const val = (Rm === 31 ? 0n : s.x[Rm]) & ones(size);
      const poly = opcode & 4 ? 0x1edc6f41n : 0x04c11db7n;
      const tempacc = reverseBits(acc, 32) << BigInt(size);
      const tempval = reverseBits(val, size) << 32n;
      setX(Rd, 0n); // CRC results are W registers
      if (Rd !== 31) s.x[Rd] = reverseBits(poly32Mod2(tempacc ^ tempval, 32 + size, poly), 32);
      return true;
    } else return false;
    setX(Rd, r);
    return true;
  }
  if ((insn & 0x1f000000) === 0x1b000000) {
    // Data-processing (3 source)
    if (field(30, 29) !== 0) return false;
    const op31 = field(23, 21);
    const o0 = bit(15);
    const Ra = field(14, 10);
    if (op31 === 0) {
      const prod = X(Rn) * X(Rm);
      const a = X(Ra);
      setX(Rd, o0 ? a - prod : a + prod);
      return true;
    }
    if (!sf) return false;
    const wn = (Rn === 31 ? 0n : s.x[Rn]) & 0xffffffffn;
    const wm = (Rm === 31 ? 0n : s.x[Rm]) & 0xffffffffn;
    const xa = X(Ra);
    switch (op31) {
      case 1: {
        const p = sint(wn, 32) * sint(wm, 32);
        setX(Rd, o0 ? xa - p : xa + p);
        return true;
      }
      case 5: {
        const p = wn * wm;
        setX(Rd, o0 ? xa - p : xa + p);
        return true;
      }
      case 2:
        if (o0) return false;
        setX(Rd, (sint(X(Rn), 64) * sint(X(Rm), 64)) >> 64n);
        return true;
      case 6:
        if (o0) return false;
        setX(Rd, (X(Rn) * X(Rm)) >> 64n);
        return true;
      default:
        return false;
    }
  }
  const op0 = (insn >>> 25) & 15;
  if ((op0 & 0b1110) === 0b1000 || (op0 & 0b0111) === 0b0101) return false; // unallocated or a later extension
  throw new Error(`0x${insn.toString(16)} is outside the data-processing classes`);
}

// =============================================================================================
// 3. Random instructions: implementation vs reference

function decodeDp(word: number, pc: number): Exec | undefined {
  const op0 = (word >>> 25) & 15;
  return (op0 & 0b1110) === 0b1000 ? decodeDataProcessingImm(word, pc) : decodeDataProcessingReg(word, pc);
}

/** Random words in "data processing -- immediate" (bits 28:25 = 100x) or "-- register" (x101). */
const dpWord: fc.Arbitrary<number> = fc
  .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.boolean(), fc.integer({ min: 0, max: 15 }), fc.boolean())
  .map(([w, imm, regs, squeeze]) => {
    w = imm ? (w & ~(0xe << 25)) | (0x8 << 25) : (w & ~(0x7 << 25)) | (0x5 << 25);
    if (squeeze) {
      // Draw register fields from {0, 1, 2, 31} to exercise aliasing and XZR/SP more often.
      const pick = (k: number): number => [0, 1, 2, 31][(regs >> k) & 3];
      w = (w & ~0x1f) | pick(0);
      w = (w & ~(0x1f << 5)) | (pick(2) << 5);
      if (!imm) w = (w & ~(0x1f << 16)) | (pick(1) << 16);
    }
    return w >>> 0;
  });

/** Likely-valid words: real encodings of each instruction group with random fields. */
const GROUP_BASES = [
  0x10000000, 0x11000000, 0x12000000, 0x12800000, 0x13000000, 0x13800000, 0x0a000000, 0x0b000000, 0x0b200000,
  0x1a000000, 0x1a400000, 0x1a800000, 0x5ac00000, 0x1ac00000, 0x1b000000,
];
const GROUP_MASKS = [
  0x1f000000, 0x1f800000, 0x1f800000, 0x1f800000, 0x1f800000, 0x1f800000, 0x1f000000, 0x1f200000, 0x1f200000,
  0x1fe00000, 0x1fe00000, 0x1fe00000, 0x5fe00000, 0x5fe00000, 0x1f000000,
];
const groupWord: fc.Arbitrary<number> = fc
  .tuple(fc.integer({ min: 0, max: GROUP_BASES.length - 1 }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 3 }))
  .map(([g, w, tweak]) => {
    let word = (w & ~GROUP_MASKS[g]) | GROUP_BASES[g];
    // Make the classes with narrow valid sub-spaces hit them more often.
    if (g === 9 && tweak) word &= ~(0x3f << 10); // ADC/SBC: op3 = 0
    if (g === 10 && tweak) word = (word | (1 << 29)) & ~((1 << 10) | (1 << 4)); // CCMP: S=1, o2=o3=0
    if (g === 11 && tweak) word &= ~((1 << 29) | (1 << 11)); // CSEL: S=0, op2<1>=0
    if (g === 12 && tweak) word = (word & ~((1 << 29) | (0x1f << 16) | (0x38 << 10))) >>> 0; // DP1: opcode 0..7
    if (g === 13 && tweak) word = (word & ~((1 << 29) | (0x20 << 10))) >>> 0; // DP2: opcode < 32
    if (g === 14 && tweak) word &= ~(3 << 29); // DP3: op54 = 0
    if (g === 1 && tweak) word &= ~(1 << 23); // ADD imm: shift<1> = 0
    return word >>> 0;
  });

const stateArb: fc.Arbitrary<State> = fc
  .tuple(fc.array(arb64, { minLength: 32, maxLength: 32 }), fc.integer({ min: 0, max: 15 }))
  .map(([vals, f]) => ({ x: vals.slice(0, 31), sp: vals[31], n: f >> 3, z: (f >> 2) & 1, c: (f >> 1) & 1, v: f & 1 }));

const sharedCpu = makeCpu();

function checkWord(word: number, st: State): void {
  const pc = 0x40080000 + 4 * (word & 0x3ff);
  const fn = decodeDp(word, pc);
  const ref: State = { ...st, x: st.x.slice() };
  const refValid = refExecute(word, BigInt(pc), ref);
  const hex = `0x${word.toString(16).padStart(8, '0')}`;
  if ((fn !== undefined) !== refValid) throw new Error(`${hex}: decoder valid=${fn !== undefined}, reference valid=${refValid}`);
  if (!fn) return;
  const c = sharedCpu;
  for (let i = 0; i < 31; i++) c.setX(i, st.x[i]);
  c.lo[31] = c.hi[31] = 0;
  c.setX(SP_SLOT, st.sp);
  c.n = st.n;
  c.z = st.z;
  c.c = st.c;
  c.v = st.v;
  c.pc = pc + 4;
  fn(c);
  for (let i = 0; i < 31; i++) {
    if (c.getX(i) !== ref.x[i]) throw new Error(`${hex}: x${i} = 0x${c.getX(i).toString(16)}, reference 0x${ref.x[i].toString(16)}`);
  }
  if (c.getX(SP_SLOT) !== ref.sp) throw new Error(`${hex}: sp = 0x${c.getX(SP_SLOT).toString(16)}, reference 0x${ref.sp.toString(16)}`);
  const flags = [c.n, c.z, c.c, c.v].join('');
  const refFlags = [ref.n, ref.z, ref.c, ref.v].join('');
  if (flags !== refFlags) throw new Error(`${hex}: NZCV ${flags}, reference ${refFlags}`);
  if (c.lo[31] !== 0 || c.hi[31] !== 0) throw new Error(`${hex}: XZR slot written`);
  if (c.pc !== pc + 4) throw new Error(`${hex}: pc changed`);
}

describe('random data-processing instructions against the reference interpreter', () => {
  test('uniformly random words in both classes', () => {
    fc.assert(fc.property(dpWord, stateArb, (w, st) => checkWord(w, st)), { numRuns: 30000 });
  });

  test('words drawn per instruction group', () => {
    fc.assert(fc.property(groupWord, stateArb, (w, st) => checkWord(w, st)), { numRuns: 40000 });
  });

  test('every bitfield and logical-immediate encoding (fixed registers, random values)', () => {
    // sf, opc, N, immr, imms exhaustively for Rd=0, Rn=1 (and Rd=Rn=2 for BFM's read of Rd).
    const st = fc.sample(stateArb, { numRuns: 1, seed: 42 })[0];
    for (const base of [0x13000000, 0x12000000]) {
      for (let sf = 0; sf < 2; sf++) {
        for (let opc = 0; opc < 4; opc++) {
          for (let N = 0; N < 2; N++) {
            for (let immr = 0; immr < 64; immr++) {
              for (let imms = 0; imms < 64; imms++) {
                const fields = (sf << 31) | (opc << 29) | (N << 22) | (immr << 16) | (imms << 10);
                // Rd=0, Rn=1, or Rd=Rn=2 (BFM reads its destination).
                checkWord((base | fields | (imms & 1 ? (2 << 5) | 2 : 1 << 5)) >>> 0, st);
              }
            }
          }
        }
      }
    }
  });
});
