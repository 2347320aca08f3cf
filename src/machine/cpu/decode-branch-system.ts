import { RunState } from './cpu';
import type { Cpu } from './cpu';
import type { Exec } from './exec';
import { TWO32, rdZr } from './exec';
import { EC_BRK, EC_ILLEGAL_STATE, EC_SVC } from './exception';
import { lookupSysReg, sysregKeyOf } from './sysregs';

/**
 * Branches, exception generation and system instructions (A64 encoding class 101x).
 * ARM ARM C4.1.3 "Branches, Exception Generating and System instructions"; QEMU
 * target/arm/tcg/translate-a64.c disas_b_exc_sys.
 */
export function decodeBranchSystem(insn: number, pc: number): Exec | undefined {
  const top = insn >>> 26;
  if ((top & 0x1f) === 0x05) return decodeImmBranch(insn, pc);
  const b31_25 = insn >>> 25;
  if (b31_25 === 0x2a) return decodeCondBranch(insn, pc); // 0101010
  if ((b31_25 & 0x3f) === 0x1a) return decodeCompareBranch(insn, pc); // x011010
  if ((b31_25 & 0x3f) === 0x1b) return decodeTestBranch(insn, pc); // x011011
  if (b31_25 === 0x6a) {
    // 1101010: exception generation (bit 24 = 0) or system (bits 24:22 = 100)
    if (((insn >>> 24) & 1) === 0) return decodeExceptionGen(insn, pc);
    if (((insn >>> 22) & 7) === 4) return decodeSystem(insn, pc);
    return undefined;
  }
  if (b31_25 === 0x6b) return decodeBranchReg(insn, pc);
  return undefined;
}

/** Sign-extend the low `bits` bits of v. */
function sext(v: number, bits: number): number {
  const s = 32 - bits;
  return (v << s) >> s;
}

/** Write a return address (a physical address < 2^53) into X30. */
function linkTo(c: Cpu, ret: number): void {
  c.lo[30] = ret | 0;
  c.hi[30] = Math.floor(ret / TWO32) | 0;
}

function decodeImmBranch(insn: number, pc: number): Exec {
  const target = pc + sext(insn & 0x3ffffff, 26) * 4;
  if (insn >>> 31) {
    const ret = pc + 4;
    return (c) => {
      linkTo(c, ret);
      c.pc = target;
    };
  }
  return (c) => {
    c.pc = target;
  };
}

/** A closure that branches to `target` when condition `cond` holds (ARM ARM ConditionHolds). */
function condBranch(cond: number, target: number): Exec {
  switch (cond) {
    case 0x0: return (c) => { if (c.z) c.pc = target; };
    case 0x1: return (c) => { if (!c.z) c.pc = target; };
    case 0x2: return (c) => { if (c.c) c.pc = target; };
    case 0x3: return (c) => { if (!c.c) c.pc = target; };
    case 0x4: return (c) => { if (c.n) c.pc = target; };
    case 0x5: return (c) => { if (!c.n) c.pc = target; };
    case 0x6: return (c) => { if (c.v) c.pc = target; };
    case 0x7: return (c) => { if (!c.v) c.pc = target; };
    case 0x8: return (c) => { if (c.c && !c.z) c.pc = target; };
    case 0x9: return (c) => { if (!c.c || c.z) c.pc = target; };
    case 0xa: return (c) => { if (c.n === c.v) c.pc = target; };
    case 0xb: return (c) => { if (c.n !== c.v) c.pc = target; };
    case 0xc: return (c) => { if (!c.z && c.n === c.v) c.pc = target; };
    case 0xd: return (c) => { if (c.z || c.n !== c.v) c.pc = target; };
    default: return (c) => { c.pc = target; }; // AL and NV both mean always
  }
}

/**
 * B.cond check (0101010 o1 imm19 o0 cond): o1 (bit 24) = 1 is unallocated and o0 (bit 4) = 1
 * is BC.cond (FEAT_HBC), not in v8.0. Shared with the disassembler.
 */
export function condBranchAllocated(insn: number): boolean {
  return (insn & 0x01000010) === 0;
}

function decodeCondBranch(insn: number, pc: number): Exec | undefined {
  if (!condBranchAllocated(insn)) return undefined;
  return condBranch(insn & 0xf, pc + sext((insn >>> 5) & 0x7ffff, 19) * 4);
}

