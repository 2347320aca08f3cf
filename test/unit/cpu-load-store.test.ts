import { PAGE_CODE } from '../../src/machine/bus';
import { DFSC_ALIGNMENT, DFSC_EXTERNAL, EC_DATA_ABORT_SAME_EL } from '../../src/machine/cpu/exception';
import { RecordingDevice, CODE_PC, LdstRig, MMIO, RAM, asm, asm1, esrDfsc, esrEc, esrWnR } from './helpers/assemble-ldst';

/** Single-register and pair loads/stores: addressing modes, extension, write-back, faults, MMIO. */

const BUF = RAM + 0x1000;
const M64 = (1n << 64n) - 1n;

function rig(): LdstRig {
  return new LdstRig(2);
}

/** Check the last exception on CPU 0 was a same-EL data abort with these fields. */
function expectAbort(r: LdstRig, dfsc: number, far: bigint, wnr: number, cpu = 0): void {
  const c = r.cpus[cpu];
  expect(esrEc(c.esr)).toBe(EC_DATA_ABORT_SAME_EL);
  expect(esrDfsc(c.esr)).toBe(dfsc);
  expect(esrWnR(c.esr)).toBe(wnr);
  expect(c.far).toBe(far);
  expect(c.elr).toBe(BigInt(CODE_PC));
}

