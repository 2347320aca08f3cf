/**
 * Many CPUs (issue 5): the bundled guest's hardlockup scenario on 64 and 256 CPUs with the
 * pseudo-NMI roundup. gdb lists every CPU as a thread, all rounded up, and every CPU's full
 * backtrace runs from the workload its role gives it (CPU number modulo 4: compute, idle,
 * deadlock with IRQs off, deep recursion) down to its entry point.
 *
 * Measured on the 2-core CI host: 64 CPUs about 3 s, 256 CPUs about 8 s (boot, attach and
 * 256 full backtraces).
 */
import { roleFunction, roleOf } from '../helpers/bundled-kernel';
import { chainFrom } from '../helpers/gdb-ground-truth';
import { assertGdbOk, killAll, parseBacktraces, parseInfoThreads, runGdb, startServe } from '../helpers/gdb';

afterEach(killAll);

describe.each([64, 256])('%i CPUs', (cpus) => {
  test('every CPU listed, rounded up, with its backtrace from its workload to its entry point', async () => {
    const server = await startServe({ scenario: 'hardlockup', cpus });
    const started = Date.now();
    const r = await runGdb({ port: server.port, commands: ['info threads', 'thread apply all bt'], timeoutMs: 120_000 });
    const gdbMs = Date.now() - started;
    await server.stop();
    assertGdbOk(r, server);

    const threads = parseInfoThreads(r.stdout);
    expect(threads.map((t) => t.cpu)).toEqual(Array.from({ length: cpus }, (_, i) => i));
    expect(threads.filter((t) => t.extra === 'master').map((t) => t.cpu)).toEqual([0]);
    const notRoundedUp = threads.filter((t) => t.cpu !== 0 && t.extra !== 'rounded up by NMI');
    expect(notRoundedUp).toEqual([]);

    const bts = parseBacktraces(r.stdout);
    expect(bts.map((b) => b.cpu)).toEqual(threads.map((t) => t.cpu));
    const problems: string[] = [];
    for (const bt of bts) {
      const workload = roleFunction(roleOf('hardlockup', bt.cpu, cpus));
      const chain = chainFrom(bt, workload);
      if (typeof chain === 'string') problems.push(`CPU ${bt.cpu}: ${chain}`);
    }
    expect(problems).toEqual([]);
    // Keep an eye on the cost of a big attach (budget: the whole debug suite under 4 min).
    expect(gdbMs).toBeLessThan(60_000);
  }, 150_000);
});
