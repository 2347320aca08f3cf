import { barrierAllocated, branchRegAllocated, condBranchAllocated, msrImmAllocated, sysOpKind } from './decode-branch-system';
import { COND_NAMES, fmt, immU, rz, sext, target, xr } from './disasm-format';
import { lookupSysReg, sysregKeyOf } from './sysregs';

/**
 * Disassembly of "Branches, Exception Generating and System instructions" (ARM ARM C4.1.3) for
 * the forms decode-branch-system.ts executes. The dispatch mirrors decodeBranchSystem.
 * @param pc the instruction's address in bytes (branch targets are printed as addresses)
 * @returns the text, or undefined for every word the executing decoder rejects
 */
export function disasmBranchSystem(insn: number, pc: number): string | undefined {
  const top = insn >>> 26;
  if ((top & 0x1f) === 0x05) return fmt(insn >>> 31 ? 'bl' : 'b', target(pc + sext(insn & 0x3ffffff, 26) * 4));
  const b31_25 = insn >>> 25;
  if (b31_25 === 0x2a) return condBranch(insn, pc);
  if ((b31_25 & 0x3f) === 0x1a) return compareBranch(insn, pc);
  if ((b31_25 & 0x3f) === 0x1b) return testBranch(insn, pc);
  if (b31_25 === 0x6a) {
    if (((insn >>> 24) & 1) === 0) return exceptionGen(insn);
    if (((insn >>> 22) & 7) === 4) return system(insn);
    return undefined;
  }
  if (b31_25 === 0x6b) return branchReg(insn);
  return undefined;
}

/** B.cond label. */
function condBranch(insn: number, pc: number): string | undefined {
  if (!condBranchAllocated(insn)) return undefined;
  return fmt(`b.${COND_NAMES[insn & 15]}`, target(pc + sext((insn >>> 5) & 0x7ffff, 19) * 4));
}

/** CBZ/CBNZ Rt, label. */
function compareBranch(insn: number, pc: number): string {
  const op = (insn >>> 24) & 1;
  return fmt(op ? 'cbnz' : 'cbz', rz(insn >>> 31, insn & 31), target(pc + sext((insn >>> 5) & 0x7ffff, 19) * 4));
}

/** TBZ/TBNZ Rt, #bit, label; Rt is an X register when b5 = 1. */
function testBranch(insn: number, pc: number): string {
  const b5 = insn >>> 31;
  const bit = (b5 << 5) | ((insn >>> 19) & 31);
  const op = (insn >>> 24) & 1;
  return fmt(op ? 'tbnz' : 'tbz', rz(b5, insn & 31), immU(bit), target(pc + sext((insn >>> 5) & 0x3fff, 14) * 4));
}

/** SVC, HVC, SMC, BRK #imm16 (HLT and DCPSx are UNDEFINED here). */
function exceptionGen(insn: number): string | undefined {
  const opc = (insn >>> 21) & 7;
  const imm16 = (insn >>> 5) & 0xffff;
  const op2 = (insn >>> 2) & 7;
  const LL = insn & 3;
  if (op2 !== 0) return undefined;
  if (opc === 0 && LL !== 0) return fmt(['', 'svc', 'hvc', 'smc'][LL], immU(imm16));
  if (opc === 1 && LL === 0) return fmt('brk', immU(imm16));
  return undefined;
}

/** BR, BLR, RET (RET X30 prints as plain RET), ERET. */
function branchReg(insn: number): string | undefined {
  if (!branchRegAllocated(insn)) return undefined;
  const opc = (insn >>> 21) & 15;
  const Rn = (insn >>> 5) & 31;
  if (opc === 4) return 'eret';
  if (opc === 2) return Rn === 30 ? 'ret' : fmt('ret', xr(Rn));
  return fmt(opc === 0 ? 'br' : 'blr', xr(Rn));
}

/**
 * Names of the hint space (CRm:op2), as capstone 5 knows them; the ARMv8.0 core executes all
 * hints (named or not) as NOP except YIELD/WFE/WFI/SEV/SEVL. Others print as HINT #imm.
 */
const HINTS: { [imm: number]: string } = {
  0: 'nop',
  1: 'yield',
  2: 'wfe',
  3: 'wfi',
  4: 'sev',
  5: 'sevl',
  6: 'dgh',
  7: 'xpaclri',
  8: 'pacia1716',
  10: 'pacib1716',
  12: 'autia1716',
  14: 'autib1716',
  16: 'esb',
  17: 'psb csync',
  18: 'tsb csync',
  20: 'csdb',
  24: 'paciaz',
  25: 'paciasp',
  26: 'pacibz',
  27: 'pacibsp',
  28: 'autiaz',
  29: 'autiasp',
  30: 'autibz',
  31: 'autibsp',
  32: 'bti',
  34: 'bti c',
  36: 'bti j',
  38: 'bti jc',
};

/** DMB/DSB option names by CRm (ARM ARM C6.2 "DMB"); unnamed values print as #imm. */
const BARRIER_OPTIONS: { [crm: number]: string } = {
  1: 'oshld',
  2: 'oshst',
  3: 'osh',
  5: 'nshld',
  6: 'nshst',
  7: 'nsh',
  9: 'ishld',
  10: 'ishst',
  11: 'ish',
  13: 'ld',
  14: 'st',
  15: 'sy',
};

