import type { Cpu } from './cpu';
import type { Exec } from './exec';
import { TWO32, rdZr, rSp } from './exec';
import { SCRATCH, rd16, rd32, rd64, rd8, wr16, wr32, wr64, wr8 } from './load-store-access';

/**
 * ARMv8.1 LSE atomic memory operations (FEAT_LSE; ARM ARM C4.1.4 "Atomic memory operations",
 * C6.2 LDADD/LDCLR/LDEOR/LDSET/LDSMAX/LDSMIN/LDUMAX/LDUMIN/SWP and their A/L/AL, B/H forms;
 * the ST<op> aliases are the same words with Rt = 31).
 *
 * Semantics: old = Mem[Xn|SP]; Mem = op(old, Rs); Rt = old (zero-extended from the access size).
 * CPUs are interleaved on one JS thread, so the read-modify-write is atomic and every ordering
 * variant (acquire/release) is satisfied trivially.
 *
 * Faults: the read comes first, so alignment, address-size and external aborts are reported
 * with ISS.WnR = 0 — what QEMU 7.2 reports for LDADD/CAS/SWP/CASP (measured on -cpu max with
 * a bare-metal probe). On MMIO the operation is a plain read followed by a write, which is
 * what QEMU does when it serialises an atomic on I/O.
 */

/** Operation numbers: o3:opc, with SWP as 8. */
export const enum AtomicOp {
  Add = 0,
  Clr = 1,
  Eor = 2,
  Set = 3,
  Smax = 4,
  Smin = 5,
  Umax = 6,
  Umin = 7,
  Swp = 8,
}

/**
 * The new memory value for a 1, 2 or 4-byte operation.
 * @param old the old memory value, zero-extended (4 bytes: any int32 bit pattern)
 * @param rs the Rs register's low word
 * @param k 32 - access size in bits (24, 16 or 0)
 * @returns the value to store (only the low 32 - k bits matter)
 */
export function atomic32(op: AtomicOp, old: number, rs: number, k: number): number {
  switch (op) {
    case AtomicOp.Add:
      return old + rs;
    case AtomicOp.Clr:
      return old & ~rs;
    case AtomicOp.Eor:
      return old ^ rs;
    case AtomicOp.Set:
      return old | rs;
    case AtomicOp.Smax:
      return (old << k) >> k >= (rs << k) >> k ? old : rs;
    case AtomicOp.Smin:
      return (old << k) >> k <= (rs << k) >> k ? old : rs;
    case AtomicOp.Umax:
      return (old << k) >>> k >= (rs << k) >>> k ? old : rs;
    case AtomicOp.Umin:
      return (old << k) >>> k <= (rs << k) >>> k ? old : rs;
    default:
      return rs;
  }
}

/** Result of atomic64: [lo, hi]. */
const R64 = new Int32Array(2);

/**
 * The new memory value for an 8-byte operation, into R64 (no allocation).
 * Inputs are int32 halves of the old memory value and of Rs.
 */
export function atomic64(op: AtomicOp, olo: number, ohi: number, rlo: number, rhi: number): Int32Array {
  let lo = rlo;
  let hi = rhi;
  switch (op) {
    case AtomicOp.Add: {
      const s = (olo >>> 0) + (rlo >>> 0);
      lo = s | 0;
      hi = ohi + rhi + (s >= TWO32 ? 1 : 0);
      break;
    }
    case AtomicOp.Clr:
      lo = olo & ~rlo;
      hi = ohi & ~rhi;
      break;
    case AtomicOp.Eor:
      lo = olo ^ rlo;
      hi = ohi ^ rhi;
      break;
    case AtomicOp.Set:
      lo = olo | rlo;
      hi = ohi | rhi;
      break;
    case AtomicOp.Smax:
    case AtomicOp.Smin:
    case AtomicOp.Umax:
    case AtomicOp.Umin: {
      // Signed compares the high words as int32, unsigned as uint32; low words always unsigned.
      const signed = op === AtomicOp.Smax || op === AtomicOp.Smin;
      const oh = signed ? ohi : ohi >>> 0;
      const rh = signed ? rhi : rhi >>> 0;
      const oldGe = oh !== rh ? oh > rh : olo >>> 0 >= rlo >>> 0;
      const oldLe = oh !== rh ? oh < rh : olo >>> 0 <= rlo >>> 0;
      const keepOld = op === AtomicOp.Smax || op === AtomicOp.Umax ? oldGe : oldLe;
      if (keepOld) {
        lo = olo;
        hi = ohi;
      }
      break;
    }
    default: // Swp
      break;
  }
  R64[0] = lo;
  R64[1] = hi;
  return R64;
}

