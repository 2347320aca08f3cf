import { decodeHex } from '../hex';
import { malformed, type Command } from './command';
import { COLON, COMMA, Cursor, parseAddress, parseLength } from './cursor';

/** `M addr,length:XX…`: write memory, data as hex pairs (gdb manual, "Packets"). */
export function parse_M(args: Uint8Array): Command {
  const c = new Cursor(args);
  const addr = parseAddress(c.field(COMMA));
  const length = parseLength(c.field(COLON));
  if (addr === undefined || length === undefined) return malformed('M', 'expected addr,length:data');
  const data = decodeHex(c.rest());
  if (data === undefined) return malformed('M', 'data not hex');
  if (data.length !== length) return malformed('M', `length ${length} but ${data.length} data bytes`);
  return { kind: 'M', addr, data };
}
