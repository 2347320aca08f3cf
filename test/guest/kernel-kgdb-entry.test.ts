/**
 * The bundled kernel's ways into the debugger when no debugger takes them (kgdb_handle_exception
 * and kgdb_nmicallback return 1, as on QEMU), on QEMU and on kgdb-lab:
 *
 * - the breakpoint scenario's kgdb_breakpoint() (BRK #0x401) is stepped over and the CPU
 *   carries on;
 * - a fatal fault (undefined instruction, external abort, alignment fault) is offered to
 *   kgdb through the die path, then reported as Linux's oops (register dump, call trace)
 *   and the kernel panics, stops the other CPUs and powers off;
 * - magic SysRq over serial (a break, then a key): 'g' enters kgdb the same way; 'l' prints
 *   Linux's NMI backtrace of all CPUs. With pseudo-NMI even the CPU deadlocked with IRQs off
 *   answers, with its registers (pmr_save 0x60: masked by PMR, not PSTATE) and a call trace;
 *   the idle CPU is reported "skipped: idling at cpu_do_idle+...".
 *
 * SysRq needs a break on the serial line: QEMU gets Ctrl-A b through its stdio multiplexer,
 * kgdb-lab runs in this process so the test can raise it on the PL011 directly.
 */
import { firstPerCpuDifference, linesPerCpu, stripTimestamps } from '../helpers/console-compare';
import { BUNDLED_IMAGE, OOPS_SCENARIOS, scenarioBootargs } from '../helpers/bundled-kernel';
import { BoardSession, QemuSession, type ConsoleSession } from '../helpers/console-session';
import { emulatorProblem, runKgdbLab } from '../helpers/kgdb-lab';
import { runQemu } from '../helpers/qemu';

const CPUS = 4;
const STEADY = /\[cpu0\] kgdb_lab: steady: /;
const HELP = /\[cpu0\] sysrq: HELP : debug\(g\) show-backtrace-all-active-cpus\(l\)/;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A SysRq key: a break, then the key a moment later (as a person at a terminal would). */
async function sysrq(s: ConsoleSession, key: string): Promise<void> {
  s.sendBreak();
  await pause(50);
  s.type(key);
}

describe('breakpoint scenario: kgdb_breakpoint() without a debugger', () => {
  it('is stepped over on QEMU and kgdb-lab, with the same lines per CPU', async () => {
    const problem = emulatorProblem();
    if (problem) throw new Error(problem);
    const append = scenarioBootargs('breakpoint', true);
    const back = /\[cpu2\] kgdb_lab: CPU2: back from kgdb_breakpoint\(\)/;
    const [qemu, ours] = await Promise.all([
      runQemu({ elf: BUNDLED_IMAGE, cpus: CPUS, append, stopOn: back, timeoutMs: 30_000 }),
      runKgdbLab({ elf: BUNDLED_IMAGE, cpus: CPUS, append, stopOn: back, timeoutMs: 30_000 }),
    ]);
    expect([qemu.matched, ours.matched]).toEqual([true, true]);
    const cpu2 = linesPerCpu(stripTimestamps(qemu.stdout.toString('latin1'))).get('cpu2') ?? [];
    expect(cpu2.slice(-2)).toEqual([
      expect.stringMatching(/^KGDB: kgdb_breakpoint\(\) on CPU2 not handled \(no debugger\): continuing at kgdb_breakpoint\+0x[0-9a-f]+\/0x[0-9a-f]+$/),
      'kgdb_lab: CPU2: back from kgdb_breakpoint()',
    ]);
    const diff = firstPerCpuDifference(stripTimestamps(qemu.stdout.toString('latin1')), stripTimestamps(ours.stdout.toString('latin1')));
    if (diff) throw new Error(`${ours.commandLine}\n${diff}`);
  }, 60_000);
});

/** The faulting function and the oops headline of each fault scenario. */
const OOPS = {
  'oops-undef': { fn: 'execute_undefined_instruction', headline: 'Internal error: Oops - Undefined instruction: 0000000002000000 [#1] SMP' },
  'oops-abort': { fn: 'load_from_unassigned_address', headline: 'Internal error: Oops: 0000000096000010 [#1] SMP' },
  'oops-align': { fn: 'load_unaligned', headline: 'Internal error: Oops: 0000000096000021 [#1] SMP' },
};

/** Register dump lines ("x29: ... x28: ..."): their values include counter reads, so they differ. */
const REGISTER_LINE = /^(\[ *\d+\.\d{6}\] )?\[cpu\d+\] x\d+ *: /;
const withoutRegisters = (text: string) => text.split('\n').filter((l) => !REGISTER_LINE.test(l)).join('\n');

