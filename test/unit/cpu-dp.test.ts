/**
 * A64 data-processing instructions (decode-dp-imm.ts, decode-dp-reg.ts): real instructions
 * assembled with aarch64-linux-gnu-as, executed on a Cpu, results checked against values
 * worked out independently here (BigInt arithmetic, ARM ARM definitions).
 */
import { Bus } from '../../src/machine/bus';
import { Cpu, type CpuHost } from '../../src/machine/cpu/cpu';
import { decodeDataProcessingImm } from '../../src/machine/cpu/decode-dp-imm';
import { decodeDataProcessingReg } from '../../src/machine/cpu/decode-dp-reg';
import type { Exec } from '../../src/machine/cpu/exec';
import { SP_SLOT } from '../../src/machine/cpu/exec';
import { assembleLines } from './helpers/assemble';

const M64 = (1n << 64n) - 1n;
const u64 = (v: bigint): bigint => v & M64;
const CODE_BASE = 0x40080000;

function makeCpu(): Cpu {
  const bus = new Bus(4096);
  // Data-processing instructions never call the host, so only the bus is filled in.
  const host = { bus } as unknown as CpuHost;
  return new Cpu(0, 0x80000000, host);
}

/** The two data-processing classes, selected on bits [28:25] as decode.ts does. */
function decodeDp(word: number, pc: number): Exec | undefined {
  const op0 = (word >>> 25) & 15;
  if ((op0 & 0b1110) === 0b1000) return decodeDataProcessingImm(word, pc);
  if ((op0 & 0b0111) === 0b0101) return decodeDataProcessingReg(word, pc);
  throw new Error(`0x${(word >>> 0).toString(16)} is not a data-processing instruction`);
}

type Regs = Record<string, bigint | number>;

function slot(name: string): number {
  if (name === 'sp') return SP_SLOT;
  const m = /^[xw](\d+)$/.exec(name);
  if (!m) throw new Error(`bad register name ${name}`);
  return Number(m[1]);
}

/** Flags as a 4-letter string, upper case = set: e.g. "nZCv". */
function flagString(c: Cpu): string {
  return (c.n ? 'N' : 'n') + (c.z ? 'Z' : 'z') + (c.c ? 'C' : 'c') + (c.v ? 'V' : 'v');
}

function setFlags(c: Cpu, f: string): void {
  c.n = f[0] === 'N' ? 1 : 0;
  c.z = f[1] === 'Z' ? 1 : 0;
  c.c = f[2] === 'C' ? 1 : 0;
  c.v = f[3] === 'V' ? 1 : 0;
}

/** Execute pre-assembled words at consecutive addresses from `pc`. */
function runWords(c: Cpu, words: readonly number[], pc = CODE_BASE): void {
  for (const w of words) {
    const fn = decodeDp(w, pc);
    if (fn === undefined) throw new Error(`0x${(w >>> 0).toString(16)} decoded as UNDEFINED`);
    c.pc = pc + 4;
    fn(c);
    expect(c.pc).toBe(pc + 4); // data processing never branches
    pc += 4;
  }
}

interface Case {
  asm: string | string[];
  init?: Regs;
  flags?: string;
  expect: Regs;
  expectFlags?: string;
}

/** Run a case: set registers/flags, execute its instructions, compare the named registers. */
function check(k: Case): void {
  const c = makeCpu();
  for (let i = 0; i < 31; i++) c.setX(i, 0xdead0000n + BigInt(i)); // recognisable junk
  c.setX(SP_SLOT, 0x40100000n);
  setFlags(c, k.flags ?? 'nzcv');
  for (const [r, v] of Object.entries(k.init ?? {})) c.setX(slot(r), BigInt(v));
  const lines = typeof k.asm === 'string' ? [k.asm] : k.asm;
  runWords(c, assembleLines(lines));
  for (const [r, v] of Object.entries(k.expect)) {
    const got = c.getX(slot(r));
    const want = u64(BigInt(v));
    if (got !== want) throw new Error(`${lines.join('; ')}: ${r} = 0x${got.toString(16)}, want 0x${want.toString(16)}`);
  }
  if (k.expectFlags !== undefined) expect(`${lines.join('; ')}: ${flagString(c)}`).toBe(`${lines.join('; ')}: ${k.expectFlags}`);
  expect(c.lo[31]).toBe(0); // XZR is never written
  expect(c.hi[31]).toBe(0);
}

function runAll(cases: Case[]): void {
  for (const k of cases) check(k);
}

describe('PC-relative addressing', () => {
  test('ADR forwards and backwards', () => {
    runAll([
      { asm: 'adr x0, . + 0x10', expect: { x0: CODE_BASE + 0x10 } },
      { asm: 'adr x3, . - 4', expect: { x3: CODE_BASE - 4 } },
      { asm: 'adr x30, . + 0xfffff', expect: { x30: CODE_BASE + 0xfffff } },
      { asm: 'adr x5, . - 0x100000', expect: { x5: CODE_BASE - 0x100000 } },
    ]);
  });

  test('ADRP uses the 4 KiB page of the PC (raw encodings: as would emit a relocation)', () => {
    // ADRP Xd, imm: 1 immlo(2) 10000 immhi(19) Rd, imm in pages.
    const adrp = (rd: number, pages: number): number =>
      ((1 << 31) | ((pages & 3) << 29) | (0x10 << 24) | (((pages >> 2) & 0x7ffff) << 5) | rd) >>> 0;
    const c = makeCpu();
    runWords(c, [adrp(1, 3)], 0x40001ff8);
    expect(c.getX(1)).toBe(0x40004000n);
    runWords(c, [adrp(2, -1)], 0x40000abc);
    expect(c.getX(2)).toBe(0x3ffff000n);
    runWords(c, [adrp(3, -0x40001)], 0x40000000); // below address 0: wraps to the top of the 64-bit space
    expect(c.getX(3)).toBe(u64(-0x1000n));
    runWords(c, [adrp(4, 0xfffff)], 0x40000000); // largest forward offset (2^20 - 1 pages)
    expect(c.getX(4)).toBe(0x40000000n + 0xfffffn * 4096n);
    const before = c.getX(5);
    runWords(c, [adrp(31, 5)], 0x40000000); // Rd = XZR: no effect
    expect(c.getX(5)).toBe(before);
  });
});

