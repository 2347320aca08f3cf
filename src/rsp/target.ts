/**
 * The interface between the RSP server (src/rsp) and whatever it debugs. The kgdb debug
 * core implements it; the RSP layer never touches CPU internals.
 *
 * Modelled on the Rust gdbstub crate's `Target` (src/target/mod.rs, "Inlineable Dyn
 * Extension Traits"):
 * - One required method, {@link Target.baseOps}: threads, registers, memory, halt reason.
 * - Every optional capability is a `support*()` method returning the capability's ops
 *   object, or undefined. A class usually returns `this`, which type-checks only if it
 *   implements that interface. The qSupported reply and the packet gating are both derived
 *   from these methods (src/rsp/capabilities.ts), so a capability the target lacks is
 *   neither advertised nor answered: its packets get the empty "unsupported" reply.
 * - Tuning knobs are `use*()` booleans.
 *
 * Nothing here names a packet or carries wire text: threads are CPU indices (the RSP layer
 * maps them to thread ids, tid = cpu + 1), addresses are bigints, data are bytes.
 *
 * Errors: a method may throw `TargetError` (`errno(n)` → an `E NN` reply; `fatal` →
 * the session ends). Any other exception becomes `E79` plus a log line; the session goes on.
 */

/** Register numbers of the AArch64 core registers as the target sees them: 0..30 are X0..X30. */
export type CoreRegId = number;
/** SP (SP_EL1 or SP_EL0, whichever PSTATE.SP selects: the stack pointer in use). */
export const REG_SP: CoreRegId = 31;
/** PC. */
export const REG_PC: CoreRegId = 32;
/** PSTATE in the SPSR_ELx layout (N Z C V ... D A I F, M[3:0]); gdb calls it `cpsr`, 32 bits. */
export const REG_CPSR: CoreRegId = 33;

/**
 * One CPU's core registers. `undefined` marks a value the target cannot supply, e.g. a CPU
 * that did not answer the round-up (Linux then shows a stale sleeping context; this stub
 * says "unavailable" instead); it is sent as `xx` bytes and gdb prints `<unavailable>`.
 * FP/SIMD registers are not part of this: they are not modelled and always unavailable.
 */
export interface AArch64CoreRegs {
  /** X0..X30 (31 entries), each an unsigned 64-bit value (values are taken modulo 2^64). */
  x: readonly (bigint | undefined)[];
  sp: bigint | undefined;
  pc: bigint | undefined;
  /** 32 bits (values are taken modulo 2^32). */
  cpsr: number | undefined;
  /**
   * EL1 system registers offered to gdb outside `g` (read with `p`, target.xml feature
   * `org.kgdb-lab.aarch64.sysregs`); absent or undefined entries are unavailable.
   */
  sys?: Partial<Record<SystemRegisterName, bigint>>;
}

/**
 * The system registers gdb sees beside the core ones: ESR_EL1, FAR_EL1, ELR_EL1, SPSR_EL1,
 * VBAR_EL1, SCTLR_EL1 (ARM ARM D19.2) and the GIC CPU interface's ICC_PMR_EL1, ICC_RPR_EL1.
 */
export type SystemRegisterName = 'esr_el1' | 'far_el1' | 'elr_el1' | 'spsr_el1' | 'vbar_el1' | 'sctlr_el1' | 'icc_pmr_el1' | 'icc_rpr_el1';

/**
 * Why the machine stopped, in gdb's terms (gdb manual, "Stop Reply Packets").
 * - `signal`: stopped with a gdb signal number ({@link GdbSignal}); `cpu` is the CPU that
 *   stopped (the one gdb will show as current; omit only when no CPU is involved);
 *   `cause` refines a SIGTRAP.
 * - `exited`: the machine is gone with an exit status (e.g. the guest powered off).
 * - `terminated`: the machine is gone because of a signal.
 */
export type StopEvent =
  | { kind: 'signal'; signal: number; cpu?: number; cause?: StopCause }
  | { kind: 'exited'; status: number }
  | { kind: 'terminated'; signal: number };

/**
 * What triggered a SIGTRAP stop. `swbreak`: a software breakpoint instruction (BRK) the
 * debugger inserted or the program contains; `hwbreak`: a hardware breakpoint; `watch`,
 * `rwatch`, `awatch`: a write / read / access watchpoint hit at `addr` (the data address).
 */
