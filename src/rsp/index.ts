/**
 * The GDB Remote Serial Protocol layer: a server speaking RSP to gdb (over TCP, a unix socket
 * or any stream pair such as stdin/stdout) on behalf of a
 * {@link Target} (src/rsp/target.ts). Machine-independent: it never touches CPU internals.
 */
export * from './target';
export { RspServer, BUSY_MESSAGE, type RspServerOptions, type ListenAddress, type ClientEvent, type RspStream } from './server';
export { RspSession, DEFAULT_PACKET_SIZE, type SessionIo, type SessionOptions } from './session';
export { formatTraceEvent, type RspTrace, type RspTraceEvent } from './trace';
export type { RspLog } from './log';
export { AARCH64_REGISTERS, G_PACKET_BYTES } from './aarch64-regs';
