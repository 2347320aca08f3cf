/**
 * A scripted gdb session (issue 6) on `hardlockup`, 4 CPUs, in both roundup modes:
 * `monitor cpus`, `monitor truth` and `monitor nmi-backtrace`, whose console lines must
 * have the form real Linux prints for SysRq-l (`Sending NMI from CPU 0 to CPUs 1-3:`, `NMI
 * backtrace for cpu 2` with a register dump and call trace, `NMI backtrace for cpu 1
 * skipped: idling at func+0x…/0x…`; under the fallback nothing at all for the hard-locked
 * CPU, which the guest waits 10 s for). gdb's reply timeout is 2 s during the backtrace, so
 * the relayed lines and keepalives are what keep it attached.
 */
import { assertGdbOk, killAll, parseInfoThreads, runGdb, startServe } from '../helpers/gdb';

afterEach(killAll);

/** A guest console line: "[    s.micros] [cpuN] text". */
const stamp = (cpu: number | string, text: string): RegExp => new RegExp(`^\\[\\s*\\d+\\.\\d{6}\\] \\[cpu${cpu}\\] ${text}$`, 'm');
const SYM = '[A-Za-z_][A-Za-z0-9_.]*\\+0x[0-9a-f]+/0x[0-9a-f]+';

/** The `monitor cpus` row of a CPU, split into columns. */
function cpusRow(text: string, cpu: number): string[] {
  const header = text.split('\n').findIndex((l) => /^CPU\s+thread\s+state\s+PC\s+I\s+PMR\s+RPR\s+roundup\s+arrived\s+ESR\s+FAR\s+ELR\s+SPSR\s+VBAR\s+SCTLR$/.test(l));
  if (header < 0) throw new Error(`no monitor cpus table in:\n${text}`);
  const line = text.split('\n')[header + 1 + cpu];
  return line.split(/\s{2,}/);
}

