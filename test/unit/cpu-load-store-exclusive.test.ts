import { PAGE_EXCLUSIVE } from '../../src/machine/bus';
import { DFSC_ALIGNMENT, EC_DATA_ABORT_SAME_EL } from '../../src/machine/cpu/exception';
import { RunState } from '../../src/machine/cpu/cpu';
import { CODE_PC, LdstRig, MMIO, RAM, asm, asm1, esrDfsc, esrEc, esrWnR } from './helpers/assemble-ldst';

/** Load/store exclusive, ordered accesses, and the global exclusive monitor. */

const LOCK = RAM + 0x2000; // 64-byte aligned
const page = (addr: number): number => (addr - RAM) >>> 12;

function setup(): LdstRig {
  const r = new LdstRig(2);
  for (const c of r.cpus) c.setX(1, BigInt(LOCK));
  return r;
}

describe('LDXR/STXR on one CPU', () => {
  test('success: reservation recorded, store done, status 0, reservation consumed', () => {
    const r = setup();
    r.poke(LOCK, 8, 0x1234n);
    r.exec(asm1('ldxr x0, [x1]'));
    const c = r.cpus[0];
    expect(r.x(0, 0)).toBe(0x1234n);
    expect(c.exclAddr).toBe(LOCK);
    expect(c.exclSize).toBe(8);
    expect(r.bus.pageFlags[page(LOCK)] & PAGE_EXCLUSIVE).toBe(PAGE_EXCLUSIVE);
    r.setX(0, 3, 0x5678n);
    r.setX(0, 2, 77n);
    r.exec(asm1('stxr w2, x3, [x1]'));
    expect(r.x(0, 2)).toBe(0n);
    expect(r.peek(LOCK, 8)).toBe(0x5678n);
    expect(c.exclAddr).toBe(-1);
    // The STXR's own store went through the hook and found no reservation left on the page.
    expect(r.bus.pageFlags[page(LOCK)] & PAGE_EXCLUSIVE).toBe(0);
  });

  test('failure without a reservation: status 1, nothing stored', () => {
    const r = setup();
    r.poke(LOCK, 8, 0x1234n);
    r.setX(0, 3, 0x5678n);
    r.exec(asm1('stxr w2, x3, [x1]'));
    expect(r.x(0, 2)).toBe(1n);
    expect(r.peek(LOCK, 8)).toBe(0x1234n);
  });

  test('a second STXR fails: the first one consumed the reservation', () => {
    const r = setup();
    r.exec(asm1('ldaxr w0, [x1]'));
    r.exec(asm1('stlxr w2, w3, [x1]'));
    expect(r.x(0, 2)).toBe(0n);
    r.exec(asm1('stlxr w2, w3, [x1]'));
    expect(r.x(0, 2)).toBe(1n);
  });

  test('byte, halfword and word forms zero-extend and store their size', () => {
    const r = setup();
    r.poke(LOCK, 8, 0xf1f2f3f4f5f6f7f8n);
    const cases: [string, string, number, bigint][] = [
      ['ldxrb w0, [x1]', 'stxrb w2, w3, [x1]', 1, 0xf8n],
      ['ldaxrh w0, [x1]', 'stlxrh w2, w3, [x1]', 2, 0xf7f8n],
      ['ldxr w0, [x1]', 'stlxr w2, w3, [x1]', 4, 0xf5f6f7f8n],
      ['ldaxr x0, [x1]', 'stxr w2, x3, [x1]', 8, 0xf1f2f3f4f5f6f7f8n],
    ];
    for (const [ld, st, size, want] of cases) {
      r.poke(LOCK, 8, 0xf1f2f3f4f5f6f7f8n);
      r.setX(0, 0, -1n);
      r.exec(asm1(ld));
      expect([ld, r.x(0, 0)]).toEqual([ld, want]);
      expect(r.cpus[0].exclSize).toBe(size);
      r.setX(0, 3, 0x0102030405060708n);
      r.exec(asm1(st));
      expect(r.x(0, 2)).toBe(0n);
      const mask = (1n << BigInt(size * 8)) - 1n;
      expect(r.peek(LOCK, 8)).toBe((0xf1f2f3f4f5f6f7f8n & ~mask) | (0x0102030405060708n & mask));
    }
  });

  test('a store-exclusive of a different size than the load-exclusive fails', () => {
    const r = setup();
    r.exec(asm1('ldxr w0, [x1]'));
    r.exec(asm1('stxr w2, x3, [x1]'));
    expect(r.x(0, 2)).toBe(1n);
  });

  test('another address in the same 64-byte granule is accepted; another granule is not', () => {
    const r = setup();
    r.exec(asm1('ldxr x0, [x1]'));
    r.setX(0, 4, BigInt(LOCK + 56));
    r.exec(asm1('stxr w2, x3, [x4]'));
    expect(r.x(0, 2)).toBe(0n);
    r.exec(asm1('ldxr x0, [x1]'));
    r.setX(0, 4, BigInt(LOCK + 64));
    r.exec(asm1('stxr w2, x3, [x4]'));
    expect(r.x(0, 2)).toBe(1n);
  });

  test('the CPU own plain store to its granule keeps its reservation (documented choice)', () => {
    const r = setup();
    r.exec(asm1('ldxr x0, [x1]'));
    r.exec(asm1('str x5, [x1, #8]'));
    expect(r.cpus[0].exclAddr).toBe(LOCK);
    r.exec(asm1('stxr w2, x3, [x1]'));
    expect(r.x(0, 2)).toBe(0n);
  });

  test('status register equal to Rt: the original Rt is stored, then the status written', () => {
    const r = setup();
    r.setX(0, 3, 0xabcdef0123n);
    r.exec(asm1('ldxr x0, [x1]'));
    const [w] = asm(['stxr w3, x3, [x1]']); // CONSTRAINED UNPREDICTABLE, capstone accepts
    r.exec(w);
    expect(r.peek(LOCK, 8)).toBe(0xabcdef0123n);
    expect(r.x(0, 3)).toBe(0n);
  });

  test('a store-exclusive without a reservation fails before any alignment check (as QEMU)', () => {
    const r = setup();
    r.setX(0, 4, BigInt(LOCK + 4));
    r.setX(0, 2, 9n);
    expect(r.exec(asm1('stxr w2, x3, [x4]'))).toBe('ok');
    expect(r.x(0, 2)).toBe(1n);
    r.setX(0, 4, 0x1000n); // unmapped: no access is made, so no external abort either
    expect(r.exec(asm1('stlxr w2, w3, [x4]'))).toBe('ok');
    expect(r.x(0, 2)).toBe(1n);
  });

  test('with a reservation on the granule, an unaligned store-exclusive faults as a write', () => {
    const r = setup();
    r.exec(asm1('ldxr x0, [x1]'));
    r.setX(0, 4, BigInt(LOCK + 4));
    r.setX(0, 2, 9n);
    expect(r.exec(asm1('stxr w2, x3, [x4]'))).toBe('exception');
    const c = r.cpus[0];
    expect(esrEc(c.esr)).toBe(EC_DATA_ABORT_SAME_EL);
    expect(esrDfsc(c.esr)).toBe(DFSC_ALIGNMENT);
    expect(esrWnR(c.esr)).toBe(1);
    expect(c.far).toBe(BigInt(LOCK + 4));
    expect(c.elr).toBe(BigInt(CODE_PC));
    expect(r.x(0, 2)).toBe(9n);
    expect(c.exclAddr).toBe(-1);
  });

  test('load-exclusives fault as reads and take no reservation', () => {
    const r = setup();
    const c = r.cpus[0];
    r.setX(0, 4, BigInt(LOCK + 2));
    expect(r.exec(asm1('ldaxr w0, [x4]'))).toBe('exception');
    expect(esrDfsc(c.esr)).toBe(DFSC_ALIGNMENT);
    expect(esrWnR(c.esr)).toBe(0);
    expect(c.exclAddr).toBe(-1);
    r.setX(0, 4, BigInt(LOCK + 1));
    expect(r.exec(asm1('ldxrh w0, [x4]'))).toBe('exception');
    expect(c.far).toBe(BigInt(LOCK + 1));
  });
});

