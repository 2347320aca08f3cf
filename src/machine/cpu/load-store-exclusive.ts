import type { Cpu } from './cpu';
import type { Exec } from './exec';
import { rdZr, rSp } from './exec';
import { SCRATCH, addrNumber, checkAddress, ramOff, rd64, watchWhole, wr64 } from './load-store-access';
import { rdSized, wrSized } from './load-store-atomic';
import { offsetAddressing, singleAccess } from './load-store-single';

/**
 * The "load/store exclusive" group, bits [29:24] = 001000 (ARM ARM C4.1.4; C6.2 LDXR, LDAXR,
 * STXR, STLXR, LDXP, LDAXP, STXP, STLXP, LDAR, STLR, and FEAT_LSE CAS/CASP):
 *
 *   size:2 001000 o2 L o1 Rs:5 o0 Rt2:5 Rn:5 Rt:5
 *
 * | o2 o1 | L=0                      | L=1                      |
 * |-------|--------------------------|--------------------------|
 * | 0 0   | STXR / STLXR (o0)        | LDXR / LDAXR (o0)        |
 * | 0 1   | 1x: STXP / STLXP (o0)    | 1x: LDXP / LDAXP (o0)    |
 * |       | 0x: CASP / CASPL (v8.1)  | 0x: CASPA / CASPAL       |
 * | 1 0   | o0=1 STLR; o0=0 STLLR    | o0=1 LDAR; o0=0 LDLAR    |
 * | 1 1   | CAS / CASL               | CASA / CASAL             |
 *
 * STLLR/LDLAR (FEAT_LOR) are UNDEFINED: we advertise no LORegions (ID_AA64MMFR1_EL1.LO = 0).
 * Fields shown as (1) in the ARM ARM (Rs of loads and ordered stores, Rt2 of non-pair forms)
 * are "should be one": any other value is CONSTRAINED UNPREDICTABLE and we pick UNDEFINED.
 * CAS/CASP require Rt2 = 11111 (unallocated otherwise) and CASP even Rs and Rt.
 *
 * Exclusive semantics (ARM ARM B2.9 "Synchronization and semaphores"): LDXR marks the 64-byte
 * granule containing the address (Cortex-A57 ERG = 16 words) in this CPU's c.exclAddr and
 * c.exclSize (the access size, total size for pairs) and tells the global monitor through
 * c.host.reserve. STXR succeeds only if the reservation is still held for the same granule
 * and size; it always clears the local reservation; on failure nothing is stored and Ws = 1.
 * A different address within the granule passes (the ARM ARM makes that CONSTRAINED
 * UNPREDICTABLE); QEMU instead compares the exact address and then the memory value, so
 * `ldxr [a]; stxr [a+8]` fails there and succeeds here (only odd code can tell). Other CPUs'
 * reservations on the granule are cleared by the global monitor when the store reaches the
 * flagged page (Bus.storeHook → ExclusiveMonitor.onStore).
 *
 * Alignment: exclusives and ordered accesses must be aligned to their (total) size. A
 * store-exclusive consults the monitor first and only a passing one can fault (see claim()).
 */

/** Record a reservation for the access at (h, a) of `size` bytes, after the load succeeded. */
function reserve(c: Cpu, h: number, a: number, size: number): void {
  const addr = h === 0 ? a : addrNumber(h, a);
  const granule = addr - (addr % 64);
  c.exclAddr = granule;
  c.exclSize = size;
  c.host.reserve(c, granule);
}

/**
 * Check and consume the reservation for a store-exclusive at (h, a) of `size` bytes.
 * The local monitor is consulted before the address is checked: a store-exclusive without a
 * matching reservation fails (status 1) without touching memory and without an alignment or
 * external abort. The ARM ARM makes this order IMPLEMENTATION DEFINED (comment in
 * AArch64.ExclusiveMonitorsPass) and QEMU does the same (gen_store_exclusive compares the
 * address before any access). A passing one is then checked like any store, so an unaligned
 * store-exclusive into the reserved granule takes the alignment fault.
 * @returns true when the store must be performed
 * @throws GUEST_EXCEPTION for an alignment or address-size fault on a passing store
 */
