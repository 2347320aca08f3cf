/**
 * ELF64 executable loader for AArch64 bare-metal kernels.
 *
 * Parses the ELF header, program header table, section header table and symbol table
 * with `binary-parser`, and returns the loadable segments plus the symbols. Writing the
 * bytes into guest RAM is left to the machine; {@link placeSegments} checks that they fit.
 *
 * Sources:
 * - System V gABI, "ELF-64 Object File Format" v1.5 (HP/Intel) and the gABI chapter
 *   "Object Files" (ELF header, e_ident, program header, section header, Elf64_Sym).
 * - Arm "ELF for the Arm 64-bit Architecture (AArch64)" (aaelf64): EM_AARCH64 = 183,
 *   ELFCLASS64, mapping symbols `$x` / `$d`.
 * - QEMU include/hw/elf_ops.h `load_elf` (bytes go to p_paddr; the entry point is moved
 *   from its virtual to its physical address when the executable segment that holds it
 *   has p_vaddr != p_paddr) and hw/arm/boot.c (ELF images given to `-kernel`).
 */

import { readFileSync } from 'fs';
import { getSystemErrorMap } from 'util';
import { Parser } from 'binary-parser';

/** A PT_LOAD segment to copy into guest physical memory. */
export interface ElfSegment {
  /** Physical load address (p_paddr), bytes. QEMU loads ELF kernels here. */
  paddr: number;
  /** Link-time virtual address (p_vaddr), bytes. */
  vaddr: number;
  /** The p_filesz bytes from the file (a copy, not a view of the input). */
  data: Uint8Array;
  /** p_memsz in bytes; bytes data.length..memsz-1 must be zero-filled (.bss). */
  memsz: number;
  /** p_flags: PF_X (1) | PF_W (2) | PF_R (4). */
  flags: number;
}

/** One Elf64_Sym entry with its name resolved. */
export interface ElfSymbol {
  name: string;
  /** st_value: the symbol's (virtual) address in an executable. */
  value: number;
  /** st_size in bytes (0 when unknown, e.g. an assembly label without `.size`). */
  size: number;
  type: 'func' | 'object' | 'notype' | 'section' | 'file' | 'other';
  bind: 'local' | 'global' | 'weak';
}

/** A parsed executable. */
export interface ElfImage {
  path?: string;
  /** Physical entry address in bytes (see {@link parseElf} for the QEMU adjustment). */
  entry: number;
  /** PT_LOAD segments with p_memsz > 0, in program-header order. */
  segments: ElfSegment[];
  /** Defined symbols from .symtab (or .dynsym when there is no .symtab). */
  symbols: ElfSymbol[];
}

/** Thrown for every load failure; the message is one line and starts with the path. */
export class ElfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ElfError';
  }
}

// gABI constants.
const EI_NIDENT = 16;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const EV_CURRENT = 1;
const ET_EXEC = 2;
const ET_DYN = 3;
/** EM_AARCH64 per aaelf64 and the gABI machine list. */
export const EM_AARCH64 = 183;
const PT_LOAD = 1;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_DYNSYM = 11;
const SHN_UNDEF = 0;
const PN_XNUM = 0xffff;
/** Segment permission bits (p_flags). */
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

/** sizeof(Elf64_Ehdr), sizeof(Elf64_Phdr), sizeof(Elf64_Shdr), sizeof(Elf64_Sym). */
const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;

const E_TYPE_NAMES: Record<number, string> = {
  0: 'ET_NONE',
  1: 'ET_REL relocatable object',
  2: 'ET_EXEC',
  3: 'ET_DYN',
  4: 'ET_CORE core dump',
};

/** A few common e_machine values, so a wrong-architecture error names the culprit. */
const E_MACHINE_NAMES: Record<number, string> = {
  0: 'EM_NONE',
  2: 'SPARC',
  3: 'Intel 80386',
  8: 'MIPS',
  20: 'PowerPC',
  21: 'PowerPC64',
  22: 'IBM S/390',
  40: 'ARM (32-bit)',
  43: 'SPARC V9',
  50: 'IA-64',
  62: 'x86-64',
  183: 'AArch64',
  243: 'RISC-V',
  258: 'LoongArch',
};

const E_CLASS_NAMES: Record<number, string> = { 0: 'ELFCLASSNONE', 1: 'ELF32', 2: 'ELF64' };

