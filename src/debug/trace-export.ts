import type { MachineEvent } from '../machine/events';
import { takenAs } from './events';

/**
 * Roundups as Trace Event JSON, the format Perfetto (ui.perfetto.dev) and chrome://tracing
 * open ("Trace Event Format", Google, the JSON object form; Perfetto docs "Other formats").
 * A pure function of the machine's event stream (src/machine/events.ts): one process, one
 * track (thread) per CPU, timestamps in µs of machine time.
 *
 * What appears on a CPU's track:
 * - `SGI sent → CPU n`: a 1 ns slice where the sender wrote ICC_SGI1R_EL1 (the GIC's `sgi-sent`);
 * - `interrupt taken INTID n (nmi|irq)`: from the acknowledge (`irq-taken`) to the CPU's
 *   entry into the debugger when that follows, else 1 ns;
 * - `in debugger: master|slave|late|next master`: from the CPU's entry (`entered-*`,
 *   `arrived-late`) to the release, or to the end of the trace while still stopped;
 * - instants `timed out` (args.cpus: who did not arrive), `released`, `EOI INTID n`,
 *   `DIR INTID n`, and one per any other kind;
 * - a flow arrow (`s` → `f`, category `roundup`) from each SGI sent to the acknowledge of
 *   that SGI on its target: the roundup latency is the arrow's length. An SGI never taken
 *   (the CPU that did not answer) gets no arrow: every flow here is a complete pair.
 */

/** One Trace Event (the fields this exporter writes). */
export interface TraceEvent {
  /** Phase: X complete slice, i instant, s/f flow start/end, M metadata. */
  ph: 'X' | 'i' | 's' | 'f' | 'M';
  name: string;
  cat?: string;
  pid: number;
  /** The CPU index. */
  tid: number;
  /** Machine time, µs (absent on metadata). */
  ts?: number;
  /** Slice length, µs (X only). */
  dur?: number;
  /** Instant scope: t = this track. */
  s?: 't';
  /** Flow id, shared by the `s` and `f` of one arrow. */
  id?: number;
  /** Flow binding point: e = the enclosing slice. */
  bp?: 'e';
  args?: Record<string, unknown>;
}

/** A whole trace file. */
export interface TraceFile {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms' | 'ns';
  otherData: Record<string, unknown>;
}

export interface TraceMeta {
  /** CPUs of the machine: every one gets a named track, even with no events. */
  cpus: number;
  /** The process (row group) name, e.g. "kgdb-lab serve --roundup nmi". */
  title: string;
  /** Machine time the trace ends, µs: slices still open (a CPU still in the debugger) end here. */
  endUs: number;
  /** Extra facts for `otherData` (roundup method, scenario, …). */
  other?: Record<string, unknown>;
}

const PID = 1;
/** Length of the slices that mark a point event hosting a flow end, µs (1 ns). */
const MARK_US = 0.001;

const ENTRY_KINDS: Partial<Record<MachineEvent['kind'], string>> = {
  'entered-master': 'master',
  'entered-next-master': 'next master',
  'entered-slave': 'slave',
  'arrived-late': 'late',
};

/**
 * Build the trace of `events` (machine-time order, as the stream delivers them).
 * @returns the Trace Event JSON object, ready for JSON.stringify
 */
