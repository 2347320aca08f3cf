import { performance } from 'node:perf_hooks';
import type { ElfImage } from '../loader/elf';
import { symbolize } from '../loader/elf';
import { Board } from '../machine/board';
import { BoardDebugPort } from '../machine/debug-port';
import type { MachineEvent } from '../machine/events';
import { KgdbCore, type GuestKgdb, type StopInfo } from '../debug/kgdb-core';
import { unwind } from '../debug/unwind';
import { snapshotCpus, type CpuSnapshot } from './snapshot';
import type { RoundupMode } from './report';

/** The bundled guest's line once every CPU is at its workload (guest/src/kgdb_lab/scenario.c). */
const STEADY_LINE = /^\[\s*(\d+)\.(\d{6})\] \[cpu\d+\] kgdb_lab: steady: /;
const NOT_STEADY_LINE = /kgdb_lab: not steady: .*/;

/** How to run one mode. */
export interface ModeRunOptions {
  image: ElfImage;
  /** Finds the guest's kgdb entry points on a board (cli/debug-server.ts findGuestKgdb). */
  findGuest: (image: ElfImage, board: Board) => GuestKgdb | undefined;
  mode: RoundupMode;
  bootargs: string;
  cpus: number;
  memoryMiB: number;
  icountShift: number;
  /** Roundup timeout, machine ns. */
  roundupTimeoutNs: number;
  /** After the stop, how long to keep the debugger stopped waiting for late arrivals, machine ns. */
  lingerNs: number;
  /** Give up if the guest has not printed its steady line by this machine time, ns. */
  bootLimitNs: number;
}

/** A failure of the run (the guest did not get where compare needs it). */
export class CompareRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompareRunError';
  }
}

/**
 * One in-process run of the bundled guest in one roundup mode, with the same Board +
 * BoardDebugPort + KgdbCore objects `kgdb-lab serve` uses but no gdb: boot to the steady
 * line, pause at a machine time (alarms fire at exact instruction counts under --icount,
 * so a pause and a resume change nothing the guest can see), break in with SysRq-g, record
 * the stop, linger for late arrivals, release.
 */
export class ModeRun {
  readonly board: Board;
  readonly port: BoardDebugPort;
  readonly core: KgdbCore;
  readonly guest: GuestKgdb | undefined;
  private lineBuf = '';
  private readonly consoleLines: string[] = [];
  /** Index in consoleLines of the first line printed after the break-in. */
  private consoleFrom = -1;
  private steadyNs: number | undefined;
  private notSteady: string | undefined;
  private onSteady: ((stampNs: number) => void) | undefined;
  /** The machine's events from the steady line on. */
  readonly events: MachineEvent[] = [];
  private recording = false;
  private brokeIn = false;
  /** Machine state when the debugger stopped. */
  snapshot: CpuSnapshot | undefined;
  stopInfo: StopInfo | undefined;
  breakInNs = 0;
  releasedUs: number | null = null;
  private finishing = false;
  private readonly hostStart = performance.now();

  constructor(private readonly o: ModeRunOptions) {
    this.board = new Board({
      cpus: o.cpus,
      memoryMiB: o.memoryMiB,
      bootargs: o.bootargs,
      icountShift: o.icountShift,
      onConsole: (b) => this.onConsole(b),
    });
    this.board.load(o.image);
    this.port = new BoardDebugPort(this.board);
    this.guest = o.findGuest(o.image, this.board);
    this.core = new KgdbCore(this.port, {
      guest: this.guest,
      roundupTimeoutNs: o.roundupTimeoutNs,
      onStop: (s) => this.onStop(s),
    });
    this.board.events.subscribe((e) => this.onEvent(e));
  }

  get mode(): RoundupMode {
    return this.o.mode;
  }

  get bootargs(): string {
    return this.o.bootargs;
  }

  /** Machine time of the steady line (its printk stamp), ns. */
  get steadyStampNs(): number {
    if (this.steadyNs === undefined) throw new Error('not steady yet');
    return this.steadyNs;
  }

  /** Host ms since this run was created. */
  get hostMs(): number {
    return performance.now() - this.hostStart;
  }

  /** Console lines from the break-in on. */
  consoleSinceBreakIn(): string[] {
    return this.consoleFrom < 0 ? [] : this.consoleLines.slice(this.consoleFrom);
  }

