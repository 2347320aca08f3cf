import type { Logger } from 'pino';
import type { ElfImage } from '../loader/elf';
import { placeSegments } from '../loader/elf';
import { Bus } from './bus';
import { CodeCache } from './cpu/code-cache';
import { Cpu, RunState } from './cpu/cpu';
import type { CpuEngine, CpuHost, IccAccess } from './cpu/cpu';
import { TWO32 } from './cpu/exec';
import type { TimerChannel } from './cpu/generic-timer';
import { inspectSyncException, type SyncFault } from './cpu/exception-entry';
import { Flash } from './devices/flash';
import { Pl011 } from './devices/pl011';
import { ExclusiveMonitor } from './exclusive-monitor';
import { buildVirtDeviceTree, qemuElfDtbAddress, virtFdtDescription } from './fdt';
import { Gic } from './gic/gic';
import { MachineEventStream } from './events';
import {
  FLASH_BASE,
  FLASH_SIZE,
  GICD_BASE,
  GICD_SIZE,
  GICR2_BASE,
  GICR_BASE,
  GICR_REGION1_CPUS,
  GICR_STRIDE,
  INTID_TIMER_PHYS,
  INTID_TIMER_VIRT,
  INTID_UART0,
  mpidrOf,
  NS_PER_TICK,
  RAM_BASE,
  UART0_BASE,
  UART0_SIZE,
} from './memory-map';
import { Psci } from './psci';
import type { PsciPlatform } from './psci';
import { Scheduler } from './scheduler';

/** How to build a board. */
export interface BoardOptions {
  /** CPUs present, 1–256. */
  cpus: number;
  /** RAM size in MiB. */
  memoryMiB: number;
  /** `/chosen/bootargs` in the device tree. */
  bootargs: string;
  /** Deterministic time: each retired instruction advances machine time by 2^shift ns. Undefined: host time. */
  icountShift?: number;
  /** Bytes the guest transmits on the PL011 (UART0), batched. */
  onConsole?: (bytes: Uint8Array) => void;
  /**
   * Execution engine of every CPU (`--engine`): 'jit' (compiled basic blocks, the default)
   * or 'interp' (the reference interpreter). Both give identical runs under --icount.
   */
  engine?: CpuEngine;
  logger?: Logger;
}

/** Why Board.run() returned. */
export interface BoardExit {
  reason: 'system-off' | 'system-reset' | 'stopped' | 'halted';
  /** Human-readable detail, e.g. which CPU stopped and why. */
  detail: string;
}

/** Largest CPU count the board supports (the GIC's affinity routing with two redistributor regions). */
export const MAX_CPUS = 256;

/**
 * The QEMU-virt-compatible board: CPUs, RAM, GICv3, PL011, PSCI over HVC, the generic
 * timer, a device tree at the start of RAM, and the scheduler. It is the CpuHost of every
 * CPU. Boot state as QEMU boots a bare-metal ELF (hw/arm/boot.c): CPU 0 at the ELF entry
 * in EL1h with DAIF masked and the MMU off; secondaries powered off until PSCI CPU_ON.
 */
export class Board implements CpuHost, PsciPlatform {
  readonly bus: Bus;
  readonly code: CodeCache;
  readonly cpus: Cpu[];
  readonly uart: Pl011;
  readonly gic: Gic;
  readonly scheduler: Scheduler;
  /** Interrupt and debugger events as they happen (events.ts); the GIC reports into it. */
  readonly events: MachineEventStream;
  private readonly psci: Psci;
  private readonly monitor: ExclusiveMonitor;
  private readonly log?: Logger;
  private consoleBuf: number[] = [];
  private consoleTaps: ((bytes: Uint8Array) => void)[] = [];
  private exit: BoardExit | null = null;
  private entry = 0;
  private loaded = false;
  /** Where the device tree was placed, or undefined when QEMU would place none. */
  dtbAddress: number | undefined;
  /** The GIC CPU interface registers (CpuHost). */
  readonly icc: IccAccess;
  /**
   * A debugger's catcher for guest faults (BoardDebugPort.catchGuestFaults): true = caught,
   * the exception is not taken. Undefined: every exception goes to the guest's vectors.
   */
  faultCatcher: ((c: Cpu, f: SyncFault) => boolean) | undefined = undefined;
  /** Per CPU: [virt, phys] timer output levels last driven into the GIC. */
  private readonly timerLevels: Uint8Array;
  private deadlineCache = Infinity;
  private deadlineDirty = true;

