import type { Cpu } from './cpu';
import type { Decoder, Exec } from './exec';
import { DISCARD, rdZr, rSp } from './exec';
import {
  RES,
  addTo64,
  adds32,
  adds64,
  asrHi,
  asrLo,
  asr64,
  bswap32,
  clz64,
  cls32,
  cls64,
  flags32,
  flags64,
  logicFlags32,
  logicFlags64,
  lslHi,
  lslLo,
  lsl64,
  lsrHi,
  lsrLo,
  lsr64,
  mul64,
  rbit32,
  rev16w,
  ror32,
  ror64,
  rorHi,
  rorLo,
  sdiv64,
  smulh32,
  smulh64,
  udiv64,
  umulh32,
  umulh64,
} from './arith64';
import { conditionMask, nzcvIndex } from './condition';

/**
 * A64 "Data Processing -- Register" (ARM ARM C4.1.5, instruction bits [27:25] = 101),
 * ARMv8.0 integer forms: logical (shifted register), ADD/SUB (shifted and extended
 * register), ADC/SBC(S), CCMN/CCMP (register and immediate), CSEL/CSINC/CSINV/CSNEG,
 * data-processing 1 source (RBIT, REV16, REV32, REV, CLZ, CLS), 2 source (UDIV, SDIV,
 * LSLV, LSRV, ASRV, RORV, CRC32*, CRC32C*) and 3 source (MADD, MSUB, SMADDL, SMSUBL,
 * SMULH, UMADDL, UMSUBL, UMULH). Later extensions in this space (FEAT_FlagM RMIF/SETF,
 * FEAT_PAuth, FEAT_MTE, FEAT_CSSC, ...) are UNDEFINED.
 *
 * Fields (C4.1.5): op0 = bit 30, op1 = bit 28, op2 = bits [24:21], op3 = bits [15:10].
 */
export const decodeDataProcessingReg: Decoder = (insn) => {
  const op2 = (insn >>> 21) & 15;
  if (((insn >>> 28) & 1) === 0) {
    if ((op2 & 8) === 0) return decodeLogicalShifted(insn);
    return (op2 & 1) === 0 ? decodeAddSubShifted(insn) : decodeAddSubExtended(insn);
  }
  switch (op2) {
    case 0:
      // op3 = 000000: add/subtract with carry; other op3 values are FEAT_FlagM forms.
      return ((insn >>> 10) & 63) === 0 ? decodeAddSubCarry(insn) : undefined;
    case 2:
      return decodeCondCompare(insn);
    case 4:
      return decodeCondSelect(insn);
    case 6:
      return ((insn >>> 30) & 1) === 1 ? decodeDp1(insn) : decodeDp2(insn);
    default:
      return op2 >= 8 ? decodeDp3(insn) : undefined;
  }
};

/** An instruction whose only effect is a write to XZR. */
const NOP: Exec = () => {};

const LSL = 0;
const LSR = 1;
const ASR = 2;

// =============================================================================================
// Logical (shifted register): AND, BIC, ORR, ORN, EOR, EON, ANDS, BICS (ARM ARM C6.2, e.g. "AND (shifted register)")

const AND = 0;
const ORR = 1;
const EOR = 2;

/**
 * Shifted-register operand check (logical and ADD/SUB shifted register): sf = 0 with
 * imm6 >= 32 is UNDEFINED, and shift = 11 (ROR) exists only for the logical forms.
 * Shared with the disassembler (disasm-dp-reg.ts).
 */
export function shiftedRegAllocated(sf: number, shift: number, imm6: number, rorAllowed: boolean): boolean {
  return (sf === 1 || imm6 < 32) && (rorAllowed || shift !== 3);
}

/**
 * opc selects AND/ORR/EOR/ANDS and N inverts the shifted operand (BIC/ORN/EON/BICS); the
 * inversion is an XOR with a decode-time 0 or -1. sf=0 with imm6 >= 32 is UNDEFINED.
 */
function decodeLogicalShifted(insn: number): Exec | undefined {
  const sf = insn >>> 31;
  const opc = (insn >>> 29) & 3;
  const shift = (insn >>> 22) & 3;
  const inv = ((insn >>> 21) & 1) === 1 ? -1 : 0;
  const m = (insn >>> 16) & 31;
  const amount = (insn >>> 10) & 63;
  const n = (insn >>> 5) & 31;
  const d = rdZr(insn & 31);
  if (!shiftedRegAllocated(sf, shift, amount, true)) return undefined;
  if (d === DISCARD && opc !== 3) return NOP;
  if (opc === ORR && n === 31 && amount === 0) {
    // MOV (register) and MVN.
    if (sf) {
      return (c) => {
        const h = c.hi[m];
        c.lo[d] = c.lo[m] ^ inv;
        c.hi[d] = h ^ inv;
      };
    }
    return (c) => {
      c.lo[d] = c.lo[m] ^ inv;
      c.hi[d] = 0;
    };
  }
  if (!sf) return logical32(opc, shift, amount, inv, d, n, m);
  if (amount === 0) return logical64Plain(opc, inv, d, n, m);
  switch (shift) {
    case LSL:
      return logical64Lsl(opc, amount, inv, d, n, m);
    case LSR:
      return logical64Lsr(opc, amount, inv, d, n, m);
    case ASR:
      return logical64Asr(opc, amount, inv, d, n, m);
    default:
      return logical64Ror(opc, amount, inv, d, n, m);
  }
}

