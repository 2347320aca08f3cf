/**
 * The bundled kernel's scenarios on 64 CPUs, on kgdb-lab alone (QEMU is compared at 4 and
 * 16 CPUs in kernel-scenarios.test.ts): every CPU boots, finds its own redistributor by
 * walking GICR_TYPER affinities (CPU n has MPIDR Aff1 = n / 16, Aff0 = n % 16 and the n-th
 * 128 KiB frame at 0x080a0000), reaches the workload its role says, and CPU 0 reports the
 * steady state. Also 256 CPUs once: QEMU virt's first redistributor region holds 123 frames,
 * so CPUs 123-255 must find theirs in the second region the DTB lists (0x4000000000).
 */
import { linesPerCpu, stripTimestamps } from '../helpers/console-compare';
import { BUNDLED_IMAGE, SCENARIOS, STEADY, scenarioBootargs, scenarioProblems } from '../helpers/bundled-kernel';
import { emulatorProblem, runKgdbLab } from '../helpers/kgdb-lab';

const CPUS = 64;
const GICR_BASE = 0x080a0000;
const GICR_STRIDE = 0x20000;

const GICR_REGION1_FRAMES = 123;
const GICR2_BASE = 0x40_0000_0000;

function redistributorLine(cpu: number): string {
  const mpidr = ((cpu >> 4) << 8) | (cpu & 15);
  const region = cpu < GICR_REGION1_FRAMES ? 0 : 1;
  const base = region === 0 ? GICR_BASE + cpu * GICR_STRIDE : GICR2_BASE + (cpu - GICR_REGION1_FRAMES) * GICR_STRIDE;
  return `GICv3: CPU${cpu}: found redistributor ${mpidr.toString(16)} region ${region}:0x${base.toString(16).padStart(16, '0')}`;
}

const CASES = SCENARIOS.flatMap((scenario) => [true, false].map((nmi) => ({ scenario, nmi })));

describe.each(CASES)(`scenario $scenario on ${CPUS} CPUs (pseudo-NMI: $nmi), kgdb-lab only`, ({ scenario, nmi }) => {
  it('boots every CPU on its own redistributor and reaches the steady line', async () => {
    const problem = emulatorProblem();
    if (problem) throw new Error(problem);
    const ours = await runKgdbLab({ elf: BUNDLED_IMAGE, cpus: CPUS, append: scenarioBootargs(scenario, nmi), stopOn: STEADY, timeoutMs: 60_000 });
    const text = ours.stdout.toString('latin1');
    if (!ours.matched) throw new Error(`${ours.commandLine}: no steady line\n${ours.stderr.slice(-2000)}\n${text.slice(-3000)}`);
    expect(scenarioProblems(text, scenario, CPUS, nmi)).toEqual([]);
    const per = linesPerCpu(stripTimestamps(text));
    for (let cpu = 0; cpu < CPUS; cpu++) expect(per.get(`cpu${cpu}`)).toContain(redistributorLine(cpu));
    expect(per.get('cpu0')).toContain(`smp: Brought up 1 node, ${CPUS} CPUs`);
  }, 90_000);
});

it('boots 256 CPUs, those past the first redistributor region included (idle, pseudo-NMI)', async () => {
  const problem = emulatorProblem();
  if (problem) throw new Error(problem);
  const cpus = 256;
  const ours = await runKgdbLab({ elf: BUNDLED_IMAGE, cpus, append: scenarioBootargs('idle', true), stopOn: STEADY, timeoutMs: 90_000 });
  const text = ours.stdout.toString('latin1');
  if (!ours.matched) throw new Error(`${ours.commandLine}: no steady line\n${ours.stderr.slice(-2000)}\n${text.slice(-3000)}`);
  expect(scenarioProblems(text, 'idle', cpus, true)).toEqual([]);
  const per = linesPerCpu(stripTimestamps(text));
  for (let cpu = 0; cpu < cpus; cpu++) expect(per.get(`cpu${cpu}`)).toContain(redistributorLine(cpu));
}, 120_000);
