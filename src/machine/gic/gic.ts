import type { Cpu } from '../cpu/cpu';
import { CpuInterface } from './cpu-interface';
import { Distributor } from './distributor';
import { RedistributorRegion } from './redistributor';

/** Number of INTIDs the distributor implements: GICD_TYPER.ITLinesNumber = 7 → 32·(7+1). */
export const NUM_IRQS = 256;
/** Implemented priority bits (5, as QEMU's cortex-a57 CPU interface): low 3 bits read as 0. */
export const PRIORITY_MASK = 0xf8;
/** Special INTIDs (GICv3 spec §2.2.1). */
export const INTID_SPURIOUS = 1023;
/** Interrupt group codes. With GICD_CTLR.DS = 1 there are two: 0 (FIQ) and 1 (IRQ). */
export const GROUP0 = 0;
export const GROUP1 = 1;

/** The highest-priority pending interrupt for one CPU. */
export interface Hppi {
  intid: number; // INTID_SPURIOUS when none
  prio: number; // 0x100 when none
  group: number;
}

/** Per-CPU state of SGIs and PPIs (INTIDs 0–31), held in the redistributor; bit n = INTID n. */
export class PrivateIrqs {
  group = 0; // GICR_IGROUPR0: resets to Group 0 without security extensions
  enabled = 0;
  pending = 0; // latched pending (edge events, ISPENDR0 writes)
  active = 0;
  level = 0; // input lines of level-sensitive PPIs
  edge = 0x0000ffff; // ICFGR0 = 0xaaaaaaaa: SGIs edge; ICFGR1 = 0: PPIs level
  grpmod = 0;
  readonly priority = new Uint8Array(32);
  waker = 0x6; // ProcessorSleep | ChildrenAsleep
  ctlr = 0;
}

/**
 * A GICv3 with a single security state (GICD_CTLR.DS = 1), affinity routing always on,
 * as QEMU `virt` without `secure=on`. Split like QEMU's hw/intc/arm_gicv3*.c: the
 * distributor and redistributor MMIO in their own files, the CPU interface's system
 * registers in cpu-interface.ts, and here the state and the one update path per CPU
 * (QEMU gicv3_redist_update / gicv3_cpuif_update), which every state change ends with.
 */
export class Gic {
  // Distributor state for SPIs, indexed by INTID (entries 0–31 unused: ARE = 1).
  gicdCtlr = 0x50; // ARE | DS
  readonly spiGroup = new Uint8Array(NUM_IRQS);
  readonly spiEnabled = new Uint8Array(NUM_IRQS);
  readonly spiPending = new Uint8Array(NUM_IRQS);
  readonly spiActive = new Uint8Array(NUM_IRQS);
  readonly spiLevel = new Uint8Array(NUM_IRQS);
  readonly spiEdge = new Uint8Array(NUM_IRQS);
  readonly spiGrpmod = new Uint8Array(NUM_IRQS);
  readonly spiPriority = new Uint8Array(NUM_IRQS);
  /** GICD_IROUTER affinity (Aff3.Aff2.Aff1.Aff0 packed as MPIDR bits) and IRM. */
  readonly spiRoute = new Float64Array(NUM_IRQS);
  /** CPU index each SPI targets (-1: none), derived from spiRoute. */
  readonly spiTarget = new Int16Array(NUM_IRQS).fill(0);

  /** One past the highest SPI ever enabled: the HPPI scan stops there. */
  spiLimit = 32;

  readonly private_: PrivateIrqs[];
  readonly cpuif: CpuInterface;
  readonly distributor: Distributor;
  private readonly hppi: Hppi[];

  /**
   * @param cpus the PEs, index = CPU number
   * @param linesChanged called after a CPU's IRQ/FIQ line changed
   */
  constructor(
    readonly cpus: readonly Cpu[],
    private readonly linesChanged: (c: Cpu) => void,
  ) {
    this.private_ = cpus.map(() => new PrivateIrqs());
    this.hppi = cpus.map(() => ({ intid: INTID_SPURIOUS, prio: 0x100, group: 0 }));
    this.cpuif = new CpuInterface(this);
    this.distributor = new Distributor(this);
  }

  /** An MMIO device for the redistributor frames of CPUs [first, first + count). */
  redistributorRegion(first: number, count: number): RedistributorRegion {
    return new RedistributorRegion(this, first, count);
  }

  /** Reset one CPU interface (PSCI CPU_ON resets the PE, not its redistributor). */
  resetCpuInterface(cpu: number): void {
    this.cpuif.reset(cpu);
    this.updateCpu(cpu);
  }

  /** Drive a PPI input line (level-sensitive timer outputs: INTIDs 27 and 30). */
  setPpiLevel(cpu: number, intid: number, level: boolean): void {
    const p = this.private_[cpu];
    const bit = 1 << intid;
    p.level = level ? p.level | bit : p.level & ~bit;
    this.updateCpu(cpu);
  }

  /** Drive an SPI input line (the PL011: INTID 33). Edge-configured SPIs latch on a rising edge. */
  setSpiLevel(intid: number, level: boolean): void {
    const was = this.spiLevel[intid];
    this.spiLevel[intid] = level ? 1 : 0;
    if (level && !was && this.spiEdge[intid]) this.spiPending[intid] = 1;
    this.updateSpi(intid);
  }

