import type { Decoder, Exec } from './exec';
import { DISCARD, rdZr, rSp } from './exec';
import type { BitMasks } from './arith64';
import {
  adds32,
  adds64,
  asrHi,
  asrLo,
  decodeBitMasks,
  flags32,
  flags64,
  logicFlags32,
  logicFlags64,
  lslHi,
  lslLo,
  lsrHi,
  lsrLo,
  numberHi,
  numberLo,
  rorHi,
  rorLo,
} from './arith64';

/**
 * A64 "Data Processing -- Immediate" (ARM ARM C4.1.2, instruction bits [28:26] = 100),
 * ARMv8.0 integer forms: ADR/ADRP, ADD/SUB(S) immediate, AND/ORR/EOR/ANDS immediate,
 * MOVN/MOVZ/MOVK, SBFM/BFM/UBFM, EXTR. The op0 field is bits [25:23]; 011 (FEAT_MTE
 * ADDG/SUBG) and later extensions are UNDEFINED here. Cross-checked in structure against
 * QEMU target/arm/tcg/a64.decode (read, not copied).
 *
 * Every Exec is specialised at decode time on sf, S, the operation and the register
 * forms (XZR destinations become no-ops unless flags are set; CMP skips the register write).
 */
export const decodeDataProcessingImm: Decoder = (insn, pc) => {
  switch ((insn >>> 23) & 7) {
    case 0:
    case 1:
      return decodePcRel(insn, pc);
    case 2:
      return decodeAddSubImm(insn);
    case 4:
      return decodeLogicalImm(insn);
    case 5:
      return decodeMoveWide(insn);
    case 6:
      return decodeBitfield(insn);
    case 7:
      return decodeExtract(insn);
    default:
      return undefined; // 011: add/subtract immediate with tags (FEAT_MTE), not in ARMv8.0
  }
};

/** An instruction whose only effect is a write to XZR. */
const NOP: Exec = () => {};

/** Write the decode-time constant (lo, hi) to slot d. */
function constExec(d: number, lo: number, hi: number): Exec {
  return (c) => {
    c.lo[d] = lo;
    c.hi[d] = hi;
  };
}

/** Copy slot n to slot d (MOV to/from SP, LSR/LSL #0, ...). */
function moveExec(d: number, n: number): Exec {
  return (c) => {
    c.lo[d] = c.lo[n];
    c.hi[d] = c.hi[n];
  };
}

/** Copy the low word of slot n to slot d, zeroing the upper half (32-bit MOV). */
function move32Exec(d: number, n: number): Exec {
  return (c) => {
    c.lo[d] = c.lo[n];
    c.hi[d] = 0;
  };
}

/**
 * ADR / ADRP (ARM ARM C6.2 "ADR", "ADRP"): Rd = PC + imm, or the PC's 4 KiB page + imm << 12.
 * The result is a decode-time constant because the Exec belongs to one address.
 */
function decodePcRel(insn: number, pc: number): Exec {
  const d = insn & 31;
  if (d === 31) return NOP;
  // immhi (bits 23:5) sign-extended, then immlo (bits 30:29) below it.
  const imm = ((insn << 8) >> 13) * 4 + ((insn >>> 29) & 3);
  const value = insn >>> 31 === 1 ? pc - (pc % 4096) + imm * 4096 : pc + imm;
  return constExec(d, numberLo(value), numberHi(value));
}

/**
 * ADD/ADDS/SUB/SUBS (immediate) (ARM ARM C6.2, e.g. "ADD (immediate)"): imm12, optionally
 * LSL #12. Rn is SP-capable; Rd is SP for ADD/SUB and XZR for ADDS/SUBS (CMP/CMN).
 */
