import type { Bus } from '../bus';
import { BUS_ABORT, PAGE_WATCH } from '../bus';
import type { CodeCache } from './code-cache';
import { GenericTimer } from './generic-timer';
import { GUEST_EXCEPTION, SP_SLOT } from './exec';
import type { Exec } from './exec';
import { decode } from './decode';
import {
  EC_DATA_ABORT_SAME_EL,
  EC_INSN_ABORT_SAME_EL,
  EC_PC_ALIGNMENT,
  EC_UNKNOWN,
  DFSC_ALIGNMENT,
  DFSC_EXTERNAL,
  VECTOR_FIQ,
  VECTOR_IRQ,
  VECTOR_SYNC,
} from './exception';

/** Why a CPU is not executing. */
export const enum RunState {
  Running = 0,
  /** WFI: waits for an interrupt signalled to it (PSTATE masks do not gate the wake-up). */
  Wfi = 1,
  /** WFE: waits for an event (SEV, monitor clear, signalled interrupt). */
  Wfe = 2,
  /** PSCI powered off. */
  Off = 3,
  /** Stopped by the machine (an unmodelled feature, an internal error); see Cpu.stopReason. */
  Stopped = 4,
  /** Held by the debugger (parked by a hook, or halted from outside); Cpu.heldFrom says what it was doing. */
  Held = 5,
}

/** Which engine a CPU runs: the block compiler (with the interpreter beneath) or the interpreter alone. */
export type CpuEngine = 'interp' | 'jit';

/** DAIF bits as they sit in Cpu.daif (PSTATE bits 9..6 shifted down by 6). */
export const DAIF_D = 8;
export const DAIF_A = 4;
export const DAIF_I = 2;
export const DAIF_F = 1;

/** What the CPU needs from the machine it sits in. */
export interface CpuHost {
  readonly bus: Bus;
  readonly code: CodeCache;
  /** Generic-timer count (CNTPCT/CNTVCT), ticks of 1/CNTFRQ s. */
  counter(c: Cpu): number;
  /** HVC #imm16 from EL1: PSCI. Must set x0 (and may change the CPU's run state). */
  hvc(c: Cpu, imm: number): void;
  /** Is any CPU other than `c` ready to run (so a YIELD should hand over the turn)? */
  othersRunnable(c: Cpu): boolean;
  /** SEV: signal an event to every CPU. */
  sev(from: Cpu): void;
  /** An exclusive reservation was taken at `addr` (granule-aligned). */
  reserve(c: Cpu, addr: number): void;
  /** Called when a CPU changes state in a way the scheduler must notice (WFI, WFE, off, stop, event). */
  wake(c: Cpu): void;
  /** A generic-timer register of `c` was written: recompute its outputs and deadlines. */
  timerChanged(c: Cpu): void;
  /** The GIC CPU interface behind the ICC_*_EL1 system registers. */
  readonly icc: IccAccess;
  /**
   * A synchronous exception is about to be taken for the instruction at `c.pc` (set to it
   * for the call). Return true to catch it for a debugger instead: the exception is not
   * taken, the instruction does not retire, and the host has held the CPU. Optional; see
   * exception-entry.ts.
   */
  syncException?(c: Cpu, esr: number, far: number | undefined): boolean;
}

/** ICC_*_EL1 register names the CPU forwards to the GIC CPU interface. */
export type IccReg =
  | 'PMR' | 'IAR0' | 'IAR1' | 'EOIR0' | 'EOIR1' | 'HPPIR0' | 'HPPIR1' | 'BPR0' | 'BPR1' | 'AP0R0' | 'AP1R0'
  | 'RPR' | 'DIR' | 'CTLR' | 'SRE' | 'IGRPEN0' | 'IGRPEN1' | 'SGI0R' | 'SGI1R' | 'ASGI1R';

/** Access to one PE's GIC CPU interface registers (values are 64-bit). */
export interface IccAccess {
  read(c: Cpu, reg: IccReg): bigint;
  write(c: Cpu, reg: IccReg, v: bigint): void;
  /** As read; every ICC register fits in 32 bits, so a Number 0 ≤ v < 2^32 (no BigInt on the interrupt path). */
  readNum(c: Cpu, reg: IccReg): number;
  /** As write, the value given as its low and high 32-bit halves. */
  writeHalves(c: Cpu, reg: IccReg, lo: number, hi: number): void;
}

