/**
 * ConditionHolds(cond) as a JavaScript expression over the Cpu `c`'s flag fields (each 0 or
 * 1), for code the block compiler generates (ARM ARM shared/functions/system/ConditionHolds;
 * the interpreter's truth tables in condition.ts are the reference).
 * @param cond the 4-bit condition field
 * @returns an expression that is truthy when the condition holds
 */
export function condExpr(cond: number): string {
  // No short-circuit (&&): every operation runs on every pass, so V8 has type feedback for
  // all of them when it optimises the block (an operation never run before would deoptimise).
  const base = ['c.z!==0', 'c.c!==0', 'c.n!==0', 'c.v!==0', '(c.c&~c.z)!==0', 'c.n===c.v', '(c.z|(c.n^c.v))===0', 'true'][cond >>> 1];
  // Odd conditions invert, except NV (0b1111), which is "always" like AL.
  if ((cond & 1) === 1 && cond !== 15) return `!(${base})`;
  return base;
}
