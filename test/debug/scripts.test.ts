/**
 * The scripted sessions in gdb-scripts/, run in batch mode the way gdb-scripts/README.md
 * shows (`gdb-multiarch -batch -ex 'set $kgdb_port = N' -x gdb-scripts/NAME.gdb ELF`), each
 * against a fresh `kgdb-lab serve --icount` on the bundled guest.
 */
import * as path from 'path';
import { ROOT } from '../helpers/guest-build';
import {
  assertGdbOk,
  killAll,
  parseBacktraces,
  parseInfoThreads,
  parseInfoThreadsAll,
  runGdb,
  startServe,
  type ServeOptions,
} from '../helpers/gdb';

afterEach(killAll);

const script = (name: string): string => path.join(ROOT, 'gdb-scripts', name);

/** Serve, run the script against it, stop the server. */
async function runScript(name: string, serve: ServeOptions) {
  const server = await startServe(serve);
  const r = await runGdb({ connect: false, preArgs: ['-ex', `set $kgdb_port = ${server.port}`], scripts: [script(name)] });
  await server.stop();
  assertGdbOk(r, server);
  expect(r.stdout).toMatch(/^\[Inferior 1 \(Remote target\) detached\]$/m);
  return { r, server };
}

test('attach-and-show-all-cpus.gdb', async () => {
  const { r } = await runScript('attach-and-show-all-cpus.gdb', { scenario: 'hardlockup' });
  expect(parseInfoThreads(r.stdout).map((t) => t.extra)).toEqual(['master', 'rounded up by NMI', 'rounded up by NMI', 'rounded up by NMI']);
  const bts = parseBacktraces(r.stdout);
  expect(bts.map((b) => [b.cpu, b.frames[b.frames.length - 1]])).toEqual([
    [0, '_start'],
    [1, 'secondary_entry'],
    [2, 'secondary_entry'],
    [3, 'secondary_entry'],
  ]);
  // monitor output arrives as console output (gdb's stderr).
  expect(r.stderr).toMatch(/^CPU\s+thread\s+state\s+PC\s+I\s+PMR\s+RPR\s+roundup\s+arrived\s+ESR\s+FAR\s+ELR\s+SPSR\s+VBAR\s+SCTLR$/m);
  for (const t of [1, 2, 3]) expect(r.stderr).toMatch(new RegExp(`CPU 0\\s+sgi-sent target=${t} intid=\\d+ prio=0x[0-9a-f]+$`, 'm'));
});

test('break-continue-step.gdb', async () => {
  // As the script's header says: CPU 1 must keep its idle tick (nohz=off) to be hit twice.
  const { r } = await runScript('break-continue-step.gdb', { extraArgs: ['--append', 'kgdb_lab.scenario=hardlockup irqchip.gicv3_pseudo_nmi=1 nohz=off'] });
  expect(r.stdout.match(/^Thread 2 "CPU#1" hit Breakpoint 1, default_idle_call \(\) at /gm)).toHaveLength(2);
  const steps = [...r.stdout.matchAll(/^=> (0x[0-9a-f]+) </gm)].map((m) => BigInt(m[1]));
  expect(steps).toHaveLength(3);
  expect(steps[1] - steps[0]).toBe(4n);
  const results = [...r.stdout.matchAll(/^\$\d+ = (\{.*\})$/gm)].map((m) => m[1]);
  expect(results).toHaveLength(2);
  expect(results[1]).toBe(results[0]);
  const tables = parseInfoThreadsAll(r.stdout);
  expect(tables.map((t) => t.find((row) => row.extra === 'master')?.cpu)).toEqual([0, 1, 1, 1]);
});

test.each([
  ['nmi', 'rounded up by NMI'],
  ['ipi', 'not rounded up (IRQs masked, timed out)'],
] as const)('nmi-vs-fallback.gdb, --roundup %s', async (roundup, cpu2) => {
  const { r, server } = await runScript('nmi-vs-fallback.gdb', { scenario: 'hardlockup', roundup });
  expect(parseInfoThreads(r.stdout)[2].extra).toBe(cpu2);
  if (roundup === 'nmi') {
    expect(r.stdout).toMatch(/^\$1 = \(void \(\*\)\(\)\) 0x[0-9a-f]+ <_raw_spin_lock_irqsave\+\d+>$/m);
    expect(server.console()).not.toMatch(/Timed out waiting for secondary CPUs/);
  } else {
    expect(r.stdout).toMatch(/^\$1 = <unavailable>$/m);
    expect(server.console()).toMatch(/KGDB: Timed out waiting for secondary CPUs\./);
  }
});
