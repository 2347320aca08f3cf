import { disasmBranchSystem } from './disasm-branch-system';
import { disasmDataProcessingImm } from './disasm-dp-imm';
import { disasmDataProcessingReg } from './disasm-dp-reg';
import { disasmLoadStore } from './disasm-load-store';

/**
 * Disassemble one A64 instruction word into ARM ARM assembler syntax, using the preferred
 * disassembly (aliases such as MOV, CMP, LSL, CSET, STADD) and the operand style of LLVM/capstone
 * (lower case, `#0x..` immediates above 9, absolute branch targets). Covers exactly the
 * encodings the executing decoder implements: for every word, `disassemble(w, pc)` is undefined
 * if and only if `decode(w, pc)` (decode.ts) is undefined, i.e. the word raises UNDEFINED.
 * The per-class disassemblers share their validity predicates with the executing decoders.
 * Cross-checked against capstone in test/unit/decode-capstone.test.ts.
 *
 * Top-level dispatch on bits [28:25] as in decode.ts (ARM ARM C4.1, "A64 instruction set
 * encoding").
 * @param insn the 32-bit instruction word (any sign)
 * @param pc the word's address in bytes (PC-relative operands print as absolute addresses)
 * @returns the text, e.g. "add x0, x1, #0x10", or undefined for a word that is UNDEFINED here
 */
export function disassemble(insn: number, pc: number): string | undefined {
  const w = insn | 0;
  switch ((w >>> 25) & 0xf) {
    case 0x8:
    case 0x9:
      return disasmDataProcessingImm(w, pc);
    case 0xa:
    case 0xb:
      return disasmBranchSystem(w, pc);
    case 0x4:
    case 0x6:
    case 0xc:
    case 0xe:
      return disasmLoadStore(w, pc);
    case 0x5:
    case 0xd:
      return disasmDataProcessingReg(w);
    default:
      return undefined; // unallocated, SME, SVE, FP/SIMD: not modelled
  }
}
