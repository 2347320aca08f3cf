/**
 * gdb stays usable where kgdb cannot do what it asks. Real gdb-multiarch against the real
 * server and the bundled guest (hardlockup: CPU 2 spins in ldaxr on a lock never released).
 *
 * Stepping a thread other than the master is refused (kgdb steps only the master). The
 * answer is a SIGINT stop on that thread where nothing moved, so gdb's next `continue`
 * works. With an `E` reply, or a stop with no signal, gdb 13 left the thread's step
 * unfinished and the next `continue` failed with "Cannot execute this command while the
 * target is running", then hung. (A continue of the master alone is carried out:
 * lone-continue-gdb.test.ts.)
 */
import { assertGdbOk, interruptedContinue, killAll, parseInfoThreadsAll, runGdb, startServe, type ServeProcess } from '../helpers/gdb';

let server: ServeProcess;

beforeEach(async () => {
  server = await startServe({ scenario: 'hardlockup' });
}, 90_000);

afterEach(async () => {
  await killAll();
});

test('a refused step of a non-master thread is a SIGINT stop there; the next continue and Ctrl-C work', async () => {
  const r = await runGdb({
    port: server.port,
    commands: ['thread 2', 'p/x $pc', 'stepi', 'p/x $pc', 'next', 'p/x $pc', ...interruptedContinue(), 'info threads'],
    interrupt: { delayMs: 1500 },
  });
  assertGdbOk(r, server);
  expect(r.output).not.toMatch(/Cannot execute this command while the target is running/);
  expect(r.output.match(/only the master \(CPU 0, thread 1\) can be stepped/g)).toHaveLength(2);
  expect(r.output.match(/Thread 2 "CPU#1" received signal SIGINT/g)).toHaveLength(2);
  // Nothing moved: the same pc before and after both refused steps.
  const pcs = [...r.stdout.matchAll(/^\$\d+ = (0x[0-9a-f]+)$/gm)].map((m) => m[1]);
  expect(pcs).toHaveLength(3);
  expect(new Set(pcs).size).toBe(1);
  // The continue ran and the Ctrl-C stopped the machine again.
  expect(r.interrupts).toBe(1);
  const tables = parseInfoThreadsAll(r.stdout);
  expect(tables).toHaveLength(1);
  expect(tables[0].find((t) => t.extra === 'master')?.cpu).toBe(0);
}, 120_000);
