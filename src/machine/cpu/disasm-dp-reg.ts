import {
  condCompareAllocated,
  condSelectAllocated,
  dp1Allocated,
  dp2Allocated,
  dp3Allocated,
  extendedRegAllocated,
  shiftedRegAllocated,
} from './decode-dp-reg';
import { COND_NAMES, EXTEND_NAMES, SHIFT_NAMES, fmt, immU, rsp, rz, wr, xr } from './disasm-format';

/**
 * Disassembly of "Data Processing -- Register" (ARM ARM C4.1.5; the forms decode-dp-reg.ts
 * executes) with the ARM ARM's preferred aliases (MOV, MVN, TST, NEG(S), CMP, CMN, NGC(S),
 * CSET(M), CINC, CINV, CNEG, LSL/LSR/ASR/ROR for the *V forms, MUL, MNEG, SMULL, SMNEGL, UMULL,
 * UMNEGL). The dispatch mirrors decodeDataProcessingReg.
 * @returns the text, or undefined for the encodings decode-dp-reg.ts treats as UNDEFINED
 */
export function disasmDataProcessingReg(insn: number): string | undefined {
  const op2 = (insn >>> 21) & 15;
  if (((insn >>> 28) & 1) === 0) {
    if ((op2 & 8) === 0) return logicalShifted(insn);
    return (op2 & 1) === 0 ? addSubShifted(insn) : addSubExtended(insn);
  }
  switch (op2) {
    case 0:
      return ((insn >>> 10) & 63) === 0 ? addSubCarry(insn) : undefined;
    case 2:
      return condCompare(insn);
    case 4:
      return condSelect(insn);
    case 6:
      return ((insn >>> 30) & 1) === 1 ? dp1(insn) : dp2(insn);
    default:
      return op2 >= 8 ? dp3(insn) : undefined;
  }
}

/** The optional `, <shift> #<amount>` operand; LSL #0 is omitted. */
function shiftOperand(shift: number, amount: number): string[] {
  return shift === 0 && amount === 0 ? [] : [`${SHIFT_NAMES[shift]} #${amount}`];
}

/** AND/BIC/ORR/ORN/EOR/EON/ANDS/BICS (shifted register) and the MOV, MVN and TST aliases. */
function logicalShifted(insn: number): string | undefined {
  const sf = insn >>> 31;
  const opc = (insn >>> 29) & 3;
  const shift = (insn >>> 22) & 3;
  const N = (insn >>> 21) & 1;
  const Rm = (insn >>> 16) & 31;
  const imm6 = (insn >>> 10) & 63;
  const Rn = (insn >>> 5) & 31;
  const Rd = insn & 31;
  if (!shiftedRegAllocated(sf, shift, imm6, true)) return undefined;
  const sh = shiftOperand(shift, imm6);
  if (opc === 1 && Rn === 31) {
    if (N) return fmt('mvn', rz(sf, Rd), rz(sf, Rm), ...sh);
    if (sh.length === 0) return fmt('mov', rz(sf, Rd), rz(sf, Rm));
  }
  if (opc === 3 && N === 0 && Rd === 31) return fmt('tst', rz(sf, Rn), rz(sf, Rm), ...sh);
  const mnemonic = N ? ['bic', 'orn', 'eon', 'bics'][opc] : ['and', 'orr', 'eor', 'ands'][opc];
  return fmt(mnemonic, rz(sf, Rd), rz(sf, Rn), rz(sf, Rm), ...sh);
}

/** ADD/ADDS/SUB/SUBS (shifted register) and the CMP, CMN, NEG, NEGS aliases. */
function addSubShifted(insn: number): string | undefined {
  const sf = insn >>> 31;
  const op = (insn >>> 30) & 1;
  const S = (insn >>> 29) & 1;
  const shift = (insn >>> 22) & 3;
  const Rm = (insn >>> 16) & 31;
  const imm6 = (insn >>> 10) & 63;
  const Rn = (insn >>> 5) & 31;
  const Rd = insn & 31;
  if (!shiftedRegAllocated(sf, shift, imm6, false)) return undefined;
  const sh = shiftOperand(shift, imm6);
  if (S && Rd === 31) return fmt(op ? 'cmp' : 'cmn', rz(sf, Rn), rz(sf, Rm), ...sh);
  if (op && Rn === 31) return fmt(S ? 'negs' : 'neg', rz(sf, Rd), rz(sf, Rm), ...sh);
  return fmt(['add', 'adds', 'sub', 'subs'][op * 2 + S], rz(sf, Rd), rz(sf, Rn), rz(sf, Rm), ...sh);
}

