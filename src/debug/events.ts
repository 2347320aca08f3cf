import type { MachineEvent, MachineEventStream } from '../machine/events';

/**
 * Linux arm64's ICC_PMR_EL1 value for "IRQs off" under pseudo-NMI (GIC_PRIO_IRQOFF,
 * arch/arm64/include/asm/ptrace.h): an interrupt of a more urgent priority (a lower byte)
 * still gets through, and the kernel handles it as an NMI (gic_handle_irq checks the
 * running priority, drivers/irqchip/irq-gic-v3.c).
 */
export const GIC_PRIO_IRQOFF = 0x60;

/** Events kept per stop; more are counted in `dropped` (a CPU left running may take many interrupts). */
export const MAX_EVENTS_PER_STOP = 10_000;

/** How an interrupt of priority `prio` is handled by a Linux-style pseudo-NMI kernel. */
export function takenAs(prio: number): 'nmi' | 'irq' {
  return prio < GIC_PRIO_IRQOFF ? 'nmi' : 'irq';
}

/**
 * The events of one debugger entry, from the master's entry to the release (inclusive),
 * taken from the machine's one event stream (src/machine/events.ts): the GIC's SGIs and
 * interrupts and the debug core's own entries, timeout and release. Interrupts taken are
 * annotated with how a pseudo-NMI kernel handles them (`takenAs`). This is what
 * `monitor events`, `monitor cpus`, `compare` and trace export read.
 */
export class StopEventLog {
  private list: MachineEvent[] = [];
  /**
   * Unsubscribes from the stream; set while recording. Listening only between begin() and
   * end() keeps the stream inactive while the guest runs undebugged, so the GIC builds no
   * event for each interrupt it delivers then (an idle guest's ticks; issue 8, row 6).
   */
  private unsubscribe: (() => void) | undefined;
  /** Events not kept because the stop already had MAX_EVENTS_PER_STOP. */
  dropped = 0;

  constructor(private readonly stream: MachineEventStream) {}

  /** The current (or last) stop's events, in machine-time order. */
  get events(): readonly MachineEvent[] {
    return this.list;
  }

  /** Start a new stop's record (before its first event is emitted). */
  begin(): void {
    this.list = [];
    this.dropped = 0;
    this.unsubscribe ??= this.stream.subscribe((e) => this.onEvent(e));
  }

  /** Close the record (after the 'released' event); it stays readable until the next begin(). */
  end(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private onEvent(e: MachineEvent): void {
    if (this.list.length >= MAX_EVENTS_PER_STOP) {
      this.dropped++;
      return;
    }
    this.list.push(e.kind === 'irq-taken' && e.prio !== undefined ? { ...e, takenAs: takenAs(e.prio) } : e);
  }
}