describe('ADD/SUB (immediate)', () => {
  test('values, shifts, SP and W forms', () => {
    runAll([
      { asm: 'add x0, x1, #0xfff', init: { x1: 0xffffffffn }, expect: { x0: 0x100000ffen } },
      { asm: 'add x0, x1, #1, lsl #12', init: { x1: 0x7ffff000n }, expect: { x0: 0x80000000n } },
      { asm: 'add x0, x1, #4095, lsl #12', init: { x1: -1n }, expect: { x0: 0xfff000n - 1n } },
      { asm: 'sub x0, x1, #1', init: { x1: 0n }, expect: { x0: -1n } },
      { asm: 'sub x0, x1, #0x10', init: { x1: 0x100000008n }, expect: { x0: 0xfffffff8n } },
      { asm: 'add w0, w1, #1', init: { x1: -1n }, expect: { x0: 0n } },
      { asm: 'sub w0, w1, #1', init: { x1: 0x1_0000_0000n }, expect: { x0: 0xffffffffn } },
      { asm: 'mov x2, sp', expect: { x2: 0x40100000n } },
      { asm: 'mov sp, x3', init: { x3: 0x40200010n }, expect: { sp: 0x40200010n } },
      { asm: 'add x2, sp, #16', expect: { x2: 0x40100010n } },
      { asm: 'sub sp, sp, #0x20', expect: { sp: 0x400fffe0n } },
      { asm: 'add wsp, w1, #8', init: { x1: 0x1_2345_0000n }, expect: { sp: 0x23450008n } },
      { asm: 'add x0, x0, #0', init: { x0: 0x1234_5678_9abc_def0n }, expect: { x0: 0x1234_5678_9abc_def0n } },
    ]);
  });

  test('flags from ADDS/SUBS/CMP/CMN', () => {
    runAll([
      { asm: 'adds x0, x1, #1', init: { x1: 0x7fffffffffffffffn }, expect: { x0: 1n << 63n }, expectFlags: 'NzcV' },
      { asm: 'adds x0, x1, #1', init: { x1: -1n }, expect: { x0: 0n }, expectFlags: 'nZCv' },
      { asm: 'subs x0, x1, #1', init: { x1: 0n }, expect: { x0: -1n }, expectFlags: 'Nzcv' },
      { asm: 'subs x0, x1, #1', init: { x1: 1n << 63n }, expect: { x0: (1n << 63n) - 1n }, expectFlags: 'nzCV' },
      { asm: 'subs x0, x1, #0', init: { x1: 5n }, expect: { x0: 5n }, expectFlags: 'nzCv' },
      { asm: 'cmp x1, #5', init: { x1: 5n }, expect: {}, expectFlags: 'nZCv' },
      { asm: 'cmp x1, #6', init: { x1: 5n }, expect: {}, expectFlags: 'Nzcv' },
      { asm: 'cmp x1, #4', init: { x1: 0x1_0000_0000n }, expect: {}, expectFlags: 'nzCv' },
      { asm: 'cmn x1, #1', init: { x1: -1n }, expect: {}, expectFlags: 'nZCv' },
      { asm: 'cmp sp, #0x10', expect: {}, expectFlags: 'nzCv' },
      { asm: 'adds w0, w1, #1', init: { x1: 0xff_7fffffffn }, expect: { x0: 0x80000000n }, expectFlags: 'NzcV' },
      { asm: 'adds w0, w1, #1', init: { x1: 0xffffffffn }, expect: { x0: 0n }, expectFlags: 'nZCv' },
      { asm: 'subs w0, w1, #2', init: { x1: 1n }, expect: { x0: 0xffffffffn }, expectFlags: 'Nzcv' },
      { asm: 'subs w0, w1, #1', init: { x1: 0x80000000n }, expect: { x0: 0x7fffffffn }, expectFlags: 'nzCV' },
      { asm: 'cmp w1, #0', init: { x1: 0x1_0000_0000n }, expect: {}, expectFlags: 'nZCv' },
      { asm: 'cmn w1, #1, lsl #12', init: { x1: 0xfffff000n }, expect: {}, expectFlags: 'nZCv' },
    ]);
  });
});

describe('logical (immediate)', () => {
  test('bitmask immediates of every element size', () => {
    runAll([
      { asm: 'and x0, x1, #0xff00ff00ff00ff00', init: { x1: -1n }, expect: { x0: 0xff00ff00ff00ff00n } },
      { asm: 'orr x0, xzr, #0x5555555555555555', expect: { x0: 0x5555555555555555n } },
      { asm: 'mov x0, #0xaaaaaaaaaaaaaaaa', expect: { x0: 0xaaaaaaaaaaaaaaaan } },
      { asm: 'orr x0, x1, #0x0000ffff0000ffff', init: { x1: 0x1234_0000_5678_0000n }, expect: { x0: 0x1234_ffff_5678_ffffn } },
      { asm: 'eor x0, x1, #0x7e7e7e7e7e7e7e7e', init: { x1: 0n }, expect: { x0: 0x7e7e7e7e7e7e7e7en } },
      { asm: 'and x0, x1, #0x3', init: { x1: 0xffn }, expect: { x0: 3n } },
      { asm: 'and x0, x1, #0xfffffffffffffffe', init: { x1: -1n }, expect: { x0: -2n } },
      { asm: 'and x0, x1, #0x8000000000000001', init: { x1: -1n }, expect: { x0: 0x8000000000000001n } },
      { asm: 'orr x0, x1, #0x1111111111111111', init: { x1: 0n }, expect: { x0: 0x1111111111111111n } },
      { asm: 'eor w0, w1, #0x80000001', init: { x1: 0xffff_ffff_0000_0001n }, expect: { x0: 0x80000000n } },
      { asm: 'and w0, w1, #0xff', init: { x1: -1n }, expect: { x0: 0xffn } },
      { asm: 'orr w0, wzr, #0xfffffffe', expect: { x0: 0xfffffffen } },
      { asm: 'and sp, x1, #0xfffffffffffffff0', init: { x1: 0x4010_0fffn }, expect: { sp: 0x4010_0ff0n } },
      { asm: 'orr x0, x1, #0xf0', init: { x1: 0x0fn }, expect: { x0: 0xffn } },
    ]);
  });

  test('ANDS/TST flags (C and V cleared)', () => {
    runAll([
      { asm: 'ands x0, x1, #0x8000000000000000', init: { x1: -1n }, flags: 'nZCV', expect: { x0: 1n << 63n }, expectFlags: 'Nzcv' },
      { asm: 'tst x1, #1', init: { x1: 2n }, flags: 'NzCV', expect: {}, expectFlags: 'nZcv' },
      { asm: 'ands w0, w1, #0x80000000', init: { x1: 0xffffffffn }, expect: { x0: 0x80000000n }, expectFlags: 'Nzcv' },
      { asm: 'tst w1, #0xff', init: { x1: 0x1_0000_ff00n }, expect: {}, expectFlags: 'nZcv' },
    ]);
  });
});

describe('move wide', () => {
  test('MOVZ/MOVN/MOVK', () => {
    runAll([
      { asm: 'movz x0, #0x1234, lsl #48', expect: { x0: 0x1234n << 48n } },
      { asm: 'movz x0, #0xffff, lsl #32', expect: { x0: 0xffffn << 32n } },
      { asm: 'movn x0, #0', expect: { x0: -1n } },
      { asm: 'movn x0, #0x1234, lsl #16', expect: { x0: ~(0x1234n << 16n) } },
      { asm: 'movn w0, #0x1234, lsl #16', expect: { x0: 0xedcbffffn } },
      { asm: 'movz w0, #0xbeef, lsl #16', expect: { x0: 0xbeef0000n } },
      {
        asm: ['movz x0, #0x1111', 'movk x0, #0x2222, lsl #16', 'movk x0, #0x3333, lsl #32', 'movk x0, #0x4444, lsl #48'],
        expect: { x0: 0x4444_3333_2222_1111n },
      },
      { asm: 'movk x0, #0xbeef, lsl #32', init: { x0: -1n }, expect: { x0: 0xffff_beef_ffff_ffffn } },
      { asm: 'movk x0, #0xbeef', init: { x0: -1n }, expect: { x0: 0xffff_ffff_ffff_beefn } },
      { asm: 'movk w0, #1, lsl #16', init: { x0: -1n }, expect: { x0: 0x0001ffffn } },
      { asm: 'movk w0, #7', init: { x0: 0x1234_5678_9abc_def0n }, expect: { x0: 0x9abc0007n } },
    ]);
  });
});

