import { latin1 } from '../hex';
import { malformed, type Command } from './command';
import { parse_c } from './c';
import { parse_C } from './c-upcase';
import { parse_D } from './d-upcase';
import { parse_G } from './g-upcase';
import { parse_H } from './h-upcase';
import { parse_m } from './m';
import { parse_M } from './m-upcase';
import { parse_p } from './p';
import { parse_P } from './p-upcase';
import { parse_qRcmd } from './qRcmd';
import { parse_qSupported } from './qSupported';
import { parse_qThreadExtraInfo } from './qThreadExtraInfo';
import { parse_qXfer } from './qXfer';
import { parse_s } from './s';
import { parse_S } from './s-upcase';
import { parse_T } from './t-upcase';
import { parse_vCont } from './vCont';
import { parse_x } from './x';
import { parse_X } from './x-upcase';
import { parse_Z } from './z';

export type { Command, VContAction } from './command';

/** Packets without arguments: the payload must match exactly. */
const EXACT = new Map<string, Command>(Object.entries({
  '?': { kind: '?' },
  g: { kind: 'g' },
  k: { kind: 'k' },
  qfThreadInfo: { kind: 'qfThreadInfo' },
  qsThreadInfo: { kind: 'qsThreadInfo' },
  qC: { kind: 'qC' },
  QStartNoAckMode: { kind: 'QStartNoAckMode' },
} satisfies Record<string, Command>));

/** Single-letter packets with arguments: the letter, then the arguments. */
const BY_LETTER = new Map<string, (args: Uint8Array) => Command>(Object.entries({
  G: parse_G,
  p: parse_p,
  P: parse_P,
  m: parse_m,
  M: parse_M,
  x: parse_x,
  X: parse_X,
  c: parse_c,
  C: parse_C,
  s: parse_s,
  S: parse_S,
  H: parse_H,
  T: parse_T,
  D: parse_D,
  Z: (a: Uint8Array) => parse_Z('Z', a),
  z: (a: Uint8Array) => parse_Z('z', a),
}));

/**
 * Named packets (`q…`, `Q…`, `v…`): the name runs up to the first `:`, `,` , `;` or `?`,
 * the parser gets the rest starting at that separator.
 */
const BY_NAME = new Map<string, (args: Uint8Array) => Command>(Object.entries({
  qSupported: parse_qSupported,
  qThreadExtraInfo: parse_qThreadExtraInfo,
  qXfer: parse_qXfer,
  qRcmd: parse_qRcmd,
  // gdb manual: `qAttached` or `qAttached:pid` (multiprocess); the pid is ignored.
  qAttached: (): Command => ({ kind: 'qAttached' }),
  vCont: parse_vCont,
}));

/** Index of the end of a q/Q/v packet's name. */
function nameEnd(payload: Uint8Array): number {
  for (let i = 1; i < payload.length; i++) {
    const b = payload[i];
    if (b === 0x3a || b === 0x2c || b === 0x3b || b === 0x3f) return i;
  }
  return payload.length;
}

/**
 * Parse one packet payload (already unescaped by the receiver) into a {@link Command}.
 * Never throws: anything unrecognised is `unknown` (the empty "unsupported" reply, e.g.
 * `qFooBar`, `vMustReplyEmpty`, `vFile:…`, `vRun;…`, `qOffsets`), and a known packet with
 * bad arguments is `malformed`.
 */
export function parsePacket(payload: Uint8Array): Command {
  if (payload.length === 0) return { kind: 'unknown' };
  const first = String.fromCharCode(payload[0]);
  if (first === 'q' || first === 'Q' || first === 'v') {
    const end = nameEnd(payload);
    const name = latin1(payload.subarray(0, end));
    const parser = BY_NAME.get(name);
    if (parser) return parser(payload.subarray(end));
    const exact = end === payload.length ? EXACT.get(name) : undefined;
    return exact ?? { kind: 'unknown' };
  }
  const exact = EXACT.get(first);
  if (exact && payload.length === 1) return exact;
  const parser = BY_LETTER.get(first);
  if (parser) return parser(payload.subarray(1));
  if (exact) return malformed(first, 'unexpected argument');
  return { kind: 'unknown' };
}
