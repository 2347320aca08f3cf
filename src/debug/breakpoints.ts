import type { MachinePort } from './machine-port';

/** `brk #0x400`, KGDB_DYN_DBG_BRK_IMM: the word kgdb writes for a gdb breakpoint (arch/arm64/include/asm/kgdb.h). */
export const KGDB_DYN_BRK = 0xd4208000;
/** `brk #0x401`, KGDB_COMPILED_DBG_BRK_IMM: kgdb_breakpoint(). */
export const KGDB_COMPILED_BRK = 0xd4208020;
/** Table size, as Linux's KGDB_MAX_BREAKPOINTS. */
export const MAX_BREAKPOINTS = 1000;

/** Why a breakpoint operation failed, as kgdb's errno (gdbstub error_packet). */
export class BreakpointError extends Error {
  constructor(
    message: string,
    /** Linux errno: EEXIST 17, E2BIG 7, ENOENT 2, EFAULT 14. */
    readonly errno: number,
  ) {
    super(message);
  }
}

/**
 * The software breakpoint table of kernel/debug/debug_core.c (dbg_set_sw_break,
 * dbg_deactivate_sw_breakpoints, dbg_activate_sw_breakpoints): gdb's Z0 records an
 * address; the `brk #0x400` words are written into memory only while the machine runs
 * and removed while it is stopped, so gdb never sees them.
 */
export class SoftwareBreakpoints {
  /** address → original instruction word (when inserted). */
  private readonly table = new Map<number, number | undefined>();
  private active = false;

  constructor(private readonly port: MachinePort) {}

  /**
   * Record a breakpoint at `addr` (4-byte aligned RAM).
   * @throws BreakpointError errno 7 (E2BIG, as kgdb's dbg_set_sw_break) when the table holds
   *   MAX_BREAKPOINTS already; 14 (EFAULT) when `addr` is not aligned RAM
   */
  add(addr: number): void {
    if (this.table.has(addr)) return; // gdb re-sends Z0 for an existing one; treat as success
    if (this.table.size >= MAX_BREAKPOINTS) throw new BreakpointError(`breakpoint table full (${MAX_BREAKPOINTS})`, 7);
    if (addr % 4 !== 0) throw new BreakpointError(`0x${addr.toString(16)} is not 4-byte aligned: A64 instructions are`, 14);
    if (!this.writable(addr)) throw new BreakpointError(`no RAM at 0x${addr.toString(16)} to put a breakpoint in`, 14);
    this.table.set(addr, undefined);
    if (this.active) this.insert(addr);
  }

  /** @throws BreakpointError when there is none at `addr` */
  remove(addr: number): void {
    if (!this.table.has(addr)) throw new BreakpointError(`no breakpoint at 0x${addr.toString(16)}`, 2);
    if (this.active) this.restore(addr);
    this.table.delete(addr);
  }

  has(addr: number): boolean {
    return this.table.has(addr);
  }

  get count(): number {
    return this.table.size;
  }

  /** Write the brk words (on resume). */
  activate(): void {
    if (this.active) return;
    this.active = true;
    for (const addr of this.table.keys()) this.insert(addr);
  }

  /** Put the original words back (on entry to the debugger). */
  deactivate(): void {
    if (!this.active) return;
    for (const addr of this.table.keys()) this.restore(addr);
    this.active = false;
  }

  /**
   * Forget every breakpoint (D, k, a dropped connection). Linux's gdb_cmd_status also clears
   * them on `?`, for a gdb reconnecting; gdb sends `?` only when it connects, and here the
   * old connection's end has cleared them already.
   */
  clear(): void {
    this.deactivate();
    this.table.clear();
  }

  /**
   * Can a breakpoint live at `addr`: 4-byte aligned, below 2^48 (numbers above lose
   * precision) and in RAM (flash reads but cannot take a `brk`)? Checked by writing the
   * word back unchanged.
   */
  private writable(addr: number): boolean {
    if (!Number.isSafeInteger(addr) || addr < 0 || addr >= 2 ** 48 || addr % 4 !== 0) return false;
    const word = this.port.readMemory(addr, 4);
    return word !== undefined && this.port.writeMemory(addr, word);
  }

  private insert(addr: number): void {
    const b = this.port.readMemory(addr, 4);
    if (!b) return;
    this.table.set(addr, new DataView(b.buffer, b.byteOffset).getUint32(0, true));
    this.port.writeMemory(addr, le32(KGDB_DYN_BRK));
  }

  private restore(addr: number): void {
    const orig = this.table.get(addr);
    if (orig !== undefined) this.port.writeMemory(addr, le32(orig));
    this.table.set(addr, undefined);
  }
}

function le32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}
