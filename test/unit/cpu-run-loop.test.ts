/**
 * The CPU run loop on a real Board: fetch alignment, code hooks, hold/step — the parts the
 * debug core relies on. Programs are assembled with GNU as.
 */
import { Board } from '../../src/machine/board';
import { RunState } from '../../src/machine/cpu/cpu';
import { assemble } from './helpers/assemble';

const BASE = 0x4020_0000;

function boardWith(lines: string[]): Board {
  const words = assemble(lines.join('\n'));
  const data = new Uint8Array(words.length * 4);
  const dv = new DataView(data.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  const b = new Board({ cpus: 1, memoryMiB: 64, bootargs: '' });
  b.load({ entry: BASE, segments: [{ paddr: BASE, vaddr: BASE, data, memsz: data.length, flags: 5 }], symbols: [] });
  return b;
}

describe('CPU run loop', () => {
  test('a branch to a misaligned address in the same page takes a PC alignment fault (ESR EC 0x22, FAR = target)', () => {
    // VBAR at BASE + 0x800: the sync vector (current EL, SPx) at +0x200 parks in a loop.
    const b = boardWith([
      'ldr x1, =0x40200800', 'msr vbar_el1, x1', 'isb',
      'ldr x0, =0x40200102', 'br x0',
      '.balign 0x800', '.skip 0x200', '1: b 1b',
    ]);
    const c = b.cpus[0];
    c.run(50);
    expect(c.esr >>> 26).toBe(0x22);
    expect(c.far).toBe(0x40200102n);
    expect(c.elr).toBe(0x40200102n);
    expect(c.pc).toBe(0x40200a00);
  });

  test.each(['interp', 'jit'] as const)('an exception storm (vectors in flash, read as UDF #0) ends the turn: %s', (engine) => {
    // VBAR_EL1 = 0: every exception enters flash at 0x200, whose zeros are UDF #0, which
    // faults again at once. Nothing ever retires; the turn must still end after `budget`
    // exception entries, or the scheduler (timers, --timeout, signals, gdb) never runs again.
    const b = boardWith(['mov x0, #7', 'msr vbar_el1, xzr', 'isb', 'udf #0']);
    b.cpus[0].engine = engine;
    const c = b.cpus[0];
    expect(c.run(1000)).toBe(3);
    expect(c.run(1000)).toBe(0);
    expect(c.state).toBe(RunState.Running);
    expect(c.pc).toBe(0x200);
    expect(c.elr).toBe(0x200n); // the vector's own UDF, faulting again
    expect(c.getX(0)).toBe(7n);
  });

  test('stepDone over an instruction that faults ends at the vector, before the handler\'s first instruction (as QEMU steps it)', () => {
    const b = boardWith([
      'ldr x1, =0x40200800', 'msr vbar_el1, x1', 'isb',
      'udf #1',
      '.ltorg',
      '.balign 0x800', '.skip 0x200', 'mov x0, #9', '1: b 1b',
    ]);
    const c = b.cpus[0];
    c.run(3);
    expect(c.pc).toBe(BASE + 12);
    c.hold();
    let done = 0;
    c.stepDone = () => done++;
    c.release();
    expect(c.run(1000)).toBe(0); // the UDF did not retire
    expect(done).toBe(1);
    expect(c.pc).toBe(0x40200a00);
    expect(c.elr).toBe(BigInt(BASE + 12));
    expect(c.getX(0)).not.toBe(9n);
  });

  test('a code hook runs before the instruction; a taking hook leaves PC on it, unretired', () => {
    const b = boardWith(['mov x0, #1', 'mov x0, #2', 'mov x0, #3', '1: b 1b']);
    const c = b.cpus[0];
    const seen: number[] = [];
    b.code.addHook(BASE + 8, (cpu, pc) => {
      seen.push(pc);
      cpu.hold();
      return true;
    });
    const n = c.run(100);
    expect(seen).toEqual([BASE + 8]);
    expect(n).toBe(2);
    expect(c.state).toBe(RunState.Held);
    expect(c.pc).toBe(BASE + 8);
    expect(c.getX(0)).toBe(2n);
    // Released with the hook removed, it executes the hooked instruction.
    b.code.removeHook(BASE + 8);
    c.release();
    c.run(1);
    expect(c.getX(0)).toBe(3n);
  });

  test('stepDone: a released CPU retires exactly one instruction and is held again', () => {
    const b = boardWith(['mov x0, #1', 'mov x0, #2', 'mov x0, #3', '1: b 1b']);
    const c = b.cpus[0];
    c.hold();
    let done = 0;
    c.stepDone = () => done++;
    c.release();
    expect(c.run(1000)).toBe(1);
    expect(done).toBe(1);
    expect(c.state).toBe(RunState.Held);
    expect(c.getX(0)).toBe(1n);
    expect(c.pc).toBe(BASE + 4);
  });
});
