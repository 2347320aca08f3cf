import type { MmioDevice } from '../bus';

/** PL011 register offsets (bytes). ARM PrimeCell UART (PL011) TRM DDI 0183, §3.2. */
export const UARTDR = 0x000;
export const UARTRSR = 0x004;
export const UARTFR = 0x018;
export const UARTILPR = 0x020;
export const UARTIBRD = 0x024;
export const UARTFBRD = 0x028;
export const UARTLCR_H = 0x02c;
export const UARTCR = 0x030;
export const UARTIFLS = 0x034;
export const UARTIMSC = 0x038;
export const UARTRIS = 0x03c;
export const UARTMIS = 0x040;
export const UARTICR = 0x044;
export const UARTDMACR = 0x048;

/** UARTFR bits. */
const FR_RXFE = 1 << 4;
const FR_TXFF = 1 << 5;
const FR_RXFF = 1 << 6;
const FR_TXFE = 1 << 7;
/** UARTDR receive status bits. */
export const DR_BE = 1 << 10;
/** Interrupt bits (RIS/MIS/IMSC/ICR). */
/** UARTRIS/UARTIMSC bit of the receive interrupt (PL011 TRM, RXIM). */
export const INT_RX = 1 << 4;
const INT_TX = 1 << 5;
const INT_RT = 1 << 6;
const INT_BE = 1 << 9;
const LCR_FEN = 1 << 4;
const FIFO_DEPTH = 16;

/** PrimeCell identification registers at 0xFE0..0xFFC (PL011 r1p5, as QEMU's "arm" variant). */
const ID_BYTES = [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

/**
 * The PL011 UART as QEMU models it (hw/char/pl011.c): transmit is instant (TXFE always
 * set), receive goes through a 16-entry FIFO (1 entry when LCR_H.FEN = 0) whose entries
 * carry the error bits, a break condition is received as a NUL with DR.BE set, and the
 * interrupt output is (RIS & IMSC) != 0 — level-sensitive, SPI 1 (INTID 33) on virt.
 */
export class Pl011 implements MmioDevice {
  private readonly rx: number[] = [];
  /** Received characters the FIFO had no room for yet (the host side of the line). */
  private readonly hostQueue: number[] = [];
  private ris = 0;
  private imsc = 0;
  private lcr = 0;
  private cr = 0x300;
  private ifls = 0x12;
  private ibrd = 0;
  private fbrd = 0;
  private ilpr = 0;
  private dmacr = 0;
  private rsr = 0;
  private level = false;

  /**
   * @param transmit called with each byte the guest writes to UARTDR
   * @param setIrq drives the interrupt line (a level)
   */
  constructor(
    private readonly transmit: (byte: number) => void,
    private readonly setIrq: (level: boolean) => void,
  ) {}

  /**
   * Reset (QEMU pl011_reset): registers to their reset values, both FIFOs and the host-side
   * queue emptied, the interrupt line lowered.
   */
  reset(): void {
    this.rx.length = 0;
    this.hostQueue.length = 0;
    this.ris = 0;
    this.imsc = 0;
    this.lcr = 0;
    this.cr = 0x300;
    this.ifls = 0x12;
    this.ibrd = 0;
    this.fbrd = 0;
    this.ilpr = 0;
    this.dmacr = 0;
    this.rsr = 0;
    this.update();
  }

  /**
   * Bytes from the host side (a terminal, a pipe, gdb's break-in). Like a QEMU chardev,
   * the host side holds them until the FIFO has room (pl011_can_receive), so nothing is
   * lost however fast they arrive.
   */
  receive(bytes: Uint8Array): void {
    for (const b of bytes) this.hostQueue.push(b);
    this.refill();
  }

  /** A break condition on the line: received (in order) as a NUL character with DR.BE, raising RXIS and BEIS. */
  receiveBreak(): void {
    this.hostQueue.push(DR_BE);
    this.refill();
  }

  /** Characters waiting in the receive FIFO and on the host side. */
  get pending(): number {
    return this.rx.length + this.hostQueue.length;
  }

  /** Move host-side characters into the FIFO while it has room. */
  private refill(): void {
    let moved = false;
    while (this.hostQueue.length > 0 && this.rx.length < this.depth()) {
      const entry = this.hostQueue.shift() as number;
      this.rx.push(entry);
      this.ris |= INT_RX;
      if (entry & DR_BE) this.ris |= INT_BE;
      moved = true;
    }
    if (moved) this.update();
  }

  private depth(): number {
    return this.lcr & LCR_FEN ? FIFO_DEPTH : 1;
  }

  private update(): void {
    const level = (this.ris & this.imsc) !== 0;
    if (level !== this.level) {
      this.level = level;
      this.setIrq(level);
    }
  }

  private flags(): number {
    let fr = FR_TXFE; // transmission is instantaneous
    if (this.rx.length === 0) fr |= FR_RXFE;
    if (this.rx.length >= this.depth()) fr |= FR_RXFF;
    void FR_TXFF;
    return fr;
  }

  read(offset: number, size: number): number {
    void size;
    if (offset === UARTDR) {
      const v = this.rx.shift() ?? 0;
      this.rsr = (v >>> 8) & 0xf;
      if (this.rx.length === 0) this.ris &= ~(INT_RX | INT_RT);
      this.refill();
      this.update();
      return v;
    }
    return this.peek(offset);
  }

  /** Side-effect-free read (the debugger's view: UARTDR shows the head of the FIFO without popping it). */
  peek(offset: number): number {
    if (offset >= 0xfe0 && offset < 0x1000) return ID_BYTES[(offset - 0xfe0) >> 2];
    switch (offset) {
      case UARTDR: return this.rx[0] ?? 0;
      case UARTRSR: return this.rsr;
      case UARTFR: return this.flags();
      case UARTILPR: return this.ilpr;
      case UARTIBRD: return this.ibrd;
      case UARTFBRD: return this.fbrd;
      case UARTLCR_H: return this.lcr;
      case UARTCR: return this.cr;
      case UARTIFLS: return this.ifls;
      case UARTIMSC: return this.imsc;
      case UARTRIS: return this.ris;
      case UARTMIS: return this.ris & this.imsc;
      case UARTDMACR: return this.dmacr;
      default: return 0; // reserved: RAZ/WI, as QEMU logs a guest error and carries on
    }
  }

  write(offset: number, size: number, value: number): void {
    void size;
    switch (offset) {
      case UARTDR:
        this.transmit(value & 0xff);
        this.ris |= INT_TX;
        break;
      case UARTRSR: this.rsr = 0; break;
      case UARTILPR: this.ilpr = value & 0xff; break;
      case UARTIBRD: this.ibrd = value & 0xffff; break;
      case UARTFBRD: this.fbrd = value & 0x3f; break;
      case UARTLCR_H:
        // Toggling FEN empties the FIFO in QEMU's model (pl011_reset_fifo).
        if ((this.lcr ^ value) & LCR_FEN) this.rx.length = 0;
        this.lcr = value & 0xff;
        this.refill();
        break;
      case UARTCR: this.cr = value & 0xffff; break;
      case UARTIFLS: this.ifls = value & 0x3f; break;
      case UARTIMSC: this.imsc = value & 0x7ff; break;
      case UARTICR: this.ris &= ~value; break;
      case UARTDMACR: this.dmacr = value & 7; break;
      default: break;
    }
    this.update();
  }
}

