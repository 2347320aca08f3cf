import { RAM_BASE } from './memory-map';
import { DataWatchpoints } from './watchpoints';

/**
 * A memory-mapped device. Offsets are bytes from the region base; `size` is the access
 * width in bytes (1, 2 or 4: the bus splits 8-byte accesses into two 4-byte ones, low
 * half first, which every register we model tolerates). Values are unsigned 32-bit.
 */
export interface MmioDevice {
  /** Read with the side effects the hardware has (e.g. popping a FIFO). */
  read(offset: number, size: number, cpu: number): number;
  write(offset: number, size: number, value: number, cpu: number): void;
  /** Read with no side effects, for the debugger. Defaults to 0 when absent. */
  peek?(offset: number, size: number): number;
}

interface Region {
  base: number;
  end: number;
  dev: MmioDevice;
  /** Instructions may be fetched from it (ROM/flash), uncached. */
  executable: boolean;
}

/** Page-flag bits, one byte per 4 KiB RAM page, checked on every store. */
export const PAGE_CODE = 1;
export const PAGE_EXCLUSIVE = 2;
/**
 * A debugger watchpoint covers part of the page: every load and store to it leaves the RAM
 * fast path (load-store-access.ts ramOff returns -1) so the slow path can check the watch.
 */
export const PAGE_WATCH = 4;

/** Sentinel returned by {@link Bus.mmioRead} for an access that must abort. */
export const BUS_ABORT = -1;

/**
 * The physical address space: RAM as typed arrays (the CPU's load/store fast paths index
 * them directly) and a list of MMIO regions. Addresses are JS numbers (physical
 * addresses < 2^53). RAM is little-endian like the guest; the host must be little-endian.
 *
 * Unassigned addresses abort (QEMU virt raises a synchronous external abort for them).
 */
export class Bus {
  readonly ram: Uint8Array;
  readonly ram16: Uint16Array;
  readonly ram32: Int32Array;
  readonly ramBase = RAM_BASE;
  /** RAM size in bytes. */
  readonly ramSize: number;
  /** One byte per RAM page: PAGE_CODE when decoded code is cached, PAGE_EXCLUSIVE when a CPU holds a reservation there. */
  readonly pageFlags: Uint8Array;
  private readonly regions: Region[] = [];
  /** Called with the RAM page index and byte offset when a store hits a PAGE_CODE page; off is undefined for a whole-page write. */
  onCodeWrite: (page: number, off?: number) => void = () => {};
  /** Called with the physical address of a store to a PAGE_EXCLUSIVE page. */
  onExclusiveWrite: (addr: number, cpu: number) => void = () => {};
  /** Debugger watchpoints; they set PAGE_WATCH on the pages they cover. */
  readonly watchpoints: DataWatchpoints;

  /** @param ramBytes RAM size in bytes, a multiple of 4 KiB. */
  constructor(ramBytes: number) {
    if (ramBytes <= 0 || ramBytes % 4096 !== 0) throw new Error(`RAM size must be a positive multiple of 4 KiB, got ${ramBytes}`);
    const buf = new ArrayBuffer(ramBytes);
    this.ram = new Uint8Array(buf);
    this.ram16 = new Uint16Array(buf);
    this.ram32 = new Int32Array(buf);
    this.ramSize = ramBytes;
    this.pageFlags = new Uint8Array(ramBytes >>> 12);
    this.watchpoints = new DataWatchpoints(this.pageFlags, this.ramBase);
  }

  /** Map a device at [base, base + size). Throws if it overlaps RAM or another region. */
  map(base: number, size: number, dev: MmioDevice, opts: { executable?: boolean } = {}): void {
    const end = base + size;
    if (base < this.ramBase + this.ramSize && end > this.ramBase) throw new Error(`MMIO region 0x${base.toString(16)} overlaps RAM`);
    for (const r of this.regions) {
      if (base < r.end && end > r.base) throw new Error(`MMIO region 0x${base.toString(16)} overlaps 0x${r.base.toString(16)}`);
    }
    this.regions.push({ base, end, dev, executable: opts.executable === true });
    this.regions.sort((a, b) => a.base - b.base);
  }

  /** True when [addr, addr + len) lies wholly in RAM. */
  isRam(addr: number, len: number): boolean {
    const off = addr - this.ramBase;
    return off >= 0 && off + len <= this.ramSize;
  }

  private find(addr: number): Region | undefined {
    for (const r of this.regions) if (addr >= r.base && addr < r.end) return r;
    return undefined;
  }

  /**
   * Device read of 1, 2 or 4 bytes at a non-RAM address.
   * @returns the unsigned value, or BUS_ABORT when nothing is mapped there.
   */
  mmioRead(addr: number, size: number, cpu: number): number {
    const r = this.find(addr);
    if (!r) return BUS_ABORT;
    return r.dev.read(addr - r.base, size, cpu) >>> 0;
  }

  /** Device write. @returns false when nothing is mapped there (the access aborts). */
  mmioWrite(addr: number, size: number, value: number, cpu: number): boolean {
    const r = this.find(addr);
    if (!r) return false;
    r.dev.write(addr - r.base, size, value >>> 0, cpu);
    return true;
  }

  /**
   * Fetch an instruction word from an executable non-RAM region (flash).
   * @returns the word, or undefined when the address is not executable (the fetch aborts).
   */
  fetchWord(addr: number): number | undefined {
    const r = this.find(addr);
    if (!r || !r.executable) return undefined;
    return r.dev.read(addr - r.base, 4, -1) | 0;
  }

  /** Store-path hook for flagged pages (code or reservations). `off` is the RAM byte offset. */
  storeHook(off: number, cpu: number): void {
    const page = off >>> 12;
    const f = this.pageFlags[page];
    if (f & PAGE_CODE) this.onCodeWrite(page, off);
    if (f & PAGE_EXCLUSIVE) this.onExclusiveWrite(off + this.ramBase, cpu);
  }

  /**
   * Debugger read: RAM and side-effect-free device peeks, byte by byte.
   * @returns the bytes, or undefined if any byte is unassigned.
   */
  debugRead(addr: number, len: number): Uint8Array | undefined {
    if (this.isRam(addr, len)) return this.ram.slice(addr - this.ramBase, addr - this.ramBase + len);
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      const a = addr + i;
      if (this.isRam(a, 1)) {
        out[i] = this.ram[a - this.ramBase];
        continue;
      }
      const r = this.find(a);
      if (!r) return undefined;
      const o = a - r.base;
      const word = r.dev.peek ? r.dev.peek(o & ~3, 4) : 0;
      out[i] = (word >>> ((o & 3) * 8)) & 0xff;
    }
    return out;
  }

  /** Debugger/loader write to RAM only. @returns false if any byte is outside RAM. */
  debugWrite(addr: number, data: Uint8Array): boolean {
    if (!this.isRam(addr, data.length)) return false;
    const off = addr - this.ramBase;
    this.ram.set(data, off);
    for (let p = off >>> 12; p <= (off + data.length - 1) >>> 12; p++) {
      if (this.pageFlags[p] & PAGE_CODE) this.onCodeWrite(p);
    }
    return true;
  }
}
