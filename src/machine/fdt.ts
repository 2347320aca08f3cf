/**
 * Flattened device tree (DTB) writer and reader, plus the device tree of our QEMU `virt`
 * subset, so a bare-metal guest discovers this machine exactly as it would on
 * `qemu-system-aarch64 -M virt,gic-version=3`.
 *
 * Format: Devicetree Specification v0.4, chapter 5 "Flattened Devicetree (DTB) Format":
 * a 40-byte big-endian header (FDT version 17, last compatible version 16), the memory
 * reservation block (16-byte {address, size} pairs ended by a {0, 0} entry), the structure
 * block (FDT_BEGIN_NODE / FDT_PROP / FDT_END_NODE / FDT_END tokens, big-endian, 4-byte
 * aligned) and the strings block (NUL-terminated property names).
 * The virt node contents mirror QEMU 7.2 hw/arm/virt.c (create_fdt, fdt_add_cpu_nodes,
 * fdt_add_psci_node, create_gic / fdt_add_gic_node, create_uart, fdt_add_timer_nodes,
 * the apb-pclk clock) and hw/arm/boot.c (/chosen, /memory), checked against the DTB QEMU
 * 7.2 dumps with `-M virt,gic-version=3,dumpdtb=FILE`.
 */

import {
  GICD_BASE,
  GICD_SIZE,
  GICR2_BASE,
  GICR2_SIZE,
  GICR_BASE,
  GICR_REGION1_CPUS,
  GICR_SIZE,
  INTID_TIMER_PHYS,
  INTID_TIMER_VIRT,
  INTID_UART0,
  RAM_BASE,
  UART0_BASE,
  UART0_SIZE,
  mpidrOf,
} from './memory-map';

/** Thrown for invalid trees (names, values, duplicates) and malformed DTB input. */
export class FdtError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FdtError';
  }
}

/** DTSpec 5.1 / 5.4.1 constants. */
export const FDT_MAGIC = 0xd00dfeed;
export const FDT_VERSION = 17;
export const FDT_LAST_COMP_VERSION = 16;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_NOP = 4;
const FDT_END = 9;
const HEADER_SIZE = 40;
/** Size QEMU gives every virt DTB (device_tree.c FDT_MAX_SIZE, passed through create_device_tree). */
export const QEMU_VIRT_FDT_SIZE = 0x10_0000;

/** DTSpec 2.2.1 (node names) and 2.2.4.1 (property names): 1..31 characters from these sets. */
const NODE_NAME_RE = /^[0-9a-zA-Z,._+-]{1,31}(@[0-9a-zA-Z,._+-]+)?$/;
const PROP_NAME_RE = /^[0-9a-zA-Z,._+?#-]{1,31}$/;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function checkU32(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) throw new FdtError(`${what}: ${v} is not a u32 cell`);
}

/**
 * One device tree node: an ordered list of properties (raw big-endian bytes) and children.
 * Setters validate names (DTSpec 2.2) and values and throw FdtError on duplicates, so a
 * typo cannot silently produce a tree the guest misreads. Getters decode the same encodings.
 */
export class FdtNode {
  readonly props: { name: string; value: Uint8Array }[] = [];
  readonly children: FdtNode[] = [];

  /** @param name "node-name@unit-address", or "" for the root. */
  constructor(readonly name: string) {}

  /** Adds a child node. @throws FdtError for an invalid or duplicate name. */
  addNode(name: string): FdtNode {
    if (!NODE_NAME_RE.test(name)) throw new FdtError(`invalid node name "${name}"`);
    if (this.child(name)) throw new FdtError(`duplicate node "${name}" under "${this.name || '/'}"`);
    const n = new FdtNode(name);
    this.children.push(n);
    return n;
  }

  child(name: string): FdtNode | undefined {
    return this.children.find((c) => c.name === name);
  }

  /** Finds a node by absolute path from this node, e.g. "/cpus/cpu@0" ("/" = this node). */
  find(path: string): FdtNode | undefined {
    let node: FdtNode | undefined = this;
    for (const part of path.split('/').filter((p) => p !== '')) {
      node = node.child(part);
      if (!node) return undefined;
    }
    return node;
  }