describe('bitfield (SBFM/BFM/UBFM aliases) and EXTR', () => {
  const v = 0xf123_4567_89ab_cdefn;
  const sx = (x: bigint, bits: bigint): bigint => BigInt.asIntN(Number(bits), x);
  test('shifts by immediate', () => {
    runAll([
      { asm: 'lsl x0, x1, #4', init: { x1: v }, expect: { x0: v << 4n } },
      { asm: 'lsl x0, x1, #32', init: { x1: v }, expect: { x0: v << 32n } },
      { asm: 'lsl x0, x1, #63', init: { x1: 1n }, expect: { x0: 1n << 63n } },
      { asm: 'lsr x0, x1, #4', init: { x1: v }, expect: { x0: v >> 4n } },
      { asm: 'lsr x0, x1, #32', init: { x1: v }, expect: { x0: v >> 32n } },
      { asm: 'lsr x0, x1, #63', init: { x1: v }, expect: { x0: 1n } },
      { asm: 'asr x0, x1, #4', init: { x1: v }, expect: { x0: sx(v, 64n) >> 4n } },
      { asm: 'asr x0, x1, #36', init: { x1: v }, expect: { x0: sx(v, 64n) >> 36n } },
      { asm: 'asr x0, x1, #63', init: { x1: v }, expect: { x0: -1n } },
      { asm: 'lsl w0, w1, #31', init: { x1: 3n }, expect: { x0: 0x80000000n } },
      { asm: 'lsr w0, w1, #1', init: { x1: v }, expect: { x0: 0x89abcdefn >> 1n } },
      { asm: 'asr w0, w1, #8', init: { x1: v }, expect: { x0: u64(sx(0x89abcdefn, 32n) >> 8n) & 0xffffffffn } },
      { asm: 'asr w0, w1, #0', init: { x1: v }, expect: { x0: 0x89abcdefn } },
    ]);
  });

  test('sign and zero extension', () => {
    runAll([
      { asm: 'sxtb x0, w1', init: { x1: 0x80n }, expect: { x0: -0x80n } },
      { asm: 'sxth x0, w1', init: { x1: 0x1_7fffn }, expect: { x0: 0x7fffn } },
      { asm: 'sxth x0, w1', init: { x1: 0x8000n }, expect: { x0: -0x8000n } },
      { asm: 'sxtw x0, w1', init: { x1: v }, expect: { x0: sx(0x89abcdefn, 32n) } },
      { asm: 'sxtb w0, w1', init: { x1: 0xffn }, expect: { x0: 0xffffffffn } },
      { asm: 'sxth w0, w1', init: { x1: 0x8001n }, expect: { x0: 0xffff8001n } },
      { asm: 'uxtb w0, w1', init: { x1: v }, expect: { x0: 0xefn } },
      { asm: 'uxth w0, w1', init: { x1: v }, expect: { x0: 0xcdefn } },
    ]);
  });

  test('bitfield extract and insert', () => {
    const field = (x: bigint, lsb: bigint, w: bigint): bigint => (x >> lsb) & ((1n << w) - 1n);
    runAll([
      { asm: 'ubfx x0, x1, #40, #8', init: { x1: v }, expect: { x0: field(v, 40n, 8n) } },
      { asm: 'ubfx x0, x1, #28, #8', init: { x1: v }, expect: { x0: field(v, 28n, 8n) } },
      { asm: 'ubfx x0, x1, #1, #63', init: { x1: v }, expect: { x0: v >> 1n } },
      { asm: 'sbfx x0, x1, #28, #8', init: { x1: v }, expect: { x0: sx(field(v, 28n, 8n), 8n) } },
      { asm: 'sbfx x0, x1, #60, #4', init: { x1: v }, expect: { x0: -1n } },
      { asm: 'sbfx x0, x1, #4, #40', init: { x1: v }, expect: { x0: sx(field(v, 4n, 40n), 40n) } },
      { asm: 'ubfiz x0, x1, #3, #32', init: { x1: v }, expect: { x0: (v & 0xffffffffn) << 3n } },
      { asm: 'sbfiz x0, x1, #40, #10', init: { x1: 0x3ffn }, expect: { x0: u64(-1n << 40n) } },
      { asm: 'sbfiz x0, x1, #4, #36', init: { x1: v }, expect: { x0: sx(v & 0xfffffffffn, 36n) << 4n } },
      { asm: 'ubfx w0, w1, #4, #8', init: { x1: v }, expect: { x0: 0xden } },
      { asm: 'sbfx w0, w1, #28, #4', init: { x1: v }, expect: { x0: 0xfffffff8n } },
      { asm: 'ubfiz w0, w1, #28, #4', init: { x1: v }, expect: { x0: 0xf0000000n } },
      { asm: 'sbfiz w0, w1, #4, #4', init: { x1: 0xfn }, expect: { x0: 0xfffffff0n } },
      { asm: 'bfi x0, x1, #20, #24', init: { x0: -1n, x1: 0x123456n }, expect: { x0: u64(~(0xffffffn << 20n)) | (0x123456n << 20n) } },
      { asm: 'bfi x0, x1, #60, #4', init: { x0: 0n, x1: 0xan }, expect: { x0: 0xan << 60n } },
      { asm: 'bfxil x0, x1, #36, #12', init: { x0: -1n, x1: v }, expect: { x0: u64(-1n << 12n) | field(v, 36n, 12n) } },
      { asm: 'bfxil x0, x1, #0, #64', init: { x0: 5n, x1: v }, expect: { x0: v } },
      { asm: 'bfi w0, w1, #8, #4', init: { x0: -1n, x1: 0n }, expect: { x0: 0xfffff0ffn } },
      { asm: 'bfxil w0, w1, #3, #9', init: { x0: 0x1_0000_0000n, x1: v }, expect: { x0: field(0x89abcdefn, 3n, 9n) } },
      { asm: 'bfi x3, x3, #32, #32', init: { x3: 0x1111_2222_3333_4444n }, expect: { x3: 0x3333_4444_3333_4444n } },
    ]);
  });

  test('EXTR and ROR (immediate)', () => {
    const n = 0x0011_2233_4455_6677n;
    const m = 0x8899_aabb_ccdd_eeffn;
    const extr = (lsb: bigint): bigint => (((n << 64n) | m) >> lsb) & M64;
    const rot = (x: bigint, r: bigint): bigint => ((x >> r) | (x << (64n - r))) & M64;
    runAll([
      { asm: 'extr x0, x1, x2, #0', init: { x1: n, x2: m }, expect: { x0: m } },
      { asm: 'extr x0, x1, x2, #12', init: { x1: n, x2: m }, expect: { x0: extr(12n) } },
      { asm: 'extr x0, x1, x2, #32', init: { x1: n, x2: m }, expect: { x0: extr(32n) } },
      { asm: 'extr x0, x1, x2, #50', init: { x1: n, x2: m }, expect: { x0: extr(50n) } },
      { asm: 'extr x2, x1, x2, #63', init: { x1: n, x2: m }, expect: { x2: extr(63n) } },
      { asm: 'ror x0, x1, #7', init: { x1: m }, expect: { x0: rot(m, 7n) } },
      { asm: 'ror x0, x1, #40', init: { x1: m }, expect: { x0: rot(m, 40n) } },
      { asm: 'extr w0, w1, w2, #5', init: { x1: n, x2: m }, expect: { x0: ((0x44556677n << 32n) | 0xccddeeffn) >> 5n & 0xffffffffn } },
      { asm: 'ror w0, w1, #31', init: { x1: 0x1_8000_0001n }, expect: { x0: 3n } },
    ]);
  });
});

