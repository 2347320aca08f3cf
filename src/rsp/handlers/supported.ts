import { supportedFeatures } from '../capabilities';
import type { Command } from '../packets/command';
import type { ReplyBuilder } from '../writer';
import { OK, REPLY, type HandlerContext, type HandlerStatus } from './context';

/**
 * `qSupported:…`: remember gdb's `name+` features (swbreak, hwbreak decide what stop
 * replies may say) and answer with the stub's, derived from the target's capabilities
 * (gdb manual, "General Query Packets", qSupported).
 */
export function handle_qSupported(ctx: HandlerContext, cmd: Extract<Command, { kind: 'qSupported' }>, out: ReplyBuilder): HandlerStatus {
  ctx.conn.gdbFeatures = new Set(cmd.features.filter((f) => f.endsWith('+')).map((f) => f.slice(0, -1)));
  out.text(supportedFeatures(ctx.caps, ctx.packetSize).join(';'));
  return REPLY;
}

/**
 * `QStartNoAckMode`: reply `OK` (still acknowledged, gdb acks that reply too), then stop
 * sending and expecting `+`/`-` on this connection (gdb manual, "Packet Acknowledgment").
 * The session sent this packet's `+` before the handler ran, so switching here is in time.
 */
export function handle_QStartNoAckMode(ctx: HandlerContext): HandlerStatus {
  if (!ctx.caps.noAckMode) return REPLY;
  ctx.conn.noAck = true;
  return OK;
}
