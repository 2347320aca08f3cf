/**
 * A kernel without kgdb (issue 5): a bare-metal SMP program built here from a few lines of
 * C. CPU 0 starts the others with PSCI CPU_ON; each CPU then spins in its own function
 * (CPU 1 two calls deep, CPU 2 with IRQs masked). There are no kgdb entry points, so
 * `kgdb-lab serve` halts every CPU from outside, like a hardware debugger, and gdb must see
 * what stock gdb sees through QEMU's own gdbstub for the same ELF: the same function chain
 * on every CPU.
 *
 * Both sides start held (`-S` / `--wait`), continue, and are stopped by a Ctrl-C (SIGINT to
 * gdb) once every CPU is spinning.
 */
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort } from '../helpers/gdb-ground-truth';
import { QEMU } from '../helpers/qemu';
import {
  assertGdbOk,
  interruptedContinue,
  killAll,
  parseBacktraces,
  parseInfoThreads,
  runGdb,
  startServe,
  type ThreadBacktrace,
} from '../helpers/gdb';

const SOURCE = String.raw`
/* Bare-metal SMP test program: no kgdb, no GIC set-up, no interrupts. */
#define NCPUS 4
unsigned char stacks[NCPUS][4096] __attribute__((aligned(16)));
volatile unsigned long counters[NCPUS];

/* CPU 0 enters at _start; the others at secondary_entry with x0 = CPU index (PSCI context id). */
__asm__(".pushsection .text.boot, \"ax\"\n"
	".global _start\n"
	"_start:\n"
	"  .cfi_startproc\n"
	"  .cfi_undefined x30\n"
	"  mov x0, #0\n"
	".global secondary_entry\n"
	"secondary_entry:\n"
	"  mov x29, #0\n"
	"  mov x30, #0\n"
	"  adrp x1, stacks\n"
	"  add x1, x1, :lo12:stacks\n"
	"  add x2, x0, #1\n"
	"  lsl x2, x2, #12\n"
	"  add sp, x1, x2\n"
	"  bl cpu_main\n"
	"1: b 1b\n"
	"  .cfi_endproc\n"
	".popsection\n");

extern char secondary_entry[];

static long psci_cpu_on(unsigned long mpidr, unsigned long entry, unsigned long ctx)
{
	register unsigned long x0 __asm__("x0") = 0xc4000003; /* PSCI CPU_ON, SMC64 */
	register unsigned long x1 __asm__("x1") = mpidr;
	register unsigned long x2 __asm__("x2") = entry;
	register unsigned long x3 __asm__("x3") = ctx;
	__asm__ volatile("hvc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x3) : "memory");
	return (long)x0;
}

__attribute__((noinline)) void spin_leaf(int cpu) { for (;;) counters[cpu]++; }
__attribute__((noinline)) void spin_middle(int cpu) { spin_leaf(cpu); counters[cpu] = 0; }
__attribute__((noinline)) void spin_irqs_masked(int cpu)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
	for (;;) counters[cpu] += 2;
}
__attribute__((noinline)) void spin_plain(int cpu) { for (;;) counters[cpu] += 3; }
__attribute__((noinline)) void start_secondaries(void)
{
	for (unsigned long c = 1; c < NCPUS; c++) psci_cpu_on(c, (unsigned long)secondary_entry, c);
}

__attribute__((noinline)) void cpu_main(int cpu)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory"); /* IRQs on (none are configured) */
	switch (cpu) {
	case 0: start_secondaries(); spin_plain(cpu); break;
	case 1: spin_middle(cpu); break;
	case 2: spin_irqs_masked(cpu); break;
	default: spin_leaf(cpu); break;
	}
	counters[cpu] = 0;
}
`;

const LINKER_SCRIPT = `ENTRY(_start)
SECTIONS {
  . = 0x40200000;
  .text : { *(.text.boot) *(.text*) }
  .rodata : { *(.rodata*) }
  .data : { *(.data*) }
  .bss : { *(.bss*) *(COMMON) }
}
`;

/** What each CPU runs, innermost first, down to the entry code. */
const EXPECTED: Record<number, string[]> = {
  0: ['spin_plain', 'cpu_main', 'secondary_entry'],
  1: ['spin_leaf', 'spin_middle', 'cpu_main', 'secondary_entry'],
  2: ['spin_irqs_masked', 'cpu_main', 'secondary_entry'],
  3: ['spin_leaf', 'cpu_main', 'secondary_entry'],
};

