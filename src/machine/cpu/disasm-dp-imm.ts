import { bitfieldAllocated, extractAllocated, logicalImmediate, moveWideAllocated } from './decode-dp-imm';
import { fmt, immS, immU, rsp, rz, sext, target } from './disasm-format';

/**
 * Disassembly of "Data Processing -- Immediate" (ARM ARM C4.1.2; the forms decode-dp-imm.ts
 * executes): ADR/ADRP, ADD/SUB(S) immediate, logical immediate, move wide, bitfield, EXTR,
 * with the ARM ARM's preferred aliases (MOV, CMP, CMN, TST, LSL/LSR/ASR, SXT*, UXT*,
 * SBFX/UBFX, SBFIZ/UBFIZ, BFI/BFXIL/BFC, ROR).
 * @returns the text, or undefined for the encodings decode-dp-imm.ts treats as UNDEFINED
 */
export function disasmDataProcessingImm(insn: number, pc: number): string | undefined {
  switch ((insn >>> 23) & 7) {
    case 0:
    case 1:
      return pcRel(insn, pc);
    case 2:
      return addSubImm(insn);
    case 4:
      return logicalImm(insn);
    case 5:
      return moveWide(insn);
    case 6:
      return bitfield(insn);
    case 7:
      return extract(insn);
    default:
      return undefined; // FEAT_MTE ADDG/SUBG
  }
}

/** ADR Xd, label / ADRP Xd, label (ARM ARM C6.2 "ADR", "ADRP"). */
function pcRel(insn: number, pc: number): string {
  const Rd = insn & 31;
  const imm = sext((insn >>> 5) & 0x7ffff, 19) * 4 + ((insn >>> 29) & 3); // immhi:immlo
  if (insn >>> 31) return fmt('adrp', rz(1, Rd), target(pc - (pc % 4096) + imm * 4096));
  return fmt('adr', rz(1, Rd), target(pc + imm));
}

/**
 * ADD/ADDS/SUB/SUBS (immediate). Aliases: MOV (to/from SP) for ADD #0 with Rd or Rn = SP,
 * CMP/CMN for SUBS/ADDS with Rd = ZR.
 */
function addSubImm(insn: number): string {
  const sf = insn >>> 31;
  const op = (insn >>> 30) & 1;
  const S = (insn >>> 29) & 1;
  const sh = (insn >>> 22) & 1;
  const imm12 = (insn >>> 10) & 0xfff;
  const Rn = (insn >>> 5) & 31;
  const Rd = insn & 31;
  const operand = sh ? [immU(imm12), 'lsl #12'] : [immU(imm12)];
  if (S) {
    if (Rd === 31) return fmt(op ? 'cmp' : 'cmn', rsp(sf, Rn), ...operand);
    return fmt(op ? 'subs' : 'adds', rz(sf, Rd), rsp(sf, Rn), ...operand);
  }
  if (!op && !sh && imm12 === 0 && (Rd === 31 || Rn === 31)) return fmt('mov', rsp(sf, Rd), rsp(sf, Rn));
  return fmt(op ? 'sub' : 'add', rsp(sf, Rd), rsp(sf, Rn), ...operand);
}

/** The immediate as an unsigned bigint of the operation's width, from DecodeBitMasks halves. */
function maskValue(sf: number, lo: number, hi: number): bigint {
  const l = BigInt(lo >>> 0);
  return sf ? (BigInt(hi >>> 0) << 32n) | l : l;
}

/**
 * ARM ARM MoveWidePreferred(sf, immN, imms, immr): whether a bitmask immediate that MOVZ or MOVN
 * can also encode should print as that (so ORR Rd, ZR, #imm does not print as MOV).
 */
function moveWidePreferred(sf: number, immN: number, imms: number, immr: number): boolean {
  const width = sf ? 64 : 32;
  // The element size must equal the register size.
  if (sf ? immN !== 1 : immN !== 0 || imms >= 32) return false;
  // MOVZ: at most 16 ones, not spanning a halfword boundary once rotated.
  if (imms < 16) return (-immr & 15) <= 15 - imms;
  // MOVN: at most 16 zeros, likewise.
  if (imms >= width - 15) return (immr & 15) <= imms - (width - 15);
  return false;
}

/**
 * AND/ORR/EOR/ANDS (immediate). Aliases: TST for ANDS with Rd = ZR; MOV (bitmask immediate) for
 * ORR with Rn = ZR unless MoveWidePreferred, printed as a signed value of the register width
 * like the other MOV immediates.
 */
function logicalImm(insn: number): string | undefined {
  const sf = insn >>> 31;
  const opc = (insn >>> 29) & 3;
  const immN = (insn >>> 22) & 1;
  const immr = (insn >>> 16) & 63;
  const imms = (insn >>> 10) & 63;
  const masks = logicalImmediate(sf, immN, immr, imms);
  if (masks === undefined) return undefined;
  const value = maskValue(sf, masks.wmaskLo, masks.wmaskHi);
  const Rn = (insn >>> 5) & 31;
  const Rd = insn & 31;
  const imm = immU(value);
  if (opc === 3) {
    if (Rd === 31) return fmt('tst', rz(sf, Rn), imm);
    return fmt('ands', rz(sf, Rd), rz(sf, Rn), imm);
  }
  if (opc === 1 && Rn === 31 && !moveWidePreferred(sf, immN, imms, immr)) {
    return fmt('mov', rsp(sf, Rd), immS(BigInt.asIntN(sf ? 64 : 32, value)));
  }
  return fmt(['and', 'orr', 'eor'][opc], rsp(sf, Rd), rz(sf, Rn), imm);
}

