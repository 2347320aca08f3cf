import type { MachineEvent } from '../machine/events';

/**
 * The facts `kgdb-lab compare` establishes, as one JSON-serialisable object (the `--json`
 * output; its schema is documented in the README, "kgdb-lab compare"). Times are machine
 * time in µs since power-on (fractional: exact to the ns); CPUs are 0-based.
 */

/** Schema version of {@link CompareReport}; bumped on incompatible changes. */
export const REPORT_VERSION = 1;

/** The two roundup modes compared: pseudo-NMI and the regular-IPI fallback. */
export type RoundupMode = 'nmi' | 'ipi';
export const MODES: readonly RoundupMode[] = ['nmi', 'ipi'];

/**
 * How IRQs were masked in a context: by ICC_PMR_EL1 (Linux's local_irq_disable under
 * pseudo-NMI: PMR at or below the default interrupt priority 0xa0, so ordinary IRQs are
 * masked and NMI-priority ones are not), by PSTATE.I (DAIF: nothing gets through), or not
 * at all.
 */
export type IrqMask = 'PMR' | 'PSTATE.I' | 'none';

/** What a CPU was doing: the context the roundup (or the break-in) interrupted. */
export interface CpuContext {
  /** Hex program counter ("0x40205a3c"). */
  pc: string;
  /** The function containing pc (ELF symbols), or null. */
  function: string | null;
  /** Linux %pS form "func+0x3c/0x70", or the hex pc. */
  symbol: string;
  irqsMaskedBy: IrqMask;
  /** ICC_PMR_EL1 of that context. */
  pmr: number;
  /** PSTATE.I of that context. */
  pstateI: boolean;
  /**
   * Where the facts come from: 'interrupt' (the pt_regs of the interrupt that brought the
   * CPU into kgdb, with the GIC's record of the interrupted PMR/PSTATE.I), 'debug-exception'
   * (the pt_regs of the BRK or fault the CPU entered kgdb with), 'real-registers' (the CPU's
   * live registers when the debugger stopped: it is outside kgdb's view).
   */
  source: 'interrupt' | 'debug-exception' | 'real-registers';
}

/** One frame of a CPU's backtrace. */
export interface FrameFact {
  /** "func+0x28/0x40" or a hex address. */
  text: string;
  function: string | null;
  /** 'pc', 'lr' (a leaf's caller from x30), 'return', 'exception' (an interrupted pc). */
  kind: 'pc' | 'lr' | 'return' | 'exception';
}

/** A CPU's part in one mode's roundup. */
export type Outcome = 'master' | 'rounded-up' | 'arrived-late' | 'not-rounded-up' | 'powered-off' | 'halted-from-outside';

/** One CPU in one mode. */
export interface CpuModeFacts {
  outcome: Outcome;
  /** The kgdb state as gdb's `info threads` shows it at the stop. */
  state: string;
  /** How the roundup SGI was taken ('nmi' / 'irq'), for CPUs that answered. */
  takenAs: 'nmi' | 'irq' | null;
  /** When the master's roundup SGI became pending on this CPU. */
  sgiSentUs: number | null;
  /** When the CPU entered kgdb (master: entered-master; others: entered-slave / arrived-late). */
  arrivedUs: number | null;
  /** arrivedUs − sgiSentUs (for the master: 0). */
  latencyUs: number | null;
  /** Why the CPU was not rounded up in time (or at all), or null. */
  why: string | null;
  doing: CpuContext;
  /** The top frames of `doing`, innermost first. */
  frames: FrameFact[];
}

/** One row of the table: a CPU in both modes. */
export interface CpuRow {
  cpu: number;
  nmi: CpuModeFacts;
  ipi: CpuModeFacts;
}

/** One mode's run. */
export interface ModeSummary {
  mode: RoundupMode;
  /** `/chosen/bootargs` the guest booted with. */
  bootargs: string;
  /** Time stamp of the guest's "kgdb_lab: steady" line (its printk clock). */
  steadyUs: number;
  /** When the serial break + `g` (SysRq-g) reached the UART. */
  breakInUs: number;
  /**
   * When the master entered kgdb; before breakInUs when the guest entered on its own first
   * (a `breakpoint` or `oops-*` scenario with a large --after), and then no break-in was sent.
   */
  enteredUs: number | null;
  /** The CPU that entered kgdb and held it. */
  masterCpu: number;
  /** How kgdb was entered: 'SysRq-g break-in', 'kgdb_breakpoint()', 'breakpoint', 'SIGSEGV (oops)' (and SIGILL, SIGBUS), 'halted from outside'. */
  stopReason: string;
  /** When the roundup ended (every CPU in, or the timeout). */
  stopUs: number;
  /** When the master gave up waiting, or null. */
  timedOutUs: number | null;
  /** CPUs not in kgdb when the debugger stopped. */
  notRoundedUp: number[];
  /** CPUs that answered after the timeout, while the debugger was still active. */
  arrivedLate: number[];
  /** When the debugger released the CPUs (after the linger window), or null. */
  releasedUs: number | null;
  /** The guest console lines printed from the break-in to the end of the run. */
  console: string[];
  /** The roundup's events from the machine's event stream (README: event stream), in order. */
  events: MachineEvent[];
  /** Host milliseconds the run took (boot included). */
  hostMs: number;
}

/** The whole comparison. */
export interface CompareReport {
  version: typeof REPORT_VERSION;
  kernel: string;
  scenario: string;
  cpus: number;
  /** log2 ns per instruction (`--icount`). */
  icountShift: number;
  /** `--after`: the break-in is this long after the later of the two steady lines. */
  afterMs: number;
  roundupTimeoutMs: number;
  /** `--linger`: how long the stopped debugger waits for late arrivals, machine ms. */
  lingerMs: number;
  /** The common break-in time of both runs. */
  breakInUs: number;
  modes: { nmi: ModeSummary; ipi: ModeSummary };
  rows: CpuRow[];
}
