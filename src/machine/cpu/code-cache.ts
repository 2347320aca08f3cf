import type { Bus } from '../bus';
import { PAGE_CODE } from '../bus';
import type { Cpu } from './cpu';
import type { Exec } from './exec';
import { GUEST_EXCEPTION } from './exec';
import { decode } from './decode';
import { BlockCache } from './block-cache';

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
/**
 * A hook on an instruction address, run before the instruction by whichever CPU reaches
 * it. Returning true means the hook took the CPU (held it, or redirected it): the
 * instruction is not executed and does not retire.
 */
export type CodeHook = (c: Cpu, pc: number) => boolean;

export class CodeCache {
  private readonly pages: (Exec[] | undefined)[];
  private readonly hooks = new Map<number, CodeHook>();
  private readonly ramBase: number;
  private readonly ramSize: number;
  /** Compiled basic blocks (the `jit` engine's tier above the decoded Execs), invalidated with them. */
  readonly blocks: BlockCache;

  constructor(private readonly bus: Bus) {
    this.pages = new Array(bus.ramSize >>> 12);
    this.ramBase = bus.ramBase;
    this.ramSize = bus.ramSize;
    this.blocks = new BlockCache(bus, (pc) => this.hooks.has(pc));
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
    let fn = decode(word, pc) ?? ((cpu: Cpu) => cpu.raiseUndefined(pc));
    const hook = this.hooks.get(pc);
    if (hook) fn = hooked(hook, pc, fn);
    page[(off & 0xfff) >>> 2] = fn;
    return fn;
  }

  /**
   * Run `hook` whenever a CPU is about to execute the instruction at `pc` (bytes, in RAM).
   * The debug core uses this to intercept the guest's kgdb entry points by symbol.
   * @throws Error if `pc` is not a 4-byte-aligned RAM address
   */
  addHook(pc: number, hook: CodeHook): void {
    const off = pc - this.ramBase;
    if (off < 0 || off >= this.ramSize || pc % 4 !== 0) throw new Error(`cannot hook 0x${pc.toString(16)}: not an aligned RAM address`);
    this.hooks.set(pc, hook);
    this.forget(pc);
  }

  removeHook(pc: number): void {
    if (this.hooks.delete(pc)) this.forget(pc);
  }

  private forget(pc: number): void {
    const off = pc - this.ramBase;
    this.blocks.invalidateWords(off >>> 12, (off & 0xfff) >>> 2, 1);
    const page = this.pages[off >>> 12];
    if (page) page[(off & 0xfff) >>> 2] = undefined as unknown as Exec;
  }

  /**
   * A store at RAM byte offset `off` (in page `p`): forget the decoded words it may have
   * overwritten (a store is at most 16 bytes and naturally aligned, so the 4 words from
   * off & ~15 cover it).
   */
  invalidateAt(p: number, off: number): void {
    const first = (off & 0xff0) >>> 2;
    this.blocks.invalidateWords(p, first, 4);
    const page = this.pages[p];
    if (page === undefined) return;
    const none = undefined as unknown as Exec;
    page[first] = none;
    page[first + 1] = none;
    page[first + 2] = none;
    page[first + 3] = none;
  }

  /** Forget the decoded instructions of RAM page `p`. */
  invalidatePage(p: number): void {
    this.blocks.invalidatePage(p);
    this.pages[p]?.fill(undefined as unknown as Exec);
  }

  /** Forget everything (e.g. after loading an image). */
  invalidateAll(): void {
    for (let p = 0; p < this.pages.length; p++) this.invalidatePage(p);
  }
}

/** Wrap an Exec so `hook` runs first; a taking hook leaves PC on the instruction, unretired. */
function hooked(hook: CodeHook, pc: number, fn: Exec): Exec {
  return (c) => {
    c.pc = pc;
    if (hook(c, pc)) throw GUEST_EXCEPTION; // not an exception: unwinds the run loop without retiring
    c.pc = pc + 4;
    fn(c);
  };
}