describe('LDR/STR immediate', () => {
  test('unsigned offset, all load sizes and extensions', () => {
    const r = rig();
    // Bytes at BUF: 80 81 82 83 84 85 86 87 (all have the sign bit set at every width).
    r.poke(BUF, 8, 0x8786858483828180n);
    r.poke(BUF + 8, 8, 0x0f0e0d0c0b0a097fn); // 0x7f byte, 0x097f half, 0x0b0a097f word: positive
    const cases: [string, bigint][] = [
      ['ldrb w0, [x1]', 0x80n],
      ['ldrsb w0, [x1]', 0xffffff80n],
      ['ldrsb x0, [x1]', 0xffffffffffffff80n],
      ['ldrh w0, [x1]', 0x8180n],
      ['ldrsh w0, [x1]', 0xffff8180n],
      ['ldrsh x0, [x1]', 0xffffffffffff8180n],
      ['ldr w0, [x1]', 0x83828180n],
      ['ldrsw x0, [x1]', 0xffffffff83828180n],
      ['ldr x0, [x1]', 0x8786858483828180n],
      ['ldrsb w0, [x1, #8]', 0x7fn],
      ['ldrsb x0, [x1, #8]', 0x7fn],
      ['ldrsh x0, [x1, #8]', 0x097fn],
      ['ldrsw x0, [x1, #8]', 0x0b0a097fn],
      ['ldrb w0, [x1, #7]', 0x87n],
      ['ldrh w0, [x1, #6]', 0x8786n],
      ['ldr w0, [x1, #4]', 0x87868584n],
      ['ldr x0, [x1, #8]', 0x0f0e0d0c0b0a097fn],
    ];
    const words = asm(cases.map((k) => k[0]));
    cases.forEach(([text, want], i) => {
      r.setX(0, 0, M64); // stale high bits must be cleared by W loads
      r.setX(0, 1, BigInt(BUF));
      expect(r.exec(words[i])).toBe('ok');
      expect([text, r.x(0, 0)]).toEqual([text, want]);
      expect(r.x(0, 1)).toBe(BigInt(BUF));
    });
  });

  test('largest scaled unsigned offset', () => {
    const r = rig();
    r.poke(BUF + 4095 * 8, 8, 0x1234n);
    r.setX(0, 1, BigInt(BUF));
    r.exec(asm1('ldr x5, [x1, #32760]'));
    expect(r.x(0, 5)).toBe(0x1234n);
  });

  test('stores write exactly their size', () => {
    const r = rig();
    const cases: [string, number, bigint][] = [
      ['strb w0, [x1, #3]', 3, 0xffffffff88ffffffn],
      ['strh w0, [x1, #2]', 2, 0xffffffff7788ffffn],
      ['str w0, [x1, #4]', 4, 0x55667788ffffffffn],
      ['str x0, [x1]', 0, 0x1122334455667788n],
      ['stur w0, [x1, #-4]', -4, 0x55667788n],
    ];
    const words = asm(cases.map((k) => k[0]));
    cases.forEach(([, , want], i) => {
      r.poke(BUF - 8, 24, (1n << 192n) - 1n);
      r.setX(0, 0, 0x1122334455667788n);
      r.setX(0, 1, BigInt(BUF));
      expect(r.exec(words[i])).toBe('ok');
      if (i < 4) expect(r.peek(BUF, 8)).toBe(want);
      else expect(r.peek(BUF - 8, 8)).toBe(0x55667788ffffffffn);
    });
  });

  test('LDUR/STUR negative unscaled offsets', () => {
    const r = rig();
    r.poke(BUF - 8, 8, 0xa1a2a3a4a5a6a7a8n);
    r.setX(0, 1, BigInt(BUF));
    r.exec(asm1('ldur x0, [x1, #-8]'));
    expect(r.x(0, 0)).toBe(0xa1a2a3a4a5a6a7a8n);
    r.exec(asm1('ldursh x2, [x1, #-2]'));
    expect(r.x(0, 2)).toBe(0xffffffffffffa1a2n);
    r.setX(0, 3, 0xdeadbeefn);
    r.exec(asm1('stur w3, [x1, #-256]'));
    expect(r.peek(BUF - 256, 4)).toBe(0xdeadbeefn);
  });

  test('pre-index and post-index write back the base', () => {
    const r = rig();
    r.poke(BUF + 8, 8, 0x1111n);
    r.poke(BUF, 8, 0x2222n);
    r.setX(0, 1, BigInt(BUF));
    r.exec(asm1('ldr x0, [x1, #8]!'));
    expect(r.x(0, 0)).toBe(0x1111n);
    expect(r.x(0, 1)).toBe(BigInt(BUF + 8));
    r.exec(asm1('ldr x0, [x1], #-8'));
    expect(r.x(0, 0)).toBe(0x1111n); // loaded from the old base
    expect(r.x(0, 1)).toBe(BigInt(BUF));
    r.exec(asm1('ldrsh w2, [x1], #255'));
    expect(r.x(0, 2)).toBe(0x2222n);
    expect(r.x(0, 1)).toBe(BigInt(BUF + 255));
    r.setX(0, 1, BigInt(BUF + 0x100));
    r.setX(0, 4, 0xabn);
    r.exec(asm1('strb w4, [x1, #-256]!'));
    expect(r.peek(BUF, 1)).toBe(0xabn);
    expect(r.x(0, 1)).toBe(BigInt(BUF));
  });

  test('SP as base with write-back (push/pop)', () => {
    const r = rig();
    const c = r.cpus[0];
    r.setX(0, 32, BigInt(BUF + 0x100));
    r.setX(0, 0, 0x0123456789abcdefn);
    r.exec(asm1('str x0, [sp, #-16]!'));
    expect(c.getSp()).toBe(BigInt(BUF + 0xf0));
    expect(r.peek(BUF + 0xf0, 8)).toBe(0x0123456789abcdefn);
    r.exec(asm1('ldr x2, [sp], #16'));
    expect(r.x(0, 2)).toBe(0x0123456789abcdefn);
    expect(c.getSp()).toBe(BigInt(BUF + 0x100));
    // Rt = 31 with Rn = 31 is XZR vs SP: not an overlap, and the load result is discarded.
    r.exec(asm1('ldr xzr, [sp, #-16]!'));
    expect(c.getSp()).toBe(BigInt(BUF + 0xf0));
    expect(c.lo[31]).toBe(0);
    expect(c.hi[31]).toBe(0);
    r.exec(asm1('str xzr, [sp]'));
    expect(r.peek(BUF + 0xf0, 8)).toBe(0n);
  });

  test('store with write-back and Rt == Rn stores the original register', () => {
    const r = rig();
    r.setX(0, 1, BigInt(BUF));
    r.exec(asm1('str x1, [x1, #8]!'));
    expect(r.peek(BUF + 8, 8)).toBe(BigInt(BUF));
    expect(r.x(0, 1)).toBe(BigInt(BUF + 8));
  });

  test('LDTR/STTR behave as plain accesses at EL1 (no MMU)', () => {
    const r = rig();
    r.poke(BUF + 8, 4, 0x80000000n);
    r.setX(0, 1, BigInt(BUF));
    r.exec(asm1('ldtrsw x0, [x1, #8]'));
    expect(r.x(0, 0)).toBe(0xffffffff80000000n);
    r.setX(0, 2, 0x5an);
    r.exec(asm1('sttrb w2, [x1, #-1]'));
    expect(r.peek(BUF - 1, 1)).toBe(0x5an);
    r.exec(asm1('ldtr x3, [x1, #8]'));
    expect(r.x(0, 3)).toBe(0x80000000n);
    expect(r.x(0, 1)).toBe(BigInt(BUF));
  });

  test('the base register is not written by a faulting pre-index access', () => {
    const r = rig();
    r.setX(0, 1, BigInt(BUF));
    r.setX(0, 0, 7n);
    expect(r.exec(asm1('ldr x0, [x1, #4]!'))).toBe('exception');
    expectAbort(r, DFSC_ALIGNMENT, BigInt(BUF + 4), 0);
    expect(r.x(0, 1)).toBe(BigInt(BUF));
    expect(r.x(0, 0)).toBe(7n);
  });
});

