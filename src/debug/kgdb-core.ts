import { AddressHooks } from './address-hooks';
import { KGDB_COMPILED_BRK, SoftwareBreakpoints } from './breakpoints';
import type { MachineEvent, MachineEventKind } from '../machine/events';
import { StopEventLog, takenAs } from './events';
import type { CpuRegisters, MachinePort, WatchHitInfo, WatchKind } from './machine-port';
import { HardwareWatchpoints } from './watchpoints';
import { PT_REGS_CORE_SIZE, PT_REGS_PC, PT_REGS_PMR_SAVE, PT_REGS_PSTATE, decodePtRegs, encodePtRegs } from './pt-regs';

/** Signals as gdb numbers them (gdb/signals.def), used in stop replies. */
export const SIGINT = 2;
export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGBUS = 7;
export const SIGSEGV = 11;

/** Interrupts a single step lets run before giving up and stopping on the vector. */
const MAX_INTERRUPTS_PER_STEP = 16;

/**
 * Under `--step-mode gdb`, how long (machine ns) the released CPUs run on after the
 * master's single instruction before the new roundup is sent. It stands for the master's
 * way back into the debugger on hardware (the step exception, kgdb_handle_exception,
 * kgdb_cpu_enter up to kgdb_roundup_cpus), during which the others keep running; here the
 * step ends the instant the instruction retires, and without this window the others would
 * often not run at all. 200 µs: under --icount 4 (16 ns per instruction retired by any CPU)
 * 12500 instructions shared by the running CPUs, about three scheduler quanta.
 */
export const GDB_STEP_REENTRY_NS = 200_000;

/** Where the guest's kgdb entry points are (ELF symbol addresses), if it has them. */
export interface GuestKgdb {
  /** kgdb_handle_exception(int vector, int signo, int err, struct pt_regs *regs). */
  handleException: number;
  /** kgdb_nmicallback(int cpu, void *regs). */
  nmiCallback: number;
  /**
   * INTID of the guest's roundup SGI: reads its `kgdb_roundup_sgi` now (the guest sets it
   * when it registers the IPI, so it is read at each roundup, not at load). Undefined when
   * the guest has not published one yet.
   */
  roundupSgi(): number | undefined;
  /**
   * Address of the guest's `arm64_irq_prio_masking` byte (arch/arm64 cpufeature.c; nonzero
   * once irqchip.gicv3_pseudo_nmi=1 turned on IRQ priority masking), read at each event:
   * entry.S saves pt_regs->pmr_save only when it is set. Undefined when the guest lacks it.
   */
  prioMaskingFlag?: number;
  /**
   * Can the guest take a SysRq-g break-in now? Its roundup SGI is published and its console
   * receive interrupt is enabled (the bundled guest publishes kgdb_roundup_sgi in init_IRQ,
   * before pl011_enable_rx makes serial SysRq live, so the SGI alone is too early).
   */
  breakInReady(): boolean;
}

/** How often interrupt() looks whether a booting guest can take the break-in yet, machine ns. */
export const KGDB_READY_POLL_NS = 1_000_000;
/**
 * How long interrupt() waits for a booting guest to become able to take the break-in
 * (kgdbwait-like), machine ns, before holding the CPUs from outside: 10 s.
 */
export const KGDB_READY_WAIT_NS = 10_000_000_000;

/** A CPU's part in the current debugger entry (Linux: kgdb_info[cpu].exception_state). */
export type CpuRole =
  | 'none' // not in the debugger (not rounded up, or no stop)
  | 'master' // holds the debugger (DCPU_WANT_MASTER that won dbg_master_lock)
  | 'slave' // answered the roundup (DCPU_IS_SLAVE)
  | 'next-master' // trapped while another CPU was master: becomes master on the next resume
  | 'halted'; // held from outside (no kgdb in the guest, or the break-in was not taken)

/** Why the machine is stopped, for the stop reply. */
export interface StopInfo {
  /** The CPU the stop is reported on (the master). */
  cpu: number;
  signo: number;
  /**
   * 'swbreak': a gdb breakpoint (brk #0x400); 'step': a completed single step; 'watch': a
   * data access hit a watchpoint (see `watch`).
   */
  reason: 'swbreak' | 'compiled-break' | 'signal' | 'step' | 'halted' | 'watch';
  /** One line for humans (also sent to gdb as console output). */
  detail: string;
  /** For 'watch': the watchpoint's kind and the first watched byte accessed. */
  watch?: WatchStop;
}

/** The watchpoint a stop reports: its kind and the data address (inside the watchpoint). */
export interface WatchStop {
  kind: WatchKind;
  addr: number;
}

/**
 * How a single step treats the other CPUs: 'kgdb' keeps them parked whatever gdb asks (as
 * Linux kgdb, which holds dbg_slave_lock while kgdb_single_step is set); 'gdb' honours a
 * step of the master with the others continuing (vCont;s:N;c): they are released for the
 * step and rounded up again afterwards by a new roundup.
 */
export type StepMode = 'kgdb' | 'gdb';

/**
 * What gdb asked of the CPUs other than the master on a resume: 'continue' (`vCont;c`,
 * `vCont;s:N;c`) or 'stay' where they are (`vCont;s:N`, `vCont;c:N`: gdb's step-over of one
 * thread, or `set scheduler-locking on`).
 */
export type OthersAction = 'stay' | 'continue';

/**
 * A run of the master that ends in a stop reported on it: a single step, or a lone
 * continue (KgdbCore.runAlone), which is a step that does not end after one instruction.
 */
interface StepInProgress {
  cpu: number;
  /**
   * 'run': the master runs (back to the stepped pc, an interrupt handler, or a lone
   * continue); 'step': one instruction is pending.
   */
  phase: 'run' | 'step';
  /** What the master is doing, for stop details. */
  doing: 'stepping' | 'running alone';
  /** Removes the hook that waits for the master at the stepped pc; null when none is set. */
  unhook: (() => void) | null;
  /** Report the stop that ends the step. */
  end(signo: number, reason: StopInfo['reason'], detail: string, watch?: WatchStop): void;
}

interface CpuInfo {
  role: CpuRole;
  /** Guest address of the pt_regs the CPU entered with (master/slave/next-master). */
  ptRegs?: number;
  /** Registers as gdb sees them come from the CPU itself (after a step, or halted from outside). */
  realView: boolean;
  signo: number;
  /** Machine time the CPU entered, µs. */
  arrivedUs?: number;
  late: boolean;
  takenAs?: 'nmi' | 'irq';
  /** A roundup SGI was sent and not yet answered (kgdb_info[cpu].rounding_up). */
  roundingUp: boolean;
  /** Entered through a watchpoint hit (held before the access, real registers). */
  watch?: WatchStop;
  /** Held from outside, then moved by gdb (a step, a lone run): its halt reason is history. */
  moved?: 'stepped' | 'run alone';
}

