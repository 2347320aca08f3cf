import type { CpuRegisters } from './machine-port';

/**
 * struct pt_regs of arm64 Linux v6.3 (arch/arm64/include/asm/ptrace.h), the layout the
 * bundled guest's exception entry saves: regs[31] at 0, sp at 248, pc at 256, pstate at 264,
 * orig_x0 at 272, syscallno (s32) at 280, sdei_ttbr1 at 288, pmr_save at 296,
 * stackframe[2] at 304. Offsets in bytes.
 */
export const PT_REGS_X0 = 0;
export const PT_REGS_SP = 248;
export const PT_REGS_PC = 256;
export const PT_REGS_PSTATE = 264;
export const PT_REGS_PMR_SAVE = 296;
/** Bytes of the user_pt_regs prefix we read and write (x0–x30, sp, pc, pstate). */
export const PT_REGS_CORE_SIZE = 272;

/** Decode the user_pt_regs prefix (little-endian) into registers. */
export function decodePtRegs(b: Uint8Array): CpuRegisters {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const x: bigint[] = [];
  for (let i = 0; i < 31; i++) x.push(dv.getBigUint64(PT_REGS_X0 + i * 8, true));
  return {
    x,
    sp: dv.getBigUint64(PT_REGS_SP, true),
    pc: dv.getBigUint64(PT_REGS_PC, true),
    pstate: Number(dv.getBigUint64(PT_REGS_PSTATE, true) & 0xffffffffn),
  };
}

/** Encode registers as the user_pt_regs prefix (272 bytes). The upper half of pstate is kept from `prev`. */
export function encodePtRegs(r: CpuRegisters, prev: Uint8Array): Uint8Array {
  const out = prev.slice(0, PT_REGS_CORE_SIZE);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < 31; i++) dv.setBigUint64(PT_REGS_X0 + i * 8, BigInt.asUintN(64, r.x[i]), true);
  dv.setBigUint64(PT_REGS_SP, BigInt.asUintN(64, r.sp), true);
  dv.setBigUint64(PT_REGS_PC, BigInt.asUintN(64, r.pc), true);
  dv.setUint32(PT_REGS_PSTATE, r.pstate >>> 0, true);
  return out;
}
