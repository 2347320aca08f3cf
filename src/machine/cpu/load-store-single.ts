import type { Cpu } from './cpu';
import type { Exec } from './exec';
import { TWO32, XZR, rdZr, rSp } from './exec';
import { SCRATCH, rd16, rd32, rd64, rd8, wr16, wr32, wr64, wr8, writeBack } from './load-store-access';
import { decodeAtomic } from './load-store-atomic';

/**
 * Single-register loads and stores, A64 general-purpose registers only (ARM ARM C4.1.4,
 * "Load/store register" classes; C6.2 LDR/STR/LDRB/.../LDUR/LDTR/PRFM pages):
 * - unsigned immediate offset (LDR Xt, [Xn|SP, #imm12·size]),
 * - unscaled immediate (LDUR/STUR), unprivileged (LDTR/STTR), post-index and pre-index (imm9),
 * - register offset (LSL/UXTW/SXTW/SXTX, optional shift by log2(size)),
 * - PRFM/PRFUM (a hint: no access, no fault),
 * - PC-relative literal loads (LDR W/X, LDRSW, PRFM literal).
 *
 * LDTR/STTR ("unprivileged") check permissions as if at EL0; with the MMU off there are no
 * permissions, so they behave exactly as LDUR/STUR at both EL0 and EL1.
 *
 * Specialisation: one closure literal per (access size, addressing mode), with the sign
 * handling of narrow loads made branch-free: value = (raw << sh) >> sh, hi = (value >> 31) & hm,
 * where sh = 32 - bits for sign-extending loads (0 otherwise) and hm = -1 only when
 * sign-extending into an X register.
 */

/** How a single-register access computes its address (decode-time constant). */
export const enum Mode {
  /** [Xn|SP, #imm]: unsigned, unscaled and unprivileged forms; also LDAR/STLR with imm 0. */
  Offset = 0,
  /** Pre/post-index: access at base + acc, then base += imm (acc = imm for pre, 0 for post). */
  WriteBack = 1,
  /** [Xn|SP, Rm{, extend {#s}}]. */
  Register = 2,
}

/** A decoded addressing mode. Slots are register-file slots (SP = 32). */
export interface Addressing {
  mode: Mode;
  /** Base slot. */
  n: number;
  /** Offset for Offset mode; write-back increment for WriteBack. */
  imm: number;
  /** WriteBack: offset applied to the access address (imm for pre-index, 0 for post-index). */
  acc: number;
  /** Register mode: index slot Rm (31 = XZR). */
  m: number;
  /** Register mode: slot supplying the index's high word (Rm for 64-bit extends, XZR for W extends). */
  mh: number;
  /** Register mode: -1 for SXTW (high word = sign of Rm<31>), else 0. */
  sx: number;
  /** Register mode: left shift 0..3. */
  s: number;
}

/** Offset-mode addressing [n, #imm]. */
export function offsetAddressing(n: number, imm: number): Addressing {
  return { mode: Mode.Offset, n, imm, acc: 0, m: XZR, mh: XZR, sx: 0, s: 0 };
}

/** High word of the last regAddr() result (a second return value without allocating). */
let regHi = 0;

/**
 * Register-offset address: base + (extend(Rm) << s), full 64-bit with carry.
 * @returns the low word (0 <= lo < 2^32); the high word is left in `regHi`.
 */
function regAddr(c: Cpu, n: number, m: number, mh: number, sx: number, s: number): number {
  const ml = c.lo[m];
  const a = (c.lo[n] >>> 0) + ((ml << s) >>> 0);
  // Index high word after the shift; (ml >>> 1) >>> (31 - s) is ml >>> (32 - s) but 0 when s = 0.
  const oh = ((c.hi[mh] | ((ml >> 31) & sx)) << s) | ((ml >>> 1) >>> (31 - s));
  const carry = a >= TWO32 ? 1 : 0;
  regHi = (c.hi[n] + oh + carry) | 0;
  return a - carry * TWO32;
}

// ---- loads of 1, 2, 4 bytes (zero- or sign-extending) ----

function load8(pc: number, am: Addressing, t: number, sh: number, hm: number): Exec {
  const { n, imm, acc, m, mh, sx, s } = am;
  switch (am.mode) {
    case Mode.Offset:
      return (c) => {
        const v = (rd8(c, pc, c.hi[n], (c.lo[n] >>> 0) + imm) << sh) >> sh;
        c.lo[t] = v;
        c.hi[t] = (v >> 31) & hm;
      };
    case Mode.WriteBack:
      return (c) => {
        const bh = c.hi[n];
        const bl = c.lo[n] >>> 0;
        const v = (rd8(c, pc, bh, bl + acc) << sh) >> sh;
        c.lo[t] = v;
        c.hi[t] = (v >> 31) & hm;
        writeBack(c, n, bh, bl + imm);
      };
    default:
      return (c) => {
        const a = regAddr(c, n, m, mh, sx, s);
        const v = (rd8(c, pc, regHi, a) << sh) >> sh;
        c.lo[t] = v;
        c.hi[t] = (v >> 31) & hm;
      };
  }
}