export interface KgdbCoreOptions {
  /** The guest's kgdb entry points, or undefined for a kernel without kgdb. */
  guest?: GuestKgdb;
  /** How long the master waits for the others, machine ns (Linux: 1000 × udelay(1000)). */
  roundupTimeoutNs: number;
  /** Called when the machine has stopped and gdb may look (after the roundup completes or times out). */
  onStop: (s: StopInfo) => void;
  /** Console line for the user (announcements that are not guest output). */
  onNotice?: (text: string) => void;
  /** How a step of the master treats the other CPUs (default 'kgdb'). */
  stepMode?: StepMode;
}

/**
 * The kgdb debug core, modelled on Linux kernel/debug/debug_core.c: a CPU entering
 * kgdb_handle_exception becomes master (or queues as the next master), the master rounds
 * the others up by sending the guest's roundup SGI exactly as its own ICC_SGI1R_EL1 write
 * would and waits up to the roundup timeout, CPUs answering through kgdb_nmicallback
 * become slaves, and on resume every CPU returns from the intercepted function with 0
 * ("handled"), or only the master when gdb continues it alone (runAlone). The GIC alone
 * decides who takes the SGI. CPUs never rounded up keep running.
 */
export class KgdbCore {
  private readonly info: CpuInfo[];
  readonly breakpoints: SoftwareBreakpoints;
  /** gdb's hardware watchpoints (Z2/Z3/Z4), in the machine only while it runs. */
  readonly watchpoints: HardwareWatchpoints;
  /** Events of the current (or last) debugger entry, from the machine's event stream. */
  readonly log: StopEventLog;
  private masterCpu = -1;
  /** gdb waits for a stop (a roundup or a step is in progress). */
  private waiting = false;
  /** A roundup is in progress: arrivals are counted and the timeout is armed. */
  private rounding = false;
  /** The stop a roundup after a gdb-mode step reports once it completes. */
  private pendingStop: StopInfo | undefined;
  private timedOut = false;
  private cancelTimeout: (() => void) | null = null;
  private stopInfo: StopInfo | undefined;
  /** Cancels the "break-in not taken" alarm of a pending interrupt(); null when none is pending. */
  private breakInPending: (() => void) | null = null;
  /** The single step in progress, if any. */
  private step: StepInProgress | null = null;
  private readonly hooks: AddressHooks;
  /** The current entry is the guest's answer to gdb's interrupt request (SysRq-g we sent). */
  private entryAnswersBreakIn = false;
  /** Why the CPUs are held from outside (role 'halted'), for `info threads`. */
  private haltWhy = '';
  /** The CPU whose fault made this stop (haltOnFault), and its description. */
  private fault: { cpu: number; why: string } | undefined;
  /** The guest's kgdb entry points (replaced by reset()), and the removers of their hooks. */
  private guest: GuestKgdb | undefined;
  private unhookGuest: (() => void)[] = [];

  constructor(
    private readonly port: MachinePort,
    private readonly opts: KgdbCoreOptions,
  ) {
    this.info = Array.from({ length: port.cpuCount }, () => ({ role: 'none', realView: false, signo: 0, late: false, roundingUp: false }));
    this.breakpoints = new SoftwareBreakpoints(port);
    this.watchpoints = new HardwareWatchpoints(port);
    port.onWatchHit((h) => this.onWatchHit(h));
    this.hooks = new AddressHooks(port);
    this.log = new StopEventLog(port.events);
    this.hookGuest(opts.guest);
    this.arm();
  }

  private hookGuest(g: GuestKgdb | undefined): void {
    for (const unhook of this.unhookGuest.splice(0)) unhook();
    this.guest = g;
    if (!g) return;
    this.unhookGuest.push(
      this.hooks.add(g.handleException, (cpu) => this.onHandleException(cpu)),
      this.hooks.add(g.nmiCallback, (cpu) => this.onNmiCallback(cpu)),
    );
  }

  /**
   * The machine was rebooted (`monitor reset`, after Board.reboot): forget every CPU's part
   * in the debugger, any roundup, break-in or step in progress, and hook the entry points
   * of the kernel now loaded (a rebuilt kernel has them at other addresses). gdb's
   * breakpoints stay recorded (gdb still believes them inserted) and are written into the
   * new image when the machine runs. Called between gdb's packets (a monitor command), so
   * never while a single step is pending (gdb then waits for its stop and sends nothing else).
   * @param guest the reloaded kernel's kgdb entry points, undefined when it has none
   * @param haltWhy hold every CPU where it is now (its first instruction), with this as
   *   what `info threads` shows (`monitor reset halt`); undefined: let the machine run
   */
  reset(guest: GuestKgdb | undefined, haltWhy?: string): void {
    this.cancelTimeout?.();
    this.cancelTimeout = null;
    this.breakInPending?.();
    this.breakInPending = null;
    if (this.step) this.dropRun(this.step);
    this.disarm();
    // The reboot ends the debugger entry as a release would: its record closes.
    if (this.masterCpu >= 0) this.event('released', this.masterCpu, {});
    this.hookGuest(guest);
    for (const inf of this.info) Object.assign(inf, { role: 'none', ptRegs: undefined, realView: false, signo: 0, arrivedUs: undefined, late: false, takenAs: undefined, roundingUp: false, watch: undefined });
    this.masterCpu = -1;
    this.waiting = false;
    this.rounding = false;
    this.pendingStop = undefined;
    this.fault = undefined;
    this.timedOut = false;
    this.stopInfo = undefined;
    this.entryAnswersBreakIn = false;
    this.log.end();
    if (haltWhy !== undefined) this.haltFromOutside(SIGINT, haltWhy);
    else this.arm();
  }

  /** Does the guest have kgdb entry points? */
  get guestHasKgdb(): boolean {
    return this.guest !== undefined;
  }

  /** The current stop, or undefined while the machine runs (or a roundup is still waiting). */
  get stop(): StopInfo | undefined {
    return this.waiting ? undefined : this.stopInfo;
  }

  /**
   * A single instruction of the master is pending (a step that gdb asked for and that ends
   * by itself at once, whatever happens meanwhile; detach() cannot call it back).
   */
  get stepPending(): boolean {
    return this.step?.phase === 'step';
  }

  get master(): number {
    return this.masterCpu;
  }

  /** The current (or last) stop's events (StopEventLog), in machine-time order. */
  get events(): readonly MachineEvent[] {
    return this.log.events;
  }

  role(cpu: number): CpuRole {
    return this.info[cpu].role;
  }

  // ---- guest entry points (arch hooks) ----

