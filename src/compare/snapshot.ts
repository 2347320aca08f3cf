import type { KgdbCore, CpuRole } from '../debug/kgdb-core';
import type { CpuMaskView, CpuRegisters, MachinePort } from '../debug/machine-port';
import { PT_REGS_CORE_SIZE, decodePtRegs } from '../debug/pt-regs';
import type { Frame, FunctionSymbol, UnwindStart } from '../debug/unwind';
import type { MachineEvent } from '../machine/events';
import { INTID_UART0 } from '../machine/memory-map';
import type { CpuContext, FrameFact, IrqMask } from './report';

/**
 * Linux's default interrupt priority (GICD_INT_DEF_PRI, drivers/irqchip/irq-gic-v3.c): a
 * PMR at or below it masks ordinary IRQs (the GIC signals only priorities below PMR, GICv3
 * spec §4.8), which is how local_irq_disable masks them under pseudo-NMI.
 */
export const GICD_INT_DEF_PRI = 0xa0;

/** How IRQs were masked, from PSTATE.I and ICC_PMR_EL1 (PMR only counts with prio masking). */
export function irqMask(pstateI: boolean, pmr: number, prioMasking: boolean): IrqMask {
  if (pstateI) return 'PSTATE.I';
  if (prioMasking && pmr <= GICD_INT_DEF_PRI) return 'PMR';
  return 'none';
}

/** PSTATE.I (bit 7 of PSTATE in SPSR form). */
const PSTATE_I = 0x80;

/** One CPU when the debugger stopped. */
export interface CpuSnap {
  cpu: number;
  online: boolean;
  role: CpuRole;
  /** The kgdb state text (`info threads`). */
  state: string;
  /** What it was doing (see CpuContext). */
  doing: CpuContext;
  frames: FrameFact[];
  /** Its real interrupt-masking state at the stop (ICC_PMR_EL1, ICC_RPR_EL1, PSTATE.I). */
  realMask: CpuMaskView;
}

/** The machine when the debugger stopped. */
export interface CpuSnapshot {
  atUs: number;
  cpus: CpuSnap[];
}

export interface SnapshotTools {
  symbols: (addr: number) => FunctionSymbol | undefined;
  unwind: (start: UnwindStart) => Frame[];
  /** INTID of the guest's roundup SGI. */
  roundupSgi: number | undefined;
  /** Does the guest mask IRQs with PMR (pseudo-NMI booted)? */
  prioMasking: boolean;
}

const hex = (n: number | bigint): string => `0x${n.toString(16)}`;

function frameFacts(frames: Frame[]): FrameFact[] {
  return frames.map((f) => ({ text: f.text, function: f.function ?? null, kind: f.kind }));
}

/** The last event of `kind` on `cpu` (optionally for `intid`) at or before index `before`. */
function lastEvent(events: readonly MachineEvent[], cpu: number, kinds: string[], intid?: number, before = events.length): MachineEvent | undefined {
  for (let i = Math.min(before, events.length) - 1; i >= 0; i--) {
    const e = events[i];
    if (e.cpu === cpu && kinds.includes(e.kind) && (intid === undefined || e.intid === intid)) return e;
  }
  return undefined;
}

/**
 * Record every CPU as the debugger sees it at its stop, plus the machine truth for those
 * outside kgdb's view. `events` are the machine's events recorded so far (for how each
 * CPU's interrupted context was masked: the GIC's `irq-taken` carries the interrupted PMR
 * and PSTATE.I, in both modes, whereas pt_regs->pmr_save is only saved under pseudo-NMI).
 */
export function snapshotCpus(port: MachinePort, core: KgdbCore, events: readonly MachineEvent[], t: SnapshotTools): CpuSnapshot {
  const cpus: CpuSnap[] = [];
  for (let c = 0; c < port.cpuCount; c++) cpus.push(snapCpu(port, core, events, t, c));
  return { atUs: port.nowNs() / 1000, cpus };
}

function snapCpu(port: MachinePort, core: KgdbCore, events: readonly MachineEvent[], t: SnapshotTools, c: number): CpuSnap {
  const online = port.isOnline(c);
  const role = core.role(c);
  const realMask = port.maskView(c);
  const base = { cpu: c, online, role, state: core.describe(c), realMask };
  if (!online) {
    return { ...base, doing: { pc: '0x0', function: null, symbol: 'powered off', irqsMaskedBy: 'none', pmr: realMask.pmr, pstateI: realMask.irqMasked, source: 'real-registers' }, frames: [] };
  }
  const kgdbRegs = role === 'master' || role === 'slave' || role === 'next-master' ? core.registers(c) : undefined;
  if (!kgdbRegs) return { ...base, ...fromRegisters(port.registers(c), realMask.irqMasked, realMask.pmr, 'real-registers', t) };
  if (role === 'slave') {
    const taken = lastEvent(events, c, ['irq-taken'], t.roundupSgi);
    const i = taken?.irqMasked ?? (kgdbRegs.pstate & PSTATE_I) !== 0;
    return { ...base, ...fromRegisters(kgdbRegs, i, taken?.pmr ?? realMask.pmr, 'interrupt', t) };
  }
  // The master (or a queued one): if it entered from the UART interrupt we sent (SysRq-g),
  // what it was doing is the context that interrupt interrupted: the first exception frame
  // below the debugger's own entry.
  const entry = lastEvent(events, c, ['entered-master', 'entered-next-master']);
  const uart = lastEvent(events, c, ['irq-taken'], INTID_UART0);
  if (uart) {
    const chain = t.unwind({ pc: Number(kgdbRegs.pc), fp: Number(kgdbRegs.x[29]), lr: Number(kgdbRegs.x[30]) });
    const exc = chain.find((f) => f.kind === 'exception' && f.ptRegs !== undefined);
    const raw = exc?.ptRegs !== undefined ? port.readMemory(exc.ptRegs, PT_REGS_CORE_SIZE) : undefined;
    if (raw) return { ...base, ...fromRegisters(decodePtRegs(raw), uart.irqMasked ?? false, uart.pmr ?? realMask.pmr, 'interrupt', t) };
  }
  const i = entry?.irqMasked ?? (kgdbRegs.pstate & PSTATE_I) !== 0;
  // pt_regs->pmr_save is meaningful only when the guest masks with PMR.
  const pmr = t.prioMasking && entry?.pmr !== undefined ? entry.pmr : realMask.pmr;
  return { ...base, ...fromRegisters(kgdbRegs, i, pmr, 'debug-exception', t) };
}

function fromRegisters(r: CpuRegisters, pstateI: boolean, pmr: number, source: CpuContext['source'], t: SnapshotTools): { doing: CpuContext; frames: FrameFact[] } {
  const pc = Number(r.pc);
  const frames = t.unwind({ pc, fp: Number(r.x[29]), lr: Number(r.x[30]) });
  const sym = t.symbols(pc);
  return {
    doing: {
      pc: hex(pc),
      function: sym?.name ?? null,
      symbol: frames[0]?.text ?? hex(pc),
      irqsMaskedBy: irqMask(pstateI, pmr, t.prioMasking),
      pmr,
      pstateI,
      source,
    },
    frames: frameFacts(frames),
  };
}