describe('logical (shifted register)', () => {
  const a = 0xf0f0_1234_5678_0f0fn;
  const b = 0x8000_0000_ffff_0001n;
  const sx = (x: bigint): bigint => BigInt.asIntN(64, x);
  const rot = (x: bigint, r: bigint): bigint => ((x >> r) | (x << (64n - r))) & M64;
  test('all eight operations with all four shift types', () => {
    runAll([
      { asm: 'and x0, x1, x2', init: { x1: a, x2: b }, expect: { x0: a & b } },
      { asm: 'bic x0, x1, x2, lsl #4', init: { x1: a, x2: b }, expect: { x0: a & ~(b << 4n) } },
      { asm: 'orr x0, x1, x2, lsr #33', init: { x1: a, x2: b }, expect: { x0: a | (b >> 33n) } },
      { asm: 'orn x0, x1, x2, asr #8', init: { x1: a, x2: b }, expect: { x0: a | ~(sx(b) >> 8n) } },
      { asm: 'eor x0, x1, x2, ror #17', init: { x1: a, x2: b }, expect: { x0: a ^ rot(b, 17n) } },
      { asm: 'eor x0, x1, x2, ror #32', init: { x1: a, x2: b }, expect: { x0: a ^ rot(b, 32n) } },
      { asm: 'eor x0, x1, x2, ror #63', init: { x1: a, x2: b }, expect: { x0: a ^ rot(b, 63n) } },
      { asm: 'eon x0, x1, x2, asr #63', init: { x1: a, x2: b }, expect: { x0: a ^ ~(sx(b) >> 63n) } },
      { asm: 'orr x0, x1, x2, lsl #32', init: { x1: 0x1234n, x2: 0x5678n }, expect: { x0: 0x5678_0000_1234n } },
      { asm: 'and x0, x1, x2, lsr #63', init: { x1: -1n, x2: b }, expect: { x0: 1n } },
      { asm: 'mov x0, x1', init: { x1: a }, expect: { x0: a } },
      { asm: 'mvn x0, x1', init: { x1: a }, expect: { x0: ~a } },
      { asm: 'mvn x0, x1, lsl #1', init: { x1: a }, expect: { x0: ~(a << 1n) } },
      { asm: 'mov w0, w1', init: { x1: a }, expect: { x0: 0x5678_0f0fn } },
      { asm: 'mvn w0, w1', init: { x1: a }, expect: { x0: ~0x5678_0f0fn & 0xffffffffn } },
      { asm: 'and w0, w1, w2, lsl #31', init: { x1: -1n, x2: 1n }, expect: { x0: 0x80000000n } },
      { asm: 'orr w0, w1, w2, asr #4', init: { x1: 0n, x2: 0x80000000n }, expect: { x0: 0xf8000000n } },
      { asm: 'eor w0, w1, w2, ror #4', init: { x1: 0n, x2: 0x1n }, expect: { x0: 0x10000000n } },
      { asm: 'bic w0, w1, w2, lsr #1', init: { x1: -1n, x2: -1n }, expect: { x0: 0x80000000n } },
      { asm: 'eon w0, w1, w2', init: { x1: 0n, x2: 0n }, expect: { x0: 0xffffffffn } },
      { asm: 'orn w0, wzr, w2, ror #0', init: { x2: 0x1_0000_0000n }, expect: { x0: 0xffffffffn } },
      { asm: 'orr x0, x0, x0', init: { x0: a }, expect: { x0: a } },
      { asm: 'eor x1, x1, x1, lsl #8', init: { x1: a }, expect: { x1: a ^ (a << 8n) } },
    ]);
  });

  test('ANDS/BICS/TST flags', () => {
    runAll([
      { asm: 'ands x0, x1, x2', init: { x1: a, x2: b }, flags: 'nZCV', expect: { x0: a & b }, expectFlags: 'Nzcv' },
      { asm: 'bics x0, x1, x1', init: { x1: a }, flags: 'NzCV', expect: { x0: 0n }, expectFlags: 'nZcv' },
      { asm: 'tst x1, x2, lsl #63', init: { x1: 1n << 63n, x2: 1n }, expect: {}, expectFlags: 'Nzcv' },
      { asm: 'tst x1, x2, ror #1', init: { x1: 1n << 63n, x2: 1n }, expect: {}, expectFlags: 'Nzcv' },
      { asm: 'ands w0, w1, w2', init: { x1: 0xffff_ffff_0000_0000n, x2: -1n }, expect: { x0: 0n }, expectFlags: 'nZcv' },
      { asm: 'bics w0, w1, w2, asr #31', init: { x1: 0x80000000n, x2: 0x7fffffffn }, expect: { x0: 0x80000000n }, expectFlags: 'Nzcv' },
    ]);
  });
});

