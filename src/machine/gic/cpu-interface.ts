import type { Cpu, IccAccess, IccReg } from '../cpu/cpu';
import type { Gic, Hppi } from './gic';
import { GROUP0, GROUP1, INTID_SPURIOUS, PRIORITY_MASK } from './gic';

/** ICC_CTLR_EL1 read-only fields: A3V (bit 15), IDbits = 1 (24-bit, [13:11]), PRIbits = 4 (5 bits, [10:8]). */
const CTLR_RO = 0x8c00;
const CTLR_CBPR = 1;
const CTLR_EOIMODE = 2;
/** Preemption bits: 5, so active-priority bit n stands for group priority n << 3. */
const PREBITS = 5;
/** Minimum binary points for 5 priority bits: BPR0 ≥ 2, BPR1 ≥ 3 (GICv3 spec §12.2.3). */
const BPR0_MIN = 2;
const BPR1_MIN = 3;

/** One PE's CPU-interface state. */
export class CpuIfState {
  pmr = 0;
  bpr0 = BPR0_MIN;
  bpr1 = BPR1_MIN;
  ctlr = 0;
  igrpen0 = 0;
  igrpen1 = 0;
  /** Active priorities, bit n = group priority n << 3 (ICC_AP0R0_EL1 / ICC_AP1R0_EL1). */
  ap0 = 0;
  ap1 = 0;
}

/**
 * The GICv3 CPU interface system registers (ICC_*_EL1) with a single security state
 * (GICv3 spec §12.2; QEMU hw/intc/arm_gicv3_cpuif.c: icc_hppi_can_preempt,
 * icc_activate_irq, icc_drop_prio, icc_eoir_write, icc_dir_write, icc_generate_sgi).
 * This is where the pseudo-NMI rule lives: an interrupt is signalled only if its priority
 * is strictly below ICC_PMR_EL1 and its group priority strictly below the running priority.
 */
export class CpuInterface implements IccAccess {
  readonly state: CpuIfState[];

  constructor(private readonly gic: Gic) {
    this.state = gic.cpus.map(() => new CpuIfState());
  }

  reset(cpu: number): void {
    this.state[cpu] = new CpuIfState();
  }

  /** Group-priority mask for a group under the current binary points (QEMU icc_gprio_mask). */
  gprioMask(s: CpuIfState, group: number): number {
    let bpr: number;
    if (group === GROUP1 && !(s.ctlr & CTLR_CBPR)) bpr = s.bpr1 - 1;
    else bpr = s.bpr0;
    return (0xff << (bpr + 1)) & 0xff;
  }

  /** Running priority: the highest active group priority, 0xff when idle (ICC_RPR_EL1). */
  runningPriority(s: CpuIfState): number {
    const ap = s.ap0 | s.ap1;
    if (ap === 0) return 0xff;
    return (31 - Math.clz32(ap & -ap)) << (8 - PREBITS);
  }

  /** Can the HPPI preempt: prio < PMR and group priority < running priority. */
  canPreempt(s: CpuIfState, h: Hppi): boolean {
    if (h.intid === INTID_SPURIOUS || h.prio >= s.pmr) return false;
    const rprio = this.runningPriority(s);
    if (rprio === 0xff) return true;
    const mask = this.gprioMask(s, h.group);
    return (h.prio & mask) < (rprio & mask);
  }

  /** The IRQ and FIQ outputs for a CPU: Group 1 → IRQ, Group 0 → FIQ (DS = 1, no EL3). */
  lines(cpu: number, h: Hppi): [boolean, boolean] {
    if (!this.canPreempt(this.state[cpu], h)) return [false, false];
    return h.group === GROUP1 ? [true, false] : [false, true];
  }

  read(c: Cpu, reg: IccReg): bigint {
    const s = this.state[c.index];
    switch (reg) {
      case 'PMR': return BigInt(s.pmr);
      case 'BPR0': return BigInt(s.bpr0);
      case 'BPR1': return BigInt(s.ctlr & CTLR_CBPR ? Math.min(s.bpr0 + 1, 7) : s.bpr1);
      case 'CTLR': return BigInt(CTLR_RO | (s.ctlr & 3));
      case 'SRE': return 7n; // SRE, DFB, DIB: RAO/WI
      case 'IGRPEN0': return BigInt(s.igrpen0);
      case 'IGRPEN1': return BigInt(s.igrpen1);
      case 'AP0R0': return BigInt(s.ap0 >>> 0);
      case 'AP1R0': return BigInt(s.ap1 >>> 0);
      case 'RPR': return BigInt(this.runningPriority(s));
      case 'HPPIR0': return BigInt(this.hppir(c.index, GROUP0));
      case 'HPPIR1': return BigInt(this.hppir(c.index, GROUP1));
      case 'IAR0': return BigInt(this.acknowledge(c.index, GROUP0));
      case 'IAR1': return BigInt(this.acknowledge(c.index, GROUP1));
      default: return 0n;
    }
  }

