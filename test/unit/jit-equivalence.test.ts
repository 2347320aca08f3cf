/**
 * The block compiler (engine 'jit') against the interpreter (engine 'interp', the reference)
 * on random A64 code: hot loops of random data-processing, load/store and branch words,
 * run on two identical boards in random budget slices. After every slice both must have
 * retired the same number of instructions and hold the same registers, flags, PC,
 * exception registers and data memory — including faults (unaligned or out-of-RAM
 * accesses take the same data abort at the same instruction count).
 * Plus the invalidation paths: self-modifying code, debugger writes, code hooks, watched
 * pages (Bus PAGE_WATCH) and interrupts made takeable mid-block.
 */
import fc from 'fast-check';
import { Board } from '../../src/machine/board';
import { PAGE_WATCH } from '../../src/machine/bus';
import { RunState } from '../../src/machine/cpu/cpu';
import type { Cpu, CpuEngine } from '../../src/machine/cpu/cpu';
import { decode } from '../../src/machine/cpu/decode';
import { COMPILE_THRESHOLD } from '../../src/machine/cpu/block-cache';
import { assemble } from './helpers/assemble';

const BASE = 0x4020_0000;
/** Vector table: every synchronous exception parks in `b .` at VBAR + 0x200. */
const VBAR = BASE + 0x800;
const DATA = BASE + 0x10000;
const DATA_LEN = 0x10000;

function makeBoard(engine: CpuEngine): Board {
  return new Board({ cpus: 1, memoryMiB: 16, bootargs: '', engine });
}

function bytesOf(words: number[]): Uint8Array {
  const data = new Uint8Array(words.length * 4);
  const dv = new DataView(data.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  return data;
}

/** The architectural state both engines must agree on. */
function snapshot(b: Board): unknown {
  const c = b.cpus[0];
  return {
    x: Array.from({ length: 33 }, (_, i) => c.getX(i).toString(16)),
    nzcv: [c.n, c.z, c.c, c.v],
    pc: c.pc.toString(16),
    esr: c.esr,
    elr: c.elr,
    far: c.far,
    daif: c.daif,
    state: c.state,
    retired: c.retired,
  };
}

function dataHash(b: Board): number {
  const off = DATA - b.bus.ramBase;
  let h = 0;
  const r = b.bus.ram;
  for (let i = off; i < off + DATA_LEN; i++) h = (Math.imul(h, 31) + r[i]) | 0;
  return h;
}

/** Load `words` at BASE (then `b BASE`), the vector park, random data, and registers. */
function setUp(b: Board, words: number[], regs: bigint[], nzcv: number, dataSeed: number): void {
  const loop = (0x14000000 | ((-words.length) & 0x3ffffff)) >>> 0; // b BASE
  b.bus.debugWrite(BASE, bytesOf([...words, loop]));
  b.bus.debugWrite(VBAR + 0x200, bytesOf([0x14000000])); // b .
  const data = new Uint8Array(DATA_LEN);
  let s = dataSeed | 1;
  for (let i = 0; i < DATA_LEN; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    data[i] = s & 0xff;
  }
  b.bus.debugWrite(DATA, data);
  const c = b.cpus[0];
  c.state = RunState.Running;
  c.pc = BASE;
  c.vbar = BigInt(VBAR);
  c.setPstate(0x3c5 | (nzcv << 28));
  regs.forEach((v, i) => c.setX(i, v));
  c.retired = 0;
}

// ---- random words, by class ----

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const pointerReg = fc.integer({ min: 0, max: 3 });
const valueReg = fc.integer({ min: 4, max: 30 });

/** Data processing, immediate (bits 28:26 = 100). */
const dpImm = u32.map((r) => ((r & 0xe3ffffff) | 0x10000000) >>> 0);
/** Data processing, register (bits 27:25 = 101), Rd kept off the pointer registers. */
const dpReg = fc.tuple(u32, valueReg).map(([r, d]) => (((r & 0xf1ffffe0) | 0x0a000000 | d) >>> 0));
/** Loads and stores (bits 27 = 1, 25 = 0, V = 0) based on a pointer register, data in x4..x30. */
const ldst = fc.tuple(u32, pointerReg, valueReg, valueReg).map(
  ([r, n, t, t2]) => (((r & 0xf1ff_0000 & ~(1 << 26)) | 0x0800_0000 | (r & 0x0000_8000) | (t2 << 10) | (n << 5) | t) >>> 0),
);
/** Single loads/stores with unsigned offsets (the commonest form), any size. */
const ldstUnsigned = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0x3f }), pointerReg, valueReg).map(
  ([size, opc, imm, n, t]) => ((size << 30) | (0x39 << 24) | (opc << 22) | (imm << 10) | (n << 5) | t) >>> 0,
);

