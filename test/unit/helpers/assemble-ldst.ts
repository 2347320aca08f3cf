import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Bus, type MmioDevice } from '../../../src/machine/bus';
import { CodeCache } from '../../../src/machine/cpu/code-cache';
import { Cpu, type CpuHost } from '../../../src/machine/cpu/cpu';
import { decodeLoadStore } from '../../../src/machine/cpu/decode-load-store';
import { GUEST_EXCEPTION } from '../../../src/machine/cpu/exec';
import { ExclusiveMonitor } from '../../../src/machine/exclusive-monitor';

/**
 * Test support for the load/store unit tests (cpu-load-store*.test.ts):
 * - `asm(lines)`: assemble A64 instructions with binutils at armv8.1-a (for LSE), one word per
 *   line, cached in memory and under os.tmpdir()/kgdb-lab-asm-cache-ldst (keyed by a hash of
 *   the flags and source);
 * - `LdstRig`: a small real Bus (RAM at 0x4000_0000) with N CPUs, an ExclusiveMonitor, a
 *   recording MMIO device, and a minimal CpuHost; `exec` decodes one word with
 *   decodeLoadStore and runs it, reporting whether it took a guest exception.
 */

const AS = 'aarch64-linux-gnu-as';
const OBJCOPY = 'aarch64-linux-gnu-objcopy';
/** The default architecture: ARMv8.1 (for LSE), what the emulated core implements. */
export const MARCH_DEFAULT = 'armv8.1-a';
/** Enough for every later load/store feature the decoder must reject (MTE, LS64, MOPS, RCPC2, PAuth). */
export const MARCH_LATER = 'armv8.8-a+memtag+ls64';
const CACHE_DIR = path.join(os.tmpdir(), 'kgdb-lab-asm-cache-ldst');
const memo = new Map<string, number[]>();

/**
 * Assemble one instruction per line.
 * @param march the -march value (default ARMv8.1-A)
 * @returns one unsigned 32-bit word per line
 * @throws Error with the assembler's stderr if a line does not assemble, or if the line count
 *         and word count differ
 */
export function asm(lines: readonly string[], march = MARCH_DEFAULT): number[] {
  const text = lines.join('\n') + '\n';
  const flags = [`-march=${march}`];
  const key = createHash('sha1').update(flags.join(' ')).update('\0').update(text).digest('hex');
  let words = memo.get(key);
  if (!words) {
    const file = path.join(CACHE_DIR, `${key}.bin`);
    let bytes: Buffer;
    if (fs.existsSync(file)) {
      bytes = fs.readFileSync(file);
    } else {
      bytes = runAs(text, flags);
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, bytes);
      fs.renameSync(tmp, file); // atomic: parallel jest workers never see a partial file
    }
    words = [];
    for (let i = 0; i + 4 <= bytes.length; i += 4) words.push(bytes.readUInt32LE(i));
    memo.set(key, words);
  }
  if (words.length !== lines.length) throw new Error(`expected ${lines.length} words, got ${words.length}`);
  return words;
}

/** Assemble a single instruction. */
export function asm1(line: string): number {
  return asm([line])[0];
}

