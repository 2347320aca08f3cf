import { PT_REGS_PC, PT_REGS_X0 } from './pt-regs';

/**
 * Frame-pointer unwinding through guest memory, as arm64 Linux's own unwinder does it
 * (arch/arm64/kernel/stacktrace.c): every function with a frame keeps a record
 * {caller's x29, return address} at x29; the exception entry builds one in
 * `pt_regs->stackframe` holding {interrupted x29, ELR}, so a walk from a handler continues
 * into the interrupted code. The bundled guest is built with -fno-omit-frame-pointer.
 *
 * An exception record is recognised by its pt_regs: a record at `fp` is one when the
 * pt_regs it would belong to (fp − PT_REGS_STACKFRAME) holds that same x29 and pc. Such a
 * frame's pc is the exact interrupted instruction, not a return address.
 */

/** Offset of `stackframe[2]` in arm64 v6.3 struct pt_regs (bytes). */
export const PT_REGS_STACKFRAME = 304;

/** A function symbol covering an address: name, byte offset into it, its size in bytes. */
export interface FunctionSymbol {
  name: string;
  offset: number;
  size: number;
}

/** Address → function symbol (e.g. loader/elf.ts `symbolize`); undefined outside any function. */
export type SymbolLookup = (addr: number) => FunctionSymbol | undefined;

/** One frame of a backtrace. */
export interface Frame {
  /** The frame's pc (bytes): the interrupted or current instruction, or a return address. */
  pc: number;
  /** The function containing it (a return address is looked up at pc − 4: the call), if known. */
  function?: string;
  /** Linux %pS form, "name+0x1c/0x40", or the hex address when no symbol covers it. */
  text: string;
  /**
   * How the frame was found: 'pc' (the start registers), 'lr' (x30 of a leaf function that
   * keeps no record), 'return' (a frame record's return address), 'exception' (the
   * interrupted pc of an exception frame: ELR, exact).
   */
  kind: 'pc' | 'lr' | 'return' | 'exception';
  /** For 'exception' frames: the guest address of the pt_regs (bytes). */
  ptRegs?: number;
}

/** Where a walk starts: pc, frame pointer (x29) and link register (x30). */
export interface UnwindStart {
  pc: number;
  fp: number;
  lr?: number;
}

/** Hardly any real trace is deeper (the guest's unwinder uses the same bound). */
export const MAX_FRAMES = 64;

/** Reads guest memory without side effects; undefined when any byte is unassigned. */
export type MemoryReader = (addr: number, len: number) => Uint8Array | undefined;

function readU64(read: MemoryReader, addr: number): number | undefined {
  const b = read(addr, 8);
  if (!b) return undefined;
  // Guest addresses fit in 48 bits: a Number is exact.
  return Number(new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true));
}

function describe(lookup: SymbolLookup, pc: number, kind: Frame['kind'], ptRegs?: number): Frame {
  // A return address may be the first byte after a function ending in a noreturn call.
  const isReturn = kind === 'return' || kind === 'lr';
  const sym = lookup(isReturn ? pc - 4 : pc);
  const hex = (n: number): string => `0x${n.toString(16)}`;
  const text = sym ? `${sym.name}+${hex(isReturn ? sym.offset + 4 : sym.offset)}/${hex(sym.size)}` : hex(pc);
  return { pc, function: sym?.name, text, kind, ...(ptRegs !== undefined ? { ptRegs } : {}) };
}

/** Is the record at `fp` ({nextFp, lr}) the stackframe of a pt_regs? */
function exceptionRecord(read: MemoryReader, fp: number, nextFp: number, lr: number): number | undefined {
  const regs = fp - PT_REGS_STACKFRAME;
  if (regs < 0) return undefined;
  const pc = readU64(read, regs + PT_REGS_PC);
  const x29 = readU64(read, regs + PT_REGS_X0 + 29 * 8);
  return pc === lr && x29 === nextFp ? regs : undefined;
}

/**
 * Walk the frame records from `start`. A record is followed only if it is 8-byte aligned,
 * readable and above the previous one (stacks grow down); a zero frame pointer or a zero
 * return address (head.S ends every chain with {0, 0}) ends the walk. When x30 is given and
 * the first record does not hold it, the function at pc is a leaf without a record and x30
 * (its caller) is listed as an 'lr' frame, which Linux's own dumps leave out.
 * @param max frames to return at most
 * @returns the frames, innermost first (never empty)
 */
export function unwind(read: MemoryReader, lookup: SymbolLookup, start: UnwindStart, max = MAX_FRAMES): Frame[] {
  const frames: Frame[] = [describe(lookup, start.pc, 'pc')];
  let fp = start.fp;
  // The context whose x30 may name a leaf's caller: the start, then each interrupted context.
  let leaf: { pc: number; lr?: number } | undefined = start;
  while (frames.length < max) {
    if (fp === 0 || fp % 8 !== 0) break;
    const nextFp = readU64(read, fp);
    const lr = readU64(read, fp + 8);
    if (nextFp === undefined || lr === undefined) break;
    if (leaf && leaf.lr !== undefined && leaf.lr !== lr && leaf.lr !== 0) {
      const here = lookup(leaf.pc)?.name;
      const caller = lookup(leaf.lr - 4)?.name;
      if (caller !== undefined && caller !== here) frames.push(describe(lookup, leaf.lr, 'lr'));
    }
    leaf = undefined;
    if (lr === 0) break;
    const regs = exceptionRecord(read, fp, nextFp, lr);
    if (regs !== undefined) {
      frames.push(describe(lookup, lr, 'exception', regs));
      leaf = { pc: lr, lr: readU64(read, regs + PT_REGS_X0 + 30 * 8) };
    } else {
      frames.push(describe(lookup, lr, 'return'));
    }
    if (nextFp !== 0 && nextFp <= fp) break;
    fp = nextFp;
  }
  return frames.slice(0, max);
}
