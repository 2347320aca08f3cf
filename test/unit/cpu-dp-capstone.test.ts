/**
 * Decoder coverage of the two A64 data-processing classes against capstone (LLVM's
 * AArch64 disassembler tables, @alexaltea/capstone-js):
 * - every word our decoder accepts must be valid in capstone;
 * - every word capstone accepts must be accepted by us unless it is an instruction from
 *   an extension after ARMv8.0 (MTE, PAuth, FlagM, CSSC), which we leave UNDEFINED.
 */
import { decodeDataProcessingImm } from '../../src/machine/cpu/decode-dp-imm';
import { decodeDataProcessingReg } from '../../src/machine/cpu/decode-dp-reg';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const MCapstone = require('@alexaltea/capstone-js') as () => Promise<CapstoneModule>;

interface CapstoneInsn {
  mnemonic: string;
  op_str: string;
}
interface CapstoneModule {
  ARCH_ARM64: number;
  MODE_ARM: number;
  Capstone: new (arch: number, mode: number) => { disasm(bytes: number[], addr: number): CapstoneInsn[]; close(): void };
}

/** Mnemonics of post-ARMv8.0 instructions in these classes (capstone enables all extensions). */
const LATER_EXTENSIONS = /^(addg|subg|irg|gmi|subps?|cmpp|pacga|pac[id][ab]z?|aut[id][ab]z?|xpac[id]|rmif|setf(8|16)|smax|smin|umax|umin|abs|cnt|ctz)$/;

let disasm: (w: number) => CapstoneInsn | undefined;
let closeCs: () => void = () => undefined;

beforeAll(async () => {
  const cs = await MCapstone();
  const d = new cs.Capstone(cs.ARCH_ARM64, cs.MODE_ARM);
  closeCs = () => d.close();
  disasm = (w) => {
    try {
      const r = d.disasm([w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24], 0x40000000);
      return r.length > 0 ? r[0] : undefined;
    } catch {
      return undefined; // capstone-js throws on an invalid encoding
    }
  };
});
afterAll(() => closeCs());

function oursValid(w: number): boolean {
  const op0 = (w >>> 25) & 15;
  const fn = (op0 & 0b1110) === 0b1000 ? decodeDataProcessingImm(w, 0x40000000) : decodeDataProcessingReg(w, 0x40000000);
  return fn !== undefined;
}

/** Compare one word; returns a description of a mismatch or undefined. */
function compare(w: number): string | undefined {
  const ours = oursValid(w);
  const cs = disasm(w);
  const hex = `0x${(w >>> 0).toString(16).padStart(8, '0')}`;
  if (ours && !cs) return `${hex}: we execute it, capstone says invalid`;
  if (!ours && cs && !LATER_EXTENSIONS.test(cs.mnemonic)) return `${hex}: capstone decodes "${cs.mnemonic} ${cs.op_str}", we say UNDEFINED`;
  return undefined;
}

function collect(words: Iterable<number>): string[] {
  const bad: string[] = [];
  for (const w of words) {
    const m = compare(w >>> 0);
    if (m && bad.length < 20) bad.push(m);
  }
  return bad;
}

/** xorshift32, so the sample is reproducible. */
function* randomDpWords(count: number, seed: number): Generator<number> {
  let s = seed | 0 || 1;
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const w = s >>> 0;
    yield i & 1 ? ((w & ~(0xe << 25)) | (0x8 << 25)) >>> 0 : ((w & ~(0x7 << 25)) | (0x5 << 25)) >>> 0;
  }
}

/**
 * Every combination of the non-register bits of one class, with the register-position bits
 * (4:0, 9:5, 20:16) fixed to `regs`. In the immediate class those positions are partly
 * immediates, so several `regs` patterns are used.
 */
function* enumerateClass(imm: boolean, regs: number): Generator<number> {
  const regMask = 0x1f | (0x1f << 5) | (0x1f << 16);
  const classMask = imm ? 0x7 << 26 : 0x7 << 25;
  const classBits = imm ? 0x4 << 26 : 0x5 << 25;
  const free: number[] = [];
  for (let b = 0; b < 32; b++) if (!((regMask | classMask) & (1 << b))) free.push(b);
  for (let k = 0; k < 1 << free.length; k++) {
    let w = classBits | (regs & regMask);
    for (let i = 0; i < free.length; i++) if ((k >> i) & 1) w |= 1 << free[i];
    yield w >>> 0;
  }
}

describe('data-processing decoder agrees with capstone', () => {
  test('400k random words from both classes', () => {
    expect(collect(randomDpWords(400_000, 0x2545f491))).toEqual([]);
  });

  test.each([
    ['immediate', true],
    ['register', false],
  ])('every control-field combination of the %s class', (_name, imm) => {
    const patterns = [0, 0xffffffff, 0x000f_8421, 0x0011_0041, 0x001e_03dd];
    for (const regs of patterns) expect(collect(enumerateClass(imm as boolean, regs))).toEqual([]);
  });
});
