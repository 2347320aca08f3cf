import { malformed, type Command } from './command';
import { COLON, COMMA, Cursor, parseAddress, parseLength } from './cursor';

/**
 * `X addr,length:XX…`: write memory, data as binary (gdb manual, "Packets"). The receiver
 * has already decoded the `}` escapes, so the data are the raw bytes. gdb probes support
 * with a zero-length `X addr,0:` (remote.c `check_binary_download`).
 */
export function parse_X(args: Uint8Array): Command {
  const c = new Cursor(args);
  const addr = parseAddress(c.field(COMMA));
  const colon = args.indexOf(COLON, c.pos);
  if (addr === undefined || colon < 0) return malformed('X', 'expected addr,length:data');
  const length = parseLength(args.subarray(c.pos, colon));
  if (length === undefined) return malformed('X', 'bad length');
  // Binary data may contain ':' and ','; take everything after the first colon.
  const data = args.slice(colon + 1);
  if (data.length !== length) return malformed('X', `length ${length} but ${data.length} data bytes`);
  return { kind: 'X', addr, data };
}
