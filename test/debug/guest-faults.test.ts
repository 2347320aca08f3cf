/**
 * Issue 7, guest faults: a fault stops that CPU into the debugger with the matching signal
 * in the stop reply, and the server never dies of it.
 *
 * - The bundled guest (it has kgdb): its oops-undef / oops-align / oops-abort scenarios go
 *   through the guest's own die() → kgdb_handle_exception, with gdb attached and running,
 *   or with nobody attached (then a clear line, and the machine waits for gdb).
 * - Bare-metal programs built here: one without kgdb (every fault caught from outside, like
 *   a probe's vector catch; misaligned SP and a stack overflow into unassigned memory
 *   included), and one with kgdb entry points whose vectors cannot take the exception (bad
 *   VBAR_EL1, a vector table of zeros, a handler entry that faults on the stack).
 *
 * gdb numbers signals its own way (SIGBUS is 10 on the wire; gdb prints names).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assertGdbOk, killAll, parseInfoThreads, runGdb, startServe } from '../helpers/gdb';
import { RspClient } from '../rsp/rsp-client';

const SOURCE = String.raw`
/* Bare-metal fault cases, chosen by gdb: set var fault_case = N, then continue. */
unsigned char stack[8192] __attribute__((aligned(16)));
#ifndef FAULT_CASE
#define FAULT_CASE 0
#endif
volatile int fault_case = FAULT_CASE;
volatile unsigned long sink;
/* 2 KiB-aligned, all zeros: VBAR_EL1 pointed here is a vector table of UDF #0. */
unsigned int zero_table[512] __attribute__((aligned(2048)));

__asm__(".pushsection .text.boot, \"ax\"\n"
	".global _start\n"
	"_start:\n"
	"  adrp x1, stack\n"
	"  add x1, x1, :lo12:stack\n"
	"  add sp, x1, #8192\n"
	"  bl main\n"
	"1: b 1b\n"
#ifdef WITH_KGDB
	/* Vectors that make room for pt_regs on the stack and save into it, as Linux's do. */
	"  .balign 2048\n"
	".global vectors\n"
	"vectors:\n"
	"  .rept 16\n"
	"  .balign 128\n"
	"  sub sp, sp, #0x150\n"
	"  b kernel_entry\n"
	"  .endr\n"
	"kernel_entry:\n"
	"  stp x0, x1, [sp]\n"
	"  stp x2, x3, [sp, #16]\n"
	"  mov x0, #1\n"
	"  mov x1, #4\n"
	"  mov x2, #0\n"
	"  mov x3, sp\n"
	"  bl kgdb_handle_exception\n"
	"2: b 2b\n"
#endif
	".popsection\n");

#ifdef WITH_KGDB
/* The kgdb entry points the debug core looks for (kernel/debug/debug_core.c). */
__attribute__((noinline, used)) int kgdb_handle_exception(int vec, int sig, int err, void *regs)
{ (void)vec; (void)sig; (void)err; (void)regs; __asm__ volatile("" ::: "memory"); return 1; }
__attribute__((noinline, used)) int kgdb_nmicallback(int cpu, void *regs)
{ (void)cpu; (void)regs; __asm__ volatile("" ::: "memory"); return 1; }
int kgdb_roundup_sgi = 7;
extern char vectors[];
#endif

static void set_vbar(unsigned long v) { __asm__ volatile("msr vbar_el1, %0; isb" :: "r"(v)); }

__attribute__((noinline)) void do_undefined(void) { __asm__ volatile("udf #0"); }
__attribute__((noinline)) void do_unassigned_load(void) { sink = *(volatile unsigned long *)0x30000000UL; }
__attribute__((noinline)) void do_misaligned_sp(void)
{
	__asm__ volatile("mov x9, sp\n add x9, x9, #4\n mov sp, x9\n stp x29, x30, [sp, #-16]!" ::: "x9", "memory");
}
__attribute__((noinline)) unsigned long recurse(unsigned long n)
{
	volatile unsigned long pad[32];
	pad[0] = n;
	return recurse(n + 1) + pad[0];
}
__attribute__((noinline)) void do_stack_overflow(void)
{
	/* A stack just above the start of RAM: the recursion runs below it, into unassigned memory. */
	__asm__ volatile("mov x9, #0x40000000\n add x9, x9, #0x1000\n mov sp, x9" ::: "x9", "memory");
	sink = recurse(0);
}

