/**
 * Operand formatting shared by the A64 disassembler (disasm*.ts).
 *
 * The style follows LLVM's AArch64InstPrinter as packaged by capstone 5 (and, for the operand
 * syntax, the ARM ARM's assembler templates): lower-case mnemonics and registers, `#` before
 * every immediate, immediates above 9 in hexadecimal (`#0x10`), negative values as `#-0x10`,
 * shift and extend amounts in decimal (`lsl #12`), branch targets as absolute addresses.
 */

/** Condition-code names, indexed by the 4-bit cond field (ARM ARM C1.2.4; capstone spells CS/CC "hs"/"lo"). */
export const COND_NAMES: readonly string[] = ['eq', 'ne', 'hs', 'lo', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'];

/** Shift-type names for the 2-bit shift field (ARM ARM DecodeShift). */
export const SHIFT_NAMES: readonly string[] = ['lsl', 'lsr', 'asr', 'ror'];

/** Extend names for the 3-bit option field (ARM ARM DecodeRegExtend). */
export const EXTEND_NAMES: readonly string[] = ['uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx'];

/** Values above this are printed in hexadecimal (capstone's HEX_THRESHOLD). */
const HEX_THRESHOLD = 9;

/**
 * A 64-bit general-purpose register name where field value 31 means XZR.
 * @param r a 5-bit register field
 */
export function xr(r: number): string {
  return r === 31 ? 'xzr' : `x${r}`;
}

/** A 32-bit register name where 31 means WZR. */
export function wr(r: number): string {
  return r === 31 ? 'wzr' : `w${r}`;
}

/** A 64-bit register name where 31 means SP (Xn|SP operands). */
export function xsp(r: number): string {
  return r === 31 ? 'sp' : `x${r}`;
}

/** A 32-bit register name where 31 means WSP (Wn|WSP operands). */
export function wsp(r: number): string {
  return r === 31 ? 'wsp' : `w${r}`;
}

/** Register name for width sf (1 = X, 0 = W), 31 = ZR. */
export function rz(sf: number, r: number): string {
  return sf ? xr(r) : wr(r);
}

/** Register name for width sf, 31 = SP/WSP. */
export function rsp(sf: number, r: number): string {
  return sf ? xsp(r) : wsp(r);
}

/**
 * An unsigned immediate: `#n` up to 9, else `#0x..`.
 * @param v a non-negative integer (number below 2^53, or a bigint below 2^64)
 */
export function immU(v: number | bigint): string {
  return v > HEX_THRESHOLD ? `#0x${v.toString(16)}` : `#${v.toString(10)}`;
}

/**
 * A signed immediate: like {@link immU}, with `#-n` / `#-0x..` for negative values
 * (capstone printInt64).
 */
export function immS(v: number | bigint): string {
  if (v >= 0) return immU(v);
  const m = -v;
  return m > HEX_THRESHOLD ? `#-0x${m.toString(16)}` : `#-${m.toString(10)}`;
}

/**
 * An absolute target address (branches, ADR/ADRP, literal loads), wrapped to 64 bits the way
 * the PC arithmetic wraps (ARM ARM: addresses are 64-bit; a target below 0 prints as 2^64 - n).
 * @param addr the target as a JS number (may be negative or above 2^48)
 */
export function target(addr: number): string {
  return immU(BigInt.asUintN(64, BigInt(addr)));
}

/** Sign-extend the low `bits` bits of v (bits <= 32). */
export function sext(v: number, bits: number): number {
  const s = 32 - bits;
  return (v << s) >> s;
}

/** Join a mnemonic and its operands ("nop" when there are none). */
export function fmt(mnemonic: string, ...operands: string[]): string {
  return operands.length === 0 ? mnemonic : `${mnemonic} ${operands.join(', ')}`;
}