/** 32-bit logical: one closure per (operation, shift type); a = 0 works with every shift. */
function logical32(opc: number, shift: number, a: number, inv: number, d: number, n: number, m: number): Exec {
  switch (shift) {
    case LSL:
      switch (opc) {
        case AND:
          return (c) => {
            c.lo[d] = c.lo[n] & ((c.lo[m] << a) ^ inv);
            c.hi[d] = 0;
          };
        case ORR:
          return (c) => {
            c.lo[d] = c.lo[n] | ((c.lo[m] << a) ^ inv);
            c.hi[d] = 0;
          };
        case EOR:
          return (c) => {
            c.lo[d] = c.lo[n] ^ ((c.lo[m] << a) ^ inv);
            c.hi[d] = 0;
          };
        default:
          return (c) => logicFlags32(c, d, c.lo[n] & ((c.lo[m] << a) ^ inv));
      }
    case LSR:
      switch (opc) {
        case AND:
          return (c) => {
            c.lo[d] = c.lo[n] & ((c.lo[m] >>> a) ^ inv);
            c.hi[d] = 0;
          };
        case ORR:
          return (c) => {
            c.lo[d] = c.lo[n] | ((c.lo[m] >>> a) ^ inv);
            c.hi[d] = 0;
          };
        case EOR:
          return (c) => {
            c.lo[d] = c.lo[n] ^ ((c.lo[m] >>> a) ^ inv);
            c.hi[d] = 0;
          };
        default:
          return (c) => logicFlags32(c, d, c.lo[n] & ((c.lo[m] >>> a) ^ inv));
      }
    case ASR:
      switch (opc) {
        case AND:
          return (c) => {
            c.lo[d] = c.lo[n] & ((c.lo[m] >> a) ^ inv);
            c.hi[d] = 0;
          };
        case ORR:
          return (c) => {
            c.lo[d] = c.lo[n] | ((c.lo[m] >> a) ^ inv);
            c.hi[d] = 0;
          };
        case EOR:
          return (c) => {
            c.lo[d] = c.lo[n] ^ ((c.lo[m] >> a) ^ inv);
            c.hi[d] = 0;
          };
        default:
          return (c) => logicFlags32(c, d, c.lo[n] & ((c.lo[m] >> a) ^ inv));
      }
    default:
      switch (opc) {
        case AND:
          return (c) => {
            c.lo[d] = c.lo[n] & (ror32(c.lo[m], a) ^ inv);
            c.hi[d] = 0;
          };
        case ORR:
          return (c) => {
            c.lo[d] = c.lo[n] | (ror32(c.lo[m], a) ^ inv);
            c.hi[d] = 0;
          };
        case EOR:
          return (c) => {
            c.lo[d] = c.lo[n] ^ (ror32(c.lo[m], a) ^ inv);
            c.hi[d] = 0;
          };
        default:
          return (c) => logicFlags32(c, d, c.lo[n] & (ror32(c.lo[m], a) ^ inv));
      }
  }
}

/*
 * 64-bit logical forms. Each closure reads Rm (and Rn) into locals before writing Rd, so
 * Rd may alias either source.
 */

/** 64-bit logical with no shift. */
function logical64Plain(opc: number, inv: number, d: number, n: number, m: number): Exec {
  switch (opc) {
    case AND:
      return (c) => {
        const bl = c.lo[m] ^ inv;
        const bh = c.hi[m] ^ inv;
        c.lo[d] = c.lo[n] & bl;
        c.hi[d] = c.hi[n] & bh;
      };
    case ORR:
      return (c) => {
        const bl = c.lo[m] ^ inv;
        const bh = c.hi[m] ^ inv;
        c.lo[d] = c.lo[n] | bl;
        c.hi[d] = c.hi[n] | bh;
      };
    case EOR:
      return (c) => {
        const bl = c.lo[m] ^ inv;
        const bh = c.hi[m] ^ inv;
        c.lo[d] = c.lo[n] ^ bl;
        c.hi[d] = c.hi[n] ^ bh;
      };
    default:
      return (c) => logicFlags64(c, d, c.lo[n] & (c.lo[m] ^ inv), c.hi[n] & (c.hi[m] ^ inv));
  }
}

/** 64-bit logical, Rm LSL #a (1..63). */
function logical64Lsl(opc: number, a: number, inv: number, d: number, n: number, m: number): Exec {
  switch (opc) {
    case AND:
      return (c) => {
        const l = c.lo[m];
        const bl = lslLo(l, a) ^ inv;
        const bh = lslHi(l, c.hi[m], a) ^ inv;
        c.lo[d] = c.lo[n] & bl;
        c.hi[d] = c.hi[n] & bh;
      };
    case ORR:
      return (c) => {
        const l = c.lo[m];
        const bl = lslLo(l, a) ^ inv;
        const bh = lslHi(l, c.hi[m], a) ^ inv;
        c.lo[d] = c.lo[n] | bl;
        c.hi[d] = c.hi[n] | bh;
      };
    case EOR:
      return (c) => {
        const l = c.lo[m];
        const bl = lslLo(l, a) ^ inv;
        const bh = lslHi(l, c.hi[m], a) ^ inv;
        c.lo[d] = c.lo[n] ^ bl;
        c.hi[d] = c.hi[n] ^ bh;
      };
    default:
      return (c) => {
        const l = c.lo[m];
        logicFlags64(c, d, c.lo[n] & (lslLo(l, a) ^ inv), c.hi[n] & (lslHi(l, c.hi[m], a) ^ inv));
      };
  }
}

/** 64-bit logical, Rm LSR #a (1..63). */
function logical64Lsr(opc: number, a: number, inv: number, d: number, n: number, m: number): Exec {
  switch (opc) {
    case AND:
      return (c) => {
        const h = c.hi[m];
        const bl = lsrLo(c.lo[m], h, a) ^ inv;
        const bh = lsrHi(h, a) ^ inv;
        c.lo[d] = c.lo[n] & bl;
        c.hi[d] = c.hi[n] & bh;
      };
    case ORR:
      return (c) => {
        const h = c.hi[m];
        const bl = lsrLo(c.lo[m], h, a) ^ inv;
        const bh = lsrHi(h, a) ^ inv;
        c.lo[d] = c.lo[n] | bl;
        c.hi[d] = c.hi[n] | bh;
      };
    case EOR:
      return (c) => {
        const h = c.hi[m];
        const bl = lsrLo(c.lo[m], h, a) ^ inv;
        const bh = lsrHi(h, a) ^ inv;
        c.lo[d] = c.lo[n] ^ bl;
        c.hi[d] = c.hi[n] ^ bh;
      };
    default:
      return (c) => {
        const h = c.hi[m];
        logicFlags64(c, d, c.lo[n] & (lsrLo(c.lo[m], h, a) ^ inv), c.hi[n] & (lsrHi(h, a) ^ inv));
      };
  }
}