  /** @throws Error on out-of-range options (callers validate first for user-facing messages). */
  constructor(private readonly opts: BoardOptions) {
    if (!Number.isInteger(opts.cpus) || opts.cpus < 1 || opts.cpus > MAX_CPUS) throw new Error(`--cpus must be 1..${MAX_CPUS}`);
    this.log = opts.logger?.child({ component: 'board' });
    this.bus = new Bus(opts.memoryMiB * 1024 * 1024);
    this.code = new CodeCache(this.bus);
    this.cpus = [];
    for (let i = 0; i < opts.cpus; i++) {
      const c = new Cpu(i, mpidrOf(i), this);
      c.engine = opts.engine ?? 'jit';
      this.cpus.push(c);
    }
    this.timerLevels = new Uint8Array(opts.cpus * 2);
    this.monitor = new ExclusiveMonitor(this.bus, this.cpus);
    this.bus.onExclusiveWrite = (addr, cpu) => this.monitor.onStore(addr, cpu);
    this.events = new MachineEventStream(() => this.scheduler.nowNs());
    this.gic = new Gic(this.cpus, (c) => this.onLinesChanged(c), this.events);
    this.icc = this.gic.cpuif;
    this.bus.map(GICD_BASE, GICD_SIZE, this.gic.distributor);
    this.mapRedistributors();
    this.uart = new Pl011(
      (b) => this.consoleBuf.push(b),
      (level) => this.gic.setSpiLevel(INTID_UART0, level),
    );
    this.bus.map(UART0_BASE, UART0_SIZE, this.uart);
    this.bus.map(FLASH_BASE, FLASH_SIZE, new Flash(), { executable: true });
    this.psci = new Psci(this);
    this.scheduler = new Scheduler(this.cpus, {
      poll: (now) => this.pollTimers(now),
      nextDeadlineNs: () => this.nextDeadlineNs(),
      flush: () => this.flushConsole(),
    }, opts.icountShift);
  }

  /** Redistributor frames: up to 123 in the first region, the rest in QEMU's second region. */
  private redistRegions(): { base: number; size: number; first: number; count: number }[] {
    const n = this.cpus.length;
    const first = Math.min(n, GICR_REGION1_CPUS);
    const regions = [{ base: GICR_BASE, size: first * GICR_STRIDE, first: 0, count: first }];
    if (n > first) regions.push({ base: GICR2_BASE, size: (n - first) * GICR_STRIDE, first, count: n - first });
    return regions;
  }

  private mapRedistributors(): void {
    for (const r of this.redistRegions()) {
      this.bus.map(r.base, r.size, this.gic.redistributorRegion(r.first, r.count));
    }
  }

