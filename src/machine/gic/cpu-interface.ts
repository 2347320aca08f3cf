import type { Cpu, IccAccess, IccReg } from '../cpu/cpu';
import type { Gic, Hppi } from './gic';
import { GROUP0, GROUP1, INTID_SPURIOUS, NUM_IRQS, PRIORITY_MASK } from './gic';

/** ICC_CTLR_EL1 read-only fields: A3V (bit 15), IDbits = 1 (24-bit, [13:11]), PRIbits = 4 (5 bits, [10:8]). */
const CTLR_RO = 0x8c00;
const CTLR_CBPR = 1;
const CTLR_EOIMODE = 2;
/** Preemption bits: 5, so active-priority bit n stands for group priority n << 3. */
const PREBITS = 5;
/** Minimum binary points for 5 priority bits: BPR0 ≥ 2, BPR1 ≥ 3 (GICv3 spec §12.2.3). */
const BPR0_MIN = 2;
const BPR1_MIN = 3;

/** CpuInterface.lines bits: the IRQ and the FIQ output of a CPU interface. */
export const LINE_IRQ = 1;
export const LINE_FIQ = 2;

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
 * This is where the pseudo-NMI rule lives: an interrupt is signalled only if its group is
 * enabled in ICC_IGRPEN<n>_EL1, its priority is strictly below ICC_PMR_EL1 and its group
 * priority strictly below the running priority.
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

  /**
   * Is the HPPI enabled at this CPU interface (QEMU icc_no_enabled_hppi, negated)? The HPPI
   * is chosen without looking at ICC_IGRPEN<n> (gic.ts updateCpu), so a pending interrupt of
   * a disabled group hides the other group's lower-priority ones.
   */
  hppiEnabled(s: CpuIfState, h: Hppi): boolean {
    return h.intid !== INTID_SPURIOUS && (h.group === GROUP1 ? s.igrpen1 : s.igrpen0) !== 0;
  }

  /** Can the HPPI preempt: its group enabled, prio < PMR and group priority < running priority. */
  canPreempt(s: CpuIfState, h: Hppi): boolean {
    if (!this.hppiEnabled(s, h) || h.prio >= s.pmr) return false;
    const rprio = this.runningPriority(s);
    if (rprio === 0xff) return true;
    const mask = this.gprioMask(s, h.group);
    return (h.prio & mask) < (rprio & mask);
  }

  /**
   * The IRQ and FIQ outputs for a CPU: Group 1 → IRQ, Group 0 → FIQ (DS = 1, no EL3), as
   * the bits LINE_IRQ / LINE_FIQ (0 when neither): a number, not a pair, because this runs
   * on every GIC update (each interrupt taken, each PMR write).
   */
  lines(cpu: number, h: Hppi): number {
    if (!this.canPreempt(this.state[cpu], h)) return 0;
    return h.group === GROUP1 ? LINE_IRQ : LINE_FIQ;
  }

  /** MRS of ICC_<reg>_EL1 as a BigInt (the debugger's and the tests' view); see {@link readNum}. */
  read(c: Cpu, reg: IccReg): bigint {
    return BigInt(this.readNum(c, reg));
  }

  /** MSR of ICC_<reg>_EL1 from a 64-bit BigInt; see {@link writeHalves}. */
  write(c: Cpu, reg: IccReg, v: bigint): void {
    this.writeHalves(c, reg, Number(v & 0xffffffffn) | 0, Number((v >> 32n) & 0xffffffffn) | 0);
  }

  /**
   * MRS of ICC_<reg>_EL1 (IAR0/IAR1 acknowledge). Every ICC register this interface
   * implements fits in 32 bits, so the value is a Number, 0 ≤ v < 2^32: the interrupt path
   * (IAR, RPR, PMR on every interrupt taken) never builds a BigInt. Write-only and unknown
   * registers read 0.
   */
  readNum(c: Cpu, reg: IccReg): number {
    const s = this.state[c.index];
    switch (reg) {
      case 'PMR': return s.pmr;
      case 'BPR0': return s.bpr0;
      case 'BPR1': return s.ctlr & CTLR_CBPR ? Math.min(s.bpr0 + 1, 7) : s.bpr1;
      case 'CTLR': return CTLR_RO | (s.ctlr & 3);
      case 'SRE': return 7; // SRE, DFB, DIB: RAO/WI
      case 'IGRPEN0': return s.igrpen0;
      case 'IGRPEN1': return s.igrpen1;
      case 'AP0R0': return s.ap0 >>> 0;
      case 'AP1R0': return s.ap1 >>> 0;
      case 'RPR': return this.runningPriority(s);
      case 'HPPIR0': return this.hppir(c.index, GROUP0);
      case 'HPPIR1': return this.hppir(c.index, GROUP1);
      case 'IAR0': return this.acknowledge(c.index, GROUP0);
      case 'IAR1': return this.acknowledge(c.index, GROUP1);
      default: return 0;
    }
  }

  /**
   * MSR of ICC_<reg>_EL1, the 64-bit value as its low and high 32-bit halves (int32 or
   * uint32; only SGI0R/SGI1R/ASGI1R look at the high half, the other registers' bits
   * [63:32] are RES0 and ignored).
   */
  writeHalves(c: Cpu, reg: IccReg, lo: number, hi: number): void {
    const cpu = c.index;
    const s = this.state[cpu];
    const w = lo >>> 0;
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
        return this.gic.updateLines(cpu);
      case 'IGRPEN1':
        s.igrpen1 = w & 1;
        return this.gic.updateLines(cpu);
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
      case 'ASGI1R':
        // ASGI1R asks for Secure Group 1, which with DS = 1 the GIC treats as Group 0
        // (QEMU icc_asgi1r_write → icc_generate_sgi; measured: it reaches Group 0 SGIs only).
        return this.generateSgi(cpu, w, hi >>> 0, GROUP0);
      case 'SGI1R':
        return this.generateSgi(cpu, w, hi >>> 0, GROUP1);
      default:
        return;
    }
  }

  /**
   * ICC_HPPIR<n>_EL1: the HPPI's INTID if it belongs to this group and its group is enabled
   * in ICC_IGRPEN<n>, else 1023 (QEMU icc_hppir0_value/icc_hppir1_value; measured: with
   * IGRPEN0 = 0 and a Group 0 HPPI both read 1023). PMR and running priority do not matter.
   */
  private hppir(cpu: number, group: number): number {
    const h = this.gic.hppiOf(cpu);
    return this.hppiEnabled(this.state[cpu], h) && h.group === group ? h.intid : INTID_SPURIOUS;
  }

  /**
   * ICC_IAR<n>_EL1: if the HPPI is of this group and can preempt, activate it: set the
   * active-priority bit of its group priority — the priority with the sub-priority bits of
   * the binary point cleared — which raises the running priority, and move it pending →
   * active (QEMU icc_activate_irq; measured: a prio 0x58 Group 0 interrupt with BPR0 = 4 runs
   * at RPR 0x40).
   */
  private acknowledge(cpu: number, group: number): number {
    const s = this.state[cpu];
    const h = this.gic.hppiOf(cpu);
    if (h.intid === INTID_SPURIOUS || h.group !== group || !this.canPreempt(s, h)) return INTID_SPURIOUS;
    const intid = h.intid;
    const bit = 1 << ((h.prio & this.gprioMask(s, group)) >>> (8 - PREBITS));
    if (group === GROUP0) s.ap0 |= bit;
    else s.ap1 |= bit;
    this.gic.activate(cpu, intid);
    this.gic.emit('irq-taken', cpu, intid);
    this.gic.updateCpu(cpu);
    return intid;
  }

  /**
   * The group of the highest active priority: the lowest set bit of AP0R0/AP1R0, Group 0 on
   * a tie; -1 when nothing is active (QEMU icc_highest_active_group).
   */
  private highestActiveGroup(s: CpuIfState): number {
    if ((s.ap0 | s.ap1) === 0) return -1;
    if (s.ap0 === 0) return GROUP1;
    if (s.ap1 === 0) return GROUP0;
    return (s.ap1 & -s.ap1) >>> 0 < (s.ap0 & -s.ap0) >>> 0 ? GROUP1 : GROUP0;
  }

  /**
   * ICC_EOIR<n>_EL1 (QEMU icc_eoir_write): ignored for INTIDs not implemented (1020–1023
   * included), when nothing is active, or when the highest active priority belongs to the
   * other group (EOIR0 vs EOIR1; measured: EOIR0 while a Group 1 interrupt runs changes
   * nothing). Otherwise drop that group's highest active priority and, with EOImode = 0,
   * deactivate the INTID written, whichever group it is in.
   */
  private endOfInterrupt(cpu: number, group: number, intid: number): void {
    const s = this.state[cpu];
    if (intid >= NUM_IRQS || this.highestActiveGroup(s) !== group) return;
    if (group === GROUP0) s.ap0 &= s.ap0 - 1;
    else s.ap1 &= s.ap1 - 1;
    if (!(s.ctlr & CTLR_EOIMODE)) this.gic.deactivate(cpu, intid);
    this.gic.emit('eoi', cpu, intid);
    this.gic.updateCpu(cpu);
  }

  /** ICC_DIR_EL1: deactivate, only when EOImode = 1 (QEMU icc_dir_write ignores DIR otherwise). */
  private deactivateDir(cpu: number, intid: number): void {
    const s = this.state[cpu];
    if (!(s.ctlr & CTLR_EOIMODE) || intid >= NUM_IRQS) return;
    this.gic.deactivate(cpu, intid);
    this.gic.emit('dir', cpu, intid);
    this.gic.updateCpu(cpu);
  }

  /**
   * ICC_SGI0R_EL1 / SGI1R_EL1 / ASGI1R_EL1 (QEMU icc_generate_sgi): TargetList [15:0], Aff1
   * [23:16], INTID [27:24], Aff2 [39:32], IRM [40], RS [47:44], Aff3 [55:48]. IRM = 1 targets
   * every PE but the sender; otherwise the PEs Aff3.Aff2.Aff1.n for each TargetList bit n.
   * RS is ignored: ICC_CTLR_EL1.RSS = 0 makes it RES0, and QEMU 7.2 treats TargetList bit n
   * as Aff0 = n whatever RS says (measured: RS = 1 with TargetList 0xffff reached CPUs 0–3).
   * Each target latches the SGI only if it configured it in `group`. `lo`/`hi`: the value's
   * halves, unsigned.
   */
  private generateSgi(cpu: number, lo: number, hi: number, group: number): void {
    const intid = (lo >>> 24) & 0xf;
    const irm = (hi >>> 8) & 1;
    const gic = this.gic;
    if (irm) {
      for (let t = 0; t < gic.cpus.length; t++) if (t !== cpu) gic.sendSgi(cpu, t, intid, group);
      return;
    }
    const targetList = lo & 0xffff;
    if (targetList === 0) return;
    // Aff3.Aff2.Aff1 in GICR_TYPER[63:32] order, with Aff0 = 0.
    const base = ((hi >>> 16) & 0xff) * 0x1000000 + (hi & 0xff) * 0x10000 + ((lo >>> 16) & 0xff) * 0x100;
    for (let bit = 0; bit < 16; bit++) {
      if (!(targetList & (1 << bit))) continue;
      const t = gic.cpuByAffinity(base + bit);
      if (t >= 0) gic.sendSgi(cpu, t, intid, group);
    }
  }
}