describe.each(OOPS_SCENARIOS)('%s: a fatal fault on CPU 2', (scenario) => {
  it('dies the same way on QEMU and kgdb-lab: oops, registers, call trace, panic, power-off', async () => {
    const problem = emulatorProblem();
    if (problem) throw new Error(problem);
    const append = scenarioBootargs(scenario, true);
    const [qemu, ours] = await Promise.all([
      runQemu({ elf: BUNDLED_IMAGE, cpus: CPUS, append, timeoutMs: 30_000 }),
      runKgdbLab({ elf: BUNDLED_IMAGE, cpus: CPUS, append, timeoutMs: 30_000 }),
    ]);
    const qText = qemu.stdout.toString('latin1');
    const oText = ours.stdout.toString('latin1');
    expect([qemu.status, ours.status]).toEqual([0, 0]);
    const cpu2 = linesPerCpu(stripTimestamps(qText)).get('cpu2') ?? [];
    const { fn, headline } = OOPS[scenario];
    expect(cpu2).toContain(headline);
    expect(cpu2).toContainEqual(expect.stringMatching(new RegExp(`^pc : ${fn}\\+0x[0-9a-f]+/0x[0-9a-f]+$`)));
    expect(cpu2).toContainEqual(expect.stringMatching(/^lr : fault_after_a_while\+0x/));
    expect(cpu2.filter((l) => /^x\d+ *: [0-9a-f]{16} x\d+ *: [0-9a-f]{16}$/.test(l))).toHaveLength(15);
    expect(cpu2.slice(-3)).toEqual([
      'Kernel panic - not syncing: Fatal exception',
      'SMP: stopping secondary CPUs',
      '---[ end Kernel panic - not syncing: Fatal exception ]---',
    ]);
    const diff = firstPerCpuDifference(stripTimestamps(withoutRegisters(qText)), stripTimestamps(withoutRegisters(oText)));
    if (diff) throw new Error(`${ours.commandLine}\n${diff}`);
  }, 60_000);
});

const MACHINES = [
  { machine: 'QEMU', open: (append: string): ConsoleSession => new QemuSession({ elf: BUNDLED_IMAGE, cpus: CPUS, append }) },
  { machine: 'kgdb-lab', open: (append: string): ConsoleSession => new BoardSession({ elf: BUNDLED_IMAGE, cpus: CPUS, append }) },
];

describe.each(MACHINES)('magic SysRq over serial on $machine (hardlockup, pseudo-NMI)', ({ open }) => {
  let s: ConsoleSession;

  beforeAll(async () => {
    s = open(scenarioBootargs('hardlockup', true));
    await s.waitFor(STEADY, 30_000);
  }, 40_000);

  afterAll(async () => {
    await s?.stop();
  });

  it("SysRq-l: every CPU's backtrace, the deadlocked one included", async () => {
    const from = s.output().length;
    await sysrq(s, 'l');
    await s.waitFor(/\[cpu0\] Sending NMI from CPU 0 to CPUs 1-3:/, 10_000, from);
    // The 'l' handler returns once every CPU has answered; a later key then gets through.
    await sysrq(s, 'h');
    await s.waitFor(HELP, 15_000, from);
    const per = linesPerCpu(stripTimestamps(s.output().slice(from)));
    const cpu0 = per.get('cpu0') ?? [];
    expect(cpu0.slice(0, 2)).toEqual(['sysrq: Show backtrace of all active CPUs', 'NMI backtrace for cpu 0']);
    expect(cpu0).toContain('Sending NMI from CPU 0 to CPUs 1-3:');
    // CPU 0 dumps its own stack: from the SysRq handler, through the UART interrupt, into its workload.
    for (const fn of ['sysrq_handle_showallcpus', 'pl011_int', 'gic_handle_irq', 'el1h_64_irq', 'kgdb_lab_cpu_main', '_start']) {
      expect(cpu0.some((l) => l.startsWith(` ${fn}+0x`))).toBe(true);
    }

    const cpu2 = per.get('cpu2') ?? [];
    expect(cpu2[0]).toBe('NMI backtrace for cpu 2');
    expect(cpu2).toContainEqual(expect.stringMatching(/^pstate: [0-9a-f]{8} \([nN][zZ][cC][vV] daif /));
    expect(cpu2).toContainEqual(expect.stringMatching(/^pc : _raw_spin_lock_irqsave\+0x[0-9a-f]+\/0x[0-9a-f]+$/));
    expect(cpu2).toContainEqual(expect.stringMatching(/^lr : deadlock_on_leaked_lock\+0x[0-9a-f]+\/0x[0-9a-f]+$/));
    expect(cpu2).toContain('pmr_save: 00000060');
    expect(cpu2).toContain('Call trace:');
    expect(cpu2[cpu2.length - 1]).toMatch(/^ secondary_entry\+0x/);

    const cpu3 = per.get('cpu3') ?? [];
    expect(cpu3[0]).toBe('NMI backtrace for cpu 3');
    expect(cpu3).toContain('pmr_save: 000000e0');
    expect(cpu3.some((l) => l.startsWith(' recurse_deeply+0x'))).toBe(true);

    // CPU 1 idles: reported where it idles, without registers (unless a tick had it awake).
    const cpu1 = per.get('cpu1') ?? [];
    expect(cpu1[0]).toMatch(/^NMI backtrace for cpu 1( skipped: idling at (cpu_do_idle|arch_cpu_idle|default_idle_call)\+0x[0-9a-f]+\/0x[0-9a-f]+)?$/);
  }, 40_000);

  it('SysRq-g: enters kgdb, which nobody handles: the kernel carries on', async () => {
    const from = s.output().length;
    await sysrq(s, 'g');
    await s.waitFor(/KGDB: kgdb_breakpoint\(\) on CPU0 not handled/, 10_000, from);
    await sysrq(s, 'h');
    await s.waitFor(HELP, 10_000, from);
    const cpu0 = linesPerCpu(stripTimestamps(s.output().slice(from))).get('cpu0') ?? [];
    expect(cpu0.slice(0, 3)).toEqual([
      'sysrq: DEBUG',
      'KGDB: Entering KGDB',
      expect.stringMatching(/^KGDB: kgdb_breakpoint\(\) on CPU0 not handled \(no debugger\): continuing at kgdb_breakpoint\+0x[0-9a-f]+\/0x[0-9a-f]+$/),
    ]);
  }, 30_000);
});
