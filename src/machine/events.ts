/**
 * The one event model for everything that happens in a roundup or an interrupt. The GIC
 * reports the interrupt life cycle (an SGI made pending on a target, its acknowledge, the
 * priority drop, the deactivation); the kgdb debug core (src/debug) reports how CPUs enter
 * and leave the debugger. Both go into one ordered stream per machine, from which
 * `monitor events`/`monitor cpus`, `compare`, `--gic-trace` and trace export are all built.
 *
 * Times are machine time in µs since power-on (fractional: exact to the ns, which under
 * --icount is one instruction); CPUs are 0-based indexes.
 */

/** What happened. */
export type MachineEventKind =
  // GIC (GICv3 spec IHI 0069 §12.2; only operations that change GIC state are reported: an
  // IAR read that returns 1023, or an EOIR/DIR write the GIC ignores, emits nothing):
  | 'sgi-sent' // an SGI became pending on `target`; `cpu` wrote ICC_SGI0R/SGI1R/ASGI1R_EL1
  | 'irq-taken' // `cpu` acknowledged `intid` (ICC_IAR<n>_EL1): the interrupt is being handled
  | 'eoi' // priority drop (ICC_EOIR<n>_EL1, and deactivation with EOImode = 0)
  | 'dir' // deactivation with EOImode = 1 (ICC_DIR_EL1)
  // kgdb debug core (kernel/debug/debug_core.c):
  | 'entered-master' // entered kgdb_handle_exception and holds the debugger
  | 'entered-next-master' // entered kgdb_handle_exception while another CPU was master
  | 'entered-slave' // answered the roundup (kgdb_nmicallback) before the timeout
  | 'timed-out' // the master stopped waiting: `cpus` did not arrive
  | 'arrived-late' // answered the roundup after the timeout, while the debugger was still active
  | 'released' // the debugger let every CPU it held go
  | 'step-interrupted' // a single step of the master took a pending interrupt first
  | 'watch-hit'; // a data access hit a debugger watchpoint

/** One event. Optional fields are present only where the kind gives them a meaning. */
export interface MachineEvent {
  /** Machine time, µs (fractional). */
  timeUs: number;
  /** The CPU the event happened on (for 'sgi-sent': the sender). */
  cpu: number;
  kind: MachineEventKind;
  /** 'sgi-sent': the CPU whose redistributor latched the SGI. */
  target?: number;
  /** The INTID (0–15 for SGIs); for 'eoi'/'dir' the value the CPU wrote. */
  intid?: number;
  /**
   * The INTID's priority byte as configured for the CPU concerned (GICR_IPRIORITYR for
   * SGIs/PPIs, GICD_IPRIORITYR for SPIs); lower is more urgent.
   */
  prio?: number;
  /** ICC_PMR_EL1 of `cpu` at the event (for 'irq-taken': the interrupted context's PMR). */
  pmr?: number;
  /** PSTATE.I of the context the event concerns (for 'irq-taken': of the interrupted context). */
  irqMasked?: boolean;
  /**
   * How a roundup SGI (or any interrupt) was taken: 'nmi' when its priority passes the PMR
   * value that masks ordinary IRQs (Linux arm64 pseudo-NMI), 'irq' otherwise.
   */
  takenAs?: 'nmi' | 'irq';
  /** 'timed-out': the CPUs that did not arrive. */
  cpus?: number[];
  /** Signal number (gdb numbering) the CPU entered the debugger with. */
  signo?: number;
  /** Program counter concerned ('step-interrupted': the stepped pc). */
  pc?: number;
  /** 'watch-hit': the data address accessed. */
  addr?: number;
}

/** Receives events synchronously, in the order they happen. */
export type MachineEventListener = (e: MachineEvent) => void;

/**
 * The machine's event stream: producers call {@link emit}, consumers {@link subscribe}.
 * With nobody subscribed, `active` is false and producers skip building events at all (the
 * GIC acknowledges interrupts on the emulator's hot path).
 */
export class MachineEventStream {
  private listeners: MachineEventListener[] = [];

  /** @param nowNs machine time in ns (the clock behind CNTVCT_EL0) */
  constructor(private readonly nowNs: () => number) {}

  /** True when somebody listens. */
  get active(): boolean {
    return this.listeners.length > 0;
  }

  /** Stamp `e` with the current machine time and deliver it. */
  emit(e: Omit<MachineEvent, 'timeUs'>): void {
    if (this.listeners.length === 0) return;
    // Fixed leading keys (timeUs, cpu, kind) whatever order the producer wrote them in.
    const { cpu, kind, ...rest } = e;
    const ev: MachineEvent = { timeUs: Math.round(this.nowNs()) / 1000, cpu, kind, ...rest };
    for (const l of this.listeners) l(ev);
  }

  /** @returns a function that unsubscribes */
  subscribe(l: MachineEventListener): () => void {
    this.listeners = [...this.listeners, l];
    return () => {
      this.listeners = this.listeners.filter((x) => x !== l);
    };
  }
}

/**
 * One event as `--gic-trace` prints it: its JSON and a newline. These lines have no pino
 * `level` field, which tells them apart from log lines on the same stderr.
 */
export function eventLine(e: MachineEvent): string {
  return `${JSON.stringify(e)}\n`;
}
