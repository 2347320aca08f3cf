import type { Bus } from '../bus';
import type { Cpu } from './cpu';
import type { Exec } from './exec';
import { decode } from './decode';
import * as arith from './arith64';
import { SCRATCH, ramOff, slowLoad, slowLoad64, slowStore, slowStore64 } from './load-store-access';
import { emitDataProcessing } from './block-emit-dp';
import { emitLoadStore } from './block-emit-mem';
import { emitBranch } from './block-emit-branch';

/**
 * A compiled region: the basic blocks reachable by direct branches from `start` within its
 * 4 KiB page, as one JavaScript function (a `switch` over basic blocks in a loop). A basic
 * block runs up to and including its first branch, or the first instruction that may change
 * PSTATE, interrupt takeability or the run state (run through the interpreter's Exec), or the
 * end of the page, a hooked or undecodable word.
 *
 * Contract with the run loop (Cpu.executeBlocks): the loop calls `run(c, q)` only when
 * `q + len <= c.limit`, with c.pc = start and q = instructions retired so far in this
 * run() call. Moving on to another basic block of the region (a direct branch, or an
 * indirect one whose target is one) happens only while that block's length still fits under
 * c.limit; otherwise the function returns the new count with c.pc set to the next
 * instruction. So a region never retires more than the budget. It also returns right after an
 * instruction that set `c.limit = 0` (an interrupt may have become takeable, the CPU stopped,
 * was held, or must yield) or killed the block (self-modifying code). A guest exception
 * thrown inside leaves c.qn = the count before the faulting instruction, as the interpreter
 * does.
 */
export interface Block {
  run: (c: Cpu, q: number) => number;
  /** Instructions of its entry basic block: what must fit the budget to enter it. */
  readonly len: number;
  /** Word indexes (within its 4 KiB page) of every instruction it compiled. */
  readonly words: readonly number[];
  /** Address of the first instruction (bytes). */
  readonly start: number;
  /** Set when a store, the debugger or a code hook changed one of its words. */
  dead: boolean;
}

/** Longest basic block (instructions); bounds the budget granularity. */
export const MAX_BLOCK_INSNS = 128;
/** A region's size limits (instructions, basic blocks): bound compile time and code size. */
export const MAX_REGION_INSNS = 1024;
export const MAX_REGION_BLOCKS = 64;

/** The temporaries the emitters use (block-emit-*.ts), declared at the top of each basic block. */
const TEMPS = 'let h=0,a=0,o=0,w=0,x=0,v0=0,v1=0,v2=0,v3=0,t0=0,t1=0,t2=0,t3=0;';

/** One basic block of a region being compiled. */
interface BasicBlock {
  start: number;
  /** Its code (a `case` body); uses q = the count at its start. */
  src: string;
  /** Instructions (0: not compilable here, the case just leaves the region). */
  len: number;
  /** Instructions emitted inline (not through the interpreter's Exec). */
  emitted: number;
}

/** What the generated code needs besides the Cpu: RAM views, the access helpers, arith64. */
interface BlockEnv {
  bus: Bus;
  R8: Uint8Array;
  R16: Uint16Array;
  R32: Int32Array;
  PF: Uint8Array;
  S: Int32Array;
  ramOff: typeof ramOff;
  slowLoad: typeof slowLoad;
  slowLoad64: typeof slowLoad64;
  slowStore: typeof slowStore;
  slowStore64: typeof slowStore64;
  arith: typeof arith;
}

/** The arith64 helpers the emitters name, unpacked once per block factory. */
const ARITH_NAMES = ['mul64', 'RES'] as const;

/**
 * Turns A64 code in RAM into {@link Block}s. One per Bus, shared by all CPUs (like the
 * decode cache, code depends only on the words and their addresses).
 */
export class BlockCompiler {
  private readonly env: BlockEnv;

  /**
   * @param isHooked whether a code hook (code-cache.ts addHook) sits at an address: hooked
   *                 instructions are never compiled, so the hook runs through the interpreter
   */
  constructor(private readonly bus: Bus, private readonly isHooked: (pc: number) => boolean) {
    this.env = {
      bus,
      R8: bus.ram,
      R16: bus.ram16,
      R32: bus.ram32,
      PF: bus.pageFlags,
      S: SCRATCH,
      ramOff,
      slowLoad,
      slowLoad64,
      slowStore,
      slowStore64,
      arith,
    };
  }

