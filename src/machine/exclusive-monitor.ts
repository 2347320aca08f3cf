import type { Bus } from './bus';
import { PAGE_EXCLUSIVE } from './bus';
import type { Cpu } from './cpu/cpu';

/**
 * The global exclusive monitor shared by all CPUs of a machine (ARM ARM B2.9 "Synchronization
 * and semaphores": exclusive access to Shareable locations, marking and the size of the marked
 * block; WFE wake-up events: "Wait for Event mechanism and Send event").
 *
 * Each CPU holds at most one reservation: `Cpu.exclAddr` is the reserved 64-byte granule
 * (Cortex-A57 Exclusives Reservation Granule = 16 words) or -1, and it is the single source of
 * truth — CLREX, exception entry and ERET clear it directly without telling the monitor. The
 * monitor keeps a short list of CPUs that may hold a RAM reservation and sets PAGE_EXCLUSIVE
 * on their pages, so that every store to such a page reaches {@link onStore} through
 * Bus.storeHook → Bus.onExclusiveWrite. Stale list entries (reservations dropped behind the
 * monitor's back) are pruned there, and a page's flag is cleared once no reservation is left
 * on it, so steady-state cost is zero allocation and O(holders) per flagged store.
 *
 * Policy choices (IMPLEMENTATION DEFINED in the ARM ARM):
 * - A plain store by a CPU to the granule it has reserved does not clear its own reservation
 *   (only other CPUs' reservations are cleared).
 * - Clearing another CPU's reservation is a global-monitor Exclusive→Open transition, which
 *   generates a WFE wake-up event for that CPU: its `event` is set and `host.wake(cpu)` is
 *   called. This is how an unlock done with a plain STLR (no SEV) wakes a waiter parked in WFE
 *   after LDAXR, as Linux's arm64 spinlocks and smp_cond_load_acquire() expect.
 * - Reservations on non-RAM (MMIO) addresses are recorded on the CPU but never cleared by
 *   other CPUs' stores, since device writes bypass the RAM store hook.
 */
export class ExclusiveMonitor {
  /** CPUs that may hold a RAM reservation (a superset; pruned lazily). */
  private readonly holders: Cpu[] = [];

  /**
   * @param bus the machine's bus; the constructor wires `bus.onExclusiveWrite` to
   *        {@link onStore} (the machine may wire it again to the same effect)
   * @param cpus all CPUs of the machine, or a getter for them (used by {@link clearAll})
   */
  constructor(
    private readonly bus: Bus,
    private readonly cpus: readonly Cpu[] | (() => readonly Cpu[]),
  ) {
    bus.onExclusiveWrite = (addr, cpu) => this.onStore(addr, cpu);
  }

  /**
   * A CPU took a reservation (LDXR/LDAXR/LDXP/LDAXP). The load/store decoder has already set
   * c.exclAddr = granuleAddr and c.exclSize; this records the CPU and flags the RAM page.
   * @param granuleAddr physical address of the 64-byte granule (a multiple of 64)
   */
  reserve(c: Cpu, granuleAddr: number): void {
    c.exclAddr = granuleAddr;
    const off = granuleAddr - this.bus.ramBase;
    if (off < 0 || off >= this.bus.ramSize) return;
    this.bus.pageFlags[off >>> 12] |= PAGE_EXCLUSIVE;
    if (this.holders.indexOf(c) < 0) this.holders.push(c);
  }

  /**
   * A store reached a PAGE_EXCLUSIVE page (any store: plain, STXR, STLR, LSE atomic, or a
   * slow-path RAM store). Clears every other CPU's reservation on the granule containing
   * `addr`, signalling a WFE event to each one cleared, and drops the page flag when no
   * reservation remains on the page.
   * @param addr physical byte address of the store (in RAM)
   * @param storingCpu index of the storing CPU (Cpu.index; any non-CPU index clears everyone)
   */
  onStore(addr: number, storingCpu: number): void {
    const granule = addr - (addr % 64);
    const base = this.bus.ramBase;
    const page = Math.floor((addr - base) / 4096);
    const holders = this.holders;
    let pageHeld = false;
    let i = 0;
    while (i < holders.length) {
      const h = holders[i];
      if (h.exclAddr === granule && h.index !== storingCpu) {
        h.exclAddr = -1;
        h.event = true;
        h.host.wake(h);
      }
      const held = h.exclAddr;
      if (held < base || held >= base + this.bus.ramSize) {
        // Open (or moved to MMIO): forget it. Order does not matter, so swap-remove.
        holders[i] = holders[holders.length - 1];
        holders.pop();
        continue;
      }
      if (Math.floor((held - base) / 4096) === page) pageHeld = true;
      i++;
    }
    if (!pageHeld) this.bus.pageFlags[page] &= ~PAGE_EXCLUSIVE;
  }

  /** Clear CPU c's reservation (CLREX-like), unflagging its page if nobody else holds one there. */
  clear(c: Cpu): void {
    const held = c.exclAddr;
    c.exclAddr = -1;
    const k = this.holders.indexOf(c);
    if (k >= 0) {
      this.holders[k] = this.holders[this.holders.length - 1];
      this.holders.pop();
    }
    const off = held - this.bus.ramBase;
    if (held < 0 || off < 0 || off >= this.bus.ramSize) return;
    const page = off >>> 12;
    for (const h of this.holders) {
      const o = h.exclAddr - this.bus.ramBase;
      if (h.exclAddr >= 0 && o >= 0 && o < this.bus.ramSize && o >>> 12 === page) return;
    }
    this.bus.pageFlags[page] &= ~PAGE_EXCLUSIVE;
  }

  /** Clear every CPU's reservation and every PAGE_EXCLUSIVE flag (machine reset). */
  clearAll(): void {
    const cpus = typeof this.cpus === 'function' ? this.cpus() : this.cpus;
    for (const c of cpus) c.exclAddr = -1;
    this.holders.length = 0;
    const flags = this.bus.pageFlags;
    for (let p = 0; p < flags.length; p++) flags[p] &= ~PAGE_EXCLUSIVE;
  }

  /** Indices of the CPUs currently holding a reservation on the granule containing `addr` (debugger, tests). */
  holdersOf(addr: number): number[] {
    const granule = addr - (addr % 64);
    const cpus = typeof this.cpus === 'function' ? this.cpus() : this.cpus;
    return cpus.filter((c) => c.exclAddr === granule).map((c) => c.index);
  }
}
