import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import fc from 'fast-check';
import {
  ElfError,
  ElfImage,
  ElfSymbol,
  findSymbol,
  formatSymbol,
  loadElfFile,
  parseElf,
  PF_R,
  PF_W,
  PF_X,
  placeSegments,
  symbolize,
} from '../../src/loader/elf';

/** Fixtures are built by test/fixtures/elf/build.sh from the .S/.ld sources beside them. */
const FIX = join(__dirname, '../fixtures/elf');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIX, name)));

/** Little-endian header patching on a copy (ELF-64 field offsets from the gABI). */
function patch(buf: Uint8Array, edits: (dv: DataView) => void): Uint8Array {
  const copy = buf.slice();
  edits(new DataView(copy.buffer));
  return copy;
}
const E_TYPE = 16;
const E_MACHINE = 18;
const E_PHOFF = 32;
const E_SHOFF = 40;
const E_PHENTSIZE = 54;
const E_PHNUM = 56;
const P_PADDR = 24;
const P_FILESZ = 32;
const P_MEMSZ = 40;

const word = (data: Uint8Array, off: number): number => new DataView(data.buffer, data.byteOffset).getUint32(off, true);

function expectElfError(fn: () => unknown, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ElfError);
  expect((caught as Error).message).toMatch(message);
  expect((caught as Error).message).not.toContain('\n');
}

describe('parseElf on tiny.elf (AArch64, text at 0x40080000)', () => {
  const img = loadElfFile(join(FIX, 'tiny.elf'));

  test('entry point and path', () => {
    expect(img.entry).toBe(0x40080000);
    expect(img.path).toBe(join(FIX, 'tiny.elf'));
  });

  test('two PT_LOAD segments: R+X text, R+W data with .bss zero fill', () => {
    expect(img.segments).toHaveLength(2);
    const [text, data] = img.segments;
    expect(text).toMatchObject({ paddr: 0x40080000, vaddr: 0x40080000, memsz: 0x38, flags: PF_R | PF_X });
    expect(text.data.length).toBe(0x38);
    // Architectural encodings of instructions in tiny.S at known offsets.
    expect(word(text.data, 0x10)).toBe(0xd4000002); // hvc #0
    expect(word(text.data, 0x24)).toBe(0xd65f03c0); // ret (end of helper)
    expect(word(text.data, 0x28)).toBe(0xd503201f); // nop at asm_label
    expect(data).toMatchObject({ paddr: 0x40080100, vaddr: 0x40080100, memsz: 0x1010, flags: PF_R | PF_W });
    expect(Array.from(data.data)).toEqual([41, 0, 0, 0, 0, 0, 0, 0]); // counter = 41; .bss is not in the file
  });

  test('segment data is a copy, not a view of the input', () => {
    const buf = fixture('tiny.elf');
    const a = parseElf(buf);
    buf.fill(0);
    expect(word(a.segments[0].data, 0x10)).toBe(0xd4000002);
  });

  test('symbols: types, bindings, sizes; mapping symbols dropped', () => {
    const byName = (n: string): ElfSymbol | undefined => img.symbols.find((s) => s.name === n);
    expect(byName('_start')).toEqual({ name: '_start', value: 0x40080000, size: 24, type: 'func', bind: 'global' });
    expect(byName('helper')).toEqual({ name: 'helper', value: 0x40080018, size: 16, type: 'func', bind: 'local' });
    expect(byName('asm_label')).toEqual({ name: 'asm_label', value: 0x40080028, size: 0, type: 'notype', bind: 'global' });
    expect(byName('counter')).toEqual({ name: 'counter', value: 0x40080100, size: 8, type: 'object', bind: 'global' });
    expect(byName('stack_area')).toMatchObject({ size: 4096, type: 'object' });
    expect(byName('tiny.o')).toMatchObject({ type: 'file', bind: 'local' });
    expect(img.symbols.some((s) => s.name.startsWith('$'))).toBe(false);
    expect(img.symbols.some((s) => s.name === '')).toBe(false);
  });

  test('findSymbol and symbolize', () => {
    expect(findSymbol(img, 'counter')?.value).toBe(0x40080100);
    expect(findSymbol(img, 'nope')).toBeUndefined();
    expect(symbolize(img, 0x40080000)).toEqual({ name: '_start', offset: 0, size: 24 });
    expect(symbolize(img, 0x40080017)).toEqual({ name: '_start', offset: 0x17, size: 24 });
    expect(symbolize(img, 0x40080018)).toEqual({ name: 'helper', offset: 0, size: 16 });
    expect(formatSymbol(img, 0x4008001c)).toBe('helper+0x4/0x10');
    expect(symbolize(img, 0x40080028)).toBeUndefined(); // past helper's size; asm_label is NOTYPE
    expect(symbolize(img, 0x4007fffc)).toBeUndefined();
    expect(symbolize(img, 0x40080100)).toBeUndefined(); // data object, not a function
  });

  test('placeSegments accepts RAM that holds the image and rejects RAM that does not', () => {
    expect(() => placeSegments(img, { base: 0x40000000, size: 256 << 20 })).not.toThrow();
    expectElfError(
      () => placeSegments(img, { base: 0x40000000, size: 0x80000 }),
      /tiny\.elf: segment at 0x40080000 \(56 bytes\) lies outside RAM 0x40000000-0x4007ffff$/,
    );
    // The .bss tail must fit too, not only the file bytes.
    expectElfError(
      () => placeSegments(img, { base: 0x40000000, size: 0x80100 + 0x1000 }),
      /segment at 0x40080100 \(4112 bytes\) lies outside RAM 0x40000000-0x400810ff/,
    );
  });
});