  /**
   * Compile the region entered at `pc` (a 4-byte-aligned RAM address).
   * @returns the block, or undefined when there is nothing worth compiling there (a hooked
   *          or undecodable first instruction, or only instructions the interpreter would
   *          run anyway)
   */
  compile(pc: number): Block | undefined {
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
    const starts = bbs.map((bb, i) => [bb.start, i] as const).filter(([, i]) => bbs[i].len > 0);
    const indirect = (self: number): string => {
      if (starts.length === 0) return `c.pc=t0;return q+__LEN_${self}__;`;
      let sw = 'switch(t0){';
      for (const [start, i] of starts) sw += `case ${start}:q+=__LEN_${self}__;if(q+__LEN_${i}__<=c.limit){s=${i};continue;}c.pc=t0;return q;`;
      return `${sw}}c.pc=t0;return q+__LEN_${self}__;`;
    };
    for (let i = 0; i < bbs.length; i++) bbs[i].src = bbs[i].src.replace(`__IND_${i}__`, () => indirect(i));
    let body: string;
    const internal = bbs.length > 1 || /__GOTO_|continue/.test(entry.src);
    // Temporaries are declared per basic block so that no value lives across the region's
    // loop except q and s (shared ones become loop phis of mixed representation: boxing).
    if (!internal) {
      body = TEMPS + entry.src;
    } else {
      body = 'for(;;){switch(s){';
      bbs.forEach((bb, i) => {
        body += `case ${i}:{${bb.len === 0 ? `c.pc=${bb.start};return q;` : TEMPS + bb.src}}`;
      });
      body += '}}';
    }
    body = body
      .replace(/__LEN_(\d+)__/g, (_, i: string) => String(bbs[Number(i)].len))
      .replace(/__GOTO_(\d+)__/g, '$1');
    const words = new Set<number>();
    for (const bb of bbs) for (let k = 0; k < bb.len; k++) words.add(((bb.start & 0xfff) >>> 2) + k);
    return this.build(pc, entry.len, body, execs, [...words]);
  }

  /**
   * Emit one basic block: from bb.start up to and including its first branch or
   * block-ending instruction, the page end, a hooked or undecodable word, or
   * MAX_BLOCK_INSNS. `q` in its code is the count at its start.
   */
  private scan(bb: BasicBlock, self: number, pageEnd: number, want: (t: number) => number | undefined, execs: Exec[]): void {
    const bus = this.bus;
    const lenSelf = `__LEN_${self}__`;
    // Leave for `target`: into another basic block of the region when its first pass still
    // fits the budget, else back to the run loop.
    const jump = (target: number): string => {
      const t = want(target);
      if (t === undefined) return `{c.pc=${target};return q+${lenSelf};}`;
      return `{q+=${lenSelf};if(q+__LEN_${t}__<=c.limit){s=__GOTO_${t}__;continue;}c.pc=${target};return q;}`;
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
      const qk = `q+${k}`;
      const exitAfter = `{c.pc=${cur + 4};return q+${k + 1};}`;
      const op0 = (word >>> 25) & 0xf;
      const dp = emitDataProcessing(word, cur);
      if (dp !== undefined) {
        src += dp;
        bb.emitted++;
      } else if (op0 === 0xa || op0 === 0xb) {
        const br = emitBranch(word, cur, jump, `__IND_${self}__`);
        if (br !== undefined) {
          src += br.code;
          bb.emitted++;
          if (br.terminal) {
            k++;
            terminal = true;
            break;
          }
        } else {
          // Exception generation, ERET, system registers, WFI/WFE/YIELD...: the interpreter
          // runs it and the block ends (it may branch, change PSTATE or the run state).
          src += `c.pc=${cur + 4};c.qn=${qk};E${execs.length}(c);return q+${k + 1};`;
          execs.push(exec);
          k++;
          terminal = true;
          break;
        }
      } else {
        const mem = emitLoadStore(word, cur, qk);
        if (mem !== undefined) {
          // Only a slow path or a store hook (which set x) can stop the CPU or kill the block.
          src += `${mem}if(x!==0){x=0;if(c.limit===0||B.dead)${exitAfter}}`;
          bb.emitted++;
        } else {
          src += `c.pc=${cur + 4};c.qn=${qk};E${execs.length}(c);if(c.limit===0||B.dead)${exitAfter}`;
          execs.push(exec);
        }
      }
      k++;
      cur += 4;
    }
    bb.len = k;
    if (k > 0 && !terminal) src += jump(cur);
    bb.src = src;
  }

  private build(pc: number, len: number, body: string, execs: Exec[], words: number[]): Block {
    const block: Block = { run: undefined as unknown as Block['run'], len, start: pc, dead: false, words };
    const unpack =
      'const {bus,R8,R16,R32,PF,S,ramOff,slowLoad,slowLoad64,slowStore,slowStore64,arith}=env;' +
      `const {${ARITH_NAMES.join(',')}}=arith;` +
      execs.map((_, i) => `const E${i}=E[${i}];`).join('');
    const fn =
      `return function blk_${pc.toString(16)}(c,q){` +
      'const L=c.lo,H=c.hi;let s=0;' +
      body +
      '};';
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const factory = new Function('env', 'E', 'B', `"use strict";${unpack}${fn}`) as (env: BlockEnv, e: Exec[], b: Block) => Block['run'];
    block.run = factory(this.env, execs, block);
    return block;
  }
}