describe('register offset', () => {
  test('LSL, UXTW, SXTW, SXTX with and without shift', () => {
    const r = rig();
    for (let i = 0; i < 64; i++) r.poke(BUF - 0x100 + i * 8, 8, BigInt(0x1000 + i)); // slot i holds 0x1000+i
    const slot = (addr: number): bigint => BigInt(0x1000 + (addr - (BUF - 0x100)) / 8);
    const base = BUF; // slot 32
    const cases: [string, bigint, number][] = [
      ['ldr x0, [x1, x2, lsl #3]', 5n, base + 40],
      ['ldr x0, [x1, x2, lsl #3]', -2n, base - 16],
      ['ldr x0, [x1, x2]', 24n, base + 24],
      ['ldr x0, [x1, x2, sxtx]', -8n, base - 8],
      ['ldr x0, [x1, x2, sxtx #3]', -3n, base - 24],
      ['ldr x0, [x1, w2, sxtw #3]', 0xabcdef00fffffffen, base - 16], // high garbage ignored
      ['ldr x0, [x1, w2, uxtw #3]', 0xffffffff00000003n, base + 24],
      ['ldr x0, [x1, w2, sxtw]', 0x12345678fffffff8n, base - 8],
      ['ldr x0, [x1, w2, uxtw]', 0x0000000100000010n, base + 16],
    ];
    const words = asm(cases.map((k) => k[0]));
    cases.forEach(([text, idx, addr], i) => {
      r.setX(0, 1, BigInt(base));
      r.setX(0, 2, idx);
      expect([text, idx, r.exec(words[i])]).toEqual([text, idx, 'ok']);
      expect([text, idx, r.x(0, 0)]).toEqual([text, idx, slot(addr)]);
    });
  });

  test('narrow loads and stores scale by their own size', () => {
    const r = rig();
    r.poke(BUF + 6, 2, 0xfedcn);
    r.setX(0, 1, BigInt(BUF));
    r.setX(0, 2, 3n);
    r.exec(asm1('ldrsh x0, [x1, x2, lsl #1]'));
    expect(r.x(0, 0)).toBe(0xfffffffffffffedcn);
    r.exec(asm1('ldrb w0, [x1, x2]'));
    expect(r.x(0, 0)).toBe(0n); // byte at BUF+3
    r.setX(0, 4, 0x11223344n);
    r.setX(0, 2, 0xfffffffen); // w2 = -2
    r.exec(asm1('str w4, [x1, w2, sxtw #2]'));
    expect(r.peek(BUF - 8, 4)).toBe(0x11223344n);
    r.exec(asm1('strh w4, [x1, w2, uxtw #0]')); // +0xfffffffe: far outside RAM
    expect(esrDfsc(r.cpus[0].esr)).toBe(DFSC_EXTERNAL);
    expect(r.cpus[0].far).toBe(BigInt(BUF) + 0xfffffffen);
    expect(esrWnR(r.cpus[0].esr)).toBe(1);
  });

  test('XZR as index and as destination', () => {
    const r = rig();
    r.poke(BUF, 8, 0x55n);
    r.setX(0, 1, BigInt(BUF));
    r.exec(asm1('ldr x0, [x1, xzr, lsl #3]'));
    expect(r.x(0, 0)).toBe(0x55n);
    r.exec(asm1('ldr xzr, [x1, x1]')); // far address: faults even though the result is discarded
    expect(esrDfsc(r.cpus[0].esr)).toBe(DFSC_EXTERNAL);
  });
});

