import { rdZr, rSp } from './exec';
import { pairAllocated } from './load-store-pair';

/**
 * JavaScript source for the A64 general-purpose loads and stores the block compiler emits
 * inline: single-register unsigned-offset, unscaled, pre/post-index and register-offset
 * forms, and LDP/STP/LDPSW. Semantics are those of load-store-single.ts and
 * load-store-pair.ts (the reference); literal loads, exclusives, atomics, LDTR/STTR and PRFM
 * go to the interpreter's Exec.
 *
 * Memory contract (load-store-access.ts): every RAM data access asks `ramOff` first, so a
 * page under a debugger watchpoint (Bus PAGE_WATCH), MMIO, an unaligned or out-of-RAM
 * address takes the interpreter's slow path (slowLoad/slowStore, which fault exactly as the
 * interpreter does); every RAM store checks Bus.pageFlags and calls Bus.storeHook (code
 * invalidation, exclusive monitors). Before anything that can call out or fault, the code
 * stores the instruction count `c.qn = <qk>` so the clock (CNTVCT under --icount) and a
 * faulting instruction's count match the interpreter's, and sets `x = 1` so the compiler's
 * check after the instruction (did it set c.limit = 0 or kill this block?) runs only then.
 *
 * In scope of the emitted code: `c`, `L`, `H`, `R8`, `R16`, `R32`, `PF` (bus.pageFlags),
 * `bus`, `ramOff`, `slowLoad`, `slowLoad64`, `slowStore`, `slowStore64`, `S`
 * (a 4-word scratch Int32Array) and the temporaries h, a, o, v0..v3, t0..t3, w, x.
 *
 * @param qk source of the instruction count before this instruction (e.g. `q+3`)
 * @returns the source, or undefined when the interpreter should run this word
 */
export function emitLoadStore(insn: number, pc: number, qk: string): string | undefined {
  if (insn & (1 << 26)) return undefined;
  const op0 = (insn >>> 25) & 0xf;
  if (op0 !== 0x4 && op0 !== 0x6 && op0 !== 0xc && op0 !== 0xe) return undefined;
  switch ((insn >>> 28) & 3) {
    case 2:
      return emitPair(insn, pc, qk);
    case 3:
      return emitSingle(insn, pc, qk);
    default:
      return undefined;
  }
}

/** Address of a single access: sets `h` (high word) and `a` (low word plus offset); returns the write-back code, if any. */
interface AddressCode {
  pre: string;
  post: string;
}

function emitSingle(insn: number, pc: number, qk: string): string | undefined {
  const size = insn >>> 30;
  const opc = (insn >>> 22) & 3;
  const rt = insn & 31;
  const n = rSp((insn >>> 5) & 31);
  let addr: AddressCode;
  if (insn & (1 << 24)) {
    addr = { pre: `h=H[${n}];a=(L[${n}]>>>0)+${((insn >>> 10) & 0xfff) << size};`, post: '' };
  } else if ((insn & (1 << 21)) === 0) {
    const imm9 = (insn << 11) >> 23;
    const kind = (insn >>> 10) & 3;
    if (kind === 2) return undefined; // LDTR/STTR
    if (kind === 0) {
      addr = { pre: `h=H[${n}];a=(L[${n}]>>>0)+${imm9};`, post: '' };
    } else {
      const acc = kind === 3 ? imm9 : 0;
      addr = { pre: `h=H[${n}];t3=L[${n}]>>>0;a=t3+${acc};`, post: writeBackSrc(n, imm9) };
    }
  } else {
    if (((insn >>> 10) & 3) !== 2) return undefined; // atomics, PAC loads
    const option = (insn >>> 13) & 7;
    if ((option & 2) === 0) return undefined;
    const m = (insn >>> 16) & 31;
    const s = insn & (1 << 12) ? size : 0;
    const mh = (option & 1) !== 0 ? m : 31;
    const sx = option === 6 ? -1 : 0;
    // load-store-single.ts regAddr: base + (extend(Rm) << s), with the carry into the high word.
    addr = {
      pre:
        `t0=L[${m}];a=(L[${n}]>>>0)+((t0<<${s})>>>0);` +
        `t1=((H[${mh}]|((t0>>31)&${sx}))<<${s})|((t0>>>1)>>>${31 - s});` +
        `t2=a>=4294967296?1:0;h=(H[${n}]+t1+t2)|0;a=a-t2*4294967296;`,
      post: '',
    };
  }
  const bytes = 1 << size;
  if (opc === 0) return addr.pre + store(bytes, pc, qk, `L[${rt}]`, `H[${rt}]`) + addr.post;
  if (opc === 2 && size === 3) return undefined; // PRFM
  if (opc === 3 && size >= 2) return undefined;
  const signed = opc !== 1;
  const hm = signed && opc === 2 ? -1 : 0;
  const t = rdZr(rt);
  if (bytes === 8) return `${addr.pre}${load(8, pc, qk, 'v0', 'v1')}L[${t}]=v0;H[${t}]=v1;${addr.post}`;
  const sh = signed ? 32 - bytes * 8 : 0;
  const val = sh === 0 ? 'v0' : `(v0<<${sh})>>${sh}`;
  return `${addr.pre}${load(bytes, pc, qk, 'v0')}v0=${val};L[${t}]=v0;H[${t}]=(v0>>31)&${hm};${addr.post}`;
}