/**
 * ADD/ADDS/SUB/SUBS (extended register) and CMP/CMN. The extend prints as LSL (omitted for
 * #0) when it is the identity extend (UXTX for X, UXTW for W) and Rd or Rn is SP/WSP, the
 * ARM ARM's preferred form.
 */
function addSubExtended(insn: number): string | undefined {
  const sf = insn >>> 31;
  const op = (insn >>> 30) & 1;
  const S = (insn >>> 29) & 1;
  const opt = (insn >>> 22) & 3;
  const Rm = (insn >>> 16) & 31;
  const option = (insn >>> 13) & 7;
  const imm3 = (insn >>> 10) & 7;
  const Rn = (insn >>> 5) & 31;
  const Rd = insn & 31;
  if (!extendedRegAllocated(opt, imm3)) return undefined;
  const rdIsSp = S === 0 && Rd === 31;
  const m = sf && (option & 3) === 3 ? xr(Rm) : wr(Rm);
  let ext: string[];
  if (option === (sf ? 3 : 2) && (rdIsSp || Rn === 31)) ext = imm3 === 0 ? [] : [`lsl #${imm3}`];
  else ext = [imm3 === 0 ? EXTEND_NAMES[option] : `${EXTEND_NAMES[option]} #${imm3}`];
  if (S && Rd === 31) return fmt(op ? 'cmp' : 'cmn', rsp(sf, Rn), m, ...ext);
  const d = S ? rz(sf, Rd) : rsp(sf, Rd);
  return fmt(['add', 'adds', 'sub', 'subs'][op * 2 + S], d, rsp(sf, Rn), m, ...ext);
}

/** ADC/ADCS/SBC/SBCS and NGC/NGCS (SBC with Rn = ZR). */
function addSubCarry(insn: number): string {
  const sf = insn >>> 31;
  const op = (insn >>> 30) & 1;
  const S = (insn >>> 29) & 1;
  const Rm = (insn >>> 16) & 31;
  const Rn = (insn >>> 5) & 31;
  const Rd = insn & 31;
  if (op && Rn === 31) return fmt(S ? 'ngcs' : 'ngc', rz(sf, Rd), rz(sf, Rm));
  return fmt(['adc', 'adcs', 'sbc', 'sbcs'][op * 2 + S], rz(sf, Rd), rz(sf, Rn), rz(sf, Rm));
}

/** CCMN/CCMP (register and immediate): `ccmp Rn, Rm|#imm5, #nzcv, cond`. */
function condCompare(insn: number): string | undefined {
  if (!condCompareAllocated(insn)) return undefined;
  const sf = insn >>> 31;
  const op = (insn >>> 30) & 1;
  const field = (insn >>> 16) & 31; // Rm or imm5
  const cond = (insn >>> 12) & 15;
  const Rn = (insn >>> 5) & 31;
  const second = (insn >>> 11) & 1 ? immU(field) : rz(sf, field);
  return fmt(op ? 'ccmp' : 'ccmn', rz(sf, Rn), second, immU(insn & 15), COND_NAMES[cond]);
}

/**
 * CSEL/CSINC/CSINV/CSNEG with the aliases CSET/CSETM (Rn = Rm = ZR), CINC/CINV (Rn = Rm, not
 * ZR) and CNEG (Rn = Rm), all with the inverted condition and only for cond != 111x.
 */