function claim(c: Cpu, pc: number, h: number, a: number, size: number): boolean {
  const addr = h === 0 ? a : addrNumber(h, a);
  const ok = c.exclAddr === addr - (addr % 64) && c.exclSize === size;
  c.exclAddr = -1;
  if (ok && ramOff(c.host.bus, h, a, size) < 0) checkAddress(c, pc, h, a, size, true);
  return ok;
}

function loadExclusive(pc: number, size: number, n: number, t: number): Exec {
  if (size === 8) {
    return (c) => {
      const h = c.hi[n];
      const a = c.lo[n] >>> 0;
      rd64(c, pc, h, a, SCRATCH, 0);
      c.lo[t] = SCRATCH[0];
      c.hi[t] = SCRATCH[1];
      reserve(c, h, a, 8);
    };
  }
  return (c) => {
    const h = c.hi[n];
    const a = c.lo[n] >>> 0;
    c.lo[t] = rdSized(c, pc, h, a, size);
    c.hi[t] = 0;
    reserve(c, h, a, size);
  };
}

/**
 * STXR Ws, Rt, [Xn]. Ws == Rt or Ws == Rn is CONSTRAINED UNPREDICTABLE; capstone accepts those
 * words, so we execute them as QEMU does: the address and data are read first and Ws is
 * written last.
 */
function storeExclusive(pc: number, size: number, s: number, n: number, t: number): Exec {
  if (size === 8) {
    return (c) => {
      const h = c.hi[n];
      const a = c.lo[n] >>> 0;
      let status = 1;
      if (claim(c, pc, h, a, 8)) {
        wr64(c, pc, h, a, c.lo[t], c.hi[t]);
        status = 0;
      }
      c.lo[s] = status;
      c.hi[s] = 0;
    };
  }
  return (c) => {
    const h = c.hi[n];
    const a = c.lo[n] >>> 0;
    let status = 1;
    if (claim(c, pc, h, a, size)) {
      wrSized(c, pc, h, a, size, c.lo[t]);
      status = 0;
    }
    c.lo[s] = status;
    c.hi[s] = 0;
  };
}

/**
 * LDXP/LDAXP. W pairs are one 8-byte access (Rt = low word); X pairs are 16 bytes aligned to
 * 16, read as two 8-byte halves.
 */
function loadExclusivePair(pc: number, x: boolean, n: number, t: number, t2: number): Exec {
  if (!x) {
    return (c) => {
      const h = c.hi[n];
      const a = c.lo[n] >>> 0;
      rd64(c, pc, h, a, SCRATCH, 0);
      c.lo[t] = SCRATCH[0];
      c.hi[t] = 0;
      c.lo[t2] = SCRATCH[1];
      c.hi[t2] = 0;
      reserve(c, h, a, 8);
    };
  }
  return (c) => {
    const h = c.hi[n];
    const a = c.lo[n] >>> 0;
    if (ramOff(c.host.bus, h, a, 16) < 0) checkAddress(c, pc, h, a, 16, false);
    rd64(c, pc, h, a, SCRATCH, 0);
    rd64(c, pc, h, a + 8, SCRATCH, 2);
    c.lo[t] = SCRATCH[0];
    c.hi[t] = SCRATCH[1];
    c.lo[t2] = SCRATCH[2];
    c.hi[t2] = SCRATCH[3];
    reserve(c, h, a, 16);
  };
}