function decodeCompareBranch(insn: number, pc: number): Exec {
  const rt = insn & 31;
  const target = pc + sext((insn >>> 5) & 0x7ffff, 19) * 4;
  const nonzero = (insn >>> 24) & 1;
  if (insn >>> 31) {
    return nonzero
      ? (c) => { if ((c.lo[rt] | c.hi[rt]) !== 0) c.pc = target; }
      : (c) => { if ((c.lo[rt] | c.hi[rt]) === 0) c.pc = target; };
  }
  return nonzero
    ? (c) => { if (c.lo[rt] !== 0) c.pc = target; }
    : (c) => { if (c.lo[rt] === 0) c.pc = target; };
}

function decodeTestBranch(insn: number, pc: number): Exec {
  const rt = insn & 31;
  const bit = ((insn >>> 31) << 5) | ((insn >>> 19) & 31);
  const target = pc + sext((insn >>> 5) & 0x3fff, 14) * 4;
  const ifSet = (insn >>> 24) & 1;
  const mask = 1 << (bit & 31);
  if (bit >= 32) {
    return ifSet ? (c) => { if (c.hi[rt] & mask) c.pc = target; } : (c) => { if (!(c.hi[rt] & mask)) c.pc = target; };
  }
  return ifSet ? (c) => { if (c.lo[rt] & mask) c.pc = target; } : (c) => { if (!(c.lo[rt] & mask)) c.pc = target; };
}

function decodeExceptionGen(insn: number, pc: number): Exec | undefined {
  const opc = (insn >>> 21) & 7;
  const imm16 = (insn >>> 5) & 0xffff;
  const op2 = (insn >>> 2) & 7;
  const ll = insn & 3;
  if (op2 !== 0) return undefined;
  if (opc === 0 && ll === 1) {
    // SVC: preferred return is the next instruction.
    return (c) => { c.raiseSync(pc + 4, EC_SVC, imm16); };
  }
  if (opc === 0 && ll === 2) {
    // HVC: with no EL2, QEMU's PSCI conduit handles every HVC from EL1 (unknown function
    // IDs return NOT_SUPPORTED, no exception); from EL0 it is UNDEFINED.
    return (c) => {
      if (c.el === 0) c.raiseUndefined(pc);
      c.host.hvc(c, imm16);
    };
  }
  if (opc === 0 && ll === 3) return (c) => { c.raiseUndefined(pc); }; // SMC: no EL3
  if (opc === 1 && ll === 0) return (c) => { c.raiseSync(pc, EC_BRK, imm16); }; // BRK
  return undefined; // HLT (no halting debug), DCPSx, unallocated
}

/**
 * Unconditional branch (register) check: BR, BLR, RET (opc 0..2) and ERET (opc 4, Rn = 31),
 * with op2 = 11111 and op3 = op4 = 0 (other values are the FEAT_PAuth forms, not in v8.0;
 * DRPS is debug-state only). Shared with the disassembler.
 */
export function branchRegAllocated(insn: number): boolean {
  const opc = (insn >>> 21) & 0xf;
  if (((insn >>> 16) & 0x1f) !== 0x1f || ((insn >>> 10) & 0x3f) !== 0 || (insn & 31) !== 0) return false;
  return opc <= 2 || (opc === 4 && ((insn >>> 5) & 31) === 31);
}

function decodeBranchReg(insn: number, pc: number): Exec | undefined {
  const opc = (insn >>> 21) & 0xf;
  const rn = (insn >>> 5) & 31;
  if (!branchRegAllocated(insn)) return undefined;
  switch (opc) {
    case 0: // BR
    case 2: // RET
      return (c) => { c.pc = (c.hi[rn] >>> 0) * TWO32 + (c.lo[rn] >>> 0); };
    case 1: { // BLR: read Rn before writing X30 (BLR X30 is legal)
      const ret = pc + 4;
      return (c) => {
        const t = (c.hi[rn] >>> 0) * TWO32 + (c.lo[rn] >>> 0);
        linkTo(c, ret);
        c.pc = t;
      };
    }
    case 4: // ERET
      return (c) => { if (c.el === 0) c.raiseUndefined(pc); exceptionReturn(c, pc); };
    default:
      return undefined; // DRPS (debug state only) and unallocated
  }
}

