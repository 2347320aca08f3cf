import type { Cpu } from '../cpu/cpu';
import { CpuInterface, LINE_FIQ, LINE_IRQ } from './cpu-interface';
import { Distributor } from './distributor';
import { RedistributorRegion } from './redistributor';
import type { MachineEventKind, MachineEventStream } from '../events';

/** Number of INTIDs the distributor implements: GICD_TYPER.ITLinesNumber = 7 → 32·(7+1). */
export const NUM_IRQS = 256;
/**
 * Implemented priority bits of the CPU interface (5, as QEMU's cortex-a57): ICC_PMR_EL1
 * keeps only these. The distributor and redistributors store all 8 bits of IPRIORITYR, as
 * QEMU 7.2 does (measured: writing 0xff reads back 0xff), and compare whole bytes when
 * choosing the highest-priority pending interrupt.
 */
export const PRIORITY_MASK = 0xf8;
/** Special INTIDs (GICv3 spec §2.2.1). */
export const INTID_SPURIOUS = 1023;
/** Interrupt group codes. With GICD_CTLR.DS = 1 there are two: 0 (FIQ) and 1 (IRQ). */
export const GROUP0 = 0;
export const GROUP1 = 1;

/** The highest-priority pending interrupt for one CPU. */
export interface Hppi {
  intid: number; // INTID_SPURIOUS when none
  /**
   * 0xff when none: as in QEMU, whose "no interrupt" is priority 0xff, an interrupt of
   * priority 0xff never becomes the HPPI (measured: HPPIR1 reads 1023 with only such an SGI pending).
   */
  prio: number;
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
  readonly priority = new Uint8Array(32);
  waker = 0x6; // ProcessorSleep | ChildrenAsleep
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
  readonly spiPriority = new Uint8Array(NUM_IRQS);
  /**
   * GICD_IROUTER<n> as written, all 64 bits (QEMU stores the value whole: writing all ones
   * reads back all ones), as low and high 32-bit words.
   */
  readonly spiRouteLo = new Uint32Array(NUM_IRQS);
  readonly spiRouteHi = new Uint32Array(NUM_IRQS);
  /** CPU index each SPI targets (-1: none), derived from the IROUTER affinity fields. */
  readonly spiTarget = new Int16Array(NUM_IRQS).fill(0);

  /** One past the highest SPI ever enabled: the HPPI scan stops there. */
  spiLimit = 32;

  readonly private_: PrivateIrqs[];
  readonly cpuif: CpuInterface;
  readonly distributor: Distributor;
  private readonly hppi: Hppi[];

  /** CPU index by MPIDR affinity Aff1.Aff0 (Aff2 = Aff3 = 0 on this board); -1: none. */
  private readonly cpuByAff10: Int16Array;

  /**
   * @param cpus the PEs, index = CPU number
   * @param linesChanged called after a CPU's IRQ/FIQ line changed
   * @param events where SGI sends, acknowledges, EOIs and DIRs are reported (src/machine/events.ts)
   */
  constructor(
    readonly cpus: readonly Cpu[],
    private readonly linesChanged: (c: Cpu) => void,
    private readonly events?: MachineEventStream,
  ) {
    this.private_ = cpus.map(() => new PrivateIrqs());
    this.hppi = cpus.map(() => ({ intid: INTID_SPURIOUS, prio: 0xff, group: 0 }));
    this.cpuByAff10 = new Int16Array(0x1_0000).fill(-1);
    cpus.forEach((c, i) => {
      if ((c.mpidr & 0xff0000) === 0) this.cpuByAff10[c.mpidr & 0xffff] = i;
    });
    this.cpuif = new CpuInterface(this);
    this.distributor = new Distributor(this);
  }

  /**
   * The CPU with affinity Aff3.Aff2.Aff1.Aff0 (packed as GICR_TYPER[63:32] packs it), or -1.
   * QEMU matches IROUTER and SGI targets against each CPU's GICR_TYPER affinity the same way.
   */
  cpuByAffinity(aff: number): number {
    if (aff < 0 || aff > 0xffff) return -1; // no PE here has Aff2 or Aff3 set
    return this.cpuByAff10[aff];
  }

  /** An MMIO device for the redistributor frames of CPUs [first, first + count). */
  redistributorRegion(first: number, count: number): RedistributorRegion {
    return new RedistributorRegion(this, first, count);
  }

  /**
   * System reset (QEMU arm_gicv3_common_reset_hold): distributor, every redistributor and
   * CPU interface back to their reset values, nothing pending or active. Input line levels
   * are cleared too: the devices driving them are reset with the board.
   */
  reset(): void {
    this.gicdCtlr = 0x50;
    for (const a of [this.spiGroup, this.spiEnabled, this.spiPending, this.spiActive, this.spiLevel, this.spiEdge, this.spiPriority]) a.fill(0);
    this.spiRouteLo.fill(0);
    this.spiRouteHi.fill(0);
    this.spiTarget.fill(0);
    this.spiLimit = 32;
    for (let cpu = 0; cpu < this.cpus.length; cpu++) {
      this.private_[cpu] = new PrivateIrqs();
      this.cpuif.reset(cpu);
      this.updateCpu(cpu);
    }
  }

  /** Reset one CPU interface (PSCI CPU_ON resets the PE, not its redistributor). */
  resetCpuInterface(cpu: number): void {
    this.cpuif.reset(cpu);
    this.updateCpu(cpu);
  }

