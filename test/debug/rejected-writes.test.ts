/**
 * "Bad input gets a clear error and loses nothing", for the kgdb debug target behind the RSP
 * session: a packet the target cannot carry out gets an `E NN` reply and changes nothing,
 * and a packet it accepts really did what it says (gdb manual, "Standard Replies"). In
 * process, on a real Board with the real KgdbCore and KgdbGdbTarget, driven instruction by
 * instruction (no scheduler, so nothing runs unless the test runs it).
 */
import { Board } from '../../src/machine/board';
import { BoardDebugPort } from '../../src/machine/debug-port';
import { KgdbCore, type GuestKgdb } from '../../src/debug/kgdb-core';
import { KgdbGdbTarget } from '../../src/debug/gdb-target';
import type { ElfImage } from '../../src/loader/elf';
import { RspSession, type SessionIo } from '../../src/rsp/session';
import { assemble } from '../unit/helpers/assemble';
import { frame, hex, show, splitItems } from '../rsp/rsp-client';

const BASE = 0x4020_0000;
/** The stand-in for kgdb_handle_exception(vector, signo, err, regs): hooked, never run. */
const HANDLE_EXCEPTION = BASE + 0x100;
const NMI_CALLBACK = BASE + 0x200;
/** A pt_regs address the debugger can read (flash peeks) but not write (not RAM). */
const FLASH_PT_REGS = 0x1000;

/**
 * One CPU that calls "kgdb_handle_exception" with x3 = `ptRegs` (the regs pointer a buggy
 * guest passes), x1 = SIGTRAP.
 */
function image(ptRegs: number): ElfImage {
  const words = assemble(
    [
      `ldr x3, =${ptRegs}`, 'mov x1, #5', 'bl 2f', '1: b 1b', '.ltorg',
      '.balign 0x100', '2: ret',
      '.balign 0x100', 'ret',
    ].join('\n'),
  );
  const data = new Uint8Array(words.length * 4);
  const dv = new DataView(data.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  return { entry: BASE, segments: [{ paddr: BASE, vaddr: BASE, data, memsz: data.length, flags: 5 }], symbols: [] };
}

const GUEST: GuestKgdb = { handleException: HANDLE_EXCEPTION, nmiCallback: NMI_CALLBACK, roundupSgi: () => undefined, breakInReady: () => false };

/** Board + debug core + gdb target + RSP session; `ask` sends one packet and returns the replies. */
function setup(ptRegs: number) {
  const img = image(ptRegs);
  const b = new Board({ cpus: 1, memoryMiB: 64, bootargs: '' });
  b.load(img);
  const port = new BoardDebugPort(b);
  let target: KgdbGdbTarget | undefined;
  const core = new KgdbCore(port, { guest: GUEST, roundupTimeoutNs: 1_000_000, onStop: (s) => target?.stopped(s) });
  target = new KgdbGdbTarget(core, port, {
    notice: () => {},
    reset: {
      reset: (halt) => {
        b.reboot(img);
        core.reset(GUEST, halt ? 'held (test)' : undefined);
        return 'rebooted';
      },
    },
  });
  let written = Buffer.alloc(0);
  const io: SessionIo = { write: (d) => void (written = Buffer.concat([written, d])), end: () => {} };
  const session = new RspSession(target, io);
  const ask = (payload: string): string[] => {
    written = Buffer.alloc(0);
    session.receive(frame(payload));
    return show(splitItems(written).items).filter((s) => s !== '+');
  };
  /** What was sent since the last `ask`, once pending promises (a refused resume) settled. */
  const later = async (): Promise<string[]> => {
    await new Promise((r) => setImmediate(r));
    return show(splitItems(written).items).filter((s) => s !== '+');
  };
  return { b, core, session, ask, later };
}

/** Run the CPU until it enters the debugger at HANDLE_EXCEPTION. */
function runToStop(b: Board, core: KgdbCore): void {
  for (let i = 0; i < 10 && core.stop === undefined; i++) b.cpus[0].run(100);
  expect(core.stop).toMatchObject({ cpu: 0 });
}

let sessions: RspSession[] = [];
afterEach(() => {
  for (const s of sessions) s.connectionClosed();
  sessions = [];
});

test('P and G into pt_regs the debugger cannot write are refused, not answered OK', () => {
  const { b, core, session, ask } = setup(FLASH_PT_REGS);
  sessions.push(session);
  runToStop(b, core);
  expect(ask('?')[0]).toMatch(/^\$T05/);
  const regs = ask('g')[0];
  expect(regs).toMatch(/^\$[0-9a-f]+/);
  // Before the fix: `$OK`, and the write had gone nowhere (Bus.debugWrite refuses flash).
  expect(ask(`P0=${'11'.repeat(8)}`)).toEqual(['$E16']);
  expect(ask(`G${'22'.repeat(8 * 34)}`)).toEqual(['$E16']);
  expect(ask('g')).toEqual([regs]);
});

test('after monitor reset (the machine runs), `c addr` is refused instead of continuing without the new pc', async () => {
  const { b, core, session, ask, later } = setup(BASE + 0x1_0000);
  sessions.push(session);
  runToStop(b, core);
  expect(ask('?')[0]).toMatch(/^\$T05/);
  expect(ask(`qRcmd,${hex('reset')}`).at(-1)).toBe('$OK');
  expect(core.stop).toBeUndefined();
  // Before the fix: no reply (the continue was under way, its address dropped).
  ask('c40200008');
  expect((await later()).at(-1)).toBe('$E16');
  expect(session.running).toBe(false);
  // The session and the target go on: a plain continue waits for the next stop, at the
  // rebooted guest's own entry into the debugger, not at 0x40200008.
  expect(ask('c')).toEqual([]);
  expect(session.running).toBe(true);
  runToStop(b, core);
  expect(Number(b.cpus[0].pc)).toBe(HANDLE_EXCEPTION);
  expect((await later()).at(-1)).toMatch(/^\$T05/);
});