describe('exclusive pairs', () => {
  test('LDXP/STXP X: 16 bytes, first register at the lower address', () => {
    const r = setup();
    r.poke(LOCK, 16, 0x22222222_22222222_11111111_11111111n);
    r.exec(asm1('ldaxp x4, x5, [x1]'));
    expect([r.x(0, 4), r.x(0, 5)]).toEqual([0x1111111111111111n, 0x2222222222222222n]);
    expect(r.cpus[0].exclSize).toBe(16);
    r.setX(0, 6, 0xaan);
    r.setX(0, 7, 0xbbn);
    r.exec(asm1('stlxp w3, x6, x7, [x1]'));
    expect(r.x(0, 3)).toBe(0n);
    expect(r.peek(LOCK, 16)).toBe((0xbbn << 64n) | 0xaan);
  });

  test('LDXP/STXP W: one 8-byte access', () => {
    const r = setup();
    r.poke(LOCK, 8, 0x87654321_12345678n);
    r.setX(0, 4, -1n);
    r.exec(asm1('ldxp w4, w5, [x1]'));
    expect([r.x(0, 4), r.x(0, 5)]).toEqual([0x12345678n, 0x87654321n]);
    expect(r.cpus[0].exclSize).toBe(8);
    r.setX(0, 6, 0xffffffff_0000000an);
    r.setX(0, 7, 0xffffffff_0000000bn);
    r.exec(asm1('stxp w3, w6, w7, [x1]'));
    expect(r.x(0, 3)).toBe(0n);
    expect(r.peek(LOCK, 8)).toBe(0x0000000b_0000000an);
    r.exec(asm1('stxp w3, w6, w7, [x1]'));
    expect(r.x(0, 3)).toBe(1n);
  });

  test('pairs are aligned on their total size', () => {
    const r = setup();
    const c = r.cpus[0];
    r.setX(0, 2, BigInt(LOCK + 8));
    expect(r.exec(asm1('ldxp x4, x5, [x2]'))).toBe('exception');
    expect(esrDfsc(c.esr)).toBe(DFSC_ALIGNMENT);
    expect(c.far).toBe(BigInt(LOCK + 8));
    r.setX(0, 2, BigInt(LOCK + 4));
    expect(r.exec(asm1('ldxp w4, w5, [x2]'))).toBe('exception');
    // Store-exclusive pairs fault only when the reservation (same granule, same size) passes.
    r.exec(asm1('ldxp w4, w5, [x1]'));
    expect(r.exec(asm1('stxp w3, w4, w5, [x2]'))).toBe('exception');
    expect(esrWnR(c.esr)).toBe(1);
    r.exec(asm1('ldxp x4, x5, [x1]'));
    r.setX(0, 2, BigInt(LOCK + 8));
    expect(r.exec(asm1('stxp w3, x4, x5, [x2]'))).toBe('exception');
    expect(c.far).toBe(BigInt(LOCK + 8));
    r.setX(0, 3, 7n);
    expect(r.exec(asm1('stxp w3, x4, x5, [x2]'))).toBe('ok'); // reservation gone: plain failure
    expect(r.x(0, 3)).toBe(1n);
  });
});

