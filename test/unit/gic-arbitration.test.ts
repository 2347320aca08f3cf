/**
 * The GICv3 arbitration rules, case by case, on the real Gic with real Cpu objects.
 * Each case cites the rule it checks: GICv3 spec (IHI 0069) §4.8 "Interrupt prioritization"
 * and §12.2 (ICC_* registers), and QEMU hw/intc/arm_gicv3_cpuif.c, which
 * ../shared/reference/aarch64-machine.md §3.3 paraphrases.
 */
import { Cpu } from '../../src/machine/cpu/cpu';
import type { CpuHost } from '../../src/machine/cpu/cpu';
import { Gic } from '../../src/machine/gic/gic';
import { MachineEventStream } from '../../src/machine/events';
import * as R from '../../src/machine/gic/registers';
import { mpidrOf } from '../../src/machine/memory-map';

interface Rig {
  gic: Gic;
  cpus: Cpu[];
  icc: (cpu: number, reg: Parameters<Gic['cpuif']['read']>[1], v?: bigint) => bigint;
  redist: (cpu: number, off: number, v?: number, size?: number) => number;
}

function rig(n = 2): Rig {
  const host = {} as CpuHost;
  const cpus = Array.from({ length: n }, (_, i) => new Cpu(i, mpidrOf(i), host));
  const gic = new Gic(cpus, () => {});
  const region = gic.redistributorRegion(0, n);
  // GICD_CTLR: both groups on (ARE/DS are RAO).
  gic.distributor.write(R.GICD_CTLR, 4, 3);
  for (let i = 0; i < n; i++) {
    gic.cpuif.write(cpus[i], 'IGRPEN0', 1n);
    gic.cpuif.write(cpus[i], 'IGRPEN1', 1n);
    // All SGIs/PPIs Group 1 and enabled, as Linux's gic_cpu_config does.
    region.write(i * 0x20000 + R.GICR_SGI_OFFSET + R.GICR_IGROUPR0, 4, 0xffffffff);
    region.write(i * 0x20000 + R.GICR_SGI_OFFSET + R.GICR_ISENABLER0, 4, 0xffffffff);
  }
  return {
    gic,
    cpus,
    icc: (cpu, reg, v) => {
      if (v === undefined) return gic.cpuif.read(cpus[cpu], reg);
      gic.cpuif.write(cpus[cpu], reg, v);
      return 0n;
    },
    redist: (cpu, off, v, size = 4) => {
      if (v === undefined) return region.read(cpu * 0x20000 + off, size);
      region.write(cpu * 0x20000 + off, size, v);
      return 0;
    },
  };
}

function setPriority(r: Rig, cpu: number, intid: number, prio: number): void {
  r.redist(cpu, R.GICR_SGI_OFFSET + R.GICR_IPRIORITYR + intid, prio, 1);
}

function sgi(r: Rig, from: number, targetList: number, intid: number, irm = false): void {
  const v = (BigInt(intid) << 24n) | BigInt(targetList) | (irm ? 1n << 40n : 0n);
  r.icc(from, 'SGI1R', v);
}

