import { numberHi, numberLo } from './arith64';
import { condExpr } from './block-emit-cond';

/** What the block compiler should do with a word of the branch/exception/system class. */
export interface BranchCode {
  /** Source to emit. */
  code: string;
  /** The instruction ends the block (every path of `code` leaves the block function). */
  terminal: boolean;
}

/**
 * JavaScript source for the A64 branches (B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR, BLR, RET)
 * and the hints/barriers that do nothing here (NOP, DMB, DSB, ISB), with the semantics of
 * decode-branch-system.ts (the reference). Everything else in the class (exception
 * generation, ERET, MSR/MRS, WFI/WFE/YIELD/SEV, CLREX, SYS) returns undefined: the compiler
 * runs the interpreter's Exec for it and ends the block there, since those change PSTATE,
 * interrupt takeability or the run state.
 *
 * @param jump returns source that continues at `target` (another basic block of the region,
 *             or back to the run loop); it retires every instruction of this basic block
 * @param branch2 the same for a two-way branch: continues at `taken` when the JavaScript
 *                condition `cond` holds, else at `notTaken`
 * @param indirect source that continues at the address in `t0` (BR, BLR, RET), whose high
 *                 and low words are also in `t1` and `t2` (int32)
 */
export function emitBranch(
  insn: number,
  pc: number,
  jump: (target: number) => string,
  branch2: (cond: string, taken: number, notTaken: number) => string,
  indirect: string,
): BranchCode | undefined {
  const top = insn >>> 26;
  if ((top & 0x1f) === 0x05) {
    const target = pc + ((insn << 6) >> 6) * 4;
    if (insn >>> 31) {
      const ret = pc + 4;
      return { code: `L[30]=${numberLo(ret) | 0};H[30]=${numberHi(ret) | 0};${jump(target)}`, terminal: true };
    }
    return { code: jump(target), terminal: true };
  }
  const b31_25 = insn >>> 25;
  if (b31_25 === 0x2a) {
    if ((insn & 0x01000010) !== 0) return undefined;
    const target = pc + ((insn << 8) >> 13) * 4;
    return { code: branch2(condExpr(insn & 0xf), target, pc + 4), terminal: true };
  }
  if ((b31_25 & 0x3f) === 0x1a) {
    const rt = insn & 31;
    const target = pc + ((insn << 8) >> 13) * 4;
    const nonzero = (insn >>> 24) & 1;
    const value = insn >>> 31 ? `(L[${rt}]|H[${rt}])` : `L[${rt}]`;
    return { code: branch2(`${value}${nonzero ? '!==' : '==='}0`, target, pc + 4), terminal: true };
  }
  if ((b31_25 & 0x3f) === 0x1b) {
    const rt = insn & 31;
    const bit = ((insn >>> 31) << 5) | ((insn >>> 19) & 31);
    const target = pc + ((insn << 13) >> 18) * 4;
    const ifSet = (insn >>> 24) & 1;
    const word = bit >= 32 ? `H[${rt}]` : `L[${rt}]`;
    return { code: branch2(`(${word}&${1 << (bit & 31)})${ifSet ? '!==' : '==='}0`, target, pc + 4), terminal: true };
  }
  if (b31_25 === 0x6b) {
    const opc = (insn >>> 21) & 0xf;
    const rn = (insn >>> 5) & 31;
    if (((insn >>> 16) & 0x1f) !== 0x1f || ((insn >>> 10) & 0x3f) !== 0 || (insn & 31) !== 0 || opc > 2) return undefined;
    const target = `t1=H[${rn}];t2=L[${rn}];t0=(t1>>>0)*4294967296+(t2>>>0);`;
    const link = opc === 1 ? `L[30]=${numberLo(pc + 4) | 0};H[30]=${numberHi(pc + 4) | 0};` : '';
    return { code: `${target}${link}${indirect}`, terminal: true };
  }
  if (b31_25 === 0x6a && ((insn >>> 22) & 7) === 4 && ((insn >>> 19) & 3) === 0 && ((insn >>> 21) & 1) === 0 && (insn & 31) === 31) {
    const op1 = (insn >>> 16) & 7;
    const crn = (insn >>> 12) & 0xf;
    const crm = (insn >>> 8) & 0xf;
    const op2 = (insn >>> 5) & 7;
    if (crn === 2 && op1 === 3) {
      const imm = (crm << 3) | op2;
      if (imm >= 1 && imm <= 5) return undefined; // YIELD, WFE, WFI, SEV, SEVL
      return { code: '', terminal: false };
    }
    if (crn === 3 && op1 === 3 && op2 >= 4 && op2 <= 6) return { code: '', terminal: false }; // DSB, DMB, ISB
  }
  return undefined;
}
