import type { Cpu, IccReg } from './cpu';
import { CNTFRQ_HZ } from '../memory-map';
import { SP_SLOT, TWO32 } from './exec';
import type { TimerChannel } from './generic-timer';

/**
 * System registers reachable with MRS/MSR at EL1, in one table keyed by encoding
 * (op0, op1, CRn, CRm, op2), the way QEMU's cpreg tables and its gicv3_cpuif_reginfo[]
 * are organised. Encodings: ARM ARM D19 (AArch64 system register descriptions), checked
 * against binutils in ../shared/reference/aarch64-machine.md §3.5. Values are unsigned
 * 64-bit BigInts: these accesses are rare next to ordinary instructions.
 */
export interface SysReg {
  readonly name: string;
  /** Undefined: write-only (reads are UNDEFINED). */
  read?(c: Cpu): bigint;
  /** Undefined: read-only (writes are UNDEFINED). */
  write?(c: Cpu, v: bigint): void;
  /** Accessible from EL0 (otherwise EL0 accesses are UNDEFINED). */
  el0?: boolean;
  /**
   * MRS without BigInt, offered by the registers an interrupt or a timer tick touches (the
   * GIC CPU interface, DAIF, SPSR_EL1, SP_EL0, the timer): the same value and side effects
   * as `read`, stored as int32 halves into `c.lo[slot]` / `c.hi[slot]` (slot DISCARD for XZR).
   */
  readTo?(c: Cpu, slot: number): void;
  /** MSR without BigInt, where offered: the same effect as `write` of the value hi:lo (int32 halves). */
  writeHalves?(c: Cpu, lo: number, hi: number): void;
}

/** `read` and `readTo` of a register whose value is a Number 0 ≤ v < 2^53 (`get`). */
function readsNumber(get: (c: Cpu) => number): Pick<SysReg, 'read' | 'readTo'> {
  return {
    read: (c) => BigInt(get(c)),
    readTo: (c, slot) => {
      const v = get(c);
      c.lo[slot] = v | 0; // ToInt32: v mod 2^32
      c.hi[slot] = (v / TWO32) | 0;
    },
  };
}

