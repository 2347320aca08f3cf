/**
 * Debugger data watchpoints of the machine, as QEMU's gdbstub keeps them (one list for
 * every CPU, softmmu/watchpoint.c): a watched RAM page has Bus PAGE_WATCH set, so every
 * data access to it leaves the RAM fast path (load-store-access.ts ramOff) and reaches
 * Cpu.loadSlow/storeSlow, which ask {@link DataWatchpoints.match} before the access.
 *
 * A hit stops the accessing CPU *before* the access, with its pc at the instruction, as an
 * AArch64 hardware watchpoint does (ARM ARM D2.10 "Watchpoint exceptions": the exception is
 * taken before the access, ELR = the instruction; gdb's aarch64 target therefore treats
 * watchpoints as non-steppable and single-steps the instruction with them removed).
 * Addresses are physical bytes (the MMU is off); lengths are bytes.
 */
import { PAGE_WATCH } from './bus';

/** Which accesses a watchpoint catches (gdb: watch / rwatch / awatch; RSP Z2 / Z3 / Z4). */
export type WatchKind = 'write' | 'read' | 'access';

/** One watchpoint: bytes [addr, addr + len). */
export interface Watchpoint {
  addr: number;
  len: number;
  kind: WatchKind;
}

/** A data access that hit a watchpoint. */
export interface WatchHit {
  /** The CPU that made the access (it is held, pc at the accessing instruction). */
  cpu: number;
  /** Address of that instruction. */
  pc: number;
  /** The watchpoint hit (the first in insertion order that the access overlaps). */
  watch: Watchpoint;
  /**
   * The first watched byte the access touched: max(access address, watch address), the
   * `hitaddr` QEMU computes; always inside the watchpoint, so gdb finds it.
   */
  addr: number;
  /** The access itself: address, size in bytes, store or load. */
  accessAddr: number;
  size: number;
  write: boolean;
}

/**
 * The machine's watchpoint list. Exact byte-range overlap with the access, and the access
 * kind against the watch kind: a store hits `write` and `access`, a load `read` and
 * `access`. Atomic read-modify-writes (LDADD…, SWP, CAS) load then store, so a `read`
 * watchpoint stops them at the load and a `write` one at the store, before memory changes.
 */
export class DataWatchpoints {
  private readonly list: Watchpoint[] = [];
  /** Called with every hit, after the CPU has been held. */
  onHit: (hit: WatchHit) => void = () => {};

  /**
   * @param pageFlags Bus.pageFlags (one byte per 4 KiB RAM page)
   * @param ramBase physical address of RAM byte 0
   */
  constructor(
    private readonly pageFlags: Uint8Array,
    private readonly ramBase: number,
  ) {}

  get count(): number {
    return this.list.length;
  }

  /** Add a watchpoint (the caller checked that [addr, addr + len) is RAM). */
  add(w: Watchpoint): void {
    this.list.push({ ...w });
    this.flagPages(w, true);
  }

  /** Remove one watchpoint equal to `w`. @returns false when there is none */
  remove(w: Watchpoint): boolean {
    const i = this.list.findIndex((x) => x.addr === w.addr && x.len === w.len && x.kind === w.kind);
    if (i < 0) return false;
    this.list.splice(i, 1);
    this.flagPages(w, false);
    for (const x of this.list) this.flagPages(x, true); // pages shared with the others stay flagged
    return true;
  }

  /**
   * The watchpoint an access of `size` bytes at `addr` hits, or undefined.
   * @param write a store (else a load)
   */
  match(addr: number, size: number, write: boolean): Watchpoint | undefined {
    for (const w of this.list) {
      if (addr < w.addr + w.len && w.addr < addr + size && (w.kind === 'access' || (w.kind === 'write') === write)) return w;
    }
    return undefined;
  }

  private flagPages(w: Watchpoint, on: boolean): void {
    const first = (w.addr - this.ramBase) >>> 12;
    const last = (w.addr + w.len - 1 - this.ramBase) >>> 12;
    for (let p = first; p <= last && p < this.pageFlags.length; p++) {
      if (on) this.pageFlags[p] |= PAGE_WATCH;
      else this.pageFlags[p] &= ~PAGE_WATCH;
    }
  }
}