  /** kgdb_handle_exception(vector, signo, err, regs): enter as master (kgdb_cpu_enter with DCPU_WANT_MASTER). */
  private onHandleException(cpu: number): boolean {
    const r = this.port.registers(cpu);
    const inf = this.info[cpu];
    const st = this.step;
    if (st && st.cpu === cpu) {
      // The stepped master trapped again (a breakpoint in the code it ran on the way back to
      // the stepped instruction, e.g. an interrupt handler): the step ends in that new entry.
      this.port.hold(cpu);
      inf.ptRegs = Number(r.x[3]);
      inf.signo = Number(r.x[1] & 0xffn);
      inf.realView = false;
      st.end(inf.signo, this.stopReason(cpu), `CPU ${cpu} trapped while ${st.doing}`);
      return true;
    }
    if (inf.role !== 'none') return false; // re-entry from inside the debugger: let the guest's own code run
    this.port.hold(cpu);
    inf.ptRegs = Number(r.x[3]);
    inf.signo = Number(r.x[1] & 0xffn);
    inf.realView = false;
    inf.arrivedUs = this.nowUs();
    if (this.masterCpu >= 0) {
      // Another CPU holds dbg_master_lock: this one spins for it and becomes the next master.
      inf.role = 'next-master';
      inf.roundingUp = false;
      this.event('entered-next-master', cpu, { signo: inf.signo, ...this.interruptedMask(cpu) });
      this.checkAllArrived();
      return true;
    }
    this.becomeMaster(cpu);
    return true;
  }

  /** kgdb_nmicallback(cpu, regs): join as slave only while a master holds the debugger. */
  private onNmiCallback(cpu: number): boolean {
    const inf = this.info[cpu];
    inf.roundingUp = false;
    if (this.masterCpu < 0 || inf.role !== 'none') return false; // lands after release: "not handled", as Linux
    const r = this.port.registers(cpu);
    const mask = this.port.maskView(cpu);
    this.port.hold(cpu);
    inf.role = 'slave';
    inf.ptRegs = Number(r.x[1]);
    inf.realView = false;
    inf.arrivedUs = this.nowUs();
    // The running priority inside the handler is the SGI's priority: an NMI-priority SGI
    // (more urgent than the "IRQs off" PMR) is the pseudo-NMI; otherwise it came as an IRQ.
    inf.takenAs = takenAs(mask.rpr);
    inf.late = this.timedOut;
    this.event(inf.late ? 'arrived-late' : 'entered-slave', cpu, {
      intid: this.guest?.roundupSgi(),
      takenAs: inf.takenAs,
      ...this.interruptedMask(cpu),
    });
    if (inf.late) this.notice(`kgdb-lab: CPU ${cpu} answered the roundup late, after the timeout; it is now rounded up (gdb: maintenance flush register-cache, then info threads)`);
    this.checkAllArrived();
    return true;
  }

  /**
   * A data access hit a watchpoint: the CPU is held before the access (real registers, pc
   * at the instruction) and enters the debugger as master, or as the next master if another
   * CPU holds it, exactly as a CPU trapping into kgdb_handle_exception would (QEMU's
   * gdbstub stops the accessing CPU; Linux kgdb enters from the hw_breakpoint handler).
   */
  private onWatchHit(h: WatchHitInfo): void {
    const cpu = h.cpu;
    const inf = this.info[cpu];
    const watch: WatchStop = { kind: h.watch.kind, addr: h.addr };
    const what = `CPU ${cpu} hit a ${h.watch.kind} watchpoint at 0x${h.addr.toString(16)} (${h.write ? 'store' : 'load'} of ${h.size} bytes at pc 0x${h.pc.toString(16)})`;
    const st = this.step;
    if (st && st.cpu === cpu) {
      this.holdHere(cpu);
      this.event('watch-hit', cpu, { pc: h.pc, addr: h.addr });
      st.end(SIGTRAP, 'watch', what, watch);
      return;
    }
    // A CPU the debugger holds does not run, and watchpoints are out of the machine while
    // it is stopped: only a running CPU ('none') can get here.
    if (inf.role !== 'none') return;
    inf.realView = true;
    inf.ptRegs = undefined;
    inf.signo = SIGTRAP;
    inf.watch = watch;
    inf.arrivedUs = this.nowUs();
    inf.roundingUp = false;
    const hit = (): void => this.event('watch-hit', cpu, { pc: h.pc, addr: h.addr });
    // Without kgdb in the guest there is nobody to round up: stop every CPU, as QEMU's gdbstub does.
    if (!this.guestHasKgdb && this.masterCpu < 0) return this.haltOnWatch(cpu, watch, hit);
    if (this.masterCpu >= 0) {
      inf.role = 'next-master';
      hit();
      this.event('entered-next-master', cpu, { signo: SIGTRAP, pc: h.pc, addr: h.addr, ...this.liveMask(cpu) });
      this.checkAllArrived();
      return;
    }
    this.becomeMaster(cpu, hit);
  }

  /** @param first emits what caused the entry (e.g. 'watch-hit'), first in the stop's record */
  private becomeMaster(cpu: number, first?: () => void): void {
    const inf = this.info[cpu];
    inf.role = 'master';
    this.masterCpu = cpu;
    this.log.begin();
    first?.();
    this.timedOut = false;
    this.disarm();
    const at = inf.watch ? { pc: Number(this.port.registers(cpu).pc), addr: inf.watch.addr, ...this.liveMask(cpu) } : this.interruptedMask(cpu);
    this.event('entered-master', cpu, { signo: inf.signo, ...at });
    this.entryAnswersBreakIn = this.breakInPending !== null;
    if (this.breakInPending) {
      this.breakInPending();
      this.breakInPending = null;
    }
    this.roundup(cpu);
  }

  /** kgdb_roundup_cpus as the seed series' arm64 version: one SGI to every other online CPU. */
  private roundup(master: number): void {
    this.waiting = true;
    this.rounding = true;
    const g = this.guest;
    const targets = this.online().filter((c) => c !== master && this.info[c].role === 'none');
    const sgi = g?.roundupSgi();
    // Without an SGI nobody can answer: the stop goes on with the others not rounded up.
    if (sgi === undefined && targets.length > 0) this.notice('kgdb-lab: the guest has not published kgdb_roundup_sgi yet: no roundup');
    if (sgi !== undefined && targets.length > 0) {
      for (const c of targets) this.info[c].roundingUp = true;
      // The GIC reports each SGI it makes pending ('sgi-sent' events) into the same stream.
      this.port.sendSgi(master, sgi, targets);
      this.cancelTimeout = this.port.at(this.port.nowNs() + this.opts.roundupTimeoutNs, () => this.onTimeout());
    }
    if (sgi === undefined) return this.finishRoundup();
    this.checkAllArrived();
  }

  private checkAllArrived(): void {
    // Only a roundup waits for arrivals: a CPU trapping during a step does not end the step.
    if (!this.rounding) return;
    if (this.online().some((c) => this.info[c].role === 'none')) return;
    this.finishRoundup();
  }