function decodeAddSubImm(insn: number): Exec {
  const sf = insn >>> 31;
  const sub = (insn >>> 30) & 1;
  const setFlags = (insn >>> 29) & 1;
  const imm = ((insn >>> 10) & 0xfff) << (((insn >>> 22) & 1) * 12);
  const n = rSp((insn >>> 5) & 31);
  const rd = insn & 31;

  if (setFlags) {
    const d = rdZr(rd);
    // SUBS computes AddWithCarry(Xn, NOT(imm), 1).
    const bl = sub ? ~imm : imm;
    const bh = sub ? -1 : 0;
    if (sf) {
      if (d === DISCARD) return (c) => flags64(c, c.lo[n], c.hi[n], bl, bh, sub);
      return (c) => adds64(c, d, c.lo[n], c.hi[n], bl, bh, sub);
    }
    if (d === DISCARD) return (c) => flags32(c, c.lo[n], bl, sub);
    return (c) => adds32(c, d, c.lo[n], bl, sub);
  }

  const d = rSp(rd);
  if (sf) {
    if (imm === 0) return moveExec(d, n);
    if (sub) {
      return (c) => {
        const h = c.hi[n];
        const s = (c.lo[n] >>> 0) - imm;
        c.lo[d] = s | 0;
        c.hi[d] = s < 0 ? (h - 1) | 0 : h;
      };
    }
    return (c) => {
      const h = c.hi[n];
      const s = (c.lo[n] >>> 0) + imm;
      c.lo[d] = s | 0;
      c.hi[d] = s > 0xffffffff ? (h + 1) | 0 : h;
    };
  }
  const delta = sub ? -imm : imm;
  return (c) => {
    c.lo[d] = (c.lo[n] + delta) | 0;
    c.hi[d] = 0;
  };
}

/**
 * The bitmask immediate of a logical (immediate) instruction (ARM ARM DecodeBitMasks with
 * immediate = TRUE). Shared with the disassembler (disasm-dp-imm.ts).
 * @returns the masks (wmaskLo/wmaskHi hold the immediate; for sf = 0 only wmaskLo matters),
 *          or undefined when the encoding is UNDEFINED: sf = 0 with N = 1, or a reserved pattern
 */
export function logicalImmediate(sf: number, immN: number, immr: number, imms: number): BitMasks | undefined {
  if (!sf && immN) return undefined;
  return decodeBitMasks(immN, imms, immr, true, sf ? 64 : 32);
}

/**
 * AND/ORR/EOR/ANDS (immediate) (ARM ARM C6.2, e.g. "AND (immediate)"). The immediate comes
 * from DecodeBitMasks; sf=0 with N=1 and the reserved bitmask patterns are UNDEFINED.
 * Rd is SP-capable except for ANDS (XZR, i.e. TST).
 */
function decodeLogicalImm(insn: number): Exec | undefined {
  const sf = insn >>> 31;
  const opc = (insn >>> 29) & 3;
  const masks = logicalImmediate(sf, (insn >>> 22) & 1, (insn >>> 16) & 63, (insn >>> 10) & 63);
  if (masks === undefined) return undefined;
  const il = masks.wmaskLo;
  const ih = sf ? masks.wmaskHi : 0;
  const n = (insn >>> 5) & 31;
  const rd = insn & 31;

  if (opc === 3) {
    const d = rdZr(rd);
    if (sf) return (c) => logicFlags64(c, d, c.lo[n] & il, c.hi[n] & ih);
    return (c) => logicFlags32(c, d, c.lo[n] & il);
  }
  const d = rSp(rd);
  // Rn = XZR: AND yields 0 and ORR/EOR yield the immediate (the MOV bitmask-immediate alias).
  if (n === 31) return opc === 0 ? constExec(d, 0, 0) : constExec(d, il, ih);
  if (sf) {
    switch (opc) {
      case 0:
        return (c) => {
          c.lo[d] = c.lo[n] & il;
          c.hi[d] = c.hi[n] & ih;
        };
      case 1:
        return (c) => {
          c.lo[d] = c.lo[n] | il;
          c.hi[d] = c.hi[n] | ih;
        };
      default:
        return (c) => {
          c.lo[d] = c.lo[n] ^ il;
          c.hi[d] = c.hi[n] ^ ih;
        };
    }
  }
  switch (opc) {
    case 0:
      return (c) => {
        c.lo[d] = c.lo[n] & il;
        c.hi[d] = 0;
      };
    case 1:
      return (c) => {
        c.lo[d] = c.lo[n] | il;
        c.hi[d] = 0;
      };
    default:
      return (c) => {
        c.lo[d] = c.lo[n] ^ il;
        c.hi[d] = 0;
      };
  }
}

