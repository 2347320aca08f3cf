import { parseHexNumber } from '../hex';
import { malformed, type Command } from './command';
import { COMMA, Cursor, SEMICOLON, parseAddress } from './cursor';

/**
 * `Z type,addr,kind` (insert) and `z type,addr,kind` (remove) a breakpoint or watchpoint
 * (gdb manual, "Packets"): type 0 software breakpoint, 1 hardware breakpoint, 2 write, 3
 * read, 4 access watchpoint; kind is the breakpoint size in bytes (4 on AArch64) or the
 * watched length. Conditions and commands after `;` are ignored: ConditionalBreakpoints and
 * BreakpointCommands are not advertised, so gdb does not send them.
 * @param letter `Z` or `z`
 * @param args what follows the letter
 */
export function parse_Z(letter: 'Z' | 'z', args: Uint8Array): Command {
  const c = new Cursor(args);
  const type = parseHexNumber(c.field(COMMA), 8);
  const addr = parseAddress(c.field(COMMA));
  const bpKind = parseHexNumber(c.field(SEMICOLON), 32);
  if (type === undefined || addr === undefined || bpKind === undefined) {
    return malformed(letter, 'expected type,addr,kind');
  }
  return { kind: letter, type, addr, bpKind };
}
