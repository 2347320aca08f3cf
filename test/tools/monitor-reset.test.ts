/**
 * `monitor reset` and `monitor reset halt` (issue 9): the kernel ELF is read again from its
 * file (users rebuild between sessions) and the machine rebooted, in the same gdb session.
 * The test serves a copy of the bundled guest, then changes one word of its boot banner on
 * disk ("demo" → "DEMO"): every boot after a reset prints the new banner.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BUNDLED_IMAGE, assertGdbOk, interruptedContinue, killAll, parseInfoThreadsAll, runGdb } from '../helpers/gdb';
import { STEADY } from '../helpers/bundled-kernel';
import { READY_LINE, killServes, spawnServe } from './serve-process';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kgdb-lab-reset-'));
});
afterEach(async () => {
  await killAll();
  await killServes();
  fs.rmSync(dir, { recursive: true, force: true });
});

const OLD_BANNER = 'a demo kernel for kgdb-lab';
const NEW_BANNER = 'a DEMO kernel for kgdb-lab';
const ALL_ROUNDED_UP = [
  [0, 'master'],
  [1, 'rounded up by NMI'],
  [2, 'rounded up by NMI'],
  [3, 'rounded up by NMI'],
];

test('monitor reset halt and monitor reset reload the ELF from disk and reboot, keeping the gdb session', async () => {
  const kernel = path.join(dir, 'kernel.elf');
  fs.copyFileSync(BUNDLED_IMAGE, kernel);
  const s = spawnServe(['--port', '0', '--kernel', kernel, '--append', 'kgdb_lab.scenario=hardlockup irqchip.gicv3_pseudo_nmi=1']);
  const port = Number((await s.waitFor('ready line', () => READY_LINE.exec(s.stderr()) ?? undefined))[1].split(':')[1]);
  await s.waitFor('steady line', () => (STEADY.test(s.stdout()) ? true : undefined));
  // "Rebuild" the kernel while the server runs.
  const bytes = fs.readFileSync(kernel);
  const at = bytes.indexOf(OLD_BANNER);
  expect(at).toBeGreaterThan(0);
  bytes.write(NEW_BANNER, at, 'latin1');
  fs.writeFileSync(kernel, bytes);

  const r = await runGdb({
    port,
    elf: kernel,
    commands: [
      'monitor help',
      'info threads',
      'monitor reset halt',
      'maintenance flush register-cache',
      'info threads',
      'p/x $pc',
      ...interruptedContinue(),
      'info threads',
      'monitor reset',
      'maintenance flush register-cache',
      'info threads',
      'monitor cpus',
      ...interruptedContinue(),
      'info threads',
      'detach',
    ],
    interrupt: { delayMs: 1500 },
    timeoutMs: 90_000,
  });
  assertGdbOk(r);
  // monitor output is gdb console output (stderr).
  expect(r.stderr).toMatch(/^monitor reset \[halt\]\s+read the kernel ELF again from its file and reboot the machine/m);
  expect(r.stderr.match(new RegExp(`^kgdb-lab: reloaded ${kernel} \\(\\d+ bytes, entry 0x40200000\\) and rebooted the machine$`, 'gm'))).toHaveLength(2);
  // The hint names gdb's current command (gdb 13 deprecates `flushregs`).
  expect(r.stderr).toMatch(/^kgdb-lab: every CPU is held at its first instruction; type "maintenance flush register-cache" \(gdb still shows the old registers\), then "continue"$/m);
  expect(r.stderr).toMatch(/^kgdb-lab: the machine is running; type "maintenance flush register-cache" \(gdb still shows the old stop\); "continue" then waits for the next stop$/m);
  expect(r.stderr).not.toMatch(/flushregs/);

  const [before, halted, afterHalt, running, afterReset] = parseInfoThreadsAll(r.stdout);
  expect(before.map((t) => [t.cpu, t.extra])).toEqual(ALL_ROUNDED_UP);
  expect(halted.map((t) => [t.cpu, t.extra])).toEqual([
    [0, 'held at the first instruction (monitor reset halt)'],
    [1, 'powered off'],
    [2, 'powered off'],
    [3, 'powered off'],
  ]);
  expect(halted[0].frame).toMatch(/^_start \(\) at /);
  expect(r.stdout).toMatch(/^\$1 = 0x40200000$/m);
  expect(afterHalt.map((t) => [t.cpu, t.extra])).toEqual(ALL_ROUNDED_UP);
  // Right after `monitor reset` the machine runs on its own: nobody is in the debugger.
  // Registers are then a snapshot of each running CPU. How far the new boot got (which
  // secondaries are on) varies, and the machine runs on between gdb's packets.
  expect(running[0].extra).toBe('running');
  expect(running[0].frame).not.toMatch(/unavailable/);
  for (const t of running) expect(['running', 'powered off']).toContain(t.extra);
  expect(afterReset.map((t) => [t.cpu, t.extra])).toEqual(ALL_ROUNDED_UP);
  // `monitor cpus` while the rebooted machine runs: no roundup columns from the old boot's stop.
  const table = r.stderr.slice(r.stderr.search(/^CPU\s+thread\s+state\s+PC/m)).split('\n');
  const rows = table.slice(1).filter((l) => /^\d+\s+\d+\s/.test(l));
  expect(rows).toHaveLength(4);
  for (const row of rows) expect(row).toMatch(/^\d+\s+\d+\s+(running|powered off)\s+\S+\s+[01]\s+0x\w\w\s+0x\w\w\s+(-|none)\s+-\s+0x/);

  // One boot of the old image, then one per reset, each of the file as it is now.
  const console = s.stdout();
  expect(console.split(OLD_BANNER)).toHaveLength(2);
  expect(console.split(NEW_BANNER)).toHaveLength(3);
  expect(console.match(/kgdb_lab: steady: /g)).toHaveLength(3);
});

/** The monitor commands that take no arguments. */
const ARGLESS = ['cpus', 'events', 'truth', 'help', 'nmi-backtrace'];

