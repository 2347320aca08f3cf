import type { ThreadId } from '../thread-id';

/** One vCont action (gdb manual, "Packets", vCont). */
export interface VContAction {
  /** `c`/`C` continue, `s`/`S` step, `t` stop, `r` range step. */
  action: 'c' | 's' | 't' | 'r';
  /** The signal of `C`/`S` (gdb numbering), 0 otherwise. */
  signal: number;
  /** The thread the action applies to; undefined: every thread no earlier action named. */
  thread: ThreadId | undefined;
}

/**
 * A parsed packet. `kind` is the packet's wire name (gdb manual, "Packets" and "General
 * Query Packets"). Parsers produce these from payload bytes; handlers consume them; the
 * target API never sees them.
 *
 * `unknown` is any packet this stub does not implement (the empty reply); `malformed` is a
 * known packet whose arguments do not parse (an `E16` reply, never empty: an empty reply
 * would tell gdb the packet is unsupported).
 */
export type Command =
  | { kind: '?' }
  | { kind: 'g' }
  | { kind: 'G'; hex: Uint8Array }
  | { kind: 'p'; regnum: number }
  | { kind: 'P'; regnum: number; hex: Uint8Array }
  | { kind: 'm'; addr: bigint; length: number }
  | { kind: 'M'; addr: bigint; data: Uint8Array }
  | { kind: 'x'; addr: bigint; length: number }
  | { kind: 'X'; addr: bigint; data: Uint8Array }
  | { kind: 'c'; addr: bigint | undefined }
  | { kind: 'C'; signal: number; addr: bigint | undefined }
  | { kind: 's'; addr: bigint | undefined }
  | { kind: 'S'; signal: number; addr: bigint | undefined }
  | { kind: 'vCont?' }
  | { kind: 'vCont'; actions: VContAction[] }
  | { kind: 'H'; op: 'g' | 'c'; thread: ThreadId }
  | { kind: 'T'; thread: ThreadId }
  | { kind: 'qfThreadInfo' }
  | { kind: 'qsThreadInfo' }
  | { kind: 'qC' }
  | { kind: 'qThreadExtraInfo'; thread: ThreadId }
  | { kind: 'qXfer'; object: string; operation: string; annex: string; offset: number; length: number }
  | { kind: 'qAttached' }
  | { kind: 'qSupported'; features: string[] }
  | { kind: 'QStartNoAckMode' }
  | { kind: 'qRcmd'; command: Uint8Array }
  | { kind: 'Z' | 'z'; type: number; addr: bigint; bpKind: number }
  | { kind: 'D' }
  | { kind: 'k' }
  | { kind: 'unknown' }
  | { kind: 'malformed'; packet: string; reason: string };

/** The `malformed` command for `packet`. */
export function malformed(packet: string, reason: string): Command {
  return { kind: 'malformed', packet, reason };
}
