import type { Exec } from './exec';
import { rdZr, rSp } from './exec';
import { SCRATCH, rd32, rd64, wr32, wr64, writeBack } from './load-store-access';

/**
 * Load/store register pair, general-purpose registers (ARM ARM C4.1.4 "Load/store register
 * pair", C6.2 LDP/STP/LDPSW/LDNP/STNP): signed offset, pre-index, post-index and the
 * no-allocate (non-temporal) offset form, which behaves like the offset form here.
 *
 * Each element is its own access: alignment is checked on the element size (as QEMU does) and
 * a pair may straddle a page or the end of RAM, faulting on the element that is outside.
 * Loads read both elements before writing any register, so `ldp x0, x1, [x0]` works and a
 * fault on the second element leaves the registers unchanged.
 */

/** LDP Wt1, Wt2 (hm = 0) and LDPSW Xt1, Xt2 (hm = -1). */
function loadPair32(pc: number, n: number, imm: number, acc: number, wb: boolean, t: number, t2: number, hm: number): Exec {
  if (!wb) {
    return (c) => {
      const bh = c.hi[n];
      const a = (c.lo[n] >>> 0) + imm;
      const v0 = rd32(c, pc, bh, a);
      const v1 = rd32(c, pc, bh, a + 4);
      c.lo[t] = v0;
      c.hi[t] = (v0 >> 31) & hm;
      c.lo[t2] = v1;
      c.hi[t2] = (v1 >> 31) & hm;
    };
  }
  return (c) => {
    const bh = c.hi[n];
    const bl = c.lo[n] >>> 0;
    const a = bl + acc;
    const v0 = rd32(c, pc, bh, a);
    const v1 = rd32(c, pc, bh, a + 4);
    c.lo[t] = v0;
    c.hi[t] = (v0 >> 31) & hm;
    c.lo[t2] = v1;
    c.hi[t2] = (v1 >> 31) & hm;
    writeBack(c, n, bh, bl + imm);
  };
}

/** LDP Xt1, Xt2. */
function loadPair64(pc: number, n: number, imm: number, acc: number, wb: boolean, t: number, t2: number): Exec {
  if (!wb) {
    return (c) => {
      const bh = c.hi[n];
      const a = (c.lo[n] >>> 0) + imm;
      rd64(c, pc, bh, a, SCRATCH, 0);
      rd64(c, pc, bh, a + 8, SCRATCH, 2);
      c.lo[t] = SCRATCH[0];
      c.hi[t] = SCRATCH[1];
      c.lo[t2] = SCRATCH[2];
      c.hi[t2] = SCRATCH[3];
    };
  }
  return (c) => {
    const bh = c.hi[n];
    const bl = c.lo[n] >>> 0;
    const a = bl + acc;
    rd64(c, pc, bh, a, SCRATCH, 0);
    rd64(c, pc, bh, a + 8, SCRATCH, 2);
    c.lo[t] = SCRATCH[0];
    c.hi[t] = SCRATCH[1];
    c.lo[t2] = SCRATCH[2];
    c.hi[t2] = SCRATCH[3];
    writeBack(c, n, bh, bl + imm);
  };
}

/** STP Wt1, Wt2. */
function storePair32(pc: number, n: number, imm: number, acc: number, wb: boolean, t: number, t2: number): Exec {
  if (!wb) {
    return (c) => {
      const bh = c.hi[n];
      const a = (c.lo[n] >>> 0) + imm;
      wr32(c, pc, bh, a, c.lo[t]);
      wr32(c, pc, bh, a + 4, c.lo[t2]);
    };
  }
  return (c) => {
    const bh = c.hi[n];
    const bl = c.lo[n] >>> 0;
    const a = bl + acc;
    wr32(c, pc, bh, a, c.lo[t]);
    wr32(c, pc, bh, a + 4, c.lo[t2]);
    writeBack(c, n, bh, bl + imm);
  };
}

/** STP Xt1, Xt2 (the function prologue's `stp x29, x30, [sp, #-16]!`). */
function storePair64(pc: number, n: number, imm: number, acc: number, wb: boolean, t: number, t2: number): Exec {
  if (!wb) {
    return (c) => {
      const bh = c.hi[n];
      const a = (c.lo[n] >>> 0) + imm;
      wr64(c, pc, bh, a, c.lo[t], c.hi[t]);
      wr64(c, pc, bh, a + 8, c.lo[t2], c.hi[t2]);
    };
  }
  return (c) => {
    const bh = c.hi[n];
    const bl = c.lo[n] >>> 0;
    const a = bl + acc;
    wr64(c, pc, bh, a, c.lo[t], c.hi[t]);
    wr64(c, pc, bh, a + 8, c.lo[t2], c.hi[t2]);
    writeBack(c, n, bh, bl + imm);
  };
}

/**
 * Whether a load/store pair word (V = 0) is executed: opc = 11, opc = 01 stores (STGP,
 * FEAT_MTE) and no-allocate LDPSW are unallocated, and the CONSTRAINED UNPREDICTABLE register
 * overlaps (ARM ARM C6.2 LDP/STP): a load with Rt == Rt2 (Unpredictable_LDPOVERLAP) and
 * write-back with Rt or Rt2 == Rn, Rn != SP (Unpredictable_WBOVERLAPLD/ST) are UNDEFINED here —
 * a permitted choice, and LLVM (capstone) rejects exactly these words. Shared with the
 * disassembler.
 */
export function pairAllocated(insn: number): boolean {
  const opc = insn >>> 30;
  const type = (insn >>> 23) & 3;
  const load = (insn & (1 << 22)) !== 0;
  if (opc === 3) return false;
  if (opc === 1 && (!load || type === 0)) return false;
  const rt = insn & 31;
  const rt2 = (insn >>> 10) & 31;
  const rn = (insn >>> 5) & 31;
  if (load && rt === rt2) return false;
  const wb = type === 1 || type === 3;
  return !(wb && rn !== 31 && (rt === rn || rt2 === rn));
}

/**
 * Decode bits [29:27] = 101, bit 25 = 0 (opc:2 101 V 0 type:2 L imm7 Rt2 Rn Rt).
 * @returns undefined for SIMD&FP (V = 1), opc = 11, opc = 01 stores (STGP, FEAT_MTE) and
 *          no-allocate LDPSW (unallocated), and the CONSTRAINED UNPREDICTABLE register overlaps
 *          below.
 */
export function decodePair(insn: number, pc: number): Exec | undefined {
  if (insn & (1 << 26)) return undefined;
  if (!pairAllocated(insn)) return undefined;
  const opc = insn >>> 30;
  const type = (insn >>> 23) & 3; // 00 no-allocate offset, 01 post, 10 offset, 11 pre
  const load = (insn & (1 << 22)) !== 0;
  const rt = insn & 31;
  const rt2 = (insn >>> 10) & 31;
  const rn = (insn >>> 5) & 31;
  const wb = type === 1 || type === 3;
  const scale = opc === 2 ? 3 : 2;
  const imm = ((insn << 10) >> 25) << scale;
  const acc = type === 1 ? 0 : imm; // post-index accesses at the old base
  const n = rSp(rn);
  if (load) {
    const t = rdZr(rt);
    const t2 = rdZr(rt2);
    return scale === 3 ? loadPair64(pc, n, imm, acc, wb, t, t2) : loadPair32(pc, n, imm, acc, wb, t, t2, opc === 1 ? -1 : 0);
  }
  return scale === 3 ? storePair64(pc, n, imm, acc, wb, rt, rt2) : storePair32(pc, n, imm, acc, wb, rt, rt2);
}