/** 64-bit logical, Rm ASR #a (1..63). */
function logical64Asr(opc: number, a: number, inv: number, d: number, n: number, m: number): Exec {
  switch (opc) {
    case AND:
      return (c) => {
        const h = c.hi[m];
        const bl = asrLo(c.lo[m], h, a) ^ inv;
        const bh = asrHi(h, a) ^ inv;
        c.lo[d] = c.lo[n] & bl;
        c.hi[d] = c.hi[n] & bh;
      };
    case ORR:
      return (c) => {
        const h = c.hi[m];
        const bl = asrLo(c.lo[m], h, a) ^ inv;
        const bh = asrHi(h, a) ^ inv;
        c.lo[d] = c.lo[n] | bl;
        c.hi[d] = c.hi[n] | bh;
      };
    case EOR:
      return (c) => {
        const h = c.hi[m];
        const bl = asrLo(c.lo[m], h, a) ^ inv;
        const bh = asrHi(h, a) ^ inv;
        c.lo[d] = c.lo[n] ^ bl;
        c.hi[d] = c.hi[n] ^ bh;
      };
    default:
      return (c) => {
        const h = c.hi[m];
        logicFlags64(c, d, c.lo[n] & (asrLo(c.lo[m], h, a) ^ inv), c.hi[n] & (asrHi(h, a) ^ inv));
      };
  }
}

/** 64-bit logical, Rm ROR #a (1..63). */
function logical64Ror(opc: number, a: number, inv: number, d: number, n: number, m: number): Exec {
  switch (opc) {
    case AND:
      return (c) => {
        const l = c.lo[m];
        const h = c.hi[m];
        const bl = rorLo(l, h, a) ^ inv;
        const bh = rorHi(l, h, a) ^ inv;
        c.lo[d] = c.lo[n] & bl;
        c.hi[d] = c.hi[n] & bh;
      };
    case ORR:
      return (c) => {
        const l = c.lo[m];
        const h = c.hi[m];
        const bl = rorLo(l, h, a) ^ inv;
        const bh = rorHi(l, h, a) ^ inv;
        c.lo[d] = c.lo[n] | bl;
        c.hi[d] = c.hi[n] | bh;
      };
    case EOR:
      return (c) => {
        const l = c.lo[m];
        const h = c.hi[m];
        const bl = rorLo(l, h, a) ^ inv;
        const bh = rorHi(l, h, a) ^ inv;
        c.lo[d] = c.lo[n] ^ bl;
        c.hi[d] = c.hi[n] ^ bh;
      };
    default:
      return (c) => {
        const l = c.lo[m];
        const h = c.hi[m];
        logicFlags64(c, d, c.lo[n] & (rorLo(l, h, a) ^ inv), c.hi[n] & (rorHi(l, h, a) ^ inv));
      };
  }
}

// =============================================================================================
// ADD/SUB(S) (shifted register) (ARM ARM C6.2, e.g. "ADD (shifted register)")

/*
 * Subtraction is AddWithCarry(Xn, NOT(op2), 1): `inv` (-1 or 0) inverts the operand and
 * `cin` (1 or 0) is the carry in, so one closure serves ADD and SUB.
 */

/** shift = 11 and, for sf=0, imm6 >= 32 are UNDEFINED. Rn and Rd are XZR-numbered (NEG, CMP). */
function decodeAddSubShifted(insn: number): Exec | undefined {
  const sf = insn >>> 31;
  const sub = (insn >>> 30) & 1;
  const setFlags = (insn >>> 29) & 1;
  const shift = (insn >>> 22) & 3;
  const m = (insn >>> 16) & 31;
  const a = (insn >>> 10) & 63;
  const n = (insn >>> 5) & 31;
  const d = rdZr(insn & 31);
  if (!shiftedRegAllocated(sf, shift, a, false)) return undefined;
  if (d === DISCARD && !setFlags) return NOP;
  const inv = sub ? -1 : 0;
  const cin = sub;
  if (!sf) return addSub32(setFlags, shift, a, inv, cin, d, n, m);
  if (a === 0) {
    if (!setFlags) return (c) => addTo64(c, d, c.lo[n], c.hi[n], c.lo[m] ^ inv, c.hi[m] ^ inv, cin);
    if (d === DISCARD) return (c) => flags64(c, c.lo[n], c.hi[n], c.lo[m] ^ inv, c.hi[m] ^ inv, cin);
    return (c) => adds64(c, d, c.lo[n], c.hi[n], c.lo[m] ^ inv, c.hi[m] ^ inv, cin);
  }
  switch (shift) {
    case LSL:
      if (!setFlags) {
        return (c) => {
          const l = c.lo[m];
          addTo64(c, d, c.lo[n], c.hi[n], lslLo(l, a) ^ inv, lslHi(l, c.hi[m], a) ^ inv, cin);
        };
      }
      return (c) => {
        const l = c.lo[m];
        adds64(c, d, c.lo[n], c.hi[n], lslLo(l, a) ^ inv, lslHi(l, c.hi[m], a) ^ inv, cin);
      };
    case LSR:
      if (!setFlags) {
        return (c) => {
          const h = c.hi[m];
          addTo64(c, d, c.lo[n], c.hi[n], lsrLo(c.lo[m], h, a) ^ inv, lsrHi(h, a) ^ inv, cin);
        };
      }
      return (c) => {
        const h = c.hi[m];
        adds64(c, d, c.lo[n], c.hi[n], lsrLo(c.lo[m], h, a) ^ inv, lsrHi(h, a) ^ inv, cin);
      };
    default:
      if (!setFlags) {
        return (c) => {
          const h = c.hi[m];
          addTo64(c, d, c.lo[n], c.hi[n], asrLo(c.lo[m], h, a) ^ inv, asrHi(h, a) ^ inv, cin);
        };
      }
      return (c) => {
        const h = c.hi[m];
        adds64(c, d, c.lo[n], c.hi[n], asrLo(c.lo[m], h, a) ^ inv, asrHi(h, a) ^ inv, cin);
      };
  }
}

