import { writeStopReply } from '../stop-reply';
import type { AArch64CoreRegs, StopEvent } from '../target';
import type { ReplyBuilder } from '../writer';
import type { HandlerContext } from './context';

/**
 * Write the stop reply for `stop` and make the stopped CPU the current thread. gdb assumes
 * the stub's general thread (`Hg`) is the reported thread after each stop (remote.c
 * `record_currthread`), and QEMU resets its g_cpu the same way, so `hg` follows. `hc` is
 * left alone: gdb tracks it separately and would not resend `Hc-1` before a legacy `c`.
 */
export function reportStop(ctx: HandlerContext, stop: StopEvent, out: ReplyBuilder): void {
  let regs: AArch64CoreRegs | undefined;
  if (stop.kind === 'signal' && stop.cpu !== undefined) {
    try {
      regs = ctx.caps.base.readRegisters(stop.cpu);
    } catch (e) {
      // The stop is still reported, just without expedited registers.
      ctx.log.warn({ err: e, cpu: stop.cpu }, 'rsp: cannot read registers for the stop reply');
    }
    ctx.conn.currentCpu = stop.cpu;
    ctx.conn.hg = { kind: 'id', tid: stop.cpu + 1 };
  }
  const f = ctx.conn.gdbFeatures;
  writeStopReply(out, stop, regs, { swbreak: f.has('swbreak'), hwbreak: f.has('hwbreak') });
}
