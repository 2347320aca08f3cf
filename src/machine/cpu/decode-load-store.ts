import type { Decoder } from './exec';
import { decodeExclusive } from './load-store-exclusive';
import { decodePair } from './load-store-pair';
import { decodeLiteral, decodeSingle } from './load-store-single';

/**
 * Second-level decode of the A64 "Loads and Stores" class (top-level bits [28:25] = x1x0;
 * ARM ARM C4.1.4, QEMU target/arm/tcg/translate-a64.c disas_ldst). Selects on op0<1:0> =
 * bits [29:28] and bit 24:
 *
 * | [29:28] | bit 24 | group                                                        |
 * |---------|--------|--------------------------------------------------------------|
 * | 00      | 0      | exclusive, ordered (LDAR/STLR), CAS, CASP                    |
 * | 00      | 1      | memory tags (v8.5), RCW (v9.4): UNDEFINED                    |
 * | 01      | 0      | load register (literal)                                      |
 * | 01      | 1      | LDAPUR/STLUR (v8.4), memory copy/set (v8.8): UNDEFINED       |
 * | 10      | x      | load/store pair                                              |
 * | 11      | x      | load/store register (all single forms, atomics, reg offset)  |
 *
 * Bit 26 (V) selects SIMD&FP registers or the ASIMD structure loads: never modelled (the
 * guest is built with -mgeneral-regs-only), so every V = 1 word is UNDEFINED.
 *
 * Architecture level: ARMv8.0 plus FEAT_LSE (ARMv8.1 atomics: CAS, CASP, LD<op>, SWP), which
 * ID_AA64ISAR0_EL1.Atomic advertises. Later load/store features (LDAPR, PAC loads, MTE, LOR,
 * RCPC2, LS64, MOPS) are UNDEFINED.
 *
 * @returns the Exec, or undefined for UNDEFINED / unallocated encodings
 */
export const decodeLoadStore: Decoder = (insn, pc) => {
  if (insn & (1 << 26)) return undefined;
  switch ((insn >>> 28) & 3) {
    case 0:
      return insn & (1 << 24) ? undefined : decodeExclusive(insn, pc);
    case 1:
      return insn & (1 << 24) ? undefined : decodeLiteral(insn, pc);
    case 2:
      return decodePair(insn, pc);
    default:
      return decodeSingle(insn, pc);
  }
};