/** Table key from the fields; op0 is 2 or 3. */
export function sysregKey(op0: number, op1: number, crn: number, crm: number, op2: number): number {
  return ((op0 - 2) << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}

/** Table key from an MRS/MSR (register) instruction word: bits [19:5]. */
export function sysregKeyOf(insn: number): number {
  return (insn >>> 5) & 0x7fff;
}

const table = new Map<number, SysReg>();

function def(op0: number, op1: number, crn: number, crm: number, op2: number, reg: SysReg): void {
  const k = sysregKey(op0, op1, crn, crm, op2);
  if (table.has(k)) throw new Error(`duplicate system register ${reg.name}`);
  table.set(k, reg);
}

/** Plain read/write storage kept in Cpu.sysStore (no side effects). */
function storage(name: string, reset = 0n, mask = 0xffffffffffffffffn, el0 = false): SysReg {
  return {
    name,
    el0,
    read: (c) => c.sysStore.get(k(name)) ?? reset,
    write: (c, v) => void c.sysStore.set(k(name), v & mask),
  };
}
const keys = new Map<string, number>();
function k(name: string): number {
  let v = keys.get(name);
  if (v === undefined) keys.set(name, (v = keys.size));
  return v;
}

function constant(name: string, value: bigint | ((c: Cpu) => bigint), el0 = false): SysReg {
  return { name, el0, read: typeof value === 'function' ? value : () => value };
}

/** Look up a register by encoding key. */
export function lookupSysReg(key: number): SysReg | undefined {
  return table.get(key);
}

/** All registers by name, for the debugger. */
export function sysRegByName(name: string): SysReg | undefined {
  for (const r of table.values()) if (r.name === name) return r;
  return undefined;
}

/**
 * Let a component (the GIC CPU interface) claim registers. Called once at start-up
 * per register; the read/write functions dispatch on the CPU's host.
 */
export function defineSysReg(op0: number, op1: number, crn: number, crm: number, op2: number, reg: SysReg): void {
  const key = sysregKey(op0, op1, crn, crm, op2);
  if (!table.has(key)) table.set(key, reg);
}

// ---- special-purpose registers (PSTATE fields) ----
def(3, 3, 4, 2, 0, {
  name: 'NZCV',
  el0: true,
  read: (c) => BigInt(((c.n << 31) | (c.z << 30) | (c.c << 29) | (c.v << 28)) >>> 0),
  write: (c, v) => {
    const w = Number(v & 0xf0000000n);
    c.n = (w >>> 31) & 1;
    c.z = (w >>> 30) & 1;
    c.c = (w >>> 29) & 1;
    c.v = (w >>> 28) & 1;
  },
});
const writeDaif = (c: Cpu, lo: number): void => {
  c.daif = (lo >>> 6) & 0xf;
  c.limit = 0; // an unmasked pending interrupt is taken before the next instruction
};
def(3, 3, 4, 2, 1, {
  name: 'DAIF',
  ...readsNumber((c) => c.daif << 6),
  write: (c, v) => writeDaif(c, Number(v & 0xffffffffn)),
  writeHalves: writeDaif,
});
def(3, 0, 4, 2, 0, {
  name: 'SPSel',
  read: (c) => BigInt(c.spsel),
  write: (c, v) => c.selectSp(c.el, Number(v & 1n)),
});
def(3, 0, 4, 2, 2, { name: 'CurrentEL', el0: true, read: (c) => BigInt(c.el << 2) });

// ---- exception registers ----
def(3, 0, 4, 0, 0, {
  name: 'SPSR_EL1',
  ...readsNumber((c) => c.spsr >>> 0),
  write: (c, v) => void (c.spsr = Number(v & 0xffffffffn)),
  writeHalves: (c, lo) => void (c.spsr = lo >>> 0),
});
def(3, 0, 4, 0, 1, { name: 'ELR_EL1', read: (c) => c.elr, write: (c, v) => void (c.elr = v) });
def(3, 0, 4, 1, 0, {
  name: 'SP_EL0',
  // ARM ARM: with PSTATE.SP == 0 at EL1 this access is UNDEFINED; the decoder checks spsel.
  read: (c) => c.getBankedSp(0),
  write: (c, v) => c.setBankedSp(0, v),
  // As getBankedSp/setBankedSp(0), on the int32 halves.
  readTo: (c, slot) => {
    const live = c.spIsLive(0);
    c.lo[slot] = live ? c.lo[SP_SLOT] : c.spBank[0];
    c.hi[slot] = live ? c.hi[SP_SLOT] : c.spBank[1];
  },
  writeHalves: (c, lo, hi) => {
    if (c.spIsLive(0)) {
      c.lo[SP_SLOT] = lo;
      c.hi[SP_SLOT] = hi;
    } else {
      c.spBank[0] = lo;
      c.spBank[1] = hi;
    }
  },
});
def(3, 0, 5, 2, 0, { name: 'ESR_EL1', read: (c) => BigInt(c.esr >>> 0), write: (c, v) => void (c.esr = Number(v & 0xffffffffn)) });
def(3, 0, 6, 0, 0, { name: 'FAR_EL1', read: (c) => c.far, write: (c, v) => void (c.far = v) });
def(3, 0, 12, 0, 0, { name: 'VBAR_EL1', read: (c) => c.vbar, write: (c, v) => void (c.vbar = v & ~0x7ffn) });
def(3, 0, 1, 0, 0, {
  name: 'SCTLR_EL1',
  read: (c) => BigInt(c.sctlr >>> 0),
  write: (c, v) => {
    c.sctlr = Number(v & 0xffffffffn);
    // SCTLR_EL1.M (bit 0) would turn the MMU on; EE (bit 25) big-endian data. Neither is modelled:
    // stop this CPU with a plain report rather than misexecute.
    if (c.sctlr & 1) c.stop('MMU not modelled: guest set SCTLR_EL1.M = 1');
    else if (c.sctlr & (1 << 25)) c.stop('big-endian data not modelled: guest set SCTLR_EL1.EE = 1');
  },
});

// ISR_EL1: the pending physical interrupts as signalled to the PE (I = bit 7, F = bit 6).
def(3, 0, 12, 1, 0, { name: 'ISR_EL1', read: (c) => BigInt((c.irqLine ? 0x80 : 0) | (c.fiqLine ? 0x40 : 0)) });

// ---- thread and context registers ----
def(3, 0, 13, 0, 4, storage('TPIDR_EL1'));
def(3, 3, 13, 0, 2, storage('TPIDR_EL0', 0n, undefined, true));
def(3, 3, 13, 0, 3, { ...storage('TPIDRRO_EL0'), el0: false });
def(3, 0, 13, 0, 1, storage('CONTEXTIDR_EL1', 0n, 0xffffffffn));

// ---- memory-system control (stored; the MMU is off so they have no effect) ----
def(3, 0, 1, 0, 2, storage('CPACR_EL1', 0n, 0xffffffffn));
def(3, 0, 2, 0, 0, storage('TTBR0_EL1'));
def(3, 0, 2, 0, 1, storage('TTBR1_EL1'));
def(3, 0, 2, 0, 2, storage('TCR_EL1'));
def(3, 0, 10, 2, 0, storage('MAIR_EL1'));
def(3, 0, 10, 3, 0, storage('AMAIR_EL1'));
def(3, 0, 7, 4, 0, storage('PAR_EL1'));
def(3, 0, 5, 1, 0, storage('AFSR0_EL1', 0n, 0xffffffffn));
def(3, 0, 5, 1, 1, storage('AFSR1_EL1', 0n, 0xffffffffn));
def(3, 0, 14, 1, 0, storage('CNTKCTL_EL1', 0n, 0xffffffffn));
def(2, 0, 0, 2, 2, storage('MDSCR_EL1', 0n, 0xffffffffn));
def(2, 0, 1, 0, 4, { name: 'OSLAR_EL1', write: () => {} });
def(2, 0, 1, 3, 4, storage('OSDLR_EL1', 0n, 1n));

// ---- identification (a Cortex-A57-like core with LSE and CRC32; no FP/SIMD, no EL2/EL3) ----
def(3, 0, 0, 0, 0, constant('MIDR_EL1', 0x411fd070n));
def(3, 0, 0, 0, 5, constant('MPIDR_EL1', (c) => BigInt(c.mpidr >>> 0)));
def(3, 0, 0, 0, 6, constant('REVIDR_EL1', 0n));
// EL0 and EL1 AArch64-only (1), EL2/EL3 absent (0), FP and AdvSIMD not implemented (0xf), GIC system registers (1).
def(3, 0, 0, 4, 0, constant('ID_AA64PFR0_EL1', 0x01ff0011n));
def(3, 0, 0, 4, 1, constant('ID_AA64PFR1_EL1', 0n));
def(3, 0, 0, 5, 0, constant('ID_AA64DFR0_EL1', 0x10305106n));
def(3, 0, 0, 5, 1, constant('ID_AA64DFR1_EL1', 0n));
// Atomic [23:20] = 2 (LSE), CRC32 [19:16] = 1.
def(3, 0, 0, 6, 0, constant('ID_AA64ISAR0_EL1', 0x00210000n));
def(3, 0, 0, 6, 1, constant('ID_AA64ISAR1_EL1', 0n));
def(3, 0, 0, 7, 0, constant('ID_AA64MMFR0_EL1', 0x00001124n));
def(3, 0, 0, 7, 1, constant('ID_AA64MMFR1_EL1', 0n));
def(3, 0, 0, 7, 2, constant('ID_AA64MMFR2_EL1', 0n));
def(3, 1, 0, 0, 1, constant('CLIDR_EL1', 0x0a200023n));
def(3, 3, 0, 0, 1, constant('CTR_EL0', 0x8444c004n, true));
// DZP (bit 4) set: DC ZVA is prohibited, so we need not model it.
def(3, 3, 0, 0, 7, constant('DCZID_EL0', 0x14n, true));

// ---- generic timer (ARM ARM D11.2; QEMU target/arm/helper.c gt_*) ----
def(3, 3, 14, 0, 0, constant('CNTFRQ_EL0', BigInt(CNTFRQ_HZ), true));
// The counter is a Number of ticks (exact below 2^53).
def(3, 3, 14, 0, 1, { name: 'CNTPCT_EL0', el0: true, ...readsNumber((c) => c.host.counter(c)) });
def(3, 3, 14, 0, 2, { name: 'CNTVCT_EL0', el0: true, ...readsNumber((c) => c.host.counter(c)) });
defineTimer('CNTP', 2, (c) => c.timer.phys);
defineTimer('CNTV', 3, (c) => c.timer.virt);

function defineTimer(prefix: string, crm: number, ch: (c: Cpu) => TimerChannel): void {
  const now = (c: Cpu) => BigInt(c.host.counter(c));
  def(3, 3, 14, crm, 0, {
    name: `${prefix}_TVAL_EL0`,
    read: (c) => ch(c).readTval(now(c)),
    write: (c, v) => {
      ch(c).writeTval(now(c), v);
      c.host.timerChanged(c);
    },
  });
  def(3, 3, 14, crm, 1, {
    name: `${prefix}_CTL_EL0`,
    read: (c) => ch(c).readCtl(now(c)),
    write: (c, v) => {
      ch(c).ctl = Number(v & 3n);
      c.host.timerChanged(c);
    },
    readTo: (c, slot) => {
      c.lo[slot] = ch(c).ctlValue(c.host.counter(c));
      c.hi[slot] = 0;
    },
    writeHalves: (c, lo) => {
      ch(c).ctl = lo & 3;
      c.host.timerChanged(c);
    },
  });
  def(3, 3, 14, crm, 2, {
    name: `${prefix}_CVAL_EL0`,
    read: (c) => ch(c).cval,
    write: (c, v) => {
      ch(c).cval = v;
      c.host.timerChanged(c);
    },
    readTo: (c, slot) => {
      const t = ch(c);
      c.lo[slot] = t.cvalHalf(false);
      c.hi[slot] = t.cvalHalf(true);
    },
    writeHalves: (c, lo, hi) => {
      ch(c).setCvalHalves(lo, hi);
      c.host.timerChanged(c);
    },
  });
}

// ---- GIC CPU interface (GICv3 spec §12.2; encodings verified with binutils, aarch64-machine.md §3.2) ----
const ICC: [string, number, number, number, 'rw' | 'r' | 'w'][] = [
  ['PMR', 4, 6, 0, 'rw'],
  ['IAR0', 12, 8, 0, 'r'],
  ['EOIR0', 12, 8, 1, 'w'],
  ['HPPIR0', 12, 8, 2, 'r'],
  ['BPR0', 12, 8, 3, 'rw'],
  ['AP0R0', 12, 8, 4, 'rw'],
  ['AP1R0', 12, 9, 0, 'rw'],
  ['DIR', 12, 11, 1, 'w'],
  ['RPR', 12, 11, 3, 'r'],
  ['SGI1R', 12, 11, 5, 'w'],
  ['ASGI1R', 12, 11, 6, 'w'],
  ['SGI0R', 12, 11, 7, 'w'],
  ['IAR1', 12, 12, 0, 'r'],
  ['EOIR1', 12, 12, 1, 'w'],
  ['HPPIR1', 12, 12, 2, 'r'],
  ['BPR1', 12, 12, 3, 'rw'],
  ['CTLR', 12, 12, 4, 'rw'],
  ['SRE', 12, 12, 5, 'rw'],
  ['IGRPEN0', 12, 12, 6, 'rw'],
  ['IGRPEN1', 12, 12, 7, 'rw'],
];
for (const [reg, crn, crm, op2, rw] of ICC) {
  const r = reg as IccReg;
  def(3, 0, crn, crm, op2, {
    name: `ICC_${reg}_EL1`,
    read: rw === 'w' ? undefined : (c) => c.host.icc.read(c, r),
    write: rw === 'r' ? undefined : (c, v) => c.host.icc.write(c, r, v),
    readTo:
      rw === 'w'
        ? undefined
        : (c, slot) => {
            c.lo[slot] = c.host.icc.readNum(c, r) | 0;
            c.hi[slot] = 0;
          },
    writeHalves: rw === 'r' ? undefined : (c, lo, hi) => c.host.icc.writeHalves(c, r, lo, hi),
  });
}
