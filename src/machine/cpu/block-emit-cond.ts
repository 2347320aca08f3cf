/**
 * ConditionHolds(cond) as a JavaScript expression over the Cpu `c`'s flag fields (each 0 or
 * 1), for code the block compiler generates (ARM ARM shared/functions/system/ConditionHolds;
 * the interpreter's truth tables in condition.ts are the reference).
 * @param cond the 4-bit condition field
 * @returns an expression that is truthy when the condition holds
 */
export function condExpr(cond: number): string {
  const base = ['c.z!==0', 'c.c!==0', 'c.n!==0', 'c.v!==0', '(c.c!==0&&c.z===0)', 'c.n===c.v', '(c.z===0&&c.n===c.v)', 'true'][cond >>> 1];
  // Odd conditions invert, except NV (0b1111), which is "always" like AL.
  if ((cond & 1) === 1 && cond !== 15) return `!(${base})`;
  return base;
}