describe('ADD/SUB (shifted and extended register), ADC/SBC', () => {
  test('shifted register', () => {
    runAll([
      { asm: 'add x0, x1, x2, lsl #3', init: { x1: 0x40000000n, x2: 0x1000_0000_0001n }, expect: { x0: 0x40000000n + 0x8000_0000_0008n } },
      { asm: 'add x0, x1, x2, lsr #60', init: { x1: 1n, x2: -1n }, expect: { x0: 16n } },
      { asm: 'sub x0, x1, x2, asr #63', init: { x1: 5n, x2: -4n }, expect: { x0: 6n } },
      { asm: 'sub x0, x1, x2, asr #32', init: { x1: 0n, x2: 0x8000_0000_0000_0000n }, expect: { x0: 0x8000_0000n } },
      { asm: 'neg x0, x1', init: { x1: 1n }, expect: { x0: -1n } },
      { asm: 'neg x0, x1, lsl #40', init: { x1: 3n }, expect: { x0: -(3n << 40n) } },
      { asm: 'add w0, w1, w2, lsl #31', init: { x1: 0x7fffffffn, x2: 1n }, expect: { x0: 0xffffffffn } },
      { asm: 'sub w0, w1, w2, lsr #16', init: { x1: 0n, x2: 0x10000n }, expect: { x0: 0xffffffffn } },
      { asm: 'add x3, x3, x3', init: { x3: 0x8000_0000_8000_0000n }, expect: { x3: 0x1_0000_0000n } },
    ]);
  });

  test('shifted register flags', () => {
    runAll([
      { asm: 'adds x0, x1, x2', init: { x1: -1n, x2: 1n }, expect: { x0: 0n }, expectFlags: 'nZCv' },
      { asm: 'adds x0, x1, x2, lsl #62', init: { x1: 1n << 62n, x2: 1n }, expect: { x0: 1n << 63n }, expectFlags: 'NzcV' },
      { asm: 'subs x0, x1, x2', init: { x1: 3n, x2: 5n }, expect: { x0: -2n }, expectFlags: 'Nzcv' },
      { asm: 'cmp x1, x2', init: { x1: 1n << 63n, x2: 1n }, expect: {}, expectFlags: 'nzCV' },
      { asm: 'cmp x1, x2, lsr #1', init: { x1: 1n << 62n, x2: 1n << 63n }, expect: {}, expectFlags: 'nZCv' },
      { asm: 'cmn x1, x2', init: { x1: 0x7fffffffffffffffn, x2: 1n }, expect: {}, expectFlags: 'NzcV' },
      { asm: 'negs x0, x1', init: { x1: 0n }, expect: { x0: 0n }, expectFlags: 'nZCv' },
      { asm: 'negs x0, x1', init: { x1: 1n << 63n }, expect: { x0: 1n << 63n }, expectFlags: 'NzcV' },
      { asm: 'adds w0, w1, w2, lsr #31', init: { x1: 0xffffffffn, x2: 0x80000000n }, expect: { x0: 0n }, expectFlags: 'nZCv' },
      { asm: 'cmp w1, w2', init: { x1: 0x1_0000_0000n, x2: 0x0_0000_0001n }, expect: {}, expectFlags: 'Nzcv' },
      { asm: 'subs w0, w1, w2, asr #4', init: { x1: 0x7fffffffn, x2: 0x80000000n }, expect: { x0: 0x87ffffffn }, expectFlags: 'NzcV' },
    ]);
  });

  test('extended register, including SP operands', () => {
    runAll([
      { asm: 'add x0, sp, w1, uxtw #2', init: { x1: 0xffff_ffff_8000_0000n }, expect: { x0: 0x40100000n + 0x2_0000_0000n } },
      { asm: 'add x0, x1, w2, sxtw', init: { x1: 0x100n, x2: 0xffffffffn }, expect: { x0: 0xffn } },
      { asm: 'add x0, x1, w2, sxtw #4', init: { x1: 0n, x2: 0x80000000n }, expect: { x0: -(1n << 35n) } },
      { asm: 'add x0, x1, w2, uxtb #1', init: { x1: 1n, x2: 0x1ffn }, expect: { x0: 0x1ffn } },
      { asm: 'add x0, x1, w2, sxtb #3', init: { x1: 0n, x2: 0x80n }, expect: { x0: -0x400n } },
      { asm: 'add x0, x1, w2, uxth', init: { x1: 0n, x2: -1n }, expect: { x0: 0xffffn } },
      { asm: 'sub x0, x1, w2, sxth #2', init: { x1: 0n, x2: 0x8000n }, expect: { x0: 0x20000n } },
      { asm: 'add x0, x1, x2, sxtx #1', init: { x1: 1n, x2: 1n << 63n }, expect: { x0: 1n } },
      { asm: 'add x0, x1, x2, uxtx #4', init: { x1: 0n, x2: 0x1234_5678_9abc_def0n }, expect: { x0: 0x1234_5678_9abc_def0n << 4n } },
      { asm: 'sub sp, sp, x1', init: { x1: 0x100n }, expect: { sp: 0x400fff00n } },
      { asm: 'add sp, x2, w1, uxtw', init: { x1: 0x10n, x2: 0x40000000n }, expect: { sp: 0x40000010n } },
      { asm: 'add w0, w1, w2, uxtb #4', init: { x1: 0xfffffff0n, x2: 0x101n }, expect: { x0: 0x0n } },
      { asm: 'add w0, w1, w2, sxth', init: { x1: 0n, x2: 0x8000n }, expect: { x0: 0xffff8000n } },
      { asm: 'add wsp, wsp, w1, uxtx #1', init: { x1: 8n }, expect: { sp: 0x40100010n } },
      { asm: 'sub w0, w1, w2, sxtw #3', init: { x1: 0n, x2: 1n }, expect: { x0: 0xfffffff8n } },
    ]);
  });

  test('extended register flags', () => {
    runAll([
      { asm: 'cmp w1, w2, uxtb', init: { x1: 0x10n, x2: 0x310n }, expect: {}, expectFlags: 'nZCv' },
      { asm: 'cmp x1, w2, sxtw', init: { x1: -1n, x2: 0xffffffffn }, expect: {}, expectFlags: 'nZCv' },
      { asm: 'adds x0, x1, w2, sxth #4', init: { x1: 0x80000n, x2: 0x8000n }, expect: { x0: 0n }, expectFlags: 'nZCv' },
      { asm: 'cmp sp, x1', init: { x1: 0x40100001n }, expect: {}, expectFlags: 'Nzcv' },
      { asm: 'subs x0, sp, #0x1, lsl #12', expect: { x0: 0x400ff000n }, expectFlags: 'nzCv' },
      { asm: 'cmn w1, w2, sxtb', init: { x1: 1n, x2: 0xffn }, expect: {}, expectFlags: 'nZCv' },
    ]);
  });

  test('ADC/ADCS/SBC/SBCS use and set the carry', () => {
    runAll([
      { asm: 'adc x0, x1, x2', init: { x1: 1n, x2: 2n }, flags: 'nzCv', expect: { x0: 4n }, expectFlags: 'nzCv' },
      { asm: 'adc x0, x1, x2', init: { x1: 1n, x2: 2n }, flags: 'NZcV', expect: { x0: 3n }, expectFlags: 'NZcV' },
      { asm: 'adcs x0, x1, x2', init: { x1: -1n, x2: 0n }, flags: 'nzCv', expect: { x0: 0n }, expectFlags: 'nZCv' },
      { asm: 'adcs x0, x1, x2', init: { x1: 0x7fffffffffffffffn, x2: 0n }, flags: 'nzCv', expect: { x0: 1n << 63n }, expectFlags: 'NzcV' },
      { asm: 'sbc x0, x1, x2', init: { x1: 5n, x2: 3n }, flags: 'nzcv', expect: { x0: 1n } },
      { asm: 'sbc x0, x1, x2', init: { x1: 5n, x2: 3n }, flags: 'nzCv', expect: { x0: 2n } },
      { asm: 'sbcs x0, x1, x2', init: { x1: 0n, x2: 0n }, flags: 'nzcv', expect: { x0: -1n }, expectFlags: 'Nzcv' },
      { asm: 'sbcs x0, x1, x2', init: { x1: 0n, x2: 0n }, flags: 'nzCv', expect: { x0: 0n }, expectFlags: 'nZCv' },
      { asm: 'ngc x0, x1', init: { x1: 0n }, flags: 'nzcv', expect: { x0: -1n } },
      { asm: 'ngcs w0, w1', init: { x1: 0n }, flags: 'nzCv', expect: { x0: 0n }, expectFlags: 'nZCv' },
      { asm: 'adc w0, w1, w2', init: { x1: 0xffffffffn, x2: 0n }, flags: 'nzCv', expect: { x0: 0n } },
      { asm: 'adcs w0, w1, w2', init: { x1: 0x7fffffffn, x2: 0n }, flags: 'nzCv', expect: { x0: 0x80000000n }, expectFlags: 'NzcV' },
      { asm: 'sbcs w0, w1, w2', init: { x1: 0x80000000n, x2: 0n }, flags: 'nzcv', expect: { x0: 0x7fffffffn }, expectFlags: 'nzCV' },
      {
        // 128-bit addition: (2^64 - 1) + 1 carries into the high doubleword.
        asm: ['adds x0, x1, x3', 'adc x2, x2, x4'],
        init: { x1: -1n, x2: 7n, x3: 1n, x4: 0n },
        expect: { x0: 0n, x2: 8n },
        expectFlags: 'nZCv',
      },
    ]);
  });
});

