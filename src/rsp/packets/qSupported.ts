import { latin1 } from '../hex';
import type { Command } from './command';

/**
 * `qSupported[:gdbfeature[;gdbfeature]…]`: gdb's features (`name+`, `name-`, `name=value`,
 * `name?`), answered with the stub's (gdb manual, "General Query Packets", qSupported).
 * @param args what follows `qSupported` (empty, or starting at the colon)
 */
export function parse_qSupported(args: Uint8Array): Command {
  const text = args[0] === 0x3a ? latin1(args.subarray(1)) : '';
  return { kind: 'qSupported', features: text === '' ? [] : text.split(';') };
}
