import type { Bus } from '../bus';
import type { Cpu } from './cpu';
import type { Exec } from './exec';
import { decode } from './decode';
import * as arith from './arith64';
import { numberHi } from './arith64';
import { emitDataProcessing } from './block-emit-dp';
import { emitLoadStore, type RamShape } from './block-emit-mem';
import { emitBranch } from './block-emit-branch';

/**
 * A compiled region: the basic blocks reachable by direct branches from `start` within its
 * 4 KiB page, as one JavaScript function (a `switch` over basic blocks in a loop). A basic
 * block runs up to and including its first branch, or the first instruction that may change
 * PSTATE, interrupt takeability or the run state (run through the interpreter's Exec), or the
 * end of the page, a hooked or undecodable word.
 *
 * Registers and NZCV live in JavaScript locals inside the function (loaded on entry, written
 * back to the Cpu before it returns or calls an interpreter Exec), so the guest state in the
 * Cpu is exact whenever anything outside the block can look at it.
 *
 * Contract with the run loop (Cpu.executeBlocks): the loop calls `run(c, q, s)` for an entry
 * only when `q + entry.len <= c.limit`, with c.pc = entry.pc and q = instructions retired so
 * far in this run() call. Moving on to another basic block of the region (a direct branch, or an
 * indirect one whose target is one) happens only while that block's length still fits under
 * c.limit; otherwise the function returns the new count with c.pc set to the next
 * instruction. So a region never retires more than the budget. It also returns right after an
 * instruction that set `c.limit = 0` (an interrupt may have become takeable, the CPU stopped,
 * was held, or must yield) or killed the block (self-modifying code). A load or store that
 * cannot take the RAM fast path *bails*: it returns `~count` (negative) with c.pc at that
 * instruction, nothing of it done, and the run loop must run exactly that instruction
 * through the interpreter (faults, MMIO, watchpoints, store hooks all happen there). A guest
 * exception thrown by an Exec inside leaves c.qn = the count before the faulting
 * instruction, as the interpreter does.
 */
export interface Block {
  /** Run from basic block `s` (an {@link BlockEntry}'s index); returns the count, or ~count after a bail. */
  run: (c: Cpu, q: number, s: number) => number;
  /** Where the region can be entered: its first basic block, then every other one worth entering. */
  readonly entries: readonly BlockEntry[];
  /** Word indexes (within its 4 KiB page) of every instruction it compiled. */
  readonly words: readonly number[];
  /** Address of the first instruction (bytes). */
  readonly start: number;
  /** Set when a store, the debugger or a code hook changed one of its words. */
  dead: boolean;
}

/** A basic block of a region that the run loop may enter it at. */
export interface BlockEntry {
  readonly block: Block;
  /** Address of its first instruction (bytes). */
  readonly pc: number;
  /** Index of the basic block in the region (the `s` argument of Block.run). */
  readonly s: number;
  /** Instructions of that basic block: what must fit the budget to enter there. */
  readonly len: number;
}

/** Longest basic block (instructions); bounds the budget granularity. */
export const MAX_BLOCK_INSNS = 128;
/** A region's size limits (instructions, basic blocks): bound compile time and code size. */
export const MAX_REGION_INSNS = 1024;
export const MAX_REGION_BLOCKS = 64;

/** The temporaries the emitters use (block-emit-*.ts), declared at the top of each basic block. */
const TEMPS = 'let h=0,a=0,o=0,w=0,v0=0,v1=0,v2=0,v3=0,t0=0,t1=0,t2=0,t3=0,ok=0;';

/** One basic block of a region being compiled. */
interface BasicBlock {
  start: number;
  /** Its code (a `case` body); uses q = the count at its start. */
  src: string;
  /** Instructions (0: not compilable here, the case just leaves the region). */
  len: number;
  /** Instructions emitted inline (not through the interpreter's Exec). */
  emitted: number;
  /** When it ends by jumping to basic block `t` of the region: its source falling through into `t` instead. */
  next?: { t: number; src: string };
}

/** What the generated code needs besides the Cpu: RAM views and arith64. */
interface BlockEnv {
  R8: Uint8Array;
  R16: Uint16Array;
  R32: Int32Array;
  PF: Uint8Array;
  arith: typeof arith;
}

/** The arith64 helpers the emitters name, unpacked once per block factory. */
const ARITH_NAMES = ['mul64', 'RES'] as const;

/** Placeholders in basic-block source for the register write-back / reload (known only once the region is emitted); not word characters, so the lowering regexes see a word boundary after them. */
const SYNC = '@SYNC@';
const RELOAD = '@RELOAD@';