interface Ident {
  eiClass: number;
  eiData: number;
  eiVersion: number;
}

interface Ehdr {
  e_type: number;
  e_machine: number;
  e_version: number;
  e_entry: bigint;
  e_phoff: bigint;
  e_shoff: bigint;
  e_flags: number;
  e_ehsize: number;
  e_phentsize: number;
  e_phnum: number;
  e_shentsize: number;
  e_shnum: number;
  e_shstrndx: number;
}

interface Phdr {
  p_type: number;
  p_flags: number;
  p_offset: bigint;
  p_vaddr: bigint;
  p_paddr: bigint;
  p_filesz: bigint;
  p_memsz: bigint;
  p_align: bigint;
}

interface Shdr {
  sh_name: number;
  sh_type: number;
  sh_flags: bigint;
  sh_addr: bigint;
  sh_offset: bigint;
  sh_size: bigint;
  sh_link: number;
  sh_info: number;
  sh_addralign: bigint;
  sh_entsize: bigint;
}

interface Sym {
  st_name: number;
  st_info: number;
  st_other: number;
  st_shndx: number;
  st_value: bigint;
  st_size: bigint;
}

/** e_ident[EI_MAG0..EI_VERSION]: identical in every ELF class and byte order. */
const identParser = new Parser()
  .seek(4) // EI_MAG0..3, checked by startsWithMagic
  .uint8('eiClass')
  .uint8('eiData')
  .uint8('eiVersion');

/** Elf64_Ehdr after e_ident (gABI "ELF Header"). */
const ehdrParser = new Parser()
  .endianness('little')
  .seek(EI_NIDENT)
  .uint16('e_type')
  .uint16('e_machine')
  .uint32('e_version')
  .uint64('e_entry')
  .uint64('e_phoff')
  .uint64('e_shoff')
  .uint32('e_flags')
  .uint16('e_ehsize')
  .uint16('e_phentsize')
  .uint16('e_phnum')
  .uint16('e_shentsize')
  .uint16('e_shnum')
  .uint16('e_shstrndx');

/** Elf64_Phdr (gABI "Program Header"). */
const phdrParser = new Parser()
  .endianness('little')
  .uint32('p_type')
  .uint32('p_flags')
  .uint64('p_offset')
  .uint64('p_vaddr')
  .uint64('p_paddr')
  .uint64('p_filesz')
  .uint64('p_memsz')
  .uint64('p_align');

/** Elf64_Shdr (gABI "Sections"). */
const shdrParser = new Parser()
  .endianness('little')
  .uint32('sh_name')
  .uint32('sh_type')
  .uint64('sh_flags')
  .uint64('sh_addr')
  .uint64('sh_offset')
  .uint64('sh_size')
  .uint32('sh_link')
  .uint32('sh_info')
  .uint64('sh_addralign')
  .uint64('sh_entsize');

/** Elf64_Sym (gABI "Symbol Table"). */
const symParser = new Parser()
  .endianness('little')
  .uint32('st_name')
  .uint8('st_info')
  .uint8('st_other')
  .uint16('st_shndx')
  .uint64('st_value')
  .uint64('st_size');

/** Parses `count` consecutive fixed-size records starting at byte `off` (bounds checked by the caller). */
function parseTable<T>(buf: Uint8Array, off: number, count: number, entry: Parser): T[] {
  if (count === 0) return [];
  const table = new Parser().array('items', { type: entry, length: count });
  return (table.parse(buf.subarray(off)) as { items: T[] }).items;
}

const hex = (v: number | bigint): string => '0x' + v.toString(16);

/**
 * Parses an in-memory ELF64 little-endian AArch64 executable.
 *
 * Accepts ET_EXEC and ET_DYN (an ET_DYN image is taken at its link addresses, unrelocated).
 * Only PT_LOAD segments with p_memsz > 0 are returned, with data = the p_filesz file bytes.
 * Like QEMU's `load_elf`, `entry` is e_entry moved into physical space when the executable
 * PT_LOAD that contains it (by p_vaddr) has p_paddr != p_vaddr; otherwise e_entry as is.
 * Symbols: every defined (st_shndx != SHN_UNDEF), named entry of .symtab, or of .dynsym when
 * the file has no .symtab, except aaelf64 mapping symbols (`$x`, `$d`, `$x.foo`...) and
 * symbols whose value does not fit in 2^53 (they cannot name a guest address here).
 * STB_GNU_UNIQUE and OS/processor-specific bindings are reported as 'global'.
 *
 * @param buf the whole file.
 * @param path used only in error messages and copied to the result.
 * @throws ElfError "not an ELF file", "not a 64-bit ELF", "not little-endian",
 *   "not an AArch64 ELF (e_machine = N, name)", "not an executable (e_type = N, name)",
 *   truncated or malformed headers, tables or segments, and addresses >= 2^53.
 */
