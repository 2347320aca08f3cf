/**
 * A small deterministic target for the RSP layer's tests only: a few CPUs with register
 * files, one RAM window, breakpoints, and a toy "execution" (each tick advances every running
 * CPU's PC by 4) so resume, step, breakpoints and interrupts have real behaviour to report.
 * It implements the Target interface honestly; it models no instruction set.
 */
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
  type DisconnectReason,
  type HwBreakpointOps,
  type HwWatchpointOps,
  type MonitorCmdOps,
  type ResumeOps,
  type ResumePlan,
  type StopEvent,
  type SwBreakpointOps,
  type Target,
  type ThreadExtraInfoOps,
  type WatchKind,
} from '../../src/rsp/target';

/** RAM of the fake: [RAM_BASE, RAM_BASE + RAM_SIZE). */
export const RAM_BASE = 0x4000_0000n;
export const RAM_SIZE = 0x1_0000;

interface FakeCpu {
  x: bigint[];
  sp: bigint;
  pc: bigint;
  cpsr: number;
  /** False: the CPU "did not answer the round-up": its registers are unavailable. */
  available: boolean;
}

/** Options for {@link FakeTarget}. */
export interface FakeOptions {
  cpus?: number;
  /** CPUs whose registers are unavailable. */
  unavailable?: number[];
  /** Leave out these capabilities. */
  without?: ('resume' | 'step' | 'breakpoints' | 'watchpoints' | 'monitor' | 'extraInfo' | 'noAck')[];
  /** Ticks a continue runs before it gives up and stops with SIGTRAP (undefined: until a breakpoint or interrupt). */
  runLimit?: number;
}

