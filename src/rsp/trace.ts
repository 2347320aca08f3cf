import { latin1 } from './hex';

/**
 * One thing seen on an RSP connection, for `--trace-rsp`. `direction` is from the stub's
 * point of view. `data` is the packet payload (decoded: escapes and run-length encoding
 * undone on input, escapes present on output) for packets, and the skipped bytes for
 * `garbage`.
 */
export interface RspTraceEvent {
  direction: 'in' | 'out';
  kind: 'packet' | 'ack' | 'nak' | 'interrupt' | 'bad-checksum' | 'oversize' | 'garbage' | 'retransmit';
  data?: Uint8Array;
}

/** Callback invoked for every trace event (it must not throw; exceptions are logged and ignored). */
export type RspTrace = (ev: RspTraceEvent) => void;

/**
 * A one-line rendering of `ev`: `<- $qSupported:…`, `-> +`, `<- ^C`, with bytes outside
 * printable ASCII as `\xNN`, cut after `maxBytes` data bytes.
 */
export function formatTraceEvent(ev: RspTraceEvent, maxBytes = 1024): string {
  const arrow = ev.direction === 'in' ? '<-' : '->';
  switch (ev.kind) {
    case 'ack':
      return `${arrow} +`;
    case 'nak':
      return `${arrow} -`;
    case 'interrupt':
      return `${arrow} ^C (0x03)`;
    default:
      break;
  }
  const data = ev.data ?? new Uint8Array(0);
  const shown = data.subarray(0, maxBytes);
  let text = '';
  for (const ch of latin1(shown)) {
    const c = ch.charCodeAt(0);
    text += c >= 0x20 && c < 0x7f && ch !== '\\' ? ch : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  if (data.length > maxBytes) text += `… (${data.length} bytes)`;
  const label = ev.kind === 'packet' ? '' : `[${ev.kind}] `;
  return `${arrow} ${label}$${text}`;
}