function runAs(text: string, flags: string[]): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kgdb-lab-ldst-'));
  try {
    const src = path.join(dir, 'a.s');
    const obj = path.join(dir, 'a.o');
    const bin = path.join(dir, 'a.bin');
    fs.writeFileSync(src, text);
    try {
      execFileSync(AS, [...flags, '-o', obj, src], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      throw new Error(`${AS} failed: ${(e as { stderr?: Buffer }).stderr?.toString() ?? e}\n${text}`);
    }
    execFileSync(OBJCOPY, ['-O', 'binary', '-j', '.text', obj, bin], { stdio: ['ignore', 'pipe', 'pipe'] });
    return fs.readFileSync(bin);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One access seen by the recording device. */
export interface MmioAccess {
  write: boolean;
  offset: number;
  size: number;
  value: number;
  cpu: number;
}

/**
 * A register-file device (up to `size` bytes, default 16 KiB) that records every access. Reads
 * return the little-endian bytes last written (initially the pattern (0xA0 + offset) & 0xff).
 */
export class RecordingDevice implements MmioDevice {
  readonly log: MmioAccess[] = [];
  readonly bytes: Uint8Array;
  constructor(size = 0x4000) {
    this.bytes = new Uint8Array(size).map((_, i) => (0xa0 + i) & 0xff);
  }
  read(offset: number, size: number, cpu: number): number {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + this.bytes[offset + i];
    this.log.push({ write: false, offset, size, value: v, cpu });
    return v;
  }
  write(offset: number, size: number, value: number, cpu: number): void {
    this.log.push({ write: true, offset, size, value, cpu });
    for (let i = 0; i < size; i++) this.bytes[offset + i] = Math.floor(value / 256 ** i) & 0xff;
  }
}

export const RAM = 0x4000_0000;
export const MMIO = 0x0a00_0000;
/** Where exec() pretends each instruction sits (inside RAM). */
export const CODE_PC = RAM + 0x8_0000;

/** A small machine for load/store tests. */
export class LdstRig {
  readonly bus: Bus;
  readonly code: CodeCache;
  readonly cpus: Cpu[] = [];
  readonly monitor: ExclusiveMonitor;
  readonly dev = new RecordingDevice();
  /** Indices of CPUs passed to host.wake, in order. */
  readonly woken: number[] = [];

  constructor(ncpu = 2, ramBytes = 1 << 20) {
    this.bus = new Bus(ramBytes);
    this.code = new CodeCache(this.bus);
    this.bus.map(MMIO, 0x1000, this.dev);
    this.monitor = new ExclusiveMonitor(this.bus, this.cpus);
    const host: CpuHost = {
      bus: this.bus,
      code: this.code,
      counter: () => 0,
      hvc: () => {},
      sev: () => {},
      reserve: (c, a) => this.monitor.reserve(c, a),
      wake: (c) => {
        this.woken.push(c.index);
      },
      timerChanged: () => {},
      othersRunnable: () => false,
      icc: { read: () => 0n, write: () => {}, readNum: () => 0, writeHalves: () => {} },
    };
    for (let i = 0; i < ncpu; i++) {
      const c = new Cpu(i, 0x8000_0000 + i, host);
      c.vbar = 0x4000_0000n;
      this.cpus.push(c);
    }
  }

  /**
   * Decode `insn` with decodeLoadStore at `pc` and run it on CPU `cpu`.
   * @returns 'ok', or 'exception' when it raised a guest exception (see c.esr / c.far)
   * @throws Error if the word decodes as UNDEFINED
   */
  exec(insn: number, cpu = 0, pc = CODE_PC): 'ok' | 'exception' {
    const fn = decodeLoadStore(insn | 0, pc);
    if (!fn) throw new Error(`0x${(insn >>> 0).toString(16)} is UNDEFINED`);
    const c = this.cpus[cpu];
    c.pc = pc + 4;
    try {
      fn(c);
      return 'ok';
    } catch (e) {
      if (e !== GUEST_EXCEPTION) throw e;
      return 'exception';
    }
  }

  x(cpu: number, n: number): bigint {
    return this.cpus[cpu].getX(n);
  }
  setX(cpu: number, n: number, v: bigint): void {
    this.cpus[cpu].setX(n, BigInt.asUintN(64, v));
  }

  /** Read `len` bytes of RAM at physical address `addr` as a little-endian unsigned BigInt. */
  peek(addr: number, len: number): bigint {
    let v = 0n;
    for (let i = len - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.bus.ram[addr - RAM + i]);
    return v;
  }
  /** Write `len` bytes of v (taken mod 2^(8·len)) little-endian at physical address `addr`, bypassing the store hook. */
  poke(addr: number, len: number, v: bigint): void {
    const u = BigInt.asUintN(len * 8, v);
    for (let i = 0; i < len; i++) this.bus.ram[addr - RAM + i] = Number((u >> BigInt(8 * i)) & 0xffn);
  }
}

/** ESR_EL1 fields. */
export const esrEc = (esr: number): number => esr >>> 26;
export const esrDfsc = (esr: number): number => esr & 0x3f;
export const esrWnR = (esr: number): number => (esr >>> 6) & 1;