  private onTimeout(): void {
    this.cancelTimeout = null;
    if (!this.rounding) return;
    const missing = this.online().filter((c) => this.info[c].role === 'none');
    this.timedOut = true;
    this.event('timed-out', this.masterCpu, { cpus: missing });
    // Linux prints this at KERN_CRIT from the master (kernel/debug/debug_core.c); the
    // "[cpuN] " after the stamp is the bundled guest's printk format (guest/src/kernel/printk.c).
    this.port.consoleWrite(`${this.printkStamp()}[cpu${this.masterCpu}] KGDB: Timed out waiting for secondary CPUs.\n`);
    this.finishRoundup();
  }

  private finishRoundup(): void {
    this.waiting = false;
    this.rounding = false;
    if (this.cancelTimeout) {
      this.cancelTimeout();
      this.cancelTimeout = null;
    }
    const m = this.masterCpu;
    const pending = this.pendingStop;
    if (pending) {
      // The roundup after a gdb-mode step: the stop is the step's.
      this.pendingStop = undefined;
      const missing = this.online().filter((c) => this.info[c].role === 'none');
      this.stopInfo = { ...pending, detail: `${pending.detail}; ${missing.length ? `not rounded up: CPU ${missing.join(', ')}` : 'every online CPU rounded up again'}` };
      this.opts.onStop(this.stopInfo);
      return;
    }
    const inf = this.info[m];
    let reason = this.stopReason(m);
    let signo = inf.signo;
    if (this.entryAnswersBreakIn && reason === 'compiled-break') {
      // The guest entered through the SysRq-g we sent for gdb's interrupt request (Ctrl-C).
      // Linux's gdbstub would report the kgdb_breakpoint() SIGTRAP; gdb (and its user) expect
      // an interrupt to stop with SIGINT, as QEMU's gdbstub and gdbserver report it. With a
      // SIGTRAP gdb would also hide the inlined arch_kgdb_breakpoint() frame.
      reason = 'signal';
      signo = SIGINT;
    }
    this.stopInfo = { cpu: m, signo, reason, detail: this.describeEntry(m), watch: inf.watch };
    this.opts.onStop(this.stopInfo);
  }

  private stopReason(cpu: number): StopInfo['reason'] {
    const inf = this.info[cpu];
    // Held from outside, unless it has since entered kgdb_handle_exception itself (a step or lone run).
    if (inf.role === 'halted' && inf.ptRegs === undefined) return 'halted';
    if (inf.watch) return 'watch';
    if (inf.signo !== SIGTRAP) return 'signal';
    const pc = this.ptRegsPc(cpu);
    if (pc !== undefined && this.breakpoints.has(pc)) return 'swbreak';
    return 'compiled-break';
  }

  private describeEntry(cpu: number): string {
    const missing = this.online().filter((c) => this.info[c].role === 'none');
    const w = this.info[cpu].watch;
    const who =
      this.info[cpu].role === 'halted' ? 'halted from outside' : w ? `CPU ${cpu} entered kgdb on a ${w.kind} watchpoint at 0x${w.addr.toString(16)}` : `CPU ${cpu} entered kgdb`;
    return missing.length ? `${who}; not rounded up: CPU ${missing.join(', ')}` : `${who}; every online CPU rounded up`;
  }

  // ---- the front end's view ----

  /**
   * Registers of a CPU as gdb should see them: the pt_regs it entered with (master,
   * slaves), its real registers when held from outside, or undefined when it is not
   * rounded up (gdb shows <unavailable>; real kgdb would show stale idle-task registers)
   * or is powered off (a CPU that PSCI has not started has no context to show).
   */
  registers(cpu: number): CpuRegisters | undefined {
    const inf = this.info[cpu];
    if (inf.role === 'none') return undefined;
    if (inf.role === 'halted' && !this.port.isOnline(cpu)) return undefined;
    if (inf.realView || inf.ptRegs === undefined) return this.port.registers(cpu);
    const b = this.port.readMemory(inf.ptRegs, PT_REGS_CORE_SIZE);
    return b ? decodePtRegs(b) : undefined;
  }

  /**
   * Write the master's registers (into its pt_regs: they take effect when it returns).
   * @throws Error for any other CPU (kgdb refuses G/P for a non-current thread), or when
   *   the pt_regs the guest passed cannot be read or written (not RAM: e.g. a bad regs
   *   pointer into flash, which reads but does not take writes), or when cpsr names a mode
   *   this CPU cannot be in (checkPstateMode); nothing is written then
   */
  setRegisters(cpu: number, regs: CpuRegisters): void {
    this.checkRegistersWritable(cpu);
    checkPstateMode(regs.pstate);
    const inf = this.info[cpu];
    if (inf.realView || inf.ptRegs === undefined) return this.port.setRegisters(cpu, regs);
    const at = `pt_regs at 0x${inf.ptRegs.toString(16)}`;
    const prev = this.port.readMemory(inf.ptRegs, PT_REGS_CORE_SIZE);
    if (!prev) throw new Error(`${at} unreadable`);
    // MachinePort.writeMemory writes all or nothing: false means the registers did not change.
    if (!this.port.writeMemory(inf.ptRegs, encodePtRegs(regs, prev))) throw new Error(`${at} is not RAM: the registers cannot be written`);
  }

  /** @throws Error when setRegisters(cpu) would refuse (see there) */
  private checkRegistersWritable(cpu: number): void {
    const inf = this.info[cpu];
    if (inf.role === 'none') throw new Error(`CPU ${cpu} is not rounded up: its registers cannot be written`);
    if (!this.port.isOnline(cpu)) throw new Error(`CPU ${cpu} is powered off: it has no registers to write`);
    if (inf.realView || inf.ptRegs === undefined) return;
    if (cpu !== this.masterCpu) throw new Error(`only the master CPU's registers can be written (kgdb: G/P apply to the current thread)`);
  }

  /** One line describing a CPU's state, for qThreadExtraInfo. */
  describe(cpu: number): string {
    const inf = this.info[cpu];
    const st = this.port.cpuState(cpu);
    // A held CPU's run state is 'held' whatever it was before; isOnline sees through that.
    if (!this.port.isOnline(cpu)) return 'powered off';
    if (inf.role === 'halted' && this.fault?.cpu === cpu) return this.fault.why;
    if (!this.guestHasKgdb) return inf.role === 'halted' ? 'halted (no kgdb in guest)' : 'running (no kgdb in guest)';
    switch (inf.role) {
      case 'master':
        return 'master';
      case 'slave':
        if (inf.late) return 'arrived late';
        return inf.takenAs === 'nmi' ? 'rounded up by NMI' : 'rounded up by IPI';
      case 'next-master':
        return 'trapped, waiting to be master';
      case 'halted':
        return inf.moved ? `${this.haltWhy}, then ${inf.moved} by gdb` : this.haltWhy;
      default:
        if (st === 'stopped') return 'stopped by the emulator';
        // No debugger entry at all: the machine runs (gdb looks without a stop after `monitor reset`).
        if (this.masterCpu < 0 && !this.waiting) return 'running';
        return this.port.maskView(cpu).irqMasked || this.port.maskView(cpu).pmr <= 0x60
          ? `not rounded up (IRQs masked${this.timedOut ? ', timed out' : ''})`
          : `not rounded up${this.timedOut ? ' (timed out)' : ''}`;
    }
  }

