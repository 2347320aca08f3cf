import { parseHexNumber } from './hex';

/**
 * A thread-id as gdb writes it (gdb manual, "Packets", thread-id syntax): a hex number, `-1`
 * for all threads, or `0` for an arbitrary ("any") thread. With the multiprocess extensions
 * it is `p<pid>.<tid>`; this stub does not advertise them, but accepts that form and
 * ignores the pid.
 */
export type ThreadId = { kind: 'all' } | { kind: 'any' } | { kind: 'id'; tid: number };

/** The largest tid accepted (CPUS_MAX is 256; 2^31 keeps values exact and positive). */
const TID_MAX_BITS = 31;

/**
 * Parse a thread-id field.
 * @returns the id, or undefined when the field is malformed
 */
export function parseThreadId(text: Uint8Array): ThreadId | undefined {
  let field = text;
  if (field.length > 0 && field[0] === 0x70 /* p */) {
    const dot = field.indexOf(0x2e);
    if (dot < 0) return undefined;
    field = field.subarray(dot + 1);
  }
  if (field.length === 2 && field[0] === 0x2d && field[1] === 0x31) return { kind: 'all' };
  const tid = parseHexNumber(field, TID_MAX_BITS);
  if (tid === undefined) return undefined;
  return tid === 0 ? { kind: 'any' } : { kind: 'id', tid };
}

/**
 * Thread id of CPU `cpu`: cpu + 1, since 0 means "any thread" on the wire (gdb manual,
 * "Packets"; gdbstub's multicore example maps cores to tids 1, 2 the same way).
 */
export function cpuToTid(cpu: number): number {
  return cpu + 1;
}

/** The CPU index of thread `tid` (≥ 1). */
export function tidToCpu(tid: number): number {
  return tid - 1;
}