/** True when MOVZ can produce `value` (one 16-bit chunk at most is non-zero). */
function anyMovz(value: bigint, width: number): boolean {
  for (let shift = 0; shift <= width - 16; shift += 16) {
    if ((value & ~(0xffffn << BigInt(shift))) === 0n) return true;
  }
  return false;
}

/**
 * MOVN/MOVZ/MOVK. MOVZ and MOVN print as MOV with the resulting value (signed, of the register
 * width) except for `#0, lsl #n` (n > 0), and for a MOVN whose value MOVZ could also produce.
 */
function moveWide(insn: number): string | undefined {
  const sf = insn >>> 31;
  const opc = (insn >>> 29) & 3;
  const hw = (insn >>> 21) & 3;
  if (!moveWideAllocated(sf, opc, hw)) return undefined;
  const imm16 = (insn >>> 5) & 0xffff;
  const Rd = insn & 31;
  const width = sf ? 64 : 32;
  const shift = hw * 16;
  const operands = shift ? [immU(imm16), `lsl #${shift}`] : [immU(imm16)];
  if (opc === 3) return fmt('movk', rz(sf, Rd), ...operands);
  const wide = BigInt(imm16) << BigInt(shift);
  if (opc === 2) {
    if (imm16 === 0 && hw !== 0) return fmt('movz', rz(sf, Rd), ...operands);
    return fmt('mov', rz(sf, Rd), immS(BigInt.asIntN(width, wide)));
  }
  const value = BigInt.asUintN(width, ~wide);
  if ((imm16 === 0 && hw !== 0) || anyMovz(value, width)) return fmt('movn', rz(sf, Rd), ...operands);
  return fmt('mov', rz(sf, Rd), immS(BigInt.asIntN(width, value)));
}

/**
 * ARM ARM BFXPreferred(sf, uns, imms, immr): whether SBFM/UBFM print as SBFX/UBFX rather than
 * as one of the extension aliases.
 */
function bfxPreferred(sf: number, uns: boolean, imms: number, immr: number): boolean {
  if (imms < immr) return false;
  if (imms === (sf ? 63 : 31)) return false;
  if (immr === 0) {
    if (!sf && (imms === 7 || imms === 15)) return false;
    if (sf && !uns && (imms === 7 || imms === 15 || imms === 31)) return false;
  }
  return true;
}

/**
 * SBFM/BFM/UBFM and their aliases, chosen in the ARM ARM's order:
 * SBFM: ASR, SBFIZ, SBFX, SXTB/SXTH/SXTW; UBFM: LSL, LSR, UBFIZ, UBFX, UXTB/UXTH;
 * BFM: BFC (Rn = ZR and imms < immr; an ARMv8.2 alias, but only a spelling of BFM), BFI, BFXIL.
 */
function bitfield(insn: number): string | undefined {
  const sf = insn >>> 31;
  const opc = (insn >>> 29) & 3;
  const immr = (insn >>> 16) & 63;
  const imms = (insn >>> 10) & 63;
  if (!bitfieldAllocated(sf, opc, (insn >>> 22) & 1, immr, imms)) return undefined;
  const Rn = (insn >>> 5) & 31;
  const Rd = insn & 31;
  const size = sf ? 64 : 32;
  const d = rz(sf, Rd);
  const n = rz(sf, Rn);
  // The xBFIZ/BFI/BFC lsb and width, and the xBFX/BFXIL width.
  const izLsb = immU((size - immr) & (size - 1));
  const izWidth = immU(imms + 1);
  const fxWidth = immU(imms - immr + 1);
  if (opc === 1) {
    if (imms < immr) return Rn === 31 ? fmt('bfc', d, izLsb, izWidth) : fmt('bfi', d, n, izLsb, izWidth);
    return fmt('bfxil', d, n, immU(immr), fxWidth);
  }
  const uns = opc === 2;
  if (uns) {
    if (imms !== size - 1 && imms + 1 === immr) return fmt('lsl', d, n, immU(size - 1 - imms));
    if (imms === size - 1) return fmt('lsr', d, n, immU(immr));
  } else if (imms === size - 1) {
    return fmt('asr', d, n, immU(immr));
  }
  if (imms < immr) return fmt(uns ? 'ubfiz' : 'sbfiz', d, n, izLsb, izWidth);
  if (bfxPreferred(sf, uns, imms, immr)) return fmt(uns ? 'ubfx' : 'sbfx', d, n, immU(immr), fxWidth);
  // immr = 0 and imms = 7, 15 (or 31 for SXTW): the source is always a W register.
  const ext = imms === 7 ? 'b' : imms === 15 ? 'h' : 'w';
  return fmt(`${uns ? 'u' : 's'}xt${ext}`, d, rz(0, Rn));
}

/** EXTR, or ROR (immediate) when Rn = Rm. */
function extract(insn: number): string | undefined {
  const sf = insn >>> 31;
  const imms = (insn >>> 10) & 63;
  if (!extractAllocated(sf, (insn >>> 29) & 3, (insn >>> 22) & 1, (insn >>> 21) & 1, imms)) return undefined;
  const Rm = (insn >>> 16) & 31;
  const Rn = (insn >>> 5) & 31;
  const Rd = insn & 31;
  if (Rn === Rm) return fmt('ror', rz(sf, Rd), rz(sf, Rn), immU(imms));
  return fmt('extr', rz(sf, Rd), rz(sf, Rn), rz(sf, Rm), immU(imms));
}