/**
 * Lower the emitters' intermediate form to the region's locals. Emitters (block-emit-*.ts)
 * write registers as `L[n]` / `H[n]` (low / high int32 word of register slot n, as in
 * exec.ts: 31 = XZR, 32 = SP, 33 = discard) and flags as `c.n`, `c.z`, `c.c`, `c.v`, exactly
 * as the interpreter's Cpu fields; every write is a whole statement `L[n]=expr;`. In the
 * region function each half is a local `RLn` / `RHn` and each flag `Fn`..`Fv`, loaded once on
 * entry and written back (SYNC) before anything outside the block can see them. A write
 * becomes `RLn=(expr)|0;`, the ToInt32 an Int32Array store would do, so the locals stay int32.
 * @throws Error if the source writes XZR (slot 31): an emitter bug
 */
export function lowerRegisters(src: string): string {
  return src
    .replace(/\b([LH])\[(\d+)\]=(?!=)([^;]*);/g, (_, k: string, n: string, e: string) => {
      if (n === '31') throw new Error('block compiler: write to XZR');
      return `R${k}${n}=(${e})|0;`;
    })
    .replace(/\b([LH])\[(\d+)\]/g, (_, k: string, n: string) => (n === '31' ? '0' : `R${k}${n}`))
    .replace(/\bc\.([nzcv])=(?!=)/g, 'F$1=')
    .replace(/\bc\.([nzcv])\b/g, 'F$1');
}

/** The register halves and flags a lowered region mentions, and those it writes. */
function registerUse(src: string): { used: string[]; written: Set<string> } {
  const used = new Set<string>();
  const written = new Set<string>();
  for (const m of src.matchAll(/\b(R[LH]\d+|F[nzcv])\b(=(?!=))?/g)) {
    used.add(m[1]);
    if (m[2] !== undefined) written.add(m[1]);
  }
  return { used: [...used].sort(), written };
}

/** `L[n]` / `c.n` ... : where a local lives in the Cpu. */
function home(local: string): string {
  if (local[0] === 'F') return `c.${local[1]}`;
  return `${local[1]}[${local.slice(2)}]`;
}

/**
 * Turns A64 code in RAM into {@link Block}s. One per Bus, shared by all CPUs (like the
 * decode cache, code depends only on the words and their addresses).
 */
export class BlockCompiler {
  private readonly env: BlockEnv;
  private readonly ram: RamShape;

  /**
   * @param isHooked whether a code hook (code-cache.ts addHook) sits at an address: hooked
   *                 instructions are never compiled, so the hook runs through the interpreter
   */
  constructor(private readonly bus: Bus, private readonly isHooked: (pc: number) => boolean) {
    this.env = { R8: bus.ram, R16: bus.ram16, R32: bus.ram32, PF: bus.pageFlags, arith };
    this.ram = { base: bus.ramBase, size: bus.ramSize };
  }

