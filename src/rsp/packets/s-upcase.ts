import { malformed, type Command } from './command';
import { parseSignalResume } from './c-upcase';

/** `S sig[;addr]`: step with signal sig (gdb manual, "Packets"). */
export function parse_S(args: Uint8Array): Command {
  const r = parseSignalResume(args);
  return r === undefined ? malformed('S', 'expected sig[;addr]') : { kind: 'S', ...r };
}