/**
 * One A64 processing element at EL1/EL0.
 *
 * Registers X0–X30 are 64-bit values kept as (lo, hi) Int32 halves in two typed arrays,
 * because BigInt on the hot path costs ~4x (../shared/reference/aarch64-machine.md §1.2,
 * §5). Slot 31 is XZR (always 0), slot 32 the current SP, slot 33 a write sink for XZR.
 * The banked stack pointers SP_EL0/SP_EL1 live in spBank and are swapped into slot 32
 * when PSTATE.SPSel or the EL changes. NZCV are separate 0/1 ints, as QEMU keeps them.
 */
/** A page-array placeholder before the first fetch. */
const NO_PAGE: Exec[] = [];

export class Cpu {
  readonly lo = new Int32Array(34);
  readonly hi = new Int32Array(34);
  /** Address of the next instruction (a physical address; the MMU is not modelled). */
  pc = 0;
  n = 0;
  z = 0;
  c = 0;
  v = 0;
  /** PSTATE.{D,A,I,F} as a 4-bit value (DAIF_* masks). */
  daif = 0xf;
  /** PSTATE.SPSel. */
  spsel = 1;
  /** PSTATE.EL (0 or 1). */
  el = 1;
  /** Banked SP_EL0 and SP_EL1 as [lo0, hi0, lo1, hi1]; the live one is in slot 32. */
  readonly spBank = new Int32Array(4);

  /** EL1 exception registers as 64-bit BigInts (off the hot path). */
  elr = 0n;
  spsr = 0;
  esr = 0;
  far = 0n;
  vbar = 0n;
  sctlr = 0x00c50838;
  /** Other system registers kept as plain storage, keyed by encoding. */
  readonly sysStore = new Map<number, bigint>();

  /** Exclusive monitor: reserved granule address, or -1 when open. */
  exclAddr = -1;
  exclSize = 0;
  /** WFE event register. */
  event = false;
  /** IRQ and FIQ lines driven by the interrupt controller's CPU interface. */
  irqLine = false;
  fiqLine = false;
  /**
   * ICC_PMR_EL1 when the last IRQ/FIQ exception was taken: the interrupted context's mask
   * (kernel entry code rewrites PMR before it acknowledges), for the event model.
   */
  pmrAtInterrupt = 0;

  /** The EL1 physical and virtual timers of this PE. */
  readonly timer = new GenericTimer();

  state: RunState = RunState.Off;
  /**
   * Set by the debugger: run one instruction, then hold and call this. If an unmasked IRQ or
   * FIQ is pending before the instruction, the CPU takes it instead (nothing retires, pc on
   * the vector, ELR_EL1 the instruction) and `interrupted` is true.
   */
  stepDone: ((interrupted: boolean) => void) | null = null;
  /** The state a Held CPU returns to when released. */
  heldFrom: RunState = RunState.Running;
  stopReason = '';
  /** Instructions retired by this CPU. */
  retired = 0;
  /** `retired + qn` when the CPU last entered an exception vector; -Infinity after an ERET (exception-entry.ts). */
  entryAt = -Infinity;
  /** The run loop re-checks state when `qn` reaches this; set to 0 to do so after this instruction. */
  limit = 0;
  /** Instructions retired so far in the current run() call (read by the clock under --icount). */
  qn = 0;
  /** Leave run() at the next check (YIELD, the scheduler, the debugger). */
  exitRequested = false;
  /** An exception or interrupt was just taken: pc is a vector entry, worth heating (executeBlocks). */
  private vectored = false;
  /**
   * Execution engine: 'jit' runs compiled basic blocks (block-compiler.ts) where they fit the
   * budget and the interpreter elsewhere; 'interp' only interprets (the reference). Both
   * retire the same instructions at the same counts, so --icount runs are identical.
   */
  engine: CpuEngine = 'jit';

