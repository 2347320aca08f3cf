import { PAGE_CODE, type Bus } from '../bus';
import type { Block } from './block-compiler';
import { BlockCompiler } from './block-compiler';

/** Executions of a block start address before it is compiled (cold code stays interpreted). */
export const COMPILE_THRESHOLD = 24;

/** Stands for "no block can start here" (hooked, undecodable, or not worth it): never fits a budget. */
const NO_BLOCK: Block = Object.freeze({
  run: () => {
    throw new Error('NO_BLOCK run');
  },
  len: Infinity,
  start: -1,
  dead: false,
  words: [],
}) as Block;

/** Blocks of one 4 KiB RAM page. */
interface BlockPage {
  /** Block starting at each word, NO_BLOCK, or undefined (not compiled yet). */
  readonly at: (Block | undefined)[];
  /** Times each word was reached without a block (saturating). */
  readonly heat: Uint8Array;
  /** How many live blocks compiled each word: a store to an uncovered word costs nothing more. */
  readonly cover: Uint16Array;
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
   * The block to run at `pc`; undefined while it is cold, outside RAM, misaligned, or not
   * compilable. With `heat`, counts this arrival and compiles the block on the
   * COMPILE_THRESHOLD-th: the run loop heats only branch targets and block exits, so regions
   * start where control flow enters code, not wherever a quantum happened to begin.
   */
  lookup(pc: number, heat: boolean): Block | undefined {
    const off = pc - this.ramBase;
    if (off < 0 || off >= this.ramSize || (off & 3) !== 0) return undefined;
    const p = off >>> 12;
    let page = this.pages[p];
    if (page === undefined) {
      page = { at: new Array<Block | undefined>(1024).fill(undefined), heat: new Uint8Array(1024), cover: new Uint16Array(1024) };
      this.pages[p] = page;
      // Stores to the page must reach invalidateWords (Bus.storeHook -> CodeCache.invalidateAt).
      this.pageFlags[p] |= PAGE_CODE;
    }
    const w = (off & 0xfff) >>> 2;
    const b = page.at[w];
    if (b !== undefined) return b === NO_BLOCK ? undefined : b;
    if (!heat || ++page.heat[w] < COMPILE_THRESHOLD) return undefined;
    page.heat[w] = 0;
    const nb = this.compiler.compile(pc);
    if (nb === undefined) {
      page.at[w] = NO_BLOCK;
      return undefined;
    }
    page.at[w] = nb;
    for (const i of nb.words) page.cover[i]++;
    return nb;
  }

  /** Kill the blocks of RAM page `p` covering any of `count` words from word index `first`. */
  invalidateWords(p: number, first: number, count: number): void {
    const page = this.pages[p];
    if (page === undefined) return;
    let covered = false;
    for (let i = first; i < first + count && i < 1024; i++) if (page.cover[i] !== 0) covered = true;
    // A NO_BLOCK verdict at one of these words may change too (e.g. a hook was removed).
    for (let i = first; i < first + count && i < 1024; i++) if (page.at[i] === NO_BLOCK) page.at[i] = undefined;
    if (!covered) return;
    const last = first + count - 1;
    for (let s = 0; s < 1024; s++) {
      const b = page.at[s];
      if (b === undefined || b === NO_BLOCK) continue;
      if (b.words.some((i) => i >= first && i <= last)) this.kill(page, s, b);
    }
  }

  /** Kill every block of RAM page `p`. */
  invalidatePage(p: number): void {
    const page = this.pages[p];
    if (page === undefined) return;
    for (let s = 0; s < 1024; s++) {
      const b = page.at[s];
      if (b === undefined) continue;
      if (b === NO_BLOCK) page.at[s] = undefined;
      else this.kill(page, s, b);
    }
  }

  private kill(page: BlockPage, s: number, b: Block): void {
    b.dead = true;
    page.at[s] = undefined;
    for (const i of b.words) page.cover[i]--;
  }
}
