import { PAGE_WATCH } from '../bus';
import { rdZr, rSp } from './exec';
import { pairAllocated } from './load-store-pair';

/**
 * JavaScript source for the A64 general-purpose loads and stores the block compiler emits
 * inline: single-register unsigned-offset, unscaled, pre/post-index and register-offset
 * forms, and LDP/STP/LDPSW. Semantics are those of load-store-single.ts and
 * load-store-pair.ts (the reference); literal loads, exclusives, atomics, LDTR/STTR and PRFM
 * go to the interpreter's Exec.
 *
 * Memory contract (load-store-access.ts): the inline code does only what `ramOff` allows on
 * the fast path, with RAM's base and size baked in: an aligned RAM access, off pages under a
 * debugger watchpoint (Bus PAGE_WATCH); a store also only to a page with no Bus.pageFlags at
 * all (no decoded code, no exclusive reservation), since those need Bus.storeHook. Anything
 * else (MMIO, unaligned, out of RAM, watched, a store that needs the hook) *bails*: the code
 * given as `bail` leaves the block before the instruction has changed any register, and the
 * run loop runs that one instruction through the interpreter (which takes the fault, calls
 * the device, checks the watchpoint, calls the store hook) exactly as the reference does.
 * A pair takes the fast path only when both elements can (one check: aligned and within one
 * page), so a bailing instruction has never made any access.
 *
 * Registers and flags are written in the compiler's intermediate form (`L[n]`, `H[n]`,
 * `c.n`..., see block-compiler.ts). In scope of the emitted code: `R8`, `R16`, `R32`, `PF`
 * (bus.pageFlags) and the temporaries h, a, o, v0..v3, t0..t3, w.
 *
 * @param bail source that leaves the block to run this instruction in the interpreter
 * @param ram RAM's base address and size (bytes)
 * @returns the source, or undefined when the interpreter should run this word
 */
export function emitLoadStore(insn: number, bail: string, ram: RamShape): string | undefined {
  if (insn & (1 << 26)) return undefined;
  const op0 = (insn >>> 25) & 0xf;
  if (op0 !== 0x4 && op0 !== 0x6 && op0 !== 0xc && op0 !== 0xe) return undefined;
  const m = new MemEmitter(bail, ram);
  switch ((insn >>> 28) & 3) {
    case 2:
      return m.pair(insn);
    case 3:
      return m.single(insn);
    default:
      return undefined;
  }
}

/** Where RAM sits (Bus.ramBase, Bus.ramSize, bytes): fixed for a Bus, so baked into the code. */
export interface RamShape {
  base: number;
  size: number;
}

/** Address of a single access: sets `h` (high word) and `a` (low word plus offset); returns the write-back code, if any. */
interface AddressCode {
  pre: string;
  post: string;
}

class MemEmitter {
  constructor(private readonly bail: string, private readonly ram: RamShape) {}

  /**
   * `o` = RAM offset of (h, a) when `count` consecutive `bytes`-byte accesses from there may
   * all take the fast path (aligned, in one page, so one Bus.pageFlags byte covers them; RAM
   * is whole pages); else bail.
   */
  private check(bytes: number, store: boolean, count = 1): string {
    const flags = store ? 'PF[o>>>12]===0' : `(PF[o>>>12]&${PAGE_WATCH})===0`;
    const page = count === 1 ? '' : `||(o&4095)>${4096 - count * bytes}`;
    return `o=a-${this.ram.base};if(h!==0||o<0||o>=${this.ram.size}||(o&${bytes - 1})!==0${page}||!(${flags}))${this.bail}`;
  }

  /** Read `bytes` at RAM offset `o` + `at` into `lo` (and `hi` for 8 bytes). */
  private read(bytes: number, at: number, lo: string, hi = ''): string {
    if (bytes === 8) return `w=(o>>>2)+${at >>> 2};${lo}=R32[w];${hi}=R32[w+1];`;
    const fast = bytes === 1 ? `R8[o+${at}]` : bytes === 2 ? `R16[(o+${at})>>>1]` : `R32[(o>>>2)+${at >>> 2}]`;
    return `${lo}=${fast};`;
  }