  constructor(
    /** CPU index, 0-based. */
    readonly index: number,
    /** MPIDR_EL1 value (Aff0 = n % 16, Aff1 = n / 16, bit 31 RES1 as QEMU virt). */
    readonly mpidr: number,
    readonly host: CpuHost,
  ) {}

  // ---- register access helpers (used by decoders and the debugger) ----

  /** X register n as a BigInt (slot 31 = XZR, 32 = SP). */
  getX(n: number): bigint {
    return (BigInt(this.hi[n] >>> 0) << 32n) | BigInt(this.lo[n] >>> 0);
  }
  /** Set X register n from a BigInt (taken mod 2^64). Writes to slot 31 are dropped. */
  setX(n: number, v: bigint): void {
    if (n === 31) return;
    this.lo[n] = Number(v & 0xffffffffn) | 0;
    this.hi[n] = Number((v >> 32n) & 0xffffffffn) | 0;
  }
  /** SP as seen by the current mode. */
  getSp(): bigint {
    return this.getX(SP_SLOT);
  }

  /** PSTATE as an SPSR-format value (NZCV, DAIF, M[3:0]). */
  get pstate(): number {
    return (
      ((this.n << 31) | (this.z << 30) | (this.c << 29) | (this.v << 28) | (this.daif << 6) | (this.el << 2) | this.spsel) >>> 0
    );
  }

  /** Restore PSTATE from an SPSR-format value (for ERET and the debugger). */
  setPstate(v: number): void {
    this.n = (v >>> 31) & 1;
    this.z = (v >>> 30) & 1;
    this.c = (v >>> 29) & 1;
    this.v = (v >>> 28) & 1;
    this.daif = (v >>> 6) & 0xf;
    this.selectSp((v >>> 2) & 3, v & 1);
    this.limit = 0; // unmasking may make an interrupt takeable
  }

  /** Switch EL/SPSel, swapping the live SP (slot 32) with its bank. */
  selectSp(el: number, spsel: number): void {
    const oldBank = this.el === 1 && this.spsel === 1 ? 2 : 0;
    const newBank = el === 1 && spsel === 1 ? 2 : 0;
    if (oldBank !== newBank) {
      this.spBank[oldBank] = this.lo[SP_SLOT];
      this.spBank[oldBank + 1] = this.hi[SP_SLOT];
      this.lo[SP_SLOT] = this.spBank[newBank];
      this.hi[SP_SLOT] = this.spBank[newBank + 1];
    }
    this.el = el;
    this.spsel = spsel;
  }

  /** Is SP_EL`el` the live SP (slot 32), rather than held in spBank? */
  spIsLive(el: 0 | 1): boolean {
    return (this.el === 1 && this.spsel === 1 ? 1 : 0) === el;
  }

  /** SP_EL0 or SP_EL1 as a BigInt, whichever is live. */
  getBankedSp(el: 0 | 1): bigint {
    if (this.spIsLive(el)) return this.getX(SP_SLOT);
    const b = el * 2;
    return (BigInt(this.spBank[b + 1] >>> 0) << 32n) | BigInt(this.spBank[b] >>> 0);
  }
  setBankedSp(el: 0 | 1, v: bigint): void {
    if (this.spIsLive(el)) return this.setX(SP_SLOT, v);
    const b = el * 2;
    this.spBank[b] = Number(v & 0xffffffffn) | 0;
    this.spBank[b + 1] = Number((v >> 32n) & 0xffffffffn) | 0;
  }

  // ---- exceptions ----

  /**
   * Take an exception to EL1. ARM ARM AArch64.TakeException; QEMU
   * target/arm/helper.c arm_cpu_do_interrupt_aarch64.
   * @param kind VECTOR_SYNC / VECTOR_IRQ / VECTOR_FIQ offset within the vector block
   * @param returnAddr preferred return address (bytes) for ELR_EL1
   */
  takeException(kind: number, returnAddr: number, esr: number): void {
    const fromEl = this.el;
    let base = 0;
    if (fromEl === 0) base = 0x400;
    else if (this.spsel === 1) base = 0x200;
    this.spsr = this.pstate;
    this.elr = BigInt(returnAddr);
    if (kind === VECTOR_SYNC) this.esr = esr >>> 0;
    this.daif = 0xf;
    this.selectSp(1, 1);
    this.exclAddr = -1;
    this.pc = Number(this.vbar & ~0x7ffn) + base + kind;
    this.limit = 0;
    this.entryAt = this.retired + this.qn;
    this.vectored = true;
  }

