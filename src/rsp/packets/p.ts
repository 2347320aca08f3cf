import { parseHexNumber } from '../hex';
import { malformed, type Command } from './command';

/** `p n`: read register n (hex gdb register number; gdb manual, "Packets"). */
export function parse_p(args: Uint8Array): Command {
  const regnum = parseHexNumber(args, 16);
  return regnum === undefined ? malformed('p', 'bad register number') : { kind: 'p', regnum };
}
