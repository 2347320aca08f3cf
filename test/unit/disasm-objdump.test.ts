/**
 * Second oracle for the disassembler: GNU objdump (binutils, aarch64-linux-gnu-objdump) on real
 * compiled code — the bundled guest (guest/kgdb-lab-guest.elf, committed) and the guest test
 * programs under guest/tests/build/*.elf when they have been built (`make -C guest tests`).
 *
 * For every instruction objdump lists that the executing decoder accepts, our text must equal
 * objdump's after the normalisation below; objdump lines that are data (`.word`, `.inst`) are
 * skipped, and the words objdump decodes but we treat as UNDEFINED are counted by mnemonic in
 * the summary (UDF padding, HLT, FP/SIMD, DC ZVA, unknown system registers...).
 *
 * objdump's spelling differs from ours (and capstone's) only in presentation, which the
 * normalisation removes: tabs, `// comment` and `<symbol+off>` annotations, branch targets as
 * bare hexadecimal, immediates sometimes decimal (`#16`) and MOV values unsigned
 * (`#0xffffffc8` for W, where capstone prints `#-0x38`), condition names CS/CC for HS/LO.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { decode } from '../../src/machine/cpu/decode';
import { disassemble } from '../../src/machine/cpu/disasm';

const GUEST = path.join(__dirname, '../../guest');

/** The ELF files to disassemble: the committed guest and any built test programs. */
function elfFiles(): string[] {
  const files = [path.join(GUEST, 'kgdb-lab-guest.elf')];
  const dir = path.join(GUEST, 'tests/build');
  if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir).sort()) if (f.endsWith('.elf')) files.push(path.join(dir, f));
  return files;
}

/**
 * Canonical form of an instruction text: single spaces, no comments or symbol annotations,
 * every immediate as the decimal of its 64-bit two's complement value (32-bit for a MOV to a
 * W register), branch targets as immediates, CS/CC spelled HS/LO.
 */
function canonical(text: string): string {
  let t = text
    .replace(/\s*\/\/.*$/, '')
    .replace(/\s*<[^>]*>/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\bcs\b/g, 'hs')
    .replace(/\bcc\b/g, 'lo');
  // A bare hexadecimal last operand (4 digits or more) is an address: objdump's branch, ADR/ADRP
  // and literal targets.
  t = t.replace(/^(\S+ (?:.*, )?)([0-9a-f]{4,})$/, '$1#0x$2');
  const width = /^mov w/.test(t) ? 32 : 64;
  return t.replace(/#(-?)(0x[0-9a-f]+|\d+)/g, (_, sign: string, v: string) => `#${BigInt.asUintN(width, (sign ? -1n : 1n) * BigInt(v))}`);
}

interface ObjdumpLine {
  pc: number;
  word: number;
  text: string;
}

/** Every instruction line of `objdump -d file`. */
function objdump(file: string): ObjdumpLine[] {
  const out = execFileSync('aarch64-linux-gnu-objdump', ['-d', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const lines: ObjdumpLine[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s+([0-9a-f]+):\t([0-9a-f]{8}) \t(.*)$/.exec(line);
    if (m) lines.push({ pc: parseInt(m[1], 16), word: parseInt(m[2], 16), text: m[3] });
  }
  return lines;
}

describe('disassembler agrees with GNU objdump on compiled guest code', () => {
  test('normalisation', () => {
    expect(canonical('b.cs\t40200044 <_start+0x44>  // b.hs, b.nlast')).toBe('b.hs #1075839044');
    expect(canonical('b.hs #0x40200044')).toBe('b.hs #1075839044');
    expect(canonical('mov\tw8, #0xffffffc8            \t// #-56')).toBe(canonical('mov w8, #-0x38'));
    expect(canonical('stp\tx29, x30, [sp, #-16]!')).toBe(canonical('stp x29, x30, [sp, #-0x10]!'));
    expect(canonical('cset\tw0, cc  // cc = lo, ul, last')).toBe('cset w0, lo');
    expect(canonical('mov x0, #0x10')).not.toBe(canonical('mov x0, #0x11'));
  });

  test('every executed instruction of the guest ELFs', () => {
    const files = elfFiles();
    const mismatches: string[] = [];
    const undefinedHere = new Map<string, number>();
    let compared = 0;
    for (const file of files) {
      for (const { pc, word, text } of objdump(file)) {
        const mnemonic = text.split('\t')[0];
        if (mnemonic === '.word' || mnemonic === '.inst') continue; // data in code
        const ours = disassemble(word, pc);
        if (decode(word | 0, pc) === undefined) {
          expect(ours).toBeUndefined();
          undefinedHere.set(mnemonic, (undefinedHere.get(mnemonic) ?? 0) + 1);
          continue;
        }
        compared++;
        if (ours === undefined || canonical(ours) !== canonical(text)) {
          if (mismatches.length < 20) mismatches.push(`${path.basename(file)} ${pc.toString(16)} ${word.toString(16)}: objdump "${text}", ours "${ours}"`);
        }
      }
    }
    process.stdout.write(
      `disassemble vs objdump: ${compared} executed instructions compared in ${files.length} ELF files; ` +
        `objdump-only (UNDEFINED here): ${[...undefinedHere].map(([m, n]) => `${m} ${n}`).join(', ')}\n`,
    );
    expect(mismatches).toEqual([]);
    // The committed guest alone has several thousand instructions.
    expect(compared).toBeGreaterThan(3000);
  });
});
