import type { ConsoleOutput } from '../rsp/target';
import type { KgdbCore } from './kgdb-core';
import type { MachinePort } from './machine-port';
import { formatColumns, hex, hexByte } from './text-table';

/** Kinds of event that say when a CPU entered the debugger in this stop. */
const ARRIVALS = new Set(['entered-master', 'entered-next-master', 'entered-slave', 'arrived-late']);

/**
 * `monitor cpus`: one row per CPU for the current stop. kgdb's view: state (as `info
 * threads`), PC as symbol+offset from the registers kgdb has for it (`<unavailable>` for a
 * CPU not rounded up), how the roundup reached it and when (µs after the master entered;
 * `-` while the machine runs, as after `monitor reset`), and PSTATE.I and ICC_PMR_EL1 of
 * the context the CPU was in when it entered (from its pt_regs, as the entry event recorded
 * them: what decides whether a regular IPI could reach it; PMR only where the guest saves
 * it, i.e. uses pseudo-NMI), like the PC. A CPU that did not enter shows the live values.
 * The machine's: ICC_RPR_EL1 now, and the EL1 exception registers ESR, FAR, ELR, SPSR,
 * VBAR and SCTLR (real values; a CPU in kgdb shows those of the exception it took to get
 * there).
 */
export function monitorCpus(core: KgdbCore, port: MachinePort, symbolize: (addr: number) => string | undefined, out: ConsoleOutput): void {
  const rows = [['CPU', 'thread', 'state', 'PC', 'I', 'PMR', 'RPR', 'roundup', 'arrived', 'ESR', 'FAR', 'ELR', 'SPSR', 'VBAR', 'SCTLR']];
  const arrivals = new Map<number, { us: number; how: string; irqMasked?: boolean; pmr?: number }>();
  // Only a stop under way has roundup columns: after `monitor reset` (the machine runs while
  // gdb believes it stopped) the last record belongs to the machine before the reboot.
  const events = core.stop ? core.events : [];
  const first = events.length ? events[0].timeUs : 0;
  for (const e of events) {
    if (!ARRIVALS.has(e.kind)) continue;
    const how = e.kind === 'entered-master' ? 'master' : e.kind === 'entered-next-master' ? 'trapped' : `${e.takenAs ?? 'irq'}${e.kind === 'arrived-late' ? ', late' : ''}`;
    arrivals.set(e.cpu, { us: e.timeUs - first, how, irqMasked: e.irqMasked, pmr: e.pmr });
  }
  const timedOut = events.find((e) => e.kind === 'timed-out');
  for (let c = 0; c < port.cpuCount; c++) {
    const regs = core.registers(c);
    const m = port.maskView(c);
    const s = port.systemRegisters(c);
    const pc = regs ? pcText(Number(regs.pc), symbolize) : '<unavailable>';
    const a = arrivals.get(c);
    const roundup = a ? a.how : !port.isOnline(c) ? '-' : timedOut?.cpus?.includes(c) ? 'timed out' : core.role(c) === 'halted' ? 'halted' : 'none';
    rows.push([
      String(c),
      String(c + 1),
      core.describe(c),
      pc,
      (a?.irqMasked ?? m.irqMasked) ? '1' : '0',
      hexByte(a?.pmr ?? m.pmr),
      hexByte(m.rpr),
      roundup,
      a ? `+${a.us.toFixed(1)} µs` : '-',
      hex(s.esr),
      hex(s.far),
      hex(s.elr),
      hex(s.spsr),
      hex(s.vbar),
      hex(s.sctlr),
    ]);
  }
  for (const line of formatColumns(rows)) out.write(line + '\n');
}

function pcText(pc: number, symbolize: (addr: number) => string | undefined): string {
  const s = symbolize(pc);
  return s ? `0x${pc.toString(16)} <${s}>` : `0x${pc.toString(16)}`;
}