  /**
   * Compile the region entered at `pc` (a 4-byte-aligned RAM address).
   * @param seen whether code at an address has run already: only such basic blocks join the
   *             region (besides its entry), so V8 optimises the function with type feedback
   *             for all of it; a jump to one not run yet leaves the region, and the run loop
   *             compiles another region there once that becomes hot
   * @returns the block, or undefined when there is nothing worth compiling there (a hooked
   *          or undecodable first instruction, or only instructions the interpreter would
   *          run anyway)
   */
  compile(pc: number, seen: (pc: number) => boolean = () => true): Block | undefined {
    const pageBase = pc - (pc & 0xfff);
    const bbs: BasicBlock[] = [];
    const index = new Map<number, number>();
    const execs: Exec[] = [];
    let total = 0;
    // A direct-branch target in the same page becomes another basic block of this region.
    const want = (target: number): number | undefined => {
      if (target < pageBase || target >= pageBase + 4096 || (target & 3) !== 0) return undefined;
      const known = index.get(target);
      if (known !== undefined) return known;
      if (bbs.length > 0 && !seen(target)) return undefined;
      if (total >= MAX_REGION_INSNS || bbs.length >= MAX_REGION_BLOCKS) return undefined;
      index.set(target, bbs.length);
      bbs.push({ start: target, src: '', len: 0, emitted: 0 });
      return bbs.length - 1;
    };
    want(pc);
    for (let i = 0; i < bbs.length; i++) {
      this.scan(bbs[i], i, pageBase + 4096, want, execs);
      total += bbs[i].len;
    }
    const entry = bbs[0];
    if (entry.len === 0 || entry.emitted === 0) return undefined;
    // An indirect branch (RET, BR, BLR) whose target is one of this region's basic blocks
    // stays inside (fib's RET to its caller's loop); any other target leaves.
    // The region's basic blocks share the page's high word, so the dispatch is an int32
    // switch on the low word; it only picks constants, and one shared tail moves on.
    const starts = bbs.map((bb, i) => [bb.start, i] as const).filter(([, i]) => bbs[i].len > 0);
    const indirect = (self: number): string => {
      let sw = `q+=__LEN_${self}__;np=t0;if(t1===${numberHi(pageBase) | 0})switch(t2){`;
      for (const [start, i] of starts) sw += `case ${start | 0}:if(q+__LEN_${i}__<=lim){s=${i};continue;}break out;`;
      return `${sw}}break out;`;
    };
    for (let i = 0; i < bbs.length; i++) bbs[i].src = bbs[i].src.replace(`__IND_${i}__`, () => indirect(i));
    // Temporaries are declared per basic block so that no value lives across the region's
    // loop except q, s and the register/flag locals (all int32: shared temporaries would
    // become loop phis of mixed representation, i.e. boxed numbers).
    let body = 'out:for(;;){switch(s){';
    for (const i of this.layout(bbs)) {
      const bb = bbs[i];
      body += `case ${i}:{${bb.len === 0 ? `np=${bb.start};break out;` : TEMPS + bb.src}}`;
    }
    body += '}}';
    body = lowerRegisters(
      body.replace(/__LEN_(\d+)__/g, (_, i: string) => String(bbs[Number(i)].len)).replace(/__GOTO_(\d+)__/g, '$1'),
    );
    const { used, written } = registerUse(body);
    const sync = used.filter((r) => written.has(r)).map((r) => `${home(r)}=${r};`).join('');
    const reload = used.map((r) => `${r}=${home(r)};`).join('');
    const load = used.length === 0 ? '' : `let ${used.map((r) => `${r}=${home(r)}`).join(',')};`;
    body = body.split(SYNC).join(sync).split(RELOAD).join(reload);
    const words = new Set<number>();
    for (const bb of bbs) for (let k = 0; k < bb.len; k++) words.add(((bb.start & 0xfff) >>> 2) + k);
    // Every way out but a block-ending Exec's sets np (the next pc) and leaves the loop; a bail
    // also sets bk (its instruction's index in the basic block), an Exec that stopped the block
    // qa (instructions of the basic block it retired), so no exit path needs type feedback
    // of its own (V8 would deoptimise the region the first time such a path ran).
    const exit = `c.pc=np;${sync}if(bk>=0)return ~(q+bk);return q+qa;`;
    const block = this.build(pc, `let np=0,bk=-1,qa=0;${load}${body}${exit}`, execs, [...words]);
    // Any basic block with inline code is an entry: the region is compiled once, however
    // many of its addresses became hot.
    const entries = block.entries as BlockEntry[];
    bbs.forEach((bb, i) => {
      if (bb.len > 0 && bb.emitted > 0) entries.push({ block, pc: bb.start, s: i, len: bb.len });
    });
    return block;
  }