/** MOVN/MOVZ/MOVK field check: opc = 01 is unallocated and sf = 0 needs hw < 2. Shared with the disassembler. */
export function moveWideAllocated(sf: number, opc: number, hw: number): boolean {
  return opc !== 1 && (sf === 1 || hw < 2);
}

/**
 * MOVN/MOVZ/MOVK (ARM ARM C6.2 "MOVN", "MOVZ", "MOVK"): imm16 at bit position hw*16. opc=01 is unallocated, and
 * sf=0 with hw >= 2 is UNDEFINED. MOVK keeps the other bits of Rd (and zeroes bits 63:32 for Wd).
 */
function decodeMoveWide(insn: number): Exec | undefined {
  const sf = insn >>> 31;
  const opc = (insn >>> 29) & 3;
  const hw = (insn >>> 21) & 3;
  const imm16 = (insn >>> 5) & 0xffff;
  const d = insn & 31;
  if (!moveWideAllocated(sf, opc, hw)) return undefined;
  if (d === 31) return NOP;
  const vl = hw === 0 ? imm16 : hw === 1 ? imm16 << 16 : 0;
  const vh = hw === 2 ? imm16 : hw === 3 ? imm16 << 16 : 0;
  if (opc === 0) return constExec(d, ~vl, sf ? ~vh : 0); // MOVN
  if (opc === 2) return constExec(d, vl, vh); // MOVZ
  // MOVK: keep = the bits outside the 16-bit field.
  const kl = hw === 0 ? ~0xffff : hw === 1 ? 0xffff : -1;
  if (!sf) {
    return (c) => {
      c.lo[d] = (c.lo[d] & kl) | vl;
      c.hi[d] = 0;
    };
  }
  if (hw < 2) {
    return (c) => {
      c.lo[d] = (c.lo[d] & kl) | vl;
    };
  }
  const kh = hw === 2 ? ~0xffff : 0xffff;
  return (c) => {
    c.hi[d] = (c.hi[d] & kh) | vh;
  };
}

/**
 * SBFM/BFM/UBFM field check: opc = 11 is unallocated; N must equal sf; sf = 0 needs immr and
 * imms below 32. Shared with the disassembler.
 */
export function bitfieldAllocated(sf: number, opc: number, immN: number, immr: number, imms: number): boolean {
  if (opc === 3) return false;
  return sf ? immN === 1 : immN === 0 && immr < 32 && imms < 32;
}

/**
 * SBFM/BFM/UBFM (ARM ARM C6.2 "SBFM", "BFM", "UBFM") and all their aliases (ASR/LSL/LSR
 * immediate, SXTB/SXTH/SXTW, UXTB/UXTH, SBFX/UBFX, SBFIZ/UBFIZ, BFI/BFXIL). opc=11 is
 * unallocated; N must equal sf, and sf=0 needs immr, imms < 32.
 */
function decodeBitfield(insn: number): Exec | undefined {
  const sf = insn >>> 31;
  const opc = (insn >>> 29) & 3;
  const immN = (insn >>> 22) & 1;
  const immr = (insn >>> 16) & 63;
  const imms = (insn >>> 10) & 63;
  if (!bitfieldAllocated(sf, opc, immN, immr, imms)) return undefined;
  const n = (insn >>> 5) & 31;
  const d = rdZr(insn & 31);
  if (d === DISCARD) return NOP;
  if (opc === 1) return sf ? bfm64(d, n, immr, imms) : bfm32(d, n, immr, imms);
  return sf ? extractField64(d, n, immr, imms, opc === 0) : extractField32(d, n, immr, imms, opc === 0);
}

