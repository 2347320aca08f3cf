/**
 * Packet-level integration tests over a real TCP socket: the RSP server in front of the
 * fake target, driven by the independent test client (rsp-client.ts).
 */
import * as net from 'net';
import { BUSY_MESSAGE, RspServer } from '../../src/rsp/server';
import { aarch64TargetXml } from '../../src/rsp/target-xml';
import { FakeTarget } from './fake-target';
import { frame, RspClient, unescape, type Item } from './rsp-client';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let target: FakeTarget;
let server: RspServer;
let port: number;
const clients: RspClient[] = [];

async function connect(): Promise<RspClient> {
  const c = await RspClient.connect(port);
  clients.push(c);
  return c;
}

beforeEach(async () => {
  target = new FakeTarget({ cpus: 3, unavailable: [2] });
  server = new RspServer(target, { port: 0, packetSize: 0x400 });
  ({ port } = await server.listen());
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server.close();
});

describe('RSP over TCP', () => {
  test('listens on 127.0.0.1 by default', async () => {
    const s = new RspServer(target, { port: 0 });
    const addr = await s.listen();
    expect(addr.host).toBe('127.0.0.1');
    await s.close();
  });

  test('TCP_NODELAY, and each reply leaves in one write together with its ack', async () => {
    const noDelay = jest.spyOn(net.Socket.prototype, 'setNoDelay');
    const write = jest.spyOn(net.Socket.prototype, 'write');
    try {
      const c = await connect();
      expect((await c.request('g')).length).toBe(1576);
      const serverSide = (s: net.Socket) => s.localPort === port;
      const noDelayCalls = noDelay.mock.calls.filter((_, i) => serverSide(noDelay.mock.contexts[i] as net.Socket));
      expect(noDelayCalls.length).toBeGreaterThan(0);
      expect(noDelayCalls.every((args) => args[0] !== false)).toBe(true);
      const writes = write.mock.calls.filter((_, i) => serverSide(write.mock.contexts[i] as net.Socket));
      expect(writes).toHaveLength(1);
      const data = writes[0][0] as Buffer;
      expect(data.subarray(0, 2).toString()).toBe('+$');
      expect(data.length).toBe(2 + 1576 + 3);
    } finally {
      noDelay.mockRestore();
      write.mockRestore();
    }
  });

  test('ack, NAK of a bad checksum, and byte-identical retransmission on -', async () => {
    const c = await connect();
    c.write('+'); // gdb's initial ack
    c.write('$qSupported:swbreak+#00'); // bad checksum
    expect((await c.next()).kind).toBe('nak');
    c.write(frame('qSupported:swbreak+'));
    await c.ack();
    const first = (await c.next()) as Extract<Item, { kind: 'packet' }>;
    expect(first.payload.toString()).toContain('PacketSize=400');
    c.write('-');
    const again = (await c.next()) as Extract<Item, { kind: 'packet' }>;
    expect(again.raw.equals(first.raw)).toBe(true);
    c.write('+');
    expect(await c.quiet(50)).toBe(true);
  });

  test('no-ack mode after QStartNoAckMode', async () => {
    const c = await connect();
    expect((await c.request('QStartNoAckMode')).toString()).toBe('OK');
    expect((await c.request('qC', { noAck: true })).toString()).toBe('QC1');
    c.write('$qC#00');
    expect(await c.quiet(100)).toBe(true);
  });

  test('g: 788 bytes, cpsr 4 bytes at offset 264, FP unavailable; p21 is 8 hex characters', async () => {
    const c = await connect();
    const g = (await c.request('g')).toString();
    expect(g).toHaveLength(1576);
    const bytes = (from: number, to: number) => g.slice(from * 2, to * 2);
    expect(bytes(256, 264)).toBe('0001004000000000'); // pc
    expect(bytes(264, 268)).toBe('c5030060'); // cpsr 0x600003c5
    expect(bytes(268, 788)).toBe('x'.repeat(1040)); // v0..v31, fpsr, fpcr
    expect((await c.request('p21')).toString()).toBe('c5030060');
    expect((await c.request('Hg3')).toString()).toBe('OK');
    expect((await c.request('g')).toString()).toBe('x'.repeat(1576));
  });

  test('qXfer:features:read in chunks', async () => {
    const c = await connect();
    const parts: Buffer[] = [];
    let offset = 0;
    for (let i = 0; i < 100; i++) {
      const r = await c.request(`qXfer:features:read:target.xml:${offset.toString(16)},200`);
      const data = unescape(r.subarray(1));
      parts.push(data);
      offset += data.length;
      if (r[0] === 0x6c) break;
      expect(String.fromCharCode(r[0])).toBe('m');
    }
    expect(parts.length).toBeGreaterThan(2);
    expect(Buffer.concat(parts).toString()).toBe(aarch64TargetXml());
  });

  test('an M longer than PacketSize is refused, the ? after it answered', async () => {
    const c = await connect();
    const before = Buffer.from(target.ram.subarray(0, 0x400));
    c.write(Buffer.concat([frame(`M40000000,400:${'00'.repeat(0x400)}`), Buffer.from('$?#3f')]));
    expect((await c.next()).kind).toBe('nak');
    await c.ack();
    expect((await c.packet()).toString()).toMatch(/^T05thread:1;/);
    expect(Buffer.from(target.ram.subarray(0, 0x400)).equals(before)).toBe(true);
  });

  test('qFooBar gets the empty reply', async () => {
    const c = await connect();
    expect((await c.request('qFooBar')).length).toBe(0);
    const raw = c.received.toString('latin1');
    expect(raw.endsWith('+$#00')).toBe(true);
  });

  test('packets split across TCP writes and several in one write', async () => {
    const c = await connect();
    const wire = Buffer.concat([frame('qC'), frame('qfThreadInfo')]);
    for (const b of wire) {
      c.write(Buffer.from([b]));
      await sleep(0);
    }
    await c.ack();
    expect((await c.packet()).toString()).toBe('QC1');
    await c.ack();
    expect((await c.packet()).toString()).toBe('m1,2,3');
  });

  test('continue, 0x03 interrupt, stop reply', async () => {
    const c = await connect();
    c.write(frame('vCont;c'));
    await c.ack();
    expect(await c.quiet(30)).toBe(true);
    c.write(Buffer.from([0x03]));
    expect((await c.packet()).toString()).toMatch(/^T02thread:1;core:0;/);
  });

  test('connect, QStartNoAckMode, disconnect without D, reconnect: ack mode again; the target was told', async () => {
    const a = await connect();
    expect((await a.request('Hg2')).toString()).toBe('OK');
    expect((await a.request('QStartNoAckMode')).toString()).toBe('OK');
    expect((await a.request('g', { noAck: true })).toString().slice(0, 16)).toBe('0020000000000000');
    a.close();
    for (let i = 0; i < 100 && server.connected; i++) await sleep(5);
    expect(server.connected).toBe(false);
    expect(target.events).toContain('disconnect:connection-lost');
    const b = await connect();
    b.write(frame('qC'));
    await b.ack();
    expect((await b.packet()).toString()).toBe('QC1');
    // The thread selection did not carry over either.
    expect((await b.request('g')).toString().slice(0, 16)).toBe('0010000000000000');
    expect(target.events.filter((e) => e === 'connect')).toHaveLength(2);
  });

  test('D detaches and closes; the server keeps listening', async () => {
    const a = await connect();
    expect((await a.request('D')).toString()).toBe('OK');
    await a.waitClosed();
    expect(target.events).toContain('disconnect:detach');
    const b = await connect();
    expect((await b.request('qC')).toString()).toBe('QC1');
  });

  test('a second client is refused with a clear E. reply, the first keeps working', async () => {
    const a = await connect();
    expect((await a.request('qC')).toString()).toBe('QC1');
    const b = await connect();
    b.write(frame('qSupported:swbreak+'));
    await b.ack();
    expect((await b.packet()).toString()).toBe(`E.${BUSY_MESSAGE}`);
    await b.waitClosed();
    expect((await a.request('qfThreadInfo')).toString()).toBe('m1,2,3');
    expect(target.events.filter((e) => e === 'connect')).toHaveLength(1);
  });
});