  /** Set an SGI pending on `target` (one pending state per target: no per-source banking with ARE). */
  sendSgi(target: number, intid: number): void {
    this.private_[target].pending |= 1 << intid;
    this.updateCpu(target);
  }

  /** Recompute routing of an SPI from GICD_IROUTER and update the affected CPUs. */
  routeSpi(intid: number): void {
    const old = this.spiTarget[intid];
    const r = this.spiRoute[intid];
    let t = -1;
    if (r >= 2 ** 31 && Math.floor(r / 2 ** 31) % 2 === 1) {
      // IRM = 1 (1 of N): GICD_TYPER.No1N = 1 says we need not support it; deliver to CPU 0 as QEMU does.
      t = 0;
    } else {
      const aff = Number(BigInt(r) & 0xff00ffffffn);
      t = this.cpus.findIndex((c) => (c.mpidr & 0xffffff) === aff);
    }
    this.spiTarget[intid] = t;
    if (old >= 0 && old !== t) this.updateCpu(old);
    if (t >= 0) this.updateCpu(t);
  }

  /** Update whichever CPU an SPI targets. */
  updateSpi(intid: number): void {
    const t = this.spiTarget[intid];
    if (t >= 0) this.updateCpu(t);
  }

  /** Update every CPU (after GICD_CTLR and other global changes). */
  updateAll(): void {
    for (let i = 0; i < this.cpus.length; i++) this.updateCpu(i);
  }

  /** The cached HPPI of a CPU. */
  hppiOf(cpu: number): Hppi {
    return this.hppi[cpu];
  }

  /**
   * The one update path: recompute this CPU's highest-priority pending interrupt
   * (pending or level-asserted, enabled, not active, group enabled in GICD_CTLR and in
   * ICC_IGRPEN<n>; lowest priority value wins, ties to the lowest INTID — GICv3 spec §4.7.1,
   * QEMU gicv3_redist_update), then its IRQ/FIQ lines (cpu-interface.ts).
   */
  updateCpu(cpu: number): void {
    const p = this.private_[cpu];
    const ci = this.cpuif.state[cpu];
    const grpOk = (g: number): boolean =>
      g === GROUP1 ? (this.gicdCtlr & 2) !== 0 && ci.igrpen1 !== 0 : (this.gicdCtlr & 1) !== 0 && ci.igrpen0 !== 0;
    const h = this.hppi[cpu];
    h.intid = INTID_SPURIOUS;
    h.prio = 0x100;
    h.group = 0;
    let cand = (p.pending | (p.level & ~p.edge)) & p.enabled & ~p.active;
    while (cand !== 0) {
      const i = 31 - Math.clz32(cand & -cand);
      cand &= cand - 1;
      const g = (p.group >>> i) & 1;
      if (p.priority[i] < h.prio && grpOk(g)) {
        h.intid = i;
        h.prio = p.priority[i];
        h.group = g;
      }
    }
    for (let i = 32; i < this.spiLimit; i++) {
      if (this.spiTarget[i] !== cpu || !this.spiEnabled[i] || this.spiActive[i]) continue;
      if (!this.spiPending[i] && !(this.spiLevel[i] && !this.spiEdge[i])) continue;
      if (this.spiPriority[i] < h.prio && grpOk(this.spiGroup[i])) {
        h.intid = i;
        h.prio = this.spiPriority[i];
        h.group = this.spiGroup[i];
      }
    }
    this.updateLines(cpu);
  }

  /**
   * Recompute a CPU's IRQ/FIQ lines from its cached HPPI (after PMR, BPR or running-priority
   * changes, which cannot change the HPPI itself; QEMU gicv3_cpuif_update).
   */
  updateLines(cpu: number): void {
    const c = this.cpus[cpu];
    const [irq, fiq] = this.cpuif.lines(cpu, this.hppi[cpu]);
    if (irq !== c.irqLine || fiq !== c.fiqLine) {
      c.irqLine = irq;
      c.fiqLine = fiq;
      this.linesChanged(c);
    }
  }

  // ---- per-INTID helpers used by the CPU interface ----

  /** Is INTID pending (latched or level) for this CPU? */
  isPending(cpu: number, intid: number): boolean {
    if (intid < 32) {
      const p = this.private_[cpu];
      return (((p.pending | (p.level & ~p.edge)) >>> intid) & 1) !== 0;
    }
    return this.spiPending[intid] === 1 || (this.spiLevel[intid] === 1 && this.spiEdge[intid] === 0);
  }

  groupOf(cpu: number, intid: number): number {
    return intid < 32 ? (this.private_[cpu].group >>> intid) & 1 : this.spiGroup[intid];
  }

  /** Acknowledge: pending → active (a still-asserted level source stays pending). */
  activate(cpu: number, intid: number): void {
    if (intid < 32) {
      const p = this.private_[cpu];
      p.active |= 1 << intid;
      p.pending &= ~(1 << intid);
    } else {
      this.spiActive[intid] = 1;
      this.spiPending[intid] = 0;
    }
  }

  deactivate(cpu: number, intid: number): void {
    if (intid < 32) this.private_[cpu].active &= ~(1 << intid);
    else if (intid < NUM_IRQS) this.spiActive[intid] = 0;
  }
}
