import { malformed, type Command } from './command';
import { parseResumeAddr } from './c';

/** `s [addr]`: single-step, optionally at addr (gdb manual, "Packets"). */
export function parse_s(args: Uint8Array): Command {
  const addr = parseResumeAddr(args);
  return addr === null ? malformed('s', 'bad address') : { kind: 's', addr };
}
