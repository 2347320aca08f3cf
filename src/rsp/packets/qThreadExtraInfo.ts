import { parseThreadId } from '../thread-id';
import { malformed, type Command } from './command';

/**
 * `qThreadExtraInfo,thread-id`: printable text about a thread, for `info threads`
 * (gdb manual, "General Query Packets"; the reply is hex-encoded).
 * @param args what follows `qThreadExtraInfo` (starting at the comma)
 */
export function parse_qThreadExtraInfo(args: Uint8Array): Command {
  if (args[0] !== 0x2c) return malformed('qThreadExtraInfo', 'expected ,thread-id');
  const thread = parseThreadId(args.subarray(1));
  return thread === undefined ? malformed('qThreadExtraInfo', 'bad thread-id') : { kind: 'qThreadExtraInfo', thread };
}
