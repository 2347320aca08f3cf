/**
 * The bundled demo guest (guest/kgdb-lab-guest.elf): it must be reproducible from its
 * sources (`make -C guest check`), boot on QEMU with the command line and CPU count from
 * the DTB and a timestamped, CPU-tagged log, and print the same lines per CPU on kgdb-lab.
 * Its default scenario (hardlockup) never powers off: the runs stop at its steady line.
 */
import { execFileSync } from 'child_process';
import { firstPerCpuDifference, linesPerCpu, stripTimestamps, TIMESTAMP } from '../helpers/console-compare';
import { BUNDLED_IMAGE, STEADY } from '../helpers/bundled-kernel';
import { GUEST_DIR } from '../helpers/guest-build';
import { emulatorProblem, runKgdbLab } from '../helpers/kgdb-lab';
import { runQemu, type QemuResult } from '../helpers/qemu';

const BOOTARGS = 'console=ttyAMA0 kgdboc=ttyAMA0,115200 kgdbwait';
const CPUS = 4;

it('the committed image matches a fresh build from guest/src (make -C guest check)', () => {
  const out = execFileSync('make', ['--no-print-directory', '-C', GUEST_DIR, 'check'], { stdio: ['ignore', 'pipe', 'pipe'] });
  expect(out.toString()).toContain('reproducible');
}, 180_000);

describe(`bundled guest on ${CPUS} CPUs`, () => {
  let qemu: QemuResult;

  beforeAll(async () => {
    qemu = await runQemu({ elf: BUNDLED_IMAGE, cpus: CPUS, append: BOOTARGS, stopOn: STEADY, timeoutMs: 30_000 });
  });

  it('boots on QEMU: command line, GIC, timer, every CPU online, the default scenario steady', () => {
    const raw = qemu.stdout.toString('latin1');
    if (!qemu.matched) throw new Error(`${qemu.commandLine}: no steady line\n${qemu.stderr}\n${raw}`);
    const per = linesPerCpu(stripTimestamps(raw));
    expect(per.get('cpu0')).toEqual([
      'Booting kgdb-lab on physical CPU 0x0000000000 [0x411fd070]',
      'kgdb-lab guest kernel (arm64), a demo kernel for kgdb-lab',
      'Machine model: linux,dummy-virt',
      'psci: PSCIv1.1 detected in firmware.',
      `Kernel command line: ${BOOTARGS}`,
      'GICv3: 224 SPIs implemented',
      'GICv3: 0 Extended SPIs implemented',
      'GICv3: Distributor has no Range Selector support',
      'GICv3: GICv3 features: 16 PPIs',
      'GICv3: CPU0: found redistributor 0 region 0:0x00000000080a0000',
      'smp: dynamic IPI on SGI 7, delivered as a regular IRQ (no pseudo-NMI)',
      'arch_timer: cp15 timer(s) running at 62.50MHz (virt).',
      'kgdb_lab: scenario hardlockup, pseudo-NMI off, kgdb round-up on SGI 7',
      'kgdb_lab: CPU0: took kgdb_lab_leaked_lock and will never release it',
      'smp: Bringing up secondary CPUs ...',
      `smp: Brought up 1 node, ${CPUS} CPUs`,
      `SMP: Total of ${CPUS} processors activated.`,
      'kgdb_lab: CPU0: busy computing in busy_compute_loop()',
      `kgdb_lab: steady: scenario hardlockup, ${CPUS} CPUs at their workloads`,
    ]);
    for (let i = 1; i < CPUS; i++) {
      const frame = (0x080a0000 + i * 0x20000).toString(16).padStart(16, '0');
      expect(per.get(`cpu${i}`)?.slice(0, 2)).toEqual([
        `GICv3: CPU${i}: found redistributor ${i} region 0:0x${frame}`,
        `CPU${i}: Booted secondary processor 0x${i.toString(16).padStart(10, '0')} [0x411fd070]`,
      ]);
    }
  });

  it('stamps every line with machine time that never goes backwards on a CPU', () => {
    const last = new Map<string, number>();
    for (const line of qemu.stdout.toString('latin1').split('\n').filter((l) => l !== '')) {
      const m = TIMESTAMP.exec(line);
      expect(m).not.toBeNull();
      const cpu = /^\[ *\d+\.\d{6}\] \[(cpu\d+)\] /.exec(line)?.[1];
      expect(cpu).toBeDefined();
      const t = Number(/^\[ *(\d+\.\d{6})\]/.exec(line)?.[1]);
      expect(t).toBeGreaterThanOrEqual(last.get(cpu as string) ?? 0);
      last.set(cpu as string, t);
    }
  });

  it('prints the same lines per CPU on kgdb-lab', async () => {
    const problem = emulatorProblem();
    if (problem) throw new Error(problem);
    const ours = await runKgdbLab({ elf: BUNDLED_IMAGE, cpus: CPUS, append: BOOTARGS, stopOn: STEADY, timeoutMs: 60_000 });
    const text = ours.stdout.toString('latin1');
    if (!ours.matched) throw new Error(`${ours.commandLine}: no steady line\n${ours.stderr.slice(-2000)}\n${text}`);
    const diff = firstPerCpuDifference(stripTimestamps(qemu.stdout.toString('latin1')), stripTimestamps(text));
    if (diff) throw new Error(`${ours.commandLine}\n${diff}`);
  });
});
