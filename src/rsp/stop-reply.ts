import { AARCH64_REGISTERS, EXPEDITED_REGNUMS, registerBytes } from './aarch64-regs';
import type { AArch64CoreRegs, StopEvent } from './target';
import { cpuToTid } from './thread-id';
import type { ReplyBuilder } from './writer';

/** What gdb said it understands (from its qSupported), as far as stop replies care. */
export interface StopReplyFeatures {
  /** gdb sent `swbreak+`: a `swbreak:;` reason may be reported. */
  swbreak: boolean;
  /** gdb sent `hwbreak+`: a `hwbreak:;` reason may be reported. */
  hwbreak: boolean;
}

/**
 * Write the stop reply for `ev` (gdb manual, "Stop Reply Packets"):
 * - `T AA n:r;…` for a signal stop on a CPU: `thread:<tid>;` and `core:<cpu>;` (hex), the
 *   expedited registers x29, sp, pc as `1d:…;1f:…;20:…;` (those `regs` has; gdbserver sends
 *   the same three on aarch64, saving gdb a `g` for the frame it shows first), and the
 *   reason (`swbreak:;`, `hwbreak:;` only if gdb announced support, as the manual
 *   requires; `watch:addr;`, `rwatch:addr;`, `awatch:addr;`).
 * - `S AA` for a signal stop that names no CPU.
 * - `W AA` (exited with status) and `X AA` (terminated by signal).
 *
 * @param regs the stopped CPU's registers for the expedited values, or undefined to send none
 */
export function writeStopReply(
  out: ReplyBuilder,
  ev: StopEvent,
  regs: AArch64CoreRegs | undefined,
  features: StopReplyFeatures,
): void {
  switch (ev.kind) {
    case 'exited':
      out.text('W').hexByte(ev.status & 0xff);
      return;
    case 'terminated':
      out.text('X').hexByte(ev.signal & 0xff);
      return;
    case 'signal':
      break;
  }
  if (ev.cpu === undefined) {
    out.text('S').hexByte(ev.signal & 0xff);
    return;
  }
  out.text('T').hexByte(ev.signal & 0xff);
  out.text('thread:').hexNumber(cpuToTid(ev.cpu)).text(';');
  out.text('core:').hexNumber(ev.cpu).text(';');
  if (regs) {
    for (const regnum of EXPEDITED_REGNUMS) {
      const bytes = registerBytes(regs, AARCH64_REGISTERS[regnum]);
      if (bytes) out.hexByte(regnum).text(':').hex(bytes).text(';');
    }
  }
  const cause = ev.cause;
  if (!cause) return;
  switch (cause.kind) {
    case 'swbreak':
      if (features.swbreak) out.text('swbreak:;');
      return;
    case 'hwbreak':
      if (features.hwbreak) out.text('hwbreak:;');
      return;
    default:
      out.text(`${cause.kind}:`).hexNumber(BigInt.asUintN(64, cause.addr)).text(';');
  }
}
