import type { MmioDevice } from '../bus';
import type { Gic, PrivateIrqs } from './gic';
import { GICR_STRIDE } from '../memory-map';
import * as R from './registers';

/** GICR_CTLR: CES (bit 1, "clear enable supported") reads 1 on QEMU 7.2 (measured); EnableLPIs stays 0. */
const GICR_CTLR_VALUE = 0x2;

/**
 * A region of redistributor frames (RD_base + SGI_base, 0x20000 bytes per CPU) for CPUs
 * [first, first + count): SGI/PPI configuration, GICR_TYPER affinity, GICR_WAKER. QEMU
 * hw/intc/arm_gicv3_redist.c. LPIs are not modelled (GICR_PROPBASER etc. are RAZ/WI),
 * although GICR_TYPER.PLPIS reads 1 as on QEMU virt, whose ITS we do not provide either.
 * With a single security state GICR_IGRPMODR0 and GICR_NSACR are RAZ/WI (measured).
 */
export class RedistributorRegion implements MmioDevice {
  constructor(
    private readonly gic: Gic,
    private readonly first: number,
    private readonly count: number,
  ) {}

  read(offset: number, size: number): number {
    return this.peek(offset, size);
  }

  peek(offset: number, size: number): number {
    const cpu = this.first + Math.floor(offset / GICR_STRIDE);
    const off = offset % GICR_STRIDE;
    const p = this.gic.private_[cpu];
    if (off >= R.GICR_SGI_OFFSET) return this.readSgi(cpu, p, off - R.GICR_SGI_OFFSET, size);
    if (off >= R.GICR_IDREGS && off < R.GICR_IDREGS + 48) return R.GICR_ID_REGS[(off - R.GICR_IDREGS) >> 2];
    switch (off) {
      case R.GICR_CTLR: return GICR_CTLR_VALUE;
      case R.GICR_IIDR: return R.GIC_IIDR_VALUE;
      case R.GICR_TYPER: return this.typerLow(cpu);
      case R.GICR_TYPER + 4: return this.gic.cpus[cpu].mpidr & 0x00ffffff; // Aff2.Aff1.Aff0 (Aff3 = 0)
      case R.GICR_WAKER: return p.waker;
      default: return 0;
    }
  }

  /** GICR_TYPER[31:0]: CommonLPIAff = 1, Processor_Number, Last (in this region), PLPIS — as QEMU virt. */
  private typerLow(cpu: number): number {
    const last = cpu === this.first + this.count - 1 ? 1 << 4 : 0;
    return ((1 << 24) | ((cpu & 0xffff) << 8) | last | 1) >>> 0;
  }

  private readSgi(cpu: number, p: PrivateIrqs, off: number, size: number): number {
    if (off >= R.GICR_IPRIORITYR && off < R.GICR_IPRIORITYR + 32) {
      let v = 0;
      for (let b = 0; b < size; b++) v |= p.priority[off - R.GICR_IPRIORITYR + b] << (b * 8);
      return v >>> 0;
    }
    switch (off) {
      case R.GICR_IGROUPR0: return p.group >>> 0;
      case R.GICR_ISENABLER0:
      case R.GICR_ICENABLER0: return p.enabled >>> 0;
      case R.GICR_ISPENDR0:
      case R.GICR_ICPENDR0: return (p.pending | (p.level & ~p.edge)) >>> 0;
      case R.GICR_ISACTIVER0:
      case R.GICR_ICACTIVER0: return p.active >>> 0;
      case R.GICR_ICFGR0: return 0xaaaaaaaa; // SGIs are always edge-triggered
      case R.GICR_ICFGR1: return this.icfgr1(p);
      default: void cpu; return 0;
    }
  }

  private icfgr1(p: PrivateIrqs): number {
    let v = 0;
    for (let i = 0; i < 16; i++) if ((p.edge >>> (16 + i)) & 1) v |= 2 << (i * 2);
    return v >>> 0;
  }

  write(offset: number, size: number, value: number): void {
    const cpu = this.first + Math.floor(offset / GICR_STRIDE);
    const off = offset % GICR_STRIDE;
    const p = this.gic.private_[cpu];
    if (off >= R.GICR_SGI_OFFSET) {
      this.writeSgi(p, off - R.GICR_SGI_OFFSET, size, value);
      return this.gic.updateCpu(cpu);
    }
    switch (off) {
      case R.GICR_WAKER:
        // ProcessorSleep (bit 1) is writable; ChildrenAsleep (bit 2) follows it at once
        // because this model is synchronous (QEMU does the same).
        p.waker = value & 2 ? 6 : 0;
        return;
      default:
        return;
    }
  }

  private writeSgi(p: PrivateIrqs, off: number, size: number, value: number): void {
    if (off >= R.GICR_IPRIORITYR && off < R.GICR_IPRIORITYR + 32) {
      // All 8 bits are kept, as QEMU does (the CPU interface implements 5; see PRIORITY_MASK).
      for (let b = 0; b < size; b++) p.priority[off - R.GICR_IPRIORITYR + b] = (value >>> (b * 8)) & 0xff;
      return;
    }
    const v = value | 0;
    switch (off) {
      case R.GICR_IGROUPR0: p.group = v; return;
      case R.GICR_ISENABLER0: p.enabled |= v; return;
      case R.GICR_ICENABLER0: p.enabled &= ~v; return;
      case R.GICR_ISPENDR0: p.pending |= v; return;
      case R.GICR_ICPENDR0: p.pending &= ~v; return;
      case R.GICR_ISACTIVER0: p.active |= v; return;
      case R.GICR_ICACTIVER0: p.active &= ~v; return;
      case R.GICR_ICFGR1: {
        let edge = 0;
        for (let i = 0; i < 16; i++) if ((value >>> (i * 2 + 1)) & 1) edge |= 1 << (16 + i);
        p.edge = 0x0000ffff | edge;
        return;
      }
      default: return;
    }
  }
}
