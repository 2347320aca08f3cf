import { malformed, type Command } from './command';
import { COMMA, Cursor, parseAddress, parseLength } from './cursor';

/** `m addr,length`: read memory (gdb manual, "Packets"). */
export function parse_m(args: Uint8Array): Command {
  const c = new Cursor(args);
  const addr = parseAddress(c.field(COMMA));
  const length = parseLength(c.rest());
  if (addr === undefined || length === undefined) return malformed('m', 'expected addr,length');
  return { kind: 'm', addr, length };
}