  /**
   * Copy the image into RAM, write the device tree at the start of RAM, and reset CPU 0
   * to the entry point. @throws ElfError when a segment lies outside RAM or over the DTB.
   */
  load(img: ElfImage): void {
    placeSegments(img, { base: RAM_BASE, size: this.bus.ramSize });
    // The tree describes QEMU's whole redistributor regions, as QEMU's does; only the
    // frames of CPUs present are mapped (a guest walks them until GICR_TYPER.Last).
    const dtb = buildVirtDeviceTree(
      virtFdtDescription({ cpus: this.cpus.length, ramSize: this.bus.ramSize, bootargs: this.opts.bootargs }),
    );
    if (this.loaded) this.bus.ram.fill(0); // a fresh buffer is already zero: don't touch every page
    this.loaded = true;
    // QEMU loads the DTB at the start of RAM only where the image leaves room for it (its
    // DTB is 1 MiB): mirror that so a guest sees the same memory on both.
    const low = Math.min(...img.segments.map((s) => s.paddr));
    const high = Math.max(...img.segments.map((s) => s.paddr + s.memsz));
    this.dtbAddress = qemuElfDtbAddress(RAM_BASE, low, high, dtb.length);
    if (this.dtbAddress !== undefined) this.bus.debugWrite(this.dtbAddress, dtb);
    else this.log?.debug('no device tree: the image leaves no room for it below its lowest segment (as on QEMU)');
    for (const s of img.segments) this.bus.debugWrite(s.paddr, s.data);
    this.code.invalidateAll();
    this.entry = img.entry;
    for (const c of this.cpus) this.resetCpu(c, 0n, 0n, RunState.Off);
    this.resetCpu(this.cpus[0], BigInt(img.entry), 0n, RunState.Running);
  }

  /**
   * Reboot with `img` (a debugger's `monitor reset`; QEMU's system_reset followed by its
   * -kernel loader): the GIC, the UART and the exclusive monitors reset, RAM cleared, the
   * device tree and the image written again, CPU 0 at the entry point and the others off,
   * as after {@link load}. Machine time runs on (QEMU's virtual clock does too). Code hooks
   * stay installed.
   * @throws ElfError when a segment lies outside RAM; the machine is then unchanged
   */
  reboot(img: ElfImage): void {
    placeSegments(img, { base: RAM_BASE, size: this.bus.ramSize });
    this.gic.reset();
    this.uart.reset();
    this.monitor.clearAll();
    this.timerLevels.fill(0);
    for (const c of this.cpus) c.stepDone = null;
    this.load(img);
    this.scheduler.kick();
  }

  /** Architectural reset of one PE (QEMU arm_cpu_reset; then arm_set_cpu_on sets PC and X0). */
  private resetCpu(c: Cpu, pc: bigint, x0: bigint, state: RunState): void {
    c.lo.fill(0);
    c.hi.fill(0);
    c.spBank.fill(0);
    c.el = 1;
    c.spsel = 1;
    c.setPstate(0x3c5); // EL1h, DAIF masked
    c.pc = Number(pc);
    c.setX(0, x0);
    c.elr = 0n;
    c.spsr = 0;
    c.esr = 0;
    c.far = 0n;
    c.vbar = 0n;
    c.sctlr = 0x00c50838;
    c.sysStore.clear();
    c.exclAddr = -1;
    c.event = false;
    c.timer.phys.ctl = 0;
    c.timer.virt.ctl = 0;
    c.stopReason = '';
    c.state = state;
    this.gic.resetCpuInterface(c.index);
    this.deadlineDirty = true;
  }

  /** Run until SYSTEM_OFF, SYSTEM_RESET, halt(), or every CPU is off or stopped. */
  async run(): Promise<BoardExit> {
    this.exit = null;
    await this.scheduler.run();
    return this.exit ?? { reason: 'halted', detail: 'halted by the host' };
  }

  /** The run has ended (power-off, reset, every CPU down, or halt()): no CPU runs again in it. */
  get ended(): boolean {
    return this.exit !== null;
  }

  /** Stop running (from the host side). run() resolves with reason 'halted'. */
  halt(): void {
    if (!this.exit) this.exit = { reason: 'halted', detail: 'halted by the host' };
    this.scheduler.stop();
  }

  /** Bytes into the UART's receive FIFO, as if typed on the serial line. */
  consoleInput(bytes: Uint8Array): void {
    this.uart.receive(bytes);
    this.scheduler.kick();
  }

  /** Instructions retired by all CPUs. */
  get instructionsRetired(): number {
    return this.scheduler.retired;
  }

  /** Machine time in ns. */
  machineTimeNs(): number {
    return this.scheduler.nowNs();
  }