int main(void)
{
	for (;;) {
		switch (fault_case) {
		case 1: do_undefined(); break;
		case 2: do_unassigned_load(); break;
		case 3: do_misaligned_sp(); break;
		case 4: do_stack_overflow(); break;
#ifdef WITH_KGDB
		case 5: set_vbar(0x30000000UL); do_undefined(); break;          /* VBAR at nothing */
		case 6: set_vbar((unsigned long)zero_table); do_unassigned_load(); break; /* zeros */
		case 7: set_vbar((unsigned long)vectors); do_stack_overflow(); break;
		case 8: set_vbar((unsigned long)vectors); do_misaligned_sp(); break;
#endif
		default: break;
		}
	}
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

let dir: string;
let plainElf: string;
let kgdbElf: string;
let faultAtOnceElf: string;

function build(name: string, defines: string[]): string {
  const out = path.join(dir, `${name}.elf`);
  execFileSync(
    'aarch64-linux-gnu-gcc',
    ['-g', '-O1', '-fno-optimize-sibling-calls', '-fno-inline', '-ffreestanding', '-nostdlib', '-static', '-mgeneral-regs-only', '-march=armv8-a',
      ...defines, '-Wl,-T,faults.ld', '-Wl,--build-id=none', '-Wl,--no-warn-rwx-segments', '-o', out, 'faults.c'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return out;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kgdb-lab-faults-'));
  fs.writeFileSync(path.join(dir, 'faults.c'), SOURCE);
  fs.writeFileSync(path.join(dir, 'faults.ld'), LINKER_SCRIPT);
  plainElf = build('faults', []);
  kgdbElf = build('faults-kgdb', ['-DWITH_KGDB']);
  faultAtOnceElf = build('faults-at-once', ['-DFAULT_CASE=2']);
});

afterAll(async () => {
  await killAll();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the bundled guest: faults reach gdb through its own kgdb_handle_exception', () => {
  test.each([
    ['oops-undef', 'SIGILL, Illegal instruction', 'execute_undefined_instruction'],
    ['oops-align', 'SIGBUS, Bus error', 'load_unaligned'],
  ] as const)('%s with gdb attached and the machine running: %s', async (scenario, signal, fn) => {
    const server = await startServe({ scenario, wait: true });
    const r = await runGdb({ port: server.port, commands: ['continue', 'info threads', 'bt 3', 'detach'], timeoutMs: 90_000 });
    await server.stop();
    assertGdbOk(r, server);
    expect(r.stdout).toMatch(new RegExp(`^Thread 3 "CPU#2" received signal ${signal}\\.$`, 'm'));
    expect(parseInfoThreads(r.stdout).find((t) => t.current)).toEqual(expect.objectContaining({ cpu: 2, extra: 'master' }));
    expect(r.stdout).toMatch(new RegExp(`^#0\\s+(0x[0-9a-f]+ in )?${fn} \\(`, 'm'));
    expect(server.console()).toMatch(/Internal error: Oops/);
  }, 120_000);

  test('oops-abort with nobody attached: a clear line, the machine waits for gdb, which then sees SIGSEGV on CPU 2', async () => {
    const server = await startServe({ scenario: 'oops-abort' });
    await server.waitForStderr(/CPU 2 stopped with SIGSEGV.*; waiting for gdb/, 60_000);
    expect(server.console()).toMatch(/Unable to handle kernel paging request at virtual address/);
    const c = await RspClient.connect(server.port);
    expect(await c.ask('?')).toMatch(/^T0bthread:3;core:2;/);
    c.close();
    const r = await runGdb({ port: server.port, commands: ['info threads', 'bt 2', 'detach'] });
    assertGdbOk(r, server);
    expect(r.stdout).toMatch(/^#0\s+(0x[0-9a-f]+ in )?load_from_unassigned_address \(/m);
    // The server is still there for the next gdb.
    const again = await runGdb({ port: server.port, commands: ['info threads', 'detach'] });
    assertGdbOk(again, server);
    await server.stop();
  }, 120_000);
});

/** Run case `n` of a bare-metal program under gdb; return gdb's and the server's view. */
async function faultCase(elf: string, n: number) {
  const server = await startServe({ kernel: elf, cpus: 1, wait: true, lifetimeS: 60 });
  const r = await runGdb({
    port: server.port,
    elf,
    commands: [`set var fault_case = ${n}`, 'continue', 'info threads', 'bt 2', 'x/i $pc', 'p/x $sp', 'detach'],
    timeoutMs: 60_000,
  });
  // After the detach the CPU faults again and waits, the server still listening.
  const c = await RspClient.connect(server.port);
  const stop = await c.ask('?');
  c.close();
  await server.stop();
  assertGdbOk(r, server);
  return { r, server, stop };
}

describe('a guest without kgdb: every fault is caught from outside', () => {
  test.each([
    [1, 'undefined instruction', 'SIGILL, Illegal instruction', 'T04', 'do_undefined', /udf/],
    [2, 'data abort on an unassigned address', 'SIGSEGV, Segmentation fault', 'T0b', 'do_unassigned_load', /ldr/],
    [3, 'misaligned SP', 'SIGBUS, Bus error', 'T0a', 'do_misaligned_sp', /stp\s+x29, x30, \[sp, #-16\]!/],
    [4, 'stack overflow into unassigned memory', 'SIGSEGV, Segmentation fault', 'T0b', 'recurse', /st/],
  ] as const)('case %i, %s: %s', async (n, _what, signal, stopReply, fn, insn) => {
    const { r, server, stop } = await faultCase(plainElf, n);
    expect(r.stdout).toMatch(new RegExp(`^(Program|Thread 1 "CPU#0") received signal ${signal}\\.$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^#0\\s+(0x[0-9a-f]+ in )?${fn} \\(`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`=> 0x[0-9a-f]+ <${fn}(\\+\\d+)?>:\\s+.*${insn.source}`, 'm'));
    expect(server.console()).toMatch(/kgdb-lab: CPU 0: .* at 0x[0-9a-f]+.*; stopped for the debugger/);
    expect(stop.startsWith(`${stopReply}thread:1;`)).toBe(true);
    if (n === 4) {
      // The stack ran below the start of RAM: the faulting store's address, not yet SP's.
      const far = BigInt(/store to unassigned address (0x[0-9a-f]+)/.exec(server.console())![1]);
      expect(far).toBeLessThan(0x40000000n);
      expect(BigInt(/^\$1 = (0x[0-9a-f]+)$/m.exec(r.stdout)![1])).toBeLessThan(0x40001000n);
    }
  }, 90_000);

  test('with nobody attached: a console line, the machine waits, and gdb then gets the SIGSEGV', async () => {
    const server = await startServe({ kernel: faultAtOnceElf, cpus: 2, lifetimeS: 60 });
    await server.waitForStderr(/CPU 0 stopped with SIGSEGV .*data abort at 0x[0-9a-f]+ \(load from unassigned address 0x30000000\); waiting for gdb/, 30_000);
    await server.waitForConsole(/^kgdb-lab: CPU 0: data abort at 0x[0-9a-f]+ \(load from unassigned address 0x30000000\); stopped for the debugger$/, 10_000);
    const c = await RspClient.connect(server.port);
    expect(await c.ask('?')).toMatch(/^T0bthread:1;core:0;/);
    expect(Buffer.from(await c.ask('qThreadExtraInfo,1'), 'hex').toString()).toMatch(/^data abort at 0x[0-9a-f]+ /);
    c.close();
    const r = await runGdb({ port: server.port, elf: faultAtOnceElf, commands: ['info threads', 'detach'] });
    assertGdbOk(r, server);
    expect(parseInfoThreads(r.stdout).map((t) => [t.cpu, t.extra])).toEqual([
      [0, expect.stringMatching(/^data abort at 0x[0-9a-f]+ \(load from unassigned address 0x30000000\)$/)],
      [1, 'powered off'],
    ]);
    await server.stop();
  }, 60_000);

  test('stepi at the faulting instruction takes the exception into the vectors in flash (VBAR_EL1 0), as QEMU steps it; the server stays responsive', async () => {
    // Flash reads as zeros, UDF #0: the vector faults again at once, forever (an exception
    // storm that retires nothing). The step must still end, and so must the next one.
    const server = await startServe({ kernel: plainElf, cpus: 1, wait: true, lifetimeS: 60 });
    const r = await runGdb({
      port: server.port,
      elf: plainElf,
      commands: ['set var fault_case = 1', 'continue', 'printf "@@udf %lx\\n", $pc', 'stepi', 'printf "@@pc %lx elr %lx\\n", $pc, $elr_el1', 'stepi', 'printf "@@pc %lx elr %lx\\n", $pc, $elr_el1', 'continue', 'detach'],
    });
    await server.stop();
    assertGdbOk(r, server);
    const udf = /^@@udf ([0-9a-f]+)$/m.exec(r.stdout)?.[1];
    const steps = [...r.stdout.matchAll(/^@@pc ([0-9a-f]+) elr ([0-9a-f]+)$/gm)].map((m) => [m[1], m[2]]);
    // First step: the UDF is taken (ELR = the UDF) into the current-EL SPx sync vector at
    // VBAR 0 + 0x200; second: that vector's UDF #0 is taken the same way (ELR = 0x200).
    expect(udf).toMatch(/^4020[0-9a-f]{4}$/);
    expect(steps).toEqual([['200', udf], ['200', '200']]);
    // A continue there is caught from outside as the vector faulting on entry.
    expect(r.stdout.match(/received signal SIGILL, Illegal instruction\./g)).toHaveLength(2);
    expect(server.console()).toMatch(/undefined instruction at 0x200; not taken: the vector 0x200 \(VBAR_EL1 0x0\) faulted on entering it/);
  }, 90_000);

  test('a gdb breakpoint works there too (BRK caught from outside, reported as the breakpoint)', async () => {
    const server = await startServe({ kernel: plainElf, cpus: 1, wait: true, lifetimeS: 60 });
    const r = await runGdb({ port: server.port, elf: plainElf, commands: ['break do_undefined', 'set var fault_case = 1', 'continue', 'bt 1', 'delete', 'continue', 'detach'] });
    await server.stop();
    assertGdbOk(r, server);
    expect(r.stdout).toMatch(/^(Thread 1 "CPU#0" hit )?Breakpoint 1, (0x[0-9a-f]+ in )?do_undefined \(/m);
    expect(r.stdout).toMatch(/received signal SIGILL, Illegal instruction\./);
  }, 90_000);
});

describe('a guest with kgdb whose vectors cannot take the exception: caught from outside', () => {
  test.each([
    [5, 'VBAR_EL1 at unassigned memory', 'SIGILL, Illegal instruction', 'do_undefined', /its vector 0x30000200 .* is not executable memory/],
    [6, 'VBAR_EL1 at a table of zeros', 'SIGSEGV, Segmentation fault', 'do_unassigned_load', /faulted on entering it: the vectors are not code/],
    [7, 'stack overflow: the handler entry faults on the stack', 'SIGSEGV, Segmentation fault', 'kernel_entry', /entry code faulted \d+ instructions after entering its vector/],
    [8, 'misaligned SP: the handler entry faults on the stack', 'SIGBUS, Bus error', 'kernel_entry', /entry code faulted \d+ instructions after entering its vector/],
  ] as const)('case %i, %s: %s', async (n, _what, signal, fn, why) => {
    const { r, server } = await faultCase(kgdbElf, n);
    expect(r.stdout).toMatch(new RegExp(`^(Program|Thread 1 "CPU#0") received signal ${signal}\\.$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^#0\\s+(0x[0-9a-f]+ in )?${fn} \\(|<${fn}>`, 'm'));
    expect(server.console()).toMatch(why);
    expect(parseInfoThreads(r.stdout)[0].extra).toMatch(why);
  }, 90_000);
});
