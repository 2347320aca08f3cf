import { NS_PER_TICK } from '../memory-map';

/** CNTx_CTL_EL0 bits. ARM ARM D11.2 (Generic Timer); QEMU target/arm/helper.c gt_recalc_timer. */
export const CTL_ENABLE = 1;
export const CTL_IMASK = 2;
export const CTL_ISTATUS = 4;

/** One EL1 timer (physical or virtual) of one PE. */
export class TimerChannel {
  /** Compare value, ticks, unsigned 64-bit. */
  cval = 0n;
  /** ENABLE and IMASK (ISTATUS is computed). */
  ctl = 0;

  /** ISTATUS: (count - offset) >= CVAL, unsigned 64-bit comparison. */
  istatus(count: bigint): boolean {
    return (this.ctl & CTL_ENABLE) !== 0 && count >= this.cval;
  }

  /** The interrupt output: ENABLE && ISTATUS && !IMASK (a level). */
  output(count: bigint): boolean {
    return (this.ctl & CTL_IMASK) === 0 && this.istatus(count);
  }

  /** CTL as read: ENABLE, IMASK and the live ISTATUS. */
  readCtl(count: bigint): bigint {
    return BigInt((this.ctl & 3) | (this.istatus(count) ? CTL_ISTATUS : 0));
  }

  /** TVAL reads as the signed 32-bit CVAL - count. */
  readTval(count: bigint): bigint {
    return BigInt.asUintN(64, BigInt.asIntN(32, this.cval - count));
  }

  /** Writing TVAL sets CVAL = count + SignExtend(TVAL<31:0>). */
  writeTval(count: bigint, v: bigint): void {
    this.cval = BigInt.asUintN(64, count + BigInt.asIntN(32, v));
  }

  /**
   * Machine time (ns) at which the output will rise, or Infinity if it never will
   * without a register write. Already-asserted outputs return -Infinity.
   */
  deadlineNs(count: bigint): number {
    if ((this.ctl & (CTL_ENABLE | CTL_IMASK)) !== CTL_ENABLE) return Infinity;
    if (count >= this.cval) return -Infinity;
    return Number(this.cval) * NS_PER_TICK;
  }
}

/**
 * The EL1 physical and virtual timers of one PE. CNTVOFF is 0 (no EL2), so both count
 * the same system counter. Outputs go to PPIs 30 (physical) and 27 (virtual).
 */
export class GenericTimer {
  readonly phys = new TimerChannel();
  readonly virt = new TimerChannel();
}
