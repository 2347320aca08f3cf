/**
 * Real gdb against the RSP server (with the fake target): proves the wire format, the
 * target description and the thread model against gdb-multiarch itself, as QEMU's
 * tests/guest-debug does against its stub.
 */
import { RspServer } from '../../src/rsp/server';
import { formatTraceEvent } from '../../src/rsp/trace';
import { runProcess } from '../helpers/process';
import { FakeTarget } from './fake-target';

const GDB = 'gdb-multiarch';

let target: FakeTarget;
let server: RspServer;
let port: number;
let trace: string[];

beforeEach(async () => {
  target = new FakeTarget({ cpus: 3, unavailable: [2] });
  trace = [];
  server = new RspServer(target, { port: 0, trace: (e) => trace.push(formatTraceEvent(e, 200)) });
  ({ port } = await server.listen());
});

afterEach(async () => {
  await server.close();
});

/** Run gdb in batch mode with `commands` after connecting; returns stdout + stderr. */
async function gdb(commands: string[]): Promise<string> {
  const args = ['-nx', '-batch', '-ex', 'set architecture aarch64', '-ex', `target remote 127.0.0.1:${port}`];
  for (const c of commands) args.push('-ex', c);
  const r = await runProcess(GDB, args, 20_000);
  const out = `${r.stdout.toString('utf8')}${r.stderr}`;
  if (r.timedOut || r.status !== 0) throw new Error(`gdb failed (status ${r.status}):\n${out}\n--- trace ---\n${trace.join('\n')}`);
  // Things gdb says when it rejects or misreads what the stub sent.
  expect(out).not.toMatch(/Architecture rejected|reply is too long|Truncated register|Protocol error|Invalid remote reply|Remote failure/);
  return out;
}

describe('gdb-multiarch attached to the RSP server', () => {
  test('info threads, info registers pc, x/4xw (the issue\'s command line)', async () => {
    const out = await gdb(['info threads', 'info registers pc', 'x/4xw 0x40000100']);
    expect(out).toMatch(/\*\s+1\s+Thread 1 "CPU#0" \(halted\)\s+0x0000000040000100 in \?\? \(\)/);
    expect(out).toMatch(/\s2\s+Thread 2 "CPU#1" \(halted\)\s+0x0000000040000110 in \?\? \(\)/);
    expect(out).toMatch(/\s3\s+Thread 3 "CPU#2" \(not responding\)\s+<unavailable> in \?\? \(\)/);
    expect(out).toMatch(/^pc\s+0x40000100\s+0x40000100$/m);
    const words = [0, 4, 8, 12].map((o) => Buffer.from(target.ram.subarray(0x100 + o, 0x104 + o)).readUInt32LE(0));
    expect(out).toContain(`0x40000100:\t${words.map((w) => `0x${w.toString(16).padStart(8, '0')}`).join('\t')}`);
    // gdb read the target description and used the packed thread list.
    expect(trace.some((t) => t.startsWith('<- $qXfer:features:read:target.xml:0,'))).toBe(true);
    expect(trace.some((t) => t.startsWith('<- $qXfer:threads:read::0,'))).toBe(true);
    expect(target.events.at(-1)).toBe('disconnect:detach');
  }, 30_000);

  test('the target description sets OS ABI none: a kernel has no Linux user-space ABI', async () => {
    // gdb's GNU/Linux default would probe every frame for a sigreturn trampoline
    // (two extra `m` round trips per frame in `thread apply all bt`).
    const out = await gdb(['show osabi']);
    expect(out).toMatch(/The current OS ABI is "auto" \(currently "none"\)/);
  }, 30_000);

  test('registers: cpsr flags, x5 of another thread, FP unavailable, writes', async () => {
    const out = await gdb([
      'info registers cpsr',
      'p $fpsr',
      'p $v0',
      'thread 2',
      'p/x $x5',
      'set var $x6 = 0x1122334455667788',
      'p/x $x6',
      'set var *(unsigned int *)0x40000200 = 0xcafef00d',
      'x/1xw 0x40000200',
    ]);
    expect(out).toMatch(/^cpsr\s+0x600003c5\s+\[ SP EL=1 F I A D BTYPE=0 C Z \]$/m);
    expect(out).toMatch(/^\$1 = <unavailable>$/m);
    expect(out).toMatch(/^\$2 = <unavailable>$/m);
    expect(out).toMatch(/^\$3 = 0x2005$/m);
    expect(out).toMatch(/^\$4 = 0x1122334455667788$/m);
    expect(out).toContain('0x40000200:\t0xcafef00d');
    expect(target.cpus[1].x[6]).toBe(0x1122334455667788n);
    expect(Buffer.from(target.ram.subarray(0x200, 0x204)).readUInt32LE(0)).toBe(0xcafef00d);
  }, 30_000);

  test('breakpoint, continue, stepi, monitor', async () => {
    const out = await gdb(['break *0x40000118', 'continue', 'stepi', 'info registers pc', 'delete', 'monitor echo hi there']);
    expect(out).toMatch(/Thread 2 "CPU#1" hit Breakpoint 1, 0x0000000040000118 in \?\? \(\)/);
    expect(out).toMatch(/^pc\s+0x4000011c\s+0x4000011c$/m);
    expect(out).toMatch(/^hi there$/m);
    expect(trace).toContain('<- $Z0,40000118,4');
    expect(trace.some((t) => /^-> \$T05thread:2;core:1;.*swbreak:;$/.test(t))).toBe(true);
    expect(target.swBreakpoints.size).toBe(0);
  }, 30_000);
});
