/**
 * The bundled kernel's lockup scenarios, on QEMU (the oracle) and on kgdb-lab: each boots
 * to its steady line on 4 and 16 CPUs, with and without pseudo-NMI, every CPU in the
 * workload its role says, and each CPU prints the same lines on both machines (timestamps
 * aside). The scenarios never power off: each run stops at the steady line.
 */
import { firstPerCpuDifference, stripTimestamps } from '../helpers/console-compare';
import { BUNDLED_IMAGE, SCENARIOS, STEADY, scenarioBootargs, scenarioProblems, type Scenario } from '../helpers/bundled-kernel';
import { emulatorProblem, runKgdbLab } from '../helpers/kgdb-lab';
import { runQemu } from '../helpers/qemu';

interface Case {
  scenario: Scenario;
  cpus: number;
  nmi: boolean;
}

const CASES: Case[] = [];
for (const cpus of [4, 16]) for (const nmi of [true, false]) for (const scenario of SCENARIOS) CASES.push({ scenario, cpus, nmi });

describe.each(CASES)('scenario $scenario on $cpus CPUs (pseudo-NMI: $nmi)', ({ scenario, cpus, nmi }) => {
  it('reaches its steady line on QEMU and kgdb-lab with the same lines per CPU', async () => {
    const problem = emulatorProblem();
    if (problem) throw new Error(problem);
    const append = scenarioBootargs(scenario, nmi);
    const [qemu, ours] = await Promise.all([
      runQemu({ elf: BUNDLED_IMAGE, cpus, append, stopOn: STEADY, timeoutMs: 30_000 }),
      runKgdbLab({ elf: BUNDLED_IMAGE, cpus, append, stopOn: STEADY, timeoutMs: 30_000 }),
    ]);
    const qText = qemu.stdout.toString('latin1');
    const oText = ours.stdout.toString('latin1');
    if (!qemu.matched) throw new Error(`${qemu.commandLine}: no steady line\n${qemu.stderr}\n${qText.slice(-3000)}`);
    if (!ours.matched) throw new Error(`${ours.commandLine}: no steady line\n${ours.stderr.slice(-2000)}\n${oText.slice(-3000)}`);
    expect(scenarioProblems(qText, scenario, cpus, nmi)).toEqual([]);
    expect(scenarioProblems(oText, scenario, cpus, nmi)).toEqual([]);
    const diff = firstPerCpuDifference(stripTimestamps(qText), stripTimestamps(oText));
    if (diff) throw new Error(`${ours.commandLine}\n${diff}`);
  }, 60_000);
});
