/**
 * The bundled demo guest (guest/kgdb-lab-guest.elf): it must be reproducible from its
 * sources (`make -C guest check`), boot on QEMU with the command line and CPU count from
 * the DTB, and print the same lines per CPU on kgdb-lab.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { firstPerCpuDifference, linesPerCpu } from '../helpers/console-compare';
import { GUEST_DIR } from '../helpers/guest-build';
import { emulatorProblem, runKgdbLab } from '../helpers/kgdb-lab';
import { runQemu, type QemuResult } from '../helpers/qemu';

const IMAGE = path.join(GUEST_DIR, 'kgdb-lab-guest.elf');
const BOOTARGS = 'console=ttyAMA0 kgdboc=ttyAMA0,115200 kgdbwait';
const CPUS = 4;

it('the committed image matches a fresh build from guest/src (make -C guest check)', () => {
  const out = execFileSync('make', ['--no-print-directory', '-C', GUEST_DIR, 'check'], { stdio: ['ignore', 'pipe', 'pipe'] });
  expect(out.toString()).toContain('reproducible');
}, 120_000);

describe(`bundled guest on ${CPUS} CPUs`, () => {
  let qemu: QemuResult;

  beforeAll(async () => {
    qemu = await runQemu({ elf: IMAGE, cpus: CPUS, append: BOOTARGS });
  });

  it('boots on QEMU, reports the command line and brings every CPU online', () => {
    const text = qemu.stdout.toString('latin1');
    expect(qemu.status).toBe(0);
    const per = linesPerCpu(text);
    expect(per.get('cpu0')).toEqual([
      'kgdb-lab guest kernel (arm64), a demo kernel for kgdb-lab',
      'Booting on physical CPU 0x0 at EL1',
      `Kernel command line: ${BOOTARGS}`,
      'psci: PSCIv1.1 detected in firmware.',
      `smp: Bringing up secondary CPUs (${CPUS} CPUs in the device tree)`,
      `smp: Brought up ${CPUS} of ${CPUS} CPUs`,
      'reboot: Power down',
    ]);
    for (let i = 1; i < CPUS; i++) expect(per.get(`cpu${i}`)).toEqual([`CPU${i}: online, MPIDR 0x${i.toString(16)}, booted via PSCI`]);
  });

  it('prints the same lines per CPU on kgdb-lab', async () => {
    const problem = emulatorProblem();
    if (problem) throw new Error(problem);
    const ours = await runKgdbLab({ elf: IMAGE, cpus: CPUS, append: BOOTARGS, timeoutMs: 60_000 });
    const diff = firstPerCpuDifference(qemu.stdout.toString('latin1'), ours.stdout.toString('latin1'));
    if (diff || ours.status !== 0) {
      throw new Error(`${ours.commandLine}: exit ${ours.status}\n${diff ?? 'per-CPU output identical'}\nstderr:\n${ours.stderr.slice(-2000)}`);
    }
  });
});
