/**
 * The bundled kernel's self-test of the dynamic IPI (kgdb_lab.selftest=1), on QEMU and
 * kgdb-lab, 4 CPUs: CPU 2 turns its interrupts off the kernel's way (local_irq_save) and
 * CPU 0 sends SGI 7 to every CPU. With pseudo-NMI, "IRQs off" is ICC_PMR_EL1 = 0x60 and the
 * SGI, at NMI priority 0x20, gets through: every CPU takes it. Without, CPU 2 masks with
 * PSTATE.I and takes it only once it turns interrupts back on. The run powers off at the end.
 */
import { firstPerCpuDifference, linesPerCpu, stripTimestamps } from '../helpers/console-compare';
import { BUNDLED_IMAGE } from '../helpers/bundled-kernel';
import { emulatorProblem, runKgdbLab } from '../helpers/kgdb-lab';
import { runQemu } from '../helpers/qemu';

const CPUS = 4;

const EXPECTED = {
  nmi: {
    cpu0: [
      'kgdb_lab: selftest: sending the dynamic IPI (SGI 7, a pseudo-NMI) to all CPUs, one with IRQs off',
      'kgdb_lab: steady: self-test, 4 CPUs in place',
      'kgdb_lab: selftest: dynamic IPI taken by CPUs 0-3',
      'kgdb_lab: selftest: done',
    ],
    cpu2: ['kgdb_lab: selftest: CPU2: took the dynamic IPI while its IRQs were off'],
  },
  irq: {
    cpu0: [
      'kgdb_lab: selftest: sending the dynamic IPI (SGI 7, a regular IRQ) to all CPUs, one with IRQs off',
      'kgdb_lab: steady: self-test, 4 CPUs in place',
      'kgdb_lab: selftest: dynamic IPI taken by CPUs 0-1,3',
      'kgdb_lab: selftest: dynamic IPI not taken by CPUs 2',
      'kgdb_lab: selftest: done',
    ],
    cpu2: ['kgdb_lab: selftest: CPU2: took the dynamic IPI late, once its IRQs were back on'],
  },
};

/** The self-test's own lines of one CPU, in order. */
function selftestLines(text: string, cpu: number): string[] {
  return (linesPerCpu(stripTimestamps(text)).get(`cpu${cpu}`) ?? []).filter((l) => /^kgdb_lab: (selftest|steady)/.test(l));
}

describe.each([
  { mode: 'nmi' as const, append: 'kgdb_lab.selftest=1 irqchip.gicv3_pseudo_nmi=1' },
  { mode: 'irq' as const, append: 'kgdb_lab.selftest=1' },
])('dynamic IPI self-test ($mode)', ({ mode, append }) => {
  it('reports the same CPUs on QEMU and kgdb-lab, and the same lines per CPU', async () => {
    const problem = emulatorProblem();
    if (problem) throw new Error(problem);
    const [qemu, ours] = await Promise.all([
      runQemu({ elf: BUNDLED_IMAGE, cpus: CPUS, append, timeoutMs: 30_000 }),
      runKgdbLab({ elf: BUNDLED_IMAGE, cpus: CPUS, append, timeoutMs: 30_000 }),
    ]);
    const qText = qemu.stdout.toString('latin1');
    const oText = ours.stdout.toString('latin1');
    if (qemu.status !== 0) throw new Error(`${qemu.commandLine}: exit ${qemu.status}\n${qemu.stderr}\n${qText}`);
    if (ours.status !== 0) throw new Error(`${ours.commandLine}: exit ${ours.status}\n${ours.stderr.slice(-2000)}\n${oText}`);
    for (const text of [qText, oText]) {
      expect(selftestLines(text, 0)).toEqual(EXPECTED[mode].cpu0);
      expect(selftestLines(text, 2)).toEqual(EXPECTED[mode].cpu2);
      expect(selftestLines(text, 1)).toEqual([]);
      expect(selftestLines(text, 3)).toEqual([]);
    }
    const diff = firstPerCpuDifference(stripTimestamps(qText), stripTimestamps(oText));
    if (diff) throw new Error(`${ours.commandLine}\n${diff}`);
  }, 60_000);
});
