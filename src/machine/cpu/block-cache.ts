import { PAGE_CODE, type Bus } from '../bus';
import type { Block, BlockEntry } from './block-compiler';
import { BlockCompiler } from './block-compiler';

/** Executions of a block start address before it is compiled (cold code stays interpreted). */
export const COMPILE_THRESHOLD = 24;

/** Stands for "no block can start here" (hooked, undecodable, or not worth it): never fits a budget. */
const NO_ENTRY: BlockEntry = Object.freeze({ block: undefined as unknown as Block, pc: -1, s: 0, len: Infinity });

/** Blocks of one 4 KiB RAM page. */
interface BlockPage {
  /** The region entry at each word, NO_ENTRY, or undefined (none yet). */
  readonly at: (BlockEntry | undefined)[];
  /** Times each word was reached without a block (saturating). */
  readonly heat: Uint8Array;
  /** How many live blocks compiled each word: a store to an uncovered word costs nothing more. */
  readonly cover: Uint16Array;
  /** 1 for each word the run loop looked up without a block to run (it was interpreted). */
  readonly seen: Uint8Array;
}

/**
 * Compiled blocks per 4 KiB RAM page, beside the decode cache (code-cache.ts), which owns
 * invalidation and calls {@link invalidateWords} / {@link invalidatePage}: a store over a
 * compiled word (self-modifying code), a debugger write (Bus.debugWrite: breakpoints) or a
 * code hook added or removed kills every block covering that word. Blocks never cross a page.
 */
export class BlockCache {
  private readonly pages: (BlockPage | undefined)[];
  private readonly compiler: BlockCompiler;
  private readonly ramBase: number;
  private readonly ramSize: number;
  private readonly pageFlags: Uint8Array;

  constructor(bus: Bus, isHooked: (pc: number) => boolean) {
    this.pageFlags = bus.pageFlags;
    this.pages = new Array(bus.ramSize >>> 12);
    this.ramBase = bus.ramBase;
    this.ramSize = bus.ramSize;
    this.compiler = new BlockCompiler(bus, isHooked);
  }

  /**
   * The region entry to run at `pc`; undefined while it is cold, outside RAM, misaligned, or
   * not compilable. With `heat`, counts this arrival and compiles a region on the
   * COMPILE_THRESHOLD-th: the run loop heats only branch targets and block exits, so regions
   * start where control flow enters code, not wherever a quantum happened to begin. A
   * compiled region is entered at any of its basic blocks (Block.entries) that has no entry
   * yet, so the other hot addresses of the same code find it instead of compiling their own.
   * A word looked up with no block to run is marked seen (it is about to be interpreted):
   * regions take in only basic blocks that have run (BlockCompiler.compile).
   */
  lookup(pc: number, heat: boolean): BlockEntry | undefined {
    const off = pc - this.ramBase;
    if (off < 0 || off >= this.ramSize || (off & 3) !== 0) return undefined;
    const p = off >>> 12;
    let page = this.pages[p];
    if (page === undefined) {
      page = {
        at: new Array<BlockEntry | undefined>(1024).fill(undefined),
        heat: new Uint8Array(1024),
        cover: new Uint16Array(1024),
        seen: new Uint8Array(1024),
      };
      this.pages[p] = page;
      // Stores to the page must reach invalidateWords (Bus.storeHook -> CodeCache.invalidateAt).
      this.pageFlags[p] |= PAGE_CODE;
    }
    const w = (off & 0xfff) >>> 2;
    const e = page.at[w];
    if (e !== undefined) return e === NO_ENTRY ? undefined : e;
    page.seen[w] = 1;
    if (!heat || ++page.heat[w] < COMPILE_THRESHOLD) return undefined;
    page.heat[w] = 0;
    const seen = page.seen;
    const nb = this.compiler.compile(pc, (a) => seen[(a & 0xfff) >>> 2] !== 0);
    if (nb === undefined) {
      page.at[w] = NO_ENTRY;
      return undefined;
    }
    for (const i of nb.words) page.cover[i]++;
    for (const entry of nb.entries) {
      const ew = (entry.pc & 0xfff) >>> 2;
      if (page.at[ew] === undefined || page.at[ew] === NO_ENTRY) page.at[ew] = entry;
    }
    return nb.entries[0];
  }

  /** Kill the blocks of RAM page `p` covering any of `count` words from word index `first`. */
  invalidateWords(p: number, first: number, count: number): void {
    const page = this.pages[p];
    if (page === undefined) return;
    let covered = false;
    for (let i = first; i < first + count && i < 1024; i++) if (page.cover[i] !== 0) covered = true;
    // A NO_ENTRY verdict at one of these words may change too (e.g. a hook was removed).
    for (let i = first; i < first + count && i < 1024; i++) if (page.at[i] === NO_ENTRY) page.at[i] = undefined;
    if (!covered) return;
    const last = first + count - 1;
    for (let s = 0; s < 1024; s++) {
      const e = page.at[s];
      if (e === undefined || e === NO_ENTRY) continue;
      if (e.block.words.some((i) => i >= first && i <= last)) this.kill(page, e.block);
    }
  }

  /** Kill every block of RAM page `p`. */
  invalidatePage(p: number): void {
    const page = this.pages[p];
    if (page === undefined) return;
    for (let s = 0; s < 1024; s++) {
      const e = page.at[s];
      if (e === undefined) continue;
      if (e === NO_ENTRY) page.at[s] = undefined;
      else this.kill(page, e.block);
    }
  }

  /** Mark `b` dead and drop all its entries and its cover counts. */
  private kill(page: BlockPage, b: Block): void {
    if (b.dead) return;
    b.dead = true;
    for (const e of b.entries) {
      const w = (e.pc & 0xfff) >>> 2;
      if (page.at[w] === e) page.at[w] = undefined;
    }
    for (const i of b.words) page.cover[i]--;
  }
}
