import { PAGE_WATCH, type Bus } from '../bus';
import type { Cpu } from './cpu';
import { TWO32 } from './exec';
import { DFSC_ALIGNMENT, EC_DATA_ABORT_SAME_EL } from './exception';

/**
 * Data-access primitives shared by the A64 load/store decoders (load-store-*.ts).
 *
 * Address convention: an access address is passed as a pair (hi, a). `hi` is an int32 high
 * word and `a` is a JS number holding the low word *plus a small signed offset* (it may be
 * negative or >= 2^32); the architectural 64-bit address is (hi·2^32 + a) mod 2^64. Decoders
 * pass the base register's `hi[n]` and `(lo[n] >>> 0) + offset`, so the fast path needs no
 * carry handling: with hi === 0 the number `a` is the address itself, and anything else is
 * normalised on the slow path.
 *
 * Memory model: the MMU is off, so every data access is to Device-nGnRnE memory and must be
 * naturally aligned for its size, otherwise an alignment fault (DFSC 0x21) is taken (ARM ARM
 * "Alignment support" and "Device memory"). The RAM fast path indexes Bus.ram/ram16/ram32
 * directly; everything else goes through Cpu.loadSlow/storeSlow.
 * Every RAM store checks Bus.pageFlags and calls Bus.storeHook (decoded-code invalidation,
 * exclusive-monitor clearing).
 *
 * Not modelled: SP alignment checking (SCTLR_EL1.SA), which QEMU also omits "for the sake of
 * guest program performance" (target/arm/tcg/translate-a64.c gen_check_sp_alignment); and
 * top-byte-ignore (TCR_EL1.TBI resets to 0 and the MMU is off).
 */

/**
 * Physical address size: 44 bits, ID_AA64MMFR0_EL1.PARange = 0b0100 as on QEMU's cortex-a57.
 * With stage 1 translation off an address with any bit set at or above this is an Address
 * size fault, level 0 (ARM ARM AArch64.TranslateAddressS1Off; QEMU target/arm/ptw.c
 * get_phys_addr_disabled). Measured on QEMU 7.2 -cpu cortex-a57: loads at 2^32 and 2^44 - 8
 * take external aborts (DFSC 0x10), at 2^44 and above address-size faults (DFSC 0), and an
 * unaligned high address the alignment fault. Expressed as the first out-of-range high word.
 */
export const PA_LIMIT_HI = 1 << (44 - 32);

/** DFSC for an Address size fault at level 0 (ARM ARM ESR_ELx ISS encoding for data aborts). */
export const DFSC_ADDRESS_SIZE_L0 = 0x00;

/** Scratch for 64-bit values read by rd64 and friends: [lo, hi, lo2, hi2]; consumed at once, never retained. */
export const SCRATCH = new Int32Array(4);

/**
 * The RAM byte offset for an access of `size` bytes at (hi, a), or -1 when the fast path
 * does not apply (not RAM, unaligned, a high word that needs normalising, or a page under a
 * debugger watchpoint: Bus PAGE_WATCH). Every engine's RAM access goes through this check,
 * so the slow path sees every access a watchpoint must see.
 * Aligned accesses never straddle the end of RAM because ramSize is a multiple of 4 KiB.
 */
export function ramOff(bus: Bus, hi: number, a: number, size: number): number {
  const off = a - bus.ramBase;
  return hi === 0 && off >= 0 && off < bus.ramSize && (off & (size - 1)) === 0 && (bus.pageFlags[off >>> 12] & PAGE_WATCH) === 0 ? off : -1;
}

/**
 * Take a data abort at the full 64-bit address hi:lo (FAR_EL1 exact even above 2^53).
 * @param dfsc DFSC_ALIGNMENT, DFSC_EXTERNAL or DFSC_ADDRESS_SIZE_L0
 * @param write ISS.WnR
 * @throws GUEST_EXCEPTION always (via Cpu.raiseSync)
 */
export function abortAt(c: Cpu, pc: number, hi: number, lo: number, dfsc: number, write: boolean): never {
  const h = hi >>> 0;
  if (h < 0x200000) return c.raiseDataAbort(pc, h * TWO32 + lo, dfsc, write);
  c.far = (BigInt(h) << 32n) | BigInt(lo >>> 0);
  return c.raiseSync(pc, EC_DATA_ABORT_SAME_EL, (write ? 1 << 6 : 0) | dfsc);
}

