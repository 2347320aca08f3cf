/**
 * A continue of the master alone (`vCont;c:N`, gdb's step-over of one thread and `set
 * scheduler-locking on`): the master runs, every other CPU stays parked where the debugger
 * holds it and retires nothing, and the run ends on the master (KgdbCore.runAlone).
 *
 * In process, on a real two-CPU Board run by its own scheduler under --icount, with the real
 * KgdbCore, KgdbGdbTarget and RSP session. The program stands in for a kgdb kernel: CPU 0
 * calls "kgdb_handle_exception" (hooked, never run) with pt_regs it filled in, as an
 * exception entry does, and its vectors do the same for a BRK (gdb's breakpoint); CPU 1
 * calls "kgdb_nmicallback" over and over, as a CPU taking roundup SGIs would, so it parks
 * as a slave once CPU 0 is master.
 */
import { Board } from '../../src/machine/board';
import { BoardDebugPort } from '../../src/machine/debug-port';
import { KgdbCore, type GuestKgdb, type StopInfo } from '../../src/debug/kgdb-core';
import { KgdbGdbTarget } from '../../src/debug/gdb-target';
import { catchGuestFaults } from '../../src/debug/guest-faults';
import { RspSession, type SessionIo } from '../../src/rsp/session';
import { assemble } from '../unit/helpers/assemble';
import { frame, show, splitItems } from '../rsp/rsp-client';

const BASE = 0x4020_0000;
const HANDLE_EXCEPTION = BASE + 0x400;
const NMI_CALLBACK = BASE + 0x500;
const VBAR = BASE + 0x800;
const PT_REGS0 = BASE + 0x1_0000;
const PT_REGS1 = BASE + 0x1_1000;
/** Iterations of CPU 0's counting loop (x5) before it reaches BP. */
const LOOPS = 20_000;

/**
 * CPU 0: enter the debugger (pt_regs->pc = `resume0`), then on leaving it "return from the
 * exception" to pt_regs->pc, count x5 to LOOPS, reach `bp`, then spin forever. CPU 1: call
 * kgdb_nmicallback forever, counting the calls in x7.
 */
const PROGRAM = [
  'mrs x9, mpidr_el1', 'and x9, x9, #0xff', 'cbnz x9, cpu1',
  `ldr x1, =${VBAR}`, 'msr vbar_el1, x1', 'isb',
  `ldr x3, =${PT_REGS0}`, 'adr x9, resume0', 'str x9, [x3, #256]', 'mov x1, #5',
  'bl handle_exception',
  'ldr x9, [x3, #256]', 'br x9',
  'resume0: mov x5, #0',
  `ldr x8, =${LOOPS}`,
  '1: add x5, x5, #1', 'cmp x5, x8', 'b.ne 1b',
  'bp: mov x6, #1',
  'spin: b spin',
  'cpu1: ' + `ldr x1, =${PT_REGS1}`, 'mov x0, #1', 'bl nmi_callback', 'add x7, x7, #1', 'b cpu1',
  '.ltorg',
  '.balign 0x400', 'handle_exception: ret',
  '.balign 0x100', 'nmi_callback: ret',
  // Synchronous exception, current EL with SP_ELx (ARM ARM D1.10.2): pt_regs->pc = ELR.
  '.balign 0x800', '.skip 0x200',
  `ldr x3, =${PT_REGS0}`, 'mrs x9, elr_el1', 'str x9, [x3, #256]', 'mov x1, #5',
  'bl handle_exception',
  'ldr x9, [x3, #256]', 'msr elr_el1, x9', 'eret',
  '.ltorg',
];

const GUEST: GuestKgdb = { handleException: HANDLE_EXCEPTION, nmiCallback: NMI_CALLBACK, roundupSgi: () => undefined, breakInReady: () => true };

