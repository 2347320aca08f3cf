import { toLittleEndian } from './hex';
import type { AArch64CoreRegs, CoreRegId, SystemRegisterName } from './target';
import type { ReplyBuilder } from './writer';

/** gdb's feature names for the AArch64 register sets (gdb/features/aarch64-{core,fpu}.xml). */
export const FEATURE_CORE = 'org.gnu.gdb.aarch64.core';
export const FEATURE_FPU = 'org.gnu.gdb.aarch64.fpu';
/**
 * Our own feature for EL1 system registers. gdb accepts features it does not know and shows
 * their registers by name (gdb manual, "Target Descriptions"); they lie outside the `g`
 * packet, so gdb reads them one by one with `p` (remote.c: registers past the end of the
 * `g` reply are not "in_g_packet").
 */
export const FEATURE_SYSREGS = 'org.kgdb-lab.aarch64.sysregs';

/** One register as gdb sees it. */
export interface RegisterDef {
  /** gdb's name (`x0`, `sp`, `pc`, `cpsr`, `v0`, `fpsr`, `fpcr`). */
  readonly name: string;
  /** gdb's register number: the `p`/`P` number, and the order in `g`. */
  readonly regnum: number;
  /** Size in bytes. */
  readonly size: number;
  /** Byte offset in the `g` packet. */
  readonly offset: number;
  readonly feature: typeof FEATURE_CORE | typeof FEATURE_FPU | typeof FEATURE_SYSREGS;
  /** The target-description type name (a predefined gdb type or one declared in target.xml). */
  readonly type: string;
  /** Register group for `info registers` (gdb's default grouping when absent). */
  readonly group?: string;
  /** The target's register id when the register is modelled; undefined: FP/SIMD, not modelled. */
  readonly core?: CoreRegId;
  /** For the system registers (outside `g`): which one. */
  readonly sys?: SystemRegisterName;
  /**
   * false: gdb must not save and restore it around an inferior call (target.xml
   * `save-restore="no"`, gdb manual, "Target Description Format"). The read-only system
   * registers change when the call's return breakpoint traps (ESR, ELR, SPSR); restoring
   * them would be a refused write that fails the whole `call`.
   */
  readonly saveRestore?: false;
}

function buildTable(): RegisterDef[] {
  const regs: Omit<RegisterDef, 'offset' | 'regnum'>[] = [];
  for (let n = 0; n <= 30; n++) {
    regs.push({ name: `x${n}`, size: 8, feature: FEATURE_CORE, type: 'int', core: n });
  }
  regs.push({ name: 'sp', size: 8, feature: FEATURE_CORE, type: 'data_ptr', core: 31 });
  regs.push({ name: 'pc', size: 8, feature: FEATURE_CORE, type: 'code_ptr', core: 32 });
  // 32 bits: gdb's core feature declares cpsr with bitsize 32; an 8-byte value makes gdb
  // reject the whole `g` reply as too long (Linux arch/arm64/include/asm/kgdb.h comment).
  regs.push({ name: 'cpsr', size: 4, feature: FEATURE_CORE, type: 'cpsr_flags', core: 33 });
  for (let n = 0; n <= 31; n++) {
    regs.push({ name: `v${n}`, size: 16, feature: FEATURE_FPU, type: 'aarch64v', group: 'vector' });
  }
  // fpsr before fpcr: gdb's aarch64-fpu.xml order. (The Rust gdbstub_arch aarch64 registers,
  // reg/aarch64_core.rs, serialise fpcr first while declaring fpsr first: gdb would show
  // the two swapped.)
  regs.push({ name: 'fpsr', size: 4, feature: FEATURE_FPU, type: 'fpsr_flags', group: 'float' });
  regs.push({ name: 'fpcr', size: 4, feature: FEATURE_FPU, type: 'fpcr_flags', group: 'float' });
  let offset = 0;
  return regs.map((r, regnum) => {
    const def = { ...r, regnum, offset };
    offset += r.size;
    return def;
  });
}