  /**
   * Boot until the steady line, then run on until `afterNs` past its time stamp and pause.
   * @returns the machine time paused at, ns
   * @throws CompareRunError when the guest stops, says it is not steady, or takes too long
   */
  async bootAndPause(afterNs: number): Promise<number> {
    let cancelLimit: (() => void) | undefined = this.board.scheduler.at(this.o.bootLimitNs, () => this.board.halt());
    this.onSteady = (stampNs) => {
      cancelLimit?.();
      cancelLimit = undefined;
      this.board.scheduler.at(stampNs + afterNs, () => this.board.halt());
    };
    const exit = await this.board.run();
    if (this.notSteady) throw new CompareRunError(`${this.o.mode} run: the guest says "${this.notSteady}"`);
    if (this.steadyNs === undefined) {
      throw new CompareRunError(
        exit.reason === 'halted'
          ? `${this.o.mode} run: no "kgdb_lab: steady" line within ${this.o.bootLimitNs / 1e6} ms of machine time (is this the bundled guest?)`
          : `${this.o.mode} run: the machine stopped before the guest was steady: ${exit.detail}`,
      );
    }
    if (exit.reason !== 'halted') throw new CompareRunError(`${this.o.mode} run: the machine stopped: ${exit.detail}`);
    return this.board.machineTimeNs();
  }

  /**
   * Run on to `atNs` (if not there yet), break in with SysRq-g, and run until the debugger
   * has stopped, lingered and released the CPUs.
   * @throws CompareRunError when the machine ends before the debugger stops
   */
  async breakInAt(atNs: number): Promise<void> {
    if (this.board.machineTimeNs() < atNs && !this.stopInfo) {
      this.board.scheduler.at(atNs, () => this.board.halt());
      const exit = await this.board.run();
      if (exit.reason !== 'halted') throw new CompareRunError(`${this.o.mode} run: the machine stopped before the break-in: ${exit.detail}`);
    }
    this.breakInNs = this.board.machineTimeNs();
    this.brokeIn = true;
    this.consoleFrom = this.consoleLines.length;
    if (this.stopInfo) {
      // The guest entered kgdb on its own (a breakpoint, an oops) before the break-in time.
      this.finish();
      return;
    }
    this.core.interrupt();
    const exit = await this.board.run();
    this.flushLine();
    if (!this.snapshot) throw new CompareRunError(`${this.o.mode} run: the machine stopped before the debugger did: ${exit.detail}`);
  }

  private onStop(s: StopInfo): void {
    if (this.stopInfo) return; // a later stop (a queued next master after the release): not ours
    this.stopInfo = s;
    this.snapshot = snapshotCpus(this.port, this.core, this.events, {
      symbols: (a) => symbolize(this.o.image, a),
      unwind: (start) => unwind((addr, len) => this.port.readMemory(addr, len), (a) => symbolize(this.o.image, a), start, 16),
      roundupSgi: this.guest?.roundupSgi(),
      prioMasking: this.o.mode === 'nmi',
    });
    if (!this.brokeIn) {
      // Stopped before the break-in (the guest entered on its own): pause; breakInAt reports it.
      this.board.halt();
      return;
    }
    if (this.missing().length === 0 || this.o.lingerNs === 0) this.finishSoon();
    else this.board.scheduler.at(this.board.machineTimeNs() + this.o.lingerNs, () => this.finish());
  }

  private onEvent(e: MachineEvent): void {
    if (!this.recording) return;
    this.events.push(e);
    // A late arrival may complete the roundup: then there is nothing left to wait for.
    if (e.kind === 'arrived-late' && this.snapshot && this.missing().filter((c) => c !== e.cpu).length === 0) this.finishSoon();
  }

  private missing(): number[] {
    const out: number[] = [];
    for (let c = 0; c < this.port.cpuCount; c++) if (this.port.isOnline(c) && this.core.role(c) === 'none') out.push(c);
    return out;
  }

  /** Finish at the next turn boundary (never from inside the core's own callbacks). */
  private finishSoon(): void {
    this.board.scheduler.at(this.board.machineTimeNs(), () => this.finish());
  }

  /** Release the CPUs (the 'released' event ends the record) and stop the machine. */
  private finish(): void {
    if (this.finishing) return;
    this.finishing = true;
    if (this.core.stop) {
      this.core.resume(false);
      this.releasedUs = this.board.machineTimeNs() / 1000;
    }
    this.recording = false;
    this.board.halt();
  }

  private onConsole(bytes: Uint8Array): void {
    this.lineBuf += Buffer.from(bytes).toString('utf8');
    let nl: number;
    while ((nl = this.lineBuf.indexOf('\n')) >= 0) {
      this.line(this.lineBuf.slice(0, nl).replace(/\r$/, ''));
      this.lineBuf = this.lineBuf.slice(nl + 1);
    }
  }

  private flushLine(): void {
    if (this.lineBuf !== '') this.line(this.lineBuf);
    this.lineBuf = '';
  }

  private line(text: string): void {
    this.consoleLines.push(text);
    if (this.steadyNs !== undefined) return;
    const m = STEADY_LINE.exec(text);
    if (m) {
      this.steadyNs = (Number(m[1]) * 1e6 + Number(m[2])) * 1000;
      this.recording = true;
      this.onSteady?.(this.steadyNs);
      return;
    }
    const bad = NOT_STEADY_LINE.exec(text);
    if (bad) {
      this.notSteady = bad[0];
      this.board.halt();
    }
  }
}
