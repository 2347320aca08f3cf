/**
 * Differential tests of the GICv3 model (issue 3) with the gic_* guest programs
 * (guest/tests/gic_*.c), each run on QEMU 7.2 (-M virt,gic-version=3 -cpu cortex-a57), the
 * oracle, and on kgdb-lab:
 *
 * - gic_probe (1 CPU): reset values, register read-back, Group 0 → FIQ / Group 1 → IRQ, which
 *   SGI register reaches which group, group enables, PMR, running priority and preemption,
 *   binary points, EOImode 0/1 with DIR, the timer PPIs 27/30, WFI wake-up rules, SPI 33;
 * - gic_nmi (1 CPU): the pseudo-NMI rule with Linux's priorities (PMR 0x60 vs 0xe0, PSTATE.I);
 * - gic_sgi (1, 4, 64 and 256 CPUs): SGI targeting (TargetList, Aff1 up to 15, IRM, groups),
 *   redistributor discovery across both redistributor regions, and a round-up of all CPUs
 *   with an NMI SGI while they have IRQs off;
 * - gic_uart (1 CPU): the PL011 receive interrupt, fed a line on the serial port (stdin).
 *
 * Single-CPU output must be byte-identical; multi-CPU output identical per CPU. The QEMU side
 * also pins facts, so a QEMU change shows up as such rather than as an emulator diff.
 */
import { spawn } from 'child_process';
import { END_MARKER, firstDifference, firstPerCpuDifference, linesPerCpu } from '../helpers/console-compare';
import { buildGuestTests, ROOT, testElf } from '../helpers/guest-build';
import { emulatorProblem, kgdbLabArgs, runKgdbLab } from '../helpers/kgdb-lab';
import { QEMU, qemuArgs, runQemu, type QemuResult } from '../helpers/qemu';

beforeAll(() => buildGuestTests());

function requireEmulator(): void {
  const problem = emulatorProblem();
  if (problem) throw new Error(problem);
}

function checkQemuRan(r: QemuResult): string {
  const text = r.stdout.toString('latin1');
  if (r.status !== 0 || r.timedOut) {
    throw new Error(`${r.commandLine}: exit ${r.status} (timed out: ${r.timedOut})\n${r.stderr}\n${text}`);
  }
  expect(text.endsWith(END_MARKER)).toBe(true);
  expect(text).not.toContain('!! unexpected exception');
  expect(text).not.toMatch(/^FAIL/m);
  return text;
}

interface SingleCpuProgram {
  name: string;
  /** Lines QEMU's output must contain (facts measured on QEMU 7.2). */
  mustContain: string[];
}