  /** Raise a synchronous exception for the instruction at `pc` and abandon it. */
  raiseSync(pc: number, ec: number, iss: number, far?: number): never {
    const esr = ((ec << 26) | (1 << 25) | (iss & 0x1ffffff)) >>> 0;
    if (this.host.syncException !== undefined) {
      const next = this.pc;
      this.pc = pc;
      if (this.host.syncException(this, esr, far)) throw GUEST_EXCEPTION;
      this.pc = next;
    }
    if (far !== undefined) this.far = BigInt(far);
    this.takeException(VECTOR_SYNC, pc, esr);
    throw GUEST_EXCEPTION;
  }

  /** The architectural UNDEFINED exception (ESR EC 0) for the instruction at `pc`. */
  raiseUndefined(pc: number): never {
    return this.raiseSync(pc, EC_UNKNOWN, 0);
  }

  /**
   * Data abort for the instruction at `pc` accessing `addr`.
   * @param dfsc DFSC_ALIGNMENT or DFSC_EXTERNAL
   * @param write whether the access was a store (ISS.WnR)
   */
  raiseDataAbort(pc: number, addr: number, dfsc: number, write: boolean): never {
    return this.raiseSync(pc, EC_DATA_ABORT_SAME_EL, (write ? 1 << 6 : 0) | dfsc, addr);
  }

  /** Take a pending, unmasked IRQ or FIQ if there is one. @returns true if taken. */
  checkInterrupts(): boolean {
    if (this.fiqLine && !(this.daif & DAIF_F)) {
      this.pmrAtInterrupt = this.host.icc.readNum(this, 'PMR');
      this.takeException(VECTOR_FIQ, this.pc, 0);
      return true;
    }
    if (this.irqLine && !(this.daif & DAIF_I)) {
      this.pmrAtInterrupt = this.host.icc.readNum(this, 'PMR');
      this.takeException(VECTOR_IRQ, this.pc, 0);
      return true;
    }
    return false;
  }

  // ---- memory slow paths (MMIO and faults); RAM fast paths are inlined in decoders ----

  /** Unsigned load of 1, 2 or 4 bytes from a non-RAM or unaligned address at instruction `pc`. */
  loadSlow(pc: number, addr: number, size: number): number {
    if (addr % size !== 0) this.raiseDataAbort(pc, addr, DFSC_ALIGNMENT, false);
    const bus = this.host.bus;
    if (bus.isRam(addr, size)) {
      const off = addr - bus.ramBase;
      if (bus.pageFlags[off >>> 12] & PAGE_WATCH) this.checkWatch(pc, addr, size, false);
      if (size === 1) return bus.ram[off];
      if (size === 2) return bus.ram16[off >>> 1];
      return bus.ram32[off >>> 2] >>> 0;
    }
    const v = bus.mmioRead(addr, size, this.index);
    if (v === BUS_ABORT) this.raiseDataAbort(pc, addr, DFSC_EXTERNAL, false);
    return v;
  }

  /** Store of 1, 2 or 4 bytes to a non-RAM or unaligned address at instruction `pc`. */
  storeSlow(pc: number, addr: number, size: number, value: number): void {
    if (addr % size !== 0) this.raiseDataAbort(pc, addr, DFSC_ALIGNMENT, true);
    const bus = this.host.bus;
    if (bus.isRam(addr, size)) {
      const off = addr - bus.ramBase;
      if (bus.pageFlags[off >>> 12] & PAGE_WATCH) this.checkWatch(pc, addr, size, true);
      if (size === 1) bus.ram[off] = value;
      else if (size === 2) bus.ram16[off >>> 1] = value;
      else bus.ram32[off >>> 2] = value;
      if (bus.pageFlags[off >>> 12] !== 0) bus.storeHook(off, this.index);
      return;
    }
    if (!bus.mmioWrite(addr, size, value, this.index)) this.raiseDataAbort(pc, addr, DFSC_EXTERNAL, true);
  }

