import type { Cpu } from './cpu';

/**
 * A decoded instruction: a closure specialised at decode time for one instruction word
 * at one address (its `pc` is captured, so PC-relative forms cost nothing at run time).
 * The CPU has already set `c.pc` to the next instruction (pc + 4) before calling it;
 * branches overwrite `c.pc`. Faults call a Cpu `raise*` method, which throws
 * {@link GUEST_EXCEPTION} after exception entry.
 */
export type Exec = (c: Cpu) => void;

/** A class decoder: returns the Exec for `insn` at `pc`, or undefined for UNDEFINED encodings. */
export type Decoder = (insn: number, pc: number) => Exec | undefined;

/** Register-file slot numbers (index into Cpu.lo / Cpu.hi). */
export const XZR = 31; // always reads 0; never written
export const SP_SLOT = 32; // the current stack pointer (SP_EL0 or SP_EL1 per PSTATE.SPSel)
export const DISCARD = 33; // destination for writes to XZR

/** Destination slot for an Rd field where 31 means XZR. */
export function rdZr(r: number): number {
  return r === 31 ? DISCARD : r;
}
/** Slot for an Rd/Rn field where 31 means SP. */
export function rSp(r: number): number {
  return r === 31 ? SP_SLOT : r;
}

/** Thrown (once per exception, never caught by decoders) to abandon the current instruction. */
export const GUEST_EXCEPTION = Object.freeze({ guestException: true });

/** 2^32 as a number. */
export const TWO32 = 4294967296;