/** 32-bit ADD/SUB(S) shifted register; a = 0 uses the LSL closure. */
function addSub32(setFlags: number, shift: number, a: number, inv: number, cin: number, d: number, n: number, m: number): Exec {
  if (!setFlags) {
    switch (shift) {
      case LSL:
        return (c) => {
          c.lo[d] = (c.lo[n] + ((c.lo[m] << a) ^ inv) + cin) | 0;
          c.hi[d] = 0;
        };
      case LSR:
        return (c) => {
          c.lo[d] = (c.lo[n] + ((c.lo[m] >>> a) ^ inv) + cin) | 0;
          c.hi[d] = 0;
        };
      default:
        return (c) => {
          c.lo[d] = (c.lo[n] + ((c.lo[m] >> a) ^ inv) + cin) | 0;
          c.hi[d] = 0;
        };
    }
  }
  if (d === DISCARD && shift === LSL && a === 0) return (c) => flags32(c, c.lo[n], c.lo[m] ^ inv, cin);
  switch (shift) {
    case LSL:
      return (c) => adds32(c, d, c.lo[n], (c.lo[m] << a) ^ inv, cin);
    case LSR:
      return (c) => adds32(c, d, c.lo[n], (c.lo[m] >>> a) ^ inv, cin);
    default:
      return (c) => adds32(c, d, c.lo[n], (c.lo[m] >> a) ^ inv, cin);
  }
}

// =============================================================================================
// ADD/SUB(S) (extended register) (ARM ARM C6.2, e.g. "ADD (extended register)"; ExtendReg)

/** ADD/SUB (extended register) check: opt != 00 and imm3 > 4 are UNDEFINED. Shared with the disassembler. */
export function extendedRegAllocated(opt: number, imm3: number): boolean {
  return opt === 0 && imm3 <= 4;
}

/**
 * Operand 2 = ExtendReg(Rm, option, imm3): UXTB/UXTH/UXTW/UXTX/SXTB/SXTH/SXTW/SXTX, then
 * LSL #imm3 (0..4). opt != 00 and imm3 > 4 are UNDEFINED. Rn is SP-capable, and Rd too
 * unless S = 1.
 */
function decodeAddSubExtended(insn: number): Exec | undefined {
  const sf = insn >>> 31;
  const sub = (insn >>> 30) & 1;
  const setFlags = (insn >>> 29) & 1;
  const opt = (insn >>> 22) & 3;
  const m = (insn >>> 16) & 31;
  const option = (insn >>> 13) & 7;
  const sh = (insn >>> 10) & 7;
  const n = rSp((insn >>> 5) & 31);
  const d = setFlags ? rdZr(insn & 31) : rSp(insn & 31);
  if (!extendedRegAllocated(opt, sh)) return undefined;
  if (d === DISCARD && !setFlags) return NOP;
  const inv = sub ? -1 : 0;
  const cin = sub;
  const signed = option >= 4;
  // Bits above the source width are removed by a left shift of k followed by a right shift of k.
  const width = option & 3;
  const k = width === 0 ? 24 : width === 1 ? 16 : 0;

  if (!sf) {
    // Only the low word matters; UXTX/SXTX act like LSL on a W register.
    if (signed) {
      if (!setFlags) {
        return (c) => {
          c.lo[d] = (c.lo[n] + ((((c.lo[m] << k) >> k) << sh) ^ inv) + cin) | 0;
          c.hi[d] = 0;
        };
      }
      return (c) => adds32(c, d, c.lo[n], (((c.lo[m] << k) >> k) << sh) ^ inv, cin);
    }
    if (!setFlags) {
      return (c) => {
        c.lo[d] = (c.lo[n] + ((((c.lo[m] << k) >>> k) << sh) ^ inv) + cin) | 0;
        c.hi[d] = 0;
      };
    }
    return (c) => adds32(c, d, c.lo[n], (((c.lo[m] << k) >>> k) << sh) ^ inv, cin);
  }

  // 64-bit: (v << sh) with the high word filled by the funnel (lo >>> 1) >>> (31 - sh), valid for sh = 0..4.
  const rsh = 31 - sh;
  if (width === 3) {
    // UXTX / SXTX: the whole of Xm.
    if (!setFlags) {
      return (c) => {
        const l = c.lo[m];
        addTo64(c, d, c.lo[n], c.hi[n], (l << sh) ^ inv, ((c.hi[m] << sh) | ((l >>> 1) >>> rsh)) ^ inv, cin);
      };
    }
    return (c) => {
      const l = c.lo[m];
      adds64(c, d, c.lo[n], c.hi[n], (l << sh) ^ inv, ((c.hi[m] << sh) | ((l >>> 1) >>> rsh)) ^ inv, cin);
    };
  }
  if (signed) {
    if (!setFlags) {
      return (c) => {
        const v = (c.lo[m] << k) >> k;
        addTo64(c, d, c.lo[n], c.hi[n], (v << sh) ^ inv, (((v >> 31) << sh) | ((v >>> 1) >>> rsh)) ^ inv, cin);
      };
    }
    return (c) => {
      const v = (c.lo[m] << k) >> k;
      adds64(c, d, c.lo[n], c.hi[n], (v << sh) ^ inv, (((v >> 31) << sh) | ((v >>> 1) >>> rsh)) ^ inv, cin);
    };
  }
  if (!setFlags) {
    return (c) => {
      const v = (c.lo[m] << k) >>> k;
      addTo64(c, d, c.lo[n], c.hi[n], (v << sh) ^ inv, ((v >>> 1) >>> rsh) ^ inv, cin);
    };
  }
  return (c) => {
    const v = (c.lo[m] << k) >>> k;
    adds64(c, d, c.lo[n], c.hi[n], (v << sh) ^ inv, ((v >>> 1) >>> rsh) ^ inv, cin);
  };
}

