/**
 * Differential test of the data-processing instructions against QEMU (the oracle named in
 * shared/reference/aarch64-machine.md §6): random valid instruction words, each run on a
 * random register state by a generated bare-metal program on
 * `qemu-system-aarch64 -M virt,gic-version=3 -cpu cortex-a57`, which prints X0-X30, SP and
 * NZCV after each one over the PL011; the same word and state then run on our Cpu.
 * Skipped when qemu-system-aarch64 or binutils are not installed.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Bus } from '../../src/machine/bus';
import { Cpu, type CpuHost } from '../../src/machine/cpu/cpu';
import { decodeDataProcessingImm } from '../../src/machine/cpu/decode-dp-imm';
import { decodeDataProcessingReg } from '../../src/machine/cpu/decode-dp-reg';
import type { Exec } from '../../src/machine/cpu/exec';
import { SP_SLOT } from '../../src/machine/cpu/exec';

const QEMU = 'qemu-system-aarch64';
/** Number of random instructions; DP_QEMU_TESTS overrides it for a deeper one-off run. */
const TESTS = Number(process.env.DP_QEMU_TESTS ?? 1500);
const VALUES = 33; // x0..x30, sp, nzcv

function have(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}
const available = have(QEMU) && have('aarch64-linux-gnu-as') && have('aarch64-linux-gnu-ld');

function decodeDp(word: number, pc: number): Exec | undefined {
  const op0 = (word >>> 25) & 15;
  return (op0 & 0b1110) === 0b1000 ? decodeDataProcessingImm(word, pc) : decodeDataProcessingReg(word, pc);
}

/** mulberry32: a small seeded PRNG, so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Instruction-group encodings (fixed bits) of the data-processing space, ADR/ADRP excluded (PC-dependent). */
const GROUPS: [base: number, mask: number][] = [
  [0x11000000, 0x1f800000], // add/sub immediate
  [0x12000000, 0x1f800000], // logical immediate
  [0x12800000, 0x1f800000], // move wide
  [0x13000000, 0x1f800000], // bitfield
  [0x13800000, 0x1fa00000], // extract (o0 = 0)
  [0x0a000000, 0x1f000000], // logical shifted register
  [0x0b000000, 0x1f200000], // add/sub shifted register
  [0x0b200000, 0x1fe00000], // add/sub extended register (opt = 0)
  [0x1a000000, 0x1fe0fc00], // adc/sbc (op3 = 0)
  [0x3a400000, 0x3fe00410], // ccmn/ccmp (S = 1, o2 = o3 = 0)
  [0x1a800000, 0x3fe00800], // conditional select (S = 0, op2<1> = 0)
  [0x5ac00000, 0x7fffe000], // dp 1 source (S = 0, opcode2 = 0, opcode < 8)
  [0x1ac00000, 0x7fe08000], // dp 2 source (S = 0, opcode < 32)
  [0x1b000000, 0x7f000000], // dp 3 source (op54 = 0)
];

function randomWord(next: () => number): number {
  for (;;) {
    const [base, mask] = GROUPS[next() % GROUPS.length];
    const w = ((next() & ~mask) | base) >>> 0;
    if (decodeDp(w, 0x40080000) !== undefined) return w;
  }
}

function randomValue(next: () => number): bigint {
  const r = next() % 8;
  const lo = BigInt(next());
  const hi = BigInt(next());
  const edges = [0n, 1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x8000_0000_0000_0000n, 0x7fff_ffff_ffff_ffffn, (1n << 64n) - 1n];
  if (r === 0) return edges[next() % edges.length];
  if (r === 1) return lo & 0x3fn;
  if (r === 2) return lo;
  if (r === 3) return ((1n << 64n) - 1n) ^ (lo & 0xffn);
  return (hi << 32n) | lo;
}

interface TestCase {
  word: number;
  state: bigint[]; // VALUES entries: x0..x30, sp, nzcv (flags in bits 31:28)
}

