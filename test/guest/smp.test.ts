/**
 * Differential tests of the multi-CPU guest programs: the shared-counter test at 1, 4 and
 * 64 CPUs (Armv8.0 and LSE variants) and the PSCI test at 4 CPUs, on QEMU and kgdb-lab,
 * compared per CPU (each CPU's sequence of "[cpuN] ..." lines, not their interleaving);
 * and the counter test at 256 CPUs on kgdb-lab alone, checked against the known totals.
 */
import { END_MARKER, firstPerCpuDifference, linesPerCpu } from '../helpers/console-compare';
import { buildGuestTests, testElf } from '../helpers/guest-build';
import { emulatorProblem, runKgdbLab } from '../helpers/kgdb-lab';
import { runQemu, type QemuResult } from '../helpers/qemu';

/** Iterations per CPU compiled into smp_counter (ITER in guest/tests/smp_counter.c). */
const ITER = 1000;

interface Case {
  name: string;
  cpus: number;
  cpuModel: string;
  /** Lines CPU 0 must print (without the "[cpu0] " prefix). */
  cpu0MustContain: string[];
}

function counterCase(name: string, cpus: number, cpuModel: string, lse: boolean): Case {
  const n = cpus * ITER;
  const lines = [`llsc=${n} ticket=${n} tas=${n} expected=${n}`, 'PASS'];
  if (lse) lines.push(`ldadd=${n} cas=${n} swp=${n} expected=${n}`);
  return { name, cpus, cpuModel, cpu0MustContain: lines };
}

const CASES: Case[] = [
  counterCase('smp_counter', 1, 'cortex-a57', false),
  counterCase('smp_counter', 4, 'cortex-a57', false),
  counterCase('smp_counter', 64, 'cortex-a57', false),
  counterCase('smp_counter_lse', 4, 'max', true),
  counterCase('smp_counter_lse', 64, 'max', true),
  {
    name: 'psci',
    cpus: 4,
    cpuModel: 'cortex-a57',
    cpu0MustContain: ['PSCI_VERSION=10001', 'CPU_ON(cpu0, itself)=-4', 'CPU_ON(cpu2, parked)=-4 AFFINITY_INFO=0'],
  },
];

beforeAll(() => buildGuestTests());

describe.each(CASES)('guest test $name on $cpus CPUs', ({ name, cpus, cpuModel, cpu0MustContain }) => {
  let qemu: QemuResult;

  beforeAll(async () => {
    qemu = await runQemu({ elf: testElf(name), cpus, cpuModel, timeoutMs: 60_000 });
  });

  it('runs to completion on QEMU with the expected results', () => {
    const text = qemu.stdout.toString('latin1');
    if (qemu.status !== 0 || qemu.timedOut) {
      throw new Error(`${qemu.commandLine}: exit ${qemu.status} (timed out: ${qemu.timedOut})\n${qemu.stderr}\n${text}`);
    }
    expect(text.endsWith(END_MARKER)).toBe(true);
    expect(text).not.toContain('!! unexpected exception');
    const cpu0 = linesPerCpu(text).get('cpu0') ?? [];
    for (const s of cpu0MustContain) expect(cpu0).toContain(s);
  });

  it('prints the same lines per CPU on kgdb-lab', async () => {
    const problem = emulatorProblem();
    if (problem) throw new Error(problem);
    const ours = await runKgdbLab({ elf: testElf(name), cpus, timeoutMs: 90_000 });
    const diff = firstPerCpuDifference(qemu.stdout.toString('latin1'), ours.stdout.toString('latin1'));
    if (diff || ours.status !== 0) {
      throw new Error(
        `${ours.commandLine}: exit ${ours.status}${ours.timedOut ? ' (killed: timeout)' : ''}\n` +
          `${diff ?? 'per-CPU output identical'}\nstderr:\n${ours.stderr.slice(-2000)}`,
      );
    }
  });
});

describe.each([
  { name: 'smp_counter', lse: false },
  { name: 'smp_counter_lse', lse: true },
])('guest test $name on 256 CPUs (kgdb-lab only; the expected totals are known)', ({ name, lse }) => {
  it('counts exactly and every CPU reports in', async () => {
    const problem = emulatorProblem();
    if (problem) throw new Error(problem);
    const cpus = 256;
    const ours = await runKgdbLab({ elf: testElf(name), cpus, timeoutMs: 120_000 });
    const text = ours.stdout.toString('latin1');
    if (ours.status !== 0) {
      throw new Error(`${ours.commandLine}: exit ${ours.status}\n${text.slice(-3000)}\nstderr:\n${ours.stderr.slice(-2000)}`);
    }
    const per = linesPerCpu(text);
    const n = cpus * ITER;
    expect(per.get('cpu0')).toEqual([
      `smp_counter: ${cpus} cpus, ${ITER} iterations each${lse ? ' (with LSE)' : ''}`,
      `all ${cpus - 1} secondaries up`,
      'all secondaries off',
      `llsc=${n} ticket=${n} tas=${n} expected=${n}`,
      ...(lse ? [`ldadd=${n} cas=${n} swp=${n} expected=${n}`] : []),
      'PASS',
    ]);
    for (let i = 1; i < cpus; i++) expect([`cpu${i}`, per.get(`cpu${i}`)]).toEqual([`cpu${i}`, ['up', 'done']]);
    expect(per.get('-')).toEqual([END_MARKER.trimEnd()]);
  }, 150_000);
});
