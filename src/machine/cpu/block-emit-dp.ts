import { DISCARD, rdZr, rSp } from './exec';
import { numberHi, numberLo } from './arith64';
import { bitfieldAllocated, logicalImmediate, moveWideAllocated } from './decode-dp-imm';
import { condSelectAllocated, shiftedRegAllocated } from './decode-dp-reg';
import { condExpr } from './block-emit-cond';

/**
 * JavaScript source for the A64 integer data-processing instructions the block compiler
 * (block-compiler.ts) emits inline: the hot subset of decode-dp-imm.ts and decode-dp-reg.ts,
 * with exactly their semantics (the interpreter is the reference; test/unit/jit-equivalence
 * checks both on random words). Anything not covered returns undefined and the compiler
 * calls the interpreter's Exec instead.
 *
 * The emitted code runs inside a block function where `c` is the Cpu, `L`/`H` are c.lo/c.hi
 * (register slots as in exec.ts: 31 = XZR reads 0, 32 = SP, 33 = discard); `mul64` and `RES`
 * of arith64.ts are in scope. Temporaries t0..t3, v0..v3 are `let`s of the basic block. None of
 * this code can throw or call out, so it needs no instruction-count bookkeeping.
 *
 * The caller has already checked that decode() accepts the word, so UNDEFINED encodings
 * never reach here; the allocation predicates are re-checked only where an emitter
 * branches on the same fields.
 */
export function emitDataProcessing(insn: number, pc: number): string | undefined {
  const op0 = (insn >>> 25) & 0xf;
  if (op0 === 0x8 || op0 === 0x9) return emitDpImm(insn, pc);
  if (op0 === 0x5 || op0 === 0xd) return emitDpReg(insn);
  return undefined;
}

/** `L[d]=lo;H[d]=hi;` for a constant. */
function setConst(d: number, lo: number, hi: number): string {
  return `L[${d}]=${lo | 0};H[${d}]=${hi | 0};`;
}

// ---- inline arithmetic (arith64.ts semantics, specialised on decode-time constants) ----
// Calls would cost more in a large region function, whose inlining budget V8 spends fast.

/**
 * AddWithCarry (arith64.ts adds64/flags64) on 64-bit operands given as source expressions
 * (read once, before any write): writes slot d (unless d is undefined) and NZCV.
 */
function addFlags64(d: number | undefined, al: string, ah: string, bl: string, bh: string, cin: number): string {
  let s = `v0=${ah};v1=${bh};t0=${al};t1=${bl};t2=(t0+t1+${cin})|0;t3=(v0+v1+(${carry('t0', 't1', 't2')}))|0;`;
  if (d !== undefined) s += `L[${d}]=t2;H[${d}]=t3;`;
  return s + `c.n=t3>>>31;c.z=(t2|t3)===0?1:0;c.c=${carry('v0', 'v1', 't3')};c.v=((v0^t3)&(v1^t3))>>>31;`;
}

/**
 * Carry out of bit 31 of the int32 sum `r` = `x` + `y` (+ a carry in): the majority of the
 * operands' and the sum's top bits (Hacker's Delight 2-13). Only int32 operations: unsigned
 * sums above 2^31 would make V8 switch the region to doubles ("lost precision") mid-run.
 */
function carry(x: string, y: string, r: string): string {
  return `((${x}&${y})|((${x}|${y})&~${r}))>>>31`;
}

/** AddWithCarry on 32-bit operands (arith64.ts adds32/flags32). */
function addFlags32(d: number | undefined, a: string, b: string, cin: number): string {
  let s = `v0=${a};v1=${b};t2=(v0+v1+${cin})|0;`;
  if (d !== undefined) s += `L[${d}]=t2;H[${d}]=0;`;
  return s + `c.n=t2>>>31;c.z=t2===0?1:0;c.c=${carry('v0', 'v1', 't2')};c.v=((v0^t2)&(v1^t2))>>>31;`;
}