/** The generated program: each test loads its state, runs its word, stores every register. */
function programSource(tests: TestCase[]): string {
  const out: string[] = [];
  out.push('.section .text.boot', '.global _start', '_start:');
  tests.forEach((_t, i) => {
    out.push(
      `adrp x30, st${i}`,
      `add x30, x30, :lo12:st${i}`,
      'ldr x0, [x30, #248]',
      'mov sp, x0',
      'ldr x0, [x30, #256]',
      'msr nzcv, x0',
    );
    for (let r = 0; r < 30; r += 2) out.push(`ldp x${r}, x${r + 1}, [x30, #${r * 8}]`);
    out.push('ldr x30, [x30, #240]', `.inst 0x${tests[i].word.toString(16)}`, 'msr tpidr_el1, x30', `adrp x30, rs${i}`, `add x30, x30, :lo12:rs${i}`);
    for (let r = 0; r < 30; r += 2) out.push(`stp x${r}, x${r + 1}, [x30, #${r * 8}]`);
    out.push('mrs x0, tpidr_el1', 'str x0, [x30, #240]', 'mov x0, sp', 'str x0, [x30, #248]', 'mrs x0, nzcv', 'str x0, [x30, #256]');
  });
  // Print every result value as 16 hex digits per line, then PSCI SYSTEM_OFF.
  out.push(
    'adrp x19, results',
    'add x19, x19, :lo12:results',
    `ldr x20, =${tests.length * VALUES}`,
    'mov x9, #0x09000000',
    '1: ldr x0, [x19], #8',
    'mov x2, #60',
    '2: lsr x3, x0, x2',
    'and x3, x3, #15',
    'add x4, x3, #48',
    'add x5, x3, #87',
    'cmp x3, #10',
    'csel x4, x4, x5, lo',
    'strb w4, [x9]',
    'subs x2, x2, #4',
    'b.ge 2b',
    'mov w4, #10',
    'strb w4, [x9]',
    'subs x20, x20, #1',
    'b.ne 1b',
    'ldr x0, =0x84000008',
    'hvc #0',
    '3: b 3b',
    '.ltorg',
    '.data',
    '.balign 8',
  );
  tests.forEach((t, i) => out.push(`st${i}: .quad ${t.state.map((v) => `0x${v.toString(16)}`).join(', ')}`));
  out.push('.balign 8', 'results:');
  tests.forEach((_t, i) => out.push(`rs${i}: .skip ${VALUES * 8}`));
  return out.join('\n') + '\n';
}

function runQemu(tests: TestCase[]): bigint[][] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kgdb-lab-dpq-'));
  try {
    fs.writeFileSync(path.join(dir, 't.S'), programSource(tests));
    fs.writeFileSync(
      path.join(dir, 't.ld'),
      'ENTRY(_start)\nSECTIONS { . = 0x40080000; .text : { *(.text.boot) *(.text*) } .data : { *(.data*) } }\n',
    );
    execFileSync('aarch64-linux-gnu-as', ['-o', path.join(dir, 't.o'), path.join(dir, 't.S')]);
    execFileSync('aarch64-linux-gnu-ld', ['--no-warn-rwx-segments', '-T', path.join(dir, 't.ld'), '-o', path.join(dir, 't.elf'), path.join(dir, 't.o')]);
    const text = execFileSync(
      QEMU,
      ['-M', 'virt,gic-version=3', '-cpu', 'cortex-a57', '-smp', '1', '-m', '128M', '-nographic', '-kernel', path.join(dir, 't.elf')],
      { timeout: 60_000, maxBuffer: 64 << 20 },
    ).toString();
    const values = text.split(/\r?\n/).filter((l) => /^[0-9a-f]{16}$/.test(l)).map((l) => BigInt(`0x${l}`));
    if (values.length !== tests.length * VALUES) throw new Error(`QEMU printed ${values.length} values, expected ${tests.length * VALUES}`);
    return tests.map((_t, i) => values.slice(i * VALUES, (i + 1) * VALUES));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function runOurs(t: TestCase): bigint[] {
  const c = new Cpu(0, 0x80000000, { bus: new Bus(4096) } as unknown as CpuHost);
  for (let r = 0; r < 31; r++) c.setX(r, t.state[r]);
  c.setX(SP_SLOT, t.state[31]);
  c.setPstate(Number(t.state[32]) | 0x3c5); // NZCV plus EL1h, DAIF masked
  const fn = decodeDp(t.word, 0x40080000)!;
  c.pc = 0x40080004;
  fn(c);
  const out: bigint[] = [];
  for (let r = 0; r < 31; r++) out.push(c.getX(r));
  out.push(c.getX(SP_SLOT), BigInt(((c.n << 31) | (c.z << 30) | (c.c << 29) | (c.v << 28)) >>> 0));
  return out;
}

(available ? describe : describe.skip)('data-processing instructions against QEMU cortex-a57', () => {
  test(`${TESTS} random instructions on random states`, () => {
    const next = prng(0x5eed_d47a);
    const tests: TestCase[] = [];
    for (let i = 0; i < TESTS; i++) {
      const word = randomWord(next);
      const state: bigint[] = [];
      for (let r = 0; r < 32; r++) state.push(randomValue(next));
      state.push(BigInt((next() & 0xf0000000) >>> 0));
      tests.push({ word, state });
    }
    const qemu = runQemu(tests);
    const names = [...Array.from({ length: 31 }, (_v, r) => `x${r}`), 'sp', 'nzcv'];
    const mismatches: string[] = [];
    tests.forEach((t, i) => {
      const ours = runOurs(t);
      for (let k = 0; k < VALUES; k++) {
        if (ours[k] !== qemu[i][k] && mismatches.length < 20) {
          mismatches.push(`0x${t.word.toString(16).padStart(8, '0')}: ${names[k]} ours 0x${ours[k].toString(16)}, QEMU 0x${qemu[i][k].toString(16)}`);
        }
      }
    });
    expect(mismatches).toEqual([]);
  });
});
