/**
 * Acceptance tests of the kgdb debug core through real gdb (issue 5): who the roundup
 * reaches, with the pseudo-NMI roundup (`--roundup nmi`, the default) and with the
 * regular-IPI fallback (`--roundup ipi`), on the bundled guest's scenarios, and what gdb
 * then shows: `info threads` (one thread per CPU with its kgdb state) and every CPU's
 * backtrace, compared with the call chains stock gdb shows through QEMU's own gdbstub
 * (test/fixtures/ground-truth/hardlockup-4.json) or, where there is no recording, with the
 * workload each CPU announces on the console.
 *
 * Every server runs with --icount, so which CPUs the roundup reaches and when the timeout
 * fires are functions of the instruction stream, not of host speed.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HARDLOCKUP_4_FIXTURE, chainFrom, workloadFunctions, type GroundTruth } from '../helpers/gdb-ground-truth';
import { roleFunction, roleOf } from '../helpers/bundled-kernel';
import {
  SIGNAL_FRAME,
  assertGdbOk,
  inOrder,
  killAll,
  parseBacktraces,
  parseInfoThreads,
  parseInfoThreadsAll,
  runGdb,
  startServe,
  type ServeProcess,
  type ThreadBacktrace,
} from '../helpers/gdb';

afterEach(killAll);

const TIMED_OUT_LINE = /^\[\s*\d+\.\d{6}\] \[cpu\d+\] KGDB: Timed out waiting for secondary CPUs\.$/m;
/** The recorded QEMU gdbstub chains, when the guest's engineer has committed them. */
const groundTruth: GroundTruth | undefined = fs.existsSync(HARDLOCKUP_4_FIXTURE)
  ? (JSON.parse(fs.readFileSync(HARDLOCKUP_4_FIXTURE, 'utf8')) as GroundTruth)
  : undefined;

/** Attach, list threads and take every backtrace; stop the server; return what gdb said. */
async function attachAndShow(server: ServeProcess, extra: string[] = []) {
  const r = await runGdb({ port: server.port, commands: ['info threads', 'thread apply all bt', 'monitor cpus', 'monitor events', ...extra] });
  assertGdbOk(r, server);
  return { r, threads: parseInfoThreads(r.stdout), bts: parseBacktraces(r.stdout) };
}

/**
 * CPU `cpu`'s chain from its workload (announced on the console) down to the entry point
 * must be the recorded QEMU one (hardlockup on 4 CPUs), or at least start at that workload
 * and end at an entry point.
 */
function expectWorkloadChain(bt: ThreadBacktrace | undefined, cpu: number, workload: string, recorded?: string[]): void {
  if (!bt) throw new Error(`no backtrace for CPU ${cpu}`);
  const chain = chainFrom(bt, workload);
  if (typeof chain === 'string') throw new Error(`CPU ${cpu}: ${chain}`);
  if (recorded) expect({ cpu, chain }).toEqual({ cpu, chain: recorded });
  else expect({ cpu, first: chain[0] }).toEqual({ cpu, first: workload });
}

/** The master's backtrace: the debugger entry on top of the UART interrupt, above the interrupted workload. */
function expectMasterChain(bt: ThreadBacktrace, workload: string): void {
  const entry = ['kgdb_breakpoint', 'uart_handle_sysrq_char', 'pl011_int', 'gic_handle_irq', SIGNAL_FRAME, workload];
  if (!inOrder(bt.frames, entry)) throw new Error(`master CPU ${bt.cpu}: expected ${entry.join(' <- ')} in ${bt.frames.join(' <- ')}`);
  // The exception frame comes right after the handler chain: nothing from the workload above it.
  expect(bt.frames.indexOf(SIGNAL_FRAME)).toBeLessThan(bt.frames.indexOf(workload));
}

