import { hexDigitValue } from './hex';

/**
 * What the incoming byte stream contained, in order.
 * - `packet`: a complete `$…#cs` whose checksum matched; `payload` holds the data after
 *   `}` escapes and run-length encoding were decoded (a fresh copy the caller owns).
 * - `ack` / `nak`: a `+` / `-` outside a packet.
 * - `interrupt`: a 0x03 byte outside a packet (gdb's Ctrl-C, gdb manual "Interrupts").
 * - `bad-checksum`: a complete packet whose checksum did not match, or whose body was
 *   malformed (a `*` with nothing to repeat, a run count out of range, a `}` right before
 *   `#`). `payload` is what was decoded, for logging only: it must not be executed.
 * - `oversize`: a packet longer than the bound; its body was discarded and its `#cs`
 *   consumed. `length` counts the body bytes seen.
 * - `garbage`: bytes that were skipped: noise before a `$`, or a packet cut short by a new
 *   `$` (the reader resynchronises on it). `bytes` holds at most {@link GARBAGE_SAMPLE} of them.
 */
export type RecvEvent =
  | { kind: 'packet'; payload: Uint8Array }
  | { kind: 'ack' }
  | { kind: 'nak' }
  | { kind: 'interrupt' }
  | { kind: 'bad-checksum'; payload: Uint8Array; expected: number; received: number }
  | { kind: 'oversize'; length: number; checksumOk: boolean }
  | { kind: 'garbage'; bytes: Uint8Array; count: number };

/** How many skipped bytes a `garbage` event quotes. */
export const GARBAGE_SAMPLE = 32;

const DOLLAR = 0x24;
const HASH = 0x23;
const PLUS = 0x2b;
const MINUS = 0x2d;
const STAR = 0x2a;
const ESCAPE = 0x7d; // '}'
const CTRL_C = 0x03;

/** Reader states. Body* accumulate a packet; Discard* skip an oversize one. */
const enum State {
  Idle,
  Body,
  Escape,
  RunCount,
  Checksum1,
  Checksum2,
  Discard,
  DiscardChecksum1,
  DiscardChecksum2,
}

/**
 * The incremental RSP packet reader: feed it TCP chunks of any size and it reports
 * {@link RecvEvent}s, keeping its state between chunks (a packet may be split anywhere,
 * several packets may share one chunk). The shape follows gdbstub's
 * `RecvPacketStateMachine` (Ready → Body → Checksum1 → Checksum2) with the decoding QEMU's
 * `gdb_read_byte` does at the framing level (gdbstub/gdbstub.c).
 *
 * Rules, from the gdb manual ("Overview", "Packet Acknowledgment", "Interrupts"):
 * - A packet is `$` data `#` two hex digits; the checksum is over the data as sent.
 * - `}` escapes the next byte, which is XORed with 0x20 (`X` packets send `#`, `$`, `}`
 *   and `*` that way). Escapes are decoded here for every packet, as QEMU does: none of
 *   the text packets can contain a raw `}`.
 * - `*` followed by a count character c repeats the previous decoded byte (c - 29) more
 *   times (run-length encoding; gdb only emits it in replies, but decoding it on input is
 *   cheap and QEMU does too).
 * - Between packets, `+` and `-` are acknowledgments and 0x03 is an interrupt request;
 *   anything else is noise and is skipped until the next `$`.
 * - A `$` inside a packet abandons the partial packet and starts a new one: the reader
 *   resynchronises on it (a raw `$` never occurs inside a packet, binary data escape it).
 *
 * Bounds: the decoded payload lives in one buffer of `maxPacketSize` bytes allocated up
 * front, and a packet whose body (as sent, or decoded) exceeds it is discarded up to and
 * including its checksum and reported as `oversize`. Nothing else is buffered, so the
 * reader's memory never grows with the input.
 */
export class PacketReceiver {
  private state = State.Idle;
  private readonly buf: Uint8Array;
  /** Decoded bytes in buf. */
  private len = 0;
  /** Body bytes as sent (escape and run characters included). */
  private rawLen = 0;
  private sum = 0;
  private malformed = false;
  private checksumHigh = 0;
  private garbage: number[] = [];
  private garbageCount = 0;

  /**
   * @param maxPacketSize the largest body accepted, in bytes (the PacketSize the stub
   *   advertises in qSupported; per the gdb manual, "General Query Packets", it limits the
   *   data characters of a packet, not counting the frame and checksum)
   * @throws RangeError when maxPacketSize is not a positive integer
   */
  constructor(readonly maxPacketSize: number) {
    if (!Number.isInteger(maxPacketSize) || maxPacketSize < 1) {
      throw new RangeError(`maxPacketSize must be a positive integer, got ${maxPacketSize}`);
    }
    this.buf = new Uint8Array(maxPacketSize);
  }

  /**
   * Consume `chunk` and report each event through `emit`, in stream order. Never throws
   * on any input (an exception thrown by `emit` propagates, and the reader stays usable).
   */
  push(chunk: Uint8Array, emit: (ev: RecvEvent) => void): void {
    for (let i = 0; i < chunk.length; i++) this.step(chunk[i], emit);
    // Noise is reported once per chunk rather than byte by byte.
    this.flushGarbage(emit);
  }

  /** True when the reader is in the middle of a packet (for tests and diagnostics). */
  get inPacket(): boolean {
    return this.state !== State.Idle;
  }

