import { malformed, type Command } from './command';
import { COMMA, Cursor, parseAddress, parseLength } from './cursor';

/**
 * `x addr,length`: read memory as binary data (gdb 16's binary-upload; the reply is `b`
 * followed by escaped bytes). Same arguments as `m`.
 */
export function parse_x(args: Uint8Array): Command {
  const c = new Cursor(args);
  const addr = parseAddress(c.field(COMMA));
  const length = parseLength(c.rest());
  if (addr === undefined || length === undefined) return malformed('x', 'expected addr,length');
  return { kind: 'x', addr, length };
}