/** ERET: PC ← ELR_EL1, PSTATE ← SPSR_EL1. ARM ARM AArch64.ExceptionReturn; QEMU HELPER(exception_return). */
function exceptionReturn(c: Cpu, pc: number): void {
  const spsr = c.spsr >>> 0;
  const m = spsr & 0x1f;
  // Legal targets at EL1: EL1h (0b00101), EL1t (0b00100), EL0t (0b00000). Anything else
  // (AArch32, EL2/EL3, EL0 with SP_EL1) is an illegal return: take the Illegal Execution
  // State exception at the target, as the next instruction would (PSTATE.IL).
  const target = Number(c.elr & 0xffffffffffffn);
  c.exclAddr = -1;
  // An exception return sets the Event Register (ARM ARM D1.6.1, "The Event Register"), so a
  // WFE loop interrupted between its load-exclusive and its WFE re-checks instead of sleeping.
  c.event = true;
  // The handler has returned: a fault from here on is not one of its entry (exception-entry.ts).
  c.entryAt = -Infinity;
  if (m !== 5 && m !== 4 && m !== 0) {
    c.pc = target;
    c.raiseSync(target, EC_ILLEGAL_STATE, 0);
  }
  c.setPstate(spsr);
  c.pc = target;
  void pc;
}

function decodeSystem(insn: number, pc: number): Exec | undefined {
  const l = (insn >>> 21) & 1;
  const op0 = (insn >>> 19) & 3;
  const op1 = (insn >>> 16) & 7;
  const crn = (insn >>> 12) & 0xf;
  const crm = (insn >>> 8) & 0xf;
  const op2 = (insn >>> 5) & 7;
  const rt = insn & 31;
  if (op0 === 0) {
    if (l) return undefined;
    if (crn === 2 && op1 === 3 && rt === 31) return decodeHint((crm << 3) | op2, pc);
    if (crn === 3 && op1 === 3 && rt === 31) return decodeBarrier(crm, op2);
    if (crn === 4 && rt === 31) return decodeMsrImm(op1, op2, crm, pc);
    return undefined;
  }
  if (op0 === 1) return decodeSys(l, op1, crn, crm, op2, pc);
  return decodeMrsMsr(insn, l, rt, pc);
}

/** HINT space: NOP, YIELD, WFE, WFI, SEV, SEVL; unallocated hints execute as NOP (ARM ARM C6.2 HINT). */
function decodeHint(imm: number, pc: number): Exec {
  switch (imm) {
    case 1: // YIELD: give the rest of the quantum to the other CPUs, if any can run.
      return (c) => {
        if (!c.host.othersRunnable(c)) return; // alone: ending the turn would only cost host time
        c.exitRequested = true;
        c.limit = 0;
      };
    case 2:
      return wfe;
    case 3:
      return wfi;
    case 4:
      return (c) => { c.host.sev(c); };
    case 5:
      return (c) => { c.event = true; };
    default:
      void pc;
      return nop;
  }
}

const nop: Exec = () => {};

/** WFI: sleep unless an interrupt is already signalled to this PE (PSTATE masks do not gate the wake-up). */
const wfi: Exec = (c) => {
  if (c.irqLine || c.fiqLine) return;
  c.state = RunState.Wfi;
  c.limit = 0;
  c.host.wake(c);
};

/** WFE: consume the event register, or sleep until an event or an unmasked interrupt. */
const wfe: Exec = (c) => {
  if (c.event) {
    c.event = false;
    return;
  }
  if (c.wfeWakeable()) return;
  c.state = RunState.Wfe;
  c.limit = 0;
  c.host.wake(c);
};

/** Barriers implemented (op0 = 0, CRn = 3, op1 = 3, Rt = 31): op2 = 2 CLREX, 4 DSB, 5 DMB, 6 ISB. Shared with the disassembler. */
export function barrierAllocated(op2: number): boolean {
  return op2 === 2 || op2 === 4 || op2 === 5 || op2 === 6;
}

function decodeBarrier(crm: number, op2: number): Exec | undefined {
  if (!barrierAllocated(op2)) return undefined;
  switch (op2) {
    case 2: // CLREX
      return (c) => { c.exclAddr = -1; };
    case 4: // DSB (incl. SSBB/PSSBB)
    case 5: // DMB
    case 6: // ISB: the decoded-code cache is coherent with every store, so nothing to flush.
      void crm;
      return nop;
    default:
      return undefined;
  }
}

/** MSR (immediate) fields (op1, op2) implemented: SPSel (0, 5), DAIFSet (3, 6), DAIFClr (3, 7). Shared with the disassembler. */
export function msrImmAllocated(op1: number, op2: number): boolean {
  return (op1 === 0 && op2 === 5) || (op1 === 3 && (op2 === 6 || op2 === 7));
}