/*
 * SBFM and UBFM both come down to "shift left by L, then shift right by T" (arithmetic for
 * SBFM, logical for UBFM), with L = datasize-1-imms:
 *   imms >= immr (xBFX, LSR, ASR, SXT*, UXT*): the field imms..immr moves to bit 0, T = L + immr;
 *   imms <  immr (xBFIZ, LSL): the field imms..0 moves to bit datasize-immr, T = immr-imms-1.
 * This equals the DecodeBitMasks pseudocode (bot = ROR(src, R) AND wmask, then top/tmask).
 */

/** 32-bit SBFM (signed) / UBFM. */
function extractField32(d: number, n: number, immr: number, imms: number, signed: boolean): Exec {
  const L = 31 - imms;
  const T = imms >= immr ? L + immr : immr - imms - 1;
  if (signed) {
    return (c) => {
      c.lo[d] = (c.lo[n] << L) >> T;
      c.hi[d] = 0;
    };
  }
  if (L === 0 && T === 0) return move32Exec(d, n);
  return (c) => {
    c.lo[d] = ((c.lo[n] << L) >>> T) | 0;
    c.hi[d] = 0;
  };
}

/** 64-bit SBFM (signed) / UBFM. */
function extractField64(d: number, n: number, immr: number, imms: number, signed: boolean): Exec {
  const L = 63 - imms;
  const T = imms >= immr ? L + immr : immr - imms - 1;
  if (L === 0 && T === 0) return moveExec(d, n);
  if (L === 0) {
    // LSR / ASR #T.
    if (signed) {
      return (c) => {
        const l = c.lo[n];
        const h = c.hi[n];
        c.lo[d] = asrLo(l, h, T);
        c.hi[d] = asrHi(h, T);
      };
    }
    return (c) => {
      const l = c.lo[n];
      const h = c.hi[n];
      c.lo[d] = lsrLo(l, h, T);
      c.hi[d] = lsrHi(h, T);
    };
  }
  if (T === 0) {
    // LSL #L (the bits shifted out are exactly the ones the sign extension would fill).
    return (c) => {
      const l = c.lo[n];
      c.lo[d] = lslLo(l, L);
      c.hi[d] = lslHi(l, c.hi[n], L);
    };
  }
  if (L >= 32 && T >= 32) {
    // The field lies in the low word and lands in the low word (SXTB/H/W, UXTB/H, small UBFX).
    const l32 = L - 32;
    const t32 = T - 32;
    if (signed) {
      return (c) => {
        const v = c.lo[n] << l32;
        c.lo[d] = v >> t32;
        c.hi[d] = v >> 31;
      };
    }
    return (c) => {
      c.lo[d] = ((c.lo[n] << l32) >>> t32) | 0;
      c.hi[d] = 0;
    };
  }
  if (signed) {
    return (c) => {
      const l = c.lo[n];
      const sl = lslLo(l, L);
      const sh = lslHi(l, c.hi[n], L);
      c.lo[d] = asrLo(sl, sh, T);
      c.hi[d] = asrHi(sh, T);
    };
  }
  return (c) => {
    const l = c.lo[n];
    const sl = lslLo(l, L);
    const sh = lslHi(l, c.hi[n], L);
    c.lo[d] = lsrLo(sl, sh, T);
    c.hi[d] = lsrHi(sh, T);
  };
}

/**
 * BFM keeps Rd outside the field: Rd = (Rd AND NOT m) OR (ROR(Rn, immr) AND m) with
 * m = wmask AND tmask from DecodeBitMasks (the pseudocode's bot/top merge simplified).
 */