/** Branches whose targets stay inside the program (0..len) so the loop stays hot. */
function branchTo(kind: number, at: number, target: number, r: number): number {
  const off = target - at;
  switch (kind) {
    case 0: // B.cond
      return (0x54000000 | ((off & 0x7ffff) << 5) | (r & 0xf)) >>> 0;
    case 1: // CBZ/CBNZ, W or X
      return ((r & 0x80000000) | 0x34000000 | (r & 0x01000000) | ((off & 0x7ffff) << 5) | (4 + (r >>> 8) % 27)) >>> 0;
    case 3: // BR/BLR/RET to a register (random values: mostly fetch aborts, sometimes back into the loop)
      return (0xd61f0000 | (((r >>> 4) % 3) << 21) | ((4 + (r >>> 8) % 27) << 5)) >>> 0;
    default: // TBZ/TBNZ
      return ((r & 0x80000000) | 0x36000000 | (r & 0x01000000) | (((r >>> 3) & 31) << 19) | ((off & 0x3fff) << 5) | (4 + (r >>> 8) % 27)) >>> 0;
  }
}

type Slot = { kind: 'word'; word: number } | { kind: 'branch'; type: number; r: number; target: number };

const slot: fc.Arbitrary<Slot> = fc.oneof(
  { weight: 4, arbitrary: dpImm.map((word) => ({ kind: 'word' as const, word })) },
  { weight: 4, arbitrary: dpReg.map((word) => ({ kind: 'word' as const, word })) },
  { weight: 3, arbitrary: ldst.map((word) => ({ kind: 'word' as const, word })) },
  { weight: 3, arbitrary: ldstUnsigned.map((word) => ({ kind: 'word' as const, word })) },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.integer({ min: 0, max: 3 }), u32, fc.integer({ min: 0, max: 12 })).map(([type, r, target]) => ({ kind: 'branch' as const, type, r, target })),
  },
);

function materialise(slots: Slot[]): number[] {
  const words: number[] = [];
  slots.forEach((s, i) => {
    if (s.kind === 'branch') {
      words.push(branchTo(s.type, i, Math.min(s.target, slots.length), s.r));
      return;
    }
    // Keep only words the interpreter decodes (UNDEFINED ones would end every run at once).
    words.push(decode(s.word | 0, BASE + i * 4) ? s.word : 0xd503201f);
  });
  return words;
}

const regValue = fc.oneof(
  fc.bigUintN(64),
  fc.constantFrom(0n, 1n, 0xffffffffn, 0x80000000n, 0x7fffffffffffffffn, 0xffffffffffffffffn, 0x100000000n),
  fc.integer({ min: -70000, max: 70000 }).map((v) => BigInt.asUintN(64, BigInt(v))),
  // Addresses of the program itself, for the register branches.
  fc.integer({ min: 0, max: 13 }).map((i) => BigInt(BASE + i * 4)),
);
/** Pointers into the data area: mostly aligned, sometimes not (alignment faults). */
const pointer = fc.tuple(fc.integer({ min: 0x1000, max: DATA_LEN - 0x1000 }), fc.integer({ min: 0, max: 9 })).map(
  ([o, mis]) => BigInt(DATA + (o & ~7) + (mis < 8 ? 0 : mis - 7)),
);

