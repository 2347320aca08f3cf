import { malformed, type Command } from './command';
import { Cursor, SEMICOLON, parseSignal } from './cursor';
import { parseResumeAddr } from './c';

/** Parse `sig[;addr]` for `C` and `S`. */
export function parseSignalResume(args: Uint8Array): { signal: number; addr: bigint | undefined } | undefined {
  const c = new Cursor(args);
  const signal = parseSignal(c.field(SEMICOLON));
  const addr = parseResumeAddr(c.rest());
  if (signal === undefined || addr === null) return undefined;
  return { signal, addr };
}

/** `C sig[;addr]`: continue with signal sig (gdb manual, "Packets"). */
export function parse_C(args: Uint8Array): Command {
  const r = parseSignalResume(args);
  return r === undefined ? malformed('C', 'expected sig[;addr]') : { kind: 'C', ...r };
}
