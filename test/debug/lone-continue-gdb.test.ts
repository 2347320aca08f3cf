/**
 * A continue of one thread (`vCont;c:N`, no default action) runs the master alone, the other
 * CPUs parked (KgdbCore.runAlone). Real gdb-multiarch against the real server and the
 * bundled guest's hardlockup scenario (CPU 0 and CPU 3 compute, CPU 1 idles, CPU 2 spins
 * with IRQs off in ldaxrh/wfe on kgdb_lab_leaked_lock, which is never released).
 *
 * - gdb steps a thread over an access watchpoint inside an exclusive sequence by continuing
 *   that thread alone with breakpoints after the sequence (infrun.c step-over, aarch64
 *   software single-step). When every CPU ran on that continue, another CPU hit
 *   `break checksum_block` meanwhile, the stop came on a thread gdb had not resumed, and gdb
 *   13 aborted (infrun.c finish_step_over: Assertion `trap_expected' failed).
 * - `set scheduler-locking on` + `continue` sends the same packet for the master: only it
 *   moves, until Ctrl-C.
 */
import { assertGdbOk, interruptedContinue, killAll, parseInfoThreadsAll, runGdb, startServe } from '../helpers/gdb';
import { SNAPSHOT, snapshots } from '../helpers/gdb-snapshot';

afterEach(killAll);

/** A resume packet and the stop reply that answered it, from the server's --trace-rsp log. */
interface ResumeAndStop {
  vcont: string;
  /** The threads named with no default action (vCont;c:N), or undefined when every thread resumed. */
  only: Set<number> | undefined;
  /** The thread the stop reply names. */
  stoppedOn: number | undefined;
}

function resumesAndStops(trace: string): ResumeAndStop[] {
  const out: ResumeAndStop[] = [];
  let open: ResumeAndStop | undefined;
  for (const line of trace.split('\n')) {
    const v = /^rsp <- \$(vCont;[^?\n]*)$/.exec(line);
    if (v) {
      const actions = v[1].split(';').slice(1);
      const named = actions.map((a) => /^[cs]:(?:p[0-9a-f]+\.)?([0-9a-f]+)$/.exec(a));
      const only = named.every((m) => m) ? new Set(named.map((m) => parseInt(m![1], 16))) : undefined;
      open = { vcont: v[1], only, stoppedOn: undefined };
      out.push(open);
      continue;
    }
    const t = /^rsp -> \$T[0-9a-f]{2}thread:(?:p[0-9a-f]+\.)?([0-9a-f]+);/.exec(line);
    if (t && open) {
      open.stoppedOn = parseInt(t[1], 16);
      open = undefined;
    }
  }
  return out;
}

test('break checksum_block + awatch on the leaked lock: gdb steps CPU 2 over the watchpoint alone, no abort; Ctrl-C stops it there; a plain continue resumes everyone', async () => {
  const server = await startServe({ scenario: 'hardlockup', extraArgs: ['--trace-rsp'] });
  const r = await runGdb({
    port: server.port,
    commands: [
      'break checksum_block',
      'awatch kgdb_lab_leaked_lock',
      'continue',
      // The next continue reaches the watchpoint on CPU 2 and gdb's step-over of it, which
      // never ends by itself: CPU 2 runs alone and the lock is never released.
      ...interruptedContinue(),
      'info threads',
      'delete',
      ...interruptedContinue(),
      'info threads',
    ],
    interrupt: { delayMs: 2500 },
    timeoutMs: 90_000,
  });
  assertGdbOk(r, server);
  expect(r.output).not.toMatch(/internal-error/);
  expect(r.interrupts).toBe(2);
  const rs = resumesAndStops(server.stderr());
  // gdb did step CPU 2 (thread 3) over the watchpoint on its own.
  const lone = rs.filter((x) => x.only?.size === 1 && x.vcont.startsWith('vCont;c:'));
  expect(lone.map((x) => [...x.only!])).toContainEqual([3]);
  // Every stop came on a thread gdb had resumed.
  for (const x of rs.filter((y) => y.only)) expect({ vcont: x.vcont, stoppedOn: x.stoppedOn, resumed: x.only!.has(x.stoppedOn ?? -1) }).toMatchObject({ resumed: true });
  // The Ctrl-C stopped CPU 2 where it spun, alone: it is still the master, the others
  // still rounded up where they were.
  expect(r.output).toMatch(/Thread 3 "CPU#2" received signal SIGINT/);
  const tables = parseInfoThreadsAll(r.stdout);
  expect(tables).toHaveLength(2);
  expect(tables[0].map((t) => [t.cpu, t.extra])).toEqual([
    [0, 'rounded up by NMI'],
    [1, 'rounded up by NMI'],
    [2, 'master'],
    [3, 'rounded up by NMI'],
  ]);
  expect(tables[0].find((t) => t.current)?.cpu).toBe(2);
  expect(tables[0][2].frame).toMatch(/arch_spin_lock \(lock=0x[0-9a-f]+ <kgdb_lab_leaked_lock>\)/);
  // After `delete`, a plain continue resumed every CPU: CPU 0 took the break-in (it had been
  // parked as a slave).
  expect(rs.at(-1)?.vcont).toBe('vCont;c');
  expect(tables[1].find((t) => t.extra === 'master')?.cpu).toBe(0);
}, 180_000);