describe('jit engine matches the interpreter', () => {
  const interp = makeBoard('interp');
  const jit = makeBoard('jit');

  test('random hot loops, random budget slices: same counts, registers, flags, faults and memory', () => {
    fc.assert(
      fc.property(
        fc.array(slot, { minLength: 1, maxLength: 12 }),
        fc.array(pointer, { minLength: 4, maxLength: 4 }),
        fc.array(regValue, { minLength: 27, maxLength: 27 }),
        fc.integer({ min: 0, max: 15 }),
        fc.integer(),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 8, maxLength: 8 }),
        (slots, ptrs, vals, nzcv, dataSeed, slices) => {
          const words = materialise(slots);
          const regs = [...ptrs, ...vals];
          for (const b of [interp, jit]) setUp(b, words, regs, nzcv, dataSeed);
          for (const n of slices) {
            const ri = interp.cpus[0].run(n);
            const rj = jit.cpus[0].run(n);
            expect(rj).toBe(ri);
            expect(snapshot(jit)).toEqual(snapshot(interp));
          }
          expect(dataHash(jit)).toBe(dataHash(interp));
        },
      ),
      { seed: 0x6b676462, numRuns: 400 },
    );
  });

  test('the loop really runs compiled: a hot block exists after enough passes', () => {
    const b = makeBoard('jit');
    setUp(b, assemble('add x4, x4, #1\ncmp x4, #1000'), [], 0, 1);
    b.cpus[0].run(COMPILE_THRESHOLD * 4 + 10);
    expect(b.code.blocks.lookup(BASE, false)).toBeDefined();
  });

  test('one region serves every hot basic block of a loop; a path not run yet stays out of it', () => {
    // Two hot targets (1: and 2:) and a path (3:) first taken after 200 passes.
    const b = makeBoard('jit');
    const words = assemble(['1: add x4, x4, #1', 'cmp x4, #200', 'b.hi 3f', '2: add x5, x5, #1', 'b 1b', '3: add x6, x6, #1', 'b 2b'].join('\n'));
    setUp(b, words, [], 0, 1);
    b.cpus[0].run(COMPILE_THRESHOLD * 5 * 5);
    const at = (i: number) => b.code.blocks.lookup(BASE + i * 4, false);
    expect(at(0)?.block).toBeDefined();
    expect(at(3)?.block).toBe(at(0)?.block);
    expect(at(5)).toBeUndefined(); // 3: has not run: not part of the region
    b.cpus[0].run(5 * 400);
    expect(b.cpus[0].getX(6)).toBeGreaterThan(0n);
    expect(at(5)?.block).toBeDefined(); // hot now: compiled as a region of its own
    expect(at(5)?.block).not.toBe(at(0)?.block);
  });
});

/** Run `lines` on both engines in the given slices; expect identical snapshots after each. */
function runBoth(lines: string, slices: number[], prepare?: (b: Board) => void, between?: (b: Board, i: number) => void): Board[] {
  const boards = [makeBoard('interp'), makeBoard('jit')];
  for (const b of boards) {
    setUp(b, assemble(lines), [BigInt(DATA)], 0, 7);
    prepare?.(b);
  }
  slices.forEach((n, i) => {
    const counts = boards.map((b) => b.cpus[0].run(n));
    expect(counts[1]).toBe(counts[0]);
    expect(snapshot(boards[1])).toEqual(snapshot(boards[0]));
    if (between) for (const b of boards) between(b, i);
  });
  expect(dataHash(boards[1])).toBe(dataHash(boards[0]));
  return boards;
}