  private step(b: number, emit: (ev: RecvEvent) => void): void {
    switch (this.state) {
      case State.Idle:
        return this.idle(b, emit);
      case State.Body:
        return this.body(b, emit);
      case State.Escape:
        if (b === DOLLAR) return this.restart(emit);
        if (b === HASH) {
          // `}` right before `#`: nothing to escape.
          this.malformed = true;
          this.state = State.Checksum1;
          return;
        }
        this.sum += b;
        if (++this.rawLen > this.maxPacketSize) {
          this.state = State.Discard;
          return;
        }
        this.state = State.Body;
        this.append(b ^ 0x20);
        return;
      case State.RunCount:
        return this.runCount(b, emit);
      case State.Checksum1:
        if (b === DOLLAR) return this.restart(emit);
        this.checksumHigh = hexDigitValue(b);
        this.state = State.Checksum2;
        return;
      case State.Checksum2:
        if (b === DOLLAR) return this.restart(emit);
        return this.finish(hexDigitValue(b), emit);
      case State.Discard:
        if (b === DOLLAR) return this.restart(emit);
        if (b === HASH) this.state = State.DiscardChecksum1;
        else {
          this.sum += b;
          this.rawLen++;
        }
        return;
      case State.DiscardChecksum1:
        if (b === DOLLAR) return this.restart(emit);
        this.checksumHigh = hexDigitValue(b);
        this.state = State.DiscardChecksum2;
        return;
      case State.DiscardChecksum2: {
        if (b === DOLLAR) return this.restart(emit);
        const lo = hexDigitValue(b);
        const received = this.checksumHigh < 0 || lo < 0 ? -1 : (this.checksumHigh << 4) | lo;
        this.state = State.Idle;
        emit({ kind: 'oversize', length: this.rawLen, checksumOk: received === (this.sum & 0xff) });
        return;
      }
    }
  }

  private idle(b: number, emit: (ev: RecvEvent) => void): void {
    switch (b) {
      case DOLLAR:
        this.flushGarbage(emit);
        this.begin();
        return;
      case PLUS:
        this.flushGarbage(emit);
        emit({ kind: 'ack' });
        return;
      case MINUS:
        this.flushGarbage(emit);
        emit({ kind: 'nak' });
        return;
      case CTRL_C:
        this.flushGarbage(emit);
        emit({ kind: 'interrupt' });
        return;
      default:
        this.noise(b);
    }
  }

  private body(b: number, emit: (ev: RecvEvent) => void): void {
    if (b === DOLLAR) return this.restart(emit);
    if (b === HASH) {
      this.state = State.Checksum1;
      return;
    }
    this.sum += b;
    if (++this.rawLen > this.maxPacketSize) {
      this.state = State.Discard;
      return;
    }
    if (b === ESCAPE) this.state = State.Escape;
    else if (b === STAR) this.state = State.RunCount;
    else this.append(b);
  }

  private runCount(b: number, emit: (ev: RecvEvent) => void): void {
    if (b === DOLLAR) return this.restart(emit);
    if (b === HASH) {
      // `*` right before `#`: no count.
      this.malformed = true;
      this.state = State.Checksum1;
      return;
    }
    this.sum += b;
    if (++this.rawLen > this.maxPacketSize) {
      this.state = State.Discard;
      return;
    }
    this.state = State.Body;
    // gdb manual, "Overview": the count character is n + 29, printable, and never `#` or `$`.
    const repeat = b - 29;
    if (this.len === 0 || repeat < 0 || b > 126) {
      this.malformed = true;
      return;
    }
    const prev = this.buf[this.len - 1];
    for (let k = 0; k < repeat && this.state === State.Body; k++) this.append(prev);
  }

  /** Store one decoded byte, or switch to discarding when the decoded body overflows. */
  private append(b: number): void {
    if (this.len >= this.maxPacketSize) {
      this.state = State.Discard;
      return;
    }
    this.buf[this.len++] = b;
  }

  private finish(lo: number, emit: (ev: RecvEvent) => void): void {
    const hi = this.checksumHigh;
    const received = hi < 0 || lo < 0 ? -1 : (hi << 4) | lo;
    const expected = this.sum & 0xff;
    const payload = this.buf.slice(0, this.len);
    this.state = State.Idle;
    if (received !== expected || this.malformed) {
      emit({ kind: 'bad-checksum', payload, expected, received });
    } else {
      emit({ kind: 'packet', payload });
    }
  }

  private begin(): void {
    this.state = State.Body;
    this.len = 0;
    this.rawLen = 0;
    this.sum = 0;
    this.malformed = false;
  }

  /** A `$` in the middle of a packet: report the abandoned packet as noise, start afresh. */
  private restart(emit: (ev: RecvEvent) => void): void {
    this.flushGarbage(emit);
    const sample = this.buf.slice(0, Math.min(this.len, GARBAGE_SAMPLE));
    // The abandoned packet's own `$` plus its body as sent.
    emit({ kind: 'garbage', bytes: sample, count: 1 + this.rawLen });
    this.begin();
  }

  private noise(b: number): void {
    if (this.garbage.length < GARBAGE_SAMPLE) this.garbage.push(b);
    this.garbageCount++;
  }

  private flushGarbage(emit: (ev: RecvEvent) => void): void {
    if (this.garbageCount === 0) return;
    const ev: RecvEvent = { kind: 'garbage', bytes: Uint8Array.from(this.garbage), count: this.garbageCount };
    this.garbage = [];
    this.garbageCount = 0;
    emit(ev);
  }
}