/** STXP/STLXP (same overlap policy as STXR). */
function storeExclusivePair(pc: number, x: boolean, s: number, n: number, t: number, t2: number): Exec {
  if (!x) {
    return (c) => {
      const h = c.hi[n];
      const a = c.lo[n] >>> 0;
      let status = 1;
      if (claim(c, pc, h, a, 8)) {
        wr64(c, pc, h, a, c.lo[t], c.lo[t2]);
        status = 0;
      }
      c.lo[s] = status;
      c.hi[s] = 0;
    };
  }
  return (c) => {
    const h = c.hi[n];
    const a = c.lo[n] >>> 0;
    let status = 1;
    if (claim(c, pc, h, a, 16)) {
      const lo2 = c.lo[t2];
      const hi2 = c.hi[t2];
      watchWhole(c, pc, h, a, 16, true);
      wr64(c, pc, h, a, c.lo[t], c.hi[t]);
      wr64(c, pc, h, a + 8, lo2, hi2);
      status = 0;
    }
    c.lo[s] = status;
    c.hi[s] = 0;
  };
}

/**
 * CAS{A}{L}{B,H}: compare Mem with Rs (low `size` bytes), store Rt if equal; Rs = old value
 * zero-extended. Faults come from the read (WnR = 0, as QEMU; see load-store-atomic.ts).
 */
function compareAndSwap(pc: number, size: number, rs: number, n: number, rt: number): Exec {
  const sd = rdZr(rs);
  if (size === 8) {
    return (c) => {
      const h = c.hi[n];
      const a = c.lo[n] >>> 0;
      const clo = c.lo[rs];
      const chi = c.hi[rs];
      rd64(c, pc, h, a, SCRATCH, 0);
      const olo = SCRATCH[0];
      const ohi = SCRATCH[1];
      if (olo === clo && ohi === chi) wr64(c, pc, h, a, c.lo[rt], c.hi[rt]);
      c.lo[sd] = olo;
      c.hi[sd] = ohi;
    };
  }
  const mask = size === 4 ? -1 : (1 << (size * 8)) - 1;
  return (c) => {
    const h = c.hi[n];
    const a = c.lo[n] >>> 0;
    const cmp = c.lo[rs] & mask;
    const old = rdSized(c, pc, h, a, size);
    if (old === cmp) wrSized(c, pc, h, a, size, c.lo[rt]);
    c.lo[sd] = old;
    c.hi[sd] = 0;
  };
}

/**
 * CASP{A}{L} with W pairs (one 8-byte access) or X pairs (16 bytes, aligned to 16, as QEMU's
 * 128-bit cmpxchg requires). Rs:Rs+1 is compared with memory (first register at the lower
 * address) and receives the old value; Rt:Rt+1 is stored on a match. Rs+1 = 31 is XZR.
 */
function compareAndSwapPair(pc: number, x: boolean, rs: number, n: number, rt: number): Exec {
  const sd = rdZr(rs);
  const sd1 = rdZr(rs + 1);
  const rs1 = rs + 1;
  const rt1 = rt + 1;
  if (!x) {
    return (c) => {
      const h = c.hi[n];
      const a = c.lo[n] >>> 0;
      const c0 = c.lo[rs];
      const c1 = c.lo[rs1];
      rd64(c, pc, h, a, SCRATCH, 0);
      const o0 = SCRATCH[0];
      const o1 = SCRATCH[1];
      if (o0 === c0 && o1 === c1) wr64(c, pc, h, a, c.lo[rt], c.lo[rt1]);
      c.lo[sd] = o0;
      c.hi[sd] = 0;
      c.lo[sd1] = o1;
      c.hi[sd1] = 0;
    };
  }
  return (c) => {
    const h = c.hi[n];
    const a = c.lo[n] >>> 0;
    if (ramOff(c.host.bus, h, a, 16) < 0) checkAddress(c, pc, h, a, 16, false);
    const c0 = c.lo[rs];
    const c1 = c.hi[rs];
    const c2 = c.lo[rs1];
    const c3 = c.hi[rs1];
    rd64(c, pc, h, a, SCRATCH, 0);
    rd64(c, pc, h, a + 8, SCRATCH, 2);
    const o0 = SCRATCH[0];
    const o1 = SCRATCH[1];
    const o2 = SCRATCH[2];
    const o3 = SCRATCH[3];
    if (o0 === c0 && o1 === c1 && o2 === c2 && o3 === c3) {
      const n2 = c.lo[rt1];
      const n3 = c.hi[rt1];
      watchWhole(c, pc, h, a, 16, true);
      wr64(c, pc, h, a, c.lo[rt], c.hi[rt]);
      wr64(c, pc, h, a + 8, n2, n3);
    }
    c.lo[sd] = o0;
    c.hi[sd] = o1;
    c.lo[sd1] = o2;
    c.hi[sd1] = o3;
  };
}

