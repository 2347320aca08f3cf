/**
 * Two CPUs trapping together (issue 5): "two successive stops, the second reported on the
 * next resume". In the bundled guest's breakpoint-pair scenario CPUs 2 and 3, once gdb sets
 * kgdb_lab_pair_go, mask every PSTATE.DAIF bit, meet, and both call trap_with_daif_masked()
 * → kgdb_breakpoint(), CPU 3 a moment after CPU 2 (so the order, and whether a gdb
 * breakpoint is still in memory for CPU 3, do not depend on where a time slice ends). CPU 2
 * becomes master; CPU 3 cannot take the roundup (not even the pseudo-NMI gets past
 * PSTATE.I/F) and traps itself while CPU 2 holds the debugger: it waits as the next master
 * (Linux: spinning on dbg_master_lock), counts as arrived, and gdb gets its stop on the next
 * continue.
 */
import { assertGdbOk, killAll, parseInfoThreadsAll, runGdb, startServe } from '../helpers/gdb';

afterEach(killAll);

test('breakpoint-pair: a gdb breakpoint and kgdb_breakpoint() on CPUs 2 and 3 give successive stops, each reported on the next continue', async () => {
  const server = await startServe({ scenario: 'breakpoint-pair' });
  const r = await runGdb({
    port: server.port,
    commands: [
      'info threads',
      'set var kgdb_lab_pair_go = 1',
      'break trap_with_daif_masked',
      'continue',
      'info threads',
      'monitor events',
      'continue',
      'info threads',
      'delete',
      'continue',
      'info threads',
      'detach',
    ],
  });
  assertGdbOk(r, server);
  // After the detach both leave the debugger.
  await server.waitForConsole(/\[cpu2\] kgdb_lab: CPU2: back from kgdb_breakpoint\(\)/, 30_000);
  await server.waitForConsole(/\[cpu3\] kgdb_lab: CPU3: back from kgdb_breakpoint\(\)/, 30_000);
  await server.stop();

  const tables = parseInfoThreadsAll(r.stdout).map((t) => t.map((row) => [row.cpu, row.extra]));
  expect(tables).toHaveLength(4);
  // Attached while CPUs 2 and 3 wait for the go flag with IRQs on: everybody rounded up.
  expect(tables[0]).toEqual([
    [0, 'master'],
    [1, 'rounded up by NMI'],
    [2, 'rounded up by NMI'],
    [3, 'rounded up by NMI'],
  ]);

  // Stop 1: the first of the pair at the gdb breakpoint; the other trapped behind it.
  // CPU 2 traps first (CPU 3 follows a moment later, guest/src/kgdb_lab/workloads.c).
  const first = /^Thread 3 "CPU#2" hit Breakpoint 1, trap_with_daif_masked \(\) at /m.exec(r.stdout);
  expect(first).not.toBeNull();
  const [a, b] = [2, 3];
  const pair = (master: number, other: string): (string | number)[][] =>
    [0, 1, 2, 3].map((c) => [c, c === master ? 'master' : c === 5 - master ? other : 'rounded up by NMI']);
  expect(tables[1]).toEqual(pair(a, 'trapped, waiting to be master'));
  // Its record: b entered kgdb_handle_exception (IRQs masked) instead of answering the roundup.
  expect(r.output).toMatch(new RegExp(`CPU ${b}\\s+entered-next-master signo=5 [^\\n]*irqMasked=true`));
  expect(r.output).not.toMatch(new RegExp(`CPU ${b}\\s+entered-slave`));

  // Stop 2, on the next continue: b at its kgdb_breakpoint(), while a (released, still
  // masked) has gone on into kgdb_breakpoint() and waits behind it in turn.
  const afterFirst = r.stdout.slice((first?.index ?? 0) + 1);
  const stops = [...afterFirst.matchAll(/^Thread (\d) "CPU#(\d)" received signal SIGTRAP, Trace\/breakpoint trap\.$/gm)].map((m) => Number(m[2]));
  expect(stops).toEqual([b, a]);
  expect(tables[2]).toEqual(pair(b, 'trapped, waiting to be master'));
  // Stop 3: a again; b, released with PSTATE restored, answered the roundup.
  expect(tables[3]).toEqual(pair(a, 'rounded up by NMI'));
});

test('--step-mode gdb: the pair traps while the master steps with the others running; the step still ends on the master, then each waiting CPU stops in the order it trapped', async () => {
  const server = await startServe({ scenario: 'breakpoint-pair', extraArgs: ['--step-mode', 'gdb'] });
  const r = await runGdb({
    port: server.port,
    commands: ['set var kgdb_lab_pair_go = 1', 'set scheduler-locking off', 'stepi', 'info threads', 'monitor events', 'continue', 'info threads', 'continue', 'info threads', 'detach'],
  });
  assertGdbOk(r, server);
  await server.waitForConsole(/\[cpu2\] kgdb_lab: CPU2: back from kgdb_breakpoint\(\)/, 30_000);
  await server.waitForConsole(/\[cpu3\] kgdb_lab: CPU3: back from kgdb_breakpoint\(\)/, 30_000);
  await server.stop();

  const tables = parseInfoThreadsAll(r.stdout).map((t) => t.map((row) => [row.cpu, row.extra]));
  expect(tables).toHaveLength(3);
  // The step released CPUs 1-3; 2 and 3 saw the go flag and trapped during it (not
  // answering the roundup after it), and the stop is still the step's, on CPU 0.
  expect(tables[0]).toEqual([
    [0, 'master'],
    [1, 'rounded up by NMI'],
    [2, 'trapped, waiting to be master'],
    [3, 'trapped, waiting to be master'],
  ]);
  const trapped = [...r.output.matchAll(/CPU (\d)\s+entered-next-master signo=5/g)].map((m) => Number(m[1]));
  expect(trapped).toEqual([2, 3]);
  const stops = [...r.stdout.matchAll(/^Thread (\d) "CPU#(\d)" received signal SIGTRAP, Trace\/breakpoint trap\.$/gm)].map((m) => Number(m[2]));
  expect(stops).toEqual(trapped);
  expect(tables[1][trapped[0]]).toEqual([trapped[0], 'master']);
  expect(tables[1][trapped[1]]).toEqual([trapped[1], 'trapped, waiting to be master']);
  expect(tables[2][trapped[1]]).toEqual([trapped[1], 'master']);
});
