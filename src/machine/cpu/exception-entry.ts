import type { Cpu } from './cpu';
import {
  DFSC_ALIGNMENT,
  EC_BRK,
  EC_DATA_ABORT_SAME_EL,
  EC_ILLEGAL_STATE,
  EC_INSN_ABORT_SAME_EL,
  EC_PC_ALIGNMENT,
  EC_SP_ALIGNMENT,
  EC_SYSREG,
  EC_UNKNOWN,
  VECTOR_SYNC,
} from './exception';

/**
 * Synchronous exceptions seen at the moment they are raised, before the CPU enters its
 * vector: what they are, and whether the guest's vectors can take them at all. This is the
 * machine's part of reporting guest faults to a debugger (a hardware probe's "vector
 * catch"): the debug core decides what to do (src/debug/guest-faults.ts); without a
 * debugger nothing here changes how an exception is taken.
 *
 * An exception "cannot be taken" (its vectors are unusable) when, checked in this order:
 * - the vector it would enter (VBAR_EL1 + offset, ARM ARM D1.10.2) is not executable memory:
 *   the fetch would abort, and that abort would vector to the same place again, forever;
 * - the fault (other than a BRK) comes within {@link ENTRY_WINDOW} instructions of the
 *   CPU's previous exception entry, with no ERET since: the handler's own entry code faulted, typically while
 *   storing the registers on a stack pointer that is misaligned or has run off into
 *   unassigned memory, and every retry would fault the same way (Linux calls these "kernel
 *   stack overflow" and handles them with a dedicated overflow stack, which the bundled
 *   guest lacks); this includes a vector whose first instruction faults (VBAR_EL1 pointing
 *   at memory that is not a vector table, e.g. zeros, which are UDF).
 * The window can misjudge a handler that faults early on purpose and recovers (none of the
 * bundled guest's do); such a fault is then reported from outside rather than through the
 * guest's kgdb, still with its signal.
 */

/** Instructions after an exception entry within which a new fault means the entry code itself faulted. */
export const ENTRY_WINDOW = 64;

/** What kind of fault an ESR_EL1 syndrome describes. */
export type FaultKind =
  | 'undefined-instruction'
  | 'illegal-state'
  | 'sysreg-trap'
  | 'breakpoint'
  | 'instruction-abort'
  | 'data-abort'
  | 'alignment'
  | 'pc-alignment'
  | 'sp-alignment';

/** A synchronous exception being raised, as a debugger sees it. */
export interface SyncFault {
  kind: FaultKind;
  /** Address of the faulting instruction (bytes); the CPU's pc when it is caught. */
  pc: number;
  /** ESR_EL1 the exception would set. */
  esr: number;
  /** FAR_EL1 (the faulting data or instruction address) for aborts and PC alignment. */
  far: number | undefined;
  /** Why the guest's vectors cannot take it, or undefined when they look usable. */
  unusable: string | undefined;
  /** One line for humans, e.g. "data abort at 0x40201000 (load from 0x30000000)". */
  description: string;
}

/**
 * The fault kind of an exception class, or undefined for exceptions that are not faults
 * (SVC, HVC, SMC, WFx traps: calls the guest makes on purpose).
 */
export function faultKind(esr: number): FaultKind | undefined {
  const ec = esr >>> 26;
  const fsc = esr & 0x3f;
  switch (ec) {
    case EC_UNKNOWN:
      return 'undefined-instruction';
    case EC_ILLEGAL_STATE:
      return 'illegal-state';
    case EC_SYSREG:
      return 'sysreg-trap';
    case EC_BRK:
      return 'breakpoint';
    case EC_INSN_ABORT_SAME_EL:
      return fsc === DFSC_ALIGNMENT ? 'alignment' : 'instruction-abort';
    case EC_DATA_ABORT_SAME_EL:
      return fsc === DFSC_ALIGNMENT ? 'alignment' : 'data-abort';
    case EC_PC_ALIGNMENT:
      return 'pc-alignment';
    case EC_SP_ALIGNMENT:
      return 'sp-alignment';
    default:
      return undefined;
  }
}

const hex = (n: number | bigint): string => `0x${n.toString(16)}`;