// =============================================================================================
// ADC/ADCS/SBC/SBCS (ARM ARM C6.2 "ADC", "ADCS", "SBC", "SBCS")

function decodeAddSubCarry(insn: number): Exec {
  const sf = insn >>> 31;
  const sub = (insn >>> 30) & 1;
  const setFlags = (insn >>> 29) & 1;
  const m = (insn >>> 16) & 31;
  const n = (insn >>> 5) & 31;
  const d = rdZr(insn & 31);
  if (d === DISCARD && !setFlags) return NOP;
  const inv = sub ? -1 : 0;
  if (sf) {
    if (setFlags) return (c) => adds64(c, d, c.lo[n], c.hi[n], c.lo[m] ^ inv, c.hi[m] ^ inv, c.c);
    return (c) => addTo64(c, d, c.lo[n], c.hi[n], c.lo[m] ^ inv, c.hi[m] ^ inv, c.c);
  }
  if (setFlags) return (c) => adds32(c, d, c.lo[n], c.lo[m] ^ inv, c.c);
  return (c) => {
    c.lo[d] = (c.lo[n] + (c.lo[m] ^ inv) + c.c) | 0;
    c.hi[d] = 0;
  };
}

// =============================================================================================
// CCMN/CCMP (register and immediate) (ARM ARM C6.2 "CCMN", "CCMP")

/**
 * If cond holds, NZCV = flags of Rn + op2 (CCMN) or Rn - op2 (CCMP), else NZCV = #nzcv.
 * op2 is Rm (bit 11 = 0) or imm5 (bit 11 = 1). S must be 1 and o2 (bit 10), o3 (bit 4) 0.
 */
/** NZCV = the instruction's #nzcv field (condition failed). */
function setNzcv(c: Cpu, n: number, z: number, cc: number, v: number): void {
  c.n = n;
  c.z = z;
  c.c = cc;
  c.v = v;
}

/** CCMN/CCMP check: S must be 1, o2 (bit 10) and o3 (bit 4) 0. Shared with the disassembler. */
export function condCompareAllocated(insn: number): boolean {
  return ((insn >>> 29) & 1) === 1 && ((insn >>> 10) & 1) === 0 && ((insn >>> 4) & 1) === 0;
}

function decodeCondCompare(insn: number): Exec | undefined {
  const sf = insn >>> 31;
  const sub = (insn >>> 30) & 1;
  if (!condCompareAllocated(insn)) return undefined;
  const isImm = ((insn >>> 11) & 1) === 1;
  const rmOrImm = (insn >>> 16) & 31;
  const mask = conditionMask((insn >>> 12) & 15);
  const n = (insn >>> 5) & 31;
  const fn = (insn >>> 3) & 1;
  const fz = (insn >>> 2) & 1;
  const fc = (insn >>> 1) & 1;
  const fv = insn & 1;
  const inv = sub ? -1 : 0;
  const cin = sub;
  if (isImm) {
    const bl = rmOrImm ^ inv;
    if (sf) {
      return (c) => {
        if ((mask >>> nzcvIndex(c)) & 1) flags64(c, c.lo[n], c.hi[n], bl, inv, cin);
        else setNzcv(c, fn, fz, fc, fv);
      };
    }
    return (c) => {
      if ((mask >>> nzcvIndex(c)) & 1) flags32(c, c.lo[n], bl, cin);
      else setNzcv(c, fn, fz, fc, fv);
    };
  }
  const m = rmOrImm;
  if (sf) {
    return (c) => {
      if ((mask >>> nzcvIndex(c)) & 1) flags64(c, c.lo[n], c.hi[n], c.lo[m] ^ inv, c.hi[m] ^ inv, cin);
      else setNzcv(c, fn, fz, fc, fv);
    };
  }
  return (c) => {
    if ((mask >>> nzcvIndex(c)) & 1) flags32(c, c.lo[n], c.lo[m] ^ inv, cin);
    else setNzcv(c, fn, fz, fc, fv);
  };
}

// =============================================================================================
// CSEL/CSINC/CSINV/CSNEG (ARM ARM C6.2) and their aliases CSET, CSETM, CINC, CINV, CNEG

/** CSEL/CSINC/CSINV/CSNEG check: S = 1 and op2 (bits 11:10) >= 2 are UNDEFINED. Shared with the disassembler. */
export function condSelectAllocated(insn: number): boolean {
  return ((insn >>> 29) & 1) === 0 && ((insn >>> 10) & 3) < 2;
}

