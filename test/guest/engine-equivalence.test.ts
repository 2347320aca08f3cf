/**
 * The two CPU engines on real guests: every program runs under --icount on a board with
 * `engine: 'interp'` (the reference) and on one with `engine: 'jit'` (compiled blocks), in
 * process, and everything observable must be identical: the UART bytes, how the run ended,
 * each CPU's retired-instruction count, final registers, PC and PSTATE, and every GIC event
 * (SGI sends, acknowledges, EOIs, DIRs) with the machine time it happened at — so CPUs are
 * switched and interrupts taken at exactly the same instruction counts on both engines.
 *
 * Programs: the differential guest tests (guest/tests), the compute benchmark guest, the
 * bundled kernel's dynamic-IPI self-test (4 CPUs, pseudo-NMI) and the bundled kernel's
 * hardlockup scenario on 4 CPUs for a fixed stretch of machine time.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { loadElfFile } from '../../src/loader/elf';
import { Board } from '../../src/machine/board';
import type { CpuEngine } from '../../src/machine/cpu/cpu';
import type { MachineEvent } from '../../src/machine/events';
import { BUNDLED_IMAGE, scenarioBootargs } from '../helpers/bundled-kernel';
import { GUEST_DIR, ROOT, buildGuestTests, testElf } from '../helpers/guest-build';

interface Run {
  console: string;
  exit: string;
  cpus: { retired: number; x: string[]; pc: number; pstate: number; state: number }[];
  gic: MachineEvent[];
}

interface Program {
  name: string;
  elf: () => string;
  cpus: number;
  bootargs?: string;
  /** Stop after this much machine time (ns) instead of waiting for the guest to power off. */
  stopAtNs?: number;
  icountShift: number;
  /** The run must show interrupt traffic (GIC events) for the comparison to mean something. */
  gicEvents?: boolean;
}

/** Run one program on one engine, in process, with deterministic time. */
async function runOn(p: Program, engine: CpuEngine): Promise<Run> {
  const out: number[] = [];
  const gic: MachineEvent[] = [];
  const board = new Board({
    cpus: p.cpus,
    memoryMiB: 256,
    bootargs: p.bootargs ?? '',
    icountShift: p.icountShift,
    engine,
    onConsole: (b) => out.push(...b),
  });
  board.events.subscribe((e) => gic.push({ ...e }));
  board.load(loadElfFile(p.elf()));
  if (p.stopAtNs !== undefined) board.scheduler.at(p.stopAtNs, () => board.halt());
  const exit = await board.run();
  return {
    console: Buffer.from(out).toString('latin1'),
    exit: `${exit.reason}: ${exit.detail}`,
    cpus: board.cpus.map((c) => ({
      retired: c.retired,
      x: Array.from({ length: 33 }, (_, i) => c.getX(i).toString(16)),
      pc: c.pc,
      pstate: c.pstate,
      state: c.state,
    })),
    gic,
  };
}

const single = (name: string): Program => ({ name, elf: () => testElf(name), cpus: 1, icountShift: 4 });

const PROGRAMS: Program[] = [
  ...['alu', 'branch', 'cond', 'ldst', 'exceptions', 'excl', 'lse', 'sysreg', 'timer', 'wfi', 'rand_ops'].map(single),
  ...['gic_sgi', 'gic_nmi'].map((name) => ({ ...single(name), gicEvents: true })),
  { name: 'smp_counter', elf: () => testElf('smp_counter'), cpus: 4, icountShift: 0 },
  { name: 'psci', elf: () => testElf('psci'), cpus: 4, icountShift: 4 },
  { name: 'compute benchmark', elf: () => path.join(ROOT, 'bench', 'build', 'compute.elf'), cpus: 1, icountShift: 0 },
  { name: 'bundled kernel: dynamic-IPI self-test (NMI)', elf: () => BUNDLED_IMAGE, cpus: 4, bootargs: 'kgdb_lab.selftest=1 irqchip.gicv3_pseudo_nmi=1', icountShift: 4, gicEvents: true },
  {
    name: 'bundled kernel: hardlockup scenario, 4 CPUs, 400 ms of machine time',
    elf: () => BUNDLED_IMAGE,
    cpus: 4,
    bootargs: scenarioBootargs('hardlockup', true),
    stopAtNs: 400e6,
    icountShift: 4,
    gicEvents: true,
  },
];

beforeAll(() => {
  buildGuestTests();
  execFileSync('make', ['--no-print-directory', '-s', '-C', GUEST_DIR, 'bench'], { stdio: 'ignore' });
});

describe.each(PROGRAMS)('$name: jit and interpreter agree under --icount', (p) => {
  test('same console, exit, per-CPU counts, registers and GIC event times', async () => {
    const ref = await runOn(p, 'interp');
    const jit = await runOn(p, 'jit');
    // The reference run must have done something worth comparing.
    expect(ref.cpus.reduce((n, c) => n + c.retired, 0)).toBeGreaterThan(10_000);
    if (p.gicEvents) expect(ref.gic.length).toBeGreaterThan(0);
    expect(jit.console).toBe(ref.console);
    expect(jit.exit).toBe(ref.exit);
    expect(jit.cpus).toEqual(ref.cpus);
    expect(jit.gic.length).toBe(ref.gic.length);
    expect(jit.gic).toEqual(ref.gic);
  });
});