export class FakeTarget
  implements
    Target,
    BaseOps,
    ResumeOps,
    BreakpointOps,
    SwBreakpointOps,
    HwBreakpointOps,
    HwWatchpointOps,
    MonitorCmdOps,
    ThreadExtraInfoOps
{
  readonly cpus: FakeCpu[];
  readonly ram = new Uint8Array(RAM_SIZE);
  readonly swBreakpoints = new Set<bigint>();
  readonly hwBreakpoints = new Set<bigint>();
  readonly watchpoints: { addr: bigint; length: number; kind: WatchKind }[] = [];
  /** Every lifecycle and resume call, in order, for assertions. */
  readonly events: string[] = [];
  /** The last stop (what `?` reports). */
  lastStop: StopEvent;
  /** Resume plans received. */
  readonly plans: ResumePlan[] = [];
  private running: { resolve: (s: StopEvent) => void; plan: ResumePlan; console: ConsoleOutput; ticks: number } | undefined;
  private readonly without: Set<string>;

  constructor(private readonly opts: FakeOptions = {}) {
    const n = opts.cpus ?? 2;
    this.cpus = Array.from({ length: n }, (_, cpu) => ({
      // x_n = 0x1000 * (cpu + 1) + n: distinct, recognisable values.
      x: Array.from({ length: 31 }, (_, r) => BigInt(0x1000 * (cpu + 1) + r)),
      sp: RAM_BASE + BigInt(RAM_SIZE - 0x100 * (cpu + 1)),
      pc: RAM_BASE + 0x100n + BigInt(cpu * 0x10),
      cpsr: 0x6000_03c5,
      available: !(opts.unavailable ?? []).includes(cpu),
    }));
    for (let i = 0; i < RAM_SIZE; i++) this.ram[i] = (i * 7 + 3) & 0xff;
    this.without = new Set(opts.without ?? []);
    this.lastStop = { kind: 'signal', signal: GdbSignal.SIGTRAP, cpu: 0 };
  }

  // --- Target ---
  baseOps(): BaseOps {
    return this;
  }
  supportResume(): ResumeOps | undefined {
    return this.without.has('resume') ? undefined : this;
  }
  supportBreakpoints(): BreakpointOps | undefined {
    return this.without.has('breakpoints') ? undefined : this;
  }
  supportMonitorCmd(): MonitorCmdOps | undefined {
    return this.without.has('monitor') ? undefined : this;
  }
  supportThreadExtraInfo(): ThreadExtraInfoOps | undefined {
    return this.without.has('extraInfo') ? undefined : this;
  }
  useNoAckMode(): boolean {
    return !this.without.has('noAck');
  }
  onConnect(): void {
    this.events.push('connect');
  }
  onDisconnect(reason: DisconnectReason): void {
    this.events.push(`disconnect:${reason}`);
    if (this.running) this.finish({ kind: 'signal', signal: GdbSignal.SIGINT, cpu: 0 });
  }

  // --- BaseOps ---
  listCpus(): readonly number[] {
    return this.cpus.map((_, i) => i);
  }
  haltReason(): StopEvent {
    return this.lastStop;
  }
  private cpu(cpu: number): FakeCpu {
    const c = this.cpus[cpu];
    if (!c) throw TargetError.errno(Errno.ESRCH, `no CPU ${cpu}`);
    return c;
  }
  readRegisters(cpu: number): AArch64CoreRegs {
    const c = this.cpu(cpu);
    if (!c.available) return { x: new Array(31).fill(undefined), sp: undefined, pc: undefined, cpsr: undefined };
    return { x: [...c.x], sp: c.sp, pc: c.pc, cpsr: c.cpsr };
  }
  writeRegister(cpu: number, reg: number, value: bigint): void {
    const c = this.cpu(cpu);
    if (!c.available) throw TargetError.errno(Errno.EIO, `CPU ${cpu} is not responding`);
    if (reg <= 30) c.x[reg] = value;
    else if (reg === REG_SP) c.sp = value;
    else if (reg === REG_PC) c.pc = value;
    else if (reg === REG_CPSR) c.cpsr = Number(value & 0xffff_ffffn);
    else throw TargetError.errno(Errno.EINVAL, `no register ${reg}`);
  }
  readMemory(_cpu: number, addr: bigint, length: number): Uint8Array {
    if (addr < RAM_BASE || addr >= RAM_BASE + BigInt(RAM_SIZE)) return new Uint8Array(0);
    const off = Number(addr - RAM_BASE);
    return this.ram.slice(off, Math.min(off + length, RAM_SIZE));
  }
  writeMemory(_cpu: number, addr: bigint, data: Uint8Array): void {
    if (addr < RAM_BASE || addr + BigInt(data.length) > RAM_BASE + BigInt(RAM_SIZE)) {
      throw TargetError.errno(Errno.EFAULT, `write outside RAM at 0x${addr.toString(16)}`);
    }
    this.ram.set(data, Number(addr - RAM_BASE));
  }

  // --- ResumeOps ---
  resume(plan: ResumePlan, console: ConsoleOutput): Promise<StopEvent> {
    if (plan.pc) this.writeRegister(plan.pc.cpu, REG_PC, plan.pc.addr);
    this.plans.push(plan);
    this.events.push('resume');
    return new Promise((resolve) => {
      this.running = { resolve, plan, console, ticks: 0 };
      setImmediate(() => this.tick());
    });
  }
  interrupt(): void {
    this.events.push('interrupt');
    if (this.running) this.finish({ kind: 'signal', signal: GdbSignal.SIGINT, cpu: this.firstRunningCpu() });
  }
  supportSingleStep(): boolean {
    return !this.without.has('step');
  }
  /** Let the test inject an asynchronous stop (e.g. a watchpoint hit). */
  stopNow(stop: StopEvent): void {
    if (this.running) this.finish(stop);
  }
  get isRunning(): boolean {
    return this.running !== undefined;
  }

  private actionFor(cpu: number) {
    return this.running?.plan.perCpu.get(cpu) ?? this.running?.plan.others;
  }
  private firstRunningCpu(): number {
    return this.cpus.findIndex((_, i) => this.actionFor(i) !== undefined);
  }
  /** One tick: every resumed CPU moves its PC by 4; a step stops after one; a breakpoint stops. */
  private tick(): void {
    const run = this.running;
    if (!run) return;
    run.ticks++;
    for (let i = 0; i < this.cpus.length; i++) {
      const action = this.actionFor(i);
      if (!action) continue;
      const c = this.cpus[i];
      c.pc += 4n;
      if (this.swBreakpoints.has(c.pc)) {
        return this.finish({ kind: 'signal', signal: GdbSignal.SIGTRAP, cpu: i, cause: { kind: 'swbreak' } });
      }
      if (this.hwBreakpoints.has(c.pc)) {
        return this.finish({ kind: 'signal', signal: GdbSignal.SIGTRAP, cpu: i, cause: { kind: 'hwbreak' } });
      }
      if (action.kind === 'step') return this.finish({ kind: 'signal', signal: GdbSignal.SIGTRAP, cpu: i });
    }
    if (this.opts.runLimit !== undefined && run.ticks >= this.opts.runLimit) {
      return this.finish({ kind: 'signal', signal: GdbSignal.SIGTRAP, cpu: this.firstRunningCpu() });
    }
    // Yield to the event loop so the socket's 0x03 can arrive (a real run loop does the same).
    setTimeout(() => this.tick(), 1);
  }
  private finish(stop: StopEvent): void {
    const run = this.running;
    if (!run) return;
    this.running = undefined;
    this.lastStop = stop;
    this.events.push('stopped');
    run.resolve(stop);
  }

  // --- Breakpoints ---
  supportSwBreakpoint(): SwBreakpointOps | undefined {
    return this;
  }
  supportHwBreakpoint(): HwBreakpointOps | undefined {
    return this;
  }
  supportHwWatchpoint(): HwWatchpointOps | undefined {
    return this.without.has('watchpoints') ? undefined : this;
  }
  addSwBreakpoint(addr: bigint, kind: number): void {
    if (kind !== 4) throw TargetError.errno(Errno.EINVAL, 'AArch64 breakpoints are 4 bytes');
    if (this.swBreakpoints.has(addr)) throw TargetError.errno(Errno.EEXIST, 'breakpoint exists');
    this.swBreakpoints.add(addr);
  }
  removeSwBreakpoint(addr: bigint): void {
    if (!this.swBreakpoints.delete(addr)) throw TargetError.errno(Errno.EINVAL, 'no such breakpoint');
  }
  addHwBreakpoint(addr: bigint): void {
    this.hwBreakpoints.add(addr);
  }
  removeHwBreakpoint(addr: bigint): void {
    if (!this.hwBreakpoints.delete(addr)) throw TargetError.errno(Errno.EINVAL, 'no such breakpoint');
  }
  addHwWatchpoint(addr: bigint, length: number, kind: WatchKind): void {
    if (this.watchpoints.length >= 4) throw TargetError.errno(Errno.ENOSPC, 'four watchpoints at most');
    this.watchpoints.push({ addr, length, kind });
  }
  removeHwWatchpoint(addr: bigint, length: number, kind: WatchKind): void {
    const i = this.watchpoints.findIndex((w) => w.addr === addr && w.length === length && w.kind === kind);
    if (i < 0) throw TargetError.errno(Errno.EINVAL, 'no such watchpoint');
    this.watchpoints.splice(i, 1);
  }

  // --- Monitor ---
  /**
   * `echo TEXT` prints TEXT; `fill N` prints N x's; `slow MS` takes MS milliseconds, printing nothing; `fail`
   * fails with E01; `crash` throws a plain Error; `fatal` throws a fatal TargetError.
   */
  handleMonitorCmd(cmd: string, out: ConsoleOutput): void | Promise<void> {
    this.events.push(`monitor:${cmd}`);
    const [verb, ...rest] = cmd.split(' ');
    switch (verb) {
      case 'echo':
        out.write(`${rest.join(' ')}\n`);
        return;
      case 'fill':
        out.write('x'.repeat(Number(rest[0])));
        return;
      case 'slow':
        return new Promise((resolve) => setTimeout(resolve, Number(rest[0])));
      case 'fail':
        throw TargetError.errno(1, 'monitor fail');
      case 'crash':
        throw new Error('monitor crash');
      case 'fatal':
        throw TargetError.fatal('monitor fatal');
      default:
        out.write(`unknown command: ${cmd}\n`);
        throw TargetError.errno(Errno.EINVAL, 'unknown monitor command');
    }
  }

  // --- Extra info ---
  threadExtraInfo(cpu: number): string {
    return this.cpus[cpu]?.available ? 'halted' : 'not responding';
  }
}