  /**
   * Stop before a RAM access of `size` bytes at physical `addr` that hits a debugger
   * watchpoint (Bus.watchpoints): the instruction at `pc` does not retire (an AArch64
   * watchpoint is taken before the access, ARM ARM D2.10), the CPU is held with pc at it,
   * and the watchpoint list reports the hit. Callers check PAGE_WATCH first.
   * @throws GUEST_EXCEPTION on a hit, to abandon the instruction
   */
  checkWatch(pc: number, addr: number, size: number, write: boolean): void {
    const wps = this.host.bus.watchpoints;
    const w = wps.match(addr, size, write);
    if (!w) return;
    this.pc = pc;
    this.hold();
    wps.onHit({ cpu: this.index, pc, watch: w, addr: Math.max(addr, w.addr), accessAddr: addr, size, write });
    throw GUEST_EXCEPTION;
  }

  // ---- the run loop ----

  /**
   * Execute up to `budget` instructions, stopping early on WFI/WFE, a stop, YIELD, or
   * when `exitRequested` is set. Any Exec that may make an interrupt takeable sets
   * `limit = 0`, which brings the loop here to re-check before the next instruction.
   * @returns instructions retired.
   */
  run(budget: number): number {
    if (this.state !== RunState.Running) return 0;
    const stepDone = this.stepDone;
    if (stepDone) budget = 1;
    this.exitRequested = false;
    this.qn = 0;
    const interrupted = this.checkInterrupts();
    if (stepDone && interrupted) return this.endStep(stepDone, true);
    this.limit = budget;
    const jit = this.engine === 'jit';
    // Turns of the loop below that retired nothing: an exception taken at an instruction
    // that faults again at once (vectors in flash, which reads as UDF #0, or unmapped) is an
    // exception storm that never retires anything. Each such entry counts against the
    // budget like an instruction, so the turn still ends and the scheduler (timers,
    // --timeout, signals, gdb) gets control back; the guest itself loops on, as on hardware.
    // A single step (budget 1) of a faulting instruction thus ends at the vector, as QEMU's.
    let stalls = 0;
    for (;;) {
      const before = this.qn;
      try {
        if (jit) this.executeBlocks();
        else this.execute();
      } catch (e) {
        if (e !== GUEST_EXCEPTION) throw e;
        // The exception has been taken; the faulting instruction did not retire.
      }
      if (this.limit !== 0) break; // budget used up
      if (this.state !== RunState.Running || this.exitRequested) break;
      if (this.qn === before && this.qn + ++stalls >= budget) break;
      this.checkInterrupts();
      this.limit = budget;
    }
    const n = this.qn;
    this.retired += n;
    this.qn = 0;
    if (stepDone) this.endStep(stepDone, false);
    return n;
  }

  /** A debugger single step is over: hold the CPU and report (see stepDone). @returns 0 when nothing else ran */
  private endStep(done: (interrupted: boolean) => void, interrupted: boolean): number {
    this.stepDone = null;
    this.hold();
    done(interrupted);
    return 0;
  }

  /**
   * The inner loop: fetch from the decode cache, run, count. Kept free of try/catch and
   * of anything but the common path. `qn` is stored before each instruction so the
   * clock can read it (under --icount) and a faulting instruction is not counted.
   */
  private execute(): void {
    const code = this.host.code;
    let page: Exec[] = NO_PAGE;
    let pageBase = -4096;
    let qn = this.qn;
    while (qn < this.limit) {
      const pc = this.pc;
      let off = pc - pageBase;
      if (off < 0 || off >= 4096 || (off & 3) !== 0) {
        const p = (pc & 3) === 0 ? code.page(pc) : undefined;
        if (p === undefined) {
          // Outside RAM (flash), or a misaligned PC: no cached page to run from.
          this.qn = qn;
          this.executeOutsideRam(pc);
          qn++;
          continue;
        }
        page = p;
        pageBase = pc - (pc & 0xfff);
        off = pc - pageBase;
      }
      const fn = page[off >>> 2] ?? code.fill(page, pc);
      this.pc = pc + 4;
      this.qn = qn;
      fn(this);
      qn++;
    }
    this.qn = qn;
  }