describe('conditional compare and select', () => {
  test('CCMP/CCMN take the comparison when the condition holds, else #nzcv', () => {
    runAll([
      { asm: 'ccmp x1, x2, #4, eq', init: { x1: 3n, x2: 5n }, flags: 'nZcv', expect: {}, expectFlags: 'Nzcv' },
      { asm: 'ccmp x1, x2, #4, eq', init: { x1: 3n, x2: 5n }, flags: 'nzcv', expect: {}, expectFlags: 'nZcv' },
      { asm: 'ccmp x1, #31, #0xf, ne', init: { x1: 31n }, flags: 'nzcv', expect: {}, expectFlags: 'nZCv' },
      { asm: 'ccmp x1, #31, #0xf, ne', init: { x1: 31n }, flags: 'nZcv', expect: {}, expectFlags: 'NZCV' },
      { asm: 'ccmn x1, x2, #0, al', init: { x1: -1n, x2: 1n }, flags: 'NzcV', expect: {}, expectFlags: 'nZCv' },
      { asm: 'ccmn w1, #5, #2, ge', init: { x1: 0xfffffffbn }, flags: 'nzcv', expect: {}, expectFlags: 'nZCv' },
      { asm: 'ccmp w1, w2, #8, hi', init: { x1: 0x80000000n, x2: 1n }, flags: 'nzCv', expect: {}, expectFlags: 'nzCV' },
      { asm: 'ccmp w1, w2, #8, hi', init: { x1: 0x80000000n, x2: 1n }, flags: 'nZCv', expect: {}, expectFlags: 'Nzcv' },
      { asm: 'ccmp xzr, #0, #0, lt', flags: 'Nzcv', expect: {}, expectFlags: 'nZCv' },
    ]);
  });

  test('CSEL/CSINC/CSINV/CSNEG and aliases', () => {
    const a = 0x1111_2222_3333_4444n;
    const b = 0x8000_0000_ffff_ffffn;
    runAll([
      { asm: 'csel x0, x1, x2, eq', init: { x1: a, x2: b }, flags: 'nZcv', expect: { x0: a } },
      { asm: 'csel x0, x1, x2, eq', init: { x1: a, x2: b }, flags: 'nzcv', expect: { x0: b } },
      { asm: 'csinc x0, x1, x2, ne', init: { x1: a, x2: b }, flags: 'nZcv', expect: { x0: b + 1n } },
      { asm: 'csinc x0, x1, x2, ne', init: { x1: a, x2: -1n }, flags: 'nZcv', expect: { x0: 0n } },
      { asm: 'csinv x0, x1, x2, mi', init: { x1: a, x2: b }, flags: 'nzcv', expect: { x0: ~b } },
      { asm: 'csneg x0, x1, x2, pl', init: { x1: a, x2: b }, flags: 'Nzcv', expect: { x0: -b } },
      { asm: 'csneg x0, x1, x2, pl', init: { x1: a, x2: 0x1_0000_0000n }, flags: 'Nzcv', expect: { x0: -0x1_0000_0000n } },
      { asm: 'csneg x0, x1, x2, pl', init: { x1: a, x2: 0n }, flags: 'Nzcv', expect: { x0: 0n } },
      { asm: 'csneg x0, x1, x2, pl', init: { x1: a, x2: b }, flags: 'nzcv', expect: { x0: a } },
      { asm: 'cset x0, hi', flags: 'nzCv', expect: { x0: 1n } },
      { asm: 'cset w0, hi', flags: 'nZCv', expect: { x0: 0n } },
      { asm: 'csetm x0, ge', flags: 'NzcV', expect: { x0: -1n } },
      { asm: 'csetm w0, lt', flags: 'NzcV', expect: { x0: 0n } },
      { asm: 'csetm w0, gt', flags: 'nzcv', expect: { x0: 0xffffffffn } },
      { asm: 'cinc x0, x1, le', init: { x1: 41n }, flags: 'nZcv', expect: { x0: 42n } },
      { asm: 'cneg x0, x1, vs', init: { x1: 41n }, flags: 'nzcV', expect: { x0: -41n } },
      { asm: 'cinv w0, w1, cc', init: { x1: 0n }, flags: 'nzcv', expect: { x0: 0xffffffffn } },
      { asm: 'csel w0, w1, w2, lo', init: { x1: a, x2: b }, flags: 'nzCv', expect: { x0: 0xffffffffn } },
      { asm: 'csinc w0, w1, w2, ls', init: { x1: a, x2: 0xffffffffn }, flags: 'nzCv', expect: { x0: 0n } },
      { asm: 'csneg w0, w1, w2, vc', init: { x1: a, x2: 0x80000000n }, flags: 'nzcV', expect: { x0: 0x80000000n } },
      { asm: 'csinv w0, w1, w2, eq', init: { x1: a, x2: b }, flags: 'nZcv', expect: { x0: 0x33334444n } },
    ]);
  });

  test('every condition against every flag combination (CSET)', () => {
    const conds = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'];
    // Reference: ARM ARM ConditionHolds.
    const holds = (cond: number, n: boolean, z: boolean, c: boolean, v: boolean): boolean => {
      const base = [z, c, n, v, c && !z, n === v, n === v && !z, true][cond >> 1];
      return cond & 1 && cond !== 15 ? !base : base;
    };
    // CSINC Xd, XZR, XZR, cond: 0 when cond holds, else 1 (cset writes the inverted condition,
    // and al/nv are not accepted there, so use csinc directly).
    const words = assembleLines(conds.map((cc) => `csinc x0, xzr, xzr, ${cc}`));
    for (let f = 0; f < 16; f++) {
      for (let cond = 0; cond < 16; cond++) {
        const c = makeCpu();
        c.n = (f >> 3) & 1;
        c.z = (f >> 2) & 1;
        c.c = (f >> 1) & 1;
        c.v = f & 1;
        runWords(c, [words[cond]]);
        const want = holds(cond, c.n === 1, c.z === 1, c.c === 1, c.v === 1) ? 0n : 1n;
        expect(`${conds[cond]} f=${f} ${c.getX(0)}`).toBe(`${conds[cond]} f=${f} ${want}`);
      }
    }
  });
});

describe('data-processing (1 source)', () => {
  const v = 0x0123_4567_89ab_cdefn;
  const rbit = (x: bigint, bits: number): bigint => {
    let r = 0n;
    for (let i = 0; i < bits; i++) if ((x >> BigInt(i)) & 1n) r |= 1n << BigInt(bits - 1 - i);
    return r;
  };
  test('RBIT, REV16, REV32, REV', () => {
    runAll([
      { asm: 'rbit x0, x1', init: { x1: v }, expect: { x0: rbit(v, 64) } },
      { asm: 'rbit x0, x1', init: { x1: 1n }, expect: { x0: 1n << 63n } },
      { asm: 'rbit w0, w1', init: { x1: v }, expect: { x0: rbit(0x89abcdefn, 32) } },
      { asm: 'rev16 x0, x1', init: { x1: v }, expect: { x0: 0x2301_6745_ab89_efcdn } },
      { asm: 'rev16 w0, w1', init: { x1: v }, expect: { x0: 0xab89_efcdn } },
      { asm: 'rev32 x0, x1', init: { x1: v }, expect: { x0: 0x6745_2301_efcd_ab89n } },
      { asm: 'rev x0, x1', init: { x1: v }, expect: { x0: 0xefcd_ab89_6745_2301n } },
      { asm: 'rev w0, w1', init: { x1: v }, expect: { x0: 0xefcd_ab89n } },
      { asm: 'rev x1, x1', init: { x1: v }, expect: { x1: 0xefcd_ab89_6745_2301n } },
    ]);
  });

  test('CLZ and CLS', () => {
    runAll([
      { asm: 'clz x0, x1', init: { x1: 0n }, expect: { x0: 64n } },
      { asm: 'clz x0, x1', init: { x1: 1n }, expect: { x0: 63n } },
      { asm: 'clz x0, x1', init: { x1: 0x1_0000_0000n }, expect: { x0: 31n } },
      { asm: 'clz x0, x1', init: { x1: -1n }, expect: { x0: 0n } },
      { asm: 'clz w0, w1', init: { x1: 0xffff_ffff_0000_0000n }, expect: { x0: 32n } },
      { asm: 'clz w0, w1', init: { x1: 0x8000n }, expect: { x0: 16n } },
      { asm: 'cls x0, x1', init: { x1: 0n }, expect: { x0: 63n } },
      { asm: 'cls x0, x1', init: { x1: -1n }, expect: { x0: 63n } },
      { asm: 'cls x0, x1', init: { x1: 1n << 63n }, expect: { x0: 0n } },
      { asm: 'cls x0, x1', init: { x1: 0xffff_ffff_7fff_ffffn }, expect: { x0: 31n } },
      { asm: 'cls x0, x1', init: { x1: 0x0000_0000_8000_0000n }, expect: { x0: 31n } },
      { asm: 'cls x0, x1', init: { x1: 0x0000_0001_0000_0000n }, expect: { x0: 30n } },
      { asm: 'cls w0, w1', init: { x1: 0n }, expect: { x0: 31n } },
      { asm: 'cls w0, w1', init: { x1: 0xffff0000n }, expect: { x0: 15n } },
      { asm: 'cls w0, w1', init: { x1: 0x40000000n }, expect: { x0: 0n } },
    ]);
  });
});