/** One line for a fault, e.g. "undefined instruction at 0x40201234 (ESR_EL1 0x2000000)". */
function describe(kind: FaultKind, pc: number, esr: number, far: number | undefined): string {
  const write = (esr & (1 << 6)) !== 0;
  const at = `at ${hex(pc)}`;
  switch (kind) {
    case 'undefined-instruction':
      return `undefined instruction ${at}`;
    case 'illegal-state':
      return `illegal execution state ${at}`;
    case 'sysreg-trap':
      return `trapped system register access ${at}`;
    case 'breakpoint':
      return `BRK #${hex(esr & 0xffff)} ${at}`;
    case 'instruction-abort':
      return `instruction fetch abort ${at} (no executable memory there)`;
    case 'data-abort':
      return `data abort ${at} (${write ? 'store to' : 'load from'} unassigned address ${hex(far ?? 0)})`;
    case 'alignment':
      return `alignment fault ${at} (misaligned ${write ? 'store to' : 'load from'} ${hex(far ?? 0)})`;
    case 'pc-alignment':
      return `PC alignment fault ${at}`;
    case 'sp-alignment':
      return `SP alignment fault ${at}`;
  }
}

/** The vector a synchronous exception from the CPU's current state enters (AArch64.TakeException). */
function syncVector(c: Cpu): number {
  const base = c.el === 0 ? 0x400 : c.spsel === 1 ? 0x200 : 0;
  return Number(c.vbar & ~0x7ffn) + base + VECTOR_SYNC;
}

/** Is `addr` an instruction the CPU could fetch (RAM, or executable flash)? */
function fetchable(c: Cpu, addr: number): boolean {
  const bus = c.host.bus;
  return addr % 4 === 0 && (bus.isRam(addr, 4) || bus.fetchWord(addr) !== undefined);
}

/**
 * Look at a synchronous exception about to be raised on `c` for the instruction at `pc`.
 * @returns undefined for exceptions that are not faults (SVC, HVC…)
 */
export function inspectSyncException(c: Cpu, pc: number, esr: number, far: number | undefined): SyncFault | undefined {
  const kind = faultKind(esr);
  if (kind === undefined) return undefined;
  const vector = syncVector(c);
  let unusable: string | undefined;
  const sinceEntry = c.retired + c.qn - c.entryAt;
  if (!fetchable(c, vector)) {
    unusable = `its vector ${hex(vector)} (VBAR_EL1 ${hex(c.vbar)}) is not executable memory`;
  } else if (kind !== 'breakpoint' && sinceEntry < ENTRY_WINDOW) {
    unusable = `the exception handler's entry code faulted ${sinceEntry} instructions after entering its vector (first fault at ELR_EL1 ${hex(c.elr)}, ESR_EL1 ${hex(c.esr)})`;
  }
  return { kind, pc, esr, far, unusable, description: describe(kind, pc, esr, far) };
}

/**
 * When the fault is the very first instruction of a vector entry (the CPU took an exception
 * into a vector that is not code), what to report instead: the state before that entry,
 * as an ERET would restore it (pc ← ELR_EL1, PSTATE ← SPSR_EL1; nothing of the vector ran),
 * and the original synchronous exception (ESR_EL1 still holds it) or, for an interrupt
 * that could not be taken, the fetch fault itself. Pure: {@link undoVectorEntry} applies it.
 * @returns `f` unchanged (and `undo` false) for any other fault
 */
export function vectorEntryView(c: Cpu, f: SyncFault): { fault: SyncFault; undo: boolean } {
  const table = Number(c.vbar & ~0x7ffn);
  const offset = f.pc - table;
  if (f.unusable === undefined || offset < 0 || offset >= 0x800 || offset % 0x80 !== 0) return { fault: f, undo: false };
  const slot = (offset % 0x200) / 0x80;
  const elr = Number(c.elr & 0xffffffffffffn);
  const what = slot === 0 ? 'entering it' : `taking an ${['IRQ', 'FIQ', 'SError'][slot - 1]} at ${hex(elr)}`;
  const unusable = `the vector ${hex(f.pc)} (VBAR_EL1 ${hex(c.vbar)}) faulted on ${what}: the vectors are not code`;
  if (slot !== 0) {
    const description = `${['IRQ', 'FIQ', 'SError'][slot - 1]} at ${hex(elr)} could not be taken: ${f.description}`;
    return { fault: { ...f, pc: elr, unusable, description }, undo: true };
  }
  const kind = faultKind(c.esr) ?? f.kind;
  const far = Number(c.far & 0xffffffffffffn);
  return { fault: { kind, pc: elr, esr: c.esr, far, unusable, description: describe(kind, elr, c.esr, far) }, undo: true };
}

/** Undo the vector entry {@link vectorEntryView} reported (ERET without the exclusive-monitor and event side effects). */
export function undoVectorEntry(c: Cpu): void {
  c.setPstate(c.spsr);
  c.pc = Number(c.elr & 0xffffffffffffn);
}