describe('jit invalidation and stops', () => {
  test('self-modifying code: a store over a later instruction of the running loop is seen at once', () => {
    // x5 counts passes; after 100 passes the loop overwrites its own `add x6, x6, #1` with
    // `add x6, x6, #2` (word in x7), inside the hot (compiled) loop.
    const [, jit] = runBoth(
      [
        'adr x8, 2f',
        'ldr w7, 3f',
        '1: add x5, x5, #1',
        'cmp x5, #100',
        'b.ne 2f',
        'str w7, [x8]',
        '2: add x6, x6, #1',
        'b 1b',
        '3: add x6, x6, #2',
      ].join('\n'),
      [500, 777, 1000, 3],
    );
    expect(jit.cpus[0].getX(6)).toBeGreaterThan(0n);
  });

  test('a debugger write (Bus.debugWrite, e.g. a breakpoint) over compiled code takes effect', () => {
    const brk = bytesOf([0xd4200000]); // brk #0
    runBoth('1: add x4, x4, #1\nadd x5, x5, #2\nb 1b', [400, 400, 50], undefined, (b, i) => {
      if (i === 0) b.bus.debugWrite(BASE + 4, brk);
    });
  });

  test('a code hook added inside a compiled block runs, and holds the CPU at that instruction', () => {
    const seen: number[][] = [[], []];
    const boards = runBoth('1: add x4, x4, #1\nadd x5, x5, #2\nadd x6, x6, #3\nb 1b', [400, 300, 10], undefined, (b, i) => {
      if (i !== 0) return;
      const k = b.cpus[0].engine === 'jit' ? 1 : 0;
      b.code.addHook(BASE + 8, (cpu: Cpu, pc: number) => {
        seen[k].push(pc);
        cpu.hold();
        return true;
      });
    });
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[0]).toEqual([BASE + 8]);
    expect(boards[1].cpus[0].state).toBe(RunState.Held);
  });

  test('watched pages (PAGE_WATCH) send compiled loads and stores to the slow path', () => {
    const touched: number[][] = [[], []];
    runBoth(
      '1: ldr x4, [x0]\nadd x4, x4, #1\nstr x4, [x0, #8]\nb 1b',
      [300, 300],
      (b) => {
        const k = b.cpus[0].engine === 'jit' ? 1 : 0;
        const cpu = b.cpus[0];
        const load = cpu.loadSlow.bind(cpu);
        const store = cpu.storeSlow.bind(cpu);
        cpu.loadSlow = (pc, addr, size) => {
          touched[k].push(addr);
          return load(pc, addr, size);
        };
        cpu.storeSlow = (pc, addr, size, v) => {
          touched[k].push(addr);
          store(pc, addr, size, v);
        };
      },
      (b, i) => {
        if (i === 0) b.bus.pageFlags[(DATA - b.bus.ramBase) >>> 12] |= PAGE_WATCH;
      },
    );
    expect(touched[0].length).toBeGreaterThan(100);
    expect(touched[1]).toEqual(touched[0]);
  });

  test('an interrupt made takeable mid-block (MSR DAIFClr) is taken after the same instruction', () => {
    runBoth(
      '1: add x4, x4, #1\nmsr daifclr, #2\nadd x5, x5, #1\nmsr daifset, #2\nb 1b',
      [400, 33, 1, 2, 300],
      undefined,
      (b, i) => {
        if (i === 0) b.cpus[0].irqLine = true;
      },
    );
  });
});

/**
 * Compiled regions keep registers and NZCV in JavaScript locals and write them back only
 * when they leave, call an interpreter Exec, or bail to the interpreter (a load or store off
 * the RAM fast path). These check that whatever the interpreter then sees — a fault's
 * exception entry, an MMIO access, a watchpoint, a store over code — finds the registers
 * and flags exactly as the reference leaves them.
 */
