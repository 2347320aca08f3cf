import type { Command } from '../packets/command';
import { Errno, TargetError } from '../target-error';
import type { ReplyBuilder } from '../writer';
import { handle_G, handle_P, handle_g, handle_m, handle_p, handle_qAttached, handle_question_mark, handle_write_memory, handle_x } from './base';
import { handle_Z } from './breakpoints';
import { REPLY, type HandlerContext, type HandlerStatus } from './context';
import { handle_qRcmd } from './monitor';
import { handle_continue, handle_step, handle_vCont, handle_vCont_query } from './resume';
import { handle_QStartNoAckMode, handle_qSupported } from './supported';
import { handle_H, handle_T, handle_qC, handle_qThreadExtraInfo, handle_qfThreadInfo, handle_qsThreadInfo } from './threads';
import { handle_qXfer } from './xfer';

export type { HandlerContext, HandlerStatus, SessionConsole, ConnectionState } from './context';

/**
 * Run the handler for `cmd`, writing any reply into `out`. Handlers throw TargetError for
 * `E NN` replies; the session converts (one place, gdbstub's `handle_error`).
 * @throws TargetError EINVAL for a malformed packet; whatever the handler throws
 */
export function dispatch(ctx: HandlerContext, cmd: Command, out: ReplyBuilder): HandlerStatus | Promise<HandlerStatus> {
  switch (cmd.kind) {
    case 'qSupported':
      return handle_qSupported(ctx, cmd, out);
    case 'QStartNoAckMode':
      return handle_QStartNoAckMode(ctx);
    case '?':
      return handle_question_mark(ctx);
    case 'g':
      return handle_g(ctx, out);
    case 'G':
      return handle_G(ctx, cmd);
    case 'p':
      return handle_p(ctx, cmd, out);
    case 'P':
      return handle_P(ctx, cmd);
    case 'm':
      return handle_m(ctx, cmd, out);
    case 'x':
      return handle_x(ctx, cmd, out);
    case 'M':
    case 'X':
      return handle_write_memory(ctx, cmd);
    case 'c':
    case 'C':
      return handle_continue(ctx, cmd);
    case 's':
    case 'S':
      return handle_step(ctx, cmd);
    case 'vCont?':
      return handle_vCont_query(ctx, out);
    case 'vCont':
      return handle_vCont(ctx, cmd);
    case 'H':
      return handle_H(ctx, cmd);
    case 'T':
      return handle_T(ctx, cmd);
    case 'qfThreadInfo':
      return handle_qfThreadInfo(ctx, out);
    case 'qsThreadInfo':
      return handle_qsThreadInfo(out);
    case 'qC':
      return handle_qC(ctx, out);
    case 'qThreadExtraInfo':
      return handle_qThreadExtraInfo(ctx, cmd, out);
    case 'qXfer':
      return handle_qXfer(ctx, cmd, out);
    case 'qAttached':
      return handle_qAttached(out);
    case 'qRcmd':
      return handle_qRcmd(ctx, cmd);
    case 'Z':
    case 'z':
      return handle_Z(ctx, cmd);
    case 'D':
      return { kind: 'disconnect', reason: 'detach', replyOk: true };
    case 'k':
      // gdb does not wait for a reply to `k` (remote.c `remote_kill_k`).
      return { kind: 'disconnect', reason: 'kill', replyOk: false };
    case 'unknown':
      return REPLY;
    case 'malformed':
      throw TargetError.errno(Errno.EINVAL, `malformed ${cmd.packet} packet: ${cmd.reason}`);
  }
}
