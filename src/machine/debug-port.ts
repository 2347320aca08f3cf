import type { CpuMaskView, CpuRegisters, CpuRunState, CpuSystemRegisters, GuestFault, MachinePort, WatchHitInfo, WatchKind } from '../debug/machine-port';
import { undoVectorEntry, vectorEntryView } from './cpu/exception-entry';
import type { Board } from './board';
import type { MachineEventStream } from './events';
import { DAIF_I, RunState } from './cpu/cpu';
import { SP_SLOT } from './cpu/exec';

const STATE_NAMES: Record<RunState, CpuRunState> = {
  [RunState.Running]: 'running',
  [RunState.Wfi]: 'wfi',
  [RunState.Wfe]: 'wfe',
  [RunState.Off]: 'off',
  [RunState.Stopped]: 'stopped',
  [RunState.Held]: 'held',
};

/**
 * The board seen through the debug core's MachinePort: real registers, side-effect-free
 * memory, instruction hooks, holding CPUs, and SGIs sent through the GIC CPU interface
 * exactly as the sending CPU's ICC_SGI1R_EL1 write would be.
 */
export class BoardDebugPort implements MachinePort {
  constructor(private readonly board: Board) {}

  get events(): MachineEventStream {
    return this.board.events;
  }

  get cpuCount(): number {
    return this.board.cpus.length;
  }

  nowNs(): number {
    return this.board.machineTimeNs();
  }

  readMemory(addr: number, len: number): Uint8Array | undefined {
    return this.board.bus.debugRead(addr, len);
  }

  writeMemory(addr: number, data: Uint8Array): boolean {
    return this.board.bus.debugWrite(addr, data);
  }

  hookAddress(addr: number, fn: (cpu: number) => boolean): void {
    this.board.code.addHook(addr, (c) => fn(c.index));
  }

  isCode(addr: number): boolean {
    return Number.isSafeInteger(addr) && addr % 4 === 0 && this.board.bus.isRam(addr, 4);
  }

  unhookAddress(addr: number): void {
    this.board.code.removeHook(addr);
  }

  cpuState(cpu: number): CpuRunState {
    return STATE_NAMES[this.board.cpus[cpu].state];
  }

  isOnline(cpu: number): boolean {
    const c = this.board.cpus[cpu];
    return c.state === RunState.Held ? c.heldFrom !== RunState.Off : c.state !== RunState.Off;
  }

  registers(cpu: number): CpuRegisters {
    const c = this.board.cpus[cpu];
    const x: bigint[] = [];
    for (let i = 0; i < 31; i++) x.push(c.getX(i));
    return { x, sp: c.getX(SP_SLOT), pc: BigInt(c.pc), pstate: c.pstate };
  }

  setRegisters(cpu: number, r: CpuRegisters): void {
    const c = this.board.cpus[cpu];
    for (let i = 0; i < 31; i++) c.setX(i, r.x[i]);
    c.setX(SP_SLOT, r.sp);
    c.pc = Number(BigInt.asUintN(64, r.pc) & 0xffffffffffffn);
    c.setPstate(r.pstate);
  }

  maskView(cpu: number): CpuMaskView {
    const c = this.board.cpus[cpu];
    const s = this.board.gic.cpuif.state[cpu];
    return { pmr: s.pmr, rpr: this.board.gic.cpuif.runningPriority(s), irqMasked: (c.daif & DAIF_I) !== 0 };
  }

  systemRegisters(cpu: number): CpuSystemRegisters {
    const c = this.board.cpus[cpu];
    return { esr: BigInt(c.esr >>> 0), far: c.far, elr: c.elr, spsr: BigInt(c.spsr >>> 0), vbar: c.vbar, sctlr: BigInt(c.sctlr >>> 0) };
  }

  hold(cpu: number): void {
    this.board.cpus[cpu].hold();
  }

  release(cpu: number): void {
    this.board.cpus[cpu].release();
    this.board.scheduler.kick();
  }

  stepOne(cpu: number, done: (interrupted: boolean) => void): void {
    const c = this.board.cpus[cpu];
    c.stepDone = done;
    this.release(cpu);
  }

  addWatchpoint(addr: number, len: number, kind: WatchKind): boolean {
    const bus = this.board.bus;
    if (len <= 0 || !bus.isRam(addr, len)) return false;
    bus.watchpoints.add({ addr, len, kind });
    return true;
  }

  removeWatchpoint(addr: number, len: number, kind: WatchKind): boolean {
    return this.board.bus.watchpoints.remove({ addr, len, kind });
  }

  onWatchHit(fn: (hit: WatchHitInfo) => void): void {
    this.board.bus.watchpoints.onHit = (h) => fn({ cpu: h.cpu, pc: h.pc, watch: h.watch, addr: h.addr, write: h.write, size: h.size });
  }

  sendSgi(from: number, intid: number, targets: number[]): void {
    // One ICC_SGI1R_EL1 write per Aff1 cluster, TargetList = the Aff0 bits (Linux gic_send_sgi).
    const byCluster = new Map<number, number>();
    for (const t of targets) {
      const m = this.board.cpus[t].mpidr;
      const aff1 = (m >>> 8) & 0xff;
      byCluster.set(aff1, (byCluster.get(aff1) ?? 0) | (1 << (m & 0xf)));
    }
    const sender = this.board.cpus[from];
    for (const [aff1, list] of byCluster) {
      const v = (BigInt(intid & 0xf) << 24n) | (BigInt(aff1) << 16n) | BigInt(list);
      this.board.gic.cpuif.write(sender, 'SGI1R', v);
    }
  }

  at(atNs: number, fn: () => void): () => void {
    return this.board.scheduler.at(atNs, fn);
  }

  serialBreak(bytes: Uint8Array): void {
    this.board.uart.receiveBreak();
    this.board.consoleInput(bytes);
  }

  consoleWrite(text: string): void {
    this.board.consoleWrite(text);
  }

  catchGuestFaults(handler: (f: GuestFault) => boolean): void {
    this.board.faultCatcher = (c, raw) => {
      const { fault, undo } = vectorEntryView(c, raw);
      if (!handler({ cpu: c.index, ...fault })) return false;
      if (undo) undoVectorEntry(c);
      c.hold();
      return true;
    };
  }

  tapConsole(fn: (bytes: Uint8Array) => void): () => void {
    return this.board.tapConsole(fn);
  }
}
