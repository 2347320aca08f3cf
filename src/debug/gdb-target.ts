import {
  Errno,
  GdbSignal,
  REG_CPSR,
  REG_PC,
  REG_SP,
  TargetError,
  type AArch64CoreRegs,
  type BaseOps,
  type BreakpointOps,
  type ConsoleOutput,
  type CoreRegId,
  type DisconnectReason,
  type HwWatchpointOps,
  type MonitorCmdOps,
  type ResumeOps,
  type ResumePlan,
  type StopEvent,
  type SwBreakpointOps,
  type StopCause,
  type Target,
  type ThreadExtraInfoOps,
  type WatchKind,
} from '../rsp/target';
import { BreakpointError } from './breakpoints';
import type { KgdbCore, StopInfo } from './kgdb-core';
import type { MachinePort } from './machine-port';
import { MonitorCommands, type MachineReset, type MonitorTools } from './monitor';

/** Lets the CLI follow a gdb session (for `--json`, `--once`). Every method is optional. */
export interface SessionObserver {
  /** gdb resumed the machine: a continue, or a single step of the master. */
  resumed?(step: boolean): void;
  /** The session ended, and why (see DisconnectReason). */
  disconnected?(reason: DisconnectReason): void;
}

/** What the target needs besides the core and the machine. */
export interface KgdbGdbTargetOptions {
  /** Announcements for the user's terminal (stderr). */
  notice: (text: string) => void;
  /** Symbolizer for PCs in monitor output. */
  symbolize?: (addr: number) => string | undefined;
  /** Reboots the machine for `monitor reset [halt]`; without it that command is absent. */
  reset?: MachineReset;
  /** Symbol lookup and guest addresses the monitor commands use. */
  tools?: Omit<MonitorTools, 'nextStop' | 'reset' | 'resumed'>;
  observer?: SessionObserver;
}

/** Names of the gdb signals a stop can carry, for messages. */
const SIGNAL_NAMES: Record<number, string> = {
  [GdbSignal.SIGINT]: 'SIGINT',
  [GdbSignal.SIGILL]: 'SIGILL (illegal instruction)',
  [GdbSignal.SIGTRAP]: 'SIGTRAP',
  [GdbSignal.SIGBUS]: 'SIGBUS (bus error: misaligned access)',
  [GdbSignal.SIGSEGV]: 'SIGSEGV (segmentation fault: no memory there)',
};

/**
 * The answer to a resume kgdb cannot do (a step or lone continue of a non-master CPU): a
 * SIGINT stop on the thread gdb asked for, nothing moved (see KgdbGdbTarget.resume). SIGINT,
 * as for a Ctrl-C stop, because gdb takes it as a plain stop whatever it was doing: a
 * SIGTRAP would make `next` step again (forever), and a stop with no signal (`T00`) leaves
 * gdb 13 with that thread's step unfinished, so the next `continue` hangs just as after an
 * `E` reply.
 */
function refusedResume(cpu: number): StopEvent {
  return { kind: 'signal', signal: GdbSignal.SIGINT, cpu };
}

/**
 * Linux signal numbers (what the guest passes to kgdb_handle_exception) to gdb's wire
 * numbers (gdb/signals.def). Real kgdb sends Linux's numbers unchanged, so gdb shows a
 * SIGBUS (7) as SIGEMT; we translate.
 */
function gdbSignal(linuxSigno: number): number {
  switch (linuxSigno) {
    case 7:
      return GdbSignal.SIGBUS;
    case 10:
      return 30; // Linux SIGUSR1
    default:
      return linuxSigno;
  }
}

/**
 * The RSP server's view of the kgdb debug core (Linux kernel/debug/gdbstub.c's role): CPUs
 * are threads, registers come from the core's per-CPU view (unavailable for CPUs not
 * rounded up), resuming goes through the core so every CPU returns from the debugger.
 */
/** The stop-reply reason for each watchpoint kind (gdb manual, "Stop Reply Packets"). */
const WATCH_CAUSE: Record<WatchKind, 'watch' | 'rwatch' | 'awatch'> = { write: 'watch', read: 'rwatch', access: 'awatch' };

/** gdb waiting for a stop: the next one, or the machine's exit. */
interface StopWaiter {
  stop(s: StopInfo): void;
  gone(ev: StopEvent): void;
  console?: ConsoleOutput;
}