/**
 * Whether a word of the exclusive group (bits [29:24] = 001000, V = 0) is executed: false for
 * the LOR forms (LDLAR/STLLR), should-be-one violations (Rs of loads and ordered stores, Rt2
 * of non-pair forms), CAS/CASP with Rt2 != 31, odd CASP registers, and LDXP/LDAXP with
 * Rt == Rt2 (CONSTRAINED UNPREDICTABLE; capstone rejects it; we pick UNDEFINED). Shared with
 * the disassembler.
 */
export function exclusiveAllocated(insn: number): boolean {
  const sizeField = insn >>> 30;
  const o2 = (insn >>> 23) & 1;
  const load = ((insn >>> 22) & 1) === 1;
  const o1 = (insn >>> 21) & 1;
  const rs = (insn >>> 16) & 31;
  const o0 = (insn >>> 15) & 1;
  const rt2 = (insn >>> 10) & 31;
  const rt = insn & 31;
  if (o2 === 0 && o1 === 0) return rt2 === 31 && (!load || rs === 31); // LDXR/STXR family
  if (o2 === 0) {
    if (sizeField >= 2) return !load || (rs === 31 && rt !== rt2); // LDXP/STXP family
    return rt2 === 31 && (rs & 1) === 0 && (rt & 1) === 0; // CASP family
  }
  if (o1 === 0) return o0 === 1 && rs === 31 && rt2 === 31; // LDAR/STLR (o0 = 0: LOR)
  return rt2 === 31; // CAS family
}

/**
 * Decode bits [29:24] = 001000 (V = 0).
 * @returns undefined when {@link exclusiveAllocated} is false
 */
export function decodeExclusive(insn: number, pc: number): Exec | undefined {
  if (!exclusiveAllocated(insn)) return undefined;
  const sizeField = insn >>> 30;
  const size = 1 << sizeField;
  const o2 = (insn >>> 23) & 1;
  const load = ((insn >>> 22) & 1) === 1;
  const o1 = (insn >>> 21) & 1;
  const rs = (insn >>> 16) & 31;
  const rt2 = (insn >>> 10) & 31;
  const rn = (insn >>> 5) & 31;
  const rt = insn & 31;
  const n = rSp(rn);

  if (o2 === 0 && o1 === 0) {
    // LDXR/LDAXR, STXR/STLXR
    if (load) return loadExclusive(pc, size, n, rdZr(rt));
    return storeExclusive(pc, size, rdZr(rs), n, rt);
  }
  if (o2 === 0) {
    if (sizeField >= 2) {
      const x = sizeField === 3;
      if (load) return loadExclusivePair(pc, x, n, rdZr(rt), rdZr(rt2));
      return storeExclusivePair(pc, x, rdZr(rs), n, rt, rt2);
    }
    // CASP family: size<1> = 0, sz = size<0>
    return compareAndSwapPair(pc, sizeField === 1, rs, n, rt);
  }
  // LDAR/STLR (o0 = 1); LDLAR/STLLR (o0 = 0, FEAT_LOR) are rejected above.
  if (o1 === 0) return singleAccess(pc, offsetAddressing(n, 0), size, load, false, false, rt);
  // CAS family
  return compareAndSwap(pc, size, rs, n, rt);
}