  /**
   * The jit engine's inner loop: run the compiled block at `pc` when it fits in what is left
   * of the budget (so a block never runs past it, and --icount switches CPUs and takes
   * interrupts at the same counts as the interpreter), else one instruction as execute()
   * does. A block stores `qn` itself before it calls an Exec; a block that bails (returns
   * ~count, see Block) leaves its instruction to the interpreter here.
   */
  private executeBlocks(): void {
    const code = this.host.code;
    const blocks = code.blocks;
    let qn = this.qn;
    let tail = false;
    let bailed = false;
    // Is pc a branch target, a block exit or an exception vector (see BlockCache.lookup)? An
    // idle guest's timer interrupt enters here at its vector each tick, so that is heated too.
    let heat = this.vectored;
    this.vectored = false;
    while (qn < this.limit) {
      const pc = this.pc;
      if (!tail && !bailed) {
        const e = blocks.lookup(pc, heat);
        if (e !== undefined) {
          if (qn + e.len <= this.limit) {
            qn = e.block.run(this, qn, e.s);
            if (qn < 0) {
              qn = ~qn;
              bailed = true;
            }
            heat = true;
            continue;
          }
          // The rest of the budget is shorter than this block: interpret it without
          // looking up (and heating) the addresses inside the block.
          tail = true;
        }
      }
      bailed = false;
      const page = (pc & 3) === 0 ? code.page(pc) : undefined;
      this.qn = qn;
      if (page === undefined) {
        this.executeOutsideRam(pc);
      } else {
        const w = (pc & 0xfff) >>> 2;
        const fn = page[w] ?? code.fill(page, pc);
        this.pc = pc + 4;
        fn(this);
      }
      qn++;
      heat = this.pc !== pc + 4;
    }
    this.qn = qn;
  }

  /** For WFE: an interrupt is signalled and not masked by PSTATE (a wake-up event). */
  wfeWakeable(): boolean {
    return (this.irqLine && !(this.daif & DAIF_I)) || (this.fiqLine && !(this.daif & DAIF_F));
  }

  /** One instruction fetched from outside RAM: from flash (decoded, not cached), else a fetch abort. */
  private executeOutsideRam(pc: number): void {
    const word = (pc & 3) === 0 ? this.host.bus.fetchWord(pc) : undefined;
    if (word === undefined) this.raiseFetchAbort(pc);
    const fn = decode(word, pc);
    if (fn === undefined) this.raiseUndefined(pc);
    this.pc = pc + 4;
    fn(this);
  }

  /** Instruction abort for a fetch from `pc` that is not executable memory. */
  raiseFetchAbort(pc: number): never {
    if (pc % 4 !== 0) this.raiseSync(pc, EC_PC_ALIGNMENT, 0, pc);
    this.raiseSync(pc, EC_INSN_ABORT_SAME_EL, DFSC_EXTERNAL, pc);
  }

  /** Stop this CPU (e.g. an unmodelled feature); the machine reports `reason`. */
  stop(reason: string): void {
    this.state = RunState.Stopped;
    this.exitRequested = true;
    this.stopReason = reason;
    this.limit = 0;
    this.host.wake(this);
  }

  /**
   * Hold this CPU for the debugger: it stops at an instruction boundary and stays out of
   * the scheduler until release(). Its architectural state is untouched.
   */
  hold(): void {
    if (this.state === RunState.Held) return;
    this.heldFrom = this.state;
    this.state = RunState.Held;
    this.exitRequested = true;
    this.limit = 0;
  }

  /** Undo hold(): back to what it was doing (WFI/WFE re-check their wake-up conditions). */
  release(): void {
    if (this.state !== RunState.Held) return;
    this.state = this.heldFrom;
    this.host.wake(this);
  }
}