const SINGLE: SingleCpuProgram[] = [
  {
    name: 'gic_probe',
    mustContain: [
      'GICD_CTLR=50 GICD_TYPER=37a0007 GICD_IIDR=43b GICD_PIDR2=3b',
      'GICR_TYPER=1000011 GICR_IIDR=43b GICR_CTLR=2 GICR_WAKER=6 GICR_PIDR2=3b',
      'ICC_SRE=7 ICC_CTLR=8c00 ICC_PMR=0 ICC_BPR0=2 ICC_BPR1=3 ICC_RPR=ff',
      'ICC_SGI1R_EL1 to the Group 0 SGI: pending no, ISR_EL1 0',
      'ICC_ASGI1R_EL1 to the Group 0 SGI: pending yes, ISR_EL1 40',
      'I and F unmasked: fiq-el1h 1 rpr 80 depth 0; irq-el1h 2 rpr 90 depth 0',
      'IGRPEN0=0: ISR_EL1=0 HPPIR0=3ff HPPIR1=3ff IAR1=3ff; pending afterwards 6',
      'PMR 80, unmasked: none',
      'SGI 3 at prio ff pending, PMR f8: ISR_EL1=0 HPPIR1=3ff',
      'Group 0 with BPR0=4: FIQ prio 58 runs at RPR 40',
      '  EOIR0 3 while Group 1 is the active group: RPR=a0 active=yes',
      '  sent again: pending=yes ISR_EL1=0 HPPIR1=3ff',
      '  EOIR1 alone: active=no pending=yes ISR_EL1=80 HPPIR1=1b',
      '  handler that silences the timer only on its 3rd run: taken 3 times',
      'both timers (virtual 80, physical 40): irq-el1h 30 rpr 40 depth 0; irq-el1h 27 rpr 80 depth 0',
      'virtual timer as edge (ICFGR1=800000): taken 1 times while the line stayed high; pending=no',
      'physical timer off: ISR_EL1=0 HPPIR1=1b (virtual timer masked by PMR)',
      'GICD_SETSPI_NSR (GICD_TYPER.MBIS=0): pending=no',
    ],
  },
  {
    name: 'gic_nmi',
    mustContain: [
      'SGI 1 prio 20 taken by the instruction after the ISB: yes (count 1)',
      'SGI 2 prio a0 taken: 0; after spinning: 0; pending: yes',
      'SGI 3 prio 60 (equal to PMR) taken: 0; after spinning: 0; pending: yes',
      'PMR raised to e0: SGI 2 taken by the instruction after the ISB: yes; SGI 3: yes; pending left: 0',
      'PMR 60: taken NMI 0 IRQ 0; pending NMI yes IRQ yes; ISR_EL1=80 HPPIR1=1',
      'PMR e0: taken NMI 0 IRQ 0; ISR_EL1=80',
      'I cleared with PMR 60: taken NMI 1 IRQ 0; IRQ still pending: yes',
      'order: irq-el1h 2 rpr a0 depth 0; irq-el1h 1 rpr 20 depth 1; irq-el1h 1 rpr 20 depth 1; irq-el1h 4 rpr 20 depth 1; irq-el1h 2 rpr a0 depth 0',
      'taken while spinning: yes; at or after its deadline: yes; virtual timer (prio a0) pending but not taken: yes',
    ],
  },
];

describe.each(SINGLE)('GIC guest test $name (1 CPU)', ({ name, mustContain }) => {
  let qemu: QemuResult;

  beforeAll(async () => {
    qemu = await runQemu({ elf: testElf(name) });
  });

  it('runs to completion on QEMU with the recorded facts', () => {
    const lines = checkQemuRan(qemu).split('\n');
    for (const s of mustContain) expect(lines).toContain(s);
  });

  it('prints byte-identical output on kgdb-lab', async () => {
    requireEmulator();
    const ours = await runKgdbLab({ elf: testElf(name), cpus: 1, timeoutMs: 60_000 });
    const diff = firstDifference(qemu.stdout.toString('latin1'), ours.stdout.toString('latin1'));
    if (diff || ours.status !== 0) {
      throw new Error(`${ours.commandLine}: exit ${ours.status}\n${diff ?? 'output identical'}\nstderr:\n${ours.stderr.slice(-2000)}`);
    }
  });
});

/** What CPU 0 of gic_sgi must report for each phase on N CPUs: how many CPUs the SGI reaches. */
function expectedReach(n: number): number[] {
  const last = n - 1;
  const inRange = (cpus: number[]): number => cpus.filter((c) => c < n).length;
  const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
  return [
    1, // TargetList cpu0 from cpu0
    1, // TargetList of the last CPU
    inRange([1, 2, 3, 15]),
    inRange(range(Math.floor(last / 16) * 16, Math.floor(last / 16) * 16 + 16)), // last CPU's cluster
    n - 1, // IRM from cpu0
    n - 1, // IRM from the last CPU
    inRange([240, 255]), // Aff1 = 15
    0, // Aff1 = 16
    0, // Aff2 = 1
    Math.min(n, 16), // RS = 1 ignored: cluster 0
    0, // SGI0R to a Group 1 SGI
    range(1, n).filter((c) => c % 2 === 0).length, // Group 1 request, odd CPUs have Group 0
    range(0, n).filter((c) => c % 2 === 1).length, // SGI0R: odd CPUs
    range(0, n).filter((c) => c % 2 === 1).length, // ASGI1R: odd CPUs
  ];
}