/** X[d] = a + b + cin, no flags (arith64.ts addTo64). */
function add64(d: number, al: string, ah: string, bl: string, bh: string, cin: number): string {
  return `v0=${ah};v1=${bh};t0=${al};t1=${bl};t2=(t0+t1+${cin})|0;L[${d}]=t2;H[${d}]=(v0+v1+(${carry('t0', 't1', 't2')}))|0;`;
}

/** Result and NZCV of a 64-bit logical flag-setting operation (logicFlags64). */
function logicFlags64(d: number, rl: string, rh: string): string {
  return `t2=${rl};t3=${rh};L[${d}]=t2;H[${d}]=t3;c.n=t3>>>31;c.z=(t2|t3)===0?1:0;c.c=0;c.v=0;`;
}

/** 32-bit logical flag setting (logicFlags32). */
function logicFlags32(d: number, r: string): string {
  return `t2=${r};L[${d}]=t2;H[${d}]=0;c.n=t2>>>31;c.z=t2===0?1:0;c.c=0;c.v=0;`;
}

/** LSL/LSR/ASR of the pair (l, h) by a constant 1..63, as [lo, hi] expressions (arith64.ts word helpers). */
function shiftPair(kind: number, l: string, h: string, a: number): [string, string] {
  if (kind === 0) return a < 32 ? [`(${l}<<${a})`, `((${h}<<${a})|(${l}>>>${32 - a}))`] : ['0', `(${l}<<${a - 32})`];
  if (kind === 1) return a < 32 ? [`((${l}>>>${a})|(${h}<<${32 - a}))`, `((${h}>>>${a})|0)`] : [`((${h}>>>${a - 32})|0)`, '0'];
  return a < 32 ? [`((${l}>>>${a})|(${h}<<${32 - a}))`, `(${h}>>${a})`] : [`(${h}>>${a - 32})`, `(${h}>>31)`];
}

// ---- data processing, immediate ----

function emitDpImm(insn: number, pc: number): string | undefined {
  switch ((insn >>> 23) & 7) {
    case 0:
    case 1: {
      const d = insn & 31;
      if (d === 31) return '';
      const imm = ((insn << 8) >> 13) * 4 + ((insn >>> 29) & 3);
      const value = insn >>> 31 === 1 ? pc - (pc % 4096) + imm * 4096 : pc + imm;
      return setConst(d, numberLo(value), numberHi(value));
    }
    case 2:
      return emitAddSubImm(insn);
    case 4:
      return emitLogicalImm(insn);
    case 5:
      return emitMoveWide(insn);
    case 6:
      return emitBitfield(insn);
    default:
      return undefined;
  }
}

function emitAddSubImm(insn: number): string {
  const sf = insn >>> 31;
  const sub = (insn >>> 30) & 1;
  const setFlags = (insn >>> 29) & 1;
  const imm = ((insn >>> 10) & 0xfff) << (((insn >>> 22) & 1) * 12);
  const n = rSp((insn >>> 5) & 31);
  const rd = insn & 31;
  if (setFlags) {
    const d = rdZr(rd);
    const bl = sub ? ~imm : imm;
    const bh = sub ? -1 : 0;
    const dest = d === DISCARD ? undefined : d;
    if (sf) return addFlags64(dest, `L[${n}]`, `H[${n}]`, String(bl), String(bh), sub);
    return addFlags32(dest, `L[${n}]`, String(bl), sub);
  }
  const d = rSp(rd);
  if (sf) {
    if (imm === 0) return `L[${d}]=L[${n}];H[${d}]=H[${n}];`;
    // Borrow out of bit 31 of t0 - imm (Hacker's Delight 2-13), int32 only as in carry().
    if (sub) return `t0=L[${n}];t1=H[${n}];t2=(t0-${imm})|0;L[${d}]=t2;H[${d}]=(t1-(((~t0&${imm})|(~(t0^${imm})&t2))>>>31))|0;`;
    return `t0=L[${n}];t1=H[${n}];t2=(t0+${imm})|0;L[${d}]=t2;H[${d}]=(t1+(${carry('t0', String(imm), 't2')}))|0;`;
  }
  const delta = sub ? -imm : imm;
  return `L[${d}]=(L[${n}]+${delta})|0;H[${d}]=0;`;
}