/** Rd = cond ? Rn : f(Rm). S = 1 and op2 (bits 11:10) >= 2 are UNDEFINED. */
function decodeCondSelect(insn: number): Exec | undefined {
  const sf = insn >>> 31;
  const op = (insn >>> 30) & 1;
  const op2 = (insn >>> 10) & 3;
  if (!condSelectAllocated(insn)) return undefined;
  const m = (insn >>> 16) & 31;
  const mask = conditionMask((insn >>> 12) & 15);
  const n = (insn >>> 5) & 31;
  const d = rdZr(insn & 31);
  if (d === DISCARD) return NOP;
  const kind = op * 2 + op2; // 0 CSEL, 1 CSINC, 2 CSINV, 3 CSNEG
  if (n === 31 && m === 31 && (kind === 1 || kind === 2)) {
    // CSET / CSETM: 0 when the condition holds, else 1 or all ones.
    if (kind === 1) {
      return (c) => {
        c.lo[d] = ((mask >>> nzcvIndex(c)) & 1) ^ 1;
        c.hi[d] = 0;
      };
    }
    if (sf) {
      return (c) => {
        const v = (((mask >>> nzcvIndex(c)) & 1) - 1) | 0;
        c.lo[d] = v;
        c.hi[d] = v;
      };
    }
    return (c) => {
      c.lo[d] = (((mask >>> nzcvIndex(c)) & 1) - 1) | 0;
      c.hi[d] = 0;
    };
  }
  return sf ? condSelect64(kind, mask, d, n, m) : condSelect32(kind, mask, d, n, m);
}

function condSelect64(kind: number, mask: number, d: number, n: number, m: number): Exec {
  switch (kind) {
    case 0:
      return (c) => {
        const s = (mask >>> nzcvIndex(c)) & 1 ? n : m;
        c.lo[d] = c.lo[s];
        c.hi[d] = c.hi[s];
      };
    case 1:
      return (c) => {
        if ((mask >>> nzcvIndex(c)) & 1) {
          c.lo[d] = c.lo[n];
          c.hi[d] = c.hi[n];
        } else {
          const l = c.lo[m];
          const h = c.hi[m];
          c.lo[d] = (l + 1) | 0;
          c.hi[d] = l === -1 ? (h + 1) | 0 : h;
        }
      };
    case 2:
      return (c) => {
        if ((mask >>> nzcvIndex(c)) & 1) {
          c.lo[d] = c.lo[n];
          c.hi[d] = c.hi[n];
        } else {
          const h = c.hi[m];
          c.lo[d] = ~c.lo[m];
          c.hi[d] = ~h;
        }
      };
    default:
      return (c) => {
        if ((mask >>> nzcvIndex(c)) & 1) {
          c.lo[d] = c.lo[n];
          c.hi[d] = c.hi[n];
        } else {
          // -(h:l) = (~h + carry):(-l), the carry set only when l = 0.
          const l = c.lo[m];
          const h = c.hi[m];
          c.lo[d] = -l | 0;
          c.hi[d] = l === 0 ? -h | 0 : ~h;
        }
      };
  }
}

function condSelect32(kind: number, mask: number, d: number, n: number, m: number): Exec {
  switch (kind) {
    case 0:
      return (c) => {
        c.lo[d] = c.lo[(mask >>> nzcvIndex(c)) & 1 ? n : m];
        c.hi[d] = 0;
      };
    case 1:
      return (c) => {
        c.lo[d] = (mask >>> nzcvIndex(c)) & 1 ? c.lo[n] : (c.lo[m] + 1) | 0;
        c.hi[d] = 0;
      };
    case 2:
      return (c) => {
        c.lo[d] = (mask >>> nzcvIndex(c)) & 1 ? c.lo[n] : ~c.lo[m];
        c.hi[d] = 0;
      };
    default:
      return (c) => {
        c.lo[d] = (mask >>> nzcvIndex(c)) & 1 ? c.lo[n] : -c.lo[m] | 0;
        c.hi[d] = 0;
      };
  }
}

// =============================================================================================
// Data-processing (1 source): RBIT, REV16, REV32, REV, CLZ, CLS (ARM ARM C4.1.5, C6.2)

/**
 * Data-processing (1 source) check: S = 1, opcode2 != 0 (FEAT_PAuth) and opcode > 5 are
 * UNDEFINED; REV (opcode 3) needs sf = 1. Shared with the disassembler.
 */
export function dp1Allocated(insn: number): boolean {
  const opcode = (insn >>> 10) & 63;
  if (((insn >>> 29) & 1) === 1 || ((insn >>> 16) & 31) !== 0 || opcode > 5) return false;
  return opcode !== 3 || insn >>> 31 === 1;
}

/** RBIT, REV16, REV32/REV, REV, CLZ, CLS. */
function decodeDp1(insn: number): Exec | undefined {
  const sf = insn >>> 31;
  const opcode = (insn >>> 10) & 63;
  if (!dp1Allocated(insn)) return undefined;
  const n = (insn >>> 5) & 31;
  const d = rdZr(insn & 31);
  if (d === DISCARD) return NOP;
  if (sf) {
    switch (opcode) {
      case 0:
        return (c) => {
          const l = c.lo[n];
          c.lo[d] = rbit32(c.hi[n]);
          c.hi[d] = rbit32(l);
        };
      case 1:
        return (c) => {
          const l = c.lo[n];
          c.hi[d] = rev16w(c.hi[n]);
          c.lo[d] = rev16w(l);
        };
      case 2:
        return (c) => {
          const l = c.lo[n];
          c.hi[d] = bswap32(c.hi[n]);
          c.lo[d] = bswap32(l);
        };
      case 3:
        return (c) => {
          const l = c.lo[n];
          c.lo[d] = bswap32(c.hi[n]);
          c.hi[d] = bswap32(l);
        };
      case 4:
        return (c) => {
          c.lo[d] = clz64(c.lo[n], c.hi[n]);
          c.hi[d] = 0;
        };
      default:
        return (c) => {
          c.lo[d] = cls64(c.lo[n], c.hi[n]);
          c.hi[d] = 0;
        };
    }
  }
  switch (opcode) {
    case 0:
      return (c) => {
        c.lo[d] = rbit32(c.lo[n]);
        c.hi[d] = 0;
      };
    case 1:
      return (c) => {
        c.lo[d] = rev16w(c.lo[n]);
        c.hi[d] = 0;
      };
    case 2:
      return (c) => {
        c.lo[d] = bswap32(c.lo[n]);
        c.hi[d] = 0;
      };
    case 4:
      return (c) => {
        c.lo[d] = Math.clz32(c.lo[n]);
        c.hi[d] = 0;
      };
    default:
      return (c) => {
        c.lo[d] = cls32(c.lo[n]);
        c.hi[d] = 0;
      };
  }
}