function load16(pc: number, am: Addressing, t: number, sh: number, hm: number): Exec {
  const { n, imm, acc, m, mh, sx, s } = am;
  switch (am.mode) {
    case Mode.Offset:
      return (c) => {
        const v = (rd16(c, pc, c.hi[n], (c.lo[n] >>> 0) + imm) << sh) >> sh;
        c.lo[t] = v;
        c.hi[t] = (v >> 31) & hm;
      };
    case Mode.WriteBack:
      return (c) => {
        const bh = c.hi[n];
        const bl = c.lo[n] >>> 0;
        const v = (rd16(c, pc, bh, bl + acc) << sh) >> sh;
        c.lo[t] = v;
        c.hi[t] = (v >> 31) & hm;
        writeBack(c, n, bh, bl + imm);
      };
    default:
      return (c) => {
        const a = regAddr(c, n, m, mh, sx, s);
        const v = (rd16(c, pc, regHi, a) << sh) >> sh;
        c.lo[t] = v;
        c.hi[t] = (v >> 31) & hm;
      };
  }
}

/** 32-bit loads: LDR Wt (hm = 0) and LDRSW Xt (hm = -1); no shift needed at this width. */
function load32(pc: number, am: Addressing, t: number, hm: number): Exec {
  const { n, imm, acc, m, mh, sx, s } = am;
  switch (am.mode) {
    case Mode.Offset:
      return (c) => {
        const v = rd32(c, pc, c.hi[n], (c.lo[n] >>> 0) + imm);
        c.lo[t] = v;
        c.hi[t] = (v >> 31) & hm;
      };
    case Mode.WriteBack:
      return (c) => {
        const bh = c.hi[n];
        const bl = c.lo[n] >>> 0;
        const v = rd32(c, pc, bh, bl + acc);
        c.lo[t] = v;
        c.hi[t] = (v >> 31) & hm;
        writeBack(c, n, bh, bl + imm);
      };
    default:
      return (c) => {
        const a = regAddr(c, n, m, mh, sx, s);
        const v = rd32(c, pc, regHi, a);
        c.lo[t] = v;
        c.hi[t] = (v >> 31) & hm;
      };
  }
}

function load64(pc: number, am: Addressing, t: number): Exec {
  const { n, imm, acc, m, mh, sx, s } = am;
  switch (am.mode) {
    case Mode.Offset:
      return (c) => {
        rd64(c, pc, c.hi[n], (c.lo[n] >>> 0) + imm, SCRATCH, 0);
        c.lo[t] = SCRATCH[0];
        c.hi[t] = SCRATCH[1];
      };
    case Mode.WriteBack:
      return (c) => {
        const bh = c.hi[n];
        const bl = c.lo[n] >>> 0;
        rd64(c, pc, bh, bl + acc, SCRATCH, 0);
        c.lo[t] = SCRATCH[0];
        c.hi[t] = SCRATCH[1];
        writeBack(c, n, bh, bl + imm);
      };
    default:
      return (c) => {
        const a = regAddr(c, n, m, mh, sx, s);
        rd64(c, pc, regHi, a, SCRATCH, 0);
        c.lo[t] = SCRATCH[0];
        c.hi[t] = SCRATCH[1];
      };
  }
}

// ---- stores ----

function store8(pc: number, am: Addressing, t: number): Exec {
  const { n, imm, acc, m, mh, sx, s } = am;
  switch (am.mode) {
    case Mode.Offset:
      return (c) => wr8(c, pc, c.hi[n], (c.lo[n] >>> 0) + imm, c.lo[t]);
    case Mode.WriteBack:
      return (c) => {
        const bh = c.hi[n];
        const bl = c.lo[n] >>> 0;
        wr8(c, pc, bh, bl + acc, c.lo[t]);
        writeBack(c, n, bh, bl + imm);
      };
    default:
      return (c) => {
        const a = regAddr(c, n, m, mh, sx, s);
        wr8(c, pc, regHi, a, c.lo[t]);
      };
  }
}

function store16(pc: number, am: Addressing, t: number): Exec {
  const { n, imm, acc, m, mh, sx, s } = am;
  switch (am.mode) {
    case Mode.Offset:
      return (c) => wr16(c, pc, c.hi[n], (c.lo[n] >>> 0) + imm, c.lo[t]);
    case Mode.WriteBack:
      return (c) => {
        const bh = c.hi[n];
        const bl = c.lo[n] >>> 0;
        wr16(c, pc, bh, bl + acc, c.lo[t]);
        writeBack(c, n, bh, bl + imm);
      };
    default:
      return (c) => {
        const a = regAddr(c, n, m, mh, sx, s);
        wr16(c, pc, regHi, a, c.lo[t]);
      };
  }
}