describe.each([1, 4, 64, 256])('GIC guest test gic_sgi on %i CPUs', (cpus) => {
  let qemu: QemuResult;

  beforeAll(async () => {
    qemu = await runQemu({ elf: testElf('gic_sgi'), cpus, timeoutMs: 60_000 });
  });

  it('reaches exactly the intended CPUs on QEMU', () => {
    const per = linesPerCpu(checkQemuRan(qemu));
    const cpu0 = per.get('cpu0') ?? [];
    const reach = expectedReach(cpus);
    for (let k = 0; k < reach.length; k++) {
      const line = cpu0.find((l) => l.startsWith(`phase ${k}: `));
      expect([k, line?.replace(/^.*: reached/, 'reached')]).toEqual([k, `reached ${reach[k]} CPUs, expected ${reach[k]}`]);
    }
    const others = cpus - 1;
    expect(cpu0).toContain(`round-up, IRQs off by PMR 60: NMI taken by ${others} of ${others} CPUs; pending on them: IRQ ${others}, NMI 0`);
    expect(cpu0).toContain(`round-up, IRQs off by PSTATE.I: NMI taken by 0 of ${others} CPUs; pending on them: IRQ ${others}, NMI ${others}`);
    for (let i = 0; i < cpus; i++) {
      const summary = (per.get(`cpu${i}`) ?? []).filter((l) => l.startsWith('rdist region'));
      expect([i, summary.length, summary[0]?.endsWith('as expected: yes')]).toEqual([i, 1, true]);
    }
    if (cpus === 256) {
      // CPUs 123 and up live in QEMU's second redistributor region.
      expect(per.get('cpu123')?.[0]).toMatch(/^rdist region 1 frame 0;/);
      expect(per.get('cpu255')?.[0]).toMatch(/^rdist region 1 frame 132;/);
    }
  });

  it('prints the same lines per CPU on kgdb-lab', async () => {
    requireEmulator();
    const ours = await runKgdbLab({ elf: testElf('gic_sgi'), cpus, timeoutMs: 90_000 });
    const diff = firstPerCpuDifference(qemu.stdout.toString('latin1'), ours.stdout.toString('latin1'));
    if (diff || ours.status !== 0) {
      throw new Error(`${ours.commandLine}: exit ${ours.status}\n${diff ?? 'per-CPU output identical'}\nstderr:\n${ours.stderr.slice(-2000)}`);
    }
  });
});

/** Run a program with `input` written to its stdin (then closed); stdout as text. */
function runWithInput(command: string, args: string[], input: string, timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {});
    child.stdin.end(input);
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(killer);
      resolve({ status, stdout: Buffer.concat(out).toString('latin1'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

describe('GIC guest test gic_uart (PL011 receive interrupt, input on the serial line)', () => {
  const INPUT = 'kgdb\n';
  let qemuText: string;

  beforeAll(async () => {
    const r = await runWithInput(QEMU, qemuArgs({ elf: testElf('gic_uart') }), INPUT, 30_000);
    if (r.status !== 0) throw new Error(`QEMU exit ${r.status}\n${r.stderr}\n${r.stdout}`);
    qemuText = r.stdout;
  });

  it('receives the line through SPI 33 on QEMU', () => {
    expect(qemuText.split('\n')).toEqual([
      'waiting for a line on the serial port',
      "line received by interrupt: 'kgdb'; watchdog fired: no",
      'UART interrupts taken: at least 1: yes, at most one per character: yes; first UARTMIS has RXMIS: yes',
      'SPI 33 pending after the FIFO was drained: no',
      END_MARKER.trimEnd(),
      '',
    ]);
  });

  it('prints byte-identical output on kgdb-lab', async () => {
    requireEmulator();
    const args = kgdbLabArgs({ elf: testElf('gic_uart'), cpus: 1, timeoutMs: 30_000 });
    const r = await runWithInput(process.execPath, args, INPUT, 30_000);
    const diff = firstDifference(qemuText, r.stdout);
    if (diff || r.status !== 0) throw new Error(`exit ${r.status}\n${diff ?? 'output identical'}\nstderr:\n${r.stderr.slice(-2000)}`);
  });
});
