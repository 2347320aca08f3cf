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
  type MonitorCmdOps,
  type ResumeOps,
  type ResumePlan,
  type StopEvent,
  type SwBreakpointOps,
  type Target,
  type ThreadExtraInfoOps,
} from '../rsp/target';
import { BreakpointError } from './breakpoints';
import type { KgdbCore, StopInfo } from './kgdb-core';
import type { MachinePort } from './machine-port';
import { MonitorCommands } from './monitor';

/** Names of the gdb signals a stop can carry, for messages. */
const SIGNAL_NAMES: Record<number, string> = {
  [GdbSignal.SIGINT]: 'SIGINT',
  [GdbSignal.SIGILL]: 'SIGILL (illegal instruction)',
  [GdbSignal.SIGTRAP]: 'SIGTRAP',
  [GdbSignal.SIGBUS]: 'SIGBUS (bus error: misaligned access)',
  [GdbSignal.SIGSEGV]: 'SIGSEGV (segmentation fault: no memory there)',
};

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
export class KgdbGdbTarget implements Target, BaseOps, ResumeOps, BreakpointOps, SwBreakpointOps, ThreadExtraInfoOps, MonitorCmdOps {
  private waiter: ((s: StopInfo) => void) | null = null;
  /** gdb asked for a stop (`?`, 0x03, a resume) that has not come yet. */
  private stopAsked = false;
  /** The client that asked for the coming stop is gone: release the machine when it comes. */
  private releaseWhenStopped = false;
  private readonly monitor: MonitorCommands;

  constructor(
    private readonly core: KgdbCore,
    private readonly port: MachinePort,
    /** Announcements for the user's terminal (stderr). */
    private readonly notice: (text: string) => void,
    /** Symbolizer for PCs in monitor output. */
    symbolize?: (addr: number) => string | undefined,
  ) {
    this.monitor = new MonitorCommands(core, port, symbolize);
  }

  /** Called by the core (KgdbCoreOptions.onStop) whenever the machine stops. */
  stopped(s: StopInfo): void {
    const w = this.waiter;
    this.waiter = null;
    this.stopAsked = false;
    if (w) return w(s);
    if (this.releaseWhenStopped) {
      // The client that asked for this stop left before it came: nobody wants it.
      this.releaseWhenStopped = false;
      this.core.detach();
      this.notice('kgdb-lab: gdb left before the stop it asked for; the machine runs on');
      return;
    }
    this.notice(`kgdb-lab: ${this.stopLine(s)}; waiting for gdb`);
  }

  /** The stop in words for the user's terminal, with its signal when it is not a break-in. */
  private stopLine(s: StopInfo): string {
    const sig = gdbSignal(s.signo);
    const name = SIGNAL_NAMES[sig];
    return sig === GdbSignal.SIGINT || sig === GdbSignal.SIGTRAP || !name ? s.detail : `CPU ${s.cpu} stopped with ${name}: ${s.detail}`;
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
    // kgdb removes every breakpoint and lets the machine run on D, k, or a lost connection.
    this.waiter = null;
    // A break-in or roundup still under way cannot be undone: let the machine go when it ends.
    this.releaseWhenStopped = this.stopAsked && this.core.stop === undefined;
    this.core.detach();
    const what: Record<DisconnectReason, string> = {
      detach: 'detached',
      kill: 'sent kill (kgdb never kills the machine)',
      'connection-lost': 'disconnected',
      error: 'session ended on a protocol error',
    };
    this.notice(`kgdb-lab: gdb ${what[reason]}; the machine runs on, breakpoints removed`);
  }

  // ---- BaseOps ----
  listCpus(): readonly number[] {
    return Array.from({ length: this.port.cpuCount }, (_, i) => i);
  }

  /** gdb connects: report the current stop, or break in (SysRq-g) and report that one. */
  haltReason(): StopEvent | Promise<StopEvent> {
    const s = this.core.stop;
    if (s) return this.toStopEvent(s);
    return new Promise((resolve) => {
      this.waiter = (st) => resolve(this.toStopEvent(st));
      this.stopAsked = true;
      this.core.interrupt();
    });
  }

  readRegisters(cpu: number): AArch64CoreRegs {
    this.checkCpu(cpu);
    const r = this.core.registers(cpu);
    if (!r) return { x: new Array(31).fill(undefined), sp: undefined, pc: undefined, cpsr: undefined };
    return { x: r.x, sp: r.sp, pc: r.pc, cpsr: r.pstate };
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
   * Continue or step. As kgdb does, a step runs only the master while the other CPUs stay
   * parked, and the CPUs always resume together: asking to step or continue a single
   * thread other than the master is refused with an explanation.
   */
  resume(plan: ResumePlan, console: ConsoleOutput): Promise<StopEvent> {
    const master = this.core.master;
    let step = false;
    for (const [cpu, action] of plan.perCpu) {
      if (action.kind === 'step') {
        if (cpu !== master) {
          console.write(`kgdb-lab: only the master (CPU ${master}, thread ${master + 1}) can be stepped; kgdb keeps the others parked\n`);
          throw TargetError.errno(Errno.EINVAL, 'step of a non-master CPU');
        }
        step = true;
      } else if (plan.others === undefined && cpu !== master) {
        console.write(`kgdb-lab: CPUs resume together under kgdb; continue the master (thread ${master + 1}) or all threads\n`);
        throw TargetError.errno(Errno.EINVAL, 'continue of a single non-master CPU');
      }
    }
    if (plan.others?.kind === 'step' && plan.perCpu.size === 0) step = true;
    return new Promise((resolve, reject) => {
      this.waiter = (s) => resolve(this.toStopEvent(s));
      try {
        this.core.resume(step);
      } catch (e) {
        this.waiter = null;
        reject(TargetError.errno(Errno.EINVAL, (e as Error).message));
      }
    });
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
    return {
      kind: 'signal',
      signal: gdbSignal(s.signo),
      cpu: s.cpu,
      cause: s.reason === 'swbreak' ? { kind: 'swbreak' } : undefined,
    };
  }

  private checkCpu(cpu: number): void {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.port.cpuCount) throw TargetError.errno(Errno.ESRCH, `no CPU ${cpu}`);
  }
}