/**
 * Normalise (hi, a) into a physical address for the slow path, taking the faults that do not
 * depend on what is mapped there: alignment first, then the address-size fault.
 * (For plain Device accesses the ARM ARM orders the address-size fault before the alignment
 * fault; we always check alignment first, which only differs for addresses >= 2^44.)
 * @returns the physical address as a number (< 2^44, so exact)
 * @throws GUEST_EXCEPTION on a fault
 */
export function resolve(c: Cpu, pc: number, hi: number, a: number, size: number, write: boolean): number {
  const lo = a >>> 0;
  const h = (hi + Math.floor(a / TWO32)) | 0;
  if ((lo & (size - 1)) !== 0) abortAt(c, pc, h, lo, DFSC_ALIGNMENT, write);
  if (h >>> 0 >= PA_LIMIT_HI) abortAt(c, pc, h, lo, DFSC_ADDRESS_SIZE_L0, write);
  return (h >>> 0) * TWO32 + lo;
}

/** Fault check only: raise the alignment or address-size fault an access would take. */
export function checkAddress(c: Cpu, pc: number, hi: number, a: number, size: number, write: boolean): void {
  resolve(c, pc, hi, a, size, write);
}

/**
 * Slow load of 1, 2 or 4 bytes (MMIO, high addresses, faults).
 * @returns the value zero-extended (size 4: as an int32, the bit pattern of the word)
 */
export function slowLoad(c: Cpu, pc: number, hi: number, a: number, size: number): number {
  const p = resolve(c, pc, hi, a, size, false);
  return c.loadSlow(pc, p, size) | 0;
}

/**
 * A doubleword on a watched page is checked as one 8-byte access before its two 4-byte
 * halves are made: a watchpoint on the high half must stop the store before the low half
 * is written, and the hit reports the access as the instruction made it.
 */
function watch8(c: Cpu, pc: number, p: number, write: boolean): void {
  const bus = c.host.bus;
  if (bus.isRam(p, 8) && bus.pageFlags[(p - bus.ramBase) >>> 12] & PAGE_WATCH) c.checkWatch(pc, p, 8, write);
}

/**
 * Check a single-copy-atomic access wider than 8 bytes (STXP/CASP of X pairs, 16 bytes) as
 * one access against the debugger's watchpoints before its halves are written, so a hit on
 * the upper half does not leave the lower half stored. No-op off watched pages.
 * @throws GUEST_EXCEPTION on a hit (Cpu.checkWatch)
 */
export function watchWhole(c: Cpu, pc: number, hi: number, a: number, size: number, write: boolean): void {
  const bus = c.host.bus;
  const p = addrNumber(hi, a);
  if (bus.isRam(p, size) && bus.pageFlags[(p - bus.ramBase) >>> 12] & PAGE_WATCH) c.checkWatch(pc, p, size, write);
}

/** Slow 8-byte load into out[i] (low word) and out[i+1]; MMIO is read as two 4-byte accesses, low word first. */
export function slowLoad64(c: Cpu, pc: number, hi: number, a: number, out: Int32Array, i: number): void {
  const p = resolve(c, pc, hi, a, 8, false);
  watch8(c, pc, p, false);
  const lo = c.loadSlow(pc, p, 4);
  const h = c.loadSlow(pc, p + 4, 4);
  out[i] = lo;
  out[i + 1] = h;
}

/** Slow store of 1, 2 or 4 bytes (low bits of v; devices see only those bits). */
export function slowStore(c: Cpu, pc: number, hi: number, a: number, size: number, v: number): void {
  const p = resolve(c, pc, hi, a, size, true);
  c.storeSlow(pc, p, size, size === 4 ? v : v & ((1 << (size * 8)) - 1));
}

/** Slow 8-byte store; MMIO gets two 4-byte writes, low word first. */
export function slowStore64(c: Cpu, pc: number, hi: number, a: number, vlo: number, vhi: number): void {
  const p = resolve(c, pc, hi, a, 8, true);
  watch8(c, pc, p, true);
  c.storeSlow(pc, p, 4, vlo);
  c.storeSlow(pc, p + 4, 4, vhi);
}