/**
 * Base write-back of (h, t3 + imm) into slot n, as load-store-access.ts writeBack (|imm| is
 * small, so one carry or borrow at most).
 */
function writeBackSrc(n: number, imm: number): string {
  return `t3=t3+${imm};L[${n}]=t3;H[${n}]=t3>=4294967296?(h+1)|0:t3<0?(h-1)|0:h;`;
}

/** Load `bytes` at (h, a) into `lo` (and `hi` for 8 bytes). */
function load(bytes: number, pc: number, qk: string, lo: string, hi = ''): string {
  if (bytes === 8) {
    return (
      `o=ramOff(bus,h,a,8);if(o>=0){w=o>>>2;${lo}=R32[w];${hi}=R32[w+1];}` +
      `else{c.qn=${qk};slowLoad64(c,${pc},h,a,S,0);${lo}=S[0];${hi}=S[1];x=1;}`
    );
  }
  const fast = bytes === 1 ? 'R8[o]' : bytes === 2 ? 'R16[o>>>1]' : 'R32[o>>>2]';
  return `o=ramOff(bus,h,a,${bytes});if(o>=0){${lo}=${fast};}else{c.qn=${qk};${lo}=slowLoad(c,${pc},h,a,${bytes});x=1;}`;
}

/** Store `bytes` of the value (lo, hi) at (h, a). */
function store(bytes: number, pc: number, qk: string, lo: string, hi: string): string {
  const hook = `if(PF[o>>>12]!==0){c.qn=${qk};bus.storeHook(o,c.index);x=1;}`;
  if (bytes === 8) {
    return `o=ramOff(bus,h,a,8);if(o>=0){w=o>>>2;R32[w]=${lo};R32[w+1]=${hi};${hook}}else{c.qn=${qk};slowStore64(c,${pc},h,a,${lo},${hi});x=1;}`;
  }
  const fast = bytes === 1 ? 'R8[o]' : bytes === 2 ? 'R16[o>>>1]' : 'R32[o>>>2]';
  return `o=ramOff(bus,h,a,${bytes});if(o>=0){${fast}=${lo};${hook}}else{c.qn=${qk};slowStore(c,${pc},h,a,${bytes},${lo});x=1;}`;
}

function emitPair(insn: number, pc: number, qk: string): string | undefined {
  if (!pairAllocated(insn)) return undefined;
  const opc = insn >>> 30;
  const type = (insn >>> 23) & 3;
  const isLoad = (insn & (1 << 22)) !== 0;
  const rt = insn & 31;
  const rt2 = (insn >>> 10) & 31;
  const n = rSp((insn >>> 5) & 31);
  const wb = type === 1 || type === 3;
  const scale = opc === 2 ? 3 : 2;
  const imm = ((insn << 10) >> 25) << scale;
  const acc = type === 1 ? 0 : imm;
  const bytes = 1 << scale;
  // The second element is its own access at base + bytes (it may fault on its own).
  let s = wb ? `h=H[${n}];t3=L[${n}]>>>0;a=t3+${acc};` : `h=H[${n}];a=(L[${n}]>>>0)+${imm};`;
  if (isLoad) {
    const t = rdZr(rt);
    const t2 = rdZr(rt2);
    if (bytes === 8) {
      s += load(8, pc, qk, 'v0', 'v1') + `a=a+8;` + load(8, pc, qk, 'v2', 'v3');
      s += `L[${t}]=v0;H[${t}]=v1;L[${t2}]=v2;H[${t2}]=v3;`;
    } else {
      const hm = opc === 1 ? -1 : 0;
      s += load(4, pc, qk, 'v0') + `a=a+4;` + load(4, pc, qk, 'v2');
      s += `L[${t}]=v0;H[${t}]=(v0>>31)&${hm};L[${t2}]=v2;H[${t2}]=(v2>>31)&${hm};`;
    }
  } else {
    s += store(bytes, pc, qk, `L[${rt}]`, `H[${rt}]`) + `a=a+${bytes};` + store(bytes, pc, qk, `L[${rt2}]`, `H[${rt2}]`);
  }
  if (wb) s += writeBackSrc(n, imm);
  return s;
}
