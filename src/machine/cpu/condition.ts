import type { Cpu } from './cpu';

/**
 * A64 condition codes (ARM ARM shared/functions ConditionHolds; C1.2.4 "Condition code").
 *
 * Each condition is precomputed as a 16-bit truth table over the current flags, indexed by
 * NZCV as a 4-bit number (N = bit 3 ... V = bit 0). An Exec captures the table of its
 * cond field at decode time and tests one bit at run time: no switch on the hot path.
 */

/** Condition numbers (the 4-bit cond field). */
export const COND_EQ = 0;
export const COND_NE = 1;
export const COND_CS = 2;
export const COND_CC = 3;
export const COND_MI = 4;
export const COND_PL = 5;
export const COND_VS = 6;
export const COND_VC = 7;
export const COND_HI = 8;
export const COND_LS = 9;
export const COND_GE = 10;
export const COND_LT = 11;
export const COND_GT = 12;
export const COND_LE = 13;
export const COND_AL = 14;
export const COND_NV = 15;

/** ConditionHolds for one explicit flag state (each 0 or 1). Reference form, used to build the tables. */
function holds(cond: number, n: number, z: number, c: number, v: number): boolean {
  let result: boolean;
  switch (cond >>> 1) {
    case 0:
      result = z === 1;
      break;
    case 1:
      result = c === 1;
      break;
    case 2:
      result = n === 1;
      break;
    case 3:
      result = v === 1;
      break;
    case 4:
      result = c === 1 && z === 0;
      break;
    case 5:
      result = n === v;
      break;
    case 6:
      result = n === v && z === 0;
      break;
    default:
      result = true;
      break;
  }
  // Odd conditions invert, except NV (0b1111), which is "always" like AL.
  if ((cond & 1) === 1 && cond !== COND_NV) result = !result;
  return result;
}

const MASKS: readonly number[] = (() => {
  const out: number[] = [];
  for (let cond = 0; cond < 16; cond++) {
    let m = 0;
    for (let f = 0; f < 16; f++) if (holds(cond, (f >>> 3) & 1, (f >>> 2) & 1, (f >>> 1) & 1, f & 1)) m |= 1 << f;
    out.push(m);
  }
  return out;
})();

/**
 * The truth table of condition `cond` (0..15): bit k is set when the condition holds for
 * NZCV = k (see {@link nzcvIndex}). Use at decode time; test with `(mask >>> nzcvIndex(c)) & 1`.
 */
export function conditionMask(cond: number): number {
  return MASKS[cond & 15];
}

/** The CPU's flags as a 4-bit number N:Z:C:V (N = bit 3). */
export function nzcvIndex(c: Cpu): number {
  return (c.n << 3) | (c.z << 2) | (c.c << 1) | c.v;
}

/** ConditionHolds(cond) on CPU `c`'s current flags (ARM ARM shared/functions/system/ConditionHolds). */
export function conditionHolds(c: Cpu, cond: number): boolean {
  return ((MASKS[cond & 15] >>> nzcvIndex(c)) & 1) === 1;
}
