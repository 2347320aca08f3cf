import type { Bus } from '../bus';
import { PAGE_CODE } from '../bus';
import type { Cpu } from './cpu';
import type { Exec } from './exec';
import { decode } from './decode';

/** Words per 4 KiB page. */
export const PAGE_WORDS = 1024;

/**
 * Decoded-instruction cache, one array of 1024 Execs per 4 KiB RAM page, shared by all
 * CPUs (decoding depends only on the word and its address). A store to a page that has
 * decoded words clears the words it overwrote (Bus.pageFlags PAGE_CODE), so
 * self-modifying code and the debugger's breakpoint writes are seen at once, while data
 * that shares a page with code costs nothing. Page arrays are cleared in place, never
 * replaced, so a run loop holding a page reference never executes stale code. Idea from
 * v86's per-page code flag (../shared/reference/aarch64-machine.md §5).
 */
export class CodeCache {
  private readonly pages: (Exec[] | undefined)[];
  private readonly ramBase: number;
  private readonly ramSize: number;

  constructor(private readonly bus: Bus) {
    this.pages = new Array(bus.ramSize >>> 12);
    this.ramBase = bus.ramBase;
    this.ramSize = bus.ramSize;
    bus.onCodeWrite = (page, off) => (off === undefined ? this.invalidatePage(page) : this.invalidateAt(page, off));
  }

  /**
   * The decode array of the RAM page holding `pc` (created on first use), or undefined
   * when `pc` is not in RAM (the fetch aborts). Entries are undefined until decoded.
   */
  page(pc: number): Exec[] | undefined {
    const off = pc - this.ramBase;
    if (off < 0 || off >= this.ramSize) return undefined;
    const p = off >>> 12;
    let page = this.pages[p];
    if (page === undefined) {
      page = new Array<Exec>(PAGE_WORDS).fill(undefined as unknown as Exec);
      this.pages[p] = page;
      this.bus.pageFlags[p] |= PAGE_CODE;
    }
    return page;
  }

  /** Decode the instruction at `pc` (in RAM, 4-byte aligned) into `page`. */
  fill(page: Exec[], pc: number): Exec {
    const off = pc - this.ramBase;
    const word = this.bus.ram32[off >>> 2];
    const fn = decode(word, pc) ?? ((cpu: Cpu) => cpu.raiseUndefined(pc));
    page[(off & 0xfff) >>> 2] = fn;
    return fn;
  }

  /**
   * A store at RAM byte offset `off` (in page `p`): forget the decoded words it may have
   * overwritten (a store is at most 16 bytes and naturally aligned, so the 4 words from
   * off & ~15 cover it).
   */
  invalidateAt(p: number, off: number): void {
    const page = this.pages[p];
    if (page === undefined) return;
    const first = (off & 0xff0) >>> 2;
    const none = undefined as unknown as Exec;
    page[first] = none;
    page[first + 1] = none;
    page[first + 2] = none;
    page[first + 3] = none;
  }

  /** Forget the decoded instructions of RAM page `p`. */
  invalidatePage(p: number): void {
    this.pages[p]?.fill(undefined as unknown as Exec);
  }

  /** Forget everything (e.g. after loading an image). */
  invalidateAll(): void {
    for (let p = 0; p < this.pages.length; p++) this.invalidatePage(p);
  }
}