  /** Write `bytes` of the value (lo, hi) at RAM offset `o` + `at`. */
  private write(bytes: number, at: number, lo: string, hi: string): string {
    if (bytes === 8) return `w=(o>>>2)+${at >>> 2};R32[w]=${lo};R32[w+1]=${hi};`;
    const fast = bytes === 1 ? `R8[o+${at}]` : bytes === 2 ? `R16[(o+${at})>>>1]` : `R32[(o>>>2)+${at >>> 2}]`;
    return `${fast}=${lo};`;
  }

  /** Load `bytes` at (h, a) into `lo` (and `hi` for 8 bytes). */
  private load(bytes: number, lo: string, hi = ''): string {
    return this.check(bytes, false) + this.read(bytes, 0, lo, hi);
  }

  /** Store `bytes` of the value (lo, hi) at (h, a). */
  private store(bytes: number, lo: string, hi: string): string {
    return this.check(bytes, true) + this.write(bytes, 0, lo, hi);
  }

  single(insn: number): string | undefined {
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
    if (opc === 0) return addr.pre + this.store(bytes, `L[${rt}]`, `H[${rt}]`) + addr.post;
    if (opc === 2 && size === 3) return undefined; // PRFM
    if (opc === 3 && size >= 2) return undefined;
    const signed = opc !== 1;
    const hm = signed && opc === 2 ? -1 : 0;
    const t = rdZr(rt);
    if (bytes === 8) return `${addr.pre}${this.load(8, 'v0', 'v1')}L[${t}]=v0;H[${t}]=v1;${addr.post}`;
    const sh = signed ? 32 - bytes * 8 : 0;
    const val = sh === 0 ? 'v0' : `(v0<<${sh})>>${sh}`;
    return `${addr.pre}${this.load(bytes, 'v0')}v0=${val};L[${t}]=v0;H[${t}]=(v0>>31)&${hm};${addr.post}`;
  }

  pair(insn: number): string | undefined {
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
    // Both elements are checked at once (a pair crossing a page bails, and the interpreter
    // makes the two accesses one after the other, as the architecture does).
    let s = wb ? `h=H[${n}];t3=L[${n}]>>>0;a=t3+${acc};` : `h=H[${n}];a=(L[${n}]>>>0)+${imm};`;
    s += this.check(bytes, !isLoad, 2);
    if (isLoad) {
      const t = rdZr(rt);
      const t2 = rdZr(rt2);
      if (bytes === 8) {
        s += this.read(8, 0, 'v0', 'v1') + this.read(8, 8, 'v2', 'v3');
        s += `L[${t}]=v0;H[${t}]=v1;L[${t2}]=v2;H[${t2}]=v3;`;
      } else {
        const hm = opc === 1 ? -1 : 0;
        s += this.read(4, 0, 'v0') + this.read(4, 4, 'v2');
        s += `L[${t}]=v0;H[${t}]=(v0>>31)&${hm};L[${t2}]=v2;H[${t2}]=(v2>>31)&${hm};`;
      }
    } else {
      s += this.write(bytes, 0, `L[${rt}]`, `H[${rt}]`) + this.write(bytes, bytes, `L[${rt2}]`, `H[${rt2}]`);
    }
    if (wb) s += writeBackSrc(n, imm);
    return s;
  }
}

/**
 * Base write-back of (h, t3 + imm) into slot n, as load-store-access.ts writeBack (|imm| is
 * small, so one carry or borrow at most).
 */
function writeBackSrc(n: number, imm: number): string {
  return `t3=t3+${imm};L[${n}]=t3;H[${n}]=(h+(t3>=4294967296?1:0)-(t3<0?1:0))|0;`;
}
