import fc from 'fast-check';
import { GARBAGE_SAMPLE, PacketReceiver, type RecvEvent } from '../../src/rsp/receiver';
import { frame } from './rsp-client';

const bytes = (s: string) => Buffer.from(s, 'latin1');
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

/** Feed chunks, collect events. */
function feed(rx: PacketReceiver, ...chunks: (string | Uint8Array)[]): RecvEvent[] {
  const events: RecvEvent[] = [];
  for (const c of chunks) rx.push(typeof c === 'string' ? bytes(c) : c, (e) => events.push(e));
  return events;
}

/** A short description per event, for compact assertions. */
function describe_(events: RecvEvent[]): string[] {
  return events.map((e) => {
    switch (e.kind) {
      case 'packet':
        return `packet:${text(e.payload)}`;
      case 'bad-checksum':
        return `bad:${text(e.payload)}`;
      case 'oversize':
        return `oversize:${e.length}:${e.checksumOk}`;
      case 'garbage':
        return `garbage:${e.count}`;
      default:
        return e.kind;
    }
  });
}

/** Escape binary data the way gdb does for X packets (remote.c remote_escape_output). */
function gdbEscape(data: Uint8Array): Buffer {
  const out: number[] = [];
  for (const b of data) {
    if (b === 0x23 || b === 0x24 || b === 0x7d || b === 0x2a) out.push(0x7d, b ^ 0x20);
    else out.push(b);
  }
  return Buffer.from(out);
}

