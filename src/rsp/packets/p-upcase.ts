import { hexDigitValue, parseHexNumber } from '../hex';
import { malformed, type Command } from './command';
import { Cursor, EQUALS } from './cursor';

/** `P n…=r…`: write register n with value r… (target byte order hex; gdb manual, "Packets"). */
export function parse_P(args: Uint8Array): Command {
  const c = new Cursor(args);
  const regnum = parseHexNumber(c.field(EQUALS), 16);
  if (regnum === undefined) return malformed('P', 'bad register number');
  const hex = c.rest();
  if (hex.length === 0 || hex.length % 2 !== 0) return malformed('P', 'bad value length');
  for (const b of hex) if (hexDigitValue(b) < 0) return malformed('P', 'value not hex');
  return { kind: 'P', regnum, hex };
}