interface Rig {
  b: Board;
  core: KgdbCore;
  port: BoardDebugPort;
  /** Where `bp:` is. */
  bp: number;
  /** Where `spin:` is. */
  spin: number;
  /** CPU 1's `add x7, x7, #1`, which only CPU 1 runs (never while it is parked). */
  cpu1Loop: number;
  /**
   * Send one packet (a string is framed; bytes go as they are, e.g. 0x03); resolves with
   * what the server sent since, once `until` matches one of those packets.
   */
  ask(payload: string | Buffer, until?: RegExp): Promise<string[]>;
  stops: StopInfo[];
  /** Resolves when machine time reaches `ns` from now (some CPU must be running). */
  after(ns: number): Promise<void>;
  /** Resolves once `cond` holds, looking every 10 µs of machine time (at most 10 ms). */
  until(cond: () => boolean): Promise<void>;
  session: RspSession;
  running: Promise<unknown>;
}

/** @param withKgdb false: a kernel without kgdb entry points (faults caught from outside) */
function rig(withKgdb = true): Rig {
  const guest = withKgdb ? GUEST : undefined;
  const words = assemble(PROGRAM.join('\n'));
  const data = new Uint8Array(words.length * 4);
  const dv = new DataView(data.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  // `bp:` and `spin:` by their encodings: mov x6, #1 and b . (offset 0).
  const bp = BASE + 4 * words.indexOf(0xd2800026);
  const spin = BASE + 4 * words.indexOf(0x14000000);
  const cpu1Loop = BASE + 4 * words.indexOf(0x910004e7);
  const b = new Board({ cpus: 2, memoryMiB: 64, bootargs: '', icountShift: 4 });
  b.load({ entry: BASE, segments: [{ paddr: BASE, vaddr: BASE, data, memsz: 0x2_0000, flags: 7 }], symbols: [] });
  b.powerOn(b.cpus[1], BigInt(BASE), 0n);
  const port = new BoardDebugPort(b);
  const stops: StopInfo[] = [];
  let target: KgdbGdbTarget | undefined;
  const core = new KgdbCore(port, {
    guest,
    roundupTimeoutNs: 1_000_000,
    onStop: (s) => {
      stops.push(s);
      target?.stopped(s);
    },
  });
  target = new KgdbGdbTarget(core, port, { notice: () => {} });
  if (!guest) catchGuestFaults(port, core);
  let written = Buffer.alloc(0);
  let wake = (): void => {};
  const io: SessionIo = { write: (d) => void ((written = Buffer.concat([written, d])), wake()), end: () => {} };
  const session = new RspSession(target, io);
  const replies = (): string[] => show(splitItems(written).items).filter((s) => s !== '+');
  const ask = (payload: string | Buffer, until = /^\$/): Promise<string[]> =>
    new Promise((resolve) => {
      written = Buffer.alloc(0);
      wake = () => {
        if (replies().some((r) => until.test(r))) resolve(replies());
      };
      session.receive(typeof payload === 'string' ? frame(payload) : payload);
      wake();
    });
  const after = (ns: number): Promise<void> => new Promise((resolve) => port.at(port.nowNs() + ns, resolve));
  const until = async (cond: () => boolean): Promise<void> => {
    for (let i = 0; i < 1000 && !cond(); i++) await after(10_000);
  };
  const running = b.run();
  return { b, core, port, bp, spin, cpu1Loop, ask, stops, after, until, session, running };
}

let rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs) {
    r.session.connectionClosed();
    r.b.halt();
    await r.running;
  }
  rigs = [];
});

/** Run until CPU 0 is master and CPU 1 has parked as its slave; gdb attached (`?`). */
async function stoppedWithSlave(): Promise<Rig> {
  const r = rig();
  rigs.push(r);
  await r.until(() => r.core.role(1) === 'slave');
  expect((await r.ask('?'))[0]).toMatch(/^\$T05thread:0*1;/);
  expect([r.core.role(0), r.core.role(1)]).toEqual(['master', 'slave']);
  return r;
}