describe('literal', () => {
  test('LDR W/X, LDRSW and PRFM literal', () => {
    const r = rig();
    r.poke(CODE_PC + 0x100, 8, 0x8877665544332211n);
    r.poke(CODE_PC - 4, 4, 0x80000001n);
    const [ldrx, ldrw, ldrsw, prfm, ldrxMis] = asm(['ldr x0, .+0x100', 'ldr w1, .+0x104', 'ldrsw x2, .-4', 'prfm pldl1keep, .+8', 'ldr x3, .+0x104']);
    r.setX(0, 1, M64);
    r.exec(ldrx);
    r.exec(ldrw);
    r.exec(ldrsw);
    expect(r.x(0, 0)).toBe(0x8877665544332211n);
    expect(r.x(0, 1)).toBe(0x88776655n);
    expect(r.x(0, 2)).toBe(0xffffffff80000001n);
    expect(r.exec(prfm)).toBe('ok');
    expect(r.exec(ldrxMis)).toBe('exception');
    expectAbort(r, DFSC_ALIGNMENT, BigInt(CODE_PC + 0x104), 0);
  });
});

describe('PRFM', () => {
  test('prefetches never access memory or fault, whatever the base', () => {
    const r = rig();
    const words = asm(['prfm pldl1keep, [x1]', 'prfm pstl2strm, [x1, #8]', 'prfum pldl1keep, [x1, #-3]', 'prfm plil3keep, [x1, x2, lsl #3]', 'prfm #0x1f, [x1, w2, sxtw]']);
    for (const w of words) {
      r.setX(0, 1, 0xdead_beef_0000_0003n);
      r.setX(0, 2, 0x123n);
      r.cpus[0].esr = 0;
      expect(r.exec(w)).toBe('ok');
      expect(r.cpus[0].esr).toBe(0);
      expect(r.x(0, 1)).toBe(0xdead_beef_0000_0003n);
    }
    r.setX(0, 1, BigInt(MMIO));
    r.exec(words[0]);
    expect(r.dev.log).toEqual([]);
  });
});