/**
 * The AArch64 register file in gdb's order: x0..x30, sp, pc (8 bytes each), cpsr (4 bytes,
 * offset 264), v0..v31 (16 bytes each, offset 268), fpsr (offset 780), fpcr (offset 784).
 * Sources: gdb/features/aarch64-core.xml and aarch64-fpu.xml (register order and sizes);
 * gdb manual, "Target Description Format" (registers are numbered in document order).
 * The same table drives target.xml, `g`, `G`, `p`, `P` and expedited registers, so they
 * cannot disagree.
 */
export const AARCH64_REGISTERS: readonly RegisterDef[] = buildTable();

/**
 * The system registers, numbered after fpcr (68…), read-only, not part of `g` (offset -1),
 * and not saved or restored around inferior calls.
 */
export const AARCH64_SYSTEM_REGISTERS: readonly RegisterDef[] = (
  [
    ['esr_el1', 'uint64'],
    ['far_el1', 'data_ptr'],
    ['elr_el1', 'code_ptr'],
    ['spsr_el1', 'uint64'],
    ['vbar_el1', 'code_ptr'],
    ['sctlr_el1', 'uint64'],
    ['icc_pmr_el1', 'uint64'],
    ['icc_rpr_el1', 'uint64'],
  ] as const
).map(([name, type], i) => ({ name, regnum: AARCH64_REGISTERS.length + i, size: 8, offset: -1, feature: FEATURE_SYSREGS, type, sys: name, saveRestore: false }));

/** The register gdb numbers `regnum` (`p`/`P`), in or outside `g`; undefined if none. */
export function registerByNumber(regnum: number): RegisterDef | undefined {
  return AARCH64_REGISTERS[regnum] ?? AARCH64_SYSTEM_REGISTERS[regnum - AARCH64_REGISTERS.length];
}

/** Size of the `g` reply in bytes: 33·8 + 4 + 32·16 + 2·4 = 788 (1576 hex characters). */
export const G_PACKET_BYTES = AARCH64_REGISTERS.reduce((n, r) => n + r.size, 0);

/** gdb register numbers of the registers expedited in stop replies: x29 (fp), sp, pc. */
export const EXPEDITED_REGNUMS: readonly number[] = [29, 31, 32];

/**
 * The value of `def` for `regs` as little-endian bytes, or undefined when unavailable (FP/SIMD
 * registers always; core registers when the target left them undefined).
 */
export function registerBytes(regs: AArch64CoreRegs, def: RegisterDef): Uint8Array | undefined {
  if (def.sys !== undefined) {
    const v = regs.sys?.[def.sys];
    return v === undefined ? undefined : toLittleEndian(v, def.size);
  }
  if (def.core === undefined) return undefined;
  const value = coreValue(regs, def.core);
  return value === undefined ? undefined : toLittleEndian(value, def.size);
}

/** A core register's value (x0-x30, sp, pc, cpsr), undefined when the target left it so. */
function coreValue(regs: AArch64CoreRegs, core: CoreRegId): bigint | undefined {
  if (core <= 30) return regs.x[core];
  if (core === 31) return regs.sp;
  if (core === 32) return regs.pc;
  return regs.cpsr === undefined ? undefined : BigInt(regs.cpsr >>> 0);
}

const SCRATCH = new Uint8Array(8);
const SCRATCH_VIEW = new DataView(SCRATCH.buffer);

/** Append one register in `g`/`p` form: hex bytes, or `xx` per byte when unavailable. */
export function writeRegister(out: ReplyBuilder, regs: AArch64CoreRegs, def: RegisterDef): void {
  if (def.size === 8 && def.core !== undefined) {
    // x0-x30, sp, pc: the bulk of every `g` (one per CPU in `thread apply all bt`), encoded
    // without allocating.
    const v = coreValue(regs, def.core);
    if (v === undefined) out.unavailable(8);
    else {
      SCRATCH_VIEW.setBigUint64(0, BigInt.asUintN(64, v), true);
      out.hex(SCRATCH);
    }
    return;
  }
  const bytes = registerBytes(regs, def);
  if (bytes === undefined) out.unavailable(def.size);
  else out.hex(bytes);
}

/** Append the whole register file in `g` form ({@link G_PACKET_BYTES} bytes). */
export function writeRegisterFile(out: ReplyBuilder, regs: AArch64CoreRegs): void {
  for (const def of AARCH64_REGISTERS) writeRegister(out, regs, def);
}