// =============================================================================================
// Data-processing (2 source): UDIV, SDIV, LSLV, LSRV, ASRV, RORV, CRC32*, CRC32C*
// (ARM ARM C4.1.5, C6.2; LSLV etc. take the amount modulo the data size)

/**
 * Data-processing (2 source) check: S = 1 and opcodes outside {2, 3, 8..11, 16..23} are
 * UNDEFINED (the others are FEAT_MTE, FEAT_PAuth, FEAT_CSSC). CRC32X/CRC32CX need sf = 1 and
 * the B/H/W forms sf = 0. Shared with the disassembler.
 */
export function dp2Allocated(insn: number): boolean {
  const sf = insn >>> 31;
  const opcode = (insn >>> 10) & 63;
  if (((insn >>> 29) & 1) === 1) return false;
  if (opcode >= 16 && opcode <= 23) return ((opcode & 3) === 3) === (sf === 1);
  return opcode === 2 || opcode === 3 || (opcode >= 8 && opcode <= 11);
}

/** UDIV, SDIV, LSLV, LSRV, ASRV, RORV, CRC32*. */
function decodeDp2(insn: number): Exec | undefined {
  const sf = insn >>> 31;
  const opcode = (insn >>> 10) & 63;
  if (!dp2Allocated(insn)) return undefined;
  const m = (insn >>> 16) & 31;
  const n = (insn >>> 5) & 31;
  const d = rdZr(insn & 31);
  if (d === DISCARD) return NOP;
  if (opcode >= 16) return crcExec(opcode, d, n, m);
  return sf ? dp2x64(opcode, d, n, m) : dp2x32(opcode, d, n, m);
}

function dp2x32(opcode: number, d: number, n: number, m: number): Exec {
  switch (opcode) {
    case 2:
      return (c) => {
        const b = c.lo[m] >>> 0;
        // Storing the double quotient into the Int32Array truncates it towards zero.
        c.lo[d] = b === 0 ? 0 : (c.lo[n] >>> 0) / b;
        c.hi[d] = 0;
      };
    case 3:
      return (c) => {
        const b = c.lo[m];
        // INT32_MIN / -1 = 2^31, which the int32 store wraps back to INT32_MIN as required.
        c.lo[d] = b === 0 ? 0 : c.lo[n] / b;
        c.hi[d] = 0;
      };
    // JS shift counts are taken mod 32, exactly as LSLV/LSRV/ASRV/RORV take Wm mod 32.
    case 8:
      return (c) => {
        c.lo[d] = c.lo[n] << c.lo[m];
        c.hi[d] = 0;
      };
    case 9:
      return (c) => {
        c.lo[d] = (c.lo[n] >>> c.lo[m]) | 0;
        c.hi[d] = 0;
      };
    case 10:
      return (c) => {
        c.lo[d] = c.lo[n] >> c.lo[m];
        c.hi[d] = 0;
      };
    default:
      return (c) => {
        c.lo[d] = ror32(c.lo[n], c.lo[m]);
        c.hi[d] = 0;
      };
  }
}

function dp2x64(opcode: number, d: number, n: number, m: number): Exec {
  switch (opcode) {
    case 2:
      return (c) => {
        udiv64(c.lo[n], c.hi[n], c.lo[m], c.hi[m]);
        c.lo[d] = RES[0];
        c.hi[d] = RES[1];
      };
    case 3:
      return (c) => {
        sdiv64(c.lo[n], c.hi[n], c.lo[m], c.hi[m]);
        c.lo[d] = RES[0];
        c.hi[d] = RES[1];
      };
    case 8:
      return (c) => {
        lsl64(c.lo[n], c.hi[n], c.lo[m] & 63);
        c.lo[d] = RES[0];
        c.hi[d] = RES[1];
      };
    case 9:
      return (c) => {
        lsr64(c.lo[n], c.hi[n], c.lo[m] & 63);
        c.lo[d] = RES[0];
        c.hi[d] = RES[1];
      };
    case 10:
      return (c) => {
        asr64(c.lo[n], c.hi[n], c.lo[m] & 63);
        c.lo[d] = RES[0];
        c.hi[d] = RES[1];
      };
    default:
      return (c) => {
        ror64(c.lo[n], c.hi[n], c.lo[m] & 63);
        c.lo[d] = RES[0];
        c.hi[d] = RES[1];
      };
  }
}

/**
 * Byte-wise lookup table for a reflected CRC-32 with the given reflected polynomial
 * (0xEDB88320 for CRC-32, 0x82F63B78 for CRC-32C).
 */
function crcTable(poly: number): Int32Array {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i;
    for (let k = 0; k < 8; k++) r = r & 1 ? (r >>> 1) ^ poly : r >>> 1;
    t[i] = r;
  }
  return t;
}

/** CRC-32 (ISO-HDLC, as used by CRC32B/H/W/X) lookup table. */
export const CRC32_TABLE = crcTable(0xedb88320);
/** CRC-32C (Castagnoli, as used by CRC32CB/CH/CW/CX) lookup table. */
export const CRC32C_TABLE = crcTable(0x82f63b78);

/**
 * Fold the low `bytes` bytes (1, 2 or 4, least significant first) of `value` into the CRC
 * accumulator `acc`. This is the ARM ARM CRC32/CRC32C pseudocode (bit-reversed Poly32Mod2)
 * in its usual reflected table form, with no initial or final inversion.
 * @returns the new accumulator as an int32
 */
export function crc32Update(table: Int32Array, acc: number, value: number, bytes: number): number {
  let crc = acc;
  for (let i = 0; i < bytes; i++) {
    crc = table[(crc ^ value) & 0xff] ^ (crc >>> 8);
    value >>>= 8;
  }
  return crc;
}

