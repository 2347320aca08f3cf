import type { MachinePort, WatchKind } from './machine-port';
import { BreakpointError } from './breakpoints';

/**
 * Watchpoints gdb may have at once: 4, the watchpoint register pairs of a Cortex-A57
 * (DBGWVR<n>_EL1/DBGWCR<n>_EL1; ID_AA64DFR0_EL1.WRPs = 3), QEMU's `-cpu cortex-a57`.
 * gdb cannot ask a remote target for this number; with more, the insert fails (`E..`) and
 * gdb says it could not insert the watchpoint (`set remote hardware-watchpoint-limit 4`
 * makes gdb refuse up front).
 */
export const MAX_WATCHPOINTS = 4;

interface Entry {
  addr: number;
  len: number;
  kind: WatchKind;
}

/**
 * gdb's hardware watchpoints (Z2 write, Z3 read, Z4 access) for the kgdb debug core. Like
 * kgdb's hardware breakpoints (arch_kgdb_ops.disable_hw_break on debugger entry,
 * correct_hw_break on exit, kernel/debug/debug_core.c), they are in the machine only while
 * it runs, so CPUs that keep running while the debugger is stopped (never rounded up) do
 * not hit them; gdb's own view is the table.
 */
export class HardwareWatchpoints {
  private readonly table: Entry[] = [];
  private active = false;

  constructor(private readonly port: MachinePort) {}

  /**
   * Record a watchpoint on bytes [addr, addr + len).
   * @throws BreakpointError ENOSPC (28) when MAX_WATCHPOINTS are set, EFAULT (14) when any
   *   byte is not RAM, EINVAL (22) for an empty range
   */
  add(addr: number, len: number, kind: WatchKind): void {
    if (this.find(addr, len, kind) >= 0) return; // gdb re-sends Z2..Z4 for one it has; success
    if (len <= 0) throw new BreakpointError(`watchpoint length ${len} out of range`, 22);
    if (this.table.length >= MAX_WATCHPOINTS) throw new BreakpointError(`all ${MAX_WATCHPOINTS} hardware watchpoints are in use`, 28);
    if (!this.port.addWatchpoint(addr, len, kind)) {
      throw new BreakpointError(`cannot watch 0x${addr.toString(16)}+${len}: not RAM`, 14);
    }
    // Probed by adding it: keep it in the machine only while running.
    if (!this.active) this.port.removeWatchpoint(addr, len, kind);
    this.table.push({ addr, len, kind });
  }

  /** @throws BreakpointError ENOENT (2) when there is no such watchpoint */
  remove(addr: number, len: number, kind: WatchKind): void {
    const i = this.find(addr, len, kind);
    if (i < 0) throw new BreakpointError(`no ${kind} watchpoint at 0x${addr.toString(16)}+${len}`, 2);
    if (this.active) this.port.removeWatchpoint(addr, len, kind);
    this.table.splice(i, 1);
  }

  get count(): number {
    return this.table.length;
  }

  /** Put every watchpoint into the machine (on resume). */
  activate(): void {
    if (this.active) return;
    this.active = true;
    for (const e of this.table) this.port.addWatchpoint(e.addr, e.len, e.kind);
  }

  /** Take them out (on entry to the debugger). */
  deactivate(): void {
    if (!this.active) return;
    for (const e of this.table) this.port.removeWatchpoint(e.addr, e.len, e.kind);
    this.active = false;
  }

  /** Forget every watchpoint (D, k, a dropped connection). */
  clear(): void {
    this.deactivate();
    this.table.length = 0;
  }

  private find(addr: number, len: number, kind: WatchKind): number {
    return this.table.findIndex((e) => e.addr === addr && e.len === len && e.kind === kind);
  }
}