describe('PacketReceiver', () => {
  test('a packet in one chunk', () => {
    expect(describe_(feed(new PacketReceiver(64), '$m40000100,4#52'))).toEqual(['packet:m40000100,4']);
  });

  test('every split point of a packet, and byte by byte', () => {
    const wire = frame('qXfer:features:read:target.xml:0,ffb').toString('latin1');
    for (let cut = 0; cut <= wire.length; cut++) {
      expect(describe_(feed(new PacketReceiver(256), wire.slice(0, cut), wire.slice(cut)))).toEqual([
        'packet:qXfer:features:read:target.xml:0,ffb',
      ]);
    }
    expect(describe_(feed(new PacketReceiver(256), ...[...wire]))).toEqual(['packet:qXfer:features:read:target.xml:0,ffb']);
  });

  test('several packets and acks in one chunk', () => {
    const chunk = `+${frame('?').toString('latin1')}-${frame('g').toString('latin1')}+`;
    expect(describe_(feed(new PacketReceiver(64), chunk))).toEqual(['ack', 'packet:?', 'nak', 'packet:g', 'ack']);
  });

  test('} escapes are decoded (gdbstub hex.rs vector: }\\x03}\\x04}]}\\n → 23 24 7d 2a)', () => {
    const ev = feed(new PacketReceiver(64), frame(Buffer.from('X0,4:}\x03}\x04}]}\n', 'latin1')));
    expect(ev).toHaveLength(1);
    expect(ev[0].kind).toBe('packet');
    const payload = (ev[0] as { payload: Uint8Array }).payload;
    expect([...payload.subarray(5)]).toEqual([0x23, 0x24, 0x7d, 0x2a]);
  });

  test('run-length encoding is expanded: "0* " is 0000 (gdb manual, Overview)', () => {
    expect(describe_(feed(new PacketReceiver(64), frame('M0,2:0* ')))).toEqual(['packet:M0,2:0000']);
    // '*' followed by '~' (126): 97 more copies.
    const ev = feed(new PacketReceiver(256), frame('a*~'));
    expect(text((ev[0] as { payload: Uint8Array }).payload)).toBe('a'.repeat(98));
  });

  test('a run with nothing to repeat, or a count below 29, is rejected like a bad checksum', () => {
    expect(describe_(feed(new PacketReceiver(64), frame('*!abc')))[0]).toMatch(/^bad:/);
    expect(describe_(feed(new PacketReceiver(64), frame(Buffer.from('a*\x10', 'latin1'))))[0]).toMatch(/^bad:/);
    // A '}' right before '#'.
    expect(describe_(feed(new PacketReceiver(64), frame('ab}')))[0]).toMatch(/^bad:/);
  });

  test('a bad checksum is reported with both values and the next packet still parses', () => {
    const ev = feed(new PacketReceiver(64), '$g#00$g#67');
    expect(ev[0]).toMatchObject({ kind: 'bad-checksum', expected: 0x67, received: 0 });
    expect(describe_(ev.slice(1))).toEqual(['packet:g']);
  });

  test('non-hex checksum characters are a bad checksum; checksum hex is case-insensitive', () => {
    expect(describe_(feed(new PacketReceiver(64), '$g#zz'))).toEqual(['bad:g']);
    expect(describe_(feed(new PacketReceiver(64), '$OK#9A'))).toEqual(['packet:OK']);
  });

  test('an oversize packet is discarded up to its checksum, the next one is parsed', () => {
    const rx = new PacketReceiver(16);
    const big = frame(`M40000000,10:${'00'.repeat(16)}`);
    expect(describe_(feed(rx, big, frame('?')))).toEqual([`oversize:${big.length - 4}:true`, 'packet:?']);
  });

  test('oversize split across chunks, with a wrong checksum', () => {
    const rx = new PacketReceiver(8);
    expect(describe_(feed(rx, '$0123456', '789abcdef', '#00', '+'))).toEqual(['oversize:16:false', 'ack']);
  });

  test('a run-length expansion beyond the bound is oversize too', () => {
    expect(describe_(feed(new PacketReceiver(32), frame('a*~')))).toEqual(['oversize:3:true']);
  });

  test('exactly maxPacketSize body bytes are accepted', () => {
    expect(describe_(feed(new PacketReceiver(4), frame('abcd')))).toEqual(['packet:abcd']);
    expect(describe_(feed(new PacketReceiver(4), frame('abcde')))[0]).toBe('oversize:5:true');
  });

  test('garbage before a packet is skipped and reported', () => {
    expect(describe_(feed(new PacketReceiver(64), 'hello', frame('?')))).toEqual(['garbage:5', 'packet:?']);
  });

  test('a $ inside a packet abandons it and resynchronises', () => {
    expect(describe_(feed(new PacketReceiver(64), '$m4000', frame('?')))).toEqual(['garbage:6', 'packet:?']);
    expect(describe_(feed(new PacketReceiver(64), '$g#6', frame('g')))).toEqual(['garbage:2', 'packet:g']);
  });

  test('garbage samples are bounded', () => {
    const ev = feed(new PacketReceiver(64), 'x'.repeat(100_000));
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ kind: 'garbage', count: 100_000 });
    expect((ev[0] as { bytes: Uint8Array }).bytes.length).toBe(GARBAGE_SAMPLE);
  });

  test('0x03 between packets is an interrupt, anywhere in a chunk', () => {
    expect(describe_(feed(new PacketReceiver(64), '\x03'))).toEqual(['interrupt']);
    expect(describe_(feed(new PacketReceiver(64), `+\x03${frame('g').toString('latin1')}\x03\x03`))).toEqual([
      'ack',
      'interrupt',
      'packet:g',
      'interrupt',
      'interrupt',
    ]);
  });

  test('0x03 inside a packet is data (X payloads are binary)', () => {
    const ev = feed(new PacketReceiver(64), frame(Buffer.from('X0,1:\x03', 'latin1')));
    expect(ev).toHaveLength(1);
    expect([...(ev[0] as { payload: Uint8Array }).payload].pop()).toBe(3);
  });

  test('bytes >= 0x80 survive unchanged (no UTF-8 decoding)', () => {
    const data = Uint8Array.from([0x80, 0xff, 0xc3, 0x28, 0xfe]);
    const ev = feed(new PacketReceiver(64), frame(Buffer.concat([bytes('X0,5:'), data])));
    expect([...(ev[0] as { payload: Uint8Array }).payload.subarray(5)]).toEqual([...data]);
  });

  test('payloads own their bytes (the internal buffer is reused)', () => {
    const rx = new PacketReceiver(64);
    const first = feed(rx, frame('aaaa'))[0] as { payload: Uint8Array };
    feed(rx, frame('bbbb'));
    expect(text(first.payload)).toBe('aaaa');
  });

  test('property: any binary payload, gdb-escaped and split anywhere, decodes to itself', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (data, cuts) => {
          const wire = frame(gdbEscape(data));
          const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let at = 0;
          for (const p of points) {
            chunks.push(wire.subarray(at, p));
            at = p;
          }
          chunks.push(wire.subarray(at));
          const ev = feed(new PacketReceiver(1024), ...chunks);
          expect(ev).toHaveLength(1);
          expect(ev[0].kind).toBe('packet');
          expect(Buffer.from((ev[0] as { payload: Uint8Array }).payload).equals(Buffer.from(data))).toBe(true);
        },
      ),
    );
  });

  test('rejects a non-positive bound', () => {
    expect(() => new PacketReceiver(0)).toThrow(RangeError);
  });
});
