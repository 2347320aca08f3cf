import { parseThreadId } from '../thread-id';
import { malformed, type Command } from './command';

/**
 * `H op thread-id`: select the thread for later operations: `g` for register and memory
 * access, `c` for the legacy `c`/`s` packets (gdb manual, "Packets").
 */
export function parse_H(args: Uint8Array): Command {
  const op = args[0];
  if (op !== 0x67 /* g */ && op !== 0x63 /* c */) return malformed('H', 'op must be g or c');
  const thread = parseThreadId(args.subarray(1));
  if (thread === undefined) return malformed('H', 'bad thread-id');
  return { kind: 'H', op: op === 0x67 ? 'g' : 'c', thread };
}
