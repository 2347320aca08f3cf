/**
 * Issue 7, "cases from public reports about other stubs": each one a test, against the
 * real server running the bundled guest (hardlockup, 4 CPUs), driven byte by byte with a
 * raw RSP client because gdb itself never sends these sequences.
 *
 * - gdbstub (Rust) treats a NAK as fatal, rp2040js never resends: we resend byte-identical.
 * - OpenOCD drops a bad-checksum packet silently: we NAK it and do not execute it.
 * - A packet above PacketSize must be refused without losing the packet after it.
 * - An unknown packet must get the empty reply (gdb waits forever on silence).
 * - A new connection starts in ack mode whatever the previous one negotiated.
 * - Without target.xml, gdb's built-in aarch64 description expects 788 bytes of `g` and a
 *   32-bit cpsr (gdb/features/aarch64-core.xml; kgdb's 8-byte pstate breaks gdb).
 */
import { findSymbol, loadElfFile } from '../../src/loader/elf';
import { BUNDLED_IMAGE, killAll, startServe, type ServeProcess } from '../helpers/gdb';
import { RspClient, frame } from './rsp-client';

let server: ServeProcess;
/** A word of guest RAM the tests may look at and try to overwrite: kgdb_lab_compute_result. */
let dataAddr: bigint;

beforeAll(async () => {
  dataAddr = BigInt(findSymbol(loadElfFile(BUNDLED_IMAGE), 'kgdb_lab_compute_result')!.value);
  server = await startServe({ scenario: 'hardlockup' });
}, 90_000);

afterAll(killAll);

/** A stop reply for a signal on a thread, as `?` must give (gdb manual, "Stop Reply Packets"). */
const STOP_REPLY = /^T[0-9a-f]{2}thread:[0-9a-f]+;core:[0-9a-f]+;/;

/** Connect, stop the machine with `?`, and return the client with the stop reply. */
async function attach(): Promise<{ c: RspClient; stop: string }> {
  const c = await RspClient.connect(server.port);
  const stop = await c.ask('?');
  expect(stop).toMatch(STOP_REPLY);
  return { c, stop };
}

test('gdb NAKs a reply: the stub resends it byte-identical', async () => {
  const { c } = await attach();
  c.write(frame(`m${dataAddr.toString(16)},10`));
  expect(await c.ackOrNak()).toBe('+');
  const first = await c.next();
  expect(first.kind).toBe('packet');
  c.write('-');
  const again = await c.next();
  c.write('-');
  const third = await c.next();
  c.write('+');
  if (first.kind !== 'packet' || again.kind !== 'packet' || third.kind !== 'packet') throw new Error('expected packets');
  expect(first.payload.toString('latin1')).toMatch(/^[0-9a-f]{32}$/);
  expect(again.raw.equals(first.raw)).toBe(true);
  expect(third.raw.equals(first.raw)).toBe(true);
  // The session goes on normally afterwards.
  expect(await c.ask('qC')).toBe('QC1');
  c.close();
});

test('a packet with a bad checksum is NAKed and not executed', async () => {
  const { c } = await attach();
  const addr = dataAddr.toString(16);
  const before = await c.ask(`m${addr},8`);
  const good = frame(`M${addr},8:0123456789abcdef`);
  // Same packet, checksum off by one.
  const bad = Buffer.from(good);
  const cs = parseInt(bad.subarray(-2).toString(), 16);
  bad.write(((cs + 1) & 0xff).toString(16).padStart(2, '0'), bad.length - 2, 'latin1');
  c.write(bad);
  expect(await c.ackOrNak()).toBe('-');
  expect(await c.quiet(300)).toBe(true); // no reply: it was not executed
  expect(await c.ask(`m${addr},8`)).toBe(before);
  // gdb then retransmits it correctly: executed once.
  expect(await c.ask(`M${addr},8:0123456789abcdef`)).toBe('OK');
  expect(await c.ask(`m${addr},8`)).toBe('0123456789abcdef');
  expect(await c.ask(`M${addr},8:${before}`)).toBe('OK');
  c.close();
});

test('an $M longer than the advertised PacketSize, then $?#3f: the first refused, the second answered', async () => {
  const c = await RspClient.connect(server.port);
  const supported = await c.ask('qSupported:multiprocess+;swbreak+;hwbreak+');
  const packetSize = parseInt(/PacketSize=([0-9a-f]+)/.exec(supported)![1], 16);
  expect(packetSize).toBeGreaterThanOrEqual(0x1000);
  expect(await c.ask('?')).toMatch(STOP_REPLY);
  const addr = dataAddr.toString(16);
  const before = await c.ask(`m${addr},8`);
  // One byte per two hex digits: this body is about twice the PacketSize.
  const n = packetSize;
  const huge = `M${addr},${n.toString(16)}:${'ab'.repeat(n)}`;
  expect(huge.length).toBeGreaterThan(packetSize);
  c.write(Buffer.concat([frame(huge), Buffer.from('$?#3f')]));
  expect(await c.ackOrNak()).toBe('-');
  expect(await c.ackOrNak()).toBe('+');
  expect(await c.answer()).toMatch(STOP_REPLY);
  expect(await c.ask(`m${addr},8`)).toBe(before);
  c.close();
});

test('unsupported packet qFooBar: an empty reply, never silence', async () => {
  const c = await RspClient.connect(server.port);
  expect(await c.ask('qFooBar')).toBe('');
  expect(await c.ask('qFooBar:1,2;3')).toBe('');
  expect(await c.ask('vMustReplyEmpty')).toBe('');
  // The session still answers known packets afterwards.
  expect(await c.ask('qfThreadInfo')).toBe('m1,2,3,4');
  c.close();
});

test('connect, QStartNoAckMode, disconnect, reconnect: the new session starts in ack mode', async () => {
  const first = await RspClient.connect(server.port);
  expect(await first.startNoAck()).toBe('OK');
  first.write('+'); // gdb acks the OK; the stub may ignore it
  // No-ack mode is on: a reply comes without a `+` first.
  first.write(frame('qFooBar'));
  const t = await first.next();
  expect(t.kind === 'packet' ? t.payload.toString('latin1') : t.kind).toBe('');
  first.close();

  const second = await RspClient.connect(server.port);
  second.write(frame('qC'));
  expect(await second.ackOrNak()).toBe('+');
  expect(await second.answer()).toMatch(/^QC[0-9a-f]+$/);
  // And a bad checksum is NAKed again, as in any ack-mode session.
  second.write('$qC#00');
  expect(await second.ackOrNak()).toBe('-');
  second.close();
});

test('without qXfer:features:read negotiated, g is exactly 1576 hex characters and p21 (cpsr) is 8', async () => {
  // The client never reads target.xml (as gdb with `set tdesc filename` or an old gdb).
  const { c } = await attach();
  const g = await c.ask('g');
  expect(g).toMatch(/^[0-9a-fx]+$/);
  expect(g.length).toBe(1576);
  const cpsr = await c.ask('p21');
  expect(cpsr).toMatch(/^[0-9a-f]{8}$/);
  // The same value as bytes 264..267 of the g reply.
  expect(g.slice(264 * 2, 268 * 2)).toBe(cpsr);
  expect(await c.ask('p20')).toBe(g.slice(256 * 2, 264 * 2));
  c.close();
});