function condSelect(insn: number): string | undefined {
  if (!condSelectAllocated(insn)) return undefined;
  const sf = insn >>> 31;
  const kind = ((insn >>> 30) & 1) * 2 + ((insn >>> 10) & 1); // 0 CSEL, 1 CSINC, 2 CSINV, 3 CSNEG
  const Rm = (insn >>> 16) & 31;
  const cond = (insn >>> 12) & 15;
  const Rn = (insn >>> 5) & 31;
  const Rd = insn & 31;
  if (kind !== 0 && Rn === Rm && cond < 14) {
    const inv = COND_NAMES[cond ^ 1];
    if (kind === 3) return fmt('cneg', rz(sf, Rd), rz(sf, Rn), inv);
    if (Rn === 31) return fmt(kind === 1 ? 'cset' : 'csetm', rz(sf, Rd), inv);
    return fmt(kind === 1 ? 'cinc' : 'cinv', rz(sf, Rd), rz(sf, Rn), inv);
  }
  return fmt(['csel', 'csinc', 'csinv', 'csneg'][kind], rz(sf, Rd), rz(sf, Rn), rz(sf, Rm), COND_NAMES[cond]);
}

/** RBIT, REV16, REV32 (X) / REV (W), REV (X), CLZ, CLS. */
function dp1(insn: number): string | undefined {
  if (!dp1Allocated(insn)) return undefined;
  const sf = insn >>> 31;
  const opcode = (insn >>> 10) & 63;
  const mnemonic = ['rbit', 'rev16', sf ? 'rev32' : 'rev', 'rev', 'clz', 'cls'][opcode];
  return fmt(mnemonic, rz(sf, insn & 31), rz(sf, (insn >>> 5) & 31));
}

/** UDIV, SDIV, LSL/LSR/ASR/ROR (the preferred names of LSLV..RORV), CRC32{C}{B,H,W,X}. */
function dp2(insn: number): string | undefined {
  if (!dp2Allocated(insn)) return undefined;
  const sf = insn >>> 31;
  const opcode = (insn >>> 10) & 63;
  const Rm = (insn >>> 16) & 31;
  const Rn = (insn >>> 5) & 31;
  const Rd = insn & 31;
  if (opcode >= 16) {
    const mnemonic = `crc32${opcode >= 20 ? 'c' : ''}${'bhwx'[opcode & 3]}`;
    return fmt(mnemonic, wr(Rd), wr(Rn), rz(sf, Rm));
  }
  const mnemonic = opcode === 2 ? 'udiv' : opcode === 3 ? 'sdiv' : SHIFT_NAMES[opcode - 8];
  return fmt(mnemonic, rz(sf, Rd), rz(sf, Rn), rz(sf, Rm));
}

/** MADD/MSUB (MUL/MNEG), SMADDL/SMSUBL (SMULL/SMNEGL), UMADDL/UMSUBL (UMULL/UMNEGL), SMULH, UMULH. */
function dp3(insn: number): string | undefined {
  if (!dp3Allocated(insn)) return undefined;
  const sf = insn >>> 31;
  const op31 = (insn >>> 21) & 7;
  const o0 = (insn >>> 15) & 1;
  const Rm = (insn >>> 16) & 31;
  const Ra = (insn >>> 10) & 31;
  const Rn = (insn >>> 5) & 31;
  const Rd = insn & 31;
  if (op31 === 2 || op31 === 6) return fmt(op31 === 2 ? 'smulh' : 'umulh', xr(Rd), xr(Rn), xr(Rm));
  if (op31 === 0) {
    if (Ra === 31) return fmt(o0 ? 'mneg' : 'mul', rz(sf, Rd), rz(sf, Rn), rz(sf, Rm));
    return fmt(o0 ? 'msub' : 'madd', rz(sf, Rd), rz(sf, Rn), rz(sf, Rm), rz(sf, Ra));
  }
  const u = op31 === 5 ? 'u' : 's';
  if (Ra === 31) return fmt(`${u}${o0 ? 'mnegl' : 'mull'}`, xr(Rd), wr(Rn), wr(Rm));
  return fmt(`${u}${o0 ? 'msubl' : 'maddl'}`, xr(Rd), wr(Rn), wr(Rm), xr(Ra));
}