describe('p_paddr vs p_vaddr (lma.elf: linked at 0x80080000, loaded at 0x40080000)', () => {
  const img = loadElfFile(join(FIX, 'lma.elf'));
  const tiny = loadElfFile(join(FIX, 'tiny.elf'));

  test('segments are placed at p_paddr, with the same bytes as tiny.elf', () => {
    expect(img.segments.map((s) => [s.paddr, s.vaddr])).toEqual([
      [0x40080000, 0x80080000],
      [0x40080100, 0x80080100],
    ]);
    // Only the literal pool (the address of counter) differs: it holds the virtual address.
    expect(Array.from(img.segments[0].data.subarray(0, 0x30))).toEqual(Array.from(tiny.segments[0].data.subarray(0, 0x30)));
    expect(word(img.segments[0].data, 0x30)).toBe(0x80080100);
    expect(Array.from(img.segments[1].data)).toEqual(Array.from(tiny.segments[1].data));
  });

  test('entry is moved to the physical address, as QEMU load_elf does', () => {
    expect(img.entry).toBe(0x40080000);
  });

  test('symbols stay virtual', () => {
    expect(findSymbol(img, '_start')?.value).toBe(0x80080000);
    expect(formatSymbol(img, 0x80080010)).toBe('_start+0x10/0x18');
  });
});