describe('faults', () => {
  test('every unaligned access takes an alignment fault (Device memory)', () => {
    const r = rig();
    const cases: [string, number, number][] = [
      ['ldrh w0, [x1, #1]', 1, 0],
      ['ldr w0, [x1, #2]', 2, 0],
      ['ldr x0, [x1, #4]', 4, 0],
      ['ldrsw x0, [x1, #6]', 6, 0],
      ['strh w0, [x1, #3]', 3, 1],
      ['str w0, [x1, #1]', 1, 1],
      ['str x0, [x1, #12]', 12, 1],
      ['ldp x0, x2, [x3]', 4, 0], // x3 = BUF + 4
      ['stp w0, w2, [x4]', 2, 1], // x4 = BUF + 2
    ];
    const words = asm(cases.map((k) => k[0]));
    cases.forEach(([, off, wnr], i) => {
      r.setX(0, 0, 0x77n);
      r.setX(0, 1, BigInt(BUF));
      r.setX(0, 3, BigInt(BUF + 4));
      r.setX(0, 4, BigInt(BUF + 2));
      r.poke(BUF, 16, 0n);
      expect(r.exec(words[i])).toBe('exception');
      expectAbort(r, DFSC_ALIGNMENT, BigInt(BUF + off), wnr);
      expect(r.x(0, 0)).toBe(0x77n);
      expect(r.peek(BUF, 16)).toBe(0n);
    });
  });

  test('alignment faults on MMIO too, before the device is touched', () => {
    const r = rig();
    r.setX(0, 1, BigInt(MMIO + 2));
    expect(r.exec(asm1('ldr w0, [x1]'))).toBe('exception');
    expectAbort(r, DFSC_ALIGNMENT, BigInt(MMIO + 2), 0);
    expect(r.dev.log).toEqual([]);
  });

  test('unmapped addresses: external abort below 2^44, address-size fault above', () => {
    const r = rig();
    const ldr = asm1('ldr x0, [x1]');
    const str = asm1('str w0, [x1, #8]');
    const cases: [bigint, number, bigint][] = [
      [0x1000n, DFSC_EXTERNAL, 0x1000n], // flash region: nothing mapped in this rig
      [0x1_0000_0000n, DFSC_EXTERNAL, 0x1_0000_0000n], // above 4 GiB, below the 44-bit PA limit
      [0xfff_ffff_fff8n, DFSC_EXTERNAL, 0xfff_ffff_fff8n],
      [0x1000_0000_0000n, 0x00, 0x1000_0000_0000n], // 2^44: beyond PARange
      [0xffff_0000_dead_bee8n, 0x00, 0xffff_0000_dead_bee8n], // exact FAR above 2^53
    ];
    for (const [addr, dfsc, far] of cases) {
      r.setX(0, 1, addr);
      expect(r.exec(ldr)).toBe('exception');
      expectAbort(r, dfsc, far, 0);
      r.setX(0, 1, addr - 8n);
      expect(r.exec(str)).toBe('exception');
      expectAbort(r, dfsc, far, 1);
    }
  });

  test('negative addresses wrap modulo 2^64', () => {
    const r = rig();
    r.setX(0, 1, 0n);
    expect(r.exec(asm1('ldur x0, [x1, #-8]'))).toBe('exception');
    expectAbort(r, 0x00, 0xfffffffffffffff8n, 0);
    r.setX(0, 1, 0xffff_ffff_ffff_fff0n);
    r.setX(0, 2, BigInt(BUF + 0x10));
    r.poke(BUF, 8, 0x42n);
    expect(r.exec(asm1('ldr x0, [x1, x2]'))).toBe('ok'); // wraps into RAM
    expect(r.x(0, 0)).toBe(0x42n);
  });

  test('exception entry: ELR is the faulting instruction, PC the sync vector', () => {
    const r = rig();
    r.setX(0, 1, BigInt(BUF + 1));
    r.exec(asm1('ldr w0, [x1]'));
    expect(r.cpus[0].elr).toBe(BigInt(CODE_PC));
    expect(r.cpus[0].pc).toBe(0x4000_0000 + 0x200);
  });
});

describe('addresses across 4 GiB (device mapped over the boundary)', () => {
  test('write-back and register offsets carry into the high word', () => {
    const r = rig();
    const dev = new RecordingDevice();
    r.bus.map(0xffff_f000, 0x2000, dev);
    r.setX(0, 1, 0xffff_fffcn);
    r.exec(asm1('ldr w0, [x1], #8'));
    expect(r.x(0, 1)).toBe(0x1_0000_0004n);
    r.setX(0, 1, 0xffff_fffcn);
    r.exec(asm1('ldr w0, [x1, #8]!'));
    expect(r.x(0, 1)).toBe(0x1_0000_0004n);
    r.setX(0, 1, 0xffff_fff0n);
    r.setX(0, 2, 0x18n);
    r.setX(0, 3, 0xcafef00dn);
    r.exec(asm1('str w3, [x1, x2]'));
    r.setX(0, 1, 0x1_0000_0014n);
    r.exec(asm1('ldur x4, [x1, #-12]'));
    expect(dev.log.map((a) => [a.write, a.offset, a.size])).toEqual([
      [false, 0xffc, 4],
      [false, 0x1004, 4],
      [true, 0x1008, 4],
      [false, 0x1008, 4],
      [false, 0x100c, 4],
    ]);
    expect(r.x(0, 4)).toBe(0xafaeadac_cafef00dn);
  });
});

