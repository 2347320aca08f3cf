/**
 * Hardware watchpoints through real gdb (issue 9): `watch`, `rwatch` and `awatch` become
 * Z2/Z3/Z4 on every CPU; a hit enters the debugger on the CPU that made the access (it
 * becomes master, the others are rounded up) and the stop reply carries `watch:`, `rwatch:`
 * or `awatch:` with the data address. The hit is taken before the access, as on AArch64
 * hardware and QEMU; gdb (which treats aarch64 watchpoints as non-steppable) then steps the
 * accessing instruction with the watchpoint removed, so it shows the CPU just after it.
 *
 * In the bundled guest's hardlockup scenario CPU 3 computes at the bottom of a recursion:
 * it reads its stack block in checksum_block() and stores kgdb_lab_compute_result[3].
 */
import { assertGdbOk, killAll, parseInfoThreadsAll, runGdb, startServe } from '../helpers/gdb';

afterEach(killAll);

const ROUNDED_UP_ON_CPU3 = [
  [0, 'rounded up by NMI'],
  [1, 'rounded up by NMI'],
  [2, 'rounded up by NMI'],
  [3, 'master'],
];

/** `rsp -> $T05…` stop replies in a --trace-rsp log. */
function stopReplies(stderr: string): string[] {
  return [...stderr.matchAll(/^rsp -> \$(T05.*)$/gm)].map((m) => m[1]);
}

test('watch, rwatch and awatch hit on secondary CPU 3 with the others rounded up; stop replies name the data address', async () => {
  const server = await startServe({ scenario: 'hardlockup', extraArgs: ['--trace-rsp'] });
  const r = await runGdb({
    port: server.port,
    commands: [
      'print/x &kgdb_lab_compute_result[3]',
      'watch kgdb_lab_compute_result[3]',
      'continue',
      'info threads',
      'x/i $pc - 4',
      'monitor events',
      'delete',
      'thread 4',
      'frame function recursion_bottom',
      'print/x &block[0]',
      'rwatch -l block[0]',
      'continue',
      'info threads',
      'x/i $pc - 4',
      'delete',
      'awatch kgdb_lab_compute_result[3]',
      'continue',
      'info threads',
      'delete',
      'detach',
    ],
  });
  await server.stop();
  assertGdbOk(r, server);
  const [resultAddr, blockAddr] = [...r.stdout.matchAll(/^\$\d+ = (0x[0-9a-f]+)$/gm)].map((m) => BigInt(m[1]));
  expect(resultAddr).toBeDefined();
  expect(blockAddr).toBeDefined();

  // gdb's own words for each kind, on the CPU that made the access.
  expect(r.stdout).toMatch(/^Thread 4 "CPU#3" hit Hardware watchpoint 1: kgdb_lab_compute_result\[3\]\n\nOld value = \d+\nNew value = \d+$/m);
  expect(r.stdout).toMatch(/^Thread 4 "CPU#3" hit Hardware read watchpoint 2: -location block\[0\]\n\nValue = \d+$/m);
  expect(r.stdout).toMatch(/^Thread 4 "CPU#3" hit Hardware access \(read\/write\) watchpoint 3: kgdb_lab_compute_result\[3\]\n\n(Value|Old value) = \d+$/m);
  const tables = parseInfoThreadsAll(r.stdout);
  expect(tables).toHaveLength(3);
  for (const t of tables) expect(t.map((row) => [row.cpu, row.extra])).toEqual(ROUNDED_UP_ON_CPU3);
  // gdb stepped over the access: the instruction before the pc is the store, then the load.
  const before = [...r.stdout.matchAll(/^ {3}0x[0-9a-f]+ <(\w+)\+\d+>:\t(\w+)\t/gm)].map((m) => [m[1], m[2]]);
  expect(before).toEqual([
    ['recursion_bottom', 'str'],
    ['checksum_block', 'ldr'],
  ]);

  // The stop replies as sent: thread 4 (CPU 3), the reason and the data address.
  const hex = (a: bigint): string => a.toString(16);
  const watchStops = stopReplies(server.stderr()).filter((s) => /watch:/.test(s));
  // A write watchpoint whose store left the value unchanged is not reported by gdb, which
  // resumes at once (gdb manual, "Setting Watchpoints"): the same stop may come more than once.
  const kinds = watchStops.map((s) => /(\w*watch):([0-9a-f]+);/.exec(s)?.slice(1));
  const distinct = kinds.filter((k, i) => i === 0 || JSON.stringify(k) !== JSON.stringify(kinds[i - 1]));
  expect(distinct).toEqual([
    ['watch', hex(resultAddr)],
    ['rwatch', hex(blockAddr)],
    ['awatch', hex(resultAddr)],
  ]);
  for (const s of watchStops) expect(s).toMatch(/^T05thread:4;core:3;/);
  // The stop's record starts with the hit, then CPU 3's entry as master and the roundup.
  expect(r.output).toMatch(new RegExp(`CPU 3\\s+watch-hit pc=0x[0-9a-f]+ addr=0x${hex(resultAddr)}\\n.*CPU 3\\s+entered-master signo=5`));
});

