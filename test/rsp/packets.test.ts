import { parsePacket, type Command } from '../../src/rsp/packets';
import { parseThreadId } from '../../src/rsp/thread-id';

/** Parse as the receiver hands payloads over: a plain Uint8Array. */
const p = (s: string | Uint8Array) => parsePacket(Uint8Array.from(typeof s === 'string' ? Buffer.from(s, 'latin1') : s));
const isMalformed = (c: Command) => c.kind === 'malformed';

describe('packet parsers (gdb manual, Packets / General Query Packets)', () => {
  test('argument-less packets match exactly', () => {
    for (const k of ['?', 'g', 'k', 'qfThreadInfo', 'qsThreadInfo', 'qC', 'QStartNoAckMode', 'vCont?', 'D', 'qAttached']) {
      expect(p(k).kind).toBe(k);
    }
    expect(p('qAttached:1').kind).toBe('qAttached');
    expect(p('D;1').kind).toBe('D');
    expect(isMalformed(p('gx'))).toBe(true);
    expect(isMalformed(p('?1'))).toBe(true);
  });

  test('unknown packets, including host-touching ones, are unknown (empty reply)', () => {
    for (const k of ['qFooBar', 'vMustReplyEmpty', 'qTStatus', 'qOffsets', 'qSymbol::', 'vFile:open:2f6574632f706173737764,0,0',
      'vRun;2f62696e2f7368', 'vAttach;1', 'vKill;1', '!', 'R00', 'A4,0,6e', 'qCRC:0,4', 'qC1', 'QNonStop:1', 'jThreadsInfo', 'valueOf', 'toString', '']) {
      expect(p(k)).toEqual({ kind: 'unknown' });
    }
  });

  test('g/G/p/P', () => {
    expect(p('G00xx')).toEqual({ kind: 'G', hex: Uint8Array.from(Buffer.from('00xx')) });
    expect(isMalformed(p('G0'))).toBe(true);
    expect(isMalformed(p('Gzz'))).toBe(true);
    expect(p('p21')).toEqual({ kind: 'p', regnum: 0x21 });
    expect(isMalformed(p('p'))).toBe(true);
    expect(isMalformed(p('pq'))).toBe(true);
    expect(p('P20=0001004000000000')).toEqual({ kind: 'P', regnum: 0x20, hex: Uint8Array.from(Buffer.from('0001004000000000')) });
    expect(isMalformed(p('P20=001'))).toBe(true);
    expect(isMalformed(p('P20'))).toBe(true);
    expect(isMalformed(p('P=00'))).toBe(true);
  });

  test('m/M/x/X', () => {
    expect(p('m40000100,4')).toEqual({ kind: 'm', addr: 0x40000100n, length: 4 });
    expect(p('mffffffffffffffff,ffffffffffffffff')).toEqual({ kind: 'm', addr: 0xffff_ffff_ffff_ffffn, length: 2 ** 32 });
    expect(isMalformed(p('m1ffffffffffffffff,4'))).toBe(true);
    expect(isMalformed(p('m40000100'))).toBe(true);
    expect(isMalformed(p('m,4'))).toBe(true);
    expect(p('M40000100,2:abCD')).toEqual({ kind: 'M', addr: 0x40000100n, data: Uint8Array.from([0xab, 0xcd]) });
    expect(isMalformed(p('M40000100,3:abcd'))).toBe(true);
    expect(isMalformed(p('M40000100,2:abc'))).toBe(true);
    expect(p('x40000100,80')).toEqual({ kind: 'x', addr: 0x40000100n, length: 0x80 });
    const X = p(Uint8Array.from([...Buffer.from('X40000100,4:'), 0x3a, 0x2c, 0x00, 0xff]));
    expect(X).toEqual({ kind: 'X', addr: 0x40000100n, data: Uint8Array.from([0x3a, 0x2c, 0, 0xff]) });
    expect(p('X40000000,0:')).toEqual({ kind: 'X', addr: 0x40000000n, data: new Uint8Array(0) });
    expect(isMalformed(p('X40000000,2:a'))).toBe(true);
    expect(isMalformed(p('X40000000,2'))).toBe(true);
  });

  test('c/C/s/S', () => {
    expect(p('c')).toEqual({ kind: 'c', addr: undefined });
    expect(p('c40000100')).toEqual({ kind: 'c', addr: 0x40000100n });
    expect(p('C0b')).toEqual({ kind: 'C', signal: 11, addr: undefined });
    expect(p('C05;40000100')).toEqual({ kind: 'C', signal: 5, addr: 0x40000100n });
    expect(p('s')).toEqual({ kind: 's', addr: undefined });
    expect(p('S02')).toEqual({ kind: 'S', signal: 2, addr: undefined });
    expect(isMalformed(p('cxyz'))).toBe(true);
    expect(isMalformed(p('C'))).toBe(true);
    expect(isMalformed(p('S100'))).toBe(true);
  });

  test('vCont with and without thread ids', () => {
    expect(p('vCont;c')).toEqual({ kind: 'vCont', actions: [{ action: 'c', signal: 0, thread: undefined }] });
    expect(p('vCont;s:2;c')).toEqual({
      kind: 'vCont',
      actions: [
        { action: 's', signal: 0, thread: { kind: 'id', tid: 2 } },
        { action: 'c', signal: 0, thread: undefined },
      ],
    });
    expect(p('vCont;C0b:1;S05:-1;t:p1.2')).toEqual({
      kind: 'vCont',
      actions: [
        { action: 'c', signal: 11, thread: { kind: 'id', tid: 1 } },
        { action: 's', signal: 5, thread: { kind: 'all' } },
        { action: 't', signal: 0, thread: { kind: 'id', tid: 2 } },
      ],
    });
    expect(p('vCont;r40000100,40000110:1')).toMatchObject({ kind: 'vCont', actions: [{ action: 'r' }] });
    for (const bad of ['vCont', 'vCont;', 'vCont;x', 'vCont;c:', 'vCont;C', 'vCont;c1', 'vCont;c:zz']) {
      expect(isMalformed(p(bad))).toBe(true);
    }
    expect(p('vContc').kind).toBe('unknown');
  });

  test('H, T and thread-id syntax', () => {
    expect(p('Hg0')).toEqual({ kind: 'H', op: 'g', thread: { kind: 'any' } });
    expect(p('Hc-1')).toEqual({ kind: 'H', op: 'c', thread: { kind: 'all' } });
    expect(p('Hg1f')).toEqual({ kind: 'H', op: 'g', thread: { kind: 'id', tid: 0x1f } });
    expect(isMalformed(p('Hm1'))).toBe(true);
    expect(isMalformed(p('Hg'))).toBe(true);
    expect(p('T2')).toEqual({ kind: 'T', thread: { kind: 'id', tid: 2 } });
    expect(parseThreadId(Buffer.from('p1.3'))).toEqual({ kind: 'id', tid: 3 });
    expect(parseThreadId(Buffer.from('-2'))).toBeUndefined();
    expect(parseThreadId(Buffer.from('fffffffff'))).toBeUndefined();
  });

  test('qThreadExtraInfo, qXfer, qSupported, qRcmd', () => {
    expect(p('qThreadExtraInfo,2')).toEqual({ kind: 'qThreadExtraInfo', thread: { kind: 'id', tid: 2 } });
    expect(isMalformed(p('qThreadExtraInfo'))).toBe(true);
    expect(p('qXfer:features:read:target.xml:0,ffb')).toEqual({
      kind: 'qXfer', object: 'features', operation: 'read', annex: 'target.xml', offset: 0, length: 0xffb,
    });
    expect(p('qXfer:threads:read::1000,1000')).toMatchObject({ object: 'threads', annex: '', offset: 0x1000 });
    expect(isMalformed(p('qXfer:features:read:target.xml:0'))).toBe(true);
    expect(isMalformed(p('qXfer'))).toBe(true);
    expect(p('qSupported:multiprocess+;swbreak+;xmlRegisters=i386')).toEqual({
      kind: 'qSupported', features: ['multiprocess+', 'swbreak+', 'xmlRegisters=i386'],
    });
    expect(p('qSupported')).toEqual({ kind: 'qSupported', features: [] });
    expect(p('qRcmd,68656c70')).toEqual({ kind: 'qRcmd', command: Uint8Array.from(Buffer.from('help')) });
    expect(isMalformed(p('qRcmd,686'))).toBe(true);
  });

  test('Z/z', () => {
    expect(p('Z0,40000100,4')).toEqual({ kind: 'Z', type: 0, addr: 0x40000100n, bpKind: 4 });
    expect(p('z1,40000100,4')).toEqual({ kind: 'z', type: 1, addr: 0x40000100n, bpKind: 4 });
    expect(p('Z2,40001000,8;X2,0a0b')).toEqual({ kind: 'Z', type: 2, addr: 0x40001000n, bpKind: 8 });
    expect(isMalformed(p('Z0,40000100'))).toBe(true);
    expect(isMalformed(p('Z'))).toBe(true);
  });
});
