import type { ElfImage } from '../loader/elf';
import type { Board } from '../machine/board';
import type { MachineEvent } from '../machine/events';
import { INTID_UART0 } from '../machine/memory-map';
import type { GuestKgdb } from '../debug/kgdb-core';
import { ModeRun } from './mode-run';
import { MODES, REPORT_VERSION, type CompareReport, type CpuModeFacts, type CpuRow, type ModeSummary, type Outcome, type RoundupMode } from './report';
import type { CpuSnap } from './snapshot';
import { GICD_INT_DEF_PRI } from './snapshot';

/** What to compare. */
export interface CompareOptions {
  image: ElfImage;
  /** Path shown in the report. */
  kernelPath: string;
  findGuest: (image: ElfImage, board: Board) => GuestKgdb | undefined;
  scenario: string;
  cpus: number;
  memoryMiB: number;
  icountShift: number;
  /** Break in this long after the later steady line, ms of machine time. */
  afterMs: number;
  roundupTimeoutMs: number;
  /** After the stop, wait this long (machine ms) for CPUs that arrive late. */
  lingerMs: number;
  /** Machine ms the guest may take to print its steady line. */
  bootLimitMs?: number;
  /** Aborting halts both machines; runCompare then rejects with CompareAborted. */
  signal?: AbortSignal;
}

/** runCompare was aborted (CompareOptions.signal), e.g. by the CLI's --timeout. */
export class CompareAborted extends Error {
  constructor() {
    super('compare aborted');
    this.name = 'CompareAborted';
  }
}

/** The bundled guest's bootargs for a scenario and a roundup mode (as `kgdb-lab serve` derives them). */
export function compareBootargs(scenario: string, mode: RoundupMode): string {
  return mode === 'nmi' ? `kgdb_lab.scenario=${scenario} irqchip.gicv3_pseudo_nmi=1` : `kgdb_lab.scenario=${scenario}`;
}

/** Debugger events and the roundup's interrupts: what the report keeps and the timeline draws. */
const KGDB_KINDS = new Set(['entered-master', 'entered-next-master', 'entered-slave', 'timed-out', 'arrived-late', 'released', 'step-interrupted']);

function roundupEvents(events: readonly MachineEvent[], fromUs: number, sgi: number | undefined): MachineEvent[] {
  return events.filter(
    (e) =>
      e.timeUs >= fromUs &&
      (KGDB_KINDS.has(e.kind) || ((e.kind === 'sgi-sent' || e.kind === 'irq-taken') && (e.intid === sgi || e.intid === INTID_UART0))),
  );
}

/**
 * Boot the guest twice under --icount, once per roundup mode; break in (SysRq-g) in both at
 * the same machine time, `afterMs` after the later of the two steady lines; record who was
 * rounded up, when, or why not, and what every CPU was doing.
 * @throws CompareRunError (mode-run.ts) when a run does not reach a debugger stop;
 *   CompareAborted when `signal` aborts
 */
