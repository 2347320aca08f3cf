/**
 * gdb inferior calls (`print f(args)`, `call f(args)`) on the stopped guest: gdb saves the
 * registers of the save-restore group, runs the function on the master with a breakpoint
 * at the ELF entry as its return address, and restores the registers afterwards. The
 * read-only EL1 system registers change when that breakpoint traps (ESR, ELR, SPSR), so
 * target.xml marks them save-restore="no"; otherwise restoring them is a refused `P` (E5f)
 * and gdb fails the whole call. Real gdb-multiarch against the real server and guest.
 */
import { assertGdbOk, killAll, runGdb, startServe } from '../helpers/gdb';

afterAll(async () => {
  await killAll();
});

test('print f(args) runs the function on the master and restores its registers', async () => {
  const server = await startServe({});
  const r = await runGdb({
    port: server.port,
    commands: [
      'printf "@@pc-before %lx sp %lx x19 %lx\\n", $pc, $sp, $x19',
      'print cpumask_weight(&__cpu_online_mask)',
      'printf "@@pc-after %lx sp %lx x19 %lx\\n", $pc, $sp, $x19',
      'info threads',
    ],
  });
  assertGdbOk(r, server);
  expect(r.stdout + r.stderr).not.toMatch(/Could not write register/);
  // The bundled guest brings 4 CPUs online (the default --cpus).
  expect(r.stdout).toMatch(/^\$1 = 4$/m);
  const before = /^@@pc-before (\S+) sp (\S+) x19 (\S+)$/m.exec(r.stdout);
  const after = /^@@pc-after (\S+) sp (\S+) x19 (\S+)$/m.exec(r.stdout);
  expect(before).not.toBeNull();
  expect(after?.slice(1)).toEqual(before?.slice(1));
  // The master is still stopped where it was, the others rounded up again.
  expect(r.stdout).toMatch(/\* 1 +Thread 1 "CPU#0" \(master\) +arch_kgdb_breakpoint/);
  expect((r.stdout.match(/rounded up by NMI/g) ?? []).length).toBe(3);
}, 120_000);