test('Z2-Z4 limits: a 5th watchpoint and one on unassigned memory get E.. replies; the session goes on', async () => {
  const server = await startServe({ scenario: 'hardlockup', extraArgs: ['--trace-rsp'] });
  const r = await runGdb({
    port: server.port,
    commands: [
      // Five words CPU 3's computation never touches, so nothing hits in between.
      'watch kgdb_lab_compute_result[4]',
      'watch kgdb_lab_compute_result[5]',
      'watch kgdb_lab_compute_result[6]',
      'watch kgdb_lab_compute_result[7]',
      'watch kgdb_lab_compute_result[8]',
      'continue',
      'delete',
      'watch *(long *)0x09ff0000',
      'continue',
      'delete',
      'info threads',
      'detach',
    ],
  });
  await server.stop();
  // gdb reports both refusals and carries on.
  expect(r.output.match(/Could not insert hardware watchpoint \d+\./g)?.length).toBe(2);
  const err = server.stderr();
  const replyTo = (packet: RegExp): string | undefined => {
    const lines = err.split('\n');
    const i = lines.findIndex((l) => packet.test(l));
    return i < 0 ? undefined : lines.slice(i + 1).find((l) => l.startsWith('rsp -> '));
  };
  expect(err.match(/^rsp <- \$Z2,[0-9a-f]+,8$/gm)?.length).toBeGreaterThanOrEqual(6);
  expect(replyTo(/^rsp <- \$Z2,9ff0000,8$/)).toBe('rsp -> $E0e');
  // The fifth of the compute_result words is refused for space (ENOSPC, 28 = 0x1c).
  expect(err).toMatch(/^rsp -> \$E1c$/m);
  expect(parseInfoThreadsAll(r.stdout).at(-1)?.map((t) => t.cpu)).toEqual([0, 1, 2, 3]);
  expect(r.output).not.toMatch(/Protocol error|Remote connection closed/);
});

test('stepi onto a watched store: the step ends in the watchpoint stop and gdb shows the old and new value after the store', async () => {
  const server = await startServe({ scenario: 'hardlockup', extraArgs: ['--trace-rsp'] });
  const r = await runGdb({
    port: server.port,
    commands: [
      // The store of kgdb_lab_compute_result[3] in CPU 3's loop (see the first test).
      'break *(recursion_bottom+100)',
      'continue',
      'delete',
      'x/i $pc',
      'watch kgdb_lab_compute_result[3]',
      'stepi',
      'x/i $pc',
      'info threads',
      'delete',
      'detach',
    ],
  });
  await server.stop();
  assertGdbOk(r, server);
  expect(r.stdout).toMatch(/^=> 0x[0-9a-f]+ <recursion_bottom\+100>:\tstr\t/m);
  expect(r.stdout).toMatch(/^Thread 4 "CPU#3" hit Hardware watchpoint 2: kgdb_lab_compute_result\[3\]\n\nOld value = \d+\nNew value = \d+$/m);
  expect(r.stdout).toMatch(/^=> 0x[0-9a-f]+ <recursion_bottom\+104>:/m);
  expect(parseInfoThreadsAll(r.stdout)[0].map((row) => [row.cpu, row.extra])).toEqual(ROUNDED_UP_ON_CPU3);
  // gdb's step (the others continuing, its default on a live target) ended in the watchpoint;
  // gdb then stepped the store alone with the watchpoint removed.
  const flow = server
    .stderr()
    .split('\n')
    .filter((l) => /^rsp (<- \$(vCont;s|[zZ]2)|-> \$T05)/.test(l))
    .map((l) => l.replace(/^(rsp -> \$T05thread:4;core:3;).*?((?:watch:[0-9a-f]+;)?)$/, '$1…$2'));
  const start = flow.indexOf('rsp <- $vCont;s:4;c');
  expect(flow.slice(start, start + 4)).toEqual([
    'rsp <- $vCont;s:4;c',
    expect.stringMatching(/^rsp -> \$T05thread:4;core:3;…watch:[0-9a-f]+;$/),
    expect.stringMatching(/^rsp <- \$z2,[0-9a-f]+,8$/),
    'rsp <- $vCont;s:4',
  ]);
});
