/** CNTx_CTL_EL0 bits. ARM ARM D11.2 (Generic Timer); QEMU target/arm/helper.c gt_recalc_timer. */
export const CTL_ENABLE = 1;
export const CTL_IMASK = 2;
export const CTL_ISTATUS = 4;

/**
 * One EL1 timer (physical or virtual) of one PE.
 *
 * The register interface (`cval`, `readCtl`, `readTval`, `writeTval`) is in unsigned 64-bit
 * BigInts, as MRS/MSR see it. The checks the board makes on every scheduler turn (`output`,
 * `fireTick`) use a Number copy of CVAL kept in step with it, so the idle path never touches
 * BigInt. The count is a Number (ticks since power-on), exact below 2^53 ticks (4.5 years at
 * 62.5 MHz); both comparisons agree with the 64-bit one as long as the count is below that.
 */
export class TimerChannel {
  /** CVAL bits [31:0] and [63:32], unsigned 32-bit Numbers. */
  private cvalLo = 0;
  private cvalHi = 0;
  /** CVAL as a Number (rounded above 2^53, where no count gets to in practice). */
  private cvalNum = 0;
  /** ENABLE and IMASK (ISTATUS is computed). */
  ctl = 0;

  /** Compare value, ticks, unsigned 64-bit. */
  get cval(): bigint {
    return (BigInt(this.cvalHi) << 32n) | BigInt(this.cvalLo);
  }

  set cval(v: bigint) {
    this.setCvalHalves(Number(v & 0xffffffffn), Number((v >> 32n) & 0xffffffffn));
  }

  /** CVAL bits [31:0] and [63:32], as int32 (an MRS's register halves). */
  cvalHalf(high: boolean): number {
    return (high ? this.cvalHi : this.cvalLo) | 0;
  }

  /** Set CVAL from its 32-bit halves (int32 or uint32), as an MSR without BigInt. */
  setCvalHalves(lo: number, hi: number): void {
    this.cvalLo = lo >>> 0;
    this.cvalHi = hi >>> 0;
    this.cvalNum = this.cvalHi * 4294967296 + this.cvalLo;
  }

  /** CTL as read at `count` ticks (a Number): ENABLE, IMASK and the live ISTATUS; as {@link readCtl}. */
  ctlValue(count: number): number {
    return (this.ctl & 3) | ((this.ctl & CTL_ENABLE) !== 0 && count >= this.cvalNum ? CTL_ISTATUS : 0);
  }

  /**
   * The interrupt output, ENABLE && ISTATUS && !IMASK (a level), at `count` ticks (a
   * Number, as from CpuHost.counter).
   */
  output(count: number): boolean {
    return (this.ctl & (CTL_ENABLE | CTL_IMASK)) === CTL_ENABLE && count >= this.cvalNum;
  }

  /**
   * The count (ticks) from which the output is high, or Infinity if it never will be
   * without a register write (disabled or masked).
   */
  fireTick(): number {
    return (this.ctl & (CTL_ENABLE | CTL_IMASK)) === CTL_ENABLE ? this.cvalNum : Infinity;
  }

  /** CTL as read: ENABLE, IMASK and the live ISTATUS. */
  readCtl(count: bigint): bigint {
    return BigInt(this.ctlValue(Number(count)));
  }

  /** TVAL reads as the signed 32-bit CVAL - count. */
  readTval(count: bigint): bigint {
    return BigInt.asUintN(64, BigInt.asIntN(32, this.cval - count));
  }

  /** Writing TVAL sets CVAL = count + SignExtend(TVAL<31:0>). */
  writeTval(count: bigint, v: bigint): void {
    this.cval = BigInt.asUintN(64, count + BigInt.asIntN(32, v));
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