describe('global monitor across CPUs', () => {
  test("another CPU's plain store to the granule clears the reservation and signals an event", () => {
    const r = setup();
    const [c0, c1] = r.cpus;
    r.exec(asm1('ldaxr w0, [x1]'), 0);
    c0.event = false;
    c1.setX(4, BigInt(LOCK + 60)); // last word of the same granule
    r.exec(asm1('str w5, [x4]'), 1);
    expect(c0.exclAddr).toBe(-1);
    expect(c0.event).toBe(true);
    expect(r.woken).toEqual([0]);
    expect(c1.event).toBe(false);
    r.exec(asm1('stxr w2, w3, [x1]'), 0);
    expect(r.x(0, 2)).toBe(1n);
    expect(r.bus.pageFlags[page(LOCK)] & PAGE_EXCLUSIVE).toBe(0);
  });

  test('a store to another granule on the same page leaves the reservation alone', () => {
    const r = setup();
    const [c0, c1] = r.cpus;
    r.exec(asm1('ldxr w0, [x1]'), 0);
    c1.setX(4, BigInt(LOCK + 64));
    r.exec(asm1('stp x5, x6, [x4]'), 1);
    expect(c0.exclAddr).toBe(LOCK);
    expect(c0.event).toBe(false);
    expect(r.woken).toEqual([]);
    expect(r.bus.pageFlags[page(LOCK)] & PAGE_EXCLUSIVE).toBe(PAGE_EXCLUSIVE);
    r.exec(asm1('stxr w2, w3, [x1]'), 0);
    expect(r.x(0, 2)).toBe(0n);
  });

  test('STLR unlock by one CPU wakes the other parked after LDAXR (no SEV needed)', () => {
    const r = setup();
    const c0 = r.cpus[0];
    r.poke(LOCK, 4, 1n);
    r.exec(asm1('ldaxr w0, [x1]'), 0); // sees the lock held, would now WFE
    c0.event = false;
    c0.state = RunState.Wfe;
    r.exec(asm1('stlr wzr, [x1]'), 1);
    expect(r.peek(LOCK, 4)).toBe(0n);
    expect(c0.event).toBe(true);
    expect(r.woken).toEqual([0]);
  });

  test('two CPUs race: the first STXR wins, the second fails', () => {
    const r = setup();
    const [c0, c1] = r.cpus;
    r.exec(asm1('ldxr x0, [x1]'), 0);
    r.exec(asm1('ldxr x0, [x1]'), 1);
    c1.setX(3, 11n);
    r.exec(asm1('stxr w2, x3, [x1]'), 1);
    expect(c1.getX(2)).toBe(0n);
    expect(c0.exclAddr).toBe(-1);
    expect(c0.event).toBe(true);
    c0.setX(3, 22n);
    r.exec(asm1('stxr w2, x3, [x1]'), 0);
    expect(c0.getX(2)).toBe(1n);
    expect(r.peek(LOCK, 8)).toBe(11n);
  });

  test('LSE stores clear reservations; a failed CAS (no store) does not', () => {
    const r = setup();
    const [c0, c1] = r.cpus;
    r.exec(asm1('ldxr x0, [x1]'), 0);
    c1.setX(2, 99n); // expected value does not match memory (0)
    r.exec(asm1('casal x2, x3, [x1]'), 1);
    expect(c0.exclAddr).toBe(LOCK);
    r.exec(asm1('stadd x5, [x1]'), 1);
    expect(c0.exclAddr).toBe(-1);
    expect(c0.event).toBe(true);
  });

  test('a flag left behind by CLREX is dropped at the next store to the page', () => {
    const r = setup();
    const c0 = r.cpus[0];
    r.exec(asm1('ldxr x0, [x1]'), 0);
    c0.exclAddr = -1; // what CLREX or exception entry do
    expect(r.bus.pageFlags[page(LOCK)] & PAGE_EXCLUSIVE).toBe(PAGE_EXCLUSIVE);
    r.exec(asm1('str x0, [x1, #0x800]'), 1);
    expect(r.bus.pageFlags[page(LOCK)] & PAGE_EXCLUSIVE).toBe(0);
    expect(c0.event).toBe(false); // it held nothing, so no event
  });

  test('monitor.clear, holdersOf and clearAll', () => {
    const r = setup();
    const [c0, c1] = r.cpus;
    r.exec(asm1('ldxr x0, [x1]'), 0);
    r.exec(asm1('ldxr x0, [x1]'), 1);
    expect(r.monitor.holdersOf(LOCK + 8)).toEqual([0, 1]);
    r.monitor.clear(c0);
    expect(c0.exclAddr).toBe(-1);
    expect(r.bus.pageFlags[page(LOCK)] & PAGE_EXCLUSIVE).toBe(PAGE_EXCLUSIVE); // CPU 1 still holds
    r.monitor.clear(c1);
    expect(r.bus.pageFlags[page(LOCK)] & PAGE_EXCLUSIVE).toBe(0);
    r.exec(asm1('ldxr x0, [x1]'), 1);
    r.monitor.clearAll();
    expect(c1.exclAddr).toBe(-1);
    expect(r.bus.pageFlags[page(LOCK)] & PAGE_EXCLUSIVE).toBe(0);
  });

  test('exclusives on MMIO are plain device accesses', () => {
    const r = setup();
    r.cpus[0].setX(4, BigInt(MMIO + 8));
    r.exec(asm1('ldxr w0, [x4]'));
    r.setX(0, 3, 0x77n);
    r.exec(asm1('stxr w2, w3, [x4]'));
    expect(r.x(0, 2)).toBe(0n);
    expect(r.dev.log.map((a) => [a.write, a.offset, a.size, a.value])).toEqual([
      [false, 8, 4, 0xabaaa9a8],
      [true, 8, 4, 0x77],
    ]);
  });
});

