/**
 * Errors a {@link Target} reports, and their mapping to RSP error replies.
 *
 * The taxonomy follows gdbstub's `TargetError` (src/target/mod.rs): an error is either
 * non-fatal (the packet fails with `E NN` and the session continues) or fatal (the session
 * ends and the error reaches the server's owner). The RSP carries only a number: `E NN`,
 * NN being two hex digits (gdb manual, "Standard Replies"). gdb does not interpret the
 * number; by convention stubs send errno
 * values. Linux kgdb writes them in decimal (kernel/debug/gdbstub.c `error_packet`, so
 * -EINVAL shows as "E22"); this stub follows the manual and writes hex ("E16").
 */

/** errno values used in replies (Linux asm-generic/errno-base.h, errno.h). */
export const Errno = {
  /** No such thread. */
  ESRCH: 3,
  /** A target operation failed for a reason it did not classify. */
  EIO: 5,
  /** An address could not be read or written. */
  EFAULT: 14,
  /** The thing already exists (e.g. a breakpoint at that address). */
  EEXIST: 17,
  /** A malformed packet, a bad argument, a register number out of range. */
  EINVAL: 22,
  /** A table is full (breakpoints, watchpoints). */
  ENOSPC: 28,
  /** A packet longer than the advertised PacketSize. */
  EMSGSIZE: 90,
  /** The operation is not supported for this argument (e.g. an FP register: not modelled). */
  EOPNOTSUPP: 95,
  /** An unexpected failure inside the stub or target (gdbstub's `NonFatal` uses the same). */
  EREMOTEIO: 121,
} as const;

/** How bad a {@link TargetError} is. */
export type TargetErrorKind = 'errno' | 'fatal';

/**
 * A failure reported by a target operation. Throw `TargetError.errno(Errno.EFAULT)` for a
 * packet-level failure; throw `TargetError.fatal(message)` when the target cannot go on (the
 * session is closed and the server's `onFatal` is called). Any other exception thrown by a
 * target method is treated as a non-fatal internal error: logged, answered with
 * `E79` (EREMOTEIO), and the session continues.
 */
export class TargetError extends Error {
  private constructor(
    readonly kind: TargetErrorKind,
    /** The errno sent as `E NN` (0..255); unused for fatal errors. */
    readonly errno: number,
    message: string,
  ) {
    super(message);
    this.name = 'TargetError';
  }

  /**
   * A non-fatal failure answered with `E NN`.
   * @param errno 0..255
   * @throws RangeError for an errno outside 0..255
   */
  static errno(errno: number, message = `target error ${errno}`): TargetError {
    if (!Number.isInteger(errno) || errno < 0 || errno > 255) throw new RangeError(`errno out of range: ${errno}`);
    return new TargetError('errno', errno, message);
  }

  /** A failure that ends the session. */
  static fatal(message: string): TargetError {
    return new TargetError('fatal', Errno.EREMOTEIO, message);
  }
}

/** True when `e` must end the session. */
export function isFatal(e: unknown): boolean {
  return e instanceof TargetError && e.kind === 'fatal';
}

/**
 * The one conversion from a caught exception to the errno of an `E NN` reply (gdbstub's
 * `handle_error`): a TargetError's own errno, otherwise EREMOTEIO.
 */
export function errnoOf(e: unknown): number {
  return e instanceof TargetError ? e.errno : Errno.EREMOTEIO;
}

/**
 * The text of an `E.errtext` reply for `e`: printable ASCII only (gdb manual, "Standard
 * Replies": errtext is ASCII), without the framing characters `$ # } *`, at most 200 chars.
 */
export function errorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/[^\x20-\x7e]|[$#}*]/g, '?').slice(0, 200) || 'error';
}