  /**
   * Drive a PPI input line (the timer outputs: INTIDs 27 and 30). A level-sensitive PPI is
   * pending while the line is high; one configured edge-triggered in GICR_ICFGR1 latches
   * pending on each rising edge (QEMU gicv3_redist_set_irq; measured: a timer PPI set to edge
   * is taken once while its output stays high).
   */
  setPpiLevel(cpu: number, intid: number, level: boolean): void {
    const p = this.private_[cpu];
    const bit = 1 << intid;
    if (((p.level & bit) !== 0) === level) return;
    p.level = level ? p.level | bit : p.level & ~bit;
    if (level && p.edge & bit) p.pending |= bit;
    this.updateCpu(cpu);
  }

  /** Drive an SPI input line (the PL011: INTID 33). Edge-configured SPIs latch on a rising edge. */
  setSpiLevel(intid: number, level: boolean): void {
    const was = this.spiLevel[intid];
    this.spiLevel[intid] = level ? 1 : 0;
    if (level && !was && this.spiEdge[intid]) this.spiPending[intid] = 1;
    this.updateSpi(intid);
  }

  /**
   * An SGI of `group` (GROUP0 for ICC_SGI0R_EL1 and, with DS = 1, ICC_ASGI1R_EL1; GROUP1 for
   * ICC_SGI1R_EL1) from `sender` reaches `target`: it becomes pending only if the target
   * configured that SGI in the same group, otherwise it is dropped (GICv3 spec §12.2.21–23;
   * QEMU gicv3_redist_send_sgi; measured: SGI1R to a Group 0 SGI sets nothing pending). With
   * affinity routing there is one pending bit per target, not one per source.
   * @returns whether the SGI became pending
   */
  sendSgi(sender: number, target: number, intid: number, group: number): boolean {
    const p = this.private_[target];
    if (((p.group >>> intid) & 1) !== group) return false;
    p.pending |= 1 << intid;
    if (this.events?.active) this.events.emit({ kind: 'sgi-sent', cpu: sender, target, intid, prio: this.priorityOf(target, intid) });
    this.updateCpu(target);
    return true;
  }

  /**
   * Recompute routing of an SPI from GICD_IROUTER and update the affected CPUs. The target
   * is the PE whose affinity equals Aff3.Aff2.Aff1.Aff0; IRM (bit 31, "1 of N") is stored but
   * ignored, as GICD_TYPER.No1N = 1 allows and QEMU does (gicv3_cache_target_cpustate).
   */
  routeSpi(intid: number): void {
    const old = this.spiTarget[intid];
    const lo = this.spiRouteLo[intid];
    const aff = (this.spiRouteHi[intid] & 0xff) * 0x100_0000 + (lo & 0xff_ffff);
    const t = this.cpuByAffinity(aff);
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
   * (pending or level-asserted, enabled, not active, group enabled in GICD_CTLR; lowest
   * priority value wins, ties to the lowest INTID — GICv3 spec §4.7.1, QEMU
   * gicr_int_pending/gicd_int_pending and irqbetter), then its IRQ/FIQ lines
   * (cpu-interface.ts). ICC_IGRPEN<n> is not part of the choice: as in QEMU, a pending
   * interrupt of a group disabled at the CPU interface still is the HPPI and blocks
   * lower-priority ones of the other group (icc_no_enabled_hppi; measured on QEMU 7.2).
   */
  updateCpu(cpu: number): void {
    const p = this.private_[cpu];
    // GICD_CTLR.EnableGrp0 is bit 0 and EnableGrp1 bit 1: bit `group` enables that group.
    const grpEnabled = this.gicdCtlr & 3;
    const h = this.hppi[cpu];
    h.intid = INTID_SPURIOUS;
    h.prio = 0xff;
    h.group = 0;
    let cand = (p.pending | (p.level & ~p.edge)) & p.enabled & ~p.active;
    while (cand !== 0) {
      const i = 31 - Math.clz32(cand & -cand);
      cand &= cand - 1;
      const g = (p.group >>> i) & 1;
      if (p.priority[i] < h.prio && (grpEnabled >>> g) & 1) {
        h.intid = i;
        h.prio = p.priority[i];
        h.group = g;
      }
    }
    for (let i = 32; i < this.spiLimit; i++) {
      if (this.spiTarget[i] !== cpu || !this.spiEnabled[i] || this.spiActive[i]) continue;
      if (!this.spiPending[i] && !(this.spiLevel[i] && !this.spiEdge[i])) continue;
      if (this.spiPriority[i] < h.prio && (grpEnabled >>> this.spiGroup[i]) & 1) {
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
    const lines = this.cpuif.lines(cpu, this.hppi[cpu]);
    const irq = (lines & LINE_IRQ) !== 0;
    const fiq = (lines & LINE_FIQ) !== 0;
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

  /** Priority byte of INTID as configured for this CPU (0 for INTIDs not implemented). */
  priorityOf(cpu: number, intid: number): number {
    if (intid < 32) return this.private_[cpu].priority[intid];
    return intid < NUM_IRQS ? this.spiPriority[intid] : 0;
  }

  /** Report a CPU-interface event on `cpu` (no-op when nobody listens). */
  emit(kind: MachineEventKind, cpu: number, intid: number): void {
    const ev = this.events;
    if (!ev?.active) return;
    const prio = this.priorityOf(cpu, intid);
    if (kind !== 'irq-taken') return ev.emit({ kind, cpu, intid, prio });
    // The interrupted context's masks: PMR as the exception found it (entry code may have
    // rewritten it since) and PSTATE.I from SPSR_EL1 (clear, or no IRQ would have been taken).
    const c = this.cpus[cpu];
    ev.emit({ kind, cpu, intid, prio, pmr: c.pmrAtInterrupt, irqMasked: (c.spsr & 0x80) !== 0 });
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