describe('LDAR/STLR', () => {
  test('all sizes', () => {
    const r = setup();
    r.poke(LOCK, 8, 0x8182838485868788n);
    const loads: [string, bigint][] = [
      ['ldarb w0, [x1]', 0x88n],
      ['ldarh w0, [x1]', 0x8788n],
      ['ldar w0, [x1]', 0x85868788n],
      ['ldar x0, [x1]', 0x8182838485868788n],
    ];
    for (const [text, want] of loads) {
      r.setX(0, 0, -1n);
      r.exec(asm1(text));
      expect([text, r.x(0, 0)]).toEqual([text, want]);
    }
    r.setX(0, 3, 0x1122334455667788n);
    r.exec(asm1('stlrb w3, [x1]'));
    expect(r.peek(LOCK, 8)).toBe(0x8182838485868788n);
    r.exec(asm1('stlrh w3, [x1, #0]'));
    r.setX(0, 4, BigInt(LOCK + 8));
    r.exec(asm1('stlr w3, [x4]'));
    r.setX(0, 4, BigInt(LOCK + 16));
    r.exec(asm1('stlr x3, [x4]'));
    expect(r.peek(LOCK, 8)).toBe(0x8182838485867788n);
    expect(r.peek(LOCK + 8, 8)).toBe(0x55667788n);
    expect(r.peek(LOCK + 16, 8)).toBe(0x1122334455667788n);
    r.setX(0, 4, BigInt(LOCK + 2));
    expect(r.exec(asm1('ldar w0, [x4]'))).toBe('exception');
    expect(esrDfsc(r.cpus[0].esr)).toBe(DFSC_ALIGNMENT);
  });

  test('SP as base', () => {
    const r = setup();
    r.setX(0, 32, BigInt(LOCK));
    r.setX(0, 3, 0x42n);
    r.exec(asm1('stlr x3, [sp]'));
    r.exec(asm1('ldar x5, [sp]'));
    expect(r.x(0, 5)).toBe(0x42n);
  });
});