  write(c: Cpu, reg: IccReg, v: bigint): void {
    const cpu = c.index;
    const s = this.state[cpu];
    const w = Number(v & 0xffffffffn);
    switch (reg) {
      case 'PMR':
        s.pmr = w & PRIORITY_MASK;
        return this.gic.updateLines(cpu);
      case 'BPR0':
        s.bpr0 = Math.max(w & 7, BPR0_MIN);
        return this.gic.updateLines(cpu);
      case 'BPR1':
        if (!(s.ctlr & CTLR_CBPR)) s.bpr1 = Math.max(w & 7, BPR1_MIN);
        return this.gic.updateLines(cpu);
      case 'CTLR':
        s.ctlr = w & (CTLR_CBPR | CTLR_EOIMODE);
        return this.gic.updateLines(cpu);
      case 'SRE':
        return;
      case 'IGRPEN0':
        s.igrpen0 = w & 1;
        return this.gic.updateCpu(cpu);
      case 'IGRPEN1':
        s.igrpen1 = w & 1;
        return this.gic.updateCpu(cpu);
      case 'AP0R0':
        s.ap0 = w;
        return this.gic.updateLines(cpu);
      case 'AP1R0':
        s.ap1 = w;
        return this.gic.updateLines(cpu);
      case 'EOIR0':
        return this.endOfInterrupt(cpu, GROUP0, w & 0xffffff);
      case 'EOIR1':
        return this.endOfInterrupt(cpu, GROUP1, w & 0xffffff);
      case 'DIR':
        return this.deactivateDir(cpu, w & 0xffffff);
      case 'SGI0R':
      case 'SGI1R':
      case 'ASGI1R':
        return this.generateSgi(cpu, v);
      default:
        return;
    }
  }

  /** ICC_HPPIR<n>_EL1: the HPPI's INTID if it belongs to this group, else 1023. */
  private hppir(cpu: number, group: number): number {
    const h = this.gic.hppiOf(cpu);
    return h.intid !== INTID_SPURIOUS && h.group === group ? h.intid : INTID_SPURIOUS;
  }

  /**
   * ICC_IAR<n>_EL1: if the HPPI is of this group and can preempt, activate it: set its
   * active-priority bit (raising the running priority), move it pending → active.
   */
  private acknowledge(cpu: number, group: number): number {
    const s = this.state[cpu];
    const h = this.gic.hppiOf(cpu);
    if (h.intid === INTID_SPURIOUS || h.group !== group || !this.canPreempt(s, h)) return INTID_SPURIOUS;
    const intid = h.intid;
    const bit = 1 << (h.prio >>> (8 - PREBITS));
    if (group === GROUP0) s.ap0 |= bit;
    else s.ap1 |= bit;
    this.gic.activate(cpu, intid);
    this.gic.updateCpu(cpu);
    return intid;
  }

  /**
   * ICC_EOIR<n>_EL1: drop the running priority (clear the highest active priority bit,
   * whichever group holds it, as QEMU icc_drop_prio does); with EOImode = 0 also
   * deactivate the INTID. INTIDs 1020–1023 are ignored.
   */
  private endOfInterrupt(cpu: number, group: number, intid: number): void {
    const s = this.state[cpu];
    if (intid >= 1020) return;
    const ap = s.ap0 | s.ap1;
    if (ap !== 0) {
      const low = ap & -ap;
      if (s.ap0 & low) s.ap0 &= ~low;
      else s.ap1 &= ~low;
    }
    if (!(s.ctlr & CTLR_EOIMODE) && this.gic.groupOf(cpu, intid) === group) this.gic.deactivate(cpu, intid);
    this.gic.updateCpu(cpu);
  }

  /** ICC_DIR_EL1: deactivate, only when EOImode = 1 (QEMU ignores DIR otherwise). */
  private deactivateDir(cpu: number, intid: number): void {
    const s = this.state[cpu];
    if (!(s.ctlr & CTLR_EOIMODE) || intid >= 1020) return;
    this.gic.deactivate(cpu, intid);
    this.gic.updateCpu(cpu);
  }

  /**
   * ICC_SGI1R_EL1 (and SGI0R/ASGI1R, equivalent with DS = 1): TargetList [15:0], Aff1
   * [23:16], INTID [27:24], Aff2 [39:32], IRM [40], RS [47:44], Aff3 [55:48]. Targets are
   * matched against each PE's affinity; IRM = 1 means every PE but the sender.
   */
  private generateSgi(cpu: number, v: bigint): void {
    const lo = Number(v & 0xffffffffn);
    const hi = Number((v >> 32n) & 0xffffffffn);
    const intid = (lo >>> 24) & 0xf;
    const irm = (hi >>> 8) & 1;
    const cpus = this.gic.cpus;
    if (irm) {
      for (let t = 0; t < cpus.length; t++) if (t !== cpu) this.gic.sendSgi(t, intid);
      return;
    }
    const targetList = lo & 0xffff;
    const aff1 = (lo >>> 16) & 0xff;
    const aff2 = hi & 0xff;
    const rs = (hi >>> 12) & 0xf;
    const aff3 = (hi >>> 16) & 0xff;
    if (aff2 !== 0 || aff3 !== 0) return; // no PE has Aff2/Aff3 ≠ 0 on this board
    for (let bit = 0; bit < 16; bit++) {
      if (!(targetList & (1 << bit))) continue;
      const aff0 = rs * 16 + bit;
      if (aff0 > 0xff) continue;
      const t = cpus.findIndex((c) => (c.mpidr & 0xffff) === ((aff1 << 8) | aff0));
      if (t >= 0) this.gic.sendSgi(t, intid);
    }
  }
}