export class KgdbGdbTarget
  implements Target, BaseOps, ResumeOps, BreakpointOps, SwBreakpointOps, HwWatchpointOps, ThreadExtraInfoOps, MonitorCmdOps
{
  /** The resume or `?` gdb waits on: ended by the next stop, or by the machine exiting. */
  private waiter: StopWaiter | null = null;
  /** The machine has exited (machineGone): nothing runs on after gdb leaves. */
  private gone = false;
  /** gdb asked for a stop (`?`, 0x03, a resume) that has not come yet. */
  private stopAsked = false;
  /** The client that asked for the coming stop is gone: release the machine when it comes. */
  private releaseWhenStopped = false;
  /** listCpus() result, rebuilt only if the machine's CPU count changes. */
  private cpuList: readonly number[] = [];
  /** Monitor commands waiting for the machine's next stop (one that no resume of gdb's awaits). */
  private stopListeners: ((s: StopInfo) => void)[] = [];
  private readonly monitor: MonitorCommands;
  private readonly notice: (text: string) => void;
  private readonly observer: SessionObserver;

  constructor(
    private readonly core: KgdbCore,
    private readonly port: MachinePort,
    opts: KgdbGdbTargetOptions,
  ) {
    this.notice = opts.notice;
    this.observer = opts.observer ?? {};
    const machineReset = opts.reset;
    const reset: MachineReset | undefined = machineReset && {
      reset: (halt) => {
        const line = machineReset.reset(halt);
        this.runningSinceReset = !halt;
        if (!halt) this.observer.resumed?.(false);
        this.unseenStop = undefined;
        return line;
      },
    };
    this.monitor = new MonitorCommands(core, port, opts.symbolize, {
      ...opts.tools,
      reset,
      nextStop: () => this.nextStop(),
      resumed: () => this.observer.resumed?.(false),
    });
  }

  /** After `monitor reset` (run), the machine runs while gdb believes it stopped. */
  private runningSinceReset = false;
  /** A stop that happened meanwhile: the next continue reports it at once. */
  private unseenStop: StopInfo | undefined;

  /** Called by the core (KgdbCoreOptions.onStop) whenever the machine stops. */
  stopped(s: StopInfo): void {
    const w = this.waiter;
    this.waiter = null;
    this.stopAsked = false;
    const listeners = this.stopListeners;
    this.stopListeners = [];
    if (w) return w.stop(s);
    if (listeners.length > 0) return listeners.forEach((l) => l(s));
    if (this.releaseWhenStopped) {
      // The client that asked for this stop left before it came: nobody wants it.
      this.releaseWhenStopped = false;
      this.core.detach();
      this.notice('kgdb-lab: gdb left before the stop it asked for; the machine runs on');
      return;
    }
    if (this.runningSinceReset) this.unseenStop = s;
    this.notice(`kgdb-lab: ${this.stopLine(s)}; waiting for gdb`);
  }

  /** The stop in words for the user's terminal, with its signal when it is not a break-in. */
  private stopLine(s: StopInfo): string {
    const sig = gdbSignal(s.signo);
    const name = SIGNAL_NAMES[sig];
    return sig === GdbSignal.SIGINT || sig === GdbSignal.SIGTRAP || !name ? s.detail : `CPU ${s.cpu} stopped with ${name}: ${s.detail}`;
  }

  /** The next stop, for a monitor command that resumes the machine and breaks in again. */
  private nextStop(): Promise<StopInfo> {
    return new Promise((resolve) => this.stopListeners.push(resolve));
  }

  // ---- Target ----
  baseOps(): BaseOps {
    return this;
  }
  supportResume(): ResumeOps {
    return this;
  }
  supportBreakpoints(): BreakpointOps {
    return this;
  }
  supportSwBreakpoint(): SwBreakpointOps {
    return this;
  }
  supportHwWatchpoint(): HwWatchpointOps {
    return this;
  }
  supportThreadExtraInfo(): ThreadExtraInfoOps {
    return this;
  }
  supportMonitorCmd(): MonitorCmdOps {
    return this;
  }
  supportSingleStep(): boolean {
    return true;
  }

  onConnect(): void {
    // A stop a previous client asked for and is still under way now goes to this one.
    this.releaseWhenStopped = false;
  }

  onDisconnect(reason: DisconnectReason): void {
    this.waiter = null;
    if (this.gone) {
      // The server closes because the machine exited: there is nothing left to release.
      this.observer.disconnected?.(reason);
      return;
    }
    // kgdb removes every breakpoint and lets the machine run on D, k, or a lost connection.
    this.runningSinceReset = false;
    this.unseenStop = undefined;
    this.core.detach();
    // A break-in, a roundup or a single instruction still under way cannot be undone: let
    // the machine go when the stop it ends in comes (nobody asked for any later stop: a
    // CPU trapping then waits for gdb, as with kgdb).
    this.releaseWhenStopped = (this.stopAsked || this.core.stepPending) && this.core.stop === undefined;
    const what: Record<DisconnectReason, string> = {
      detach: 'detached',
      kill: 'sent kill (kgdb never kills the machine)',
      'connection-lost': 'disconnected',
      error: 'session ended on a protocol error',
    };
    this.notice(`kgdb-lab: gdb ${what[reason]}; the machine runs on, breakpoints removed`);
    this.observer.disconnected?.(reason);
  }

  // ---- BaseOps ----
  listCpus(): readonly number[] {
    // Asked for by every Hg, g and T packet: one list per machine size, not one per packet.
    if (this.cpuList.length !== this.port.cpuCount) this.cpuList = Object.freeze(Array.from({ length: this.port.cpuCount }, (_, i) => i));
    return this.cpuList;
  }

  /** gdb connects: report the current stop, or break in (SysRq-g) and report that one. */
  haltReason(): StopEvent | Promise<StopEvent> {
    const s = this.core.stop;
    if (s) return this.toStopEvent(s);
    return new Promise((resolve) => {
      this.wait(resolve);
      this.stopAsked = true;
      this.core.interrupt();
    });
  }

  readRegisters(cpu: number): AArch64CoreRegs {
    this.checkCpu(cpu);
    // After `monitor reset` the machine runs while gdb believes it stopped; gdb needs the
    // current thread's PC to continue at all, so it gets a snapshot of the running CPU's own.
    const live = this.runningSinceReset && this.port.isOnline(cpu) ? this.port.registers(cpu) : undefined;
    const r = this.core.registers(cpu) ?? live;
    if (!r) return { x: new Array(31).fill(undefined), sp: undefined, pc: undefined, cpsr: undefined };
    // The machine's real EL1 system registers, shown with kgdb's view of the CPU (a CPU in
    // kgdb: those of the exception it entered with).
    const s = this.port.systemRegisters(cpu);
    const m = this.port.maskView(cpu);
    const sys = { esr_el1: s.esr, far_el1: s.far, elr_el1: s.elr, spsr_el1: s.spsr, vbar_el1: s.vbar, sctlr_el1: s.sctlr, icc_pmr_el1: BigInt(m.pmr), icc_rpr_el1: BigInt(m.rpr) };
    return { x: r.x, sp: r.sp, pc: r.pc, cpsr: r.pstate, sys };
  }

  writeRegister(cpu: number, reg: CoreRegId, value: bigint): void {
    this.checkCpu(cpu);
    const r = this.core.registers(cpu);
    if (!r) throw TargetError.errno(Errno.EINVAL, `CPU ${cpu} has no registers to write: ${this.core.describe(cpu)}`);
    if (reg < 31) r.x[reg] = value;
    else if (reg === REG_SP) r.sp = value;
    else if (reg === REG_PC) r.pc = value;
    else if (reg === REG_CPSR) r.pstate = Number(value & 0xffffffffn);
    else throw TargetError.errno(Errno.EINVAL, `no register ${reg}`);
    try {
      this.core.setRegisters(cpu, r);
    } catch (e) {
      throw TargetError.errno(Errno.EINVAL, (e as Error).message);
    }
  }

  readMemory(_cpu: number, addr: bigint, length: number): Uint8Array {
    const a = Number(addr);
    if (addr >= 2n ** 48n || length <= 0) return new Uint8Array(0);
    const whole = this.port.readMemory(a, length);
    if (whole) return whole;
    // A partial read up to the first unassigned byte (gdb accepts short replies).
    let n = 0;
    while (n < length && this.port.readMemory(a + n, 1)) n++;
    return this.port.readMemory(a, n) ?? new Uint8Array(0);
  }

  writeMemory(_cpu: number, addr: bigint, data: Uint8Array): void {
    if (addr >= 2n ** 48n || !this.port.writeMemory(Number(addr), data)) {
      throw TargetError.errno(Errno.EFAULT, `cannot write ${data.length} bytes at 0x${addr.toString(16)}: not RAM`);
    }
  }

  // ---- ResumeOps ----

  /**
   * Continue or step. Under `--step-mode kgdb` a step runs only the master while the other
   * CPUs stay parked, as kgdb does; under `gdb` a step of the master with the others told
   * to continue (vCont;s:N;c, gdb's `set scheduler-locking off`) releases them for the step
   * (KgdbCore.resume). A continue of the master alone (`vCont;c:N` with no default action:
   * gdb's step-over of one thread in infrun.c, or `set scheduler-locking on`) runs it with
   * the others kept where they are, whatever the step mode, so every stop it ends in is on
   * the thread gdb resumed (KgdbCore.runAlone). Asking to step or continue a single
   * thread other than the master is refused with an explanation on the console, and
   * answered with a SIGINT stop on that thread where nothing moved (refusedResume). Not with
   * an `E` reply: gdb 13 takes an error to vCont as a stop with no signal (remote.c
   * remote_wait_as, case 'E') but leaves that thread's step unfinished, and the next
   * `continue` fails with "Cannot execute this command while the target is running" and
   * hangs.
   */
  resume(plan: ResumePlan, console: ConsoleOutput): Promise<StopEvent> {
    if (this.runningSinceReset) {
      this.runningSinceReset = false;
      const seen = this.unseenStop;
      this.unseenStop = undefined;
      if (seen) return Promise.resolve(this.toStopEvent(seen));
      if (this.core.stop === undefined) return this.awaitNextStop(plan, console);
    }
    const master = this.core.master;
    let step = false;
    for (const [cpu, action] of plan.perCpu) {
      if (action.kind === 'step') {
        if (cpu !== master) {
          console.write(`kgdb-lab: only the master (CPU ${master}, thread ${master + 1}) can be stepped; kgdb keeps the others parked (thread ${cpu + 1} did not move)\n`);
          return Promise.resolve(refusedResume(cpu));
        }
        step = true;
      } else if (plan.others === undefined && cpu !== master) {
        console.write(`kgdb-lab: under kgdb only the master (CPU ${master}, thread ${master + 1}) runs alone; continue it or all threads (thread ${cpu + 1} did not move)\n`);
        return Promise.resolve(refusedResume(cpu));
      }
    }
    if (plan.others?.kind === 'step' && plan.perCpu.size === 0) step = true;
    // No default action (vCont;c:N, vCont;s:N): the threads not named stay where they are.
    const others = plan.others?.kind === 'continue' ? 'continue' : 'stay';
    this.setResumePc(plan, step);
    return new Promise((resolve, reject) => {
      this.wait(resolve, console);
      try {
        // Before resuming: the core may report the next stop synchronously (a queued next master).
        this.observer.resumed?.(step);
        this.core.resume(step, others);
      } catch (e) {
        this.waiter = null;
        reject(TargetError.errno(Errno.EINVAL, (e as Error).message));
      }
    });
  }

  /**
   * `c addr` / `s addr`: validate the resume with the new pc, then set it. Nothing changes
   * when the resume would be refused (KgdbCore.checkResume).
   * @throws TargetError EINVAL when the resume would be refused, EFAULT for an address
   *   beyond the 48-bit address space
   */
  private setResumePc(plan: ResumePlan, step: boolean): void {
    const pc = plan.pc;
    try {
      if (pc && pc.addr >= 2n ** 48n) throw TargetError.errno(Errno.EFAULT, `cannot resume at 0x${pc.addr.toString(16)}: beyond the 48-bit address space`);
      this.core.checkResume(step, pc && { cpu: pc.cpu, addr: Number(pc.addr) });
    } catch (e) {
      if (e instanceof TargetError) throw e;
      throw TargetError.errno(Errno.EINVAL, (e as Error).message);
    }
    if (pc) this.writeRegister(pc.cpu, REG_PC, pc.addr);
  }

  /**
   * The machine already runs although gdb believes it stopped (after `monitor reset`): a
   * continue just waits for the next stop; a step is refused, there is no master to step,
   * and so is `c addr`: a running CPU's pc cannot be set (continuing without it would
   * answer the packet as if it had been carried out).
   */
  private awaitNextStop(plan: ResumePlan, console: ConsoleOutput): Promise<StopEvent> {
    const actions = [...plan.perCpu.values(), ...(plan.others ? [plan.others] : [])];
    const step = actions.some((a) => a.kind === 'step');
    if (step || plan.pc) {
      this.runningSinceReset = true;
      console.write('kgdb-lab: the machine is running (after monitor reset): continue, then Ctrl-C or a breakpoint stops it\n');
      return Promise.reject(TargetError.errno(Errno.EINVAL, step ? 'step while the machine runs' : 'cannot set the pc while the machine runs'));
    }
    // No `resumed` event: the reset reported it when the machine started running.
    return new Promise((resolve) => this.wait(resolve, console));
  }

  /** Wait for the next stop on gdb's behalf; `console` reaches gdb while it waits (a resume). */
  private wait(resolve: (ev: StopEvent) => void, console?: ConsoleOutput): void {
    this.waiter = { stop: (s) => resolve(this.toStopEvent(s)), gone: resolve, console };
  }

  /**
   * The machine has exited (the guest powered off, every CPU is down, or the CLI halted it).
   * A resume or `?` gdb waits on ends with `ev`, a `W` or `X` stop reply, after `detail` on
   * gdb's console: gdb then says "[Inferior 1 (Remote target) exited ...]" with the reason,
   * not just "Remote connection closed" (gdb manual, "Stop Reply Packets"; QEMU's gdbstub
   * and gdbserver report a VM or process that is gone the same way). Nothing is said of the
   * machine running on when gdb then leaves.
   */
  machineGone(ev: Extract<StopEvent, { kind: 'exited' | 'terminated' }>, detail: string): void {
    this.gone = true;
    const w = this.waiter;
    this.waiter = null;
    if (!w) return;
    w.console?.write(`${detail}\n`);
    w.gone(ev);
  }

  interrupt(): void {
    this.stopAsked = true;
    this.core.interrupt();
  }

  // ---- breakpoints ----
  addSwBreakpoint(addr: bigint): void {
    this.wrapBp(() => this.core.addBreakpoint(Number(addr)));
  }
  removeSwBreakpoint(addr: bigint): void {
    this.wrapBp(() => this.core.removeBreakpoint(Number(addr)));
  }

  /**
   * Watchpoints (Z2 write, Z3 read, Z4 access) on every CPU, MAX_WATCHPOINTS at once
   * (watchpoints.ts); a full table (ENOSPC) or memory that is not RAM (EFAULT) is an `E..` reply.
   */
  addHwWatchpoint(addr: bigint, length: number, kind: WatchKind): void {
    if (addr >= 2n ** 48n) throw TargetError.errno(Errno.EFAULT, `cannot watch 0x${addr.toString(16)}: not RAM`);
    this.wrapBp(() => this.core.addWatchpoint(Number(addr), length, kind));
  }
  removeHwWatchpoint(addr: bigint, length: number, kind: WatchKind): void {
    if (addr >= 2n ** 48n) throw TargetError.errno(Errno.EINVAL, `no watchpoint at 0x${addr.toString(16)}`);
    this.wrapBp(() => this.core.removeWatchpoint(Number(addr), length, kind));
  }

  private wrapBp(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (e instanceof BreakpointError) throw TargetError.errno(e.errno === 2 ? Errno.EINVAL : e.errno, e.message);
      throw e;
    }
  }

  // ---- thread info, monitor ----
  threadExtraInfo(cpu: number): string {
    this.checkCpu(cpu);
    return this.core.describe(cpu);
  }

  handleMonitorCmd(cmd: string, out: ConsoleOutput): void | Promise<void> {
    return this.monitor.run(cmd, out);
  }

  private toStopEvent(s: StopInfo): StopEvent {
    let cause: StopCause | undefined;
    if (s.reason === 'swbreak') cause = { kind: 'swbreak' };
    else if (s.reason === 'watch' && s.watch) cause = { kind: WATCH_CAUSE[s.watch.kind], addr: BigInt(s.watch.addr) };
    return { kind: 'signal', signal: gdbSignal(s.signo), cpu: s.cpu, cause };
  }

  private checkCpu(cpu: number): void {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.port.cpuCount) throw TargetError.errno(Errno.ESRCH, `no CPU ${cpu}`);
  }
}
