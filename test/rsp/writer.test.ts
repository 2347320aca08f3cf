import { PacketReceiver, type RecvEvent } from '../../src/rsp/receiver';
import { framePacket, needsEscape, ReplyBuilder } from '../../src/rsp/writer';
import { unescape } from './rsp-client';

const str = (b: Uint8Array) => Buffer.from(b).toString('latin1');

describe('framePacket', () => {
  test('known frames (gdb manual examples: $#00, OK is 9a)', () => {
    expect(str(framePacket(new Uint8Array(0)))).toBe('$#00');
    expect(str(framePacket(Buffer.from('OK')))).toBe('$OK#9a');
    expect(str(framePacket(Buffer.from('S05')))).toBe('$S05#b8');
  });

  test('one Buffer per packet', () => {
    expect(Buffer.isBuffer(framePacket(Buffer.from('OK')))).toBe(true);
  });
});

describe('ReplyBuilder', () => {
  test('text, hex, hexByte, hexNumber, unavailable', () => {
    const out = new ReplyBuilder()
      .text('T')
      .hexByte(5)
      .text('thread:')
      .hexNumber(0x1f)
      .text(';')
      .hex(Uint8Array.from([0, 0xab]))
      .unavailable(2)
      .hexNumber(0n)
      .hexNumber(0xffff_ffff_ffff_ffffn);
    expect(str(out.payload())).toBe('T05thread:1f;00abxxxx0ffffffffffffffff');
  });

  test('text refuses framing characters', () => {
    for (const c of ['$', '#', '}', '*', '\n', '\u00e9']) expect(() => new ReplyBuilder().text(`a${c}`)).toThrow();
  });

  test('binary escapes # $ } * and nothing else', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const escaped = new ReplyBuilder().binary(all).payload();
    expect(escaped.length).toBe(256 + 4);
    for (const b of [0x23, 0x24, 0x2a, 0x7d]) expect(needsEscape(b)).toBe(true);
    expect([...escaped.subarray(0x23, 0x25)]).toEqual([0x7d, 0x03]);
    expect(unescape(Buffer.from(escaped)).equals(Buffer.from(all))).toBe(true);
  });

  test('a framed binary reply round-trips through the receiver', () => {
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 0xff);
    const wire = framePacket(new ReplyBuilder().text('b').binary(data).payload());
    const events: RecvEvent[] = [];
    new PacketReceiver(4096).push(wire, (e) => events.push(e));
    expect(events).toHaveLength(1);
    const payload = (events[0] as { payload: Uint8Array }).payload;
    expect(Buffer.from(payload.subarray(1)).equals(Buffer.from(data))).toBe(true);
  });

  test('grows past its initial capacity and reset() empties it', () => {
    const out = new ReplyBuilder();
    out.hex(new Uint8Array(5000));
    expect(out.length).toBe(10000);
    expect(out.reset().length).toBe(0);
  });
});
