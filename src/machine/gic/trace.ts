/**
 * GIC trace events: what `kgdb-lab run --gic-trace` prints, one JSON object per line.
 *
 * The events are the interrupt life-cycle steps a kernel debugger cares about when it
 * rounds CPUs up with an SGI (possibly as a pseudo-NMI): an SGI made pending on a target,
 * its acknowledge on that target (ICC_IAR<n>_EL1), the priority drop (ICC_EOIR<n>_EL1) and,
 * with EOImode = 1, the deactivation (ICC_DIR_EL1). Only operations that change GIC state
 * are reported: an IAR read that returns 1023, or an EOIR/DIR write the GIC ignores
 * (GICv3 spec IHI 0069 §12.2.9/§12.2.6; QEMU icc_eoir_write, icc_dir_write), emits nothing.
 *
 * The fields are deliberately minimal: a later interrupt event model grows from here.
 */

/** What happened. */
export type GicTraceKind = 'sgi-send' | 'ack' | 'eoi' | 'dir';

/** One GIC event. */
export interface GicTraceEvent {
  /** Machine time in ns since power-on (the clock behind CNTVCT_EL0; exact under --icount). */
  timeNs: number;
  /**
   * CPU index the event concerns: for 'sgi-send' the target whose redistributor latched
   * the SGI; otherwise the CPU whose CPU interface was accessed.
   */
  cpu: number;
  kind: GicTraceKind;
  /** The INTID (0–15 for SGIs). For 'eoi'/'dir' it is the value the CPU wrote. */
  intid: number;
  /**
   * The INTID's priority byte as configured for `cpu` (GICR_IPRIORITYR for SGIs/PPIs,
   * GICD_IPRIORITYR for SPIs) at the time of the event; lower is more urgent.
   */
  prio: number;
  /** 'sgi-send' only: the CPU index that wrote ICC_SGI0R/SGI1R/ASGI1R_EL1. */
  sender?: number;
}

/** Receives trace events synchronously, in the order the GIC performs them. */
export type GicTraceSink = (e: GicTraceEvent) => void;

/**
 * One event as the line `--gic-trace` prints: the event's JSON (fields in the order
 * timeNs, cpu, kind, intid, prio, sender) and a newline. These lines have no pino `level`
 * field, which tells them apart from log lines on the same stderr.
 */
export function gicTraceLine(e: GicTraceEvent): string {
  return `${JSON.stringify(e)}\n`;
}
