/**
 * The one event model for everything that happens in a roundup or an interrupt: what
 * `monitor`, `compare`, `--gic-trace` and trace export are built from. Times are machine
 * time in µs (fractional), CPUs are 0-based indexes.
 */
export type RoundupEventKind =
  | 'entered-master' // a CPU entered kgdb_handle_exception and holds the debugger
  | 'sgi-sent' // the master's roundup SGI to the other CPUs
  | 'entered-slave' // a CPU answered the roundup (kgdb_nmicallback)
  | 'timed-out' // the roundup wait ran out with CPUs missing
  | 'arrived-late' // a CPU answered after the timeout, while the debugger was active
  | 'released' // the debugger let every CPU go
  | 'step-interrupted'; // a step of the master took an interrupt first: its handler runs, then the step is retried

export interface RoundupEvent {
  /** Machine time, µs. */
  timeUs: number;
  cpu: number;
  kind: RoundupEventKind;
  /** SGI INTID for sgi-sent / entered-slave. */
  intid?: number;
  /** For entered-slave: how the roundup SGI was taken (NMI: the interrupted context had IRQs masked by PMR). */
  takenAs?: 'nmi' | 'irq';
  /** ICC_PMR_EL1 and PSTATE.I of the CPU at the event. */
  pmr?: number;
  irqMasked?: boolean;
  /** For sgi-sent: target CPUs; for timed-out: the CPUs that did not arrive. */
  cpus?: number[];
  /** For step-interrupted: the pc being stepped. */
  pc?: number;
  /** Signal number for entered-master. */
  signo?: number;
}