  /** Text on the console output as if the guest had transmitted it (the debug core's messages). */
  consoleWrite(text: string): void {
    for (const b of new TextEncoder().encode(text)) this.consoleBuf.push(b);
  }

  /**
   * Receive the console output too (after `onConsole`, in the same batches), e.g. for a
   * debugger command that relays it. @returns a function that removes the tap
   */
  tapConsole(fn: (bytes: Uint8Array) => void): () => void {
    this.consoleTaps = [...this.consoleTaps, fn];
    return () => {
      this.consoleTaps = this.consoleTaps.filter((t) => t !== fn);
    };
  }

  /**
   * Hand what the guest transmitted so far to onConsole and the taps now, rather than at the
   * scheduler's next yield (e.g. before a debugger stop is reported, so the console shows
   * everything the guest printed before it stopped).
   */
  flushConsole(): void {
    if (this.consoleBuf.length === 0) return;
    const bytes = Uint8Array.from(this.consoleBuf);
    this.consoleBuf = [];
    this.opts.onConsole?.(bytes);
    for (const t of this.consoleTaps) t(bytes);
  }

  private finish(exit: BoardExit): void {
    if (this.exit) return;
    this.exit = exit;
    this.scheduler.stop();
  }

  // ---- CpuHost ----

  counter(_c: Cpu): number {
    return Math.floor(this.scheduler.nowNs() / NS_PER_TICK);
  }

  hvc(c: Cpu, _imm: number): void {
    this.psci.call(c);
  }

  othersRunnable(c: Cpu): boolean {
    for (const o of this.cpus) if (o !== c && o.state === RunState.Running) return true;
    return false;
  }

  sev(_from: Cpu): void {
    for (const c of this.cpus) {
      c.event = true;
      this.wake(c);
    }
  }

  syncException(c: Cpu, esr: number, far: number | undefined): boolean {
    const catcher = this.faultCatcher;
    if (catcher === undefined) return false;
    const f = inspectSyncException(c, c.pc, esr, far);
    return f !== undefined && catcher(c, f);
  }

  reserve(c: Cpu, addr: number): void {
    this.monitor.reserve(c, addr);
  }

  wake(c: Cpu): void {
    if (c.state === RunState.Wfe && (c.event || c.wfeWakeable())) {
      c.event = false;
      c.state = RunState.Running;
      this.scheduler.kick();
    } else if (c.state === RunState.Wfi && (c.irqLine || c.fiqLine)) {
      c.state = RunState.Running;
      this.scheduler.kick();
    } else if (c.state === RunState.Stopped) {
      this.log?.warn({ cpu: c.index, pc: `0x${c.pc.toString(16)}` }, `CPU ${c.index} stopped: ${c.stopReason}`);
      this.checkAllDown();
    }
  }

  timerChanged(c: Cpu): void {
    this.deadlineDirty = true;
    this.updateTimerLines(c, this.counter(c));
  }

  /** The GIC changed this CPU's IRQ/FIQ lines. */
  private onLinesChanged(c: Cpu): void {
    c.limit = 0;
    this.wake(c);
  }

  // ---- generic timer outputs → PPIs 27 (virtual) and 30 (physical) ----
  // Numbers only (TimerChannel.output/fireTick): these run on every scheduler turn of an idle
  // machine, where BigInt conversions and per-call arrays were most of the bookkeeping (issue 8, row 6).

  /** Drive a CPU's timer PPIs from its timer outputs at `count` (ticks). */
  private updateTimerLines(c: Cpu, count: number): void {
    const v = c.timer.virt.output(count) ? 1 : 0;
    const p = c.timer.phys.output(count) ? 1 : 0;
    const i = c.index * 2;
    if (this.timerLevels[i] !== v) {
      this.timerLevels[i] = v;
      this.gic.setPpiLevel(c.index, INTID_TIMER_VIRT, v === 1);
      this.deadlineDirty = true;
    }
    if (this.timerLevels[i + 1] !== p) {
      this.timerLevels[i + 1] = p;
      this.gic.setPpiLevel(c.index, INTID_TIMER_PHYS, p === 1);
      this.deadlineDirty = true;
    }
  }