let dir: string;
let elf: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kgdb-lab-bare-'));
  fs.writeFileSync(path.join(dir, 'bare.c'), SOURCE);
  fs.writeFileSync(path.join(dir, 'bare.ld'), LINKER_SCRIPT);
  elf = path.join(dir, 'bare.elf');
  execFileSync(
    'aarch64-linux-gnu-gcc',
    ['-g', '-O1', '-fno-optimize-sibling-calls', '-fno-inline', '-ffreestanding', '-nostdlib', '-static', '-mgeneral-regs-only', '-march=armv8-a',
      '-Wl,-T,bare.ld', '-Wl,--build-id=none', '-Wl,--no-warn-rwx-segments', '-o', 'bare.elf', 'bare.c'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
});

afterAll(async () => {
  await killAll();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Attach to a held machine, let it run, Ctrl-C, and take every backtrace. */
async function haltAndBacktrace(port: number) {
  const r = await runGdb({
    port,
    elf,
    commands: [...interruptedContinue(), 'info threads', 'thread apply all bt', 'detach'],
    interrupt: { delayMs: 700 },
  });
  return r;
}

const names = (bts: ThreadBacktrace[]): Record<number, string[]> => Object.fromEntries(bts.map((b) => [b.cpu, b.frames]));

test('gdb sees every CPU halted in the same call chains as through QEMU\'s gdbstub', async () => {
  // QEMU, held at the first instruction, with its gdbstub.
  const qport = await freePort();
  const qemu = spawn(QEMU, ['-M', 'virt,gic-version=3', '-cpu', 'cortex-a57', '-smp', '4', '-nographic', '-monitor', 'none', '-kernel', elf, '-S', '-gdb', `tcp:127.0.0.1:${qport}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let qemuOut = '';
  qemu.stderr.on('data', (b: Buffer) => (qemuOut += b.toString()));
  let onQemu;
  try {
    // QEMU listens once it has set up the machine; retry the attach briefly until then.
    for (let attempt = 0; ; attempt++) {
      onQemu = await haltAndBacktrace(qport);
      if (!/Connection refused/.test(onQemu.output) || attempt >= 20) break;
      await new Promise((res) => setTimeout(res, 250));
    }
  } finally {
    qemu.kill('SIGKILL');
  }
  assertGdbOk(onQemu);
  const qemuBts = parseBacktraces(onQemu.stdout);
  expect({ qemuOut, cpus: qemuBts.map((b) => b.cpu) }).toEqual({ qemuOut: '', cpus: [0, 1, 2, 3] });

  // kgdb-lab, held at the first instruction too.
  const server = await startServe({ kernel: elf, cpus: 4, wait: true });
  const ours = await haltAndBacktrace(server.port);
  await server.stop();
  assertGdbOk(ours, server);
  expect(server.stderr()).toMatch(/the guest has no kgdb entry points/);
  expect(ours.stdout).toMatch(/^Thread 1 "CPU#0" received signal SIGINT, Interrupt\.$/m);
  expect(parseInfoThreads(ours.stdout).map((t) => [t.cpu, t.extra])).toEqual([0, 1, 2, 3].map((c) => [c, 'halted (no kgdb in guest)']));

  const oursBts = parseBacktraces(ours.stdout);
  expect(names(oursBts)).toEqual(names(qemuBts));
  // And both are what the program does (so neither side is trivially empty).
  expect(names(oursBts)).toEqual(EXPECTED);
}, 90_000);

/** Attach to a held machine and continue into a write, a read and an access watchpoint, on CPUs 2, 1 and 3. */
async function watchCounters(port: number) {
  const hitAndLook = ['continue', 'print $_thread', 'x/i $pc - 4', 'delete'];
  return runGdb({
    port,
    elf,
    commands: ['watch counters[2]', ...hitAndLook, 'rwatch counters[1]', ...hitAndLook, 'awatch counters[3]', ...hitAndLook, 'info threads', 'detach'],
  });
}

test('write, read and access watchpoints on the counters stop the accessing CPU as through QEMU\'s gdbstub: every CPU halted, gdb just after the access', async () => {
  const qport = await freePort();
  const qemu = spawn(QEMU, ['-M', 'virt,gic-version=3', '-cpu', 'cortex-a57', '-smp', '4', '-nographic', '-monitor', 'none', '-kernel', elf, '-S', '-gdb', `tcp:127.0.0.1:${qport}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let onQemu;
  try {
    for (let attempt = 0; ; attempt++) {
      onQemu = await watchCounters(qport);
      if (!/Connection refused/.test(onQemu.output) || attempt >= 20) break;
      await new Promise((res) => setTimeout(res, 250));
    }
  } finally {
    qemu.kill('SIGKILL');
  }
  assertGdbOk(onQemu);

  const server = await startServe({ kernel: elf, cpus: 4, wait: true, extraArgs: ['--trace-rsp'] });
  const ours = await watchCounters(server.port);
  await server.stop();
  assertGdbOk(ours, server);

  // What gdb prints from the first hit on (which CPU, the line, the access just made),
  // without the thread names (QEMU's are "Thread 1.3", ours "CPU#2") and the counters'
  // values (past the first hit from reset they depend on how long each side ran).
  const hits = (out: string): string =>
    out
      .slice(out.indexOf(' hit Hardware watchpoint 1'), out.search(/^\s+Id\s+Target Id/m))
      .replace(/^\[Switching to .*\]\n/gm, '')
      .replace(/ "CPU#\d+"/g, '')
      .replace(/^(Value|Old value|New value) = \d+$/gm, '$1 = N')
      .trim();
  expect(onQemu.stdout).toMatch(/^Thread 3 hit Hardware watchpoint 1: counters\[2\]$/m);
  expect(ours.stdout).toMatch(/^Thread 3 "CPU#2" hit Hardware watchpoint 1: counters\[2\]$/m);
  expect(ours.stdout).toMatch(/^Thread 2 "CPU#1" hit Hardware read watchpoint 2: counters\[1\]$/m);
  expect(ours.stdout).toMatch(/^Thread 4 "CPU#3" hit Hardware access \(read\/write\) watchpoint 3: counters\[3\]$/m);
  expect(hits(ours.stdout)).toBe(hits(onQemu.stdout));
  for (const out of [ours.stdout, onQemu.stdout]) expect(out).toMatch(/ hit Hardware watchpoint 1: counters\[2\]\n\nOld value = 0\nNew value = 2\n/);
  // The instruction before the pc: the store, then the two loads.
  expect([...hits(ours.stdout).matchAll(/^ {3}0x[0-9a-f]+ <\w+\+\d+>:\t(\w+)\t/gm)].map((m) => m[1])).toEqual(['str', 'ldr', 'ldr']);
  // Without kgdb every CPU is halted from outside, as QEMU stops every vCPU.
  expect(parseInfoThreads(ours.stdout).map((t) => [t.cpu, t.extra])).toEqual([0, 1, 2, 3].map((c) => [c, 'halted (no kgdb in guest)']));
  expect(server.stderr().match(/^rsp -> \$T05thread:(\d);core:\d;[^\n]*;(\w*watch):[0-9a-f]+;$/gm)?.map((l) => /thread:(\d).*;(\w*watch):/.exec(l)?.slice(1).join(' '))).toEqual([
    '3 watch',
    '2 rwatch',
    '4 awatch',
  ]);
}, 90_000);

test('--step-mode gdb without kgdb: the other CPUs run during a step and are halted from outside again', async () => {
  const server = await startServe({ kernel: elf, cpus: 4, wait: true, extraArgs: ['--step-mode', 'gdb'] });
  const r = await runGdb({
    port: server.port,
    elf,
    commands: [...interruptedContinue(), 'print/x counters', 'stepi', 'print/x counters', 'info threads', 'detach'],
    interrupt: { delayMs: 700 },
  });
  await server.stop();
  assertGdbOk(r, server);
  const values = [...r.stdout.matchAll(/^\$\d+ = \{(.*)\}$/gm)].map((m) => m[1].split(', ').map((v) => BigInt(v)));
  expect(values).toHaveLength(2);
  const [before, after] = values;
  // CPU 0 (the one reported) stepped one instruction; CPUs 1-3 kept counting meanwhile.
  for (const cpu of [1, 2, 3]) expect({ cpu, ran: after[cpu] > before[cpu] }).toEqual({ cpu, ran: true });
  expect(parseInfoThreads(r.stdout).map((t) => [t.cpu, t.extra])).toEqual([0, 1, 2, 3].map((c) => [c, 'halted (no kgdb in guest)']));
}, 60_000);
