/**
 * Issue 7, unit level (in addition to the live-server tests): an RspSession on a fake
 * Target whose methods fail in every way a target can, and the packet reader's bounds.
 *
 * - An exception anywhere while handling one packet becomes an `E NN` reply and a log line;
 *   the session answers the next packet normally.
 * - Nothing thrown by the target, and no input at all, escapes `receive()`.
 * - No-ack mode and thread selection belong to one connection.
 * - The reader's buffer is fixed: a packet above the bound is NAKed whole, its checksum
 *   consumed, and the packet after it parsed.
 */
import * as fc from 'fast-check';
import { PacketReceiver, type RecvEvent } from '../../src/rsp/receiver';
import { RspSession } from '../../src/rsp/session';
import { TargetError, Errno, type AArch64CoreRegs, type BaseOps, type StopEvent, type Target } from '../../src/rsp/target';
import { frame } from './rsp-client';

const REGS: AArch64CoreRegs = { x: Array.from({ length: 31 }, (_, i) => BigInt(i)), sp: 0x1000n, pc: 0x40200000n, cpsr: 0x3c5 };

/** A fake target: 4 CPUs; `fail` names the methods that throw (a plain Error, not a TargetError). */
class FakeTarget implements Target, BaseOps {
  fail = new Set<string>();
  registerReads: number[] = [];
  connects = 0;
  disconnects: string[] = [];
  private check(name: string): void {
    if (this.fail.has(name)) throw new Error(`${name} blew up`);
  }
  baseOps(): BaseOps {
    return this;
  }
  listCpus(): number[] {
    this.check('listCpus');
    return [0, 1, 2, 3];
  }
  haltReason(): StopEvent | Promise<StopEvent> {
    if (this.fail.has('haltReason-async')) return Promise.reject(new Error('async halt failed'));
    this.check('haltReason');
    return { kind: 'signal', signal: 2, cpu: 0 };
  }
  readRegisters(cpu: number): AArch64CoreRegs {
    this.check('readRegisters');
    this.registerReads.push(cpu);
    return REGS;
  }
  writeRegister(): void {
    this.check('writeRegister');
  }
  readMemory(_cpu: number, _addr: bigint, length: number): Uint8Array {
    this.check('readMemory');
    return new Uint8Array(length).fill(0xaa);
  }
  writeMemory(): void {
    this.check('writeMemory');
    if (this.fail.has('writeMemory-efault')) throw TargetError.errno(Errno.EFAULT);
  }
  onConnect(): void {
    this.connects++;
  }
  onDisconnect(reason: string): void {
    this.disconnects.push(reason);
  }
}

/** A session on the fake target with its output and log captured. */
function open(target: Target) {
  const written: Buffer[] = [];
  const logged: { level: string; msg: string }[] = [];
  const log = (level: string) => (_obj: unknown, msg?: string) => void logged.push({ level, msg: msg ?? '' });
  const session = new RspSession(
    target,
    { write: (d) => void written.push(d), end: () => undefined },
    { log: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }, keepaliveMs: 60_000 },
  );
  const out = (): string => Buffer.concat(written.splice(0)).toString('latin1');
  /** Send one packet, return everything the session wrote in reply (acks included). */
  const send = async (payload: string): Promise<string> => {
    session.receive(frame(payload));
    await new Promise((r) => setImmediate(r));
    return out();
  };
  return { session, send, out, logged };
}

