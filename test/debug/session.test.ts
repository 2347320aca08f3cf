/**
 * Acceptance tests of debugging sessions through real gdb (issue 5), on the bundled guest's
 * hardlockup scenario with the pseudo-NMI roundup: repeated continue / Ctrl-C, a breakpoint
 * hit by a secondary CPU, single steps of the kgdb master while the other CPUs stay parked,
 * detach and reconnect, and `--wait` (every CPU held at its first instruction).
 *
 * A Ctrl-C is what a terminal does: SIGINT to the gdb process, which sends 0x03 to the
 * server; the server answers as a kgdboc user would break in (serial break + SysRq-g).
 */
import * as fs from 'fs';
import {
  BUNDLED_IMAGE,
  assertGdbOk,
  interruptedContinue,
  killAll,
  parseBacktraces,
  parseInfoThreads,
  parseInfoThreadsAll,
  runGdb,
  startServe,
} from '../helpers/gdb';

afterEach(killAll);

/** `thread apply all p/x EXPR` → value per CPU. */
function perCpuValues(text: string): Map<number, string>[] {
  const rounds: Map<number, string>[] = [];
  let cur: Map<number, string> | undefined;
  let cpu: number | undefined;
  for (const line of text.split('\n')) {
    if (line === '@@round@@') rounds.push((cur = new Map()));
    const head = /^Thread \d+ \(Thread \d+ "CPU#(\d+)"/.exec(line);
    if (head) cpu = Number(head[1]);
    const val = /^\$\d+ = (.*)$/.exec(line);
    if (val && cur && cpu !== undefined) {
      cur.set(cpu, val[1]);
      cpu = undefined;
    }
  }
  return rounds;
}

/** The ELF's entry point (e_entry, bytes 24..31 of an ELF64 header). */
function elfEntry(file: string): bigint {
  return fs.readFileSync(file).readBigUInt64LE(24);
}

test('20 cycles of continue and Ctrl-C, every CPU listed at each stop', async () => {
  const server = await startServe({ scenario: 'hardlockup' });
  const commands: string[] = [];
  for (let i = 0; i < 20; i++) commands.push(...interruptedContinue(), 'info threads');
  commands.push('thread apply all bt 3');
  const r = await runGdb({ port: server.port, commands, interrupt: { delayMs: 150 }, timeoutMs: 90_000 });
  await server.stop();
  assertGdbOk(r, server);

  expect(r.interrupts).toBe(20);
  expect(r.stdout.match(/^Thread 1 "CPU#0" received signal SIGINT, Interrupt\.$/gm)?.length).toBe(20);
  const tables = parseInfoThreadsAll(r.stdout);
  expect(tables).toHaveLength(20);
  tables.forEach((t, i) =>
    expect({ stop: i + 1, threads: t.map((row) => [row.cpu, row.extra]) }).toEqual({
      stop: i + 1,
      threads: [
        [0, 'master'],
        [1, 'rounded up by NMI'],
        [2, 'rounded up by NMI'],
        [3, 'rounded up by NMI'],
      ],
    }),
  );
  const bts = parseBacktraces(r.stdout);
  expect(bts.map((b) => b.cpu)).toEqual([0, 1, 2, 3]);
  for (const b of bts) expect(b.frames.length).toBeGreaterThan(0);
  // One debugger entry per attach and per Ctrl-C; the machine ran in between.
  expect(server.console().match(/KGDB: Entering KGDB/g)?.length).toBe(21);
}, 120_000);

test('a breakpoint hit by a secondary CPU; stepi on it while the others stay put', async () => {
  const server = await startServe({ scenario: 'hardlockup' });
  const snapshot = ['echo @@round@@\\n', 'thread apply all p/x $pc', 'print/x kgdb_lab_compute_result[0]@4', 'monitor cpus'];
  const r = await runGdb({
    port: server.port,
    commands: [
      // CPU 1 is the only idle CPU of hardlockup: it alone runs the idle loop.
      'break default_idle_call',
      'continue',
      'info threads',
      'bt',
      ...snapshot,
      'stepi',
      ...snapshot,
      'stepi',
      'stepi',
      ...snapshot,
      'info threads',
      // Only the master can be stepped: kgdb keeps the others parked.
      'thread 1',
      'stepi',
      'thread 2',
      'delete',
      'detach',
    ],
  });
  await server.stop();
  // The refused step is explained and answered as a SIGINT stop on that thread, nothing moved.
  expect(r.output).toMatch(/kgdb-lab: only the master \(CPU 1, thread 2\) can be stepped; kgdb keeps the others parked \(thread 1 did not move\)/);
  expect(r.stdout).toMatch(/^Thread 1 "CPU#0" received signal SIGINT/m);
  assertGdbOk(r, server);

  expect(r.stdout).toMatch(/^Thread 2 "CPU#1" hit Breakpoint 1, default_idle_call \(\) at /m);
  const threads = parseInfoThreads(r.stdout);
  expect(threads.map((t) => [t.cpu, t.extra])).toEqual([
    [0, 'rounded up by NMI'],
    [1, 'master'],
    [2, 'rounded up by NMI'],
    [3, 'rounded up by NMI'],
  ]);
  expect(r.stdout).toMatch(/^#0\s+default_idle_call \(\) at /m);

  const rounds = perCpuValues(r.stdout);
  expect(rounds.map((m) => [...m.keys()].sort())).toEqual([
    [0, 1, 2, 3],
    [0, 1, 2, 3],
    [0, 1, 2, 3],
  ]);
  const [atBreak, afterOne, afterThree] = rounds;
  const addr = (v: string | undefined): bigint => BigInt(v ?? 'NaN');
  // The master moved one instruction, then two more; every other CPU stayed where it was.
  expect(addr(afterOne.get(1)) - addr(atBreak.get(1))).toBe(4n);
  expect(afterThree.get(1)).not.toBe(afterOne.get(1));
  for (const cpu of [0, 2, 3]) {
    expect({ cpu, pc: afterOne.get(cpu) }).toEqual({ cpu, pc: atBreak.get(cpu) });
    expect({ cpu, pc: afterThree.get(cpu) }).toEqual({ cpu, pc: atBreak.get(cpu) });
  }
  // The busy CPUs (0 and 3) did not compute a single round meanwhile.
  const results = [...r.stdout.matchAll(/^\$\d+ = (\{0x[0-9a-f]+, 0x[0-9a-f]+, 0x[0-9a-f]+, 0x[0-9a-f]+\})$/gm)].map((m) => m[1]);
  expect(results).toHaveLength(3);
  expect(new Set(results).size).toBe(1);
  expect(server.stderr()).toMatch(/kgdb-lab: gdb detached; the machine runs on, breakpoints removed/);
});

test('detach, then reconnect: a new break-in, every CPU listed again', async () => {
  const server = await startServe({ scenario: 'hardlockup' });
  const first = await runGdb({ port: server.port, commands: ['info threads', 'detach'] });
  assertGdbOk(first, server);
  // The machine ran on after the detach: the second entry's printk stamp is later.
  const second = await runGdb({ port: server.port, commands: ['info threads', 'thread apply all bt 1', 'detach'] });
  assertGdbOk(second, server);
  await server.stop();
  for (const r of [first, second]) {
    expect(parseInfoThreads(r.stdout).map((t) => [t.cpu, t.extra])).toEqual([
      [0, 'master'],
      [1, 'rounded up by NMI'],
      [2, 'rounded up by NMI'],
      [3, 'rounded up by NMI'],
    ]);
  }
  expect(parseBacktraces(second.stdout).map((b) => b.cpu)).toEqual([0, 1, 2, 3]);
  const stamps = [...server.console().matchAll(/^\[\s*(\d+\.\d{6})\] \[cpu\d+\] KGDB: Entering KGDB$/gm)].map((m) => Number(m[1]));
  expect(stamps).toHaveLength(2);
  expect(stamps[1]).toBeGreaterThan(stamps[0]);
  expect(server.stderr().match(/gdb detached; the machine runs on/g)?.length).toBe(2);
});

test('--wait then stepi: CPU 0\'s label says it moved since it was held at the first instruction', async () => {
  const server = await startServe({ scenario: 'hardlockup', wait: true });
  const r = await runGdb({ port: server.port, commands: ['info threads', 'stepi', 'info threads', 'detach'] });
  await server.stop();
  assertGdbOk(r, server);
  const [held, stepped] = parseInfoThreadsAll(r.stdout);
  expect(held[0].extra).toBe('held at the first instruction (--wait)');
  expect(stepped.map((t) => [t.cpu, t.extra])).toEqual([
    [0, 'held at the first instruction (--wait), then stepped by gdb'],
    [1, 'powered off'],
    [2, 'powered off'],
    [3, 'powered off'],
  ]);
});

test('--wait: CPU 0 held at the ELF entry, the others powered off; a breakpoint then stops CPU 3', async () => {
  const server = await startServe({ scenario: 'hardlockup', wait: true });
  const r = await runGdb({
    port: server.port,
    commands: ['info threads', 'print/x $pc', 'echo @@console@@\\n', 'break recurse_deeply', 'continue', 'info threads', 'bt', 'delete', 'detach'],
  });
  // CPU 3 announces itself inside recurse_deeply(), i.e. after the detach: wait for the line.
  const consoleAfterDetach = await server.waitForConsole(/kgdb_lab: CPU3: busy in deep recursion/, 30_000);
  await server.stop();
  assertGdbOk(r, server);
  expect(server.stderr()).toMatch(/kgdb-lab: held at the first instruction \(--wait\); waiting for gdb/);

  const [held, atBreak] = parseInfoThreadsAll(r.stdout);
  expect(held.map((t) => [t.cpu, t.extra])).toEqual([
    [0, 'held at the first instruction (--wait)'],
    [1, 'powered off'],
    [2, 'powered off'],
    [3, 'powered off'],
  ]);
  expect(held[0].frame).toMatch(/^_start \(\) at /);
  for (const t of held.slice(1)) expect(t.frame).toBe('<unavailable> in ?? ()');
  expect(r.stdout).toMatch(new RegExp(`^\\$1 = 0x${elfEntry(BUNDLED_IMAGE).toString(16)}$`, 'm'));

  // recurse_deeply runs once, on CPU 3, when the scenario starts.
  expect(r.stdout).toMatch(/^Thread 4 "CPU#3" hit Breakpoint 1, recurse_deeply \(depth=depth@entry=0\) at /m);
  expect(atBreak.map((t) => [t.cpu, t.extra])).toEqual([
    [0, 'rounded up by NMI'],
    [1, 'rounded up by NMI'],
    [2, 'rounded up by NMI'],
    [3, 'master'],
  ]);
  const chain = [...r.stdout.split('@@console@@')[1].matchAll(/^#\d+\s+(?:0x[0-9a-f]+ in )?(\w+) \(/gm)].map((m) => m[1]);
  expect(chain).toEqual(['recurse_deeply', 'kgdb_lab_cpu_main', 'kgdb_lab_secondary', 'secondary_start_kernel', 'secondary_entry']);
  expect(consoleAfterDetach).toMatch(/kgdb_lab: CPU3: busy in deep recursion/);
});

/**
 * While every CPU is held, machine time jumps to the next timer deadline, so the master
 * usually has a timer interrupt pending when it is stepped. The master is the idle CPU 1,
 * so the guest keeps its periodic tick in idle (`nohz=off`): with the default NO_HZ idle,
 * CPU 1 stops its tick before WFI and no timer interrupt would be pending. A step must still be one
 * instruction of the code being stepped (the handler runs first, unseen), so `next` walks
 * the idle loop's lines instead of landing in the interrupt entry code.
 */
test('next and stepi with a timer interrupt pending stay in the code being stepped', async () => {
  const server = await startServe({ extraArgs: ['--append', 'kgdb_lab.scenario=hardlockup irqchip.gicv3_pseudo_nmi=1 nohz=off'] });
  const r = await runGdb({
    port: server.port,
    commands: ['break default_idle_call', 'continue', 'delete', 'next', 'next', 'next', 'next', 'stepi', 'stepi', 'bt 1', 'monitor events', 'detach'],
  });
  await server.stop();
  assertGdbOk(r, server);
  // Every stop after the breakpoint: "func (args) at file:line" lines or bare line numbers.
  const after = r.stdout.split(/hit Breakpoint 1, default_idle_call/)[1];
  const functions = [...after.matchAll(/^(?:0x[0-9a-f]+ in )?(\w+) \(.*\) at /gm)].map((m) => m[1]);
  expect(functions.length).toBeGreaterThan(0);
  // The idle loop's own code, including the tick stop it calls before each idle (a stepi can step into it).
  const idleLoop = ['default_idle_call', 'do_idle', 'cpu_startup_entry', 'arch_cpu_idle', 'cpu_do_idle', 'system_uses_irq_prio_masking'];
  const tickStop = ['tick_nohz_idle_stop_tick', 'this_tick_sched', 'smp_processor_id'];
  for (const f of functions) expect([...idleLoop, ...tickStop]).toContain(f);
  expect(after).not.toMatch(/vectors|el1h_64_irq|el1_interrupt|gic_handle_irq/);
  // The interrupt path was exercised: some step found an interrupt pending and let it run first.
  expect(r.stderr).toMatch(/CPU 1\s+step-interrupted pc=0x[0-9a-f]+$/m);
});