function emitLogicalImm(insn: number): string | undefined {
  const sf = insn >>> 31;
  const opc = (insn >>> 29) & 3;
  const masks = logicalImmediate(sf, (insn >>> 22) & 1, (insn >>> 16) & 63, (insn >>> 10) & 63);
  if (masks === undefined) return undefined;
  const il = masks.wmaskLo | 0;
  const ih = sf ? masks.wmaskHi | 0 : 0;
  const n = (insn >>> 5) & 31;
  const rd = insn & 31;
  if (opc === 3) {
    const d = rdZr(rd);
    if (sf) return logicFlags64(d, `L[${n}]&${il}`, `H[${n}]&${ih}`);
    return logicFlags32(d, `L[${n}]&${il}`);
  }
  const d = rSp(rd);
  if (n === 31) return opc === 0 ? setConst(d, 0, 0) : setConst(d, il, ih);
  const op = opc === 0 ? '&' : opc === 1 ? '|' : '^';
  if (sf) return `L[${d}]=L[${n}]${op}${il};H[${d}]=H[${n}]${op}${ih};`;
  return `L[${d}]=L[${n}]${op}${il};H[${d}]=0;`;
}

function emitMoveWide(insn: number): string | undefined {
  const sf = insn >>> 31;
  const opc = (insn >>> 29) & 3;
  const hw = (insn >>> 21) & 3;
  const imm16 = (insn >>> 5) & 0xffff;
  const d = insn & 31;
  if (!moveWideAllocated(sf, opc, hw)) return undefined;
  if (d === 31) return '';
  const vl = hw === 0 ? imm16 : hw === 1 ? imm16 << 16 : 0;
  const vh = hw === 2 ? imm16 : hw === 3 ? imm16 << 16 : 0;
  if (opc === 0) return setConst(d, ~vl, sf ? ~vh : 0);
  if (opc === 2) return setConst(d, vl, vh);
  const kl = hw === 0 ? ~0xffff : hw === 1 ? 0xffff : -1;
  if (!sf) return `L[${d}]=(L[${d}]&${kl})|${vl};H[${d}]=0;`;
  if (hw < 2) return `L[${d}]=(L[${d}]&${kl})|${vl};`;
  const kh = hw === 2 ? ~0xffff : 0xffff;
  return `H[${d}]=(H[${d}]&${kh})|${vh};`;
}

/** SBFM/UBFM (all their aliases); BFM goes to the interpreter. Same shift-pair scheme as decode-dp-imm.ts. */
function emitBitfield(insn: number): string | undefined {
  const sf = insn >>> 31;
  const opc = (insn >>> 29) & 3;
  const immN = (insn >>> 22) & 1;
  const immr = (insn >>> 16) & 63;
  const imms = (insn >>> 10) & 63;
  if (!bitfieldAllocated(sf, opc, immN, immr, imms) || opc === 1) return undefined;
  const n = (insn >>> 5) & 31;
  const d = rdZr(insn & 31);
  if (d === DISCARD) return '';
  const signed = opc === 0;
  if (!sf) {
    const L = 31 - imms;
    const T = imms >= immr ? L + immr : immr - imms - 1;
    if (signed) return `L[${d}]=(L[${n}]<<${L})>>${T};H[${d}]=0;`;
    return `L[${d}]=((L[${n}]<<${L})>>>${T})|0;H[${d}]=0;`;
  }
  const L = 63 - imms;
  const T = imms >= immr ? L + immr : immr - imms - 1;
  if (L === 0 && T === 0) return `L[${d}]=L[${n}];H[${d}]=H[${n}];`;
  if (L === 0) {
    const r = shiftPair(signed ? 2 : 1, 't0', 't1', T);
    return `t0=L[${n}];t1=H[${n}];L[${d}]=${r[0]};H[${d}]=${r[1]};`;
  }
  if (T === 0) {
    const r = shiftPair(0, 't0', 't1', L);
    return `t0=L[${n}];t1=H[${n}];L[${d}]=${r[0]};H[${d}]=${r[1]};`;
  }
  if (L >= 32 && T >= 32) {
    const l32 = L - 32;
    const t32 = T - 32;
    if (signed) return `t0=L[${n}]<<${l32};L[${d}]=t0>>${t32};H[${d}]=t0>>31;`;
    return `L[${d}]=((L[${n}]<<${l32})>>>${t32})|0;H[${d}]=0;`;
  }
  const up = shiftPair(0, 't0', 't1', L);
  const down = shiftPair(signed ? 2 : 1, 't2', 't3', T);
  return `t0=L[${n}];t1=H[${n}];t2=${up[0]};t3=${up[1]};L[${d}]=${down[0]};H[${d}]=${down[1]};`;
}