describe('MMIO', () => {
  test('sizes 1/2/4 go to the device; 8-byte accesses split low word first', () => {
    const r = rig();
    r.setX(0, 1, BigInt(MMIO));
    r.setX(0, 0, 0x1122334455667788n);
    r.exec(asm1('str x0, [x1, #16]'));
    r.exec(asm1('strh w0, [x1, #2]'));
    r.exec(asm1('strb w0, [x1, #1]'));
    r.exec(asm1('ldr x2, [x1, #16]'));
    r.exec(asm1('ldrsb x3, [x1, #3]'));
    r.exec(asm1('ldrsh w4, [x1, #2]'));
    r.exec(asm1('ldp w5, w6, [x1, #16]'));
    expect(r.dev.log.map((a) => [a.write, a.offset, a.size, a.value])).toEqual([
      [true, 16, 4, 0x55667788],
      [true, 20, 4, 0x11223344],
      [true, 2, 2, 0x7788],
      [true, 1, 1, 0x88],
      [false, 16, 4, 0x55667788],
      [false, 20, 4, 0x11223344],
      [false, 3, 1, 0x77],
      [false, 2, 2, 0x7788],
      [false, 16, 4, 0x55667788],
      [false, 20, 4, 0x11223344],
    ]);
    expect(r.x(0, 2)).toBe(0x1122334455667788n);
    expect(r.x(0, 3)).toBe(0x77n);
    expect(r.x(0, 4)).toBe(0x7788n);
    expect(r.x(0, 5)).toBe(0x55667788n);
    expect(r.x(0, 6)).toBe(0x11223344n);
    expect(r.dev.log.every((a) => a.cpu === 0)).toBe(true);
  });

  test('the accessing CPU index reaches the device', () => {
    const r = rig();
    r.setX(1, 1, BigInt(MMIO));
    r.exec(asm1('ldr w0, [x1]'), 1);
    expect(r.dev.log[0].cpu).toBe(1);
  });
});

describe('store hooks', () => {
  test('a store over decoded code invalidates the overwritten words', () => {
    const r = rig();
    const pc = BUF + 0x3040;
    const decoded = r.code.page(pc);
    if (!decoded) throw new Error('no code page');
    r.code.fill(decoded, pc);
    r.code.fill(decoded, pc + 0x40);
    const p = (pc - RAM) >>> 12;
    expect(r.bus.pageFlags[p] & PAGE_CODE).toBe(PAGE_CODE);
    const w = (pc & 0xfff) >>> 2;
    expect(decoded[w]).toBeDefined();
    r.setX(0, 1, BigInt(pc - 8));
    r.exec(asm1('stp x2, x3, [x1]')); // second element covers the decoded word
    expect(decoded[w]).toBeUndefined();
    expect(decoded[w + 16]).toBeDefined(); // an untouched word keeps its decode
  });

  test('each element of a pair that straddles pages reaches the hook of its own page', () => {
    const r = rig();
    const seen: number[] = [];
    r.bus.onCodeWrite = (page) => seen.push(page);
    const p = (BUF - RAM) >>> 12;
    r.bus.pageFlags[p] = PAGE_CODE;
    r.bus.pageFlags[p + 1] = PAGE_CODE;
    r.setX(0, 1, BigInt(BUF + 0xff8));
    r.exec(asm1('stp x2, x3, [x1]'));
    expect(seen).toEqual([p, p + 1]);
  });
});

