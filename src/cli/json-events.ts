import type { MachineEvent } from '../machine/events';
import type { CpuRole } from '../debug/kgdb-core';

/**
 * `kgdb-lab serve --json`: machine-readable events, one JSON object per line (NDJSON) on
 * stdout. Every event starts with `event` (its name) and `timeUs` (machine time, µs since
 * power-on); the README's "Machine-readable events" table is the schema.
 */
export type ServeEvent =
  | { event: 'listening'; transport: 'tcp'; host: string; port: number }
  | { event: 'listening'; transport: 'unix'; path: string }
  | { event: 'connected'; peer: string }
  | { event: 'stopped'; cpu: number; signal: number; reason: string; detail: string; roundup: RoundupSummary }
  | { event: 'resumed'; step: boolean }
  | { event: 'disconnected'; peer: string; reason: string }
  | { event: 'console'; text: string }
  | { event: 'exited'; status: number; reason: string; detail: string };

/** One CPU in a stop's roundup summary. */
export interface RoundupCpu {
  cpu: number;
  /** kgdb's part: master, slave, next-master, halted (held from outside), none (not in the debugger). */
  role: CpuRole;
  /** What gdb's `info threads` shows for it, e.g. "rounded up by NMI", "not rounded up (IRQs masked, timed out)". */
  state: string;
  /** How the roundup SGI was taken, for slaves: nmi or irq. */
  takenAs?: 'nmi' | 'irq';
  /** Machine µs from the master's entry to this CPU's entry (0 for the master). */
  latencyUs?: number;
  /** Answered after the timeout. */
  late?: boolean;
}

/** What a stop's roundup reached. */
export interface RoundupSummary {
  /** The CPU that holds the debugger. */
  master: number;
  /** Online CPUs in the debugger (master, slaves, next master) or held from outside (powered-off CPUs are in neither list). */
  stopped: number[];
  /** Online CPUs that are not (they keep running). */
  notStopped: number[];
  /** The master gave up waiting (the `timed-out` event); `notStopped` lists who never came. */
  timedOut: boolean;
  cpus: RoundupCpu[];
}

/** The debugger state the summary is built from (the kgdb core's view). */
export interface StopView {
  master: number;
  cpuCount: number;
  role(cpu: number): CpuRole;
  describe(cpu: number): string;
  isOnline(cpu: number): boolean;
  /** The stop's events (StopEventLog), machine-time order. */
  events: readonly MachineEvent[];
}

/**
 * Summarise a stop's roundup: who is in, how they came (NMI or IRQ), how long after the
 * master's entry, and whether the master timed out.
 */
export function roundupSummary(v: StopView): RoundupSummary {
  const entry = v.events.find((e) => e.kind === 'entered-master');
  const arrival = new Map<number, MachineEvent>();
  for (const e of v.events) {
    if (e.kind === 'entered-master' || e.kind === 'entered-slave' || e.kind === 'arrived-late' || e.kind === 'entered-next-master') arrival.set(e.cpu, e);
  }
  const cpus: RoundupCpu[] = [];
  const stopped: number[] = [];
  const notStopped: number[] = [];
  for (let cpu = 0; cpu < v.cpuCount; cpu++) {
    const role = v.role(cpu);
    const row: RoundupCpu = { cpu, role, state: v.describe(cpu) };
    const a = arrival.get(cpu);
    if (a && role !== 'none') {
      if (a.takenAs) row.takenAs = a.takenAs;
      if (entry) row.latencyUs = Math.round((a.timeUs - entry.timeUs) * 1000) / 1000;
      if (a.kind === 'arrived-late') row.late = true;
    }
    cpus.push(row);
    if (!v.isOnline(cpu)) continue;
    if (role !== 'none') stopped.push(cpu);
    else notStopped.push(cpu);
  }
  return { master: v.master, stopped, notStopped, timedOut: v.events.some((e) => e.kind === 'timed-out'), cpus };
}

/**
 * Writes ServeEvents as NDJSON lines to `write` (stdout), stamping `timeUs`, and turns the
 * guest's console bytes into `console` events, one per line (without the newline; a
 * partial line waits for its end or for {@link JsonEvents.flushConsole}).
 */
export class JsonEvents {
  private partial = '';
  private readonly decoder = new TextDecoder('utf-8');

  constructor(
    private readonly write: (line: string) => void,
    /** Machine time, ns. */
    private readonly nowNs: () => number,
  ) {}

  emit(e: ServeEvent): void {
    const { event, ...rest } = e;
    this.write(`${JSON.stringify({ event, timeUs: Math.round(this.nowNs()) / 1000, ...rest })}\n`);
  }

  /** Guest console bytes (the board's onConsole). */
  console(bytes: Uint8Array): void {
    const text = this.partial + this.decoder.decode(bytes, { stream: true });
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const l of lines) this.emit({ event: 'console', text: l.replace(/\r$/, '') });
  }

  /** Emit a pending partial console line (at exit). */
  flushConsole(): void {
    const rest = this.partial + this.decoder.decode();
    this.partial = '';
    if (rest !== '') this.emit({ event: 'console', text: rest });
  }
}