// ---- data processing, register ----

function emitDpReg(insn: number): string | undefined {
  const op2 = (insn >>> 21) & 15;
  if (((insn >>> 28) & 1) === 0) {
    if ((op2 & 8) === 0) return emitLogicalShifted(insn);
    return (op2 & 1) === 0 ? emitAddSubShifted(insn) : undefined;
  }
  if (op2 === 4) return emitCondSelect(insn);
  if (op2 >= 8) return emitMaddMsub(insn);
  return undefined;
}

/** Source of the shifted Rm operand as [lo, hi] expressions (values read before any write), or undefined for ROR. */
function shifted64(shift: number, a: number, m: number): [string, string] | undefined {
  if (a === 0) return [`L[${m}]`, `H[${m}]`];
  return shift === 3 ? undefined : shiftPair(shift, `L[${m}]`, `H[${m}]`, a);
}

/** 32-bit shifted operand expression (shift amounts < 32), or undefined for ROR. */
function shifted32(shift: number, a: number, m: number): string | undefined {
  switch (shift) {
    case 0:
      return `(L[${m}]<<${a})`;
    case 1:
      return `(L[${m}]>>>${a})`;
    case 2:
      return `(L[${m}]>>${a})`;
    default:
      return undefined;
  }
}

function emitLogicalShifted(insn: number): string | undefined {
  const sf = insn >>> 31;
  const opc = (insn >>> 29) & 3;
  const shift = (insn >>> 22) & 3;
  const inv = ((insn >>> 21) & 1) === 1 ? -1 : 0;
  const m = (insn >>> 16) & 31;
  const amount = (insn >>> 10) & 63;
  const n = (insn >>> 5) & 31;
  const d = rdZr(insn & 31);
  if (!shiftedRegAllocated(sf, shift, amount, true)) return undefined;
  if (d === DISCARD && opc !== 3) return '';
  const op = opc === 1 ? '|' : opc === 2 ? '^' : '&';
  if (sf) {
    const b = shifted64(shift, amount, m);
    if (b === undefined) return undefined;
    const pre = `t0=${b[0]}^${inv};t1=${b[1]}^${inv};`;
    if (opc === 3) return pre + logicFlags64(d, `L[${n}]&t0`, `H[${n}]&t1`);
    return `${pre}L[${d}]=L[${n}]${op}t0;H[${d}]=H[${n}]${op}t1;`;
  }
  const b = shifted32(shift, amount, m);
  if (b === undefined) return undefined;
  if (opc === 3) return logicFlags32(d, `L[${n}]&(${b}^${inv})`);
  return `L[${d}]=L[${n}]${op}(${b}^${inv});H[${d}]=0;`;
}