describe('pairs', () => {
  test('LDP/STP W and X, LDPSW, LDNP/STNP, offset/pre/post', () => {
    const r = rig();
    r.setX(0, 1, BigInt(BUF));
    r.setX(0, 2, 0xa0a1a2a3a4a5a6a7n);
    r.setX(0, 3, 0xb0b1b2b3b4b5b6b7n);
    r.exec(asm1('stp x2, x3, [x1, #16]'));
    expect(r.peek(BUF + 16, 8)).toBe(0xa0a1a2a3a4a5a6a7n);
    expect(r.peek(BUF + 24, 8)).toBe(0xb0b1b2b3b4b5b6b7n);
    r.exec(asm1('ldp x4, x5, [x1, #16]'));
    expect([r.x(0, 4), r.x(0, 5)]).toEqual([0xa0a1a2a3a4a5a6a7n, 0xb0b1b2b3b4b5b6b7n]);
    r.exec(asm1('stp w2, w3, [x1, #-8]!'));
    expect(r.x(0, 1)).toBe(BigInt(BUF - 8));
    expect(r.peek(BUF - 8, 8)).toBe(0xb4b5b6b7a4a5a6a7n);
    r.setX(0, 4, M64);
    r.exec(asm1('ldp w4, w5, [x1], #8'));
    expect([r.x(0, 4), r.x(0, 5), r.x(0, 1)]).toEqual([0xa4a5a6a7n, 0xb4b5b6b7n, BigInt(BUF)]);
    r.exec(asm1('ldpsw x6, x7, [x1, #-8]'));
    expect([r.x(0, 6), r.x(0, 7)]).toEqual([0xffffffffa4a5a6a7n, 0xffffffffb4b5b6b7n]);
    r.exec(asm1('stnp x3, x2, [x1, #32]'));
    r.exec(asm1('ldnp x8, x9, [x1, #32]'));
    expect([r.x(0, 8), r.x(0, 9)]).toEqual([0xb0b1b2b3b4b5b6b7n, 0xa0a1a2a3a4a5a6a7n]);
    r.exec(asm1('ldnp w8, w9, [x1, #32]'));
    expect([r.x(0, 8), r.x(0, 9)]).toEqual([0xb4b5b6b7n, 0xb0b1b2b3n]);
    r.exec(asm1('ldpsw x10, x11, [x1, #32]!'));
    expect([r.x(0, 10), r.x(0, 11), r.x(0, 1)]).toEqual([0xffffffffb4b5b6b7n, 0xffffffffb0b1b2b3n, BigInt(BUF + 32)]);
  });

  test('prologue/epilogue on SP and extreme imm7 offsets', () => {
    const r = rig();
    const c = r.cpus[0];
    r.setX(0, 32, BigInt(BUF + 0x400));
    r.setX(0, 29, 0x29n);
    r.setX(0, 30, 0x30n);
    r.exec(asm1('stp x29, x30, [sp, #-512]!'));
    expect(c.getSp()).toBe(BigInt(BUF + 0x200));
    expect(r.peek(BUF + 0x200, 16)).toBe((0x30n << 64n) | 0x29n);
    r.setX(0, 29, 0n);
    r.setX(0, 30, 0n);
    r.exec(asm1('ldp x29, x30, [sp], #504'));
    expect([r.x(0, 29), r.x(0, 30), c.getSp()]).toEqual([0x29n, 0x30n, BigInt(BUF + 0x200 + 504)]);
    r.setX(0, 1, BigInt(BUF));
    r.poke(BUF - 256, 8, 0x11111111_22222222n);
    r.exec(asm1('ldp w2, w3, [x1, #-256]'));
    expect([r.x(0, 2), r.x(0, 3)]).toEqual([0x22222222n, 0x11111111n]);
  });

  test('ldp x0, x1, [x0]: both addresses come from the original base', () => {
    const r = rig();
    r.poke(BUF, 16, (0x2222n << 64n) | 0x1111n);
    r.setX(0, 0, BigInt(BUF));
    r.exec(asm1('ldp x0, x1, [x0]'));
    expect([r.x(0, 0), r.x(0, 1)]).toEqual([0x1111n, 0x2222n]);
    r.setX(0, 1, BigInt(BUF));
    r.exec(asm1('ldp x0, x1, [x1]'));
    expect([r.x(0, 0), r.x(0, 1)]).toEqual([0x1111n, 0x2222n]);
  });

  test('pairs are checked per element: 8-aligned X pairs are fine, a pair straddling RAM end faults on element 2', () => {
    const r = rig();
    r.setX(0, 1, BigInt(BUF + 8));
    expect(r.exec(asm1('ldp x2, x3, [x1]'))).toBe('ok');
    const end = RAM + r.bus.ramSize;
    r.setX(0, 1, BigInt(end - 8));
    r.setX(0, 2, 5n);
    r.setX(0, 3, 6n);
    expect(r.exec(asm1('ldp x2, x3, [x1]'))).toBe('exception');
    expectAbort(r, DFSC_EXTERNAL, BigInt(end), 0);
    expect([r.x(0, 2), r.x(0, 3)]).toEqual([5n, 6n]);
    r.setX(0, 1, BigInt(end - 16));
    expect(r.exec(asm1('stp x2, x3, [x1, #8]!'))).toBe('exception');
    expectAbort(r, DFSC_EXTERNAL, BigInt(end), 1);
    expect(r.x(0, 1)).toBe(BigInt(end - 16)); // no write-back
    expect(r.peek(end - 8, 8)).toBe(5n); // the first element was written (two single-copy accesses)
  });
});