export function parseElf(buf: Uint8Array, path?: string): ElfImage {
  const where = path ?? '<buffer>';
  const fail = (msg: string): never => {
    throw new ElfError(`${where}: ${msg}`);
  };
  const toNum = (v: bigint, what: string): number => {
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${what} ${hex(v)} does not fit in 53 bits`);
    return Number(v);
  };
  /** Checks that [off, off+len) lies inside the file; both are bigint as read. */
  const inFile = (off: bigint, len: bigint, what: string): number => {
    if (off + len > BigInt(buf.length)) {
      fail(`truncated ${what}: bytes ${hex(off)}..${hex(off + len)} lie beyond the end of the file (${buf.length} bytes)`);
    }
    return Number(off);
  };

  const ehdr = parseHeader(buf, fail);

  // Extended numbering (gABI): e_shnum / e_phnum can overflow into section 0. Section names
  // (e_shstrndx) are not needed: symbol tables are found by sh_type.
  let shnum = ehdr.e_shnum;
  let phnum = ehdr.e_phnum;
  let sections: Shdr[] = [];
  if (ehdr.e_shoff !== 0n) {
    if (ehdr.e_shentsize !== SHDR_SIZE) fail(`unsupported e_shentsize ${ehdr.e_shentsize} (expected ${SHDR_SIZE})`);
    const first = parseTable<Shdr>(buf, inFile(ehdr.e_shoff, BigInt(SHDR_SIZE), 'section header table'), 1, shdrParser)[0];
    if (shnum === 0) shnum = toNum(first.sh_size, 'section count');
    if (phnum === PN_XNUM) phnum = first.sh_info;
    const off = inFile(ehdr.e_shoff, BigInt(shnum) * BigInt(SHDR_SIZE), 'section header table');
    sections = parseTable<Shdr>(buf, off, shnum, shdrParser);
  }

  let phdrs: Phdr[] = [];
  if (phnum > 0) {
    if (ehdr.e_phentsize !== PHDR_SIZE) fail(`unsupported e_phentsize ${ehdr.e_phentsize} (expected ${PHDR_SIZE})`);
    const off = inFile(ehdr.e_phoff, BigInt(phnum) * BigInt(PHDR_SIZE), 'program header table');
    phdrs = parseTable<Phdr>(buf, off, phnum, phdrParser);
  }

  const segments: ElfSegment[] = [];
  let entry = toNum(ehdr.e_entry, 'entry point');
  let entryMoved = false;
  phdrs.forEach((ph, i) => {
    if (ph.p_type !== PT_LOAD || ph.p_memsz === 0n) return;
    if (ph.p_filesz > ph.p_memsz) fail(`segment ${i}: p_filesz ${hex(ph.p_filesz)} exceeds p_memsz ${hex(ph.p_memsz)}`);
    // A segment with no file bytes (.bss only) may name any offset, even past the end of a
    // small file (GNU ld does); readelf, gdb and QEMU accept it.
    const off = ph.p_filesz === 0n ? 0 : inFile(ph.p_offset, ph.p_filesz, `segment ${i}`);
    const paddr = toNum(ph.p_paddr, `segment ${i} p_paddr`);
    const vaddr = toNum(ph.p_vaddr, `segment ${i} p_vaddr`);
    const memsz = toNum(ph.p_memsz, `segment ${i} p_memsz`);
    if (paddr + memsz > Number.MAX_SAFE_INTEGER) fail(`segment ${i} end ${hex(ph.p_paddr + ph.p_memsz)} does not fit in 53 bits`);
    const data = buf.slice(off, off + Number(ph.p_filesz));
    segments.push({ paddr, vaddr, data, memsz, flags: ph.p_flags });
    // QEMU elf_ops.h: the entry is a virtual address; move it with its executable segment.
    const e = ehdr.e_entry;
    if (!entryMoved && paddr !== vaddr && (ph.p_flags & PF_X) !== 0 && e >= ph.p_vaddr && e < ph.p_vaddr + ph.p_filesz) {
      entry = Number(e - ph.p_vaddr) + paddr;
      entryMoved = true;
    }
  });

  const symbols = readSymbols(buf, sections, fail, inFile);
  return { path, entry, segments, symbols };
}

/** Validates e_ident and the fixed header fields, in the order the messages are documented. */
function parseHeader(buf: Uint8Array, fail: (msg: string) => never): Ehdr {
  if (!startsWithMagic(buf)) fail('not an ELF file (no \\x7fELF magic)');
  if (buf.length < EHDR_SIZE) fail(`truncated ELF header (${buf.length} of ${EHDR_SIZE} bytes)`);
  const ident = identParser.parse(buf) as Ident;
  if (ident.eiClass !== ELFCLASS64) {
    fail(`not a 64-bit ELF (EI_CLASS = ${ident.eiClass}, ${E_CLASS_NAMES[ident.eiClass] ?? 'unknown'})`);
  }
  if (ident.eiData !== ELFDATA2LSB) {
    fail(`not little-endian (EI_DATA = ${ident.eiData}, ${ident.eiData === 2 ? 'big-endian' : 'invalid'})`);
  }
  if (ident.eiVersion !== EV_CURRENT) fail(`unsupported ELF version (EI_VERSION = ${ident.eiVersion})`);
  const ehdr = ehdrParser.parse(buf) as Ehdr;
  if (ehdr.e_machine !== EM_AARCH64) {
    const name = E_MACHINE_NAMES[ehdr.e_machine];
    fail(`not an AArch64 ELF (e_machine = ${ehdr.e_machine}${name ? ', ' + name : ''})`);
  }
  if (ehdr.e_type !== ET_EXEC && ehdr.e_type !== ET_DYN) {
    fail(`not an executable (e_type = ${ehdr.e_type}, ${E_TYPE_NAMES[ehdr.e_type] ?? 'unknown'})`);
  }
  return ehdr;
}

/** True when buf begins with "\x7fELF", or is a non-empty prefix of it (a truncated ELF, not junk). */
function startsWithMagic(buf: Uint8Array): boolean {
  if (buf.length === 0) return false;
  const magic = [0x7f, 0x45, 0x4c, 0x46];
  for (let i = 0; i < Math.min(4, buf.length); i++) if (buf[i] !== magic[i]) return false;
  return true;
}

function readSymbols(
  buf: Uint8Array,
  sections: Shdr[],
  fail: (msg: string) => never,
  inFile: (off: bigint, len: bigint, what: string) => number,
): ElfSymbol[] {
  const symtab = sections.find((s) => s.sh_type === SHT_SYMTAB) ?? sections.find((s) => s.sh_type === SHT_DYNSYM);
  if (!symtab) return [];
  if (symtab.sh_entsize !== BigInt(SYM_SIZE)) fail(`unsupported symbol table sh_entsize ${symtab.sh_entsize} (expected ${SYM_SIZE})`);
  if (symtab.sh_size % BigInt(SYM_SIZE) !== 0n) fail(`symbol table size ${hex(symtab.sh_size)} is not a multiple of ${SYM_SIZE}`);
  const strtab = sections[symtab.sh_link];
  if (!strtab || strtab.sh_type !== SHT_STRTAB) fail(`symbol table sh_link ${symtab.sh_link} is not a string table`);
  const strOff = inFile(strtab.sh_offset, strtab.sh_size, 'symbol string table');
  const strings = buf.subarray(strOff, strOff + Number(strtab.sh_size));
  const count = Number(symtab.sh_size / BigInt(SYM_SIZE));
  const raw = parseTable<Sym>(buf, inFile(symtab.sh_offset, symtab.sh_size, 'symbol table'), count, symParser);

  const out: ElfSymbol[] = [];
  const decoder = new TextDecoder();
  for (const s of raw) {
    if (s.st_shndx === SHN_UNDEF || s.st_name === 0) continue;
    if (s.st_value > BigInt(Number.MAX_SAFE_INTEGER) || s.st_size > BigInt(Number.MAX_SAFE_INTEGER)) continue;
    if (s.st_name >= strings.length) fail(`symbol name offset ${hex(s.st_name)} lies outside the string table`);
    let end = strings.indexOf(0, s.st_name);
    if (end < 0) end = strings.length;
    const name = decoder.decode(strings.subarray(s.st_name, end));
    if (isMappingSymbol(name)) continue;
    out.push({ name, value: Number(s.st_value), size: Number(s.st_size), type: symType(s.st_info & 0xf), bind: symBind(s.st_info >> 4) });
  }
  return out;
}

/** aaelf64 §"Mapping symbols": `$x`, `$d` (and `$x.<any>`) mark code/data, not program entities. */
function isMappingSymbol(name: string): boolean {
  return name.length >= 2 && name[0] === '$' && (name[1] === 'x' || name[1] === 'd') && (name.length === 2 || name[2] === '.');
}

function symType(t: number): ElfSymbol['type'] {
  switch (t) {
    case 0: return 'notype';
    case 1: return 'object';
    case 2: return 'func';
    case 3: return 'section';
    case 4: return 'file';
    default: return 'other';
  }
}

function symBind(b: number): ElfSymbol['bind'] {
  if (b === 0) return 'local';
  if (b === 2) return 'weak';
  return 'global';
}

/**
 * Reads and parses an ELF file.
 * @throws ElfError "<path>: cannot read file (ENOENT: no such file or directory)" or any
 *   {@link parseElf} error.
 */
export function loadElfFile(path: string): ElfImage {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    throw new ElfError(`${path}: cannot read file (${osReason(err)})`);
  }
  return parseElf(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path);
}

/** "ENOENT: no such file or directory" from a Node fs error, without the path Node appends. */
function osReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (typeof e.errno === 'number') {
    const entry = getSystemErrorMap().get(e.errno);
    if (entry) return `${entry[0]}: ${entry[1]}`;
  }
  return e.code ?? String(e.message ?? err);
}

/**
 * Checks that every segment's [paddr, paddr + memsz) lies inside RAM and that no two
 * segments overlap, before the machine copies `data` to paddr and zero-fills the rest.
 * @param ram base and size in bytes.
 * @throws ElfError "segment at 0x... (N bytes) lies outside RAM 0x40000000-0x4fffffff"
 *   (inclusive range) or "segments at 0x... and 0x... overlap".
 */
export function placeSegments(img: ElfImage, ram: { base: number; size: number }): void {
  const where = img.path ?? '<buffer>';
  const ramEnd = ram.base + ram.size;
  for (const s of img.segments) {
    if (s.paddr < ram.base || s.paddr + s.memsz > ramEnd) {
      throw new ElfError(
        `${where}: segment at ${hex(s.paddr)} (${s.memsz} bytes) lies outside RAM ${hex(ram.base)}-${hex(ramEnd - 1)}`,
      );
    }
  }
  const sorted = [...img.segments].sort((a, b) => a.paddr - b.paddr);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    if (prev.paddr + prev.memsz > sorted[i].paddr) {
      throw new ElfError(`${where}: segments at ${hex(prev.paddr)} and ${hex(sorted[i].paddr)} overlap`);
    }
  }
}

/** Per-image lookup tables, built on first use so parseElf stays cheap. */
interface SymbolIndex {
  byName: Map<string, ElfSymbol>;
  /** Function symbols sorted by value, one per address (the preferred alias). */
  funcs: ElfSymbol[];
  /** End address (exclusive) each entry of funcs covers. */
  ends: number[];
  /** Each entry of funcs's size as kallsyms reports it (kallsymsSizes). */
  kallsyms: number[];
}

const indexes = new WeakMap<ElfImage, SymbolIndex>();
const BIND_RANK: Record<ElfSymbol['bind'], number> = { global: 0, weak: 1, local: 2 };

function indexOf(img: ElfImage): SymbolIndex {
  let idx = indexes.get(img);
  if (idx) return idx;
  const byName = new Map<string, ElfSymbol>();
  for (const s of img.symbols) {
    const old = byName.get(s.name);
    if (!old || BIND_RANK[s.bind] < BIND_RANK[old.bind]) byName.set(s.name, s);
  }
  // Aliases share an address: keep global over weak over local, then the sized one, then by name.
  const sorted = img.symbols
    .filter((s) => s.type === 'func')
    .sort((a, b) => a.value - b.value || BIND_RANK[a.bind] - BIND_RANK[b.bind] || b.size - a.size || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const funcs: ElfSymbol[] = [];
  for (const s of sorted) if (funcs.length === 0 || funcs[funcs.length - 1].value !== s.value) funcs.push(s);
  // A size-0 function (assembly without .size) covers up to the next function; the last covers only its address.
  const ends = funcs.map((s, i) => (s.size > 0 ? s.value + s.size : i + 1 < funcs.length ? funcs[i + 1].value : s.value + 1));
  idx = { byName, funcs, ends, kallsyms: kallsymsSizes(img, funcs, byName.get('_etext')?.value) };
  indexes.set(img, idx);
  return idx;
}

/** Boundaries Linux's scripts/kallsyms leaves out of its table: section markers. */
function kallsymsSkips(name: string): boolean {
  return name === '_text' || name === '_etext' || /^__.*_text_(start|end)$/.test(name);
}

/**
 * The size "+off/size" shows for each function, as Linux's kallsyms (and the bundled
 * guest's, guest/src/kernel/kallsyms.c) computes it: the distance to the next text symbol
 * (function or label in an executable segment, below `_etext` when the image has one),
 * padding included, rather than the ELF st_size. The last one ends at `_etext`, or keeps
 * its st_size. So the monitor commands print the same `arch_cpu_idle+0x2c/0x3c` as the
 * guest's console (kernel/kallsyms.c kallsyms_lookup_size_offset).
 * @param funcs function symbols sorted by value, one per address
 * @param etext the address of `_etext`, if the image has it
 * @returns sizes in bytes, parallel to funcs
 */
function kallsymsSizes(img: ElfImage, funcs: ElfSymbol[], etext: number | undefined): number[] {
  const exec = img.segments.filter((g) => g.flags & 1);
  const inText = (v: number): boolean => exec.some((g) => v >= g.vaddr && v < g.vaddr + g.memsz) && (etext === undefined || v < etext);
  const starts = [
    ...new Set(img.symbols.filter((s) => (s.type === 'func' || s.type === 'notype') && !kallsymsSkips(s.name) && inText(s.value)).map((s) => s.value)),
  ].sort((a, b) => a - b);
  let j = 0;
  return funcs.map((f) => {
    while (j < starts.length && starts[j] <= f.value) j++;
    const next = j < starts.length ? starts[j] : etext;
    return next !== undefined && next > f.value ? next - f.value : f.size;
  });
}

/**
 * Looks a symbol up by exact name; when several share it, the global one wins over weak
 * over local. O(1) after a one-time index build per image. Treat `img.symbols` as frozen
 * once a lookup has been made (the index is cached).
 */
export function findSymbol(img: ElfImage, name: string): ElfSymbol | undefined {
  return indexOf(img).byName.get(name);
}

/**
 * Maps an address to the function symbol containing it (within its st_size): returns the
 * name, the byte offset of addr from the symbol, and the ELF symbol size (st_size, bytes;
 * {@link formatSymbol} prints kallsyms's size instead).
 * Binary search over the function symbols sorted by address: O(log n).
 * @returns undefined when no function symbol covers addr.
 */
export function symbolize(img: ElfImage, addr: number): { name: string; offset: number; size: number } | undefined {
  const i = functionIndex(img, addr);
  if (i < 0) return undefined;
  const s = indexOf(img).funcs[i];
  return { name: s.name, offset: addr - s.value, size: s.size };
}

/** Index in the sorted function symbols of the one covering addr, or -1. */
function functionIndex(img: ElfImage, addr: number): number {
  const { funcs, ends } = indexOf(img);
  let lo = 0;
  let hi = funcs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (funcs[mid].value <= addr) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found >= 0 && addr < ends[found] ? found : -1;
}

/**
 * Formats an address like Linux's %pS: "name+0x1c/0x40", the size as kallsyms reports it
 * (distance to the next text symbol, see kallsymsSizes), or undefined when no function
 * symbol covers it ({@link symbolize}).
 */
export function formatSymbol(img: ElfImage, addr: number): string | undefined {
  const i = functionIndex(img, addr);
  if (i < 0) return undefined;
  const { funcs, kallsyms } = indexOf(img);
  return `${funcs[i].name}+${hex(addr - funcs[i].value)}/${hex(kallsyms[i])}`;
}
