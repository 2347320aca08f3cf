import { AARCH64_REGISTERS, AARCH64_SYSTEM_REGISTERS, FEATURE_CORE, FEATURE_FPU, FEATURE_SYSREGS, type RegisterDef } from './aarch64-regs';

/**
 * The target description served as `target.xml` through qXfer:features:read.
 *
 * Format: gdb manual, "Target Description Format" (a `<target>` with an `<architecture>` and
 * `<feature>` elements holding `<reg>`s; registers are numbered in document order unless a
 * `regnum` attribute says otherwise) and "Standard Target Features" → "AArch64 Features"
 * (`org.gnu.gdb.aarch64.core` must contain x0–x30, sp, pc and cpsr; `org.gnu.gdb.aarch64.fpu`
 * v0–v31, fpsr and fpcr; gdb's aarch64_gdbarch_init rejects a description lacking any of
 * these names). The register list comes from {@link AARCH64_REGISTERS}, the table `g` uses.
 *
 * The flag and vector types give gdb the same views of cpsr and the v registers as its
 * built-in description (gdb/features/aarch64-core.xml, aarch64-fpu.xml): `$cpsr` prints
 * its flags, `$v0.d.u` etc. parse. The v registers are unavailable (not modelled), but their
 * types still matter to expressions.
 */

/** PSTATE fields as SPSR_ELx holds them (ARM ARM C5.2.19, SPSR_EL1 for AArch64). */
const CPSR_FIELDS: readonly [string, number, number][] = [
  ['SP', 0, 0],
  ['EL', 2, 3],
  ['nRW', 4, 4],
  ['F', 6, 6],
  ['I', 7, 7],
  ['A', 8, 8],
  ['D', 9, 9],
  ['BTYPE', 10, 11],
  ['SSBS', 12, 12],
  ['IL', 20, 20],
  ['SS', 21, 21],
  ['PAN', 22, 22],
  ['UAO', 23, 23],
  ['DIT', 24, 24],
  ['TCO', 25, 25],
  ['V', 28, 28],
  ['C', 29, 29],
  ['Z', 30, 30],
  ['N', 31, 31],
];

/** FPSR cumulative exception and saturation bits (ARM ARM C5.2.10). */
const FPSR_FIELDS: readonly [string, number, number][] = [
  ['IOC', 0, 0],
  ['DZC', 1, 1],
  ['OFC', 2, 2],
  ['UFC', 3, 3],
  ['IXC', 4, 4],
  ['IDC', 7, 7],
  ['QC', 27, 27],
  ['V', 28, 28],
  ['C', 29, 29],
  ['Z', 30, 30],
  ['N', 31, 31],
];

/** FPCR controls (ARM ARM C5.2.8). */
const FPCR_FIELDS: readonly [string, number, number][] = [
  ['IOE', 8, 8],
  ['DZE', 9, 9],
  ['OFE', 10, 10],
  ['UFE', 11, 11],
  ['IXE', 12, 12],
  ['IDE', 15, 15],
  ['Len', 16, 18],
  ['Stride', 20, 21],
  ['RMode', 22, 23],
  ['FZ', 24, 24],
  ['DN', 25, 25],
  ['AHP', 26, 26],
];

function flags(id: string, fields: readonly [string, number, number][]): string[] {
  return [
    `    <flags id="${id}" size="4">`,
    ...fields.map(([name, start, end]) => `      <field name="${name}" start="${start}" end="${end}"/>`),
    '    </flags>',
  ];
}

/** The vector views of a 128-bit v register: aarch64v = union of d/s/h/b/q lanes. */
function vectorTypes(): string[] {
  const vec = (id: string, type: string, count: number) => `    <vector id="${id}" type="${type}" count="${count}"/>`;
  const union = (id: string, members: [string, string][]) => [
    `    <union id="${id}">`,
    ...members.map(([name, type]) => `      <field name="${name}" type="${type}"/>`),
    '    </union>',
  ];
  return [
    vec('v2d', 'ieee_double', 2),
    vec('v2u', 'uint64', 2),
    vec('v2i', 'int64', 2),
    vec('v4f', 'ieee_single', 4),
    vec('v4u', 'uint32', 4),
    vec('v4i', 'int32', 4),
    vec('v8f', 'ieee_half', 8),
    vec('v8u', 'uint16', 8),
    vec('v8i', 'int16', 8),
    vec('v16u', 'uint8', 16),
    vec('v16i', 'int8', 16),
    vec('v1u', 'uint128', 1),
    vec('v1i', 'int128', 1),
    ...union('vnd', [['f', 'v2d'], ['u', 'v2u'], ['s', 'v2i']]),
    ...union('vns', [['f', 'v4f'], ['u', 'v4u'], ['s', 'v4i']]),
    ...union('vnh', [['f', 'v8f'], ['u', 'v8u'], ['s', 'v8i']]),
    ...union('vnb', [['u', 'v16u'], ['s', 'v16i']]),
    ...union('vnq', [['u', 'v1u'], ['s', 'v1i']]),
    ...union('aarch64v', [['d', 'vnd'], ['s', 'vns'], ['h', 'vnh'], ['b', 'vnb'], ['q', 'vnq']]),
  ];
}

function reg(def: RegisterDef): string {
  const group = def.group ? ` group="${def.group}"` : '';
  const saveRestore = def.saveRestore === false ? ' save-restore="no"' : '';
  return `    <reg name="${def.name}" bitsize="${def.size * 8}" type="${def.type}" regnum="${def.regnum}"${saveRestore}${group}/>`;
}

function feature(name: string, types: string[]): string[] {
  return [
    `  <feature name="${name}">`,
    ...types,
    ...[...AARCH64_REGISTERS, ...AARCH64_SYSTEM_REGISTERS].filter((r) => r.feature === name).map(reg),
    '  </feature>',
  ];
}

/** The complete target.xml text (ASCII). */
export function aarch64TargetXml(): string {
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
    '<target version="1.0">',
    '  <architecture>aarch64</architecture>',
    // A kernel has no Linux user-space ABI (signal trampolines, solibs): gdb's GNU/Linux default
    // would probe every frame for a sigreturn trampoline, two uncached reads per frame.
    '  <osabi>none</osabi>',
    ...feature(FEATURE_CORE, flags('cpsr_flags', CPSR_FIELDS)),
    ...feature(FEATURE_FPU, [
      ...vectorTypes(),
      ...flags('fpsr_flags', FPSR_FIELDS),
      ...flags('fpcr_flags', FPCR_FIELDS),
    ]),
    // EL1 system registers, read with `p` (not in `g`); no group, so `info registers` lists them.
    ...feature(FEATURE_SYSREGS, []),
    '</target>',
    '',
  ].join('\n');
}