describe('hardlockup, 4 CPUs', () => {
  test('pseudo-NMI roundup: every CPU rounded up, each in its recorded call chain', async () => {
    const server = await startServe({ scenario: 'hardlockup', roundup: 'nmi' });
    const { r, threads, bts } = await attachAndShow(server);
    await server.stop();
    const workloads = workloadFunctions(server.console(), 4);

    expect(threads.map((t) => t.cpu)).toEqual([0, 1, 2, 3]);
    const master = threads.find((t) => t.extra === 'master');
    expect(master).toBeDefined();
    for (const t of threads) if (t !== master) expect({ cpu: t.cpu, extra: t.extra }).toEqual({ cpu: t.cpu, extra: 'rounded up by NMI' });

    for (const bt of bts) expect({ cpu: bt.cpu, stopped: bt.stopped }).toEqual({ cpu: bt.cpu, stopped: undefined });
    for (let cpu = 0; cpu < 4; cpu++) expectWorkloadChain(bts[cpu], cpu, workloads[cpu], groundTruth?.chains[String(cpu)]);
    expectMasterChain(bts[master!.cpu], workloads[master!.cpu]);
    // The CPU that deadlocked with IRQs off is shown inside spin_lock_irqsave.
    const locked = bts[2].frames;
    expect(locked.indexOf('deadlock_on_leaked_lock') - locked.indexOf('_raw_spin_lock_irqsave')).toBe(1);

    // Monitor output (O packets) goes to gdb's stderr (gdb_stdtarg).
    expect(r.stderr).toMatch(/^\s+\d+(\.\d)? µs\s+CPU 2\s+entered-slave intid=\d+ takenAs=nmi /m);
    // One event stream: the GIC's SGI to CPU 2 and its acknowledge there, as an NMI through
    // the "IRQs off" PMR (0x60) with PSTATE.I clear, then kgdb's slave entry.
    expect(r.stderr).toMatch(/CPU \d\s+sgi-sent target=2 intid=(\d+) prio=0x[0-9a-f]+\n/);
    expect(r.stderr).toMatch(/CPU 2\s+irq-taken intid=\d+ prio=0x[0-9a-f]+ pmr=0x60 irqMasked=false takenAs=nmi\n/);
    // With pseudo-NMI, entry.S saved pt_regs->pmr_save: kgdb's entries report it (the locked CPU's "IRQs off" 0x60).
    expect(r.stderr).toMatch(/CPU 2\s+entered-slave intid=\d+ takenAs=nmi pmr=0x60 irqMasked=false\n/);
    expect(r.stderr).toMatch(/CPU \d\s+entered-master signo=\d+ pmr=0x[0-9a-f]{2} irqMasked=(true|false)\n/);
    expect(server.console()).toMatch(/KGDB: Entering KGDB/);
    expect(server.console()).not.toMatch(TIMED_OUT_LINE);
  });

  test('regular-IPI fallback: the locked CPU is not rounded up, the others as with NMI', async () => {
    const server = await startServe({ scenario: 'hardlockup', roundup: 'ipi' });
    const { r, threads, bts } = await attachAndShow(server, ['thread 3', 'print $pc', 'info registers x0']);
    await server.stop();
    const workloads = workloadFunctions(server.console(), 4);

    expect(threads.map((t) => [t.cpu, t.extra])).toEqual([
      [0, 'master'],
      [1, 'rounded up by IPI'],
      [2, 'not rounded up (IRQs masked, timed out)'],
      [3, 'rounded up by IPI'],
    ]);
    expect(threads[2].frame).toBe('<unavailable> in ?? ()');
    expect(r.stdout).toMatch(/^\$1 = <unavailable>$/m);
    expect(r.stdout).toMatch(/^x0\s+<unavailable>$/m);
    expect(server.console()).toMatch(TIMED_OUT_LINE);
    expect(r.stderr).toMatch(/CPU 0\s+timed-out cpus=2$/m);
    // Without pseudo-NMI entry.S does not save pt_regs->pmr_save: kgdb's entries leave pmr out.
    expect(r.stderr).toMatch(/CPU 0\s+entered-master signo=\d+ irqMasked=(true|false)\n/);
    expect(r.stderr).toMatch(/CPU 1\s+entered-slave intid=\d+ takenAs=irq irqMasked=(true|false)\n/);
    expect(r.stderr).not.toMatch(/entered-(master|slave|next-master)[^\n]*pmr=/);

    for (const cpu of [0, 1, 3]) expectWorkloadChain(bts[cpu], cpu, workloads[cpu], groundTruth?.chains[String(cpu)]);
    expectMasterChain(bts[0], workloads[0]);
  });
});

/**
 * The single-CPU scenarios: CPU 2 runs the workload, the others idle. CPU 2's roundup
 * outcome per mode; the spinning CPUs make machine time crawl under --icount (every
 * YIELD ends the CPU's turn), so the timeout is shortened to keep the suite fast.
 */
