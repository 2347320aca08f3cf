import type { CompareReport, CpuModeFacts, FrameFact, ModeSummary } from './report';

/** Frames shown per CPU and mode in the table. */
const TABLE_FRAMES = 3;

/** "1 CPU" / "N CPUs": a CPU count as the header and the HTML title say it. */
export function cpuCount(n: number): string {
  return n === 1 ? '1 CPU' : `${n} CPUs`;
}

/** "12.3 µs" / "1.234 ms" / "2.01 s" for a duration in µs. */
export function formatDuration(us: number): string {
  if (us < 1000) return `${us.toFixed(us < 10 ? 2 : 1)} µs`;
  if (us < 1e6) return `${(us / 1000).toFixed(3)} ms`;
  return `${(us / 1e6).toFixed(3)} s`;
}

/** One mode's roundup result for a CPU, in a few words. */
export function roundupCell(f: CpuModeFacts): string {
  switch (f.outcome) {
    case 'master':
      return 'master';
    case 'rounded-up':
      return `${(f.takenAs ?? 'irq').toUpperCase()} after ${f.latencyUs === null ? '?' : formatDuration(f.latencyUs)}`;
    case 'arrived-late':
      return `late, after ${f.latencyUs === null ? '?' : formatDuration(f.latencyUs)}`;
    case 'not-rounded-up':
      return 'NOT rounded up';
    case 'powered-off':
      return 'powered off';
    case 'halted-from-outside':
      return 'halted from outside';
  }
}

function framesCell(f: CpuModeFacts): string {
  const names = f.frames
    .slice(0, TABLE_FRAMES)
    .map((fr: FrameFact) => fr.function ?? fr.text);
  const chain = names.join(' < ');
  return f.doing.source === 'real-registers' ? `[real regs] ${chain}` : chain;
}

/** "a" when both modes agree, else "a / b" (NMI first). */
function both(a: string, b: string): string {
  return a === b ? a : `${a} / ${b}`;
}

function modeLine(m: ModeSummary, cpus: number): string {
  const t0 = Math.min(m.breakInUs, m.enteredUs ?? Infinity);
  const name = m.mode === 'nmi' ? 'pseudo-NMI roundup' : 'regular-IPI fallback';
  const took = m.timedOutUs !== null ? `timed out after ${formatDuration(m.timedOutUs - t0)}` : `stopped after ${formatDuration(m.stopUs - t0)}`;
  const missing = m.notRoundedUp.length ? `not rounded up: CPU ${m.notRoundedUp.join(', ')}` : cpus === 1 ? 'its only CPU in kgdb' : `all ${cpus} CPUs in kgdb`;
  const late = m.arrivedLate.length ? `; arrived late: CPU ${m.arrivedLate.join(', ')}` : '';
  return `${name.padEnd(21)} master CPU ${m.masterCpu} (${m.stopReason}); ${missing}; ${took}${late}`;
}

/** Lay rows out in columns separated by two spaces, the last column unpadded. */
export function columns(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]))).join('  ').trimEnd());
}

/**
 * The human-readable comparison: a header per mode, one row per CPU (what it was doing at
 * the break-in and how its IRQs were masked, each mode's roundup result, top frames), then
 * the reasons for every CPU that was not rounded up. Where the two runs differ the cell
 * says "NMI / IPI".
 */
export function renderTable(r: CompareReport): string {
  const out: string[] = [];
  out.push(
    `kgdb-lab compare: scenario ${r.scenario}, ${cpuCount(r.cpus)}, --icount ${r.icountShift}; SysRq-g at ${formatDuration(r.breakInUs)} of machine time ` +
      `(${r.afterMs} ms after the steady line) in both runs; roundup timeout ${r.roundupTimeoutMs} ms`,
  );
  out.push(modeLine(r.modes.nmi, r.cpus), modeLine(r.modes.ipi, r.cpus), '');
  const rows = [['CPU', 'doing at break-in', 'IRQs masked by', 'NMI roundup', 'IPI roundup', 'top frames (NMI run)', 'top frames (IPI run)']];
  for (const row of r.rows) {
    rows.push([
      String(row.cpu),
      both(row.nmi.doing.function ?? row.nmi.doing.symbol, row.ipi.doing.function ?? row.ipi.doing.symbol),
      both(row.nmi.doing.irqsMaskedBy, row.ipi.doing.irqsMaskedBy),
      roundupCell(row.nmi),
      roundupCell(row.ipi),
      framesCell(row.nmi),
      framesCell(row.ipi),
    ]);
  }
  out.push(...columns(rows));
  const notes: string[] = [];
  for (const row of r.rows) {
    for (const mode of ['nmi', 'ipi'] as const) {
      const f = row[mode];
      if (f.why !== null) notes.push(`CPU ${row.cpu}, ${mode === 'nmi' ? 'NMI' : 'IPI'} run: ${f.why}; it was at ${f.doing.symbol} (real registers, outside kgdb's view)`);
    }
  }
  if (notes.length) out.push('', ...notes);
  return out.join('\n') + '\n';
}
