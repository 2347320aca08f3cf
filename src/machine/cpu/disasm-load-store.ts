import { atomicAllocated } from './load-store-atomic';
import { exclusiveAllocated } from './load-store-exclusive';
import { pairAllocated } from './load-store-pair';
import { ldtrOverlapRejected, writeBackOverlap } from './load-store-single';
import { fmt, immS, immU, rz, sext, target, xsp } from './disasm-format';

/**
 * Disassembly of the A64 "Loads and Stores" class for the general-purpose forms the executing
 * decoder (decode-load-store.ts and load-store-*.ts) accepts: exclusive/ordered/CAS, literal,
 * pair, and single-register (immediate, unscaled, unprivileged, pre/post-index, register offset,
 * PRFM) plus the FEAT_LSE atomics with their ST<op> aliases. ARM ARM C4.1.4, C6.2.
 * @returns the text, or undefined for every word the executing decoder rejects
 */
export function disasmLoadStore(insn: number, pc: number): string | undefined {
  if (insn & (1 << 26)) return undefined; // SIMD&FP: not modelled
  switch ((insn >>> 28) & 3) {
    case 0:
      return insn & (1 << 24) ? undefined : exclusive(insn);
    case 1:
      return insn & (1 << 24) ? undefined : literal(insn, pc);
    case 2:
      return pair(insn);
    default:
      return single(insn);
  }
}

/** `[Xn|SP]`, or `[Xn|SP, #imm]` when imm != 0. */
function offsetAddr(Rn: number, imm: number): string {
  return imm === 0 ? `[${xsp(Rn)}]` : `[${xsp(Rn)}, ${immS(imm)}]`;
}

/** Size suffix of the byte and halfword forms. */
function sizeSuffix(size: number): string {
  return size === 0 ? 'b' : size === 1 ? 'h' : '';
}

/** Names of the PRFM prfop field (Rt): type (PLD/PLI/PST), target (L1..L3), policy (KEEP/STRM). */
export function prfopName(prfop: number): string {
  const type = prfop >>> 3;
  const tgt = (prfop >>> 1) & 3;
  if (type === 3 || tgt === 3) return immU(prfop); // unallocated hints print as a number
  return `${['pld', 'pli', 'pst'][type]}l${tgt + 1}${prfop & 1 ? 'strm' : 'keep'}`;
}

/**
 * Exclusive, ordered and compare-and-swap group (size 001000 o2 L o1 Rs o0 Rt2 Rn Rt):
 * STXR/STLXR/LDXR/LDAXR, STXP/STLXP/LDXP/LDAXP, STLR/LDAR, CAS and CASP with their A/L/B/H forms.
 */
function exclusive(insn: number): string | undefined {
  if (!exclusiveAllocated(insn)) return undefined;
  const size = insn >>> 30;
  const o2 = (insn >>> 23) & 1;
  const L = (insn >>> 22) & 1;
  const o1 = (insn >>> 21) & 1;
  const Rs = (insn >>> 16) & 31;
  const o0 = (insn >>> 15) & 1;
  const Rt2 = (insn >>> 10) & 31;
  const Rn = (insn >>> 5) & 31;
  const Rt = insn & 31;
  const x = size === 3 ? 1 : 0;
  const addr = `[${xsp(Rn)}]`;
  const sfx = sizeSuffix(size);
  if (o2 === 0 && o1 === 0) {
    if (L) return fmt(`ld${o0 ? 'a' : ''}xr${sfx}`, rz(x, Rt), addr);
    return fmt(`st${o0 ? 'l' : ''}xr${sfx}`, rz(0, Rs), rz(x, Rt), addr);
  }
  if (o2 === 0) {
    if (size >= 2) {
      if (L) return fmt(`ld${o0 ? 'a' : ''}xp`, rz(x, Rt), rz(x, Rt2), addr);
      return fmt(`st${o0 ? 'l' : ''}xp`, rz(0, Rs), rz(x, Rt), rz(x, Rt2), addr);
    }
    // CASP{A}{L}: size<0> selects X pairs; Rs+1 and Rt+1 of register 30 are XZR.
    const sz = size & 1;
    return fmt(`casp${L ? 'a' : ''}${o0 ? 'l' : ''}`, rz(sz, Rs), rz(sz, Rs + 1), rz(sz, Rt), rz(sz, Rt + 1), addr);
  }
  if (o1 === 0) return fmt(L ? `ldar${sfx}` : `stlr${sfx}`, rz(x, Rt), addr);
  return fmt(`cas${L ? 'a' : ''}${o0 ? 'l' : ''}${sfx}`, rz(x, Rs), rz(x, Rt), addr);
}