/** Read 1, 2 or 4 bytes zero-extended (4: int32 pattern). */
export function rdSized(c: Cpu, pc: number, h: number, a: number, size: number): number {
  return size === 1 ? rd8(c, pc, h, a) : size === 2 ? rd16(c, pc, h, a) : rd32(c, pc, h, a);
}

/** Write the low 1, 2 or 4 bytes of v. */
export function wrSized(c: Cpu, pc: number, h: number, a: number, size: number, v: number): void {
  if (size === 1) wr8(c, pc, h, a, v);
  else if (size === 2) wr16(c, pc, h, a, v);
  else wr32(c, pc, h, a, v);
}

function atomicNarrow(pc: number, op: AtomicOp, size: number, s: number, n: number, t: number): Exec {
  const k = 32 - size * 8;
  return (c) => {
    const h = c.hi[n];
    const a = c.lo[n] >>> 0;
    const rs = c.lo[s];
    const old = rdSized(c, pc, h, a, size);
    wrSized(c, pc, h, a, size, atomic32(op, old, rs, k));
    c.lo[t] = old;
    c.hi[t] = 0;
  };
}

function atomicWide(pc: number, op: AtomicOp, s: number, n: number, t: number): Exec {
  return (c) => {
    const h = c.hi[n];
    const a = c.lo[n] >>> 0;
    const rlo = c.lo[s];
    const rhi = c.hi[s];
    rd64(c, pc, h, a, SCRATCH, 0);
    const olo = SCRATCH[0];
    const ohi = SCRATCH[1];
    const r = atomic64(op, olo, ohi, rlo, rhi);
    wr64(c, pc, h, a, r[0], r[1]);
    c.lo[t] = olo;
    c.hi[t] = ohi;
  };
}

/**
 * Whether an atomic memory operation word is implemented: o3 = 1 needs opc = 000 (SWP); the
 * rest is LDAPR* (FEAT_LRCPC) and the LD64B/ST64B family. Shared with the disassembler.
 */
export function atomicAllocated(insn: number): boolean {
  return ((insn >>> 15) & 1) === 0 || ((insn >>> 12) & 7) === 0;
}

/**
 * Decode an atomic memory operation: size:2 111 V 00 A R 1 Rs o3 opc:3 00 Rn Rt (V = 0 checked
 * by the caller). A and R (acquire/release) need no action here.
 * @returns undefined for o3 = 1 with opc != 000: LDAPR* (FEAT_LRCPC, v8.3) and the v8.7
 *          LD64B/ST64B family, none of which a v8.0 + LSE core has.
 */
export function decodeAtomic(insn: number, pc: number): Exec | undefined {
  const size = 1 << (insn >>> 30);
  const o3 = (insn >>> 15) & 1;
  const opc = (insn >>> 12) & 7;
  if (!atomicAllocated(insn)) return undefined;
  const op: AtomicOp = o3 === 1 ? AtomicOp.Swp : opc;
  const s = (insn >>> 16) & 31; // Rs: source operand, 31 reads XZR
  const n = rSp((insn >>> 5) & 31);
  const t = rdZr(insn & 31);
  return size === 8 ? atomicWide(pc, op, s, n, t) : atomicNarrow(pc, op, size, s, n, t);
}