test.each(['kgdb', 'gdb'])('--step-mode %s: set scheduler-locking on + continue runs only the master until Ctrl-C; off + continue runs them all', async (mode) => {
  const server = await startServe({ scenario: 'hardlockup', extraArgs: ['--trace-rsp', '--step-mode', mode] });
  const r = await runGdb({
    port: server.port,
    commands: [
      ...SNAPSHOT,
      'set scheduler-locking on',
      ...interruptedContinue(),
      ...SNAPSHOT,
      'info threads',
      'set scheduler-locking off',
      ...interruptedContinue(),
      ...SNAPSHOT,
      'info threads',
      'detach',
    ],
    interrupt: { delayMs: 1500 },
    timeoutMs: 90_000,
  });
  assertGdbOk(r, server);
  expect(r.interrupts).toBe(2);
  const s = snapshots(r.stdout);
  expect(s).toHaveLength(3);
  // Attached by a break-in taken on CPU 0 (it takes the UART interrupt): CPU 0 is master.
  const tables = parseInfoThreadsAll(r.stdout);
  expect(tables).toHaveLength(2);
  expect(tables[0].find((t) => t.extra === 'master')?.cpu).toBe(0);
  // Both continues ended in the Ctrl-C, not earlier: the lone one did not trap again on the
  // kgdb_breakpoint() it started from (its pc was moved past the compiled break).
  expect(r.output.match(/^Thread 1 "CPU#0" received signal SIGINT, Interrupt\.$/gm)).toHaveLength(2);
  const vconts = resumesAndStops(server.stderr()).map((x) => [x.vcont, x.stoppedOn]);
  expect(vconts).toEqual([
    ['vCont;c:1', 1],
    ['vCont;c', 1],
  ]);
  // scheduler-locking on: CPU 0 ran (its pc and its result moved); nobody else did.
  expect(s[1].pcs.get(0)).not.toBe(s[0].pcs.get(0));
  expect(s[1].results[0]).not.toBe(s[0].results[0]);
  for (const cpu of [1, 2, 3]) expect({ cpu, pc: s[1].pcs.get(cpu) }).toEqual({ cpu, pc: s[0].pcs.get(cpu) });
  expect(s[1].results.slice(1)).toEqual(s[0].results.slice(1));
  expect(tables[0].map((t) => t.extra)).toEqual(['master', 'rounded up by NMI', 'rounded up by NMI', 'rounded up by NMI']);
  // scheduler-locking off: every CPU was released (CPU 3 computed again, CPU 0 took the
  // new break-in) and rounded up again.
  expect(s[2].results[3]).not.toBe(s[1].results[3]);
  expect(s[2].results[0]).not.toBe(s[1].results[0]);
  expect(tables[1].map((t) => t.extra)).toEqual(['master', 'rounded up by NMI', 'rounded up by NMI', 'rounded up by NMI']);
}, 180_000);
