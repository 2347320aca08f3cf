import type { Command } from '../packets/command';
import type { WatchKind } from '../target';
import { Errno, TargetError } from '../target-error';
import { OK, REPLY, type HandlerContext, type HandlerStatus } from './context';

/** Z/z types 2, 3, 4 (gdb manual, "Packets", `Z2`…`Z4`). */
const WATCH_KINDS: Record<number, WatchKind> = { 2: 'write', 3: 'read', 4: 'access' };

/**
 * `Z type,addr,kind` / `z type,addr,kind`: insert / remove a breakpoint or watchpoint. Each
 * type is gated on its own capability: without it the reply is empty and gdb falls back
 * (to writing BRK instructions itself for Z0; to software watchpoints for Z2–Z4). Breakpoints
 * are not per thread: they apply to every CPU, as on QEMU and in Linux kgdb.
 */
export function handle_Z(ctx: HandlerContext, cmd: Extract<Command, { kind: 'Z' | 'z' }>): HandlerStatus {
  const insert = cmd.kind === 'Z';
  const { addr, bpKind } = cmd;
  switch (cmd.type) {
    case 0: {
      const ops = ctx.caps.swBreakpoint;
      if (!ops) return REPLY;
      if (insert) ops.addSwBreakpoint(addr, bpKind);
      else ops.removeSwBreakpoint(addr, bpKind);
      return OK;
    }
    case 1: {
      const ops = ctx.caps.hwBreakpoint;
      if (!ops) return REPLY;
      if (insert) ops.addHwBreakpoint(addr, bpKind);
      else ops.removeHwBreakpoint(addr, bpKind);
      return OK;
    }
    case 2:
    case 3:
    case 4: {
      const ops = ctx.caps.hwWatchpoint;
      if (!ops) return REPLY;
      if (bpKind === 0) throw TargetError.errno(Errno.EINVAL, 'watchpoint of length 0');
      const kind = WATCH_KINDS[cmd.type];
      if (insert) ops.addHwWatchpoint(addr, bpKind, kind);
      else ops.removeHwWatchpoint(addr, bpKind, kind);
      return OK;
    }
    default:
      return REPLY;
  }
}