  /** Sets a property to raw bytes. @throws FdtError for an invalid or duplicate name. */
  setBytes(name: string, value: Uint8Array): this {
    if (!PROP_NAME_RE.test(name)) throw new FdtError(`invalid property name "${name}"`);
    if (this.prop(name)) throw new FdtError(`duplicate property "${name}" in node "${this.name || '/'}"`);
    this.props.push({ name, value });
    return this;
  }

  /** An empty (boolean) property such as `interrupt-controller;`. */
  setEmpty(name: string): this {
    return this.setBytes(name, new Uint8Array(0));
  }

  /** A <u32 ...> cell list, each 0..0xffffffff, stored big-endian. */
  setCells(name: string, cells: number[]): this {
    const out = new Uint8Array(cells.length * 4);
    const dv = new DataView(out.buffer);
    cells.forEach((c, i) => {
      checkU32(c, `${name}[${i}]`);
      dv.setUint32(i * 4, c);
    });
    return this.setBytes(name, out);
  }

  setU32(name: string, value: number): this {
    return this.setCells(name, [value]);
  }

  /** Each value (integer, 0..2^53-1) as a 2-cell big-endian u64, e.g. reg = <addr size> pairs. */
  setU64s(name: string, values: number[]): this {
    const cells: number[] = [];
    for (const v of values) {
      if (!Number.isSafeInteger(v) || v < 0) throw new FdtError(`${name}: ${v} is not a u64 below 2^53`);
      cells.push(Math.floor(v / 0x1_0000_0000), v >>> 0);
    }
    return this.setCells(name, cells);
  }

  /** A NUL-terminated string. @throws FdtError if s contains NUL. */
  setString(name: string, s: string): this {
    return this.setStrings(name, [s]);
  }

  /** A string list: each string NUL-terminated, concatenated (DTSpec 2.2.4.2 <stringlist>). */
  setStrings(name: string, list: string[]): this {
    const parts = list.map((s) => {
      if (s.includes('\0')) throw new FdtError(`${name}: string contains NUL`);
      return encoder.encode(s + '\0');
    });
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return this.setBytes(name, out);
  }

  prop(name: string): Uint8Array | undefined {
    return this.props.find((p) => p.name === name)?.value;
  }

  /** Decodes a property as u32 cells. @throws FdtError if its length is not a multiple of 4. */
  getCells(name: string): number[] | undefined {
    const v = this.prop(name);
    if (!v) return undefined;
    if (v.length % 4 !== 0) throw new FdtError(`${name}: ${v.length} bytes is not a whole number of cells`);
    const dv = new DataView(v.buffer, v.byteOffset, v.length);
    return Array.from({ length: v.length / 4 }, (_, i) => dv.getUint32(i * 4));
  }

  /** Decodes a string list. @throws FdtError if the value is not NUL-terminated. */
  getStrings(name: string): string[] | undefined {
    const v = this.prop(name);
    if (!v) return undefined;
    if (v.length === 0 || v[v.length - 1] !== 0) throw new FdtError(`${name}: not a NUL-terminated string list`);
    return decoder.decode(v.subarray(0, v.length - 1)).split('\0');
  }

  getString(name: string): string | undefined {
    const list = this.getStrings(name);
    if (list && list.length !== 1) throw new FdtError(`${name}: expected one string, found ${list.length}`);
    return list?.[0];
  }
}

/** A /memreserve/ entry: address and size in bytes (< 2^53). */
export interface FdtReservation {
  address: number;
  size: number;
}

/** The fixed header fields (DTSpec 5.2), all u32. */
export interface FdtHeader {
  totalsize: number;
  offDtStruct: number;
  offDtStrings: number;
  offMemRsvmap: number;
  version: number;
  lastCompVersion: number;
  bootCpuidPhys: number;
  sizeDtStrings: number;
  sizeDtStruct: number;
}

export interface FdtWriteOptions {
  memReserve?: FdtReservation[];
  /** boot_cpuid_phys: the boot CPU's reg value (default 0). */
  bootCpuidPhys?: number;
  /** Pad the blob (and totalsize) to this many bytes, as QEMU does; default: no padding. */
  padTo?: number;
}

/** Growable big-endian byte sink for the structure block. */
class ByteSink {
  buf = new Uint8Array(1024);
  len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u32(v: number): void {
    this.reserve(4);
    new DataView(this.buf.buffer).setUint32(this.len, v);
    this.len += 4;
  }