/** The payload of the single packet in `wire` (after the ack). */
function reply(wire: string): string {
  const m = /^\+?\$([^#]*)#[0-9a-f]{2}$/.exec(wire);
  if (!m) throw new Error(`not one acked packet: ${JSON.stringify(wire)}`);
  return m[1];
}

test('an exception in a target method becomes E79 and a log line; the next packet is answered normally', async () => {
  const t = new FakeTarget();
  const { send, logged } = open(t);
  for (const [method, packet] of [
    ['readRegisters', 'g'],
    ['readRegisters', 'p1'],
    ['readMemory', 'm40000000,4'],
    ['writeMemory', 'M40000000,1:00'],
    ['writeRegister', 'P0=0000000000000000'],
    ['listCpus', 'qfThreadInfo'],
    ['listCpus', 'Hg2'],
    ['haltReason', '?'],
  ]) {
    t.fail = new Set([method]);
    logged.length = 0;
    expect({ packet, reply: reply(await send(packet)) }).toEqual({ packet, reply: 'E79' });
    expect(logged.some((l) => l.level === 'warn' && /packet failed/.test(l.msg))).toBe(true);
    t.fail.clear();
    expect(reply(await send('qC'))).toBe('QC1');
  }
  // A TargetError keeps its own errno.
  t.fail = new Set(['writeMemory-efault']);
  expect(reply(await send('M40000000,1:00'))).toBe('E0e');
  t.fail = new Set(['haltReason-async']);
  expect(reply(await send('?'))).toBe('E79');
  t.fail.clear();
  expect(reply(await send('?'))).toMatch(/^T02thread:1;/);
});

test('no input, and no target failure, escapes receive()', () => {
  const t = new FakeTarget();
  const { session } = open(t);
  const methods = ['listCpus', 'haltReason', 'readRegisters', 'writeRegister', 'readMemory', 'writeMemory'];
  fc.assert(
    fc.property(fc.subarray(methods), fc.array(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(...['?', 'g', 'm0,4', 'Hg3', 'qfThreadInfo', 'p21', 'M0,1:00'].map((p) => new Uint8Array(frame(p)))))), (failing, chunks) => {
      t.fail = new Set(failing);
      for (const ch of chunks) expect(() => session.receive(ch)).not.toThrow();
    }),
    { numRuns: 300 },
  );
});

test('no-ack mode and thread selection are not carried into the next connection', async () => {
  const t = new FakeTarget();
  const first = open(t);
  expect(reply(await first.send('Hg3'))).toBe('OK');
  expect(reply(await first.send('QStartNoAckMode'))).toBe('OK');
  // No-ack now: the reply comes without a `+`.
  expect(await first.send('g')).toMatch(/^\$/);
  expect(t.registerReads).toEqual([2]);
  first.session.connectionClosed();
  expect(t.disconnects).toEqual(['connection-lost']);

  const second = open(t);
  expect(t.connects).toBe(2);
  const g = await second.send('g');
  expect(g.startsWith('+$')).toBe(true);
  expect(t.registerReads).toEqual([2, 0]); // "any thread": the first CPU, not CPU 2
});

describe('the packet reader', () => {
  const events = (rx: PacketReceiver, bytes: string | Buffer): RecvEvent[] => {
    const evs: RecvEvent[] = [];
    rx.push(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes, (e) => evs.push(e));
    return evs;
  };

  test('a packet above the bound is reported oversize with its checksum consumed; the next one parses', () => {
    const rx = new PacketReceiver(16);
    const big = frame('M0,10:' + 'ab'.repeat(16));
    const evs = events(rx, Buffer.concat([big, frame('?')]));
    expect(evs.map((e) => e.kind)).toEqual(['oversize', 'packet']);
    expect(evs[0]).toEqual(expect.objectContaining({ checksumOk: true }));
    expect(Buffer.from((evs[1] as { payload: Uint8Array }).payload).toString()).toBe('?');
    // Run-length encoding cannot inflate past the bound either.
    const rle = events(rx, frame('a*~*~*~'));
    expect(rle.map((e) => e.kind)).toEqual(['oversize']);
    expect(rx.inPacket).toBe(false);
  });

  test('its memory does not grow with the input: a megabyte of one unterminated packet, then garbage', () => {
    const rx = new PacketReceiver(0x4000);
    const before = process.memoryUsage().heapUsed;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let kinds = new Set<string>();
    rx.push(Buffer.from('$'), () => undefined);
    for (let i = 0; i < 16; i++) rx.push(chunk, (e) => kinds.add(e.kind));
    expect(rx.inPacket).toBe(true);
    const evs = events(rx, '#00$qC#b4');
    kinds = new Set(evs.map((e) => e.kind));
    expect([...kinds]).toEqual(['oversize', 'packet']);
    for (let i = 0; i < 16; i++) rx.push(chunk, () => undefined); // noise outside packets
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(8 * 1024 * 1024);
  });

  test('random bytes never throw, and a good packet after them is always recognised', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.integer({ min: 1, max: 64 }), (noise, size) => {
        const rx = new PacketReceiver(size + 8);
        const got: RecvEvent[] = [];
        // `$` then `#00` forces a resync point whatever state the noise left.
        rx.push(noise, (e) => got.push(e));
        const tail = events(rx, Buffer.concat([Buffer.from('$#00'), frame('qC')]));
        const last = tail[tail.length - 1];
        expect(last.kind).toBe('packet');
        expect(Buffer.from((last as { payload: Uint8Array }).payload).toString()).toBe('qC');
      }),
      { numRuns: 500 },
    );
  });
});

test('backpressure per packet: a client that sends many packets at once and reads nothing gets about one buffer of replies, the rest once it reads', () => {
  const t = new FakeTarget();
  const written: Buffer[] = [];
  const logged: string[] = [];
  let full = true;
  let drained: (() => void) | undefined;
  const log = (_obj: unknown, msg?: string): void => void logged.push(msg ?? '');
  const session = new RspSession(
    t,
    {
      // The output's buffer is full after every write until the client "reads" (drained()).
      write: (d) => (written.push(d), !full),
      onDrain: (resume) => void (drained = resume),
      end: () => undefined,
    },
    { log: { debug: () => undefined, info: log, warn: log, error: log }, keepaliveMs: 60_000, maxQueuedPackets: 32 },
  );
  session.receive(frame('QStartNoAckMode'));
  full = false;
  drained?.();
  written.length = 0;
  full = true;
  // 40 reads of 64 KiB - 1 (each reply is 128 KiB of hex) in one chunk, nothing read back.
  session.receive(Buffer.concat(Array.from({ length: 40 }, () => frame('m40000000,ffff'))));
  const replies = (): number => Buffer.concat(written).toString('latin1').split('$').length - 1;
  expect(replies()).toBe(1);
  // 32 wait in the queue; the 7 beyond it are dropped (no acks to NAK with), one warning.
  expect(logged.filter((m) => /too many packets queued, dropping/.test(m))).toHaveLength(1);
  // The client reads: the queue is answered, again one buffer at a time.
  const resume = drained;
  drained = undefined;
  full = false;
  resume?.();
  expect(replies()).toBe(33);
  expect(drained).toBeUndefined();
});