  /**
   * Emit one basic block: from bb.start up to and including its first branch or
   * block-ending instruction, the page end, a hooked or undecodable word, or
   * MAX_BLOCK_INSNS. `q` in its code is the count at its start. Leaving the region goes
   * through `break out` (registers written back after the loop), except after an
   * interpreter Exec, which has seen (and may have changed) the registers in the Cpu.
   */
  private scan(bb: BasicBlock, self: number, pageEnd: number, want: (t: number) => number | undefined, execs: Exec[]): void {
    const bus = this.bus;
    const lenSelf = `__LEN_${self}__`;
    // Leave for `target`: into another basic block of the region when its first pass still
    // fits the budget, else back to the run loop.
    let last: { code: string; t: number; fall: string } | undefined;
    // `fits`: the basic block's count is already added to q and `ok` says whether the
    // target's first pass fits the budget (a two-way branch works both out before choosing,
    // so the less taken way has no arithmetic or comparison of its own: V8 would have no type
    // feedback for it and deoptimise the region the first time it ran).
    const jump = (target: number, fits = false): string => {
      const t = want(target);
      const add = fits ? '' : `q+=${lenSelf};`;
      last = undefined;
      if (t === undefined) return `${add}np=${target};break out;`;
      const test = fits ? 'ok' : `q+__LEN_${t}__<=lim`;
      const code = `${add}if(${test}){s=__GOTO_${t}__;continue;}np=${target};break out;`;
      last = { code, t, fall: `${add}if(!(${test})){np=${target};break out;}` };
      return code;
    };
    // Both ways must fit to go on inside the region (else the run loop takes over, which
    // only costs time near the end of a budget).
    const branch2 = (cond: string, taken: number, notTaken: number): string => {
      const fit = [taken, notTaken].map((a) => want(a)).filter((t) => t !== undefined).map((t) => `(q+__LEN_${t}__<=lim)`);
      const ok = fit.length === 0 ? '' : `ok=${fit.join('&')};`;
      return `q+=${lenSelf};${ok}if(${cond}){${jump(taken, true)}}${jump(notTaken, true)}`;
    };
    let src = '';
    let k = 0;
    let cur = bb.start;
    let terminal = false;
    while (cur < pageEnd && k < MAX_BLOCK_INSNS) {
      if (this.isHooked(cur)) break;
      const word = bus.ram32[(cur - bus.ramBase) >>> 2];
      const exec = decode(word, cur);
      if (exec === undefined) break; // UNDEFINED: the interpreter raises it
      const op0 = (word >>> 25) & 0xf;
      // Run this word through the interpreter: registers to the Cpu first, back after.
      const call = `${SYNC}c.pc=${cur + 4};c.qn=q+${k};E${execs.length}(c);`;
      const dp = emitDataProcessing(word, cur);
      if (dp !== undefined) {
        src += dp;
        bb.emitted++;
      } else if (op0 === 0xa || op0 === 0xb) {
        const br = emitBranch(word, cur, jump, branch2, `__IND_${self}__`);
        if (br !== undefined) {
          src += br.code;
          bb.emitted++;
          if (br.terminal) {
            // After a call (BL), its return point: the callee's RET then stays in the region.
            if (word >>> 26 === 0x25) want(cur + 4);
            k++;
            terminal = true;
            break;
          }
        } else {
          // Exception generation, ERET, system registers, WFI/WFE/YIELD...: the interpreter
          // runs it and the block ends (it may branch, change PSTATE or the run state).
          src += `${call}return q+${k + 1};`;
          execs.push(exec);
          k++;
          terminal = true;
          break;
        }
      } else {
        const mem = emitLoadStore(word, `{np=${cur};bk=${k};break out;}`, this.ram);
        if (mem !== undefined) {
          src += mem;
          bb.emitted++;
        } else {
          // Reloaded first, so leaving through the common exit writes back what the Exec left.
          src += `${call}${RELOAD}if(c.limit===0||B.dead){np=${cur + 4};qa=${k + 1};break out;}`;
          execs.push(exec);
        }
      }
      k++;
      cur += 4;
    }
    bb.len = k;
    if (k > 0 && !terminal) src += jump(cur);
    bb.src = src;
    // A basic block that ends by jumping to another one of the region can fall through
    // into it instead, when the layout puts that one right after it.
    const end = last as { code: string; t: number; fall: string } | undefined;
    if (end !== undefined && src.endsWith(end.code)) bb.next = { t: end.t, src: src.slice(0, -end.code.length) + end.fall };
  }

  /**
   * Order of the `case`s: each basic block followed by the one it ends by jumping to, when
   * not placed yet, which then runs by falling through (no trip through the dispatch).
   */
  private layout(bbs: BasicBlock[]): number[] {
    const placed = new Set<number>();
    const order: number[] = [];
    for (let i = 0; i < bbs.length; i++) {
      for (let j: number | undefined = i; j !== undefined && !placed.has(j); ) {
        placed.add(j);
        order.push(j);
        const next: { t: number; src: string } | undefined = bbs[j].next;
        if (next === undefined || placed.has(next.t)) break;
        bbs[j].src = next.src;
        j = next.t;
      }
    }
    return order;
  }

  private build(pc: number, body: string, execs: Exec[], words: number[]): Block {
    const block: Block = { run: undefined as unknown as Block['run'], entries: [], start: pc, dead: false, words };
    const unpack =
      'const {R8,R16,R32,PF,arith}=env;' + `const {${ARITH_NAMES.join(',')}}=arith;` + execs.map((_, i) => `const E${i}=E[${i}];`).join('');
    const fn = `return function blk_${pc.toString(16)}(c,q,s){const L=c.lo,H=c.hi,lim=c.limit;${body}};`;
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const factory = new Function('env', 'E', 'B', `"use strict";${unpack}${fn}`) as (env: BlockEnv, e: Exec[], b: Block) => Block['run'];
    block.run = factory(this.env, execs, block);
    return block;
  }
}