describe('jit register and flag locals', () => {
  /** Flag setters (ADDS/SUBS/ANDS immediate and register), flag readers, loads and stores. */
  const setter = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0xfff }), valueReg, valueReg, fc.integer({ min: 0, max: 1 })).map(
    ([kind, imm, n, d, sf]) => {
      const rd = kind === 3 ? 31 : d; // CMP/CMN/TST write only the flags
      if (kind === 2) return ((sf << 31) | 0x72000000 | (1 << 22) | (n << 5) | rd) >>> 0; // ANDS #imm (N=1 immr=0 imms=0: #1)
      return ((sf << 31) | (kind === 0 ? 0x31000000 : 0x71000000) | (imm << 10) | (n << 5) | rd) >>> 0; // ADDS/SUBS #imm
    },
  );
  const reader = fc.tuple(fc.integer({ min: 0, max: 15 }), valueReg, valueReg, valueReg).map(
    ([cond, n, m, d]) => (0x9a800000 | (m << 16) | (cond << 12) | (n << 5) | d) >>> 0, // CSEL Xd, Xn, Xm, cond
  );
  const flagSlot: fc.Arbitrary<Slot> = fc.oneof(
    { weight: 4, arbitrary: setter.map((word) => ({ kind: 'word' as const, word })) },
    { weight: 2, arbitrary: reader.map((word) => ({ kind: 'word' as const, word })) },
    { weight: 3, arbitrary: ldst.map((word) => ({ kind: 'word' as const, word })) },
    { weight: 2, arbitrary: dpImm.map((word) => ({ kind: 'word' as const, word })) },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom(0, 0, 1, 2), u32, fc.integer({ min: 0, max: 12 })).map(([type, r, target]) => ({ kind: 'branch' as const, type, r, target })),
    },
  );

  test('random blocks where flags are set, overwritten and read around faulting loads and stores', () => {
    const interp = makeBoard('interp');
    const jit = makeBoard('jit');
    fc.assert(
      fc.property(
        fc.array(flagSlot, { minLength: 2, maxLength: 14 }),
        fc.array(pointer, { minLength: 4, maxLength: 4 }),
        fc.array(regValue, { minLength: 27, maxLength: 27 }),
        fc.integer({ min: 0, max: 15 }),
        fc.integer(),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 6, maxLength: 6 }),
        (slots, ptrs, vals, nzcv, dataSeed, slices) => {
          const words = materialise(slots);
          for (const b of [interp, jit]) setUp(b, words, [...ptrs, ...vals], nzcv, dataSeed);
          for (const n of slices) {
            expect(jit.cpus[0].run(n)).toBe(interp.cpus[0].run(n));
            expect(snapshot(jit)).toEqual(snapshot(interp));
          }
          expect(dataHash(jit)).toBe(dataHash(interp));
        },
      ),
      { seed: 0x4a495421, numRuns: 300 },
    );
  });

  test('a fault in the middle of a hot block sees the registers and flags written before it', () => {
    // After 300 passes x0 becomes misaligned: the ldr takes an alignment fault with x4, x5,
    // x7 and NZCV (from the subs) as this pass of the loop left them.
    const [interp, jit] = runBoth(
      ['1: add x4, x4, #1', 'subs x5, x4, #300', 'b.ne 2f', 'add x0, x0, #1', '2: add x7, x7, x4', 'ldr x6, [x0]', 'adds x7, x7, x6', 'b 1b'].join('\n'),
      [1000, 1000, 500, 7],
    );
    expect(jit.cpus[0].esr >>> 26).toBe(0x25); // data abort, same EL
    expect(jit.cpus[0].getX(4)).toBe(300n);
    expect(jit.cpus[0].far).toBe(interp.cpus[0].far);
  });

  test('MMIO loads and stores inside a hot block (PL011 DR and FR) run through the interpreter', () => {
    const uart = BigInt(0x0900_0000);
    runBoth(
      ['1: add x4, x4, #1', 'and x5, x4, #0x3f', 'add x5, x5, #0x30', 'str w5, [x1]', 'ldr w6, [x1, #0x18]', 'add x7, x7, x6', 'cmp x4, #4000', 'b.ne 1b', 'b .'].join('\n'),
      [700, 900, 1500, 3],
      (b) => b.cpus[0].setX(1, uart),
    );
  });

  test('pairs: one crossing a page boundary, and a pair store over the running code', () => {
    // x0 + 0xff8: the 16-byte pair straddles two pages (bails; the interpreter makes both
    // accesses). After 50 passes an stp rewrites the two adds at 2: to `add x6, x6, #2`.
    const [, jit] = runBoth(
      [
        'adr x8, 2f',
        'ldr w7, 3f',
        'add x10, x0, #0xff8',
        '1: add x4, x4, #1',
        'stp x4, x5, [x10]',
        'ldp x11, x12, [x10]',
        'cmp x4, #50',
        'b.ne 2f',
        'stp w7, w7, [x8]',
        '2: add x6, x6, #1',
        'add x9, x9, #1',
        'b 1b',
        '3: add x6, x6, #2',
      ].join('\n'),
      [300, 333, 1000, 5],
    );
    expect(jit.cpus[0].getX(9)).toBe(49n);
  });
});

describe('jit 64-bit carries in int32 arithmetic', () => {
  test('ADD/SUB/ADDS/SUBS carries and borrows across the 32-bit boundary, CSINC/CSNEG at 0 and -1', () => {
    // x4 walks up through 0xffff_fff0.. and x5 down through 0x1_0000_0010..; the compares,
    // csinc and csneg see low words at 0, -1 and around, and the flags come from 64-bit
    // subtractions whose low half borrows.
    runBoth(
      [
        '1: add x4, x4, #3',
        'sub x5, x5, #5',
        'adds x6, x4, #0xffe',
        'subs x7, x5, #0x7ff, lsl #12',
        'csinc x8, x4, x5, cc',
        'csneg x9, x5, x4, mi',
        'cmp x4, x5',
        'cset x10, hi',
        'add x11, x11, x10',
        'adds w12, w4, w5',
        'csinc x13, x12, x4, vs',
        'b 1b',
      ].join('\n'),
      [700, 333, 1000, 19],
      (b) => {
        b.cpus[0].setX(4, 0xffff_ff40n); // crosses 2^32 after ~64 passes: compiled by then
        b.cpus[0].setX(5, 0x1_0000_0140n);
      },
    );
  });
});