describe('integration through Cpu.run', () => {
  test('two CPUs interleaved one instruction at a time increment a counter atomically', () => {
    const r = setup();
    // x1 = &counter, x9 = iterations.
    const prog = asm([
      'ldaxr w0, [x1]',
      'add w0, w0, #1',
      'stlxr w2, w0, [x1]',
      'cbnz w2, .-12',
      'subs x9, x9, #1',
      'b.ne .-20',
      'b .',
    ]);
    const base = RAM + 0x4_0000;
    prog.forEach((w, i) => r.poke(base + 4 * i, 4, BigInt(w)));
    const iters = [37, 53];
    r.cpus.forEach((c, i) => {
      c.pc = base;
      c.state = RunState.Running;
      c.setX(9, BigInt(iters[i]));
    });
    const done = (i: number): boolean => r.cpus[i].pc === base + 4 * 6;
    let steps = 0;
    while (!(done(0) && done(1)) && steps < 100000) {
      // A pattern that makes both CPUs' exclusive windows overlap often.
      for (let i = 0; i < 2; i++) if (!done(i)) r.cpus[i].run(1 + ((steps >> i) % 3));
      steps++;
    }
    expect(r.peek(LOCK, 4)).toBe(BigInt(iters[0] + iters[1]));
  });
});