/** LDR (literal) W/X, LDRSW (literal), PRFM (literal): the target address is absolute. */
function literal(insn: number, pc: number): string {
  const opc = insn >>> 30;
  const Rt = insn & 31;
  const label = target(pc + sext((insn >>> 5) & 0x7ffff, 19) * 4);
  switch (opc) {
    case 0:
      return fmt('ldr', rz(0, Rt), label);
    case 1:
      return fmt('ldr', rz(1, Rt), label);
    case 2:
      return fmt('ldrsw', rz(1, Rt), label);
    default:
      return fmt('prfm', prfopName(Rt), label);
  }
}

/** STP/LDP/LDPSW/STNP/LDNP: signed offset, pre-index, post-index, no-allocate offset. */
function pair(insn: number): string | undefined {
  if (!pairAllocated(insn)) return undefined;
  const opc = insn >>> 30;
  const type = (insn >>> 23) & 3; // 00 no-allocate, 01 post, 10 offset, 11 pre
  const L = (insn >>> 22) & 1;
  const Rt2 = (insn >>> 10) & 31;
  const Rn = (insn >>> 5) & 31;
  const Rt = insn & 31;
  const x = opc === 0 ? 0 : 1;
  const imm = sext((insn >>> 15) & 0x7f, 7) << (opc === 2 ? 3 : 2);
  const mnemonic = opc === 1 ? 'ldpsw' : `${L ? 'ld' : 'st'}${type === 0 ? 'np' : 'p'}`;
  let addr: string;
  if (type === 1) addr = `[${xsp(Rn)}], ${immS(imm)}`;
  else if (type === 3) addr = `[${xsp(Rn)}, ${immS(imm)}]!`;
  else addr = offsetAddr(Rn, imm);
  return fmt(mnemonic, rz(x, Rt), rz(x, Rt2), addr);
}

/** Addressing forms of the single-register group, named after the mnemonic infix they select. */
const enum Form {
  Unsigned,
  Unscaled,
  Unprivileged,
  Post,
  Pre,
  Register,
}

/**
 * Load/store register (bits [29:27] = 111, V = 0): unsigned offset, imm9 forms, register
 * offset, PRFM/PRFUM, and the atomics (bit 21 = 1, bits [11:10] = 00).
 */
function single(insn: number): string | undefined {
  const size = insn >>> 30;
  const opc = (insn >>> 22) & 3;
  const Rn = (insn >>> 5) & 31;
  const Rt = insn & 31;
  let form: Form;
  if (insn & (1 << 24)) form = Form.Unsigned;
  else if ((insn & (1 << 21)) === 0) {
    form = [Form.Unscaled, Form.Post, Form.Unprivileged, Form.Pre][(insn >>> 10) & 3];
    if (form === Form.Unprivileged && ldtrOverlapRejected(insn)) return undefined;
  } else {
    const op4 = (insn >>> 10) & 3;
    if (op4 === 0) return atomic(insn);
    if (op4 !== 2 || (insn & (1 << 14)) === 0) return undefined; // PAC loads; option<1> = 0
    form = Form.Register;
  }
  const writeBack = form === Form.Post || form === Form.Pre;
  const prefetch = opc === 2 && size === 3;
  if (prefetch && (writeBack || form === Form.Unprivileged)) return undefined;
  if (opc === 3 && size >= 2) return undefined;
  if (opc !== 0 && !prefetch && writeBack && writeBackOverlap(Rt, Rn)) return undefined;

  const addr = singleAddress(insn, form, size);
  if (prefetch) return fmt(form === Form.Unscaled ? 'prfum' : 'prfm', prfopName(Rt), addr);
  const infix = form === Form.Unscaled ? 'ur' : form === Form.Unprivileged ? 'tr' : 'r';
  // opc 00 store, 01 load, 10 sign-extending load to X, 11 sign-extending load to W.
  const signed = opc >= 2;
  const mnemonic = `${opc === 0 ? 'st' : 'ld'}${infix}${signed ? 's' : ''}${size === 2 && signed ? 'w' : sizeSuffix(size)}`;
  const x = size === 3 || opc === 2 ? 1 : 0;
  return fmt(mnemonic, rz(x, Rt), addr);
}

