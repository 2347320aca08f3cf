import { parseThreadId } from '../thread-id';
import { malformed, type Command, type VContAction } from './command';
import { COLON, Cursor, SEMICOLON, parseSignal } from './cursor';

/** One `action[:thread-id]` of vCont, or a reason it is malformed. */
function parseAction(text: Uint8Array): VContAction | string {
  const c = new Cursor(text);
  const spec = c.field(COLON);
  const threadField = text.includes(COLON) ? c.rest() : undefined;
  const thread = threadField === undefined ? undefined : parseThreadId(threadField);
  if (threadField !== undefined && thread === undefined) return 'bad thread-id';
  const letter = String.fromCharCode(spec[0] ?? 0);
  const arg = spec.subarray(1);
  switch (letter) {
    case 'c':
    case 's':
    case 't':
      if (arg.length !== 0) return `unexpected argument to ${letter}`;
      return { action: letter, signal: 0, thread };
    case 'C':
    case 'S': {
      const signal = parseSignal(arg);
      if (signal === undefined) return `bad signal in ${letter}`;
      return { action: letter === 'C' ? 'c' : 's', signal, thread };
    }
    case 'r':
      // Range stepping: parsed so the handler can refuse it by name (not advertised).
      return { action: 'r', signal: 0, thread };
    default:
      return `unknown action '${letter}'`;
  }
}

/**
 * `vCont?` (which actions are supported) and `vCont[;action[:thread-id]]…` (resume threads,
 * each with its own action; gdb manual, "Packets", vCont).
 * @param args what follows `vCont`
 */
export function parse_vCont(args: Uint8Array): Command {
  if (args.length === 1 && args[0] === 0x3f /* ? */) return { kind: 'vCont?' };
  if (args[0] !== SEMICOLON) return malformed('vCont', 'expected ;action');
  const actions: VContAction[] = [];
  const c = new Cursor(args, 1);
  while (!c.done) {
    const a = parseAction(c.field(SEMICOLON));
    if (typeof a === 'string') return malformed('vCont', a);
    actions.push(a);
  }
  if (actions.length === 0) return malformed('vCont', 'no action');
  return { kind: 'vCont', actions };
}