/** CRC32{B,H,W,X} (opcode 16..19) and CRC32C{B,H,W,X} (20..23): Wd = CRC of Rm's low 8/16/32/64 bits into Wn. */
function crcExec(opcode: number, d: number, n: number, m: number): Exec {
  const table = opcode >= 20 ? CRC32C_TABLE : CRC32_TABLE;
  const bytes = 1 << (opcode & 3);
  if (bytes === 8) {
    return (c) => {
      const h = c.hi[m];
      c.lo[d] = crc32Update(table, crc32Update(table, c.lo[n], c.lo[m], 4), h, 4);
      c.hi[d] = 0;
    };
  }
  return (c) => {
    c.lo[d] = crc32Update(table, c.lo[n], c.lo[m], bytes);
    c.hi[d] = 0;
  };
}

// =============================================================================================
// Data-processing (3 source) (ARM ARM C4.1.5, C6.2): MADD, MSUB, SMADDL, SMSUBL, SMULH, UMADDL, UMSUBL, UMULH

/**
 * Data-processing (3 source) check: op54 != 00 is UNDEFINED; op31 must be 000 (both sf),
 * 001/101 (sf = 1) or 010/110 (sf = 1, o0 = 0). Shared with the disassembler.
 */
export function dp3Allocated(insn: number): boolean {
  const sf = insn >>> 31;
  const op31 = (insn >>> 21) & 7;
  const o0 = (insn >>> 15) & 1;
  if (((insn >>> 29) & 3) !== 0) return false;
  if (op31 === 0) return true;
  if (!sf) return false;
  if (op31 === 1 || op31 === 5) return true;
  return (op31 === 2 || op31 === 6) && o0 === 0;
}

/**
 * op54 != 00 is UNDEFINED; op31 = 000 MADD/MSUB (both sf), 001/101 S/UMADDL and S/UMSUBL
 * (sf = 1), 010/110 S/UMULH (sf = 1, o0 = 0). The Ra field of SMULH/UMULH is ignored, as
 * QEMU does (the ARM ARM marks it "should be 11111").
 */
function decodeDp3(insn: number): Exec | undefined {
  const sf = insn >>> 31;
  const op31 = (insn >>> 21) & 7;
  const o0 = (insn >>> 15) & 1;
  if (!dp3Allocated(insn)) return undefined;
  const m = (insn >>> 16) & 31;
  const a = (insn >>> 10) & 31;
  const n = (insn >>> 5) & 31;
  const d = rdZr(insn & 31);
  if (d === DISCARD) return NOP;
  switch (op31) {
    case 0:
      return sf ? maddMsub64(o0, d, n, m, a) : maddMsub32(o0, d, n, m, a);
    case 1:
    case 5:
      return mulLong(op31 === 1, o0, d, n, m, a);
    case 2:
      return (c) => {
        smulh64(c.lo[n], c.hi[n], c.lo[m], c.hi[m]);
        c.lo[d] = RES[0];
        c.hi[d] = RES[1];
      };
    default:
      return (c) => {
        umulh64(c.lo[n], c.hi[n], c.lo[m], c.hi[m]);
        c.lo[d] = RES[0];
        c.hi[d] = RES[1];
      };
  }
}

function maddMsub32(sub: number, d: number, n: number, m: number, a: number): Exec {
  if (sub) {
    return (c) => {
      c.lo[d] = (c.lo[a] - Math.imul(c.lo[n], c.lo[m])) | 0;
      c.hi[d] = 0;
    };
  }
  if (a === 31) {
    return (c) => {
      c.lo[d] = Math.imul(c.lo[n], c.lo[m]);
      c.hi[d] = 0;
    };
  }
  return (c) => {
    c.lo[d] = (c.lo[a] + Math.imul(c.lo[n], c.lo[m])) | 0;
    c.hi[d] = 0;
  };
}

function maddMsub64(sub: number, d: number, n: number, m: number, a: number): Exec {
  if (sub) {
    return (c) => {
      mul64(c.lo[n], c.hi[n], c.lo[m], c.hi[m]);
      addTo64(c, d, c.lo[a], c.hi[a], ~RES[0], ~RES[1], 1);
    };
  }
  if (a === 31) {
    return (c) => {
      mul64(c.lo[n], c.hi[n], c.lo[m], c.hi[m]);
      c.lo[d] = RES[0];
      c.hi[d] = RES[1];
    };
  }
  return (c) => {
    mul64(c.lo[n], c.hi[n], c.lo[m], c.hi[m]);
    addTo64(c, d, c.lo[a], c.hi[a], RES[0], RES[1], 0);
  };
}

/** SMADDL/SMSUBL/UMADDL/UMSUBL: Xd = Xa +/- Wn * Wm (32x32 -> 64, signed or unsigned). */
function mulLong(signed: boolean, sub: number, d: number, n: number, m: number, a: number): Exec {
  if (signed) {
    if (sub) {
      return (c) => {
        const x = c.lo[n];
        const y = c.lo[m];
        addTo64(c, d, c.lo[a], c.hi[a], ~Math.imul(x, y), ~smulh32(x, y), 1);
      };
    }
    return (c) => {
      const x = c.lo[n];
      const y = c.lo[m];
      addTo64(c, d, c.lo[a], c.hi[a], Math.imul(x, y), smulh32(x, y), 0);
    };
  }
  if (sub) {
    return (c) => {
      const x = c.lo[n];
      const y = c.lo[m];
      addTo64(c, d, c.lo[a], c.hi[a], ~Math.imul(x, y), ~umulh32(x, y), 1);
    };
  }
  return (c) => {
    const x = c.lo[n];
    const y = c.lo[m];
    addTo64(c, d, c.lo[a], c.hi[a], Math.imul(x, y), umulh32(x, y), 0);
  };
}
