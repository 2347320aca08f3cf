/**
 * The frame-record unwinder (src/debug/unwind.ts) on synthetic stacks: records followed
 * upwards, a leaf's caller from x30, exception frames recognised by their pt_regs (and the
 * interrupted leaf's caller from the saved x30), and the checks that end a walk.
 */
import { PT_REGS_STACKFRAME, unwind, type FunctionSymbol } from '../../src/debug/unwind';
import { PT_REGS_PC, PT_REGS_X0 } from '../../src/debug/pt-regs';

/** Functions at 0x1000 steps: f0 at 0x1000 … f9 at 0xa000, each 0x100 bytes. */
const lookup = (a: number): FunctionSymbol | undefined => {
  const i = Math.floor(a / 0x1000) - 1;
  const off = a % 0x1000;
  return i >= 0 && i < 10 && off < 0x100 ? { name: `f${i}`, offset: off, size: 0x100 } : undefined;
};
const fn = (i: number, off: number): number => (i + 1) * 0x1000 + off;

class Memory {
  private readonly words = new Map<number, bigint>();
  set(addr: number, v: number): this {
    this.words.set(addr, BigInt(v));
    return this;
  }
  /** A frame record {fp, lr} at `at`. */
  record(at: number, fp: number, lr: number): this {
    return this.set(at, fp).set(at + 8, lr);
  }
  read = (addr: number, len: number): Uint8Array | undefined => {
    if (len !== 8 || !this.words.has(addr)) return undefined;
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, this.words.get(addr)!, true);
    return b;
  };
}

test('follows records upwards, symbolizing return addresses by their call instruction', () => {
  const m = new Memory().record(0x8000, 0x8040, fn(1, 0x20)).record(0x8040, 0x8080, fn(2, 0x100)).record(0x8080, 0, 0);
  const frames = unwind(m.read, lookup, { pc: fn(0, 0x10), fp: 0x8000, lr: fn(1, 0x20) });
  expect(frames.map((f) => [f.text, f.kind])).toEqual([
    ['f0+0x10/0x100', 'pc'],
    ['f1+0x20/0x100', 'return'],
    // A noreturn call as the last instruction: the return address is one past the function.
    ['f2+0x100/0x100', 'return'],
  ]);
});

test("a leaf function's caller comes from x30 when the first record does not hold it", () => {
  const m = new Memory().record(0x8000, 0, fn(2, 0x8));
  const frames = unwind(m.read, lookup, { pc: fn(0, 0x4), fp: 0x8000, lr: fn(1, 0x30) });
  expect(frames.map((f) => [f.function, f.kind])).toEqual([
    ['f0', 'pc'],
    ['f1', 'lr'],
    ['f2', 'return'],
  ]);
  // x30 pointing into the function itself (after a call it made returned) is no caller.
  const same = unwind(m.read, lookup, { pc: fn(0, 0x40), fp: 0x8000, lr: fn(0, 0x20) });
  expect(same.map((f) => f.function)).toEqual(['f0', 'f2']);
});

test('an exception frame is recognised by its pt_regs, its pc is exact, and the interrupted leaf gets its caller', () => {
  const regs = 0x9000;
  const frame = regs + PT_REGS_STACKFRAME;
  const m = new Memory()
    .record(0x8f00, frame, fn(4, 0x10)) // handler → the vector's frame record
    .record(frame, 0x9800, fn(5, 0x8)) // {interrupted x29, ELR}
    .set(regs + PT_REGS_PC, fn(5, 0x8))
    .set(regs + PT_REGS_X0 + 29 * 8, 0x9800)
    .set(regs + PT_REGS_X0 + 30 * 8, fn(6, 0x14))
    .record(0x9800, 0, fn(7, 0x4));
  const frames = unwind(m.read, lookup, { pc: fn(3, 0), fp: 0x8f00 });
  expect(frames.map((f) => [f.function, f.kind, f.ptRegs])).toEqual([
    ['f3', 'pc', undefined],
    ['f4', 'return', undefined],
    ['f5', 'exception', regs],
    ['f6', 'lr', undefined],
    ['f7', 'return', undefined],
  ]);
  expect(frames[2].text).toBe('f5+0x8/0x100');
  // The same record without a matching pt_regs is an ordinary return.
  const plain = new Memory().record(0x8f00, frame, fn(4, 0x10)).record(frame, 0, fn(5, 0x8));
  expect(unwind(plain.read, lookup, { pc: fn(3, 0), fp: 0x8f00 }).map((f) => f.kind)).toEqual(['pc', 'return', 'return']);
});

test('a walk ends at a misaligned, unreadable or downward record, and at the frame limit', () => {
  const start = { pc: fn(0, 0), fp: 0x8000 };
  expect(unwind(new Memory().record(0x8000, 0x8004, fn(1, 4)).read, lookup, start)).toHaveLength(2);
  expect(unwind(new Memory().read, lookup, start)).toHaveLength(1);
  expect(unwind(new Memory().record(0x8000, 0x7000, fn(1, 4)).record(0x7000, 0, fn(2, 4)).read, lookup, start)).toHaveLength(2);
  const loop = new Memory();
  for (let i = 0; i < 100; i++) loop.record(0x8000 + i * 16, 0x8000 + (i + 1) * 16, fn(i % 10, 4));
  expect(unwind(loop.read, lookup, start, 5)).toHaveLength(5);
  expect(unwind(new Memory().read, lookup, { pc: 0x42, fp: 0 })[0].text).toBe('0x42');
});