function store32(pc: number, am: Addressing, t: number): Exec {
  const { n, imm, acc, m, mh, sx, s } = am;
  switch (am.mode) {
    case Mode.Offset:
      return (c) => wr32(c, pc, c.hi[n], (c.lo[n] >>> 0) + imm, c.lo[t]);
    case Mode.WriteBack:
      return (c) => {
        const bh = c.hi[n];
        const bl = c.lo[n] >>> 0;
        wr32(c, pc, bh, bl + acc, c.lo[t]);
        writeBack(c, n, bh, bl + imm);
      };
    default:
      return (c) => {
        const a = regAddr(c, n, m, mh, sx, s);
        wr32(c, pc, regHi, a, c.lo[t]);
      };
  }
}

function store64(pc: number, am: Addressing, t: number): Exec {
  const { n, imm, acc, m, mh, sx, s } = am;
  switch (am.mode) {
    case Mode.Offset:
      return (c) => wr64(c, pc, c.hi[n], (c.lo[n] >>> 0) + imm, c.lo[t], c.hi[t]);
    case Mode.WriteBack:
      return (c) => {
        const bh = c.hi[n];
        const bl = c.lo[n] >>> 0;
        // Rt is read before the write-back, so STR Xn, [Xn, #i]! stores the original Xn.
        wr64(c, pc, bh, bl + acc, c.lo[t], c.hi[t]);
        writeBack(c, n, bh, bl + imm);
      };
    default:
      return (c) => {
        const a = regAddr(c, n, m, mh, sx, s);
        wr64(c, pc, regHi, a, c.lo[t], c.hi[t]);
      };
  }
}

/** The no-op used for PRFM/PRFUM: prefetch hints never access memory or fault. */
export const PREFETCH: Exec = () => {};

/**
 * Build a single-register access.
 * @param size access size in bytes (1, 2, 4, 8)
 * @param load true for loads
 * @param signed sign-extend a narrow load
 * @param toX the destination is an X register (only matters when signed)
 * @param rt the Rt field (31 = XZR both as source and destination)
 */
export function singleAccess(pc: number, am: Addressing, size: number, load: boolean, signed: boolean, toX: boolean, rt: number): Exec {
  if (!load) {
    if (size === 1) return store8(pc, am, rt);
    if (size === 2) return store16(pc, am, rt);
    if (size === 4) return store32(pc, am, rt);
    return store64(pc, am, rt);
  }
  const t = rdZr(rt);
  const hm = signed && toX ? -1 : 0;
  if (size === 1) return load8(pc, am, t, signed ? 24 : 0, hm);
  if (size === 2) return load16(pc, am, t, signed ? 16 : 0, hm);
  if (size === 4) return load32(pc, am, t, hm);
  return load64(pc, am, t);
}

/**
 * The LDTR forms with opc<0> = 1 (LDTR, LDTRB, LDTRH, LDTRSB Wt, LDTRSH Wt) and Rt == Rn != SP,
 * which we reject because LLVM (capstone) does (see decodeSingle). Shared with the disassembler.
 * @param insn a load/store register (unprivileged) word
 */
export function ldtrOverlapRejected(insn: number): boolean {
  const rn = (insn >>> 5) & 31;
  return (insn & (1 << 22)) !== 0 && rn !== 31 && (insn & 31) === rn;
}

/**
 * A load with write-back whose Rt is its base register Rn (not SP): CONSTRAINED UNPREDICTABLE,
 * UNDEFINED here (see decodeSingle). Shared with the disassembler.
 */
export function writeBackOverlap(rt: number, rn: number): boolean {
  return rn !== 31 && rt === rn;
}

/**
 * Load/store register, all general-purpose forms with bits [29:27] = 111, bit 25 = 0:
 * unsigned immediate, imm9 (unscaled / post / unprivileged / pre), register offset, and the
 * atomic memory operations (handed to decodeAtomic). ARM ARM C4.1.4.
 * @returns undefined for SIMD&FP (V = 1), unallocated size/opc pairs, PAC loads (v8.3),
 *          option<1> = 0, loads with write-back where Rt == Rn, and the LDTR forms LLVM
 *          rejects (both explained where they are checked).
 */
