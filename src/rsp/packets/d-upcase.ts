import { malformed, type Command } from './command';

/**
 * `D` or `D;pid`: detach (gdb manual, "Packets"). The pid form only appears with the
 * multiprocess extensions, which are not advertised; it is accepted and the pid ignored.
 */
export function parse_D(args: Uint8Array): Command {
  if (args.length === 0 || args[0] === 0x3b) return { kind: 'D' };
  return malformed('D', 'unexpected argument');
}
