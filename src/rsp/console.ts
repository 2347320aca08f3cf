import type { SessionConsole } from './handlers/context';
import { ReplyBuilder } from './writer';

/**
 * The largest number of text bytes one `O` packet carries so the packet stays within
 * `packetSize` (`O` plus two hex digits per byte).
 */
export function consoleChunkBytes(packetSize: number): number {
  return Math.max(1, Math.floor((packetSize - 1) / 2));
}

/**
 * The `O XX…` payloads for `text` (gdb manual, "Stop Reply Packets": `O` followed by the
 * hex-encoded console text), one per chunk of {@link consoleChunkBytes} bytes.
 */
export function consolePayloads(text: Uint8Array, packetSize: number): Uint8Array[] {
  const chunk = consoleChunkBytes(packetSize);
  const out: Uint8Array[] = [];
  for (let at = 0; at < text.length; at += chunk) {
    out.push(new ReplyBuilder().text('O').hex(text.subarray(at, at + chunk)).payload());
  }
  return out;
}

/**
 * A {@link SessionConsole} that forwards to `sink` while open. Writes after `close()` (or
 * after the session ended) are dropped: gdb takes `O` packets only while it waits for a stop
 * reply or a qRcmd result, and anywhere else one would be read as the reply to a packet.
 */
export class PhaseConsole implements SessionConsole {
  private isOpen = true;

  /**
   * @param sink sends text as O packets
   * @param onClose called once, when the console closes
   */
  constructor(
    private readonly sink: (text: Uint8Array) => void,
    private readonly onClose: () => void,
  ) {}

  get open(): boolean {
    return this.isOpen;
  }

  write(text: string | Uint8Array): void {
    if (!this.isOpen) return;
    const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    if (bytes.length > 0) this.sink(bytes);
  }

  close(): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.onClose();
  }
}
