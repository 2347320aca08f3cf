import type { FaultKind } from '../machine/cpu/exception-entry';
import type { MachineEventStream } from '../machine/events';
import type { WatchKind } from '../machine/watchpoints';

/** Which data accesses a watchpoint catches: stores, loads, or both (gdb watch / rwatch / awatch). */
export type { WatchKind };

/** A data access that hit a watchpoint; the CPU is held before the access, pc at the instruction. */
export interface WatchHitInfo {
  cpu: number;
  /** Address of the accessing instruction. */
  pc: number;
  /** The watchpoint hit, as it was added. */
  watch: { addr: number; len: number; kind: WatchKind };
  /** The first watched byte the access touched (inside the watchpoint). */
  addr: number;
  /** The access: store or load, and its size in bytes. */
  write: boolean;
  size: number;
}

/**
 * The small interface through which the debug core sees the machine (the arch-hook
 * boundary of Linux's kernel/debug: the core never reaches into CPU or GIC internals).
 * Addresses and lengths are bytes; times are machine ns.
 */

/** What a CPU is doing, as the machine sees it. */
export type CpuRunState = 'running' | 'wfi' | 'wfe' | 'off' | 'stopped' | 'held';

/** A CPU's real architectural registers (not a kgdb view). */
export interface CpuRegisters {
  /** x0–x30. */
  x: bigint[];
  sp: bigint;
  pc: bigint;
  /** PSTATE in SPSR format (NZCV, DAIF, M[3:0]). */
  pstate: number;
}

/**
 * A CPU's EL1 exception and system registers (ARM ARM D19.2): what the last exception
 * recorded (ESR_EL1 syndrome, FAR_EL1 fault address, ELR_EL1 return address, SPSR_EL1
 * saved PSTATE), where the vectors are (VBAR_EL1) and the system control bits (SCTLR_EL1).
 */
export interface CpuSystemRegisters {
  esr: bigint;
  far: bigint;
  elr: bigint;
  spsr: bigint;
  vbar: bigint;
  sctlr: bigint;
}

/** Interrupt-masking state of a CPU, for the event model and `monitor cpus`. */
export interface CpuMaskView {
  /** ICC_PMR_EL1. */
  pmr: number;
  /** ICC_RPR_EL1 (0xff when idle). */
  rpr: number;
  /** PSTATE.I. */
  irqMasked: boolean;
}

/** What kind of synchronous exception a guest fault is (from its ESR_EL1 exception class). */
export type GuestFaultKind = FaultKind;

/** A synchronous exception a CPU is about to take (see MachinePort.catchGuestFaults). */
export interface GuestFault {
  cpu: number;
  kind: GuestFaultKind;
  /** Address of the faulting instruction, bytes (where the CPU stays if the fault is caught). */
  pc: number;
  /** ESR_EL1 syndrome. */
  esr: number;
  /** FAR_EL1 (faulting data address) for aborts. */
  far: number | undefined;
  /**
   * Why the guest's vectors cannot take this exception (no memory at the vector, the vector
   * table itself faulting, the handler's entry code faulting), or undefined when they can.
   */
  unusable: string | undefined;
  /** One line for humans. */
  description: string;
}

export interface MachinePort {
  readonly cpuCount: number;
  /**
   * The machine's event stream (src/machine/events.ts): the GIC reports SGIs sent and
   * interrupts taken into it, and the debug core reports its own events through it, so every
   * consumer sees one ordered stream.
   */
  readonly events: MachineEventStream;
  /** Machine time, ns. */
  nowNs(): number;
  /** Side-effect-free read (device registers are peeked, never popped). Undefined if any byte is unassigned. */
  readMemory(addr: number, len: number): Uint8Array | undefined;
  /** Write RAM (false if any byte is outside RAM); decoded code is invalidated. */
  writeMemory(addr: number, data: Uint8Array): boolean;
  /** Run `fn` when any CPU is about to execute the instruction at `addr`; true = it took the CPU (held it). */
  hookAddress(addr: number, fn: (cpu: number) => boolean): void;
  /** Could an instruction at `addr` be hooked (hookAddress): a 4-aligned RAM address? */
  isCode(addr: number): boolean;
  unhookAddress(addr: number): void;
  cpuState(cpu: number): CpuRunState;
  /** Powered on (PSCI), whether or not the debugger holds it. */
  isOnline(cpu: number): boolean;
  registers(cpu: number): CpuRegisters;
  setRegisters(cpu: number, regs: CpuRegisters): void;
  maskView(cpu: number): CpuMaskView;
  /** The CPU's real EL1 exception/system registers (whatever kgdb's view of it is). */
  systemRegisters(cpu: number): CpuSystemRegisters;
  /** Hold a CPU at its next instruction boundary / let it go on. */
  hold(cpu: number): void;
  release(cpu: number): void;
  /**
   * Let a held CPU retire exactly one instruction, then hold it again and call `done`. If an
   * interrupt is pending and unmasked when the CPU resumes (it may become pending after
   * interruptPending said no), the CPU takes it instead: nothing retires, the CPU is held
   * on its IRQ/FIQ vector (ELR_EL1 = the instruction) and `done(true)` is called.
   */
  stepOne(cpu: number, done: (interrupted: boolean) => void): void;
  /**
   * Would the CPU take an interrupt before its next instruction (an IRQ or FIQ signalled to
   * it and not masked by PSTATE)? Lets the core keep interrupts out of a single step.
   * Optional: without it, a step with an interrupt pending stops on the vector.
   */
  interruptPending?(cpu: number): boolean;
  /**
   * Watch bytes [addr, addr + len) of RAM for `kind` accesses by every CPU (the machine's
   * own watchpoints, as QEMU's gdbstub has them; no guest debug registers are involved).
   * @returns false when any byte is not RAM (nothing is added)
   */
  addWatchpoint(addr: number, len: number, kind: WatchKind): boolean;
  /** Remove a watchpoint added with the same arguments. @returns false when there is none */
  removeWatchpoint(addr: number, len: number, kind: WatchKind): boolean;
  /**
   * Where hits go (one listener; a later call replaces it). Called synchronously while the
   * accessing CPU is held before the access. The listener reports the 'watch-hit' event
   * into `events` (the debug core does, once it has opened the stop's record).
   */
  onWatchHit(fn: (hit: WatchHitInfo) => void): void;
  /** Send SGI `intid` from CPU `from` to `targets`, exactly as a write of ICC_SGI1R_EL1 by `from` would. */
  sendSgi(from: number, intid: number, targets: number[]): void;
  /** Call `fn` at machine time `atNs`; returns a cancel function. */
  at(atNs: number, fn: () => void): () => void;
  /** A serial break followed by `bytes` on the UART receive line (how a kgdboc user triggers SysRq). */
  serialBreak(bytes: Uint8Array): void;
  /** Text on the machine console as if the guest printed it (the debug core's own messages). */
  consoleWrite(text: string): void;
  /**
   * Offer every synchronous fault (not SVC/HVC) to `handler` before the CPU takes it, a
   * hardware probe's "vector catch". Returning true catches it: the exception is not taken,
   * the CPU is held with its pc at the faulting instruction (or, when the fault was the
   * first instruction of a vector that is not code, back where it was before entering it).
   * Optional: without it, faults always go to the guest's vectors.
   */
  catchGuestFaults?(handler: (f: GuestFault) => boolean): void;
  /**
   * Also receive what the guest transmits on its console (bytes, in batches, as they are
   * flushed to the host). @returns a function that stops the tap
   */
  tapConsole(fn: (bytes: Uint8Array) => void): () => void;
}