export type StopCause =
  | { kind: 'swbreak' }
  | { kind: 'hwbreak' }
  | { kind: 'watch' | 'rwatch' | 'awatch'; addr: bigint };

/**
 * gdb's signal numbers, which the RSP uses on the wire (gdb's include/gdb/signals.def
 * numbering, gdb manual "Stop Reply Packets"). They are *not* the host's: SIGBUS is 10 here,
 * while Linux's SIGBUS is 7 (gdb shows 7 as SIGEMT).
 */
export const GdbSignal = {
  /** No signal (a resume action without one). */
  NONE: 0,
  /** Stopped by an interrupt request (gdb's Ctrl-C, a 0x03 byte). */
  SIGINT: 2,
  /** An undefined instruction. */
  SIGILL: 4,
  /** A breakpoint, a watchpoint, a single step. */
  SIGTRAP: 5,
  /** An alignment fault or external abort. */
  SIGBUS: 10,
  /** A translation or permission fault. */
  SIGSEGV: 11,
  /** The CLI's --timeout ended the run (exit status 124). */
  SIGALRM: 14,
  /** SIGTERM to the server ended the run. */
  SIGTERM: 15,
} as const;

/** Where console text goes: each write becomes one or more `O` packets (hex-encoded text). */
export interface ConsoleOutput {
  /**
   * Send `text` to gdb's console (strings are sent as UTF-8). A no-op once the operation
   * the console was handed to has finished (gdb accepts `O` packets only while the target
   * runs and during a monitor command, gdb manual "Stop Reply Packets" / qRcmd).
   */
  write(text: string | Uint8Array): void;
  /** False once the operation this console belongs to has finished. */
  readonly open: boolean;
}

/** What to do with one CPU when resuming. `signal` is a gdb signal number to deliver (0 = none). */
export interface ResumeAction {
  kind: 'continue' | 'step';
  signal: number;
}

/**
 * One resume request. "For each thread, the leftmost action with a matching thread-id is
 * applied" (gdb manual, vCont): `perCpu` holds the CPUs an action named explicitly,
 * `others` the action for every other CPU. `others` undefined means those CPUs stay
 * stopped (gdb's scheduler-locking).
 */
export interface ResumePlan {
  perCpu: ReadonlyMap<number, ResumeAction>;
  others: ResumeAction | undefined;
  /**
   * `c addr` / `s addr` (gdb manual, "Packets"): set this CPU's PC to `addr` (bytes) before
   * resuming. The target validates the whole plan, the address included, before it changes
   * anything, so a rejected resume leaves the stop exactly as it was.
   */
  pc?: { cpu: number; addr: bigint };
}

/** Why a client went away. */
export type DisconnectReason =
  /** gdb sent `D` (detach): resume the machine, breakpoints removed. */
  | 'detach'
  /** gdb sent `k` (kill). For a kernel debugger this is a detach too. */
  | 'kill'
  /** The connection closed without `D` or `k` (gdb quit, crashed, or the network failed). */
  | 'connection-lost'
  /** The session ended on a fatal error. */
  | 'error';

/** Registers, memory, threads: what every target provides. */
export interface BaseOps {
  /**
   * The CPUs gdb may see as threads, ascending CPU indices (0-based). Each is shown as
   * thread cpu + 1, named `CPU#<cpu>`.
   */
  listCpus(): readonly number[];
  /**
   * Why the machine is stopped: the answer to gdb's `?`, sent when gdb connects. May return
   * a promise (e.g. when it must first halt a running machine); packets that arrive
   * meanwhile are queued. gdb waits for this reply with its remote timeout (2 s by default)
   * and no keepalive is sent for it, so settle quickly.
   */
  haltReason(): StopEvent | Promise<StopEvent>;
  /** The core registers of `cpu` (throws TargetError for an unknown CPU). */
  readRegisters(cpu: number): AArch64CoreRegs;
  /**
   * Set one core register of `cpu` to `value` (a 64-bit value; cpsr takes the low 32 bits).
   * @throws TargetError e.g. when registers of that CPU cannot be written
   */
  writeRegister(cpu: number, reg: CoreRegId, value: bigint): void;
  /**
   * Read `length` bytes at virtual address `addr` as seen by `cpu` (gdb's selected thread).
   * @returns the bytes read; shorter than `length` when a fault stopped the read partway
   *   (gdb accepts partial reads); empty when the first byte cannot be read
   */
  readMemory(cpu: number, addr: bigint, length: number): Uint8Array;
  /**
   * Write `data` at virtual address `addr` as seen by `cpu`.
   * @throws TargetError (use Errno.EFAULT) when any byte cannot be written
   */
  writeMemory(cpu: number, addr: bigint, data: Uint8Array): void;
}