describe('data-processing (2 source)', () => {
  test('UDIV/SDIV including division by zero and overflow', () => {
    const MIN64 = 1n << 63n;
    runAll([
      { asm: 'udiv x0, x1, x2', init: { x1: 100n, x2: 7n }, expect: { x0: 14n } },
      { asm: 'udiv x0, x1, x2', init: { x1: 100n, x2: 0n }, expect: { x0: 0n } },
      { asm: 'udiv x0, x1, x2', init: { x1: -1n, x2: 3n }, expect: { x0: M64 / 3n } },
      { asm: 'udiv x0, x1, x2', init: { x1: -1n, x2: -2n }, expect: { x0: 1n } },
      { asm: 'udiv x0, x1, x2', init: { x1: 0x1f_ffff_ffff_ffffn, x2: 0x1_0000_0001n }, expect: { x0: 0x1f_ffff_ffff_ffffn / 0x1_0000_0001n } },
      { asm: 'udiv x0, x1, x2', init: { x1: 0x1234_5678_9abc_def0n, x2: 10n }, expect: { x0: 0x1234_5678_9abc_def0n / 10n } },
      { asm: 'sdiv x0, x1, x2', init: { x1: -7n, x2: 2n }, expect: { x0: -3n } },
      { asm: 'sdiv x0, x1, x2', init: { x1: 7n, x2: -2n }, expect: { x0: -3n } },
      { asm: 'sdiv x0, x1, x2', init: { x1: -1n, x2: 2n }, expect: { x0: 0n } },
      { asm: 'sdiv x0, x1, x2', init: { x1: MIN64, x2: -1n }, expect: { x0: MIN64 } },
      { asm: 'sdiv x0, x1, x2', init: { x1: MIN64, x2: 0n }, expect: { x0: 0n } },
      { asm: 'sdiv x0, x1, x2', init: { x1: MIN64, x2: 3n }, expect: { x0: -(MIN64 / 3n) } },
      { asm: 'sdiv x0, x1, x2', init: { x1: -0x1f_ffff_ffff_ffffn, x2: 0x10n }, expect: { x0: -(0x1f_ffff_ffff_ffffn / 0x10n) } },
      { asm: 'udiv w0, w1, w2', init: { x1: 0xffffffffn, x2: 2n }, expect: { x0: 0x7fffffffn } },
      { asm: 'udiv w0, w1, w2', init: { x1: 0x1_0000_0005n, x2: 0x1_0000_0000n }, expect: { x0: 0n } },
      { asm: 'sdiv w0, w1, w2', init: { x1: 0x80000000n, x2: 0xffffffffn }, expect: { x0: 0x80000000n } },
      { asm: 'sdiv w0, w1, w2', init: { x1: 0xfffffff9n, x2: 2n }, expect: { x0: 0xfffffffdn } },
      { asm: 'sdiv w0, w1, w2', init: { x1: 5n, x2: 0n }, expect: { x0: 0n } },
    ]);
  });

  test('LSLV/LSRV/ASRV/RORV take the amount modulo the width', () => {
    const v = 0x8123_4567_89ab_cdefn;
    const rot = (x: bigint, r: bigint): bigint => ((x >> r) | (x << (64n - r))) & M64;
    runAll([
      { asm: 'lsl x0, x1, x2', init: { x1: v, x2: 4n }, expect: { x0: v << 4n } },
      { asm: 'lsl x0, x1, x2', init: { x1: v, x2: 68n }, expect: { x0: v << 4n } },
      { asm: 'lsl x0, x1, x2', init: { x1: v, x2: 32n }, expect: { x0: v << 32n } },
      { asm: 'lsr x0, x1, x2', init: { x1: v, x2: 0x1_0000_0021n }, expect: { x0: v >> 33n } },
      { asm: 'lsr x0, x1, x2', init: { x1: v, x2: 64n }, expect: { x0: v } },
      { asm: 'asr x0, x1, x2', init: { x1: v, x2: 63n }, expect: { x0: -1n } },
      { asm: 'asr x0, x1, x2', init: { x1: v, x2: 40n }, expect: { x0: BigInt.asIntN(64, v) >> 40n } },
      { asm: 'ror x0, x1, x2', init: { x1: v, x2: 8n }, expect: { x0: rot(v, 8n) } },
      { asm: 'ror x0, x1, x2', init: { x1: v, x2: 96n }, expect: { x0: rot(v, 32n) } },
      { asm: 'ror x0, x1, x2', init: { x1: v, x2: 0n }, expect: { x0: v } },
      { asm: 'lsl w0, w1, w2', init: { x1: v, x2: 33n }, expect: { x0: (0x89abcdefn << 1n) & 0xffffffffn } },
      { asm: 'lsr w0, w1, w2', init: { x1: v, x2: 31n }, expect: { x0: 1n } },
      { asm: 'asr w0, w1, w2', init: { x1: v, x2: 36n }, expect: { x0: 0xf89abcden } },
      { asm: 'ror w0, w1, w2', init: { x1: v, x2: 4n }, expect: { x0: 0xf89abcden } },
      { asm: 'ror w0, w1, w2', init: { x1: v, x2: 32n }, expect: { x0: 0x89abcdefn } },
    ]);
  });

  test('CRC32 and CRC32C of "123456789" give the standard check values', () => {
    // Standard CRC-32 check value 0xCBF43926, CRC-32C 0xE3069283 (init ~0, final inversion).
    const data = Buffer.from('123456789');
    const x8 = data.readBigUInt64LE(0);
    for (const [suffix, want] of [
      ['', 0xcbf43926n],
      ['c', 0xe3069283n],
    ] as const) {
      runAll([
        {
          asm: ['mov w0, #-1', `crc32${suffix}x w0, w0, x1`, `crc32${suffix}b w0, w0, w2`, 'mvn w0, w0'],
          init: { x1: x8, x2: 0xffff_ff00n | BigInt(data[8]) },
          expect: { x0: want },
        },
        {
          // Same bytes through the H and W forms: "1234" "56" "78" "9".
          asm: [
            'mov w0, #-1',
            `crc32${suffix}w w0, w0, w1`,
            `crc32${suffix}h w0, w0, w2`,
            `crc32${suffix}h w0, w0, w3`,
            `crc32${suffix}b w0, w0, w4`,
            'mvn w0, w0',
          ],
          init: {
            x1: 0xdead_beef_0000_0000n | BigInt(data.readUInt32LE(0)),
            x2: 0xffff_0000n | BigInt(data.readUInt16LE(4)),
            x3: BigInt(data.readUInt16LE(6)),
            x4: BigInt(data[8]),
          },
          expect: { x0: want },
        },
      ]);
    }
  });
});

describe('data-processing (3 source)', () => {
  const big = [0n, 1n, 0xffff_ffffn, 0x1_0000_0000n, 0x1234_5678_9abc_def0n, 0x8000_0000_0000_0000n, M64, 0xfedc_ba98_7654_3210n];
  const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);
  test('MUL/MADD/MSUB/MNEG with large operands', () => {
    for (const a of big) {
      for (const b of big) {
        runAll([
          { asm: 'mul x0, x1, x2', init: { x1: a, x2: b }, expect: { x0: a * b } },
          { asm: 'madd x0, x1, x2, x3', init: { x1: a, x2: b, x3: 0x1111n }, expect: { x0: a * b + 0x1111n } },
          { asm: 'msub x0, x1, x2, x3', init: { x1: a, x2: b, x3: 5n }, expect: { x0: 5n - a * b } },
          { asm: 'mneg x0, x1, x2', init: { x1: a, x2: b }, expect: { x0: -a * b } },
          { asm: 'mul w0, w1, w2', init: { x1: a, x2: b }, expect: { x0: ((a & 0xffffffffn) * (b & 0xffffffffn)) & 0xffffffffn } },
          { asm: 'msub w0, w1, w2, w3', init: { x1: a, x2: b, x3: 1n }, expect: { x0: (1n - (a & 0xffffffffn) * (b & 0xffffffffn)) & 0xffffffffn } },
          { asm: 'umulh x0, x1, x2', init: { x1: a, x2: b }, expect: { x0: (a * b) >> 64n } },
          { asm: 'smulh x0, x1, x2', init: { x1: a, x2: b }, expect: { x0: (s64(a) * s64(b)) >> 64n } },
        ]);
      }
    }
  });

  test('widening multiplies', () => {
    const w = [0n, 1n, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0x1234_5678n];
    const s32 = (x: bigint): bigint => BigInt.asIntN(32, x);
    for (const a of w) {
      for (const b of w) {
        const hiJunkA = a | 0xabcd_0000_0000_0000n; // the upper halves of Xn/Xm are ignored
        runAll([
          { asm: 'umull x0, w1, w2', init: { x1: hiJunkA, x2: b }, expect: { x0: a * b } },
          { asm: 'smull x0, w1, w2', init: { x1: hiJunkA, x2: b }, expect: { x0: s32(a) * s32(b) } },
          { asm: 'umaddl x0, w1, w2, x3', init: { x1: a, x2: b, x3: M64 }, expect: { x0: a * b - 1n } },
          { asm: 'umsubl x0, w1, w2, x3', init: { x1: a, x2: b, x3: 3n }, expect: { x0: 3n - a * b } },
          { asm: 'smaddl x0, w1, w2, x3', init: { x1: a, x2: b, x3: 1n << 63n }, expect: { x0: (1n << 63n) + s32(a) * s32(b) } },
          { asm: 'smsubl x0, w1, w2, x3', init: { x1: a, x2: b, x3: 0n }, expect: { x0: -(s32(a) * s32(b)) } },
          { asm: 'smnegl x0, w1, w2', init: { x1: a, x2: b }, expect: { x0: -(s32(a) * s32(b)) } },
          { asm: 'umnegl x0, w1, w2', init: { x1: a, x2: b }, expect: { x0: -(a * b) } },
        ]);
      }
    }
  });

  test('destination aliasing a source', () => {
    runAll([
      { asm: 'madd x1, x1, x1, x1', init: { x1: 0x1_0000_0001n }, expect: { x1: 0x1_0000_0001n * 0x1_0000_0001n + 0x1_0000_0001n } },
      { asm: 'umulh x2, x2, x2', init: { x2: M64 }, expect: { x2: M64 - 1n } },
      { asm: 'smaddl x3, w3, w3, x3', init: { x3: 0xffff_ffffn }, expect: { x3: 0xffff_ffffn + 1n } },
    ]);
  });
});

