import { parseThreadId } from '../thread-id';
import { malformed, type Command } from './command';

/** `T thread-id`: is the thread alive? (gdb manual, "Packets"). */
export function parse_T(args: Uint8Array): Command {
  const thread = parseThreadId(args);
  return thread === undefined ? malformed('T', 'bad thread-id') : { kind: 'T', thread };
}
