import { hexDigitValue } from '../hex';
import { malformed, type Command } from './command';

/**
 * `G XX…`: write all registers, in `g` order (gdb manual, "Packets"). The hex text is kept
 * as is; the handler splits it per register, since a register sent as `xx` bytes means
 * "unavailable" and is left alone.
 */
export function parse_G(args: Uint8Array): Command {
  if (args.length % 2 !== 0) return malformed('G', 'odd number of hex digits');
  for (const b of args) {
    if (hexDigitValue(b) < 0 && b !== 0x78) return malformed('G', 'not hex');
  }
  return { kind: 'G', hex: args };
}