export function decodeSingle(insn: number, pc: number): Exec | undefined {
  if (insn & (1 << 26)) return undefined; // SIMD&FP registers: not modelled
  const size = insn >>> 30;
  const opc = (insn >>> 22) & 3;
  const rt = insn & 31;
  const rn = (insn >>> 5) & 31;
  const n = rSp(rn);
  let am: Addressing;
  let prefetchOk = true; // PRFM exists in the unsigned, unscaled (PRFUM) and register forms only
  if (insn & (1 << 24)) {
    am = offsetAddressing(n, ((insn >>> 10) & 0xfff) << size);
  } else if ((insn & (1 << 21)) === 0) {
    const imm9 = (insn << 11) >> 23;
    switch ((insn >>> 10) & 3) {
      case 0: // LDUR/STUR/PRFUM
        am = offsetAddressing(n, imm9);
        break;
      case 2: // LDTR/STTR
        // Deliberate deviation: LDTR/LDTRB/LDTRH/LDTRSB W/LDTRSH W (opc<0> = 1) with Rt == Rn
        // are valid, but LLVM's decoder (and so capstone) rejects them, because it treats
        // op4 = 10 as an indexed form (AArch64Disassembler.cpp DecodeSignedLdStInstruction).
        // The decoder's contract is "never execute a word capstone rejects", so they are
        // UNDEFINED here. The opc<0> = 0 sign-extending-to-X forms are accepted and run.
        if (ldtrOverlapRejected(insn)) return undefined;
        am = offsetAddressing(n, imm9);
        prefetchOk = false;
        break;
      default: {
        const pre = ((insn >>> 10) & 3) === 3;
        am = { mode: Mode.WriteBack, n, imm: imm9, acc: pre ? imm9 : 0, m: XZR, mh: XZR, sx: 0, s: 0 };
        prefetchOk = false;
      }
    }
  } else {
    const op4 = (insn >>> 10) & 3;
    if (op4 === 0) return decodeAtomic(insn, pc);
    if (op4 !== 2) return undefined; // LDRAA/LDRAB (FEAT_PAuth, v8.3): not implemented
    const option = (insn >>> 13) & 7;
    if ((option & 2) === 0) return undefined; // option<1> = 0 is unallocated
    const rm = (insn >>> 16) & 31;
    const s = insn & (1 << 12) ? size : 0;
    const wide = (option & 1) !== 0; // 011 LSL/UXTX and 111 SXTX use all 64 bits of Xm
    am = { mode: Mode.Register, n, imm: 0, acc: 0, m: rm, mh: wide ? rm : XZR, sx: option === 6 ? -1 : 0, s };
  }

  const bytes = 1 << size;
  if (opc === 0) return singleAccess(pc, am, bytes, false, false, false, rt);
  if (opc === 2 && size === 3) return prefetchOk ? PREFETCH : undefined;
  if (opc === 3 && size >= 2) return undefined; // opc = 11 with size 1x is unallocated
  // A load with write-back and Rt == Rn (Rn != SP) is CONSTRAINED UNPREDICTABLE (ARM ARM C6.2
  // LDR (immediate), Unpredictable_WBOVERLAPLD: WBSUPPRESS, UNKNOWN, UNDEF or NOP). We pick
  // UNDEFINED: LLVM's disassembler (so capstone) rejects most of these words, and we must never
  // execute a word capstone calls invalid. Stores with Rt == Rn (which capstone accepts) store
  // the original Rt, Constraint_NONE, as QEMU does.
  if (am.mode === Mode.WriteBack && writeBackOverlap(rt, rn)) return undefined;
  // opc 01: zero-extending load; 10: sign-extend to X (LDRSB/LDRSH/LDRSW); 11: sign-extend to W.
  return singleAccess(pc, am, bytes, true, opc !== 1, opc === 2, rt);
}

/**
 * Load register (literal): LDR Wt/Xt, LDRSW Xt, PRFM, at PC + imm19·4 (ARM ARM C6.2 LDR
 * (literal)). The address is a decode-time constant; it is still a Device access, so an X
 * load from a 4-byte-aligned-only literal takes an alignment fault.
 */
export function decodeLiteral(insn: number, pc: number): Exec | undefined {
  if (insn & (1 << 26)) return undefined; // SIMD&FP literal
  const addr = pc + ((insn << 8) >> 13) * 4;
  const t = rdZr(insn & 31);
  switch (insn >>> 30) {
    case 0:
      return (c) => {
        c.lo[t] = rd32(c, pc, 0, addr);
        c.hi[t] = 0;
      };
    case 1:
      return (c) => {
        rd64(c, pc, 0, addr, SCRATCH, 0);
        c.lo[t] = SCRATCH[0];
        c.hi[t] = SCRATCH[1];
      };
    case 2:
      return (c) => {
        const v = rd32(c, pc, 0, addr);
        c.lo[t] = v;
        c.hi[t] = v >> 31;
      };
    default:
      return PREFETCH;
  }
}