  /** Add/remove a software breakpoint. @throws BreakpointError (breakpoints.ts) */
  addBreakpoint(addr: number): void {
    this.breakpoints.add(addr);
  }
  removeBreakpoint(addr: number): void {
    this.breakpoints.remove(addr);
  }

  /** Add/remove a hardware watchpoint on [addr, addr + len). @throws BreakpointError (watchpoints.ts) */
  addWatchpoint(addr: number, len: number, kind: WatchKind): void {
    this.watchpoints.add(addr, len, kind);
  }
  removeWatchpoint(addr: number, len: number, kind: WatchKind): void {
    this.watchpoints.remove(addr, len, kind);
  }

  /** How steps treat the other CPUs. */
  get stepMode(): StepMode {
    return this.opts.stepMode ?? 'kgdb';
  }

  // ---- resuming ----

  /**
   * Would resume(step) (after setting `pc`) be accepted? Checks everything a resume can
   * fail on, so that callers can validate before they change any state: a rejected resume
   * leaves the stop exactly as it was (gdb manual, "Packets": an error reply to `s addr`
   * means nothing happened).
   * @param pc a new pc (bytes) for `pc.cpu`, as `c addr` / `s addr` set it before resuming
   * @throws Error when the machine is not stopped, when `pc.cpu`'s registers cannot be
   *   written (setRegisters: kgdb writes only the current thread's), or when a step would
   *   start at an address the machine cannot hook (not 4-aligned RAM: the step waits for
   *   the master there)
   */
  checkResume(step: boolean, pc?: { cpu: number; addr: number }): void {
    if (this.waiting || this.masterCpu < 0) throw new Error('not stopped');
    const m = this.masterCpu;
    if (pc) this.checkRegistersWritable(pc.cpu);
    if (!step) return;
    const inf = this.info[m];
    // A step of a CPU in the debugger through its pt_regs waits for it at the stepped pc.
    if (inf.realView || inf.ptRegs === undefined) return;
    if (pc && pc.cpu !== m) return; // the master's own pc stays
    const target = pc ? pc.addr : this.ptRegsPc(m);
    if (target === undefined) throw new Error('master pt_regs unreadable');
    if (!this.port.isCode(target)) throw new Error(`cannot step at 0x${target.toString(16)}: not an aligned RAM address`);
  }

  /**
   * Continue, or single-step the master. A step keeps the other CPUs held as kgdb does,
   * unless the step mode is 'gdb' and gdb asked them to continue meanwhile (`others`
   * 'continue', vCont;s:N;c): then they are released for the step and rounded up again by
   * a new roundup after it. A continue of the master alone (`others` 'stay', vCont;c:N)
   * runs it with the others kept where they are (runAlone), whatever the step mode. After
   * a compiled `brk #0x401` the master's pc is advanced past it, as arm64 kgdb does.
   * @param others what gdb asked of the other CPUs (default: they stay for a step, they
   *   continue with a continue)
   * @throws Error when the machine is not stopped
   */
  resume(step = false, others: OthersAction = step ? 'stay' : 'continue'): void {
    this.checkResume(step);
    const m = this.masterCpu;
    this.skipCompiledBreak(m);
    if (step) return this.stepMaster(m, this.stepMode === 'gdb' && others === 'continue');
    if (others === 'stay') return this.runAlone(m);
    this.arm();
    // Waiting next masters take over in the order they trapped.
    const queued = this.online()
      .filter((c) => this.info[c].role === 'next-master')
      .sort((x, y) => (this.info[x].arrivedUs ?? 0) - (this.info[y].arrivedUs ?? 0));
    for (let c = 0; c < this.info.length; c++) {
      const inf = this.info[c];
      if (inf.role === 'none' || inf.role === 'next-master') continue;
      this.leave(c);
    }
    this.event('released', m, {});
    this.log.end();
    this.masterCpu = -1;
    this.stopInfo = undefined;
    if (queued.length > 0) {
      // The CPU spinning on dbg_master_lock takes it now: a second stop for gdb.
      const next = queued[0];
      this.disarm();
      const w = this.info[next].watch;
      // Without kgdb only a watchpoint queues a CPU (a gdb-mode step let it run): halt all again.
      if (!this.guestHasKgdb && w) return this.haltOnWatch(next, w, () => {});
      this.becomeMaster(next);
    }
  }

  /** Let a CPU go: return from the intercepted function with 0, or just run on if held from outside. */
  private leave(cpu: number): void {
    const inf = this.info[cpu];
    this.returnFromHook(cpu);
    inf.role = 'none';
    inf.ptRegs = undefined;
    inf.realView = false;
    inf.late = false;
    inf.watch = undefined;
    this.port.release(cpu);
  }

  /**
   * A CPU in the debugger through pt_regs (kgdb_handle_exception, kgdb_nmicallback) returns
   * from the intercepted function with 0 ("handled") when it runs next: its pc becomes its
   * x30. A CPU held from outside (realView) has nothing to return from.
   */
  private returnFromHook(cpu: number): void {
    const inf = this.info[cpu];
    if (inf.realView || inf.ptRegs === undefined) return;
    const r = this.port.registers(cpu);
    r.x[0] = 0n;
    r.pc = r.x[30];
    this.port.setRegisters(cpu, r);
  }

  /** Hold a CPU where it is, its real registers in view (a watchpoint hit, Ctrl-C, gdb leaving). */
  private holdHere(cpu: number): void {
    this.port.hold(cpu);
    this.info[cpu].realView = true;
    this.info[cpu].ptRegs = undefined;
  }