  private pollTimers(nowNs: number): void {
    if (this.nextDeadlineNs() > nowNs) return;
    const count = Math.floor(nowNs / NS_PER_TICK);
    for (const c of this.cpus) this.updateTimerLines(c, count);
    this.deadlineDirty = true;
  }

  /** Earliest machine time (ns) at which a timer output not yet raised will rise. */
  private nextDeadlineNs(): number {
    if (!this.deadlineDirty) return this.deadlineCache;
    const count = Math.floor(this.scheduler.nowNs() / NS_PER_TICK);
    const levels = this.timerLevels;
    let d = Infinity;
    for (const c of this.cpus) {
      if (c.state === RunState.Off) continue;
      d = earlierDeadline(d, c.timer.virt, levels[c.index * 2], count);
      d = earlierDeadline(d, c.timer.phys, levels[c.index * 2 + 1], count);
    }
    this.deadlineCache = d;
    this.deadlineDirty = false;
    return d;
  }

  // ---- PsciPlatform ----

  /**
   * The CPU whose affinity is exactly `mpidr` (QEMU arm_get_cpu_by_id compares the whole
   * value with mp_affinity): any bit outside Aff2..Aff0, e.g. MPIDR's RES1 bit 31, names no CPU.
   */
  cpuByMpidr(mpidr: bigint): Cpu | undefined {
    if (mpidr >> 24n !== 0n) return undefined;
    const aff = Number(mpidr);
    return this.cpus.find((c) => (c.mpidr & 0x00ffffff) === aff);
  }

  powerOn(target: Cpu, entry: bigint, contextId: bigint): void {
    this.resetCpu(target, entry, contextId, RunState.Running);
    this.scheduler.kick();
  }

  powerOff(c: Cpu): void {
    c.state = RunState.Off;
    c.limit = 0;
    c.exitRequested = true;
    this.deadlineDirty = true;
    this.checkAllDown();
  }

  isOn(c: Cpu): boolean {
    return c.state !== RunState.Off;
  }

  systemOff(by: Cpu): void {
    this.finish({ reason: 'system-off', detail: `PSCI SYSTEM_OFF from CPU ${by.index}` });
  }

  systemReset(by: Cpu): void {
    this.finish({ reason: 'system-reset', detail: `PSCI SYSTEM_RESET from CPU ${by.index}` });
  }

  suspend(c: Cpu): void {
    if (c.irqLine || c.fiqLine) return;
    c.state = RunState.Wfi;
    c.limit = 0;
  }

  /** Every CPU off or stopped: nothing will ever run again. */
  private checkAllDown(): void {
    if (this.cpus.some((c) => c.state !== RunState.Off && c.state !== RunState.Stopped)) return;
    const stopped = this.cpus.filter((c) => c.state === RunState.Stopped);
    const detail = stopped.length
      ? stopped.map((c) => `CPU ${c.index} stopped at 0x${c.pc.toString(16)}: ${c.stopReason}`).join('; ')
      : 'every CPU is powered off';
    this.finish({ reason: 'stopped', detail });
  }

  /** Entry point of the loaded image (bytes). */
  get entryPoint(): number {
    return this.entry;
  }
}

void TWO32;

/**
 * `d` or the machine time (ns) at which `ch`'s output rises, whichever is earlier; an output
 * already high counts as due now (0) while its PPI has not been driven (`driven` = 0).
 * @param count the counter now, ticks
 */
function earlierDeadline(d: number, ch: TimerChannel, driven: number, count: number): number {
  const t = ch.fireTick();
  if (t === Infinity) return d;
  if (count >= t) return driven ? d : Math.min(d, 0);
  const ns = t * NS_PER_TICK;
  return ns < d ? ns : d;
}
