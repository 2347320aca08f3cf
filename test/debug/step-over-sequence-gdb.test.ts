/**
 * gdb single-steps most instructions (`vCont;s:N`: the master alone) but runs over an
 * exclusive sequence with a breakpoint after it and a continue (aarch64 software single
 * step). After every break-in the master sits in kgdb_breakpoint() just before such a
 * sequence (the atomic_dec of kgdb_setting_breakpoint), so the second `stepi` is such a
 * continue. Under gdb's default scheduler-locking it names every thread (`vCont;c`) and
 * every CPU runs, as with real kgdb; under `set scheduler-locking step` it names only the
 * master (`vCont;c:1`), which kgdb-lab runs alone, the others parked (README, "Steps gdb
 * turns into a continue"). Real gdb-multiarch, real server and guest, --icount.
 */
import { assertGdbOk, killAll, runGdb, startServe } from '../helpers/gdb';
import { SNAPSHOT, snapshots } from '../helpers/gdb-snapshot';

afterAll(async () => {
  await killAll();
});

async function stepOverSequence(locking: 'step' | 'replay'): Promise<{ before: string[]; after: string[]; pcsMoved: number[]; out: string }> {
  const server = await startServe({ scenario: 'hardlockup', extraArgs: ['--trace-rsp'] });
  const r = await runGdb({
    port: server.port,
    commands: [`set scheduler-locking ${locking}`, ...SNAPSHOT, 'stepi', 'stepi', 'stepi', ...SNAPSHOT, 'monitor events'],
  });
  assertGdbOk(r, server);
  const [a, b] = snapshots(r.stdout);
  const pcsMoved = [1, 2, 3].filter((c) => a.pcs.get(c) !== b.pcs.get(c));
  return { before: a.results, after: b.results, pcsMoved, out: server.stderr() + r.stderr };
}

test('set scheduler-locking step: stepping over the exclusive sequence after a break-in keeps the other CPUs parked', async () => {
  const { before, after, pcsMoved, out } = await stepOverSequence('step');
  expect(out).toMatch(/^rsp <- \$vCont;c:1$/m);
  expect(out).not.toMatch(/^rsp <- \$vCont;c$/m);
  expect(after[3]).toBe(before[3]); // CPU 3 computes without pause whenever it runs
  expect(pcsMoved).toEqual([]);
}, 120_000);

test('gdb\'s default scheduler-locking: the same stepi continues every CPU (a new roundup)', async () => {
  const { before, after, out } = await stepOverSequence('replay');
  expect(out).toMatch(/^rsp <- \$vCont;c$/m);
  expect(after[3]).not.toBe(before[3]);
}, 120_000);
