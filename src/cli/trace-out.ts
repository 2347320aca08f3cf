import * as fs from 'fs';
import * as path from 'path';
import type { MachineEvent, MachineEventStream } from '../machine/events';
import { roundupTrace, type TraceMeta } from '../debug/trace-export';

/** Events kept for `--trace-out`; later ones are counted, not kept (a trace must stay openable). */
export const MAX_TRACE_EVENTS = 200_000;

/**
 * `--trace-out FILE`: records the machine's event stream during each roundup (from a CPU's
 * entry as master to the release, as the debug core's per-stop record does) and writes the
 * Trace Event JSON (src/debug/trace-export.ts) to FILE, replaced whole each time the machine
 * stops and at exit, so the file is complete whenever gdb has the machine stopped.
 */
export class TraceOut {
  private readonly events: MachineEvent[] = [];
  private inRoundup = false;
  private dropped = 0;

  /**
   * @param file where to write (its directory must exist)
   * @param meta everything but endUs (the write time)
   * @throws UsageError-worthy Error (from fs) when FILE cannot be written: call writeNow() once at start
   */
  constructor(
    stream: MachineEventStream,
    private readonly file: string,
    private readonly meta: Omit<TraceMeta, 'endUs'>,
    private readonly nowUs: () => number,
  ) {
    stream.subscribe((e) => this.onEvent(e));
  }

  private onEvent(e: MachineEvent): void {
    if (!this.inRoundup && e.kind !== 'entered-master') return;
    this.inRoundup = e.kind !== 'released';
    if (this.events.length >= MAX_TRACE_EVENTS) this.dropped++;
    else this.events.push(e);
  }

  /**
   * Write the file now (atomically: a temporary file renamed over it).
   * @throws Error from fs when it cannot be written
   */
  writeNow(): void {
    const trace = roundupTrace(this.events, { ...this.meta, endUs: this.nowUs(), other: { ...this.meta.other, droppedEvents: this.dropped } });
    const tmp = path.join(path.dirname(this.file), `.${path.basename(this.file)}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify(trace));
    fs.renameSync(tmp, this.file);
  }
}