function emitAddSubShifted(insn: number): string | undefined {
  const sf = insn >>> 31;
  const sub = (insn >>> 30) & 1;
  const setFlags = (insn >>> 29) & 1;
  const shift = (insn >>> 22) & 3;
  const m = (insn >>> 16) & 31;
  const a = (insn >>> 10) & 63;
  const n = (insn >>> 5) & 31;
  const d = rdZr(insn & 31);
  if (!shiftedRegAllocated(sf, shift, a, false)) return undefined;
  if (d === DISCARD && !setFlags) return '';
  const inv = sub ? -1 : 0;
  const cin = sub;
  if (!sf) {
    const b = shifted32(shift, a, m);
    if (b === undefined) return undefined;
    if (!setFlags) return `L[${d}]=(L[${n}]+(${b}^${inv})+${cin})|0;H[${d}]=0;`;
    return addFlags32(d === DISCARD ? undefined : d, `L[${n}]`, `${b}^${inv}`, cin);
  }
  const b = shifted64(shift, a, m);
  if (b === undefined) return undefined;
  const pre = `v2=${b[0]}^${inv};v3=${b[1]}^${inv};`;
  if (!setFlags) return pre + add64(d, `L[${n}]`, `H[${n}]`, 'v2', 'v3', cin);
  return pre + addFlags64(d === DISCARD ? undefined : d, `L[${n}]`, `H[${n}]`, 'v2', 'v3', cin);
}

/** CSEL, CSINC, CSINV, CSNEG (and CSET/CSETM/CINC/... aliases). */
function emitCondSelect(insn: number): string | undefined {
  if (!condSelectAllocated(insn)) return undefined;
  const sf = insn >>> 31;
  const kind = ((insn >>> 30) & 1) * 2 + ((insn >>> 10) & 3);
  const m = (insn >>> 16) & 31;
  const cond = condExpr((insn >>> 12) & 15);
  const n = (insn >>> 5) & 31;
  const d = rdZr(insn & 31);
  if (d === DISCARD) return '';
  let elseLo: string;
  let elseHi: string;
  switch (kind) {
    case 0:
      elseLo = `L[${m}]`;
      elseHi = `H[${m}]`;
      break;
    case 1:
      elseLo = `(t0+1)|0`;
      elseHi = `(t1+(t0===-1?1:0))|0`;
      break;
    case 2:
      elseLo = `~t0`;
      elseHi = `~t1`;
      break;
    default:
      elseLo = `-t0|0`;
      elseHi = `(~t1+(t0===0?1:0))|0`;
  }
  // Both values are worked out, then one is picked: no operation runs on one way only (V8
  // would have no type feedback for it the first time that way ran).
  if (!sf) {
    const e32 = kind === 0 ? `L[${m}]` : kind === 1 ? `(L[${m}]+1)|0` : kind === 2 ? `~L[${m}]` : `-L[${m}]|0`;
    return `t2=${e32};L[${d}]=(${cond})?L[${n}]:t2;H[${d}]=0;`;
  }
  return `t0=L[${m}];t1=H[${m}];t2=${elseLo};t3=${elseHi};v0=(${cond})?1:0;L[${d}]=v0!==0?L[${n}]:t2;H[${d}]=v0!==0?H[${n}]:t3;`;
}

/** MADD/MSUB (and MUL/MNEG); the long and high multiplies go to the interpreter. */
function emitMaddMsub(insn: number): string | undefined {
  const sf = insn >>> 31;
  const op54 = (insn >>> 29) & 3;
  const op31 = (insn >>> 21) & 7;
  const o0 = (insn >>> 15) & 1;
  if (op54 !== 0 || op31 !== 0) return undefined;
  const m = (insn >>> 16) & 31;
  const a = (insn >>> 10) & 31;
  const n = (insn >>> 5) & 31;
  const d = rdZr(insn & 31);
  if (d === DISCARD) return '';
  if (!sf) {
    if (o0) return `L[${d}]=(L[${a}]-Math.imul(L[${n}],L[${m}]))|0;H[${d}]=0;`;
    return `L[${d}]=(L[${a}]+Math.imul(L[${n}],L[${m}]))|0;H[${d}]=0;`;
  }
  const mul = `mul64(L[${n}],H[${n}],L[${m}],H[${m}]);`;
  if (o0) return mul + add64(d, `L[${a}]`, `H[${a}]`, '~RES[0]', '~RES[1]', 1);
  if (a === 31) return `${mul}L[${d}]=RES[0];H[${d}]=RES[1];`;
  return mul + add64(d, `L[${a}]`, `H[${a}]`, 'RES[0]', 'RES[1]', 0);
}
