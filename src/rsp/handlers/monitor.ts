import type { Command } from '../packets/command';
import { OK, REPLY, type HandlerContext, type HandlerStatus } from './context';

/**
 * `qRcmd,hex`: a `monitor` command (gdb manual, "General Query Packets", qRcmd). The text
 * (UTF-8) goes to the target with a console; output reaches gdb as `O` packets before the
 * final `OK` (or `E NN` when the command throws). gdb prints "Target does not support this
 * command." for the empty reply sent when the target has no monitor capability.
 */
export function handle_qRcmd(
  ctx: HandlerContext,
  cmd: Extract<Command, { kind: 'qRcmd' }>,
): HandlerStatus | Promise<HandlerStatus> {
  const ops = ctx.caps.monitor;
  if (!ops) return REPLY;
  const text = Buffer.from(cmd.command).toString('utf8');
  const console = ctx.openConsole();
  let r: void | Promise<void>;
  try {
    r = ops.handleMonitorCmd(text, console);
  } catch (e) {
    console.close();
    throw e;
  }
  if (r instanceof Promise) {
    return r.then(
      () => {
        console.close();
        return OK;
      },
      (e: unknown) => {
        console.close();
        throw e;
      },
    );
  }
  console.close();
  return OK;
}
