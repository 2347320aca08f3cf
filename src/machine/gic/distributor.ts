import type { MmioDevice } from '../bus';
import type { Gic } from './gic';
import { NUM_IRQS } from './gic';
import * as R from './registers';

/**
 * The distributor (GICD_*) MMIO frame: SPI configuration and GICD_CTLR. With affinity
 * routing (ARE = 1, always, as QEMU virt) the banked INTID 0–31 copies are RAZ/WI and
 * ITARGETSR/SGIR are unused. With a single security state GICD_IGRPMODR is RAZ/WI, and
 * with GICD_TYPER.MBIS = 0 so are GICD_SETSPI_NSR/CLRSPI_NSR (measured on QEMU 7.2: a
 * write of INTID 33 to SETSPI_NSR sets nothing pending). Reserved offsets are RAZ/WI, never
 * an abort (QEMU hw/intc/arm_gicv3_dist.c logs a guest error and carries on).
 */
export class Distributor implements MmioDevice {
  constructor(private readonly gic: Gic) {}

  read(offset: number, size: number): number {
    return this.peek(offset, size);
  }

  peek(offset: number, size: number): number {
    const g = this.gic;
    if (offset >= R.GICD_IPRIORITYR && offset < R.GICD_IPRIORITYR + NUM_IRQS) {
      return this.bytes(offset - R.GICD_IPRIORITYR, size, (i) => (i >= 32 ? g.spiPriority[i] : 0));
    }
    if (offset >= R.GICD_IROUTER && offset < R.GICD_IROUTER + NUM_IRQS * 8) {
      const intid = (offset - R.GICD_IROUTER) >>> 3;
      if (intid < 32) return 0;
      return offset & 4 ? g.spiRouteHi[intid] : g.spiRouteLo[intid];
    }
    if (offset >= R.GICD_IDREGS && offset < R.GICD_IDREGS + 48) return R.GIC_ID_REGS[(offset - R.GICD_IDREGS) >> 2];
    const bits = this.bitRegister(offset);
    if (bits) return this.readBits(bits.array, bits.word);
    if (offset >= R.GICD_ICFGR && offset < R.GICD_ICFGR + NUM_IRQS / 4) {
      const first = ((offset - R.GICD_ICFGR) >>> 2) * 16;
      let v = 0;
      for (let i = 0; i < 16; i++) if (first + i >= 32 && g.spiEdge[first + i]) v |= 2 << (i * 2);
      return v >>> 0;
    }
    switch (offset) {
      case R.GICD_CTLR: return g.gicdCtlr;
      case R.GICD_TYPER: return R.GICD_TYPER_VALUE;
      case R.GICD_IIDR: return R.GIC_IIDR_VALUE;
      default: return 0;
    }
  }

  write(offset: number, size: number, value: number): void {
    const g = this.gic;
    if (offset >= R.GICD_IPRIORITYR && offset < R.GICD_IPRIORITYR + NUM_IRQS) {
      // All 8 bits are kept, as QEMU does (the CPU interface implements 5; see PRIORITY_MASK).
      const first = offset - R.GICD_IPRIORITYR;
      for (let b = 0; b < size; b++) {
        const i = first + b;
        if (i >= 32 && i < NUM_IRQS) g.spiPriority[i] = (value >>> (b * 8)) & 0xff;
      }
      return this.updateRange(first, size);
    }
    if (offset >= R.GICD_IROUTER && offset < R.GICD_IROUTER + NUM_IRQS * 8) {
      // Stored whole, as QEMU gicd_write_irouter does; routing uses only the affinity fields.
      const intid = (offset - R.GICD_IROUTER) >>> 3;
      if (intid < 32) return;
      if (offset & 4) g.spiRouteHi[intid] = value >>> 0;
      else g.spiRouteLo[intid] = value >>> 0;
      return g.routeSpi(intid);
    }
    if (offset >= R.GICD_ICFGR && offset < R.GICD_ICFGR + NUM_IRQS / 4) {
      const first = ((offset - R.GICD_ICFGR) >>> 2) * 16;
      for (let i = 0; i < 16; i++) if (first + i >= 32) g.spiEdge[first + i] = (value >>> (i * 2 + 1)) & 1;
      return this.updateRange(first, 16);
    }
    const bits = this.bitRegister(offset);
    if (bits) {
      this.writeBits(bits.array, bits.word, value, bits.mode);
      return this.updateRange(bits.word * 32, 32);
    }
    switch (offset) {
      case R.GICD_CTLR:
        // EnableGrp0/EnableGrp1 writable; ARE and DS are RAO/WI (measured: 0x13 reads back 0x53).
        g.gicdCtlr = 0x50 | (value & 3);
        return g.updateAll();
      default:
        return;
    }
  }

  /** Which 1-bit-per-INTID register an offset falls in, if any. */
  private bitRegister(offset: number): { array: Uint8Array; word: number; mode: 'set' | 'clear' | 'write' } | undefined {
    const g = this.gic;
    const table: [number, Uint8Array, 'set' | 'clear' | 'write'][] = [
      [R.GICD_IGROUPR, g.spiGroup, 'write'],
      [R.GICD_ISENABLER, g.spiEnabled, 'set'],
      [R.GICD_ICENABLER, g.spiEnabled, 'clear'],
      [R.GICD_ISPENDR, g.spiPending, 'set'],
      [R.GICD_ICPENDR, g.spiPending, 'clear'],
      [R.GICD_ISACTIVER, g.spiActive, 'set'],
      [R.GICD_ICACTIVER, g.spiActive, 'clear'],
    ];
    for (const [base, array, mode] of table) {
      if (offset >= base && offset < base + NUM_IRQS / 8) return { array, word: (offset - base) >>> 2, mode };
    }
    return undefined;
  }

  private readBits(array: Uint8Array, word: number): number {
    if (word === 0) return 0; // INTIDs 0–31 live in the redistributors (ARE = 1)
    const g = this.gic;
    let v = 0;
    for (let i = 0; i < 32; i++) {
      const intid = word * 32 + i;
      // ISPENDR reads include level-asserted inputs (GICv3 spec §12.9.26).
      const set = array === g.spiPending ? g.isPending(0, intid) : array[intid] === 1;
      if (set) v |= 1 << i;
    }
    return v >>> 0;
  }

  private writeBits(array: Uint8Array, word: number, value: number, mode: 'set' | 'clear' | 'write'): void {
    if (word === 0) return;
    for (let i = 0; i < 32; i++) {
      const intid = word * 32 + i;
      const bit = (value >>> i) & 1;
      if (mode === 'write') array[intid] = bit;
      else if (bit) array[intid] = mode === 'set' ? 1 : 0;
    }
    if (array === this.gic.spiEnabled) {
      for (let i = 31; i >= 0; i--) {
        if (array[word * 32 + i]) {
          this.gic.spiLimit = Math.max(this.gic.spiLimit, word * 32 + i + 1);
          break;
        }
      }
    }
  }

  private bytes(first: number, size: number, get: (i: number) => number): number {
    let v = 0;
    for (let b = 0; b < size; b++) v |= get(first + b) << (b * 8);
    return v >>> 0;
  }

  private updateRange(first: number, count: number): void {
    const targets = new Set<number>();
    for (let i = Math.max(first, 32); i < Math.min(first + count, NUM_IRQS); i++) {
      const t = this.gic.spiTarget[i];
      if (t >= 0) targets.add(t);
    }
    for (const t of targets) this.gic.updateCpu(t);
  }
}
