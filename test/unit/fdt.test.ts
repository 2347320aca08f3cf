import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import fc from 'fast-check';
import {
  buildVirtDeviceTree,
  FDT_MAGIC,
  FdtError,
  FdtNode,
  parseFdt,
  qemuElfDtbAddress,
  QEMU_VIRT_FDT_SIZE,
  virtCpuAffinity,
  virtFdtDescription,
  virtGicrRegions,
  writeFdt,
} from '../../src/machine/fdt';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fdt-test-'));
});
afterAll(() => rmSync(dir, { recursive: true }));

let seq = 0;
/** Decodes a DTB with the reference implementation, dtc; fails on any dtc diagnostic. */
function dtcDecode(dtb: Uint8Array): string {
  const file = join(dir, `t${seq++}.dtb`);
  writeFileSync(file, dtb);
  const r = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', file], { encoding: 'utf8' });
  if (r.error) throw r.error;
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

/** Compiles DTS source with dtc. */
function dtcCompile(dts: string): Uint8Array {
  const file = join(dir, `s${seq++}.dts`);
  writeFileSync(file, dts);
  const r = spawnSync('dtc', ['-I', 'dts', '-O', 'dtb', '-q', file]);
  if (r.error) throw r.error;
  expect(r.status).toBe(0);
  return new Uint8Array(r.stdout);
}

/**
 * Runs QEMU 7.2 `-M virt,gic-version=3` with dumpdtb. A raw (non-ELF) kernel is needed for
 * -append to be allowed; QEMU exits right after writing the blob.
 */
function qemuDtb(smp: number, bootargs: string): Uint8Array {
  const kernel = join(dir, 'kernel.bin');
  writeFileSync(kernel, Buffer.from([0x00, 0x00, 0x00, 0x14])); // b .
  const out = join(dir, `qemu-${smp}.dtb`);
  const r = spawnSync(
    'qemu-system-aarch64',
    ['-M', `virt,gic-version=3,dumpdtb=${out}`, '-cpu', 'cortex-a57', '-smp', String(smp), '-m', '256M',
      '-kernel', kernel, '-append', bootargs, '-nographic', '-monitor', 'none', '-serial', 'none'],
    { encoding: 'utf8', timeout: 30000 },
  );
  if (r.error) throw r.error;
  expect(r.status).toBe(0);
  return new Uint8Array(readFileSync(out));
}

/** Tree as {path: {prop: "hex bytes"}} for deep equality in assertions. */
function flatten(node: FdtNode, path = '', out: Record<string, Record<string, string>> = {}): Record<string, Record<string, string>> {
  const p = path === '' ? '/' : path;
  out[p] = Object.fromEntries(node.props.map((x) => [x.name, Buffer.from(x.value).toString('hex')]));
  for (const c of node.children) flatten(c, (path === '/' ? '' : path) + '/' + c.name, out);
  return out;
}

describe('generic writer', () => {
  function sample(): FdtNode {
    const root = new FdtNode('');
    root.setU32('#address-cells', 2).setU32('#size-cells', 2).setString('model', 'test');
    const dev = root.addNode('dev@1000');
    dev
      .setU64s('reg', [0x1000, 0x1_0000_0000 + 0x20])
      .setCells('cells', [0, 1, 0xffffffff])
      .setStrings('compatible', ['a,b', 'c'])
      .setEmpty('flag')
      .setBytes('raw', Uint8Array.from([1, 2, 3]));
    dev.addNode('child').setString('status', 'okay');
    root.addNode('empty');
    return root;
  }

  test('header, reservation block and layout (DTSpec 5.2-5.3)', () => {
    const dtb = writeFdt(sample(), { memReserve: [{ address: 0x4000_0000, size: 0x1000 }], bootCpuidPhys: 3 });
    const { header, memReserve } = parseFdt(dtb);
    const dv = new DataView(dtb.buffer);
    expect(dv.getUint32(0)).toBe(FDT_MAGIC);
    expect(header).toMatchObject({ totalsize: dtb.length, version: 17, lastCompVersion: 16, bootCpuidPhys: 3, offMemRsvmap: 40 });
    // One entry plus the {0,0} terminator, then the structure block.
    expect(header.offDtStruct).toBe(40 + 2 * 16);
    expect(Array.from(dtb.subarray(56, 72))).toEqual(new Array(16).fill(0));
    expect(header.offDtStrings).toBe(header.offDtStruct + header.sizeDtStruct);
    expect(header.offDtStrings + header.sizeDtStrings).toBe(dtb.length);
    expect(memReserve).toEqual([{ address: 0x4000_0000, size: 0x1000 }]);
    // The structure block ends with FDT_END.
    expect(dv.getUint32(header.offDtStruct + header.sizeDtStruct - 4)).toBe(9);
  });

  test('dtc decodes every value kind as written', () => {
    const dts = dtcDecode(writeFdt(sample(), { memReserve: [{ address: 0x4000_0000, size: 0x1000 }] }));
    expect(dts).toContain('/memreserve/\t0x0000000040000000 0x0000000000001000;');
    expect(dts).toContain('model = "test";');
    expect(dts).toContain('reg = <0x00 0x1000 0x01 0x20>;');
    expect(dts).toContain('cells = <0x00 0x01 0xffffffff>;');
    expect(dts).toContain('compatible = "a,b\\0c";');
    expect(dts).toContain('flag;');
    expect(dts).toContain('raw = [01 02 03];');
    expect(dts).toMatch(/dev@1000 \{[\s\S]*child \{\s*status = "okay";\s*\};\s*\};\s*empty \{\s*\};/);
  });

  test('round trip through parseFdt, and getters', () => {
    const dtb = writeFdt(sample());
    const { root } = parseFdt(dtb);
    expect(flatten(root)).toEqual(flatten(sample()));
    const dev = root.find('/dev@1000')!;
    expect(dev.getCells('reg')).toEqual([0, 0x1000, 1, 0x20]);
    expect(dev.getStrings('compatible')).toEqual(['a,b', 'c']);
    expect(root.find('/dev@1000/child')!.getString('status')).toBe('okay');
    expect(() => dev.getString('compatible')).toThrow(FdtError);
    expect(() => dev.getCells('raw')).toThrow(FdtError);
    expect(root.find('/nope')).toBeUndefined();
    // Property names are stored once in the strings block.
    const again = new FdtNode('');
    again.addNode('a').setU32('x', 1);
    again.addNode('b').setU32('x', 2);
    expect(parseFdt(writeFdt(again)).header.sizeDtStrings).toBe(2);
  });

  test('agrees with dtc in both directions on a dtc-compiled tree', () => {
    const dts = `/dts-v1/;
/memreserve/ 0x48000000 0x200000;
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	compatible = "x,y", "z";
	node@0 { reg = <0 0 0 0x100>; bytes = [de ad be ef 01]; e; };
	other { p-handle = <&lbl>; };
	lbl: target { phandle2 = <7>; s = "with space"; };
};`;
    const reference = dtcCompile(dts);
    const parsed = parseFdt(reference);
    expect(parsed.memReserve).toEqual([{ address: 0x4800_0000, size: 0x20_0000 }]);
    const rewritten = writeFdt(parsed.root, { memReserve: parsed.memReserve });
    expect(dtcDecode(rewritten)).toBe(dtcDecode(reference));
  });

  test('random trees round-trip and dtc accepts them', () => {
    // Distinct prefixes keep random names clear of dtc's semantic checks (node/property
    // name clashes, well-known properties such as reg, phandle or *-gpios).
    const propName = fc.stringMatching(/^x-[a-z0-9,._+]{0,12}$/);
    const nodeName = fc.stringMatching(/^n[a-z0-9,._+-]{0,14}$/);
    const propValue = fc.oneof(
      fc.array(fc.nat(0xffffffff), { maxLength: 6 }).map((c) => ({ k: 'cells' as const, c })),
      fc.array(fc.stringMatching(/^[ -~]{0,12}$/), { minLength: 1, maxLength: 3 }).map((s) => ({ k: 'strings' as const, s })),
      fc.uint8Array({ maxLength: 9 }).map((b) => ({ k: 'bytes' as const, b })),
    );
    type Shape = { props: [string, typeof propValue extends fc.Arbitrary<infer V> ? V : never][]; kids: [string, Shape][] };
    const shapeAt = (depth: number): fc.Arbitrary<Shape> =>
      fc.record({
        props: fc.uniqueArray(fc.tuple(propName, propValue), { maxLength: 4, selector: (p) => p[0] }),
        kids: depth === 0 ? fc.constant([]) : fc.uniqueArray(fc.tuple(nodeName, shapeAt(depth - 1)), { maxLength: 3, selector: (k) => k[0] }),
      });
    const shape = shapeAt(3);
    const build = (n: FdtNode, s: Shape): FdtNode => {
      for (const [pn, v] of s.props) {
        if (v.k === 'cells') n.setCells(pn, v.c);
        else if (v.k === 'strings') n.setStrings(pn, v.s);
        else n.setBytes(pn, v.b);
      }
      for (const [kn, ks] of s.kids) build(n.addNode(kn), ks);
      return n;
    };
    let dtcRuns = 0;
    fc.assert(
      fc.property(shape, (s) => {
        const tree = build(new FdtNode(''), s);
        const dtb = writeFdt(tree);
        expect(flatten(parseFdt(dtb).root)).toEqual(flatten(tree));
        if (dtcRuns++ < 20) dtcDecode(dtb); // dtc must read it without complaint
      }),
      { numRuns: 300 },
    );
  });

  test('invalid input is rejected', () => {
    const n = new FdtNode('');
    expect(() => n.addNode('Bad Name')).toThrow(/invalid node name/);
    expect(() => n.addNode('x'.repeat(32))).toThrow(FdtError);
    n.addNode('a');
    expect(() => n.addNode('a')).toThrow(/duplicate node "a"/);
    n.setU32('p', 1);
    expect(() => n.setU32('p', 2)).toThrow(/duplicate property "p"/);
    expect(() => n.setU32('q', 2 ** 32)).toThrow(/not a u32 cell/);
    expect(() => n.setU32('q', -1)).toThrow(FdtError);
    expect(() => n.setU32('q', 1.5)).toThrow(FdtError);
    expect(() => n.setU64s('q', [2 ** 53])).toThrow(/below 2\^53/);
    expect(() => n.setString('q', 'a\0b')).toThrow(/NUL/);
    expect(() => n.setU32('bad name', 1)).toThrow(/invalid property name/);
    expect(() => writeFdt(n, { padTo: 10 })).toThrow(/more than padTo/);
    const padded = writeFdt(n, { padTo: 4096 });
    expect(padded.length).toBe(4096);
    expect(parseFdt(padded).header.totalsize).toBe(4096);
  });

  test('malformed blobs are rejected by parseFdt', () => {
    const good = writeFdt(sample());
    const bad = (edit: (dv: DataView, b: Uint8Array) => void): Uint8Array => {
      const b = good.slice();
      edit(new DataView(b.buffer), b);
      return b;
    };
    expect(() => parseFdt(good.subarray(0, 20))).toThrow(/truncated header/);
    expect(() => parseFdt(bad((dv) => dv.setUint32(0, 0x12345678)))).toThrow(/bad magic/);
    expect(() => parseFdt(bad((dv) => dv.setUint32(24, 18)))).toThrow(/unsupported version/);
    expect(() => parseFdt(good.subarray(0, good.length - 1))).toThrow(/exceeds/);
    const structOff = new DataView(good.buffer).getUint32(8);
    expect(() => parseFdt(bad((dv) => dv.setUint32(structOff, 7)))).toThrow(/bad token 0x7/);
    expect(() => parseFdt(bad((dv) => dv.setUint32(structOff, 2)))).toThrow(/unbalanced/);
    // FDT_NOP is legal between tokens: splice one in after the root's BEGIN_NODE and name.
    const hv = new DataView(good.buffer);
    const at = structOff + 8;
    const withNop = new Uint8Array(good.length + 4);
    withNop.set(good.subarray(0, at));
    new DataView(withNop.buffer).setUint32(at, 4);
    withNop.set(good.subarray(at), at + 4);
    const nv = new DataView(withNop.buffer);
    nv.setUint32(4, hv.getUint32(4) + 4); // totalsize
    nv.setUint32(12, hv.getUint32(12) + 4); // off_dt_strings
    nv.setUint32(36, hv.getUint32(36) + 4); // size_dt_struct
    expect(flatten(parseFdt(withNop).root)).toEqual(flatten(sample()));
    expect(dtcDecode(withNop)).toBe(dtcDecode(good));
  });
});

/** Normalises phandle references to node paths so trees with different phandle numbering compare. */
function normalise(root: FdtNode): Record<string, Record<string, string>> {
  const flat = flatten(root);
  const byHandle = new Map<string, string>();
  for (const [path, props] of Object.entries(flat)) if (props.phandle) byHandle.set(props.phandle, path);
  for (const props of Object.values(flat)) {
    for (const ref of ['interrupt-parent', 'clocks']) {
      if (props[ref]) props[ref] = 'refs:' + (props[ref].match(/.{8}/g) ?? []).map((h) => byHandle.get(h) ?? `?${h}`).join(',');
    }
    if (props.phandle) props.phandle = '<phandle>';
  }
  return flat;
}

/** QEMU nodes and properties we leave out on purpose (see buildVirtDeviceTree's docstring). */
const OMITTED_NODE = /^\/(platform-bus|fw-cfg|virtio_mmio|gpio-keys|pl061|pcie|pl031|flash|pmu)@?|^\/intc@8000000\/its@|^\/cpus\/cpu-map/;
const OMITTED_PROPS: Record<string, string[]> = { '/chosen': ['rng-seed', 'kaslr-seed'] };

function compareWithQemu(ours: Uint8Array, qemu: Uint8Array): void {
  const o = parseFdt(ours);
  const q = parseFdt(qemu);
  expect(o.header).toMatchObject({ version: q.header.version, lastCompVersion: q.header.lastCompVersion, bootCpuidPhys: q.header.bootCpuidPhys, totalsize: q.header.totalsize });
  expect(o.memReserve).toEqual(q.memReserve);
  const on = normalise(o.root);
  const qn = normalise(q.root);
  for (const [path, props] of Object.entries(qn)) {
    if (OMITTED_NODE.test(path)) {
      expect(on[path]).toBeUndefined();
      continue;
    }
    expect({ path, present: on[path] !== undefined }).toEqual({ path, present: true });
    const expected = { ...props };
    for (const p of OMITTED_PROPS[path] ?? []) delete expected[p];
    // QEMU gives cpu nodes a phandle only for cpu-map, which we omit.
    if (/^\/cpus\/cpu@/.test(path)) delete expected.phandle;
    expect({ path, props: on[path] }).toEqual({ path, props: expected });
  }
  for (const path of Object.keys(on)) expect({ path, inQemu: qn[path] !== undefined }).toEqual({ path, inQemu: true });
}

describe('QEMU virt device tree', () => {
  const build = (cpus: number, bootargs = 'foo=bar'): Uint8Array =>
    buildVirtDeviceTree(virtFdtDescription({ cpus, ramSize: 256 * 1024 * 1024, bootargs }));

  test('4 CPUs: dtc shows the nodes a bare-metal guest needs', () => {
    const dtb = build(4);
    expect(dtb.length).toBe(QEMU_VIRT_FDT_SIZE);
    const dts = dtcDecode(dtb);
    for (const line of [
      'compatible = "linux,dummy-virt";',
      'bootargs = "foo=bar";',
      'stdout-path = "/pl011@9000000";',
      'reg = <0x00 0x40000000 0x00 0x10000000>;',
      'compatible = "arm,psci-1.0\\0arm,psci-0.2\\0arm,psci";',
      'method = "hvc";',
      'cpu_on = <0xc4000003>;',
      'reg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0xf60000>;',
      '#redistributor-regions = <0x01>;',
      'interrupt-controller;',
      'interrupts = <0x00 0x01 0x04>;',
      'interrupts = <0x01 0x0d 0x04 0x01 0x0e 0x04 0x01 0x0b 0x04 0x01 0x0a 0x04>;',
      'compatible = "fixed-clock";',
    ]) {
      expect(dts).toContain(line);
    }
    const root = parseFdt(dtb).root;
    expect(root.find('/cpus')!.children.map((c) => c.name)).toEqual(['cpu@0', 'cpu@1', 'cpu@2', 'cpu@3']);
    expect(root.find('/cpus/cpu@3')!.getCells('reg')).toEqual([3]);
    expect(root.getCells('interrupt-parent')).toEqual(root.find('/intc@8000000')!.getCells('phandle'));
    expect(root.find('/pl011@9000000')!.getCells('clocks')).toEqual([0x8000, 0x8000]);
    expect(root.find('/apb-pclk')!.getCells('phandle')).toEqual([0x8000]);
  });

  test('4 CPUs: structurally identical to QEMU 7.2 -smp 4 (modelled nodes)', () => {
    compareWithQemu(build(4), qemuDtb(4, 'foo=bar'));
  });

  test('20 CPUs: cpu reg is the MPIDR affinity (Aff1 << 8 | Aff0), as QEMU', () => {
    const root = parseFdt(build(20)).root;
    expect(root.find('/cpus/cpu@15')!.getCells('reg')).toEqual([0x0f]);
    expect(root.find('/cpus/cpu@16')!.getCells('reg')).toEqual([0x100]);
    expect(root.find('/cpus/cpu@19')!.getCells('reg')).toEqual([0x103]);
    compareWithQemu(build(20), qemuDtb(20, 'foo=bar'));
  });

  test('200 CPUs: a second redistributor region, as QEMU', () => {
    const dtb = build(200);
    const dts = dtcDecode(dtb);
    expect(dts).toContain('#redistributor-regions = <0x02>;');
    expect(dts).toContain('reg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0xf60000 0x40 0x00 0x00 0x4000000>;');
    const cpus = parseFdt(dtb).root.find('/cpus')!;
    expect(cpus.children).toHaveLength(200);
    expect(cpus.child('cpu@199')!.getCells('reg')).toEqual([0xc07]);
    compareWithQemu(dtb, qemuDtb(200, 'foo=bar'));
  });

  test('1 CPU: no enable-method; empty bootargs are omitted (QEMU does both)', () => {
    const root = parseFdt(build(1, '')).root;
    expect(root.find('/cpus/cpu@0')!.prop('enable-method')).toBeUndefined();
    expect(root.find('/chosen')!.prop('bootargs')).toBeUndefined();
    expect(root.find('/chosen')!.getString('stdout-path')).toBe('/pl011@9000000');
  });

  test('Aff3 switches /cpus to 2 address cells and a u64 reg', () => {
    const desc = { ...virtFdtDescription({ cpus: 2, ramSize: 1 << 27 }), mpidr: (i: number) => 0x8000_0000 + (i ? 0x1_0000_0000 + 1 : 0), padTo: 0x2000 };
    const root = parseFdt(buildVirtDeviceTree(desc)).root;
    expect(root.find('/cpus')!.getCells('#address-cells')).toEqual([2]);
    expect(root.find('/cpus/cpu@0')!.getCells('reg')).toEqual([0, 0]); // RES1 bit 31 dropped
    expect(root.find('/cpus/cpu@1')!.getCells('reg')).toEqual([1, 1]);
  });

  test('description helpers follow QEMU virt', () => {
    expect([0, 15, 16, 123, 511].map(virtCpuAffinity)).toEqual([0, 0xf, 0x100, 0x70b, 0x1f0f]);
    expect(virtGicrRegions(123)).toHaveLength(1);
    expect(virtGicrRegions(124)).toEqual([{ base: 0x080a_0000, size: 0xf6_0000 }, { base: 0x40_0000_0000, size: 0x400_0000 }]);
  });

  test('invalid descriptions are rejected', () => {
    const base = virtFdtDescription({ cpus: 2, ramSize: 1 << 27 });
    expect(() => buildVirtDeviceTree({ ...base, cpus: 0 })).toThrow(/positive integer/);
    expect(() => buildVirtDeviceTree({ ...base, gicrRegions: [] })).toThrow(/GICR region/);
    expect(() => buildVirtDeviceTree({ ...base, uartIntid: 30 })).toThrow(/not an SPI/);
    expect(() => buildVirtDeviceTree({ ...base, timerIntids: { ...base.timerIntids, virtual: 33 } })).toThrow(/not a PPI/);
    expect(() => buildVirtDeviceTree({ ...base, padTo: 64 })).toThrow(/more than padTo/);
  });
});

describe('qemuElfDtbAddress (hw/arm/boot.c rule, measured on QEMU 7.2)', () => {
  const RAM = 0x4000_0000;
  test.each([
    [0x4008_0000, 0x4008_1000, undefined], // linked 512 KiB above RAM: the 1 MiB DTB does not fit
    [0x400f_fffc, 0x4010_0000, undefined],
    [0x4010_0000, 0x4010_1000, RAM], // exactly 1 MiB of room
    [0x4020_0000, 0x4020_1000, RAM],
    [0x4000_0000, 0x4000_1000, undefined], // image covers the start of RAM
    [0x0000_1000, 0x0000_2000, RAM], // image entirely below RAM (flash)
  ])('image [%s, %s) -> %s', (low, high, expected) => {
    expect(qemuElfDtbAddress(RAM, low, high, QEMU_VIRT_FDT_SIZE)).toBe(expected);
  });
});
