/**
 * The machine ends while gdb waits on a `continue`: the guest powers off, it turns on the MMU
 * (not modelled: that CPU stops, and with every CPU down the run ends), or `--timeout` halts
 * it. gdb must hear it as an exit, with the reason on its console ("[Inferior 1 (Remote
 * target) exited ...]", "Program terminated with signal ..."), not as "Remote connection
 * closed"; and the server must not claim the machine runs on.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assertGdbOk, killAll, runGdb, startServe } from '../helpers/gdb';
import { BUNDLED_IMAGE } from '../helpers/bundled-kernel';

/** Two one-CPU programs: PSCI SYSTEM_OFF, and turning on the MMU (SCTLR_EL1.M). */
const PROGRAMS: Record<string, string> = {
  'power-off': `
	.global _start
_start:
	movz x0, #0x0008
	movk x0, #0x8400, lsl #16   // PSCI SYSTEM_OFF
	hvc #0
1:	b 1b
`,
  mmu: `
	.global _start
_start:
	mrs x0, sctlr_el1
	orr x0, x0, #1              // SCTLR_EL1.M: MMU on
	msr sctlr_el1, x0
	isb
1:	b 1b
`,
};

let dir: string;
const elf = (name: string): string => path.join(dir, `${name}.elf`);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kgdb-lab-exit-'));
  for (const [name, source] of Object.entries(PROGRAMS)) {
    fs.writeFileSync(path.join(dir, `${name}.S`), source);
    execFileSync('aarch64-linux-gnu-gcc', ['-g', '-nostdlib', '-static', '-Wl,-Ttext=0x40200000', '-Wl,--build-id=none', '-o', `${name}.elf`, `${name}.S`], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }
});

afterAll(async () => {
  await killAll();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Wait (up to `ms`) until process `pid` is gone: the server exits by itself after the machine does. */
async function exited(pid: number, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Attach to a server held at the first instruction and continue. */
async function continueToTheEnd(kernel: string) {
  const server = await startServe({ kernel, cpus: 1, wait: true });
  const r = await runGdb({ port: server.port, elf: kernel, commands: ['continue'] });
  await exited(server.pid);
  const ended = await server.stop();
  return { r, server, ended };
}

test('the guest powering off: gdb reports the inferior exited normally', async () => {
  const { r, server, ended } = await continueToTheEnd(elf('power-off'));
  assertGdbOk(r, server);
  // gdb prints the stub's console text (O packets) on its stderr.
  expect(r.output).toMatch(/^kgdb-lab: PSCI SYSTEM_OFF from CPU 0$/m);
  expect(r.stdout).toMatch(/^\[Inferior 1 \(Remote target\) exited normally\]$/m);
  expect(ended.status).toBe(0);
  expect(server.stderr()).not.toMatch(/runs on/);
}, 60_000);

test('a stepi over the SYSTEM_OFF call: gdb reports the exit, not a step', async () => {
  const server = await startServe({ kernel: elf('power-off'), cpus: 1, wait: true, extraArgs: ['--json'] });
  // movz, movk, then the hvc itself.
  const r = await runGdb({ port: server.port, elf: elf('power-off'), commands: ['stepi', 'stepi', 'stepi'] });
  await exited(server.pid);
  const ended = await server.stop();
  assertGdbOk(r, server);
  expect(r.output).toMatch(/^kgdb-lab: PSCI SYSTEM_OFF from CPU 0$/m);
  expect(r.stdout).toMatch(/^\[Inferior 1 \(Remote target\) exited normally\]$/m);
  expect(ended.status).toBe(0);
  // --json: no stop for the step that ended in the power-off.
  const events = server.console().trim().split('\n').map((l) => JSON.parse(l) as { event: string; reason?: string });
  expect(events.filter((e) => e.event === 'stopped').map((e) => e.reason)).toEqual(['halted', 'step', 'step']);
  expect(events.at(-1)?.event).toBe('exited');
}, 60_000);

test('a CPU turning on the MMU (not modelled) with no other CPU left: gdb hears why, then an exit with status 1', async () => {
  const { r, server, ended } = await continueToTheEnd(elf('mmu'));
  assertGdbOk(r, server);
  expect(r.output).toMatch(/^kgdb-lab: machine stopped: CPU 0 stopped at 0x4020000c: MMU not modelled: guest set SCTLR_EL1\.M = 1$/m);
  expect(r.stdout).toMatch(/^\[Inferior 1 \(Remote target\) exited with code 01\]$/m);
  expect(ended.status).toBe(1);
  expect(server.stderr()).toMatch(/^kgdb-lab: machine stopped: CPU 0 stopped at 0x4020000c: MMU not modelled/m);
  expect(server.stderr()).not.toMatch(/runs on/);
}, 60_000);

test('--timeout while gdb waits: gdb reports the program terminated with SIGALRM', async () => {
  // Host time: --timeout 6 ends the run 6 s after start, while gdb is in its `continue`
  // (held at the first instruction until then, so the start does not race the timeout).
  const server = await startServe({ cpus: 2, wait: true, lifetimeS: 6 });
  const r = await runGdb({ port: server.port, elf: BUNDLED_IMAGE, commands: ['continue'] });
  await exited(server.pid);
  const ended = await server.stop();
  assertGdbOk(r, server);
  expect(r.output).toMatch(/^kgdb-lab: timeout: halted the machine after 6 s of host time$/m);
  expect(r.stdout).toMatch(/^Program terminated with signal SIGALRM, Alarm clock\.$/m);
  expect(ended.status).toBe(124);
  expect(server.stderr()).not.toMatch(/runs on/);
}, 60_000);