describe.each(['nmi', 'ipi'] as const)('hardlockup, --roundup %s', (roundup) => {
  test('monitor cpus, monitor truth, monitor nmi-backtrace', async () => {
    // --icount 6: the fallback's 10 s wait for CPU 2 takes a few host seconds.
    const server = await startServe({ scenario: 'hardlockup', roundup, icountShift: 6 });
    const r = await runGdb({
      port: server.port,
      timeoutMs: 90_000,
      commands: [
        'monitor help',
        'info registers esr_el1 elr_el1 vbar_el1 icc_pmr_el1',
        'maint packet g',
        'monitor cpus',
        'monitor truth',
        'set remotetimeout 2',
        'monitor nmi-backtrace',
        'set remotetimeout 60',
        'maintenance flush register-cache',
        'info threads',
        'monitor cpus',
      ],
    });
    await server.stop();
    assertGdbOk(r, server);
    // Monitor output (O packets) is gdb's target output, on its stderr.
    const out = r.stderr;
    for (const cmd of ['cpus', 'events', 'truth', 'nmi-backtrace']) expect(out).toMatch(new RegExp(`^monitor ${cmd}\\s+\\S`, 'm'));
    // (echo goes to stdout: the sections are told apart by their own first lines.)
    const truthAt = out.indexOf('Real machine state');
    const btAt = out.indexOf('kgdb-lab: resuming the machine and sending SysRq-l');
    expect([truthAt > 0, btAt > truthAt]).toEqual([true, true]);
    const cpusText = out.slice(out.indexOf('\nCPU  '), truthAt);

    const master = cpusRow(cpusText, 0);
    expect(master.slice(2, 4)).toEqual(['master', expect.stringMatching(/^0x[0-9a-f]+ <kgdb_breakpoint\+/)]);
    // The master took BRK #0x401 (ESR EC 0x3c, IL, ISS 0x401); ELR is that instruction.
    expect(master[9]).toBe('0xf2000401');
    expect(master[11]).toBe(master[3].split(' ')[0]);
    const cpu2 = cpusRow(cpusText, 2);
    if (roundup === 'nmi') {
      expect(cpu2.slice(2, 4)).toEqual(['rounded up by NMI', expect.stringMatching(/<_raw_spin_lock_irqsave\+/)]);
      expect(cpu2[7]).toBe('nmi');
      // The context the NMI interrupted (its pt_regs): IRQs masked by PMR, PSTATE.I clear.
      expect(cpu2.slice(4, 6)).toEqual(['0', '0x60']);
    } else {
      expect(cpu2.slice(2, 4)).toEqual(['not rounded up (IRQs masked, timed out)', '<unavailable>']);
      expect(cpu2[7]).toBe('timed out');
      expect(cpu2[4]).toBe('1'); // PSTATE.I: masked by DAIF, not PMR
    }

    const truth = out.slice(truthAt, btAt);
    expect(truth).toMatch(/^Real machine state/m);
    if (roundup === 'ipi') {
      expect(truth).toMatch(/^2\s+OUTSIDE kgdb's view\s+\S+\s+0x[0-9a-f]+ <_raw_spin_lock_irqsave\+0x[0-9a-f]+>/m);
      expect(truth).toMatch(new RegExp(`^CPU 2 \\(real registers, outside kgdb's view\\): _raw_spin_lock_irqsave\\+0x[0-9a-f]+/0x[0-9a-f]+ < deadlock_on_leaked_lock\\+`, 'm'));
    } else {
      expect(truth).toMatch(/^2\s+rounded up by NMI\s+held\s+0x[0-9a-f]+ <kgdb_nmicallback\+0x0>/m);
    }

    const bt = out.slice(btAt);
    expect(bt).toMatch(stamp(0, 'sysrq: Show backtrace of all active CPUs'));
    expect(bt).toMatch(stamp(0, 'NMI backtrace for cpu 0'));
    expect(bt).toMatch(stamp(0, 'Sending NMI from CPU 0 to CPUs 1-3:'));
    expect(bt).toMatch(stamp(1, `NMI backtrace for cpu 1 skipped: idling at ${SYM}`));
    expect(bt).toMatch(stamp(3, 'NMI backtrace for cpu 3'));
    if (roundup === 'nmi') {
      // Real Linux with pseudo-NMI: CPU 2 answers with a full dump, IRQs masked by PMR.
      for (const line of [
        'NMI backtrace for cpu 2',
        'CPU: 2 UID: 0 PID: \\d+ Comm: \\S+ Not tainted \\S+ #1',
        'Hardware name: linux,dummy-virt \\(DT\\)',
        'pstate: [0-9a-f]{8} \\([nN][zZ][cC][vV] [dD][aA][iI][fF] [-+]PAN [-+]UAO [-+]TCO [-+]DIT [-+]SSBS BTYPE=[-jc]{2}\\)',
        `pc : _raw_spin_lock_irqsave\\+0x[0-9a-f]+/0x[0-9a-f]+`,
        `lr : ${SYM}`,
        'sp : [0-9a-f]{16}',
        'pmr_save: 00000060',
        'x29: [0-9a-f]{16} x28: [0-9a-f]{16}',
        'Call trace:',
        ` _raw_spin_lock_irqsave\\+0x[0-9a-f]+/0x[0-9a-f]+`,
      ])
        expect(bt).toMatch(stamp(2, line));
      expect(bt).toMatch(/kgdb-lab: stopped again: CPU 0 entered kgdb; every online CPU rounded up/);
    } else {
      // The fallback: CPU 2 never answers and prints nothing; the guest waits its 10 s.
      expect(bt).not.toMatch(/\[cpu2\]/);
      expect(bt).toMatch(/kgdb-lab: stopped again: CPU 0 entered kgdb; not rounded up: CPU 2/);
      const t = (re: RegExp): number => Number(re.exec(server.console())![1]);
      const sent = t(/^\[\s*(\d+\.\d{6})\] \[cpu0\] Sending NMI from CPU 0 to CPUs 1-3:$/m);
      const entering = [...server.console().matchAll(/^\[\s*(\d+\.\d{6})\] \[cpu0\] KGDB: Entering KGDB$/gm)].map((m) => Number(m[1]));
      expect(entering[entering.length - 1] - sent).toBeGreaterThanOrEqual(10);
    }
    // After the new stop, gdb (its caches flushed) sees it.
    // The system registers reach gdb through the extra target.xml feature (p packets); `g` keeps its 788 bytes.
    expect(r.stdout).toMatch(/^esr_el1\s+0xf2000401\s/m);
    expect(r.stdout).toMatch(/^vbar_el1\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <vectors>$/m);
    expect(r.stdout).toMatch(/^elr_el1\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <kgdb_breakpoint\+\d+>$/m);
    expect(r.stdout).toMatch(/^icc_pmr_el1\s+0x[0-9a-f]+/m);
    expect(/received: "([0-9a-fx]*)"/.exec(r.stdout)![1]).toHaveLength(1576);
    const threads = parseInfoThreads(r.stdout);
    expect(threads.map((x) => x.extra)).toEqual(
      roundup === 'nmi'
        ? ['master', 'rounded up by NMI', 'rounded up by NMI', 'rounded up by NMI']
        : ['master', 'rounded up by IPI', 'not rounded up (IRQs masked, timed out)', 'rounded up by IPI'],
    );
  });
});