describe.each([
  ['daifmasked', 'nmi', 'not rounded up (IRQs masked, timed out)'],
  ['daifmasked', 'ipi', 'not rounded up (IRQs masked, timed out)'],
  ['softlockup', 'nmi', 'rounded up by NMI'],
  ['softlockup', 'ipi', 'rounded up by IPI'],
  ['late', 'nmi', 'rounded up by NMI'],
] as const)('%s, --roundup %s', (scenario, roundup, cpu2) => {
  test(`CPU 2 is "${cpu2}"`, async () => {
    const server = await startServe({ scenario, roundup, roundupTimeoutMs: 200 });
    const { threads, bts } = await attachAndShow(server);
    await server.stop();
    const workloads = workloadFunctions(server.console(), 4);
    const others = roundup === 'nmi' ? 'rounded up by NMI' : 'rounded up by IPI';
    expect(threads.map((t) => [t.cpu, t.extra])).toEqual([
      [0, 'master'],
      [1, others],
      [2, cpu2],
      [3, others],
    ]);
    expect(workloads[2]).toBe(roleFunction(roleOf(scenario, 2, 4)));
    if (cpu2.startsWith('not')) {
      expect(bts[2].frames).toEqual(['<unavailable>']);
      expect(server.console()).toMatch(TIMED_OUT_LINE);
    } else {
      expectWorkloadChain(bts[2], 2, workloads[2]);
      expect(server.console()).not.toMatch(TIMED_OUT_LINE);
    }
    expectMasterChain(bts[0], workloads[0]);
    for (const cpu of [1, 3]) expectWorkloadChain(bts[cpu], cpu, workloads[cpu]);
  });
});

/**
 * `late` with the fallback: CPU 2 keeps IRQs off for 2 s of machine time at a time, so the
 * roundup times out without it; it takes the pending roundup IPI when it opens its IRQ
 * window, while the debugger is still active, and joins as a slave ("arrived late", as
 * Linux's kgdb_nmicallback lets a CPU join while a master holds the debugger). gdb waits
 * for it (polling `monitor cpus`, the machine runs on), flushes its register cache (the
 * registers it read while CPU 2 was out are stale) and sees CPU 2 in its workload.
 * CPU 2 runs on alone while gdb looks, so its 2 s window must last long in host time:
 * --icount 3 (8 ns per instruction) makes it 250 M instructions, seconds of host time even
 * with the block compiler, and gdb's break-in lands early in the first window (gdb attaches
 * at the steady line, as CPU 2 starts it), so the late arrival comes after gdb's first look
 * (at --icount 8 the window took ~40 ms of host time and the arrival sometimes beat gdb's
 * first `bt`).
 */
test('late, --roundup ipi: CPU 2 times out, then arrives late and joins', async () => {
  const server = await startServe({ scenario: 'late', roundup: 'ipi', roundupTimeoutMs: 100, icountShift: 3 });
  const script = path.join(os.tmpdir(), `kgdb-lab-late-${process.pid}.gdb`);
  fs.writeFileSync(
    script,
    [
      'info threads',
      'thread 3',
      'bt',
      'python',
      'import time',
      't0 = time.time()',
      'while "arrived late" not in gdb.execute("monitor cpus", to_string=True) and time.time() - t0 < 60:',
      '    time.sleep(0.1)',
      'end',
      'maintenance flush register-cache',
      'info threads',
      'thread 3',
      'bt',
      'monitor events',
      '',
    ].join('\n'),
  );
  let r;
  try {
    r = await runGdb({ port: server.port, scripts: [script] });
  } finally {
    fs.rmSync(script, { force: true });
  }
  await server.stop();
  assertGdbOk(r, server);
  const [before, after] = parseInfoThreadsAll(r.stdout);
  expect(before.map((t) => t.extra)).toEqual(['master', 'rounded up by IPI', 'not rounded up (IRQs masked, timed out)', 'rounded up by IPI']);
  expect(after.map((t) => t.extra)).toEqual(['master', 'rounded up by IPI', 'arrived late', 'rounded up by IPI']);
  expect(server.console()).toMatch(TIMED_OUT_LINE);
  // Before: nothing to unwind; after: CPU 2 in its workload, down to its entry point.
  const [earlyPart, latePart] = r.stdout.split(/^\s+Id\s+Target Id/m).slice(1);
  expect(earlyPart).toMatch(/^#0\s+<unavailable> in \?\? \(\)$/m);
  const frames = [...latePart.matchAll(/^#\d+\s+(?:0x[0-9a-f]+ in )?(\w+) \(/gm)].map((m) => m[1]);
  expect(frames[0]).toBe('irqs_off_for_seconds');
  expect(frames[frames.length - 1]).toBe('secondary_entry');
  // The events: the timeout, then CPU 2's late arrival, both while the same master held the debugger.
  expect(r.stderr).toMatch(/CPU 0\s+timed-out cpus=2\n[\s\S]*CPU 2\s+arrived-late intid=\d+ takenAs=irq/);
  expect(server.stderr()).toMatch(/kgdb-lab: CPU 2 answered the roundup late/);
});