describe('rejections', () => {
  test('x86-64 executable', () => {
    expectElfError(() => loadElfFile(join(FIX, 'x86_64.elf')), /x86_64\.elf: not an AArch64 ELF \(e_machine = 62, x86-64\)$/);
  });
  test('32-bit ELF', () => {
    expectElfError(() => loadElfFile(join(FIX, 'i386.elf')), /i386\.elf: not a 64-bit ELF \(EI_CLASS = 1, ELF32\)$/);
  });
  test('relocatable object', () => {
    expectElfError(() => loadElfFile(join(FIX, 'tiny-rel.o')), /not an executable \(e_type = 1, ET_REL relocatable object\)$/);
  });
  test('text file and empty buffer', () => {
    expectElfError(() => loadElfFile(join(FIX, 'junk.txt')), /junk\.txt: not an ELF file/);
    expectElfError(() => parseElf(new Uint8Array(0)), /^<buffer>: not an ELF file/);
    expectElfError(() => parseElf(new Uint8Array(100).fill(0x41), 'x.bin'), /^x\.bin: not an ELF file/);
  });
  test('unreadable files report the OS reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'elf-test-'));
    try {
      expectElfError(() => loadElfFile(join(dir, 'missing.elf')), /missing\.elf: cannot read file \(ENOENT: no such file or directory\)$/);
      expectElfError(() => loadElfFile(dir), /cannot read file \(EISDIR: illegal operation on a directory\)$/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
  test('big-endian, bad version, other machines and types', () => {
    const tiny = fixture('tiny.elf');
    expectElfError(() => parseElf(patch(tiny, (dv) => dv.setUint8(5, 2))), /not little-endian \(EI_DATA = 2, big-endian\)/);
    expectElfError(() => parseElf(patch(tiny, (dv) => dv.setUint8(6, 0))), /unsupported ELF version/);
    expectElfError(() => parseElf(patch(tiny, (dv) => dv.setUint16(E_MACHINE, 40, true))), /\(e_machine = 40, ARM \(32-bit\)\)/);
    expectElfError(() => parseElf(patch(tiny, (dv) => dv.setUint16(E_MACHINE, 9999, true))), /\(e_machine = 9999\)$/);
    expectElfError(() => parseElf(patch(tiny, (dv) => dv.setUint16(E_TYPE, 4, true))), /not an executable \(e_type = 4, ET_CORE core dump\)/);
  });
  test('ET_DYN is accepted at its link addresses', () => {
    const img = parseElf(patch(fixture('tiny.elf'), (dv) => dv.setUint16(E_TYPE, 3, true)));
    expect(img.entry).toBe(0x40080000);
    expect(img.segments.map((s) => s.paddr)).toEqual([0x40080000, 0x40080100]);
  });
});

describe('malformed and truncated files', () => {
  const tiny = fixture('tiny.elf');
  const dv = new DataView(tiny.buffer, tiny.byteOffset);
  const phoff = Number(dv.getBigUint64(E_PHOFF, true));
  const shoff = Number(dv.getBigUint64(E_SHOFF, true));
  const textOff = Number(dv.getBigUint64(phoff + 8, true));

  test('truncation is reported for the part that is cut', () => {
    expectElfError(() => parseElf(tiny.subarray(0, 3)), /truncated ELF header \(3 of 64 bytes\)/);
    expectElfError(() => parseElf(tiny.subarray(0, 40)), /truncated ELF header \(40 of 64 bytes\)/);
    expectElfError(() => parseElf(tiny.subarray(0, shoff + 10)), /truncated section header table/);
    // Keep the section headers reachable by cutting only a segment: move e_shoff to 0 (no sections).
    const noSections = patch(tiny, (d) => d.setBigUint64(E_SHOFF, 0n, true));
    expect(parseElf(noSections).symbols).toEqual([]);
    expectElfError(() => parseElf(noSections.subarray(0, phoff + 60)), /truncated program header table/);
    expectElfError(() => parseElf(noSections.subarray(0, textOff + 8)), /truncated segment 0: bytes 0xb0\.\.0xe8 lie beyond the end of the file/);
  });

  test('every strict prefix of the file fails with an ElfError, never another exception', () => {
    for (let n = 0; n < tiny.length; n++) {
      expect(() => parseElf(tiny.subarray(0, n))).toThrow(ElfError);
    }
  });

  test('p_filesz > p_memsz, bad e_phentsize, addresses beyond 2^53', () => {
    expectElfError(() => parseElf(patch(tiny, (d) => d.setBigUint64(phoff + P_MEMSZ, 4n, true))), /segment 0: p_filesz 0x38 exceeds p_memsz 0x4/);
    expectElfError(() => parseElf(patch(tiny, (d) => d.setUint16(E_PHENTSIZE, 32, true))), /unsupported e_phentsize 32/);
    expectElfError(
      () => parseElf(patch(tiny, (d) => d.setBigUint64(phoff + P_PADDR, 0xffff_0000_4008_0000n, true))),
      /segment 0 p_paddr 0xffff000040080000 does not fit in 53 bits/,
    );
    expectElfError(() => parseElf(patch(tiny, (d) => d.setBigUint64(24, 1n << 60n, true))), /entry point 0x1000000000000000 does not fit/);
  });

  test('segments with p_memsz = 0 and non-PT_LOAD headers are skipped', () => {
    const img = parseElf(
      patch(tiny, (d) => {
        d.setBigUint64(phoff + P_FILESZ, 0n, true);
        d.setBigUint64(phoff + P_MEMSZ, 0n, true);
      }),
    );
    expect(img.segments.map((s) => s.paddr)).toEqual([0x40080100]);
    const oneHeader = parseElf(patch(tiny, (d) => d.setUint16(E_PHNUM, 1, true)));
    expect(oneHeader.segments).toHaveLength(1);
  });

  test('a segment with no file bytes (.bss only) may have p_offset past the end of the file, as GNU ld writes it', () => {
    // Segment 1 is tiny.elf's data segment: make it .bss-only at an offset beyond the file.
    const img = parseElf(
      patch(tiny, (d) => {
        d.setBigUint64(phoff + 56 + 8, BigInt(tiny.length + 0x1000), true); // p_offset
        d.setBigUint64(phoff + 56 + P_FILESZ, 0n, true);
      }),
    );
    expect(img.segments[1]).toMatchObject({ paddr: 0x40080100, data: new Uint8Array(0) });
    expect(img.segments[1].memsz).toBeGreaterThan(0);
    // With file bytes, the same offset is a truncation.
    expectElfError(() => parseElf(patch(tiny, (d) => d.setBigUint64(phoff + 56 + 8, BigInt(tiny.length + 0x1000), true))), /truncated segment 1/);
  });

  test('random corruption never escapes as a non-ElfError', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(tiny.length - 1), fc.nat(255)), { minLength: 1, maxLength: 8 }), (edits) => {
        const buf = tiny.slice();
        for (const [off, v] of edits) buf[off] = v;
        try {
          parseElf(buf);
        } catch (e) {
          if (!(e instanceof ElfError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('placeSegments overlap and symbolize at scale', () => {
  const seg = (paddr: number, memsz: number) => ({ paddr, vaddr: paddr, data: new Uint8Array(0), memsz, flags: PF_R });

  test('overlapping segments are rejected', () => {
    const img: ElfImage = { entry: 0x40080000, segments: [seg(0x40081000, 0x100), seg(0x40080000, 0x1001)], symbols: [] };
    expectElfError(() => placeSegments(img, { base: 0x40000000, size: 1 << 28 }), /segments at 0x40080000 and 0x40081000 overlap/);
    img.segments[1].memsz = 0x1000;
    expect(() => placeSegments(img, { base: 0x40000000, size: 1 << 28 })).not.toThrow();
  });

  test('aliases: global wins; size-0 functions reach the next function', () => {
    const fn = (name: string, value: number, size: number, bind: ElfSymbol['bind']): ElfSymbol => ({ name, value, size, type: 'func', bind });
    const img: ElfImage = {
      entry: 0,
      segments: [],
      symbols: [fn('local_alias', 0x1000, 0x20, 'local'), fn('real', 0x1000, 0x20, 'global'), fn('asm', 0x2000, 0, 'global'), fn('next', 0x2100, 0, 'global')],
    };
    expect(symbolize(img, 0x1010)?.name).toBe('real');
    expect(symbolize(img, 0x20fc)).toEqual({ name: 'asm', offset: 0xfc, size: 0 });
    expect(symbolize(img, 0x2100)?.name).toBe('next');
    expect(symbolize(img, 0x2104)).toBeUndefined(); // last size-0 function covers only its own address
  });

  test('binary search agrees with a linear scan over random non-overlapping functions', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 })), { minLength: 1, maxLength: 200 }),
        fc.array(fc.nat(20000), { minLength: 1, maxLength: 50 }),
        (layout, probes) => {
          const symbols: ElfSymbol[] = [];
          let addr = 0x100;
          layout.forEach(([gap, size], i) => {
            addr += gap * 4;
            symbols.push({ name: `f${i}`, value: addr, size: size * 4, type: 'func', bind: 'global' });
            addr += size * 4;
          });
          const img: ElfImage = { entry: 0, segments: [], symbols: [...symbols].reverse() };
          // Random probes plus every boundary, where an off-by-one would show.
          const edges = symbols.flatMap((s) => [s.value - 1, s.value, s.value + s.size - 1, s.value + s.size]);
          for (const p of [...probes, ...edges]) {
            const hit = symbols.find((s) => p >= s.value && p < s.value + s.size);
            const got = symbolize(img, p);
            expect(got).toEqual(hit ? { name: hit.name, offset: p - hit.value, size: hit.size } : undefined);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('formatSymbol sizes on the bundled guest, against its own kallsyms table', () => {
  // The guest's %pS reads kallsyms_addresses[] (generated at link time, as Linux does):
  // a symbol's size is the distance to the next one, or to _etext for the last.
  const img = loadElfFile(join(__dirname, '..', '..', 'guest', 'kgdb-lab-guest.elf'));
  const at = (addr: number, bytes: number): DataView => {
    const seg = img.segments.find((g) => addr >= g.vaddr && addr + bytes <= g.vaddr + g.data.length);
    if (!seg) throw new Error(`0x${addr.toString(16)} not in the image`);
    return new DataView(seg.data.buffer, seg.data.byteOffset + addr - seg.vaddr, bytes);
  };
  const sym = (name: string): number => {
    const v = findSymbol(img, name)?.value;
    if (v === undefined) throw new Error(`${name} missing`);
    return v;
  };
  const n = Number(at(sym('kallsyms_num_syms'), 8).getBigUint64(0, true));
  const table = at(sym('kallsyms_addresses'), n * 8);
  const addresses = Array.from({ length: n }, (_, i) => Number(table.getBigUint64(i * 8, true)));
  const etext = sym('_etext');

  test('every function the guest can name prints the guest\'s size', () => {
    let checked = 0;
    addresses.forEach((a, i) => {
      const text = formatSymbol(img, a);
      if (text === undefined) return; // a label kallsyms keeps but that is no function
      const size = (i + 1 < n ? addresses[i + 1] : etext) - a;
      expect(text).toMatch(new RegExp(`\\+0x0/0x${size.toString(16)}$`));
      checked++;
    });
    expect(checked).toBeGreaterThan(100);
  });

  test('arch_cpu_idle: padding after the function counts, as in the guest console', () => {
    const f = sym('arch_cpu_idle');
    const i = addresses.indexOf(f);
    expect(symbolize(img, f)?.size).toBeLessThan(addresses[i + 1] - f); // st_size excludes the padding
    expect(formatSymbol(img, f + 0x2c)).toBe(`arch_cpu_idle+0x2c/0x${(addresses[i + 1] - f).toString(16)}`);
  });
});