  /** Bytes followed by zero padding to a 4-byte boundary. */
  bytesAligned(b: Uint8Array): void {
    const padded = (b.length + 3) & ~3;
    this.reserve(padded);
    this.buf.set(b, this.len);
    this.buf.fill(0, this.len + b.length, this.len + padded);
    this.len += padded;
  }
}

/**
 * Serialises a tree to a DTB: header, memory reservation block (at offset 40, 8-aligned,
 * with the terminating {0,0} entry), structure block, strings block (property names
 * de-duplicated), in that order, like dtc.
 * @returns the blob; its length equals the header's totalsize.
 * @throws FdtError if padTo is smaller than the blob or an option is out of range.
 */
export function writeFdt(root: FdtNode, opts: FdtWriteOptions = {}): Uint8Array {
  const reserve = opts.memReserve ?? [];
  const struct = new ByteSink();
  const strings: number[] = [];
  const nameOffsets = new Map<string, number>();
  const nameOffset = (name: string): number => {
    let off = nameOffsets.get(name);
    if (off === undefined) {
      off = strings.length;
      nameOffsets.set(name, off);
      strings.push(...encoder.encode(name), 0);
    }
    return off;
  };
  const emit = (node: FdtNode): void => {
    struct.u32(FDT_BEGIN_NODE);
    struct.bytesAligned(encoder.encode(node.name + '\0'));
    for (const p of node.props) {
      struct.u32(FDT_PROP);
      struct.u32(p.value.length);
      struct.u32(nameOffset(p.name));
      struct.bytesAligned(p.value);
    }
    node.children.forEach(emit);
    struct.u32(FDT_END_NODE);
  };
  emit(root);
  struct.u32(FDT_END);

  const offMemRsvmap = HEADER_SIZE; // 40 is already 8-byte aligned (DTSpec 5.3)
  const offDtStruct = offMemRsvmap + (reserve.length + 1) * 16;
  const offDtStrings = offDtStruct + struct.len;
  const used = offDtStrings + strings.length;
  const totalsize = opts.padTo ?? used;
  if (totalsize < used) throw new FdtError(`device tree needs ${used} bytes, more than padTo ${totalsize}`);
  checkU32(totalsize, 'padTo');
  const bootCpuidPhys = opts.bootCpuidPhys ?? 0;
  checkU32(bootCpuidPhys, 'bootCpuidPhys');

  const out = new Uint8Array(totalsize);
  const dv = new DataView(out.buffer);
  const header = [FDT_MAGIC, totalsize, offDtStruct, offDtStrings, offMemRsvmap, FDT_VERSION,
    FDT_LAST_COMP_VERSION, bootCpuidPhys, strings.length, struct.len];
  header.forEach((v, i) => dv.setUint32(i * 4, v));
  reserve.forEach((r, i) => {
    for (const [j, v] of [r.address, r.size].entries()) {
      if (!Number.isSafeInteger(v) || v < 0) throw new FdtError(`memReserve[${i}]: ${v} is not a u64 below 2^53`);
      dv.setUint32(offMemRsvmap + i * 16 + j * 8, Math.floor(v / 0x1_0000_0000));
      dv.setUint32(offMemRsvmap + i * 16 + j * 8 + 4, v >>> 0);
    }
  });
  out.set(struct.buf.subarray(0, struct.len), offDtStruct);
  out.set(strings, offDtStrings);
  return out;
}

/** The result of {@link parseFdt}. */
export interface ParsedFdt {
  header: FdtHeader;
  memReserve: FdtReservation[];
  root: FdtNode;
}

/**
 * Decodes a DTB (version >= 16 readers' rules, DTSpec 5.2: accepts last_comp_version <= 17).
 * FDT_NOP tokens are skipped. Properties keep their raw bytes; names are not re-validated,
 * so foreign blobs (e.g. QEMU's) parse even if they bend the naming rules.
 * @throws FdtError for a bad magic, incompatible version, out-of-range offsets, a truncated
 *   or unbalanced structure block, or a bad token.
 */