describe('GICv3 signalling rule (pseudo-NMI behaviour)', () => {
  test('§4.8.6 priority masking: priority strictly below PMR is signalled (0x20 < 0x60, "IRQs off" PMR)', () => {
    const r = rig();
    r.icc(0, 'PMR', 0x60n);
    setPriority(r, 0, 7, 0x20);
    sgi(r, 1, 1, 7);
    expect(r.cpus[0].irqLine).toBe(true);
  });

  test('§4.8.6: priority 0xa0 is masked by PMR 0x60 and stays pending until PMR is raised to 0xe0', () => {
    const r = rig();
    r.icc(0, 'PMR', 0x60n);
    setPriority(r, 0, 1, 0xa0);
    sgi(r, 1, 1, 1);
    expect(r.cpus[0].irqLine).toBe(false);
    expect(r.icc(0, 'IAR1')).toBe(1023n); // QEMU icc_iar1_read: not preemptable → spurious
    expect(r.redist(0, R.GICR_SGI_OFFSET + R.GICR_ISPENDR0) & 2).toBe(2);
    r.icc(0, 'PMR', 0xe0n);
    expect(r.cpus[0].irqLine).toBe(true);
  });

  test('§4.8.6: equal to PMR is not signalled (the comparison is strict)', () => {
    const r = rig();
    r.icc(0, 'PMR', 0xa0n);
    setPriority(r, 0, 5, 0xa0);
    sgi(r, 1, 1, 5);
    expect(r.cpus[0].irqLine).toBe(false);
  });

  test('PMR keeps only the 5 implemented bits (0xff reads 0xf8)', () => {
    const r = rig();
    r.icc(0, 'PMR', 0xffn);
    expect(r.icc(0, 'PMR')).toBe(0xf8n);
  });

  test('§4.8.4 preemption: a pending interrupt of the same group priority as the running one is not signalled', () => {
    const r = rig();
    r.icc(0, 'PMR', 0xf0n);
    setPriority(r, 0, 3, 0x80);
    setPriority(r, 0, 4, 0x80);
    sgi(r, 1, 1, 3);
    expect(r.icc(0, 'IAR1')).toBe(3n);
    expect(r.icc(0, 'RPR')).toBe(0x80n); // measured on QEMU: RPR 0x80 inside a prio-0x80 handler
    sgi(r, 1, 1, 4);
    expect(r.cpus[0].irqLine).toBe(false);
    r.icc(0, 'EOIR1', 3n);
    expect(r.cpus[0].irqLine).toBe(true);
  });

  test('§4.8.4 preemption: a higher group priority preempts the running one', () => {
    const r = rig();
    r.icc(0, 'PMR', 0xf0n);
    setPriority(r, 0, 3, 0xa0);
    setPriority(r, 0, 7, 0x20);
    sgi(r, 1, 1, 3);
    expect(r.icc(0, 'IAR1')).toBe(3n);
    sgi(r, 1, 1, 7);
    expect(r.cpus[0].irqLine).toBe(true);
    expect(r.icc(0, 'IAR1')).toBe(7n);
    expect(r.icc(0, 'RPR')).toBe(0x20n);
  });

  test('§4.8.3 binary point: with CBPR=1 and BPR0=7 there are no group-priority bits, so nothing preempts', () => {
    const r = rig();
    r.icc(0, 'PMR', 0xf0n);
    r.icc(0, 'CTLR', 1n); // CBPR: Group 1 uses BPR0
    r.icc(0, 'BPR0', 7n);
    setPriority(r, 0, 3, 0xa0);
    setPriority(r, 0, 7, 0x20);
    sgi(r, 1, 1, 3);
    expect(r.icc(0, 'IAR1')).toBe(3n);
    sgi(r, 1, 1, 7);
    expect(r.cpus[0].irqLine).toBe(false);
  });

  test('BPR0/BPR1 reset to 2/3 and writes below the minimum are raised to it (§12.2.3, QEMU)', () => {
    const r = rig();
    expect(r.icc(0, 'BPR0')).toBe(2n);
    expect(r.icc(0, 'BPR1')).toBe(3n);
    r.icc(0, 'BPR1', 0n);
    expect(r.icc(0, 'BPR1')).toBe(3n);
  });

  test('§4.6 DS=1 delivery: Group 0 is signalled as FIQ, Group 1 as IRQ', () => {
    const r = rig();
    r.icc(0, 'PMR', 0xf0n);
    r.redist(0, R.GICR_SGI_OFFSET + R.GICR_IGROUPR0, 0xfffffffe); // SGI 0 → Group 0
    r.icc(1, 'SGI0R', 1n); // Group 0 SGIs are sent with ICC_SGI0R_EL1
    expect(r.cpus[0].fiqLine).toBe(true);
    expect(r.cpus[0].irqLine).toBe(false);
    expect(r.icc(0, 'IAR1')).toBe(1023n); // the Group 1 acknowledge does not take a Group 0 interrupt
    expect(r.icc(0, 'IAR0')).toBe(0n);
  });

  test('§4.7.1 an interrupt of a group disabled in ICC_IGRPEN1 or GICD_CTLR is not signalled', () => {
    const r = rig();
    r.icc(0, 'PMR', 0xf0n);
    r.icc(0, 'IGRPEN1', 0n);
    sgi(r, 1, 1, 2);
    expect(r.cpus[0].irqLine).toBe(false);
    r.icc(0, 'IGRPEN1', 1n);
    expect(r.cpus[0].irqLine).toBe(true);
    r.gic.distributor.write(R.GICD_CTLR, 4, 1); // EnableGrp1 off
    expect(r.cpus[0].irqLine).toBe(false);
  });

  test('§4.7.1 disabled interrupts are not signalled; equal priorities go to the lowest INTID (QEMU IMPDEF choice)', () => {
    const r = rig();
    r.icc(0, 'PMR', 0xf0n);
    r.redist(0, R.GICR_SGI_OFFSET + R.GICR_ICENABLER0, 1 << 6);
    sgi(r, 1, 1, 6);
    expect(r.cpus[0].irqLine).toBe(false);
    sgi(r, 1, 1, 9);
    sgi(r, 1, 1, 8);
    expect(r.icc(0, 'HPPIR1')).toBe(8n);
  });

  test('§4.1.2 EOImode=1: EOIR drops the running priority, DIR deactivates', () => {
    const r = rig();
    r.icc(0, 'PMR', 0xf0n);
    r.icc(0, 'CTLR', 2n);
    sgi(r, 1, 1, 4);
    expect(r.icc(0, 'IAR1')).toBe(4n);
    r.icc(0, 'EOIR1', 4n);
    expect(r.icc(0, 'RPR')).toBe(0xffn);
    expect(r.redist(0, R.GICR_SGI_OFFSET + R.GICR_ISACTIVER0) & 0x10).toBe(0x10);
    sgi(r, 1, 1, 4);
    expect(r.cpus[0].irqLine).toBe(false); // still active: not a candidate
    r.icc(0, 'DIR', 4n);
    expect(r.redist(0, R.GICR_SGI_OFFSET + R.GICR_ISACTIVER0) & 0x10).toBe(0);
    expect(r.cpus[0].irqLine).toBe(true);
  });

  test('§4.1.2 EOImode=0: EOIR also deactivates; DIR is ignored', () => {
    const r = rig();
    r.icc(0, 'PMR', 0xf0n);
    sgi(r, 1, 1, 4);
    expect(r.icc(0, 'IAR1')).toBe(4n);
    r.icc(0, 'EOIR1', 4n);
    expect(r.redist(0, R.GICR_SGI_OFFSET + R.GICR_ISACTIVER0) & 0x10).toBe(0);
  });

  test('§2.2.1 INTIDs 1020–1023 written to EOIR are ignored', () => {
    const r = rig();
    r.icc(0, 'PMR', 0xf0n);
    setPriority(r, 0, 4, 0x80);
    sgi(r, 1, 1, 4);
    r.icc(0, 'IAR1');
    r.icc(0, 'EOIR1', 1023n);
    expect(r.icc(0, 'RPR')).toBe(0x80n);
  });

  test('SGI with affinity routing: re-sending a pending SGI leaves it pending once; IAR returns the INTID alone', () => {
    const r = rig();
    r.icc(0, 'PMR', 0xf0n);
    sgi(r, 1, 1, 5);
    sgi(r, 1, 1, 5);
    expect(r.icc(0, 'IAR1')).toBe(5n);
    r.icc(0, 'EOIR1', 5n);
    expect(r.icc(0, 'IAR1')).toBe(1023n);
  });

  test('ICC_SGI1R_EL1.IRM=1 targets every PE except the sender; TargetList/Aff1 pick exact PEs', () => {
    const r = rig(40);
    for (let i = 0; i < 40; i++) r.icc(i, 'PMR', 0xf0n);
    sgi(r, 3, 0, 2, true);
    expect(r.cpus.filter((c) => c.irqLine).map((c) => c.index)).toEqual([...Array(40).keys()].filter((i) => i !== 3));
    const r2 = rig(40);
    for (let i = 0; i < 40; i++) r2.icc(i, 'PMR', 0xf0n);
    // Aff1 = 2, TargetList bits 1 and 5: CPUs 33 and 37.
    r2.icc(0, 'SGI1R', (2n << 16n) | (1n << 1n) | (1n << 5n) | (2n << 24n));
    expect(r2.cpus.filter((c) => c.irqLine).map((c) => c.index)).toEqual([33, 37]);
  });

  test('level-sensitive PPI (timer): pending follows the line; acknowledging leaves it active and pending', () => {
    const r = rig();
    r.icc(0, 'PMR', 0xf0n);
    r.gic.setPpiLevel(0, 27, true);
    expect(r.cpus[0].irqLine).toBe(true);
    expect(r.icc(0, 'IAR1')).toBe(27n);
    expect(r.cpus[0].irqLine).toBe(false);
    r.icc(0, 'EOIR1', 27n);
    expect(r.cpus[0].irqLine).toBe(true); // still asserted: EOI alone does not clear a level source
    r.gic.setPpiLevel(0, 27, false);
    expect(r.cpus[0].irqLine).toBe(false);
  });

  test('SPI routed by GICD_IROUTER reaches only the CPU with that affinity', () => {
    const r = rig(20);
    for (let i = 0; i < 20; i++) r.icc(i, 'PMR', 0xf0n);
    const d = r.gic.distributor;
    d.write(R.GICD_IGROUPR + 4, 4, 0xffffffff);
    d.write(R.GICD_ISENABLER + 4, 4, 1 << 1); // INTID 33
    d.write(R.GICD_IROUTER + 33 * 8, 4, (1 << 8) | 2); // Aff1 = 1, Aff0 = 2: CPU 18
    r.gic.setSpiLevel(33, true);
    expect(r.cpus.filter((c) => c.irqLine).map((c) => c.index)).toEqual([18]);
  });

  test('reset values as measured on QEMU: GICD_CTLR 0x50, TYPER 0x037a0007, PIDR2 0x3b, GICR_WAKER 6, ICFGR0 0xaaaaaaaa, ICC_CTLR 0x8c00', () => {
    const host = {} as CpuHost;
    const cpus = [new Cpu(0, mpidrOf(0), host)];
    const gic = new Gic(cpus, () => {});
    const red = gic.redistributorRegion(0, 1);
    expect(gic.distributor.read(R.GICD_CTLR, 4)).toBe(0x50);
    expect(gic.distributor.read(R.GICD_TYPER, 4)).toBe(0x037a0007);
    expect(gic.distributor.read(0xffe8, 4)).toBe(0x3b);
    expect(red.read(R.GICR_WAKER, 4)).toBe(6);
    expect(red.read(R.GICR_TYPER, 4)).toBe(0x1000011);
    expect(red.read(R.GICR_SGI_OFFSET + R.GICR_ICFGR0, 4)).toBe(0xaaaaaaaa);
    expect(red.read(R.GICR_SGI_OFFSET + R.GICR_IGROUPR0, 4)).toBe(0);
    expect(gic.cpuif.read(cpus[0], 'CTLR')).toBe(0x8c00n);
    expect(gic.cpuif.read(cpus[0], 'RPR')).toBe(0xffn);
    expect(gic.cpuif.read(cpus[0], 'IAR1')).toBe(1023n);
    gic.distributor.write(R.GICD_CTLR, 4, 0x13);
    expect(gic.distributor.read(R.GICD_CTLR, 4)).toBe(0x53);
  });

  // ---- behaviour measured on QEMU 7.2 with guest/tests/gic_probe.c and gic_sgi.c ----

  test('§12.2.21-23 an SGI reaches a target only in the group its register requests: SGI0R/ASGI1R → Group 0, SGI1R → Group 1', () => {
    const r = rig();
    r.icc(0, 'PMR', 0xf0n);
    r.redist(0, R.GICR_SGI_OFFSET + R.GICR_IGROUPR0, 0xfffffffd); // SGI 1 → Group 0, SGI 2 Group 1
    const pend = (): number => r.redist(0, R.GICR_SGI_OFFSET + R.GICR_ISPENDR0) & 6;
    const clear = (): number => r.redist(0, R.GICR_SGI_OFFSET + R.GICR_ICPENDR0, 6);
    const cases: [Parameters<Rig['icc']>[1], number, number][] = [
      ['SGI0R', 1, 2], ['SGI0R', 2, 0], ['SGI1R', 1, 0], ['SGI1R', 2, 4], ['ASGI1R', 1, 2], ['ASGI1R', 2, 0],
    ];
    for (const [reg, intid, expected] of cases) {
      r.icc(1, reg, (BigInt(intid) << 24n) | 1n);
      expect([reg, intid, pend()]).toEqual([reg, intid, expected]);
      clear();
    }
  });

  test('the HPPI is chosen without ICC_IGRPEN: a pending Group 0 interrupt with IGRPEN0 = 0 hides a lower-priority Group 1 one (QEMU icc_no_enabled_hppi)', () => {
    const r = rig();
    r.icc(0, 'PMR', 0xf0n);
    r.redist(0, R.GICR_SGI_OFFSET + R.GICR_IGROUPR0, 0xfffffffd); // SGI 1 → Group 0
    setPriority(r, 0, 1, 0x10);
    setPriority(r, 0, 2, 0x80);
    r.icc(0, 'IGRPEN0', 0n);
    r.icc(1, 'SGI0R', (1n << 24n) | 1n);
    sgi(r, 1, 1, 2);
    expect([r.cpus[0].irqLine, r.cpus[0].fiqLine]).toEqual([false, false]);
    expect(r.icc(0, 'HPPIR0')).toBe(1023n);
    expect(r.icc(0, 'HPPIR1')).toBe(1023n);
    expect(r.icc(0, 'IAR1')).toBe(1023n);
    r.gic.distributor.write(R.GICD_CTLR, 4, 2); // GICD EnableGrp0 off: now the Group 1 SGI is the HPPI
    expect(r.cpus[0].irqLine).toBe(true);
    expect(r.icc(0, 'HPPIR1')).toBe(2n);
  });

  test('§4.8.3 the active priority bit set by IAR is the group priority: prio 0x58 with BPR0 = 4 runs at RPR 0x40', () => {
    const r = rig();
    r.icc(0, 'PMR', 0xf0n);
    r.icc(0, 'BPR0', 4n);
    r.redist(0, R.GICR_SGI_OFFSET + R.GICR_IGROUPR0, 0xfffffffd);
    setPriority(r, 0, 1, 0x58);
    r.icc(1, 'SGI0R', (1n << 24n) | 1n);
    expect(r.icc(0, 'IAR0')).toBe(1n);
    expect(r.icc(0, 'RPR')).toBe(0x40n);
    expect(r.icc(0, 'AP0R0')).toBe(1n << 8n);
  });

  test('EOIR is ignored when the highest active priority is the other group, or nothing is active (QEMU icc_eoir_write)', () => {
    const r = rig();
    r.icc(0, 'PMR', 0xf0n);
    setPriority(r, 0, 3, 0xa0);
    sgi(r, 1, 1, 3);
    expect(r.icc(0, 'IAR1')).toBe(3n);
    r.icc(0, 'EOIR0', 3n);
    expect(r.icc(0, 'RPR')).toBe(0xa0n);
    expect(r.redist(0, R.GICR_SGI_OFFSET + R.GICR_ISACTIVER0) & 8).toBe(8);
    r.icc(0, 'EOIR1', 3n);
    expect(r.icc(0, 'RPR')).toBe(0xffn);
    expect(r.redist(0, R.GICR_SGI_OFFSET + R.GICR_ISACTIVER0) & 8).toBe(0);
    r.redist(0, R.GICR_SGI_OFFSET + R.GICR_ISACTIVER0, 8); // active without a running priority
    r.icc(0, 'EOIR1', 3n);
    expect(r.redist(0, R.GICR_SGI_OFFSET + R.GICR_ISACTIVER0) & 8).toBe(8);
  });

  test('EOIR with EOImode = 0 deactivates the INTID written, not the one acknowledged', () => {
    const r = rig();
    r.icc(0, 'PMR', 0xf0n);
    sgi(r, 1, 1, 3);
    expect(r.icc(0, 'IAR1')).toBe(3n);
    r.icc(0, 'EOIR1', 7n);
    expect(r.icc(0, 'RPR')).toBe(0xffn);
    expect(r.redist(0, R.GICR_SGI_OFFSET + R.GICR_ISACTIVER0) & 8).toBe(8);
  });

  test('a PPI configured edge-triggered in GICR_ICFGR1 latches once per rising edge of its line', () => {
    const r = rig();
    r.icc(0, 'PMR', 0xf0n);
    r.redist(0, R.GICR_SGI_OFFSET + R.GICR_ICFGR1, 2 << ((27 - 16) * 2));
    expect(r.redist(0, R.GICR_SGI_OFFSET + R.GICR_ICFGR1)).toBe(0x800000);
    r.gic.setPpiLevel(0, 27, true);
    expect(r.icc(0, 'IAR1')).toBe(27n);
    r.icc(0, 'EOIR1', 27n);
    expect(r.cpus[0].irqLine).toBe(false); // the line is still high, but an edge was consumed
    r.gic.setPpiLevel(0, 27, true); // no change: no new edge
    expect(r.cpus[0].irqLine).toBe(false);
    r.gic.setPpiLevel(0, 27, false);
    r.gic.setPpiLevel(0, 27, true);
    expect(r.cpus[0].irqLine).toBe(true);
  });

  test('register storage as QEMU: IPRIORITYR keeps 8 bits, IGRPMODR/NSACR are RAZ/WI, GICR_CTLR reads CES, GICR PIDR0 0x93', () => {
    const r = rig(1);
    setPriority(r, 0, 5, 0xff);
    expect(r.redist(0, R.GICR_SGI_OFFSET + R.GICR_IPRIORITYR + 4)).toBe(0xff00);
    r.gic.distributor.write(R.GICD_IPRIORITYR + 32, 4, 0x12345678);
    expect(r.gic.distributor.read(R.GICD_IPRIORITYR + 32, 4)).toBe(0x12345678);
    r.redist(0, R.GICR_SGI_OFFSET + R.GICR_IGRPMODR0, 0xffffffff);
    r.redist(0, R.GICR_SGI_OFFSET + R.GICR_NSACR, 0xffffffff);
    r.gic.distributor.write(R.GICD_IGRPMODR + 4, 4, 0xffffffff);
    expect(r.redist(0, R.GICR_SGI_OFFSET + R.GICR_IGRPMODR0)).toBe(0);
    expect(r.redist(0, R.GICR_SGI_OFFSET + R.GICR_NSACR)).toBe(0);
    expect(r.gic.distributor.read(R.GICD_IGRPMODR + 4, 4)).toBe(0);
    expect(r.redist(0, R.GICR_CTLR)).toBe(2);
    expect(r.redist(0, 0xffe0)).toBe(0x93);
    expect(r.gic.distributor.read(0xffe0, 4)).toBe(0x92);
  });

  test('GICD_IROUTER keeps all 64 bits and routes by affinity alone (IRM ignored); SETSPI_NSR is ignored (MBIS = 0)', () => {
    const r = rig(2);
    r.icc(0, 'PMR', 0xf0n);
    r.icc(1, 'PMR', 0xf0n);
    const d = r.gic.distributor;
    d.write(R.GICD_IGROUPR + 4, 4, 0xffffffff);
    d.write(R.GICD_ISENABLER + 4, 4, 1 << 1);
    d.write(R.GICD_IROUTER + 33 * 8, 4, 0xffffffff);
    d.write(R.GICD_IROUTER + 33 * 8 + 4, 4, 0xffffffff);
    expect([d.read(R.GICD_IROUTER + 33 * 8, 4), d.read(R.GICD_IROUTER + 33 * 8 + 4, 4)]).toEqual([0xffffffff, 0xffffffff]);
    d.write(R.GICD_IROUTER + 33 * 8 + 4, 4, 0);
    d.write(R.GICD_IROUTER + 33 * 8, 4, 0x80000f0f); // IRM = 1, affinity of no CPU
    d.write(R.GICD_ISPENDR + 4, 4, 1 << 1);
    expect(r.cpus.map((c) => c.irqLine)).toEqual([false, false]);
    d.write(R.GICD_IROUTER + 33 * 8, 4, 0x80000001); // IRM = 1, affinity of CPU 1
    expect(r.cpus.map((c) => c.irqLine)).toEqual([false, true]);
    d.write(R.GICD_ICPENDR + 4, 4, 1 << 1);
    d.write(R.GICD_SETSPI_NSR, 4, 33);
    expect(d.read(R.GICD_ISPENDR + 4, 4)).toBe(0);
  });

  test('an interrupt of priority 0xff never becomes the HPPI (QEMU: "no interrupt" is priority 0xff); 0xf9 does', () => {
    const r = rig(1);
    r.icc(0, 'PMR', 0xffn);
    setPriority(r, 0, 3, 0xff);
    setPriority(r, 0, 4, 0xf9);
    sgi(r, 0, 1, 3);
    expect(r.icc(0, 'HPPIR1')).toBe(1023n);
    sgi(r, 0, 1, 4);
    expect(r.icc(0, 'HPPIR1')).toBe(4n);
    expect(r.cpus[0].irqLine).toBe(false); // 0xf9 is not below PMR 0xf8
  });

  test('ICC_SGI1R_EL1.RS is ignored (RES0 with ICC_CTLR_EL1.RSS = 0), as QEMU does', () => {
    const r = rig(4);
    for (let i = 0; i < 4; i++) r.icc(i, 'PMR', 0xf0n);
    r.icc(0, 'SGI1R', (1n << 44n) | (2n << 24n) | 0xen);
    expect(r.cpus.map((c) => c.irqLine)).toEqual([false, true, true, true]);
  });

  test('events: SGI sends (one per target, from the sender), acknowledges (with the interrupted PMR and PSTATE.I), EOIs and DIRs, with the INTID priority', () => {
    const host = {} as CpuHost;
    const cpus = [0, 1, 2].map((i) => new Cpu(i, mpidrOf(i), host));
    const events: unknown[] = [];
    let now = 100;
    const stream = new MachineEventStream(() => now++);
    stream.subscribe((e) => events.push(e));
    const gic = new Gic(cpus, () => {}, stream);
    const region = gic.redistributorRegion(0, 3);
    gic.distributor.write(R.GICD_CTLR, 4, 3);
    for (const c of cpus) {
      region.write(c.index * 0x20000 + R.GICR_SGI_OFFSET + R.GICR_IGROUPR0, 4, 0xffffffff);
      region.write(c.index * 0x20000 + R.GICR_SGI_OFFSET + R.GICR_ISENABLER0, 4, 0xffff);
      region.write(c.index * 0x20000 + R.GICR_SGI_OFFSET + R.GICR_IPRIORITYR + 4, 1, 0x20);
      gic.cpuif.write(c, 'IGRPEN1', 1n);
      gic.cpuif.write(c, 'PMR', 0xf0n);
    }
    gic.cpuif.write(cpus[0], 'SGI1R', (4n << 24n) | (1n << 40n)); // IRM: CPUs 1 and 2
    cpus[2].pmrAtInterrupt = 0x60; // as the CPU found PMR when it took the IRQ exception
    expect(gic.cpuif.read(cpus[2], 'IAR1')).toBe(4n);
    expect(gic.cpuif.read(cpus[2], 'IAR1')).toBe(1023n); // nothing to acknowledge: no event
    gic.cpuif.write(cpus[2], 'EOIR0', 4n); // ignored (Group 1 is active): no event
    gic.cpuif.write(cpus[2], 'CTLR', 2n);
    gic.cpuif.write(cpus[2], 'EOIR1', 4n);
    gic.cpuif.write(cpus[2], 'DIR', 4n);
    expect(events).toEqual([
      { timeUs: 0.1, cpu: 0, kind: 'sgi-sent', target: 1, intid: 4, prio: 0x20 },
      { timeUs: 0.101, cpu: 0, kind: 'sgi-sent', target: 2, intid: 4, prio: 0x20 },
      { timeUs: 0.102, cpu: 2, kind: 'irq-taken', intid: 4, prio: 0x20, pmr: 0x60, irqMasked: false },
      { timeUs: 0.103, cpu: 2, kind: 'eoi', intid: 4, prio: 0x20 },
      { timeUs: 0.104, cpu: 2, kind: 'dir', intid: 4, prio: 0x20 },
    ]);
  });
});