export async function runCompare(o: CompareOptions): Promise<CompareReport> {
  if (o.signal?.aborted) throw new CompareAborted();
  const runs = MODES.map(
    (mode) =>
      new ModeRun({
        image: o.image,
        findGuest: o.findGuest,
        mode,
        bootargs: compareBootargs(o.scenario, mode),
        cpus: o.cpus,
        memoryMiB: o.memoryMiB,
        icountShift: o.icountShift,
        roundupTimeoutNs: o.roundupTimeoutMs * 1e6,
        lingerNs: o.lingerMs * 1e6,
        bootLimitNs: (o.bootLimitMs ?? 60_000) * 1e6,
      }),
  );
  const onAbort = (): void => runs.forEach((r) => r.board.halt());
  o.signal?.addEventListener('abort', onAbort);
  // A halted machine makes a run step fail; when we halted it, say so instead.
  const step = async <T>(p: Promise<T>): Promise<T> => {
    try {
      const v = await p;
      if (o.signal?.aborted) throw new CompareAborted();
      return v;
    } catch (e) {
      throw o.signal?.aborted ? new CompareAborted() : e;
    }
  };
  const paused: number[] = [];
  try {
    for (const r of runs) paused.push(await step(r.bootAndPause(o.afterMs * 1e6)));
    const at = Math.max(...paused);
    for (const r of runs) await step(r.breakInAt(at));
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
  const at = Math.max(...paused);
  const [nmi, ipi] = runs.map((r) => summarize(r));
  const rows: CpuRow[] = [];
  for (let c = 0; c < o.cpus; c++) rows.push({ cpu: c, nmi: cpuFacts(runs[0], nmi, c), ipi: cpuFacts(runs[1], ipi, c) });
  return {
    version: REPORT_VERSION,
    kernel: o.kernelPath,
    scenario: o.scenario,
    cpus: o.cpus,
    icountShift: o.icountShift,
    afterMs: o.afterMs,
    roundupTimeoutMs: o.roundupTimeoutMs,
    lingerMs: o.lingerMs,
    breakInUs: at / 1000,
    modes: { nmi, ipi },
    rows,
  };
}

function summarize(r: ModeRun): ModeSummary {
  const stop = r.stopInfo!;
  const snap = r.snapshot!;
  // The stop's record starts at the break-in, or earlier when the guest entered kgdb on its own first.
  const entered = r.events.find((e) => e.kind === 'entered-master' || e.kind === 'entered-next-master');
  const fromUs = Math.min(r.breakInNs / 1000, entered?.timeUs ?? Infinity);
  const events = roundupEvents(r.events, fromUs, r.guest?.roundupSgi());
  const timedOut = events.find((e) => e.kind === 'timed-out');
  return {
    mode: r.mode,
    bootargs: r.bootargs,
    steadyUs: r.steadyStampNs / 1000,
    breakInUs: r.breakInNs / 1000,
    enteredUs: entered ? entered.timeUs : null,
    masterCpu: stop.cpu,
    stopReason: stopReasonText(stop.reason, stop.signo),
    stopUs: snap.atUs,
    timedOutUs: timedOut ? timedOut.timeUs : null,
    notRoundedUp: snap.cpus.filter((s) => s.online && s.role === 'none').map((s) => s.cpu),
    arrivedLate: events.filter((e) => e.kind === 'arrived-late').map((e) => e.cpu),
    releasedUs: r.releasedUs,
    console: r.consoleSinceBreakIn(),
    events,
    hostMs: Math.round(r.hostMs),
  };
}

function cpuFacts(r: ModeRun, m: ModeSummary, c: number): CpuModeFacts {
  const s = r.snapshot!.cpus[c];
  const sent = m.events.find((e) => e.kind === 'sgi-sent' && e.target === c && e.intid !== INTID_UART0);
  const entry = m.events.find((e) => e.cpu === c && (e.kind === 'entered-master' || e.kind === 'entered-next-master' || e.kind === 'entered-slave' || e.kind === 'arrived-late'));
  const outcome = outcomeOf(s, entry);
  const sgiSentUs = sent ? sent.timeUs : null;
  const arrivedUs = entry ? entry.timeUs : null;
  return {
    outcome,
    state: s.state,
    takenAs: entry?.takenAs ?? null,
    sgiSentUs,
    arrivedUs,
    latencyUs: outcome === 'master' ? 0 : arrivedUs !== null && sgiSentUs !== null ? round3(arrivedUs - sgiSentUs) : null,
    why: whyNot(s, outcome, r.mode, m, sgiSentUs !== null, r.guest?.roundupSgi()),
    doing: s.doing,
    frames: s.frames,
  };
}

/** Linux signal names for the signals a kgdb entry reports (gdb numbering as the core passes them). */
const SIGNALS: Record<number, string> = { 2: 'SIGINT', 4: 'SIGILL', 5: 'SIGTRAP', 7: 'SIGBUS', 11: 'SIGSEGV' };

/** How the debugger was entered, in words. */
function stopReasonText(reason: string, signo: number): string {
  if (reason === 'signal') return signo === 2 ? 'SysRq-g break-in' : `${SIGNALS[signo] ?? `signal ${signo}`} (oops)`;
  if (reason === 'compiled-break') return 'kgdb_breakpoint()';
  if (reason === 'swbreak') return 'breakpoint';
  if (reason === 'halted') return 'halted from outside';
  return reason;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function outcomeOf(s: CpuSnap, entry: MachineEvent | undefined): Outcome {
  if (!s.online) return 'powered-off';
  if (s.role === 'halted') return 'halted-from-outside';
  if (s.role === 'master' || s.role === 'next-master') return s.role === 'master' ? 'master' : 'rounded-up';
  if (s.role === 'slave') return 'rounded-up';
  return entry?.kind === 'arrived-late' ? 'arrived-late' : 'not-rounded-up';
}

/**
 * Why a CPU was not rounded up in time, from its real interrupt-masking state when the
 * master gave up (GICv3: an interrupt is signalled only if its priority is below PMR and
 * the running priority, and taken only with PSTATE.I clear).
 */
function whyNot(s: CpuSnap, outcome: Outcome, mode: RoundupMode, m: ModeSummary, sgiSent: boolean, sgi: number | undefined): string | null {
  if (outcome === 'powered-off') return 'powered off';
  if (outcome === 'halted-from-outside') return 'no CPU took the break-in: every CPU halted from outside';
  if (outcome !== 'not-rounded-up' && outcome !== 'arrived-late') return null;
  const parts: string[] = [];
  const k = s.realMask;
  if (!sgiSent) parts.push(sgi === undefined ? 'no roundup SGI published by the guest' : 'no roundup SGI was sent to it');
  else if (k.irqMasked) parts.push(mode === 'nmi' ? 'IRQs masked by PSTATE.I (DAIF): not even the pseudo-NMI is taken' : 'IRQs masked by PSTATE.I: the regular IPI is not taken');
  else if (k.pmr <= GICD_INT_DEF_PRI && mode === 'ipi') parts.push(`IRQs masked by PMR (0x${k.pmr.toString(16)}): the regular IPI is not signalled`);
  else if (k.rpr !== 0xff) parts.push(`in an interrupt handler (running priority 0x${k.rpr.toString(16)}): the SGI cannot preempt it`);
  else parts.push('the SGI was not taken');
  if (m.timedOutUs !== null) parts.push(`timed out after ${Math.round((m.timedOutUs - Math.min(m.breakInUs, m.enteredUs ?? Infinity)) / 1000)} ms`);
  if (outcome === 'arrived-late') {
    const late = m.events.find((e) => e.kind === 'arrived-late' && e.cpu === s.cpu);
    if (late && m.timedOutUs !== null) parts.push(`arrived ${Math.round((late.timeUs - m.timedOutUs) / 1000)} ms after the timeout`);
  }
  return parts.join('; ');
}