test('vCont;c:1 runs the master alone to its breakpoint: the slave retires nothing and is still a slave after', async () => {
  const r = await stoppedWithSlave();
  const { b, core } = r;
  const slaveRegs = core.registers(1);
  const slaveRetired = b.cpus[1].retired;
  const masterRetired = b.cpus[0].retired;
  expect(await r.ask(`Z0,${r.bp.toString(16)},4`)).toEqual(['$OK']);
  const replies = await r.ask('vCont;c:1', /^\$T/);
  // The stop is the master's, at gdb's breakpoint, reached by running alone (no `swbreak:`
  // in the reply: this client did not offer swbreak+ in qSupported).
  expect(replies.at(-1)).toMatch(/^\$T05thread:0*1;/);
  expect(r.stops.at(-1)).toMatchObject({ cpu: 0, reason: 'swbreak' });
  expect(core.registers(0)?.pc).toBe(BigInt(r.bp));
  expect(b.cpus[0].getX(5)).toBe(BigInt(LOOPS));
  expect(b.cpus[0].retired - masterRetired).toBeGreaterThan(3 * LOOPS);
  // The other CPU: parked throughout, not one instruction retired, its view unchanged.
  expect(b.cpus[1].retired).toBe(slaveRetired);
  expect([core.role(0), core.role(1)]).toEqual(['master', 'slave']);
  expect(core.registers(1)).toEqual(slaveRegs);
  // The breakpoint is out of the machine again while it is stopped.
  expect(b.bus.debugRead(r.bp, 4)).toEqual(Uint8Array.from([0x26, 0x00, 0x80, 0xd2]));
  // A plain continue then releases everybody: CPU 1 runs again.
  expect(await r.ask(`z0,${r.bp.toString(16)},4`)).toEqual(['$OK']);
  r.session.receive(frame('vCont;c'));
  await r.after(1_000_000);
  expect(b.cpus[1].retired).toBeGreaterThan(slaveRetired);
  expect(core.role(1)).toBe('none');
}, 30_000);

test('Ctrl-C ends a lone run that never stops by itself, the others still parked; a plain continue then resumes every CPU', async () => {
  const r = await stoppedWithSlave();
  const { b, core } = r;
  const slaveRetired = b.cpus[1].retired;
  r.session.receive(frame('vCont;c:1'));
  await r.after(5_000_000); // long past the loop: CPU 0 spins at `spin`
  expect(core.stop).toBeUndefined();
  expect(b.cpus[1].retired).toBe(slaveRetired);
  expect((await r.ask(Buffer.from([0x03]), /^\$T/)).at(-1)).toMatch(/^\$T02thread:0*1;/);
  expect(r.stops.at(-1)).toMatchObject({ cpu: 0, signo: 2, reason: 'signal' });
  expect(core.registers(0)?.pc).toBe(BigInt(r.spin));
  expect(b.cpus[1].retired).toBe(slaveRetired);
  expect(core.role(1)).toBe('slave');
  // Alone again, now from where Ctrl-C held it (its real registers, no pt_regs to return through).
  const masterRetired = b.cpus[0].retired;
  r.session.receive(frame('vCont;c:1'));
  await r.after(1_000_000);
  expect((await r.ask(Buffer.from([0x03]), /^\$T/)).at(-1)).toMatch(/^\$T02thread:0*1;/);
  expect(b.cpus[0].retired).toBeGreaterThan(masterRetired);
  expect(core.registers(0)?.pc).toBe(BigInt(r.spin));
  expect(b.cpus[1].retired).toBe(slaveRetired);
  r.session.receive(frame('vCont;c'));
  await r.after(1_000_000);
  expect(b.cpus[1].retired).toBeGreaterThan(slaveRetired);
  expect([core.role(0), core.role(1)]).toEqual(['none', 'none']);
}, 30_000);