/** Running the machine: `c`, `s`, `vCont`, and 0x03 interrupts. */
export interface ResumeOps {
  /**
   * Resume per `plan` and report the next stop. The promise settles when the machine has
   * stopped again (all CPUs: all-stop mode); `console` accepts output until then. The
   * server keeps reading the connection meanwhile and calls {@link interrupt} for each 0x03.
   * If the client disconnects first, the server calls `onDisconnect` and ignores the result.
   */
  resume(plan: ResumePlan, console: ConsoleOutput): Promise<StopEvent>;
  /** gdb asked to stop (0x03): make the pending resume settle, normally with SIGINT. */
  interrupt(): void;
  /** Single-stepping is supported (`s`, `S`, vCont `s`/`S`); undefined or false: it is not. */
  supportSingleStep?(): boolean;
}

/** Breakpoints and watchpoints: Z/z packets, each kind gated separately. */
export interface BreakpointOps {
  supportSwBreakpoint?(): SwBreakpointOps | undefined;
  supportHwBreakpoint?(): HwBreakpointOps | undefined;
  supportHwWatchpoint?(): HwWatchpointOps | undefined;
}

/** `kind` is gdb's breakpoint kind: the instruction size in bytes (4 on AArch64). */
export interface SwBreakpointOps {
  /** @throws TargetError (EEXIST, ENOSPC, EFAULT…) when the breakpoint cannot be set */
  addSwBreakpoint(addr: bigint, kind: number): void;
  /** @throws TargetError (e.g. EINVAL) when there is no such breakpoint */
  removeSwBreakpoint(addr: bigint, kind: number): void;
}

export interface HwBreakpointOps {
  addHwBreakpoint(addr: bigint, kind: number): void;
  removeHwBreakpoint(addr: bigint, kind: number): void;
}

/** Which accesses a watchpoint catches. */
export type WatchKind = 'write' | 'read' | 'access';

export interface HwWatchpointOps {
  /** Watch `length` bytes at `addr`. */
  addHwWatchpoint(addr: bigint, length: number, kind: WatchKind): void;
  removeHwWatchpoint(addr: bigint, length: number, kind: WatchKind): void;
}

/** `monitor CMD` (qRcmd). */
export interface MonitorCmdOps {
  /**
   * Run the monitor command `cmd` (the text the user typed after `monitor`). Output goes
   * to `out`; it is valid until the returned promise (if any) settles. Resolve / return
   * for success (gdb gets `OK`), throw / reject with a TargetError for failure (`E NN`).
   * While a command runs, the server keeps gdb from timing out by sending an empty `O`
   * packet whenever nothing was sent for most of a second.
   */
  handleMonitorCmd(cmd: string, out: ConsoleOutput): void | Promise<void>;
}

/** Extra per-thread text gdb shows in `info threads` (qThreadExtraInfo, qXfer:threads). */
export interface ThreadExtraInfoOps {
  /** e.g. "running", "halted", "not responding"; plain text, any characters. */
  threadExtraInfo(cpu: number): string;
}

/**
 * A debuggable machine. See the module comment for the conventions.
 *
 * Lifecycle: `onConnect` when a client's session starts, then packets; `onDisconnect`
 * exactly once when it ends (after `D`, after `k`, when the connection drops, or on a
 * fatal error). Only one client is served at a time.
 */
export interface Target {
  baseOps(): BaseOps;
  supportResume?(): ResumeOps | undefined;
  supportBreakpoints?(): BreakpointOps | undefined;
  supportMonitorCmd?(): MonitorCmdOps | undefined;
  supportThreadExtraInfo?(): ThreadExtraInfoOps | undefined;
  /** Offer QStartNoAckMode (default true). */
  useNoAckMode?(): boolean;
  /** A client connected (a new session starts in ack mode with no thread selected). */
  onConnect?(): void;
  /** The session ended; see {@link DisconnectReason}. Exceptions are logged and ignored. */
  onDisconnect?(reason: DisconnectReason): void;
}

/** Re-exported so implementers import one module. */
export { TargetError, Errno } from './target-error';