test('monitor reset with a bad argument, a kernel file that went away, or an argument to a command that takes none, fails and changes nothing', async () => {
  const kernel = path.join(dir, 'kernel.elf');
  fs.copyFileSync(BUNDLED_IMAGE, kernel);
  const s = spawnServe(['--port', '0', '--kernel', kernel, '--append', 'kgdb_lab.scenario=idle', '--wait']);
  const port = Number((await s.waitFor('ready line', () => READY_LINE.exec(s.stderr()) ?? undefined))[1].split(':')[1]);
  const r = await runGdb({
    port,
    elf: kernel,
    commands: [
      'monitor reset now',
      `shell rm ${kernel}`,
      'monitor reset halt',
      'info threads',
      'monitor frobnicate',
      ...ARGLESS.map((c) => `monitor ${c} extra`),
      'detach',
    ],
  });
  expect(r.status).toBe(0);
  expect(r.stderr).toMatch(/^kgdb-lab: usage: monitor reset \[halt\]$/m);
  expect(r.stderr).toMatch(new RegExp(`^kgdb-lab: monitor reset failed, the machine is unchanged: .*${kernel}.*$`, 'm'));
  expect(r.stderr).toMatch(/^kgdb-lab: unknown monitor command "frobnicate"; try "monitor help"$/m);
  // A command that takes no arguments refuses one before doing anything (no table, no resume).
  for (const c of ARGLESS) expect(r.stderr).toMatch(new RegExp(`^kgdb-lab: "monitor ${c}" takes no arguments, got "extra"; try "monitor help"$`, 'm'));
  expect(r.stderr).not.toMatch(/^CPU\s+thread\s+state/m);
  expect(r.stderr).not.toMatch(/resuming the machine and sending SysRq-l/);
  // Each failure is an error reply, never an empty one (gdb 13 says "Protocol error with Rcmd").
  expect(r.stderr.match(/^Protocol error with Rcmd$/gm)).toHaveLength(3 + ARGLESS.length);
  const [threads] = parseInfoThreadsAll(r.stdout);
  expect(threads.map((t) => t.extra)).toEqual(['held at the first instruction (--wait)', 'powered off', 'powered off', 'powered off']);
});

test('a stop that happens while the machine runs after monitor reset is reported by the next continue', async () => {
  // breakpoint scenario: CPU 2 calls kgdb_breakpoint() a second (machine time) after boot,
  // busy-waiting on the counter: at 2^8 ns per instruction that second is ~4 M instructions,
  // well within the 4 s (host time) gdb sleeps before it continues.
  const s = spawnServe(['--port', '0', '--scenario', 'breakpoint', '--icount', '8']);
  const port = Number((await s.waitFor('ready line', () => READY_LINE.exec(s.stderr()) ?? undefined))[1].split(':')[1]);
  await s.waitFor('steady line', () => (STEADY.test(s.stdout()) ? true : undefined));
  const r = await runGdb({ port, commands: ['monitor reset', 'shell sleep 4', 'continue', 'info threads', 'detach'] });
  assertGdbOk(r);
  expect(s.stdout().match(/kgdb_lab: steady: /g)).toHaveLength(2);
  // The stop came before gdb's continue (during the sleep): nobody was waiting for it.
  expect(s.stderr()).toMatch(/^kgdb-lab: CPU 2 entered kgdb; every online CPU rounded up; waiting for gdb$/m);
  expect(r.stdout).toMatch(/^Thread 3 "CPU#2" received signal SIGTRAP, Trace\/breakpoint trap\.$/m);
  expect(parseInfoThreadsAll(r.stdout)[0].map((t) => [t.cpu, t.extra])).toEqual([
    [0, 'rounded up by NMI'],
    [1, 'rounded up by NMI'],
    [2, 'master'],
    [3, 'rounded up by NMI'],
  ]);
});