  private skipCompiledBreak(cpu: number): void {
    const inf = this.info[cpu];
    if (inf.realView || inf.ptRegs === undefined) return;
    const pc = this.ptRegsPc(cpu);
    if (pc === undefined) return;
    const w = this.port.readMemory(pc, 4);
    if (w && new DataView(w.buffer, w.byteOffset).getUint32(0, true) === KGDB_COMPILED_BRK) {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, BigInt(pc + 4), true);
      this.port.writeMemory(inf.ptRegs + PT_REGS_PC, b);
    }
  }

  /**
   * Single-step the master with the others held (kgdb keeps dbg_slave_lock during a step).
   * The master returns from the debugger (or, if already held from outside, just runs) and
   * is held again after retiring exactly one instruction at the stepped pc.
   *
   * An interrupt that is pending when the master resumes would be taken instead of the
   * instruction, and the step would end on the exception vector (arm64 Linux kgdb users
   * know this as "stepping into the IRQ handler"). As debuggers that step kernels usually
   * do (QEMU's gdbstub keeps interrupts out of a step, FreeBSD and illumos kmdb mask them),
   * the user gets the instruction instead: when an interrupt is pending at the stepped pc
   * (MachinePort.interruptPending), or the step took one instead of the instruction (it
   * became pending after the check; MachinePort.stepOne reports it), the master runs the
   * handler, the others still held, and the instruction is stepped once the master is back
   * at it, up to MAX_INTERRUPTS_PER_STEP times. Ctrl-C (interrupt()) ends such a step where the master is.
   */
  private stepMaster(m: number, releaseOthers: boolean): void {
    const inf = this.info[m];
    const step = this.startMasterRun(m, 'stepping', releaseOthers);
    let interruptsSkipped = 0;
    /** @param interrupted the CPU took an interrupt instead of the instruction (MachinePort.stepOne) */
    const finished = (pc: number, interrupted: boolean): void => {
      if (this.step !== step) return; // the step already ended (a watchpoint hit stopped the instruction)
      // The interrupt became pending after interruptPending said no (a timer firing between
      // the check and the step): the master is on the vector with the handler to run, just
      // as in the pending case; let it run back to `pc` and step again.
      if (interrupted && interruptsSkipped < MAX_INTERRUPTS_PER_STEP && this.port.isCode(pc)) {
        interruptsSkipped++;
        this.event('step-interrupted', m, { pc });
        return runTo(pc);
      }
      inf.realView = true;
      inf.ptRegs = undefined;
      step.end(SIGTRAP, 'step', `CPU ${m} stepped`);
    };
    /**
     * Step the held master at `pc`. If it would take an interrupt first, let it: the handler
     * runs and returns to `pc`, where the master is held again and this is tried once more.
     */
    const stepAt = (pc: number): void => {
      // Waiting for the master back at `pc` needs a hook there (aligned RAM).
      if (this.port.interruptPending?.(m) && interruptsSkipped < MAX_INTERRUPTS_PER_STEP && this.port.isCode(pc)) {
        interruptsSkipped++;
        this.event('step-interrupted', m, { pc });
        return runTo(pc);
      }
      step.phase = 'step';
      this.port.stepOne(m, (interrupted) => finished(pc, interrupted));
    };
    /** Let the master run (the others stay held) until it is about to execute `pc`, then step it. */
    const runTo = (pc: number): void => {
      step.phase = 'run';
      step.unhook = this.hooks.add(pc, (cpu) => {
        if (cpu !== m) return false;
        step.unhook?.();
        step.unhook = null;
        this.port.hold(cpu);
        stepAt(pc);
        return true;
      });
      this.port.release(m);
    };
    if (inf.realView || inf.ptRegs === undefined) {
      stepAt(Number(this.port.registers(m).pc));
      return;
    }
    const target = this.ptRegsPc(m);
    if (target === undefined) throw new Error('master pt_regs unreadable');
    // Return from kgdb_handle_exception with "handled"; hold the master back at the stepped pc.
    this.returnFromHook(m);
    runTo(target);
  }

  /**
   * Continue the master alone (gdb's `vCont;c:N` for the master: infrun.c's step-over of
   * one thread, e.g. over an exclusive sequence with breakpoints after it, or `set
   * scheduler-locking on`): every other CPU stays as it is (slaves parked in
   * kgdb_nmicallback, CPUs held from outside held, next masters waiting), as during a kgdb
   * single step (kernel/debug/debug_core.c keeps dbg_slave_lock held while
   * kgdb_single_step is set), but the run does not end after one instruction. The master
   * returns from the debugger (or, held from outside, runs on from its pc) with
   * breakpoints and watchpoints in the machine, and the run ends when it enters the
   * debugger again (onHandleException: a breakpoint, a compiled break, a fault die()
   * offers to kgdb), hits a watchpoint (onWatchHit), faults where the guest cannot take it
   * (haltOnFault), or on Ctrl-C (interrupt()). The stop is reported on the master; the
   * others are still rounded up, their views unchanged. A master that spins on a lock
   * held by a parked CPU spins until Ctrl-C.
   */
  private runAlone(m: number): void {
    this.startMasterRun(m, 'running alone', false);
    this.returnFromHook(m);
    this.port.release(m);
  }

  /**
   * Start a run of the master that ends in a stop reported on it (a step, a lone
   * continue): gdb waits for the stop, breakpoints and watchpoints go into the machine.
   * @param doing what the master does, for the stop's detail ("stepping")
   * @param releaseOthers a gdb-mode step: the others run meanwhile and are gathered again
   *   after it (regather)
   */
  private startMasterRun(m: number, doing: StepInProgress['doing'], releaseOthers: boolean): StepInProgress {
    const inf = this.info[m];
    this.waiting = true; // gdb waits for the stop
    inf.watch = undefined;
    if (inf.role === 'halted') inf.moved = doing === 'stepping' ? 'stepped' : 'run alone';
    if (this.fault?.cpu === m) this.fault = undefined; // it runs on from its fault
    if (releaseOthers) this.releaseForStep(m);
    this.arm();
    const run: StepInProgress = {
      cpu: m,
      phase: 'run',
      doing,
      unhook: null,
      end: (signo, reason, detail, watch) => {
        this.dropRun(run);
        inf.watch = watch;
        const stop: StopInfo = { cpu: m, signo, reason, detail, watch };
        if (releaseOthers) return this.regather(m, stop);
        this.waiting = false;
        this.stopInfo = stop;
        this.opts.onStop(this.stopInfo);
      },
    };
    this.step = run;
    return run;
  }

  /** The run of the master is over: no hook waits for it, breakpoints and watchpoints are out. */
  private dropRun(run: StepInProgress): void {
    this.step = null;
    run.unhook?.();
    run.unhook = null;
    this.disarm();
  }

  /**
   * gdb-mode step: let every CPU the debugger holds go (slaves return from
   * kgdb_nmicallback, CPUs halted from outside run on), except the master and CPUs queued
   * as next master (they spin on dbg_master_lock in Linux and keep their trap).
   */
  private releaseForStep(m: number): void {
    this.log.begin();
    this.entryAnswersBreakIn = false;
    for (let c = 0; c < this.info.length; c++) {
      const role = this.info[c].role;
      if (c === m || role === 'none' || role === 'next-master') continue;
      this.leave(c);
    }
    this.event('released', m, {});
  }

  /**
   * After a gdb-mode step: gather the other CPUs again as a fresh debugger entry would, then
   * report `stop`. With kgdb in the guest that is a roundup through the guest's SGI (waiting
   * up to the roundup timeout; whoever cannot take it shows as not rounded up); CPUs that
   * were halted from outside (no kgdb, or a break-in not taken) are halted from outside again.
   * Either happens GDB_STEP_REENTRY_NS after the step, the others running meanwhile.
   */
  private regather(m: number, stop: StopInfo): void {
    this.port.at(this.port.nowNs() + GDB_STEP_REENTRY_NS, () => this.gatherNow(m, stop));
  }

  private gatherNow(m: number, stop: StopInfo): void {
    if (this.info[m].role === 'halted') {
      for (let c = 0; c < this.info.length; c++) {
        const inf = this.info[c];
        if (c === m || inf.role !== 'none') continue;
        this.holdHere(c);
        inf.role = 'halted';
      }
      this.waiting = false;
      this.stopInfo = stop;
      this.opts.onStop(stop);
      return;
    }
    this.timedOut = false;
    this.pendingStop = stop;
    this.roundup(m);
  }

  /** Breakpoints and watchpoints into the machine (it is about to run). */
  private arm(): void {
    this.breakpoints.activate();
    this.watchpoints.activate();
  }

  /** Breakpoints and watchpoints out of the machine (the debugger holds it). */
  private disarm(): void {
    this.breakpoints.deactivate();
    this.watchpoints.deactivate();
  }

  /**
   * Break in, as a kgdboc user does: a serial break and `g` (SysRq-g); whichever CPU takes
   * the UART interrupt enters as master. If none does within the roundup timeout (or the
   * guest has no kgdb), hold every CPU from outside. `onStop` reports the stop either way.
   *
   * A guest that has kgdb but is still booting (GuestKgdb.breakInReady false: gdb attached
   * at machine time 0) would lose the break: as with Linux's kgdbwait, the debugger waits
   * for the kernel's kgdb to come up, polling every KGDB_READY_POLL_NS for up to
   * KGDB_READY_WAIT_NS of machine time, then sends it; if the guest never becomes ready,
   * every CPU is held from outside. A stop meanwhile (a breakpoint, a fault) answers the
   * request. A second request while one is pending is ignored (a second serial break
   * would disarm SysRq, as uart_handle_break does).
   */
  interrupt(): void {
    const st = this.step;
    if (st) {
      // The master runs alone, or runs a handler on its way back to the stepped instruction
      // (a pending step of one instruction ends by itself at once): stop it where it is.
      if (st.phase === 'run') {
        this.holdHere(st.cpu);
        st.end(SIGINT, 'signal', `CPU ${st.cpu} interrupted while ${st.doing}`);
      }
      return;
    }
    if (this.masterCpu >= 0 || this.waiting || this.breakInPending) return;
    const g = this.guest;
    if (!g) return this.haltFromOutside(SIGINT, 'halted (no kgdb in guest)');
    if (!g.breakInReady()) return this.breakInWhenReady(g);
    this.sendBreakIn();
  }

  /** Poll the booting guest until it can take the break-in, then send it (see interrupt()). */
  private breakInWhenReady(g: GuestKgdb): void {
    const deadline = this.port.nowNs() + KGDB_READY_WAIT_NS;
    this.notice(`kgdb-lab: the guest's kgdb is not ready yet (booting): waiting up to ${KGDB_READY_WAIT_NS / 1e9} s of machine time before the break-in`);
    let cancel = (): void => {};
    const poll = (): void => {
      if (g.breakInReady()) {
        this.breakInPending = null;
        return this.sendBreakIn();
      }
      if (this.port.nowNs() >= deadline) {
        this.breakInPending = null;
        const why = 'halted from outside: kgdb never became ready';
        this.notice(`kgdb-lab: the guest's kgdb did not become ready within ${KGDB_READY_WAIT_NS / 1e9} s of machine time: ${why}`);
        return this.haltFromOutside(SIGINT, why);
      }
      cancel = this.port.at(this.port.nowNs() + KGDB_READY_POLL_NS, poll);
    };
    cancel = this.port.at(this.port.nowNs() + KGDB_READY_POLL_NS, poll);
    this.breakInPending = () => cancel();
  }

  /** SysRq-g on the serial line, and the alarm that halts from outside if no CPU takes it. */
  private sendBreakIn(): void {
    this.port.serialBreak(new TextEncoder().encode('g'));
    const cancel = this.port.at(this.port.nowNs() + this.opts.roundupTimeoutNs, () => {
      this.breakInPending = null;
      if (this.masterCpu < 0) {
        const why = 'halted from outside: break-in not taken';
        this.notice(`kgdb-lab: no CPU took the serial break (SysRq-g) within the roundup timeout: ${why}`);
        this.haltFromOutside(SIGINT, why);
      }
    });
    this.breakInPending = cancel;
  }

  /**
   * Hold every CPU where it is now, from outside (`--wait`); reported as SIGINT.
   * @param why what `info threads` shows for each held CPU, e.g. "held at the first instruction (--wait)"
   */
  haltNow(why: string): void {
    if (this.masterCpu >= 0 || this.waiting) return;
    this.haltFromOutside(SIGINT, why);
  }

  /**
   * A CPU took a fault the guest cannot handle itself (no kgdb, or vectors it cannot enter;
   * see guest-faults.ts): hold every CPU from outside and report that CPU with `signo`.
   * @param why what `info threads` shows for that CPU
   * @returns false (nothing done) while the debugger is already in (a stop, a roundup, a
   *   step), except for the master while it runs (a lone continue, or a step's way back to
   *   the stepped pc): that run ends on the fault (endRunOnFault)
   */
  haltOnFault(cpu: number, signo: number, why: string): boolean {
    const st = this.step;
    if (st && st.cpu === cpu && st.phase === 'run') return this.endRunOnFault(st, signo, why);
    if (this.masterCpu >= 0 || this.waiting || this.step) return false;
    // A break-in requested meanwhile is answered by this stop.
    if (this.breakInPending) {
      this.breakInPending();
      this.breakInPending = null;
    }
    this.haltFromOutside(signo, this.guestHasKgdb ? 'halted from outside: another CPU faulted' : 'halted (no kgdb in guest)', { cpu, why });
    return true;
  }

  /**
   * The running master faulted where the guest cannot report it to kgdb itself (see
   * haltOnFault): the run ends there, the master held at the faulting instruction.
   * @returns true (the fault is taken care of)
   */
  private endRunOnFault(st: StepInProgress, signo: number, why: string): boolean {
    const m = st.cpu;
    this.holdHere(m);
    this.info[m].signo = signo;
    if (this.info[m].role === 'halted') this.fault = { cpu: m, why };
    const pc = Number(this.port.registers(m).pc);
    st.end(signo, signo === SIGTRAP && this.breakpoints.has(pc) ? 'swbreak' : 'signal', why);
    return true;
  }

  /**
   * Hold every CPU where it is (a hardware debugger's halt); registers are the real ones.
   * The master reported is the first online CPU, or `fault.cpu`.
   */
  private haltFromOutside(signo: number, why: string, fault?: { cpu: number; why: string }): void {
    const online = this.online();
    this.holdAllFromOutside(signo, why);
    this.fault = fault;
    this.masterCpu = fault?.cpu ?? (online.length > 0 ? online[0] : 0);
    // A BRK we planted, hit by a guest without kgdb: a breakpoint stop for gdb.
    const pc = Number(this.port.registers(this.masterCpu).pc);
    const reason = fault && signo === SIGTRAP && this.breakpoints.has(pc) ? 'swbreak' : 'halted';
    this.disarm();
    this.stopInfo = { cpu: this.masterCpu, signo, reason, detail: fault?.why ?? why };
    this.opts.onStop(this.stopInfo);
  }

  /**
   * Hold every CPU where it is with its real registers in view (role 'halted') and open a
   * new stop record: what every halt from outside starts with.
   * @param why what `info threads` shows for each held CPU
   */
  private holdAllFromOutside(signo: number, why: string): void {
    for (let c = 0; c < this.info.length; c++) {
      this.holdHere(c);
      this.info[c].role = 'halted';
      this.info[c].signo = signo;
      this.info[c].moved = undefined;
    }
    this.log.begin();
    this.entryAnswersBreakIn = false;
    this.haltWhy = why;
  }

  /**
   * A watchpoint hit in a kernel without kgdb: there is nobody to round up, so every CPU is
   * held from outside (as QEMU's gdbstub stops every vCPU) and the stop is reported on the
   * CPU that made the access, with its watchpoint.
   * @param emitHit reports the 'watch-hit' event, first in the stop's record
   */
  private haltOnWatch(cpu: number, watch: WatchStop, emitHit: () => void): void {
    const why = 'halted (no kgdb in guest)';
    this.holdAllFromOutside(SIGTRAP, why);
    for (let c = 0; c < this.info.length; c++) this.info[c].watch = c === cpu ? watch : undefined;
    emitHit();
    this.fault = undefined;
    this.masterCpu = cpu;
    this.disarm();
    this.stopInfo = { cpu, signo: SIGTRAP, reason: 'watch', detail: `${why}: CPU ${cpu} hit a ${watch.kind} watchpoint`, watch };
    this.opts.onStop(this.stopInfo);
  }

  /**
   * Remove every breakpoint and resume (D, k, or a dropped connection). A master running
   * alone (or through an interrupt handler during a step) is held where it is first, so
   * that everything is released; a pending single instruction ends by itself.
   */
  detach(): void {
    this.breakpoints.clear();
    this.watchpoints.clear();
    this.abandonRun();
    if (this.masterCpu >= 0 && !this.waiting) {
      this.resume(false);
      // A queued next master would stop again with nobody attached; let it wait for gdb, as kgdb does.
    }
    if (!this.waiting) this.arm();
  }

  /** gdb left during a run of the master: end it where the master is, with no stop to report. */
  private abandonRun(): void {
    const st = this.step;
    if (!st || st.phase !== 'run') return;
    this.holdHere(st.cpu);
    this.dropRun(st);
    this.waiting = false;
  }

  // ---- helpers ----

  private online(): number[] {
    const out: number[] = [];
    for (let c = 0; c < this.info.length; c++) if (this.port.isOnline(c)) out.push(c);
    return out;
  }

  private ptRegsPc(cpu: number): number | undefined {
    const p = this.info[cpu].ptRegs;
    if (p === undefined) return undefined;
    const b = this.port.readMemory(p + PT_REGS_PC, 8);
    return b ? Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true)) : undefined;
  }

  private nowUs(): number {
    return this.port.nowNs() / 1000;
  }

  /** A printk-style "[    1.234567] " stamp from machine time. */
  private printkStamp(): string {
    const us = Math.floor(this.port.nowNs() / 1000);
    const s = Math.floor(us / 1e6);
    return `[${String(s).padStart(5, ' ')}.${String(us % 1e6).padStart(6, '0')}] `;
  }

  private notice(text: string): void {
    this.opts.onNotice?.(text);
  }

  private event(kind: MachineEventKind, cpu: number, extra: Partial<MachineEvent>): void {
    this.port.events.emit({ cpu, kind, ...extra });
  }

  /** ICC_PMR_EL1 and PSTATE.I of a CPU as it is now (for entries without pt_regs). */
  private liveMask(cpu: number): { pmr: number; irqMasked: boolean } {
    const m = this.port.maskView(cpu);
    return { pmr: m.pmr, irqMasked: m.irqMasked };
  }

  /**
   * How IRQs were masked in the context a CPU was taken from: PSTATE.I from its pt_regs
   * (arch/arm64 kernel_entry always saves it) and, only when the guest uses pseudo-NMI, its
   * pt_regs->pmr_save (entry.S saves that only with IRQ priority masking; otherwise the slot
   * holds stale stack, so `pmr` is left out). Empty when the pt_regs are unreadable.
   */
  private interruptedMask(cpu: number): { pmr?: number; irqMasked?: boolean } {
    const p = this.info[cpu].ptRegs;
    const b = p === undefined ? undefined : this.port.readMemory(p + PT_REGS_PSTATE, PT_REGS_PMR_SAVE + 8 - PT_REGS_PSTATE);
    if (!b) return {};
    const v = new DataView(b.buffer, b.byteOffset);
    const irqMasked = (v.getUint32(0, true) & 0x80) !== 0;
    const flagAt = this.guest?.prioMaskingFlag;
    const flag = flagAt === undefined ? undefined : this.port.readMemory(flagAt, 1);
    if (!flag || flag[0] === 0) return { irqMasked };
    return { pmr: v.getUint32(PT_REGS_PMR_SAVE - PT_REGS_PSTATE, true) & 0xff, irqMasked };
  }
}

/**
 * The PSTATE modes the emulated CPU has: AArch64 EL0t, EL1t and EL1h (M[4:0] = 0b00000,
 * 0b00100, 0b00101). EL2 and EL3 are not implemented (QEMU virt without virtualization=on or
 * secure=on), AArch32 neither, and M[1] is RES0 (Arm ARM, "SPSR_EL1" / "PSTATE"): an ERET to
 * any other M is an illegal exception return, so a debugger write of one is refused.
 * @throws Error naming the mode
 */
export function checkPstateMode(pstate: number): void {
  const m = pstate & 0x1f;
  if (m === 0x0 || m === 0x4 || m === 0x5) return;
  const el = (m >> 2) & 3;
  const what = m & 0x10 ? 'AArch32 state' : m & 0x2 ? 'a reserved mode (M[1] is RES0)' : el ? `EL${el}${m & 1 ? 'h' : 't'}` : 'EL0 with SP_ELx (no such mode)';
  throw new Error(`cpsr 0x${(pstate >>> 0).toString(16)}: M[4:0] = 0x${m.toString(16)} is ${what}; this CPU has AArch64 EL0t, EL1t and EL1h only`);
}