/** System instructions (1101010100 L op0 op1 CRn CRm op2 Rt). */
function system(insn: number): string | undefined {
  const L = (insn >>> 21) & 1;
  const op0 = (insn >>> 19) & 3;
  const op1 = (insn >>> 16) & 7;
  const CRn = (insn >>> 12) & 15;
  const CRm = (insn >>> 8) & 15;
  const op2 = (insn >>> 5) & 7;
  const Rt = insn & 31;
  if (op0 === 0) {
    if (L) return undefined;
    if (CRn === 2 && op1 === 3 && Rt === 31) {
      const imm = (CRm << 3) | op2;
      return HINTS[imm] ?? fmt('hint', immU(imm));
    }
    if (CRn === 3 && op1 === 3 && Rt === 31) return barrier(CRm, op2);
    if (CRn === 4 && Rt === 31 && msrImmAllocated(op1, op2)) {
      const field = op1 === 0 ? 'spsel' : op2 === 6 ? 'daifset' : 'daifclr';
      return fmt('msr', field, immU(CRm));
    }
    return undefined;
  }
  if (op0 === 1) return sys(L, op1, CRn, CRm, op2, Rt);
  const reg = lookupSysReg(sysregKeyOf(insn));
  if (reg === undefined) return undefined;
  const name = reg.name.toLowerCase();
  if (L) return reg.read ? fmt('mrs', xr(Rt), name) : undefined;
  return reg.write ? fmt('msr', name, xr(Rt)) : undefined;
}

/** CLREX, DSB (SSBB, PSSBB), DMB, ISB with their option operand. */
function barrier(CRm: number, op2: number): string | undefined {
  if (!barrierAllocated(op2)) return undefined;
  switch (op2) {
    case 2:
      return CRm === 15 ? 'clrex' : fmt('clrex', immU(CRm));
    case 4:
      if (CRm === 0) return 'ssbb';
      if (CRm === 4) return 'pssbb';
      return fmt('dsb', BARRIER_OPTIONS[CRm] ?? immU(CRm));
    case 5:
      return fmt('dmb', BARRIER_OPTIONS[CRm] ?? immU(CRm));
    default:
      return CRm === 15 ? 'isb' : fmt('isb', immU(CRm));
  }
}

/** IC operations (op1, CRm, op2) -> name; the executing decoder accepts IALLUIS, IALLU and IVAU. */
const IC_OPS: { [key: number]: string } = { [sysKey(0, 1, 0)]: 'ialluis', [sysKey(0, 5, 0)]: 'iallu', [sysKey(3, 5, 1)]: 'ivau' };

/** DC operations (op1, CRm, op2) -> name: the ARMv8.0 set the executing decoder accepts. */
const DC_OPS: { [key: number]: string } = {
  [sysKey(0, 6, 1)]: 'ivac',
  [sysKey(0, 6, 2)]: 'isw',
  [sysKey(0, 10, 2)]: 'csw',
  [sysKey(0, 14, 2)]: 'cisw',
  [sysKey(3, 10, 1)]: 'cvac',
  [sysKey(3, 11, 1)]: 'cvau',
  [sysKey(3, 14, 1)]: 'civac',
};

/**
 * TLBI operations with op1 = 0 (CRm, op2) -> name: the ARMv8.0 EL1 set (CRm 3 = Inner
 * Shareable, 7 = local) and the ARMv8.4 Outer Shareable (CRm 1, 5) and range (CRm 2, 5, 6)
 * forms; the executing decoder runs every op1 = 0, CRn = 8 word as a no-op, and the rest
 * print as SYS.
 */
const TLBI_OPS: { [key: number]: string } = {};
for (const [crm, suffix] of [
  [1, 'os'],
  [3, 'is'],
  [7, ''],
] as const) {
  const names = ['vmalle1', 'vae1', 'aside1', 'vaae1', '', 'vale1', '', 'vaale1'];
  names.forEach((n, op2) => {
    if (n) TLBI_OPS[sysKey(0, crm, op2)] = n + suffix;
  });
}
for (const [crm, suffix] of [
  [2, 'is'],
  [5, 'os'],
  [6, ''],
] as const) {
  for (const [op2, n] of [
    [1, 'rvae1'],
    [3, 'rvaae1'],
    [5, 'rvale1'],
    [7, 'rvaale1'],
  ] as const) {
    TLBI_OPS[sysKey(0, crm, op2)] = n + suffix;
  }
}

/** Table key for a SYS operation. */
function sysKey(op1: number, crm: number, op2: number): number {
  return (op1 << 7) | (crm << 3) | op2;
}

/**
 * SYS and its IC/DC/TLBI aliases. Operations that take no register (IC IALLU(IS), TLBI
 * VMALLE1*) print without the ARM ARM's optional `{, <Xt>}` whatever Rt holds (Rt is ignored),
 * as binutils and capstone print them; unnamed operations print as
 * `sys #op1, Cn, Cm, #op2{, Xt}` with Xt omitted when it is XZR.
 */
function sys(L: number, op1: number, CRn: number, CRm: number, op2: number, Rt: number): string | undefined {
  if (sysOpKind(L, op1, CRn, CRm, op2) === undefined) return undefined;
  const key = sysKey(op1, CRm, op2);
  if (CRn === 7) {
    const ic = IC_OPS[key];
    if (ic !== undefined) return ic === 'ivau' ? fmt('ic', ic, xr(Rt)) : fmt('ic', ic);
    return fmt('dc', DC_OPS[key], xr(Rt));
  }
  const tlbi = TLBI_OPS[key];
  if (tlbi !== undefined) return tlbi.startsWith('vmalle1') ? fmt('tlbi', tlbi) : fmt('tlbi', tlbi, xr(Rt));
  return fmt('sys', immU(op1), `c${CRn}`, `c${CRm}`, immU(op2), ...(Rt === 31 ? [] : [xr(Rt)]));
}
