import type { Exec } from './exec';
import { decodeDataProcessingImm } from './decode-dp-imm';
import { decodeDataProcessingReg } from './decode-dp-reg';
import { decodeLoadStore } from './decode-load-store';
import { decodeBranchSystem } from './decode-branch-system';

/**
 * Top-level A64 decode on bits [28:25] (ARM ARM C4.1, "A64 instruction set encoding";
 * QEMU target/arm/tcg/translate-a64.c disas_a64_insn).
 * @param insn the 32-bit instruction word (any sign)
 * @param pc its address in bytes
 * @returns the Exec, or undefined when the encoding is unallocated or not implemented
 *          (the caller raises UNDEFINED, ESR EC 0).
 */
export function decode(insn: number, pc: number): Exec | undefined {
  const op0 = (insn >>> 25) & 0xf;
  switch (op0) {
    case 0x8:
    case 0x9:
      return decodeDataProcessingImm(insn, pc);
    case 0xa:
    case 0xb:
      return decodeBranchSystem(insn, pc);
    case 0x4:
    case 0x6:
    case 0xc:
    case 0xe:
      return decodeLoadStore(insn, pc);
    case 0x5:
    case 0xd:
      return decodeDataProcessingReg(insn, pc);
    default:
      // 0000/0001/0011 unallocated (or SME), 0010 SVE, x111 FP/SIMD: not modelled.
      return undefined;
  }
}
