/**
 * `target remote | kgdb-lab serve --stdio ...`: gdb starts the server itself and speaks RSP
 * over its stdin/stdout; no port at all. The guest console and kgdb-lab's own lines reach
 * gdb's stderr (the server's stderr is gdb's).
 */
import { BIN } from '../helpers/kgdb-lab';
import { assertGdbOk, killAll, parseBacktraces, parseInfoThreadsAll, runGdb } from '../helpers/gdb';

afterEach(killAll);

test('a batch gdb session over target remote | kgdb-lab serve --stdio lists every CPU with backtraces', async () => {
  // --wait: gdb's first look is the machine held before its first instruction (no race
  // with the boot); then the breakpoint scenario: CPU 2 calls kgdb_breakpoint() a second of
  // machine time after boot (busy-waiting: --icount 8 makes that ~4 M instructions), and that
  // stop reaches gdb's `continue` without any Ctrl-C timing.
  const server = `node ${BIN} serve --stdio --wait --icount 8 --log-level warn --timeout 120 --scenario breakpoint`;
  const r = await runGdb({
    connect: false,
    commands: ['set remotetimeout 60', `target remote | ${server}`, 'info threads', 'continue', 'info threads', 'thread apply all bt', 'detach'],
    timeoutMs: 90_000,
  });
  assertGdbOk(r);
  expect(r.stdout).toMatch(/^Thread 3 "CPU#2" received signal SIGTRAP, Trace\/breakpoint trap\.$/m);
  const tables = parseInfoThreadsAll(r.stdout);
  expect(tables).toHaveLength(2);
  expect(tables[0].map((t) => [t.cpu, t.extra])).toEqual([
    [0, 'held at the first instruction (--wait)'],
    [1, 'powered off'],
    [2, 'powered off'],
    [3, 'powered off'],
  ]);
  expect(tables[1].map((t) => [t.cpu, t.extra])).toEqual([
    [0, 'rounded up by NMI'],
    [1, 'rounded up by NMI'],
    [2, 'master'],
    [3, 'rounded up by NMI'],
  ]);
  const bts = parseBacktraces(r.stdout);
  expect(bts.map((b) => b.cpu).sort()).toEqual([0, 1, 2, 3]);
  const master = bts.find((b) => b.cpu === 2);
  expect(master?.frames.slice(0, 2)).toEqual(['kgdb_breakpoint', 'breakpoint_after_a_while']);
  for (const b of bts) expect(b.frames[b.frames.length - 1]).toMatch(/^(_start|secondary_entry)$/);
  expect(r.stdout).toMatch(/^\[Inferior 1 \(Remote target\) detached\]$/m);
  // Where --stdio sends the rest: the ready line and the guest console on stderr.
  expect(r.stderr).toMatch(/^kgdb-lab: serving gdb on stdin\/stdout$/m);
  expect(r.stderr).toMatch(/\] \[cpu0\] kgdb_lab: steady: scenario breakpoint/);
});

test('without --wait, gdb attaching at machine time 0 waits for the booting guest\'s kgdb and breaks in through it', async () => {
  // gdb's first `?` comes before the guest has published kgdb_roundup_sgi and enabled its
  // console input: the serial break would be lost. kgdb-lab waits for the guest (as Linux's
  // kgdbwait does), then sends SysRq-g, and CPU 0 enters kgdb as master.
  const server = `node ${BIN} serve --stdio --icount --log-level warn --timeout 120`;
  const r = await runGdb({
    connect: false,
    commands: ['set remotetimeout 60', `target remote | ${server}`, 'info threads', 'detach'],
    timeoutMs: 90_000,
  });
  assertGdbOk(r);
  expect(r.stderr).toMatch(/kgdb-lab: the guest's kgdb is not ready yet \(booting\)/);
  expect(r.stderr).toMatch(/\] \[cpu0\] sysrq: DEBUG$/m);
  expect(r.stderr).not.toMatch(/break-in not taken/);
  const [table] = parseInfoThreadsAll(r.stdout);
  expect(table.find((t) => t.cpu === 0)?.extra).toBe('master');
  for (const t of table) expect(t.extra).not.toMatch(/halted from outside/);
  expect(r.stdout).toMatch(/^\[Inferior 1 \(Remote target\) detached\]$/m);
});