describe('XZR destinations and sources', () => {
  test('writes to XZR are discarded and reads give zero', () => {
    runAll([
      { asm: ['add xzr, x1, x2', 'mov x0, xzr'], init: { x1: 1n, x2: 2n }, expect: { x0: 0n } },
      { asm: ['movz xzr, #5', 'movk xzr, #5', 'orr x0, xzr, xzr'], expect: { x0: 0n } },
      { asm: ['udiv xzr, x1, x2', 'csel xzr, x1, x2, eq', 'rbit xzr, x1', 'madd xzr, x1, x1, x1', 'lsl xzr, x1, #3'], init: { x1: 7n, x2: 1n }, expect: { x1: 7n } },
      { asm: 'adds xzr, x1, x2', init: { x1: -1n, x2: 1n }, expect: {}, expectFlags: 'nZCv' },
      { asm: 'sub x0, xzr, x1', init: { x1: 1n }, expect: { x0: -1n } },
      { asm: 'madd x0, x1, x2, xzr', init: { x1: 3n, x2: 4n }, expect: { x0: 12n } },
    ]);
  });
});

describe('UNDEFINED encodings in the data-processing classes', () => {
  // Each word is one field away from a valid instruction; the comment names the rule.
  const undefinedWords: [number, string][] = [
    [0x91800000, 'add/sub immediate with bit 23 set (FEAT_MTE ADDG)'],
    [0x12400000, 'logical immediate sf=0 N=1'],
    [0x9240fc00, 'logical immediate all-ones element (N=1 imms=111111)'],
    [0x92000000 | (0x3f << 10), 'logical immediate N=0 imms=111111'],
    [0x92000000 | (0x3e << 10), 'logical immediate N=0 imms=111110 (2-bit all ones)'],
    [0x92000000 | (0x3d << 10), 'logical immediate N=0 imms=111101 (2-bit element of all ones)'],
    [0x12000000 | (0x1f << 10), 'logical immediate 32-bit all-ones element (imms=011111)'],
    [0xb2a00000, 'move wide opc=01'],
    [0x52c00000, 'MOVZ W with hw=2'],
    [0x72e00000, 'MOVK W with hw=3'],
    [0x73000000, 'bitfield opc=11'],
    [0x13400000, 'SBFM W with N=1'],
    [0x93000000, 'SBFM X with N=0'],
    [0x53200000, 'UBFM W with immr=32'],
    [0x53008000, 'UBFM W with imms=32'],
    [0x13a00000, 'EXTR with o0=1'],
    [0x13808000, 'EXTR W with imms>=32'],
    [0x93800000, 'EXTR X with N=0'],
    [0x53800000, 'EXTR with op21=10'],
    [0x0a008000, 'logical shifted W with imm6=32'],
    [0x0b008000, 'add shifted W with imm6=32'],
    [0x8bc00000, 'add shifted with shift=11'],
    [0x8b600000, 'add extended with opt=01'],
    [0x8b201400, 'add extended with imm3=5'],
    [0x8b201c00, 'add extended with imm3=7'],
    [0x9a000400, 'ADC with op3 != 0 (FEAT_FlagM RMIF space)'],
    [0x3a00080d, 'SETF8 (FEAT_FlagM)'],
    [0xda400000, 'CCMP with S=0'],
    [0xfa400400, 'CCMP with o2=1'],
    [0xfa400010, 'CCMP with o3=1'],
    [0x9a800800, 'CSEL with op2=10'],
    [0xba800000, 'CSEL with S=1'],
    [0x5ac00c00, 'REV with sf=0, opcode=000011'],
    [0xdac01800, 'data-processing 1 source opcode=000110'],
    [0xdac10000, 'PACIA (opcode2=00001, FEAT_PAuth)'],
    [0xfac00000, 'data-processing 1 source with S=1'],
    [0x9ac00000, 'SUBP (FEAT_MTE)'],
    [0x9ac01000, 'IRG (FEAT_MTE)'],
    [0x9ac03000, 'PACGA (FEAT_PAuth)'],
    [0x1ac04c00, 'CRC32X with sf=0'],
    [0x9ac04000, 'CRC32B with sf=1'],
    [0x1ac05c00, 'CRC32CX with sf=0'],
    [0x3ac00800, 'UDIV with S=1'],
    [0x9ac06000, 'data-processing 2 source opcode=011000 (FEAT_CSSC SMAX)'],
    [0x1b200000, 'SMADDL with sf=0'],
    [0x1ba00000, 'UMADDL with sf=0'],
    [0x9b408000, 'SMULH with o0=1'],
    [0x9bc08000, 'UMULH with o0=1'],
    [0x9b600000, 'data-processing 3 source op31=011'],
    [0x9be00000, 'data-processing 3 source op31=111'],
    [0xbb000000, 'data-processing 3 source op54=01'],
    [0x1a200000, 'data-processing register op1=1 op2=0001'],
    [0x1a600000, 'data-processing register op1=1 op2=0011'],
  ];
  test.each(undefinedWords.map(([w, why]) => [`0x${(w >>> 0).toString(16).padStart(8, '0')}`, why, w >>> 0]))('%s (%s)', (_hex, _why, w) => {
    expect(decodeDp(w as number, CODE_BASE)).toBeUndefined();
  });

  test('the valid neighbours of those encodings do decode', () => {
    const valid = assembleLines([
      'add x0, x0, #0',
      'and x0, x0, #1',
      'movz w0, #0, lsl #16',
      'sbfm w0, w0, #0, #31',
      'extr w0, w0, w0, #31',
      'add w0, w0, w0, lsl #31',
      'add x0, x0, w0, uxtb #4',
      'adc x0, x0, x0',
      'ccmp x0, x0, #0, eq',
      'csel x0, x0, x0, eq',
      'rev x0, x0',
      'cls w0, w0',
      'crc32cx w0, w0, x0',
      'rorv x0, x0, x0',
      'smaddl x0, w0, w0, x0',
      'umulh x0, x0, x0',
    ]);
    for (const w of valid) expect(decodeDp(w, CODE_BASE)).toBeDefined();
  });
});