/** The address operand of a single-register access. */
function singleAddress(insn: number, form: Form, size: number): string {
  const Rn = (insn >>> 5) & 31;
  const imm9 = sext((insn >>> 12) & 0x1ff, 9);
  switch (form) {
    case Form.Unsigned:
      return offsetAddr(Rn, ((insn >>> 10) & 0xfff) << size);
    case Form.Unscaled:
    case Form.Unprivileged:
      return offsetAddr(Rn, imm9);
    case Form.Post:
      return `[${xsp(Rn)}], ${immS(imm9)}`;
    case Form.Pre:
      return `[${xsp(Rn)}, ${immS(imm9)}]!`;
    default: {
      // [Xn|SP, Wm|Xm{, extend {#amount}}]: option 011 prints as LSL, shown only with S = 1.
      const option = (insn >>> 13) & 7;
      const S = (insn >>> 12) & 1;
      const Rm = (insn >>> 16) & 31;
      const m = rz(option & 1, Rm);
      let ext: string;
      if (option === 3) ext = S ? `, lsl #${size}` : '';
      else ext = `, ${['', '', 'uxtw', 'lsl', '', '', 'sxtw', 'sxtx'][option]}${S ? ` #${size}` : ''}`;
      return `[${xsp(Rn)}, ${m}${ext}]`;
    }
  }
}

/** Operation names of the atomic memory operations, o3:opc (SWP is o3 = 1, opc = 000). */
const ATOMIC_OPS: readonly string[] = ['add', 'clr', 'eor', 'set', 'smax', 'smin', 'umax', 'umin'];

/**
 * LD<op>{A}{L}{B,H} and SWP{A}{L}{B,H}; LD<op> with Rt = ZR and A = 0 prints as the
 * ST<op>{L}{B,H} alias (ARM ARM C6.2 STADD etc.).
 */
function atomic(insn: number): string | undefined {
  if (!atomicAllocated(insn)) return undefined;
  const size = insn >>> 30;
  const A = (insn >>> 23) & 1;
  const R = (insn >>> 22) & 1;
  const Rs = (insn >>> 16) & 31;
  const o3 = (insn >>> 15) & 1;
  const opc = (insn >>> 12) & 7;
  const Rn = (insn >>> 5) & 31;
  const Rt = insn & 31;
  const x = size === 3 ? 1 : 0;
  const sfx = sizeSuffix(size);
  const addr = `[${xsp(Rn)}]`;
  if (o3) return fmt(`swp${A ? 'a' : ''}${R ? 'l' : ''}${sfx}`, rz(x, Rs), rz(x, Rt), addr);
  if (Rt === 31 && !A) return fmt(`st${ATOMIC_OPS[opc]}${R ? 'l' : ''}${sfx}`, rz(x, Rs), addr);
  return fmt(`ld${ATOMIC_OPS[opc]}${A ? 'a' : ''}${R ? 'l' : ''}${sfx}`, rz(x, Rs), rz(x, Rt), addr);
}