/** MSR (immediate): SPSel, DAIFSet, DAIFClr. PAN/UAO/DIT/SSBS are later than v8.0: UNDEFINED. */
function decodeMsrImm(op1: number, op2: number, crm: number, pc: number): Exec | undefined {
  if (op1 === 0 && op2 === 5) {
    return (c) => {
      if (c.el === 0) c.raiseUndefined(pc);
      c.selectSp(c.el, crm & 1);
    };
  }
  if (op1 === 3 && op2 === 6) {
    return (c) => {
      if (c.el === 0) c.raiseUndefined(pc); // SCTLR_EL1.UMA = 0
      c.daif |= crm;
    };
  }
  if (op1 === 3 && op2 === 7) {
    return (c) => {
      if (c.el === 0) c.raiseUndefined(pc);
      c.daif &= ~crm;
      c.limit = 0; // a pending interrupt may now be taken
    };
  }
  return undefined;
}

/** How an implemented SYS operation executes. */
export const enum SysOpKind {
  /** A no-op at EL0 and EL1 (DC CVAC/CVAU/CIVAC, IC IVAU: SCTLR_EL1.UCI = 0 is not modelled). */
  Any,
  /** A no-op at EL1, UNDEFINED at EL0 (IC IALLU(IS), DC IVAC/ISW/CSW/CISW, TLBI). */
  El1Only,
}

/**
 * Classify a SYS/SYSL word (op0 = 1). Caches and TLBs are not modelled, so DC (clean/
 * invalidate by VA or set/way), IC and TLBI (every op1 = 0, CRn = 8 encoding) are no-ops;
 * DC ZVA (prohibited by DCZID_EL0.DZP), AT and SYSL are UNDEFINED. Shared with the
 * disassembler.
 * @returns the kind, or undefined for UNDEFINED operations
 */
export function sysOpKind(l: number, op1: number, crn: number, crm: number, op2: number): SysOpKind | undefined {
  if (l) return undefined;
  if (crn === 7) {
    if (op1 === 0 && ((crm === 1 && op2 === 0) || (crm === 5 && op2 === 0))) return SysOpKind.El1Only; // IC IALLUIS, IC IALLU
    if (op1 === 3 && crm === 5 && op2 === 1) return SysOpKind.Any; // IC IVAU
    if (op1 === 0 && ((crm === 6 && (op2 === 1 || op2 === 2)) || (crm === 10 && op2 === 2) || (crm === 14 && op2 === 2))) {
      return SysOpKind.El1Only; // DC IVAC, ISW, CSW, CISW
    }
    if (op1 === 3 && op2 === 1 && (crm === 10 || crm === 11 || crm === 14)) return SysOpKind.Any; // DC CVAC, CVAU, CIVAC
    return undefined;
  }
  if (crn === 8 && op1 === 0) return SysOpKind.El1Only; // TLBI (EL1 forms)
  return undefined;
}

/** SYS: cache and TLB maintenance as classified by {@link sysOpKind}. */
function decodeSys(l: number, op1: number, crn: number, crm: number, op2: number, pc: number): Exec | undefined {
  const kind = sysOpKind(l, op1, crn, crm, op2);
  if (kind === undefined) return undefined;
  if (kind === SysOpKind.Any) return nop;
  return (c) => { if (c.el === 0) c.raiseUndefined(pc); };
}

/** MRS/MSR (register) through the system-register table; unknown registers are UNDEFINED. */
function decodeMrsMsr(insn: number, l: number, rt: number, pc: number): Exec | undefined {
  const reg = lookupSysReg(sysregKeyOf(insn));
  if (!reg) return undefined;
  const el0 = reg.el0 === true;
  const isSpEl0 = reg.name === 'SP_EL0';
  if (l) {
    const read = reg.read;
    if (!read) return undefined;
    const readTo = reg.readTo;
    if (readTo) {
      const slot = rdZr(rt);
      return (c) => {
        if ((c.el === 0 && !el0) || (isSpEl0 && c.spsel === 0)) c.raiseUndefined(pc);
        readTo(c, slot);
      };
    }
    return (c) => {
      if ((c.el === 0 && !el0) || (isSpEl0 && c.spsel === 0)) c.raiseUndefined(pc);
      const v = read(c);
      if (rt !== 31) {
        c.lo[rt] = Number(v & 0xffffffffn) | 0;
        c.hi[rt] = Number(v >> 32n) | 0;
      }
    };
  }
  const write = reg.write;
  if (!write) return undefined;
  const writeHalves = reg.writeHalves;
  if (writeHalves) {
    return (c) => {
      if ((c.el === 0 && !el0) || (isSpEl0 && c.spsel === 0)) c.raiseUndefined(pc);
      writeHalves(c, c.lo[rt], c.hi[rt]);
    };
  }
  return (c) => {
    if ((c.el === 0 && !el0) || (isSpEl0 && c.spsel === 0)) c.raiseUndefined(pc);
    write(c, (BigInt(c.hi[rt] >>> 0) << 32n) | BigInt(c.lo[rt] >>> 0));
  };
}
