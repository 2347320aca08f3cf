import { decodeHex } from '../hex';
import { malformed, type Command } from './command';

/**
 * `qRcmd,command`: a `monitor` command, the text hex-encoded (gdb manual, "General Query
 * Packets", qRcmd).
 * @param args what follows `qRcmd` (starting at the comma)
 */
export function parse_qRcmd(args: Uint8Array): Command {
  if (args[0] !== 0x2c) return malformed('qRcmd', 'expected ,command');
  const command = decodeHex(args.subarray(1));
  return command === undefined ? malformed('qRcmd', 'command not hex') : { kind: 'qRcmd', command };
}
