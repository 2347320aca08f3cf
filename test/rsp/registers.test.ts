import { AARCH64_REGISTERS, AARCH64_SYSTEM_REGISTERS, G_PACKET_BYTES, writeRegisterFile } from '../../src/rsp/aarch64-regs';
import { aarch64TargetXml } from '../../src/rsp/target-xml';
import { ReplyBuilder } from '../../src/rsp/writer';

const byName = (n: string) => AARCH64_REGISTERS.find((r) => r.name === n)!;

describe('AArch64 register layout (gdb aarch64-core.xml + aarch64-fpu.xml)', () => {
  test('68 registers, 788 bytes, gdb offsets', () => {
    expect(AARCH64_REGISTERS).toHaveLength(68);
    expect(G_PACKET_BYTES).toBe(788);
    expect(byName('x0').offset).toBe(0);
    expect(byName('x30').offset).toBe(240);
    expect(byName('sp')).toMatchObject({ offset: 248, size: 8, regnum: 0x1f });
    expect(byName('pc')).toMatchObject({ offset: 256, size: 8, regnum: 0x20 });
    expect(byName('cpsr')).toMatchObject({ offset: 264, size: 4, regnum: 0x21 });
    expect(byName('v0')).toMatchObject({ offset: 268, size: 16, regnum: 0x22 });
    expect(byName('v31')).toMatchObject({ offset: 764, regnum: 0x41 });
    expect(byName('fpsr')).toMatchObject({ offset: 780, size: 4, regnum: 0x42 });
    expect(byName('fpcr')).toMatchObject({ offset: 784, size: 4, regnum: 0x43 });
  });

  test('offsets are contiguous and regnums are the index', () => {
    let off = 0;
    AARCH64_REGISTERS.forEach((r, i) => {
      expect(r.regnum).toBe(i);
      expect(r.offset).toBe(off);
      off += r.size;
    });
  });

  test('target.xml lists the same registers, sizes and numbers, in the same order', () => {
    const xml = aarch64TargetXml();
    const regs = [...xml.matchAll(/<reg name="([^"]+)" bitsize="(\d+)" type="[^"]+" regnum="(\d+)"/g)].map((m) => ({
      name: m[1],
      bits: Number(m[2]),
      regnum: Number(m[3]),
    }));
    // The g registers, then the EL1 system registers (read with p, outside g).
    expect(regs).toEqual([...AARCH64_REGISTERS, ...AARCH64_SYSTEM_REGISTERS].map((r) => ({ name: r.name, bits: r.size * 8, regnum: r.regnum })));
    expect(AARCH64_SYSTEM_REGISTERS.map((r) => [r.name, r.regnum])).toEqual(
      ['esr_el1', 'far_el1', 'elr_el1', 'spsr_el1', 'vbar_el1', 'sctlr_el1', 'icc_pmr_el1', 'icc_rpr_el1'].map((n, i) => [n, 68 + i]),
    );
    expect(G_PACKET_BYTES).toBe(788);
    const sys = xml.slice(xml.indexOf('org.kgdb-lab.aarch64.sysregs'));
    expect(sys).toContain('name="esr_el1" bitsize="64"');
    // Read-only and changed by the trap that ends an inferior call: not saved and restored around it.
    expect((sys.match(/save-restore="no"/g) ?? []).length).toBe(AARCH64_SYSTEM_REGISTERS.length);
    expect(xml.slice(0, xml.indexOf('org.kgdb-lab.aarch64.sysregs'))).not.toContain('save-restore');
    expect(sys).not.toContain('name="fpcr"');
    expect(xml).toContain('<architecture>aarch64</architecture>');
    // Each register sits in the feature gdb's aarch64_gdbarch_init looks it up in.
    const core = xml.slice(xml.indexOf('org.gnu.gdb.aarch64.core'), xml.indexOf('org.gnu.gdb.aarch64.fpu'));
    expect(core).toContain('name="cpsr" bitsize="32"');
    expect(core).not.toContain('name="v0"');
    expect(xml.indexOf('name="fpsr"')).toBeLessThan(xml.indexOf('name="fpcr"'));
  });

  test('target.xml declares every type its registers use', () => {
    const xml = aarch64TargetXml();
    const predefined = new Set(['int', 'data_ptr', 'code_ptr']);
    for (const r of AARCH64_REGISTERS) {
      if (!predefined.has(r.type)) expect(xml).toMatch(new RegExp(`id="${r.type}"`));
    }
    expect(xml).not.toMatch(/[$#}*]/);
  });

  test('the g image: little-endian values, cpsr 4 bytes at 264, FP unavailable', () => {
    const out = new ReplyBuilder();
    writeRegisterFile(out, {
      x: Array.from({ length: 31 }, (_, i) => (i === 1 ? 0x0123_4567_89ab_cdefn : BigInt(i))),
      sp: 0xffff_8000_0000_1000n,
      pc: 0x4000_0000n,
      cpsr: 0x6000_03c5,
    });
    const hex = Buffer.from(out.payload()).toString('latin1');
    expect(hex).toHaveLength(1576);
    expect(hex.slice(16, 32)).toBe('efcdab8967452301');
    expect(hex.slice(248 * 2, 256 * 2)).toBe('001000000080ffff');
    expect(hex.slice(264 * 2, 268 * 2)).toBe('c5030060');
    expect(hex.slice(268 * 2)).toBe('x'.repeat((788 - 268) * 2));
  });

  test('unavailable core registers are xx, values wrap modulo their size', () => {
    const out = new ReplyBuilder();
    writeRegisterFile(out, { x: [-1n, ...new Array(30).fill(undefined)], sp: undefined, pc: 1n << 64n, cpsr: -1 });
    const hex = Buffer.from(out.payload()).toString('latin1');
    expect(hex.slice(0, 16)).toBe('ffffffffffffffff');
    expect(hex.slice(16, 32)).toBe('xxxxxxxxxxxxxxxx');
    expect(hex.slice(256 * 2, 264 * 2)).toBe('0000000000000000');
    expect(hex.slice(264 * 2, 268 * 2)).toBe('ffffffff');
  });
});