function bfm32(d: number, n: number, immr: number, imms: number): Exec {
  const masks = decodeBitMasks(0, imms, immr, false, 32)!; // never reserved: imms < 32 here
  const m = masks.wmaskLo & masks.tmaskLo;
  const keep = ~m;
  return (c) => {
    const x = c.lo[n];
    // JS masks shift counts to 5 bits, so immr = 0 gives x | x = x.
    c.lo[d] = (c.lo[d] & keep) | (((x >>> immr) | (x << (32 - immr))) & m);
    c.hi[d] = 0;
  };
}

/** 64-bit BFM; see {@link bfm32}. */
function bfm64(d: number, n: number, immr: number, imms: number): Exec {
  const masks = decodeBitMasks(1, imms, immr, false, 64)!; // never reserved with N = 1
  const ml = masks.wmaskLo & masks.tmaskLo;
  const mh = masks.wmaskHi & masks.tmaskHi;
  const kl = ~ml;
  const kh = ~mh;
  if (immr === 0) {
    return (c) => {
      const l = c.lo[n];
      const h = c.hi[n];
      c.lo[d] = (c.lo[d] & kl) | (l & ml);
      c.hi[d] = (c.hi[d] & kh) | (h & mh);
    };
  }
  return (c) => {
    const l = c.lo[n];
    const h = c.hi[n];
    c.lo[d] = (c.lo[d] & kl) | (rorLo(l, h, immr) & ml);
    c.hi[d] = (c.hi[d] & kh) | (rorHi(l, h, immr) & mh);
  };
}

/** EXTR field check: op21 and o0 must be 0, N must equal sf, sf = 0 needs imms < 32. Shared with the disassembler. */
export function extractAllocated(sf: number, op21: number, immN: number, o0: number, imms: number): boolean {
  return op21 === 0 && o0 === 0 && immN === sf && (sf === 1 || imms < 32);
}

/**
 * EXTR (ARM ARM C6.2 "EXTR"; ROR (immediate) when Rn = Rm): Rd = (Rn:Rm)<lsb+datasize-1:lsb>, lsb = imms.
 * op21 and o0 must be 0, N must equal sf, and sf=0 needs imms < 32.
 */
function decodeExtract(insn: number): Exec | undefined {
  const sf = insn >>> 31;
  const op21 = (insn >>> 29) & 3;
  const immN = (insn >>> 22) & 1;
  const o0 = (insn >>> 21) & 1;
  const m = (insn >>> 16) & 31;
  const lsb = (insn >>> 10) & 63;
  const n = (insn >>> 5) & 31;
  const d = rdZr(insn & 31);
  if (!extractAllocated(sf, op21, immN, o0, lsb)) return undefined;
  if (d === DISCARD) return NOP;
  if (!sf) {
    if (lsb === 0) return move32Exec(d, m);
    return (c) => {
      c.lo[d] = (c.lo[m] >>> lsb) | (c.lo[n] << (32 - lsb));
      c.hi[d] = 0;
    };
  }
  if (lsb === 0) return moveExec(d, m);
  if (lsb < 32) {
    return (c) => {
      const ml = c.lo[m];
      const mh = c.hi[m];
      const nl = c.lo[n];
      c.lo[d] = (ml >>> lsb) | (mh << (32 - lsb));
      c.hi[d] = (mh >>> lsb) | (nl << (32 - lsb));
    };
  }
  if (lsb === 32) {
    return (c) => {
      const mh = c.hi[m];
      c.hi[d] = c.lo[n];
      c.lo[d] = mh;
    };
  }
  const s = lsb - 32;
  return (c) => {
    const mh = c.hi[m];
    const nl = c.lo[n];
    const nh = c.hi[n];
    c.lo[d] = (mh >>> s) | (nl << (32 - s));
    c.hi[d] = (nl >>> s) | (nh << (32 - s));
  };
}
