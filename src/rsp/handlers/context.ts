import type { Capabilities } from '../capabilities';
import type { RspLog } from '../log';
import type { ConsoleOutput, ResumePlan, StopEvent } from '../target';
import type { ThreadId } from '../thread-id';

/** Per-connection protocol state (a new connection starts afresh: ack mode, nothing selected). */
export interface ConnectionState {
  /** QStartNoAckMode was accepted: no `+`/`-` from now on. */
  noAck: boolean;
  /** Thread selected by `Hg` (registers, memory). */
  hg: ThreadId;
  /** Thread selected by `Hc` (legacy `c`/`s`). */
  hc: ThreadId;
  /** The CPU of the last stop reported to gdb: "any thread" resolves to it. */
  currentCpu: number | undefined;
  /** gdb's qSupported features: names of those sent as `name+`. */
  gdbFeatures: Set<string>;
  /** The qXfer:threads:read document being read, built at offset 0 so chunks agree. */
  threadsXml: Uint8Array | undefined;
}

/** A console for the duration of one operation (see {@link ConsoleOutput}). */
export interface SessionConsole extends ConsoleOutput {
  close(): void;
}

/** What handlers get to work with. */
export interface HandlerContext {
  readonly caps: Capabilities;
  readonly conn: ConnectionState;
  /** The largest packet body accepted, in bytes (the advertised PacketSize). */
  readonly packetSize: number;
  readonly log: RspLog;
  /** A console whose writes become `O` packets, with keepalives while it is open. */
  openConsole(): SessionConsole;
}

/**
 * What a handler wants done after it ran (gdbstub's `HandlerStatus`): handlers never frame
 * or send anything themselves.
 * - `reply`: send the ReplyBuilder's payload (empty = "unsupported").
 * - `ok`: send `OK`.
 * - `none`: send nothing (`k`).
 * - `resume`: start the target running per `plan`; the stop reply follows when it stops.
 * - `stop`: send the stop reply for `stop` (the `?` packet), which also makes the stopped
 *   CPU the current thread.
 * - `disconnect`: the client is leaving (`D` replies OK first, `k` does not); the target
 *   is told why and the connection is closed.
 */
export type HandlerStatus =
  | { kind: 'reply' }
  | { kind: 'ok' }
  | { kind: 'none' }
  | { kind: 'resume'; plan: ResumePlan }
  | { kind: 'stop'; stop: StopEvent }
  | { kind: 'disconnect'; reason: 'detach' | 'kill'; replyOk: boolean };

export const REPLY: HandlerStatus = { kind: 'reply' };
export const OK: HandlerStatus = { kind: 'ok' };