export function roundupTrace(events: readonly MachineEvent[], meta: TraceMeta): TraceFile {
  const out: TraceEvent[] = [{ ph: 'M', name: 'process_name', pid: PID, tid: 0, args: { name: meta.title } }];
  for (let cpu = 0; cpu < meta.cpus; cpu++) {
    out.push({ ph: 'M', name: 'thread_name', pid: PID, tid: cpu, args: { name: `CPU#${cpu}` } });
    out.push({ ph: 'M', name: 'thread_sort_index', pid: PID, tid: cpu, args: { sort_index: cpu } });
  }
  const body: TraceEvent[] = [];
  const flowOfSend = pairSgis(events);
  const flowOfTake = new Map<number, number>();
  for (const [send, take] of flowOfSend) flowOfTake.set(take, send);
  const next = lookahead(events);
  events.forEach((e, i) => {
    const args = argsOf(e);
    switch (e.kind) {
      case 'sgi-sent': {
        body.push(slice(e, `SGI sent → CPU ${e.target}`, 'gic', MARK_US, args));
        if (flowOfSend.has(i)) body.push({ ph: 's', name: 'SGI', cat: 'roundup', pid: PID, tid: e.cpu, ts: e.timeUs, id: i + 1 });
        return;
      }
      case 'irq-taken': {
        const entry = next.entry[i];
        const nextTake = next.take[i];
        const ends = entry !== undefined && (nextTake === undefined || entry <= nextTake) ? events[entry].timeUs : e.timeUs + MARK_US;
        // How a pseudo-NMI kernel treats it (the stream itself carries only the priority).
        const how = e.takenAs ?? (e.prio !== undefined ? takenAs(e.prio) : undefined);
        if (how) args.takenAs = how;
        body.push(slice(e, `interrupt taken INTID ${e.intid}${how ? ` (${how})` : ''}`, 'gic', Math.max(MARK_US, ends - e.timeUs), args));
        const send = flowOfTake.get(i);
        if (send !== undefined) body.push({ ph: 'f', bp: 'e', name: 'SGI', cat: 'roundup', pid: PID, tid: e.cpu, ts: e.timeUs, id: send + 1 });
        return;
      }
      case 'timed-out':
        body.push(instant(e, 'timed out', args));
        return;
      case 'released':
        body.push(instant(e, 'released', args));
        return;
      case 'eoi':
      case 'dir':
        body.push(instant(e, `${e.kind.toUpperCase()} INTID ${e.intid}`, args));
        return;
      default: {
        const role = ENTRY_KINDS[e.kind];
        if (role === undefined) {
          body.push(instant(e, e.kind, args));
          return;
        }
        const release = next.release[i];
        const end = release !== undefined ? events[release].timeUs : Math.max(meta.endUs, e.timeUs);
        body.push(slice(e, `in debugger: ${role}`, 'kgdb', Math.max(MARK_US, end - e.timeUs), args));
      }
    }
  });
  return { traceEvents: [...out, ...body], displayTimeUnit: 'ms', otherData: { generator: 'kgdb-lab', timeBase: 'machine time, µs since power-on', ...meta.other } };
}

/**
 * Pair each SGI sent with the acknowledge that answered it: index of the send → index of
 * the `irq-taken` of that INTID on the target. Sends of one INTID to one target that are
 * still pending coalesce (one pending bit, GICv3 spec §1.2.3): the oldest pairs with the
 * acknowledge, the others get no arrow. Sends never acknowledged are left out.
 */
function pairSgis(events: readonly MachineEvent[]): Map<number, number> {
  const pairs = new Map<number, number>();
  const pending = new Map<string, number>();
  events.forEach((e, i) => {
    if (e.kind === 'sgi-sent') {
      const key = `${e.target}/${e.intid}`;
      if (!pending.has(key)) pending.set(key, i);
    } else if (e.kind === 'irq-taken') {
      const key = `${e.cpu}/${e.intid}`;
      const send = pending.get(key);
      if (send !== undefined) {
        pairs.set(send, i);
        pending.delete(key);
      }
    }
  });
  return pairs;
}

/** Per event index: the next debugger entry and the next acknowledge on the same CPU, and the next release. */
function lookahead(events: readonly MachineEvent[]): { entry: (number | undefined)[]; take: (number | undefined)[]; release: (number | undefined)[] } {
  const entry: (number | undefined)[] = new Array(events.length);
  const take: (number | undefined)[] = new Array(events.length);
  const release: (number | undefined)[] = new Array(events.length);
  const entryOf = new Map<number, number>();
  const takeOf = new Map<number, number>();
  let rel: number | undefined;
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    entry[i] = entryOf.get(e.cpu);
    take[i] = takeOf.get(e.cpu);
    release[i] = rel;
    if (ENTRY_KINDS[e.kind] !== undefined) entryOf.set(e.cpu, i);
    if (e.kind === 'irq-taken') takeOf.set(e.cpu, i);
    if (e.kind === 'released') rel = i;
  }
  return { entry, take, release };
}

function slice(e: MachineEvent, name: string, cat: string, dur: number, args: Record<string, unknown>): TraceEvent {
  return { ph: 'X', name, cat, pid: PID, tid: e.cpu, ts: e.timeUs, dur: round(dur), args };
}

function instant(e: MachineEvent, name: string, args: Record<string, unknown>): TraceEvent {
  return { ph: 'i', s: 't', name, cat: 'kgdb', pid: PID, tid: e.cpu, ts: e.timeUs, args };
}

/** The event's own fields, minus those the trace event already carries. */
function argsOf(e: MachineEvent): Record<string, unknown> {
  const { timeUs: _t, cpu: _c, ...rest } = e;
  return rest;
}

/** µs to the ns (avoids 0.30000000000000004 in the file). */
function round(us: number): number {
  return Math.round(us * 1000) / 1000;
}
