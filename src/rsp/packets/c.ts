import { malformed, type Command } from './command';
import { parseAddress } from './cursor';

/** The optional resume address of `c [addr]` / `s [addr]`: undefined when absent, null when malformed. */
export function parseResumeAddr(args: Uint8Array): bigint | undefined | null {
  if (args.length === 0) return undefined;
  return parseAddress(args) ?? null;
}

/** `c [addr]`: continue, optionally at addr (gdb manual, "Packets"; deprecated for vCont). */
export function parse_c(args: Uint8Array): Command {
  const addr = parseResumeAddr(args);
  return addr === null ? malformed('c', 'bad address') : { kind: 'c', addr };
}
