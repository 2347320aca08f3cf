import { latin1, parseHexNumber } from '../hex';
import { malformed, type Command } from './command';
import { COLON, COMMA, Cursor } from './cursor';

/**
 * `qXfer:object:read:annex:offset,length` (gdb manual, "General Query Packets", qXfer).
 * Only `read` exists for the objects this stub serves; other operations parse and are
 * refused by the handler.
 * @param args what follows `qXfer` (starting at the colon)
 */
export function parse_qXfer(args: Uint8Array): Command {
  if (args[0] !== COLON) return malformed('qXfer', 'expected :object');
  const c = new Cursor(args, 1);
  const object = latin1(c.field(COLON));
  const operation = latin1(c.field(COLON));
  const annex = latin1(c.field(COLON));
  const offset = parseHexNumber(c.field(COMMA), 48);
  const length = parseHexNumber(c.rest(), 48);
  if (object === '' || operation === '' || offset === undefined || length === undefined) {
    return malformed('qXfer', 'expected :object:operation:annex:offset,length');
  }
  return { kind: 'qXfer', object, operation, annex, offset, length };
}