export function parseFdt(buf: Uint8Array): ParsedFdt {
  if (buf.length < HEADER_SIZE) throw new FdtError(`truncated header (${buf.length} bytes)`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const u32 = (off: number): number => dv.getUint32(off);
  if (u32(0) !== FDT_MAGIC) throw new FdtError(`bad magic 0x${u32(0).toString(16)}`);
  const h: FdtHeader = {
    totalsize: u32(4), offDtStruct: u32(8), offDtStrings: u32(12), offMemRsvmap: u32(16), version: u32(20),
    lastCompVersion: u32(24), bootCpuidPhys: u32(28), sizeDtStrings: u32(32), sizeDtStruct: u32(36),
  };
  if (h.version < 16 || h.lastCompVersion > FDT_VERSION) {
    throw new FdtError(`unsupported version ${h.version} (last compatible ${h.lastCompVersion})`);
  }
  if (h.totalsize > buf.length) throw new FdtError(`totalsize ${h.totalsize} exceeds the ${buf.length}-byte buffer`);
  const within = (off: number, len: number, what: string): void => {
    if (off + len > h.totalsize) throw new FdtError(`${what} at ${off} (+${len}) runs past totalsize ${h.totalsize}`);
  };
  within(h.offDtStruct, h.sizeDtStruct, 'structure block');
  within(h.offDtStrings, h.sizeDtStrings, 'strings block');

  const memReserve: FdtReservation[] = [];
  for (let off = h.offMemRsvmap; ; off += 16) {
    within(off, 16, 'memory reservation block');
    const address = u32(off) * 0x1_0000_0000 + u32(off + 4);
    const size = u32(off + 8) * 0x1_0000_0000 + u32(off + 12);
    if (address === 0 && size === 0) break;
    memReserve.push({ address, size });
  }

  const end = h.offDtStruct + h.sizeDtStruct;
  /** Index of the NUL ending the string at start; it must lie before limit. */
  const nulAt = (start: number, limit: number, what: string): number => {
    const nul = buf.indexOf(0, start);
    if (nul < 0 || nul >= limit) throw new FdtError(`unterminated ${what} at ${start}`);
    return nul;
  };
  let pos = h.offDtStruct;
  const token = (): number => {
    if (pos + 4 > end) throw new FdtError(`structure block ends without FDT_END at ${pos}`);
    const t = u32(pos);
    pos += 4;
    return t;
  };
  const stack: FdtNode[] = [];
  let root: FdtNode | undefined;
  for (;;) {
    const at = pos;
    const t = token();
    if (t === FDT_NOP) continue;
    if (t === FDT_BEGIN_NODE) {
      const nul = nulAt(pos, end, 'node name');
      const name = decoder.decode(buf.subarray(pos, nul));
      pos = (nul + 1 + 3) & ~3;
      const node = new FdtNode(name);
      if (stack.length) stack[stack.length - 1].children.push(node);
      else if (root) throw new FdtError(`second root node at ${at}`);
      else root = node;
      stack.push(node);
    } else if (t === FDT_PROP) {
      const len = token();
      const nameoff = token();
      if (!stack.length) throw new FdtError(`property outside any node at ${at}`);
      if (pos + len > end) throw new FdtError(`property value at ${pos} (+${len}) runs past the structure block`);
      if (nameoff >= h.sizeDtStrings) throw new FdtError(`property name offset ${nameoff} outside the strings block`);
      const nameStart = h.offDtStrings + nameoff;
      const name = decoder.decode(buf.subarray(nameStart, nulAt(nameStart, h.offDtStrings + h.sizeDtStrings, 'property name')));
      stack[stack.length - 1].props.push({ name, value: buf.slice(pos, pos + len) });
      pos = (pos + len + 3) & ~3;
    } else if (t === FDT_END_NODE) {
      if (!stack.pop()) throw new FdtError(`unbalanced FDT_END_NODE at ${at}`);
    } else if (t === FDT_END) {
      if (stack.length || !root) throw new FdtError(`FDT_END at ${at} inside an open node`);
      break;
    } else {
      throw new FdtError(`bad token 0x${t.toString(16)} at ${at}`);
    }
  }
  return { header: h, memReserve, root: root as FdtNode };
}

// ---------------------------------------------------------------------------------------
// QEMU virt

/** A redistributor region: base and size in bytes. */
export interface GicrRegion {
  base: number;
  size: number;
}

/** What {@link buildVirtDeviceTree} describes. Addresses and sizes in bytes. */
export interface VirtFdtDesc {
  cpus: number;
  /**
   * MPIDR_EL1 of CPU i. Only the affinity fields are used (Aff2..Aff0 = bits 23:0,
   * Aff3 = bits 39:32), like QEMU's ARMCPU.mp_affinity; RES1 bit 31, U and MT are ignored.
   */
  mpidr: (i: number) => number;
  /** The cpu nodes' compatible; QEMU uses the -cpu model's, "arm,cortex-a57". */
  cpuCompatible?: string;
  ramBase: number;
  ramSize: number;
  /** Kernel command line; QEMU omits /chosen/bootargs when it is empty. */
  bootargs: string;
  gicdBase: number;
  gicdSize: number;
  /** One or more redistributor regions, in order (QEMU: region 1, then VIRT_HIGH_GIC_REDIST2). */
  gicrRegions: GicrRegion[];
  uartBase: number;
  uartSize: number;
  /** The PL011's SPI as an INTID (QEMU virt: 33 = SPI 1). */
  uartIntid: number;
  /** apb-pclk frequency in Hz (QEMU: 24 MHz). */
  uartClockHz?: number;
  /**
   * Generic timer PPIs as INTIDs, in the order the arm,armv8-timer binding lists them
   * (QEMU / BSA: secure phys 29, non-secure phys 30, virtual 27, hypervisor phys 26).
   */
  timerIntids: { secure: number; nonSecure: number; virtual: number; hypervisor: number };
  /** PSCI conduit; QEMU virt without EL2/EL3 uses "hvc". */
  psciMethod?: 'hvc' | 'smc';
  /** Pad the blob to this size; default {@link QEMU_VIRT_FDT_SIZE}, as QEMU does. */
  padTo?: number;
}

/** GIC binding (arm,gic-v3.yaml): first interrupt cell 0 = SPI, 1 = PPI; flags 4 = level high. */
const GIC_FDT_IRQ_TYPE_SPI = 0;
const GIC_FDT_IRQ_TYPE_PPI = 1;
const IRQ_TYPE_LEVEL_HIGH = 4;
/** QEMU allocates phandles from here (device_tree.c qemu_fdt_alloc_phandle). */
const FIRST_PHANDLE = 0x8000;
/** PSCI 0.2+ function IDs QEMU lists (SMC64 forms for the calls that take addresses). */
const PSCI_CPU_SUSPEND = 0xc400_0001;
const PSCI_CPU_OFF = 0x8400_0002;
const PSCI_CPU_ON = 0xc400_0003;
const PSCI_MIGRATE = 0xc400_0005;

const hex = (v: number): string => v.toString(16);

/**
 * Builds the DTB QEMU 7.2 `-M virt,gic-version=3` gives a guest, restricted to the devices
 * this machine models. Nodes (same names, properties and values as QEMU): root
 * (#address-cells/#size-cells 2, compatible/model "linux,dummy-virt", interrupt-parent),
 * /psci, /memory@RAM, /pl011@UART (uartclk + apb_pclk clocks), /intc@GICD (arm,gic-v3,
 * #redistributor-regions, reg = GICD then each GICR region), /cpus with cpu@i (i decimal,
 * reg = MPIDR affinity; 2 address cells only when some Aff3 is non-zero; enable-method
 * "psci" only with more than one CPU), /timer, /apb-pclk (fixed-clock), /chosen.
 *
 * Deliberately omitted because the machine does not model them: the GIC ITS child, PCIe,
 * virtio-mmio, flash, fw-cfg, PL031 RTC, PL061 GPIO and gpio-keys, platform-bus, PMU, and
 * the cpus/cpu-map topology node (with the cpu phandles only it references). /chosen has
 * no rng-seed or kaslr-seed: QEMU fills them randomly per boot; we stay deterministic.
 *
 * @returns the DTB, padded to desc.padTo (default 1 MiB like QEMU).
 * @throws FdtError for an invalid description (no CPUs, no GICR region, INTIDs that are
 *   not SPIs/PPIs, values outside the cell ranges).
 */
export function buildVirtDeviceTree(desc: VirtFdtDesc): Uint8Array {
  if (!Number.isInteger(desc.cpus) || desc.cpus < 1) throw new FdtError(`cpus must be a positive integer, got ${desc.cpus}`);
  if (desc.gicrRegions.length === 0) throw new FdtError('at least one GICR region is required');
  const spi = (intid: number, what: string): number => {
    if (!Number.isInteger(intid) || intid < 32 || intid > 1019) throw new FdtError(`${what}: INTID ${intid} is not an SPI`);
    return intid - 32;
  };
  const ppi = (intid: number, what: string): number => {
    if (!Number.isInteger(intid) || intid < 16 || intid > 31) throw new FdtError(`${what}: INTID ${intid} is not a PPI`);
    return intid - 16;
  };
  let nextPhandle = FIRST_PHANDLE;
  const clockPhandle = nextPhandle++;
  const gicPhandle = nextPhandle++;

  const root = new FdtNode('');
  root
    .setU32('interrupt-parent', gicPhandle)
    .setString('model', 'linux,dummy-virt')
    .setU32('#size-cells', 2)
    .setU32('#address-cells', 2)
    .setString('compatible', 'linux,dummy-virt');

  root
    .addNode('psci')
    .setU32('migrate', PSCI_MIGRATE)
    .setU32('cpu_on', PSCI_CPU_ON)
    .setU32('cpu_off', PSCI_CPU_OFF)
    .setU32('cpu_suspend', PSCI_CPU_SUSPEND)
    .setString('method', desc.psciMethod ?? 'hvc')
    .setStrings('compatible', ['arm,psci-1.0', 'arm,psci-0.2', 'arm,psci']);

  root
    .addNode(`memory@${hex(desc.ramBase)}`)
    .setU64s('reg', [desc.ramBase, desc.ramSize])
    .setString('device_type', 'memory');

  const uartNode = `pl011@${hex(desc.uartBase)}`;
  root
    .addNode(uartNode)
    .setStrings('clock-names', ['uartclk', 'apb_pclk'])
    .setCells('clocks', [clockPhandle, clockPhandle])
    .setCells('interrupts', [GIC_FDT_IRQ_TYPE_SPI, spi(desc.uartIntid, 'uartIntid'), IRQ_TYPE_LEVEL_HIGH])
    .setU64s('reg', [desc.uartBase, desc.uartSize])
    .setStrings('compatible', ['arm,pl011', 'arm,primecell']);

  const gicReg = [desc.gicdBase, desc.gicdSize];
  for (const r of desc.gicrRegions) gicReg.push(r.base, r.size);
  root
    .addNode(`intc@${hex(desc.gicdBase)}`)
    .setU32('phandle', gicPhandle)
    .setU64s('reg', gicReg)
    .setU32('#redistributor-regions', desc.gicrRegions.length)
    .setString('compatible', 'arm,gic-v3')
    // QEMU sets these for the ITS child; kept so the node's properties match QEMU's.
    .setEmpty('ranges')
    .setU32('#size-cells', 2)
    .setU32('#address-cells', 2)
    .setEmpty('interrupt-controller')
    .setU32('#interrupt-cells', 3);

  addCpus(root, desc);

  const t = desc.timerIntids;
  const timerCells: number[] = [];
  for (const [intid, what] of [[t.secure, 'secure'], [t.nonSecure, 'nonSecure'], [t.virtual, 'virtual'], [t.hypervisor, 'hypervisor']] as const) {
    // GICv3: no CPU target mask in the flags cell (QEMU only ORs one in for GICv2).
    timerCells.push(GIC_FDT_IRQ_TYPE_PPI, ppi(intid, `timerIntids.${what}`), IRQ_TYPE_LEVEL_HIGH);
  }
  root
    .addNode('timer')
    .setCells('interrupts', timerCells)
    .setEmpty('always-on')
    .setStrings('compatible', ['arm,armv8-timer', 'arm,armv7-timer']);

  root
    .addNode('apb-pclk')
    .setU32('phandle', clockPhandle)
    .setString('clock-output-names', 'clk24mhz')
    .setU32('clock-frequency', desc.uartClockHz ?? 24_000_000)
    .setU32('#clock-cells', 0)
    .setString('compatible', 'fixed-clock');

  const chosen = root.addNode('chosen');
  if (desc.bootargs !== '') chosen.setString('bootargs', desc.bootargs);
  chosen.setString('stdout-path', `/${uartNode}`);

  return writeFdt(root, { padTo: desc.padTo ?? QEMU_VIRT_FDT_SIZE });
}

/** MPIDR_EL1 affinity bits QEMU keeps in mp_affinity (ARM64_AFFINITY_MASK): Aff3 39:32, Aff2..0 23:0. */
function affinity(mpidr: number): { aff3: number; low: number } {
  if (!Number.isSafeInteger(mpidr) || mpidr < 0) throw new FdtError(`mpidr ${mpidr} is not a non-negative integer`);
  return { aff3: Math.floor(mpidr / 0x1_0000_0000) & 0xff, low: mpidr & 0xff_ffff };
}

/** /cpus as QEMU's fdt_add_cpu_nodes writes it (cpu nodes named by index, reg by affinity). */
function addCpus(root: FdtNode, desc: VirtFdtDesc): void {
  const affs = Array.from({ length: desc.cpus }, (_, i) => affinity(desc.mpidr(i)));
  const addrCells = affs.some((a) => a.aff3 !== 0) ? 2 : 1;
  const cpus = root.addNode('cpus').setU32('#size-cells', 0).setU32('#address-cells', addrCells);
  affs.forEach((a, i) => {
    const cpu = cpus.addNode(`cpu@${i}`);
    cpu.setCells('reg', addrCells === 2 ? [a.aff3, a.low] : [a.low]);
    if (desc.cpus > 1) cpu.setString('enable-method', 'psci');
    cpu.setString('compatible', desc.cpuCompatible ?? 'arm,cortex-a57').setString('device_type', 'cpu');
  });
}

/**
 * QEMU virt's MPIDR affinity for CPU index i with GICv3: 16 CPUs per cluster, so
 * Aff0 = i % 16 and Aff1 = i / 16 (hw/arm/virt.c virt_cpu_mp_affinity,
 * GICV3_TARGETLIST_BITS). Returns only the affinity bits (no RES1 bit 31).
 */
export function virtCpuAffinity(i: number): number {
  return mpidrOf(i) & 0x00ffffff;
}

/**
 * Redistributor regions QEMU virt uses for `cpus` CPUs: the low region (room for 123
 * frames of 0x20000 bytes), plus VIRT_HIGH_GIC_REDIST2 (0x40_0000_0000, 64 MiB) when more
 * CPUs are needed (hw/arm/virt.c virt_gicv3_redist_region_count, create_gic).
 */
export function virtGicrRegions(cpus: number): GicrRegion[] {
  const regions = [{ base: GICR_BASE, size: GICR_SIZE }];
  if (cpus > GICR_REGION1_CPUS) regions.push({ base: GICR2_BASE, size: GICR2_SIZE });
  return regions;
}

/**
 * The description of this machine on QEMU's virt memory map (memory-map.ts), with QEMU's
 * CPU affinities and redistributor regions. Sizes in bytes.
 */
export function virtFdtDescription(opts: { cpus: number; ramSize: number; bootargs?: string }): VirtFdtDesc {
  return {
    cpus: opts.cpus,
    mpidr: virtCpuAffinity,
    ramBase: RAM_BASE,
    ramSize: opts.ramSize,
    bootargs: opts.bootargs ?? '',
    gicdBase: GICD_BASE,
    gicdSize: GICD_SIZE,
    gicrRegions: virtGicrRegions(opts.cpus),
    uartBase: UART0_BASE,
    uartSize: UART0_SIZE,
    uartIntid: INTID_UART0,
    timerIntids: { secure: 29, nonSecure: INTID_TIMER_PHYS, virtual: INTID_TIMER_VIRT, hypervisor: 26 },
  };
}

/**
 * Where QEMU 7.2 puts the DTB for an ELF given to `-kernel`: at the start of RAM, but only
 * if the image does not cover it and, when the image lies above RAM start, the whole DTB
 * (QEMU's is 1 MiB) fits below the image (hw/arm/boot.c arm_setup_direct_kernel_boot and
 * arm_load_dtb's addr_limit check). Otherwise QEMU loads no DTB at all; the guest gets
 * x0 = 0 either way for a non-Linux ELF. Measured with QEMU 7.2 (-m 256M): ELFs whose
 * lowest PT_LOAD is at 0x40080000 or 0x400ffffc get no DTB; at 0x40100000 or 0x40200000
 * the DTB is at 0x40000000. (GNU ld without -n may start the first PT_LOAD a page below
 * .text, to include the ELF headers: use the segment addresses, not the link address.)
 * @param imageLow lowest loaded address, bytes; imageHigh one past the highest.
 * @returns the DTB address, or undefined when QEMU would not load one.
 */
export function qemuElfDtbAddress(ramBase: number, imageLow: number, imageHigh: number, dtbSize: number): number | undefined {
  if (!(imageLow > ramBase || imageHigh < ramBase)) return undefined;
  if (imageLow > ramBase && dtbSize > imageLow - ramBase) return undefined;
  return ramBase;
}