// ---- fast-path readers: RAM inline, everything else on the slow path ----

/** Load a byte at (hi, a). @returns 0..255 */
export function rd8(c: Cpu, pc: number, hi: number, a: number): number {
  const bus = c.host.bus;
  const off = ramOff(bus, hi, a, 1);
  return off >= 0 ? bus.ram[off] : slowLoad(c, pc, hi, a, 1);
}

/** Load a halfword. @returns 0..65535 */
export function rd16(c: Cpu, pc: number, hi: number, a: number): number {
  const bus = c.host.bus;
  const off = ramOff(bus, hi, a, 2);
  return off >= 0 ? bus.ram16[off >>> 1] : slowLoad(c, pc, hi, a, 2);
}

/** Load a word. @returns the word as an int32 */
export function rd32(c: Cpu, pc: number, hi: number, a: number): number {
  const bus = c.host.bus;
  const off = ramOff(bus, hi, a, 4);
  return off >= 0 ? bus.ram32[off >>> 2] : slowLoad(c, pc, hi, a, 4);
}

/** Load a doubleword into out[i] (low word), out[i+1] (high word). */
export function rd64(c: Cpu, pc: number, hi: number, a: number, out: Int32Array, i: number): void {
  const bus = c.host.bus;
  const off = ramOff(bus, hi, a, 8);
  if (off >= 0) {
    const r32 = bus.ram32;
    const w = off >>> 2;
    out[i] = r32[w];
    out[i + 1] = r32[w + 1];
    return;
  }
  slowLoad64(c, pc, hi, a, out, i);
}

// ---- fast-path writers ----

/** Store the low byte of v. */
export function wr8(c: Cpu, pc: number, hi: number, a: number, v: number): void {
  const bus = c.host.bus;
  const off = ramOff(bus, hi, a, 1);
  if (off < 0) return slowStore(c, pc, hi, a, 1, v);
  bus.ram[off] = v;
  if (bus.pageFlags[off >>> 12] !== 0) bus.storeHook(off, c.index);
}

/** Store the low halfword of v. */
export function wr16(c: Cpu, pc: number, hi: number, a: number, v: number): void {
  const bus = c.host.bus;
  const off = ramOff(bus, hi, a, 2);
  if (off < 0) return slowStore(c, pc, hi, a, 2, v);
  bus.ram16[off >>> 1] = v;
  if (bus.pageFlags[off >>> 12] !== 0) bus.storeHook(off, c.index);
}

/** Store the word v. */
export function wr32(c: Cpu, pc: number, hi: number, a: number, v: number): void {
  const bus = c.host.bus;
  const off = ramOff(bus, hi, a, 4);
  if (off < 0) return slowStore(c, pc, hi, a, 4, v);
  bus.ram32[off >>> 2] = v;
  if (bus.pageFlags[off >>> 12] !== 0) bus.storeHook(off, c.index);
}

/** Store the doubleword vhi:vlo. */
export function wr64(c: Cpu, pc: number, hi: number, a: number, vlo: number, vhi: number): void {
  const bus = c.host.bus;
  const off = ramOff(bus, hi, a, 8);
  if (off < 0) return slowStore64(c, pc, hi, a, vlo, vhi);
  const w = off >>> 2;
  bus.ram32[w] = vlo;
  bus.ram32[w + 1] = vhi;
  if (bus.pageFlags[off >>> 12] !== 0) bus.storeHook(off, c.index);
}

/**
 * Base-register write-back of (hi, a) into slot n (SP allowed). `a` must be within 2^32 of
 * the low word, which holds for every immediate offset (|imm| <= 4096·8).
 */
export function writeBack(c: Cpu, n: number, hi: number, a: number): void {
  c.lo[n] = a;
  c.hi[n] = a >= TWO32 ? hi + 1 : a < 0 ? hi - 1 : hi;
}

/** The 64-bit address (hi, a) as a JS number for reservation bookkeeping (exact below 2^53). */
export function addrNumber(hi: number, a: number): number {
  return ((hi + Math.floor(a / TWO32)) >>> 0) * TWO32 + (a >>> 0);
}