test('gdb leaving during a lone run releases every CPU (detach path), with no stop left behind', async () => {
  const r = await stoppedWithSlave();
  const { b, core } = r;
  const slaveRetired = b.cpus[1].retired;
  // A breakpoint only the parked CPU would reach: the lone run cannot end on it (however far
  // the master gets before the test looks), and once gdb has left, CPU 1 runs over it,
  // removed as detach removes every breakpoint.
  expect(await r.ask(`Z0,${r.cpu1Loop.toString(16)},4`)).toEqual(['$OK']);
  const x7 = b.cpus[1].getX(7);
  r.session.receive(frame('vCont;c:1'));
  await r.after(10_000);
  expect(core.stop).toBeUndefined();
  expect(b.cpus[1].retired).toBe(slaveRetired); // running alone
  r.session.connectionClosed();
  await r.after(5_000_000);
  // Nobody stopped: the breakpoint was removed, CPU 0 ran its loop to the end and spins,
  // CPU 1 calls kgdb_nmicallback again and again over the old breakpoint.
  expect(r.stops).toHaveLength(1);
  expect(core.master).toBe(-1);
  expect([core.role(0), core.role(1)]).toEqual(['none', 'none']);
  expect(b.cpus[0].getX(5)).toBe(BigInt(LOOPS));
  expect(b.cpus[1].retired).toBeGreaterThan(slaveRetired);
  expect(b.cpus[1].getX(7)).toBeGreaterThan(x7);
}, 30_000);

test('gdb leaving while a single instruction of the master is pending: the step ends, then every CPU is released', async () => {
  const r = await stoppedWithSlave();
  const { b, core } = r;
  // A lone run stopped by Ctrl-C leaves the master held with its real registers: a step of
  // it is then one instruction at once (no way back through kgdb_handle_exception first).
  r.session.receive(frame('vCont;c:1'));
  await r.after(10_000);
  expect((await r.ask(Buffer.from([0x03]), /^\$T/)).at(-1)).toMatch(/^\$T02thread:0*1;/);
  const slaveRetired = b.cpus[1].retired;
  const stops = r.stops.length;
  r.session.receive(frame('vCont;s:1'));
  expect(core.stepPending).toBe(true);
  r.session.connectionClosed();
  await r.after(1_000_000);
  // The step's stop came with nobody to hear it: the machine runs on, as detach promises.
  expect(r.stops).toHaveLength(stops + 1);
  expect(core.master).toBe(-1);
  expect([core.role(0), core.role(1)]).toEqual(['none', 'none']);
  expect(b.cpus[1].retired).toBeGreaterThan(slaveRetired);
}, 30_000);

test('a kernel without kgdb: the master runs alone from a halt to gdb\'s breakpoint, caught from outside as a fault; the other CPU stays halted', async () => {
  const r = rig(false);
  rigs.push(r);
  const { b, core } = r;
  // Let CPU 0 reach its loop (its "kgdb_handle_exception" is a plain `ret` here), then halt all.
  await r.until(() => b.cpus[0].getX(5) > 0n);
  expect((await r.ask('?'))[0]).toMatch(/^\$T02/);
  expect([core.role(0), core.role(1)]).toEqual(['halted', 'halted']);
  const otherRetired = b.cpus[1].retired;
  expect(await r.ask(`Z0,${r.bp.toString(16)},4`)).toEqual(['$OK']);
  expect((await r.ask('vCont;c:1', /^\$T/)).at(-1)).toMatch(/^\$T05thread:0*1;/);
  expect(r.stops.at(-1)).toMatchObject({ cpu: 0, reason: 'swbreak' });
  expect(core.registers(0)?.pc).toBe(BigInt(r.bp));
  expect(b.cpus[0].getX(5)).toBe(BigInt(LOOPS));
  expect(b.cpus[1].retired).toBe(otherRetired);
  expect([core.role(0), core.role(1)]).toEqual(['halted', 'halted']);
}, 30_000);
