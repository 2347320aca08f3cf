import type { ConsoleOutput } from '../rsp/target';
import type { KgdbCore } from './kgdb-core';
import type { MachinePort } from './machine-port';
import { formatColumns, hex, hexByte } from './text-table';
import { unwind, type SymbolLookup } from './unwind';

/** Frames shown per CPU. */
const TRUTH_FRAMES = 6;

/** PSTATE.DAIF as letters, upper case when masked ("dAIf"), as Linux's print_pstate. */
function daif(pstate: number): string {
  const bit = (n: number, c: string): string => ((pstate >> n) & 1 ? c.toUpperCase() : c);
  return bit(9, 'd') + bit(8, 'a') + bit(7, 'i') + bit(6, 'f');
}

/**
 * `monitor truth`: what a hardware debugger (a JTAG probe) would see, not kgdb: every
 * CPU's real registers right now (PC, SP, x29, x30, PSTATE.DAIF, ICC_PMR_EL1, ICC_RPR_EL1,
 * run state) and a frame-record backtrace from them. For a CPU in kgdb these are where it
 * sits inside the debugger; for a CPU kgdb never rounded up they are the only honest answer
 * to "where is it", and the row says that kgdb cannot see them.
 */
export function monitorTruth(core: KgdbCore, port: MachinePort, lookup: SymbolLookup, out: ConsoleOutput): void {
  out.write("Real machine state (what a hardware debugger sees; kgdb's view is `info threads` / `monitor cpus`):\n");
  const rows = [['CPU', 'kgdb', 'run', 'PC', 'SP', 'x29', 'x30', 'DAIF', 'PMR', 'RPR']];
  const backtraces: string[] = [];
  for (let c = 0; c < port.cpuCount; c++) {
    const online = port.isOnline(c);
    const role = core.role(c);
    const kgdb = !online ? 'powered off' : role === 'none' ? 'OUTSIDE kgdb\'s view' : core.describe(c);
    if (!online) {
      rows.push([String(c), kgdb, port.cpuState(c), '-', '-', '-', '-', '-', '-', '-']);
      continue;
    }
    const r = port.registers(c);
    const m = port.maskView(c);
    const pc = Number(r.pc);
    const sym = lookup(pc);
    rows.push([
      String(c),
      kgdb,
      port.cpuState(c),
      sym ? `${hex(pc)} <${sym.name}+${hex(sym.offset)}>` : hex(pc),
      hex(r.sp),
      hex(r.x[29]),
      hex(r.x[30]),
      daif(r.pstate),
      hexByte(m.pmr),
      hexByte(m.rpr),
    ]);
    const frames = unwind((a, n) => port.readMemory(a, n), lookup, { pc, fp: Number(r.x[29]), lr: Number(r.x[30]) }, TRUTH_FRAMES);
    const label = role === 'none' ? ' (real registers, outside kgdb\'s view)' : '';
    backtraces.push(`CPU ${c}${label}: ${frames.map((f) => f.text).join(' < ')}`);
  }
  for (const line of formatColumns(rows)) out.write(line + '\n');
  for (const line of backtraces) out.write(line + '\n');
}
