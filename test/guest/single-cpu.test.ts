/**
 * Differential tests of the single-CPU guest test programs (guest/tests/*.c): each runs on
 * QEMU (the oracle) and on kgdb-lab, and the UART output must be byte-identical.
 *
 * The QEMU side also checks a few facts per program (they pin what QEMU 7.2 does, so a
 * QEMU change shows up here rather than as a confusing emulator diff).
 */
import { END_MARKER, firstDifference } from '../helpers/console-compare';
import { buildGuestTests, testElf } from '../helpers/guest-build';
import { emulatorProblem, runKgdbLab } from '../helpers/kgdb-lab';
import { runQemu, type QemuResult } from '../helpers/qemu';

/** Test programs whose facts assume the host reaches WFI within a few ms of arming a timer. */
const HOST_TIMING_SENSITIVE = new Set(['wfi', 'timer']);

interface Program {
  name: string;
  /** QEMU -cpu model: Armv8.0 programs use cortex-a57, the LSE program needs max. */
  cpuModel: string;
  /** Substrings QEMU's output must contain. */
  mustContain: string[];
}

const PROGRAMS: Program[] = [
  { name: 'hello', cpuModel: 'cortex-a57', mustContain: ['cpus in DTB 1', 'stdout-path: /pl011@9000000'] },
  { name: 'alu', cpuModel: 'cortex-a57', mustContain: ['adds_x         grid=', 'alu: all='] },
  { name: 'rand_ops', cpuModel: 'cortex-a57', mustContain: ['rand_ops: all='] },
  { name: 'cond', cpuModel: 'cortex-a57', mustContain: ['eq b=0000111100001111'] },
  { name: 'branch', cpuModel: 'cortex-a57', mustContain: ['lr after bl: ok', 'ackermann(2,3)=9'] },
  { name: 'ldst', cpuModel: 'cortex-a57', mustContain: ['bulk: loads'] },
  { name: 'excl', cpuModel: 'cortex-a57', mustContain: ['ldxr, clrex, stxr: status=1', 'sum loop: 499500'] },
  { name: 'sysreg', cpuModel: 'cortex-a57', mustContain: ['currentel=4', 'cntfrq_el0=62500000'] },
  {
    name: 'exceptions',
    cpuModel: 'cortex-a57',
    mustContain: [
      'svc #0x42              ec=0x15 il=1 iss=0x0000042 elr=site+4',
      'brk #0x1234            ec=0x3c il=1 iss=0x0001234 elr=site+0',
      'udf #0                 ec=0x00 il=1 iss=0x0000000 elr=site+0',
      'hvc #0 unknown function: x0=ffffffffffffffff',
      'ldr x +1               ec=0x25 il=1 iss=0x0000021 elr=site+0 far=addr+0',
      'str x +4               ec=0x25 il=1 iss=0x0000061 elr=site+0 far=addr+0',
      'ldr w 9050000          ec=0x25 il=1 iss=0x0000010 elr=site+0 far=addr+0',
      'str x 9050008          ec=0x25 il=1 iss=0x0000050 elr=site+0 far=addr+0',
      'ldr x flash+0: value=0 exceptions=0',
      'fetch 0x09050000       ec=0x21 il=1 iss=0x0000010 elr=site+0 far=addr+0',
      'br to pc+2             ec=0x22 il=1 iss=0x0000000 elr=site+0 far=addr+0',
    ],
  },
  { name: 'timer', cpuModel: 'cortex-a57', mustContain: ['cntfrq=62500000', 'cntv: polled ISTATUS: yes'] },
  { name: 'wfi', cpuModel: 'cortex-a57', mustContain: ['after unmask: irqs taken=1 intid=27'] },
  { name: 'lse', cpuModel: 'max', mustContain: ['caspal x (match):    old 1 2 mem a 14', 'lse: all='] },
];

beforeAll(() => buildGuestTests());

describe.each(PROGRAMS)('guest test $name', ({ name, cpuModel, mustContain }) => {
  let qemu: QemuResult;

  beforeAll(async () => {
    qemu = await runQemu({ elf: testElf(name), cpuModel });
  });

  it('runs to completion on QEMU with the expected facts', () => {
    const text = qemu.stdout.toString('latin1');
    if (qemu.status !== 0 || qemu.timedOut) {
      throw new Error(`${qemu.commandLine}: exit ${qemu.status} (timed out: ${qemu.timedOut})\n${qemu.stderr}\n${text}`);
    }
    expect(text.endsWith(END_MARKER)).toBe(true);
    expect(text).not.toContain('!! unexpected exception');
    expect(text).not.toMatch(/^FAIL/m);
    // Bound/fact lines print "yes"/"no": on QEMU every such fact must hold.
    expect(text).not.toMatch(/: no\b/);
    for (const s of mustContain) expect(text).toContain(s);
  });

  it('prints byte-identical output on kgdb-lab', async () => {
    const problem = emulatorProblem();
    if (problem) throw new Error(problem);
    // Programs that arm a short timer (2 ms) and then expect to reach WFI before it fires run
    // with deterministic time here: under host time a stalled host (a loaded CI machine)
    // can let the deadline pass first, a legitimate outcome the program does not expect.
    const icountShift = HOST_TIMING_SENSITIVE.has(name) ? 4 : undefined;
    const ours = await runKgdbLab({ elf: testElf(name), cpus: 1, timeoutMs: 60_000, icountShift });
    const diff = firstDifference(qemu.stdout.toString('latin1'), ours.stdout.toString('latin1'));
    if (diff || ours.status !== 0) {
      throw new Error(
        `${ours.commandLine}: exit ${ours.status}${ours.timedOut ? ' (killed: timeout)' : ''}\n` +
          `${diff ?? 'output identical'}\nstderr:\n${ours.stderr.slice(-2000)}`,
      );
    }
  });
});
