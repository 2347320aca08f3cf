/**
 * Issue 7, connection lifecycle, against the real server and guest (hardlockup, 4 CPUs):
 * connections dropped while the machine runs or while it is stopped, `D` and `k`, a
 * hundred reconnections, and a second simultaneous client (raw and with real gdb).
 *
 * "Breakpoints removed" is checked through the guest: CPU 0 runs checksum_block() all the
 * time, so a breakpoint left there would stop the machine within microseconds and the next
 * `?` would report that SIGTRAP (T05) instead of breaking in with SIGINT (T02). "Resumed"
 * is checked by CPU 0's published result changing between two stops.
 */
import { findSymbol, loadElfFile } from '../../src/loader/elf';
import { BUNDLED_IMAGE, killAll, runGdb, startServe, type ServeProcess } from '../helpers/gdb';
import { RspClient, frame } from './rsp-client';

let server: ServeProcess;
let hotAddr: string;
let resultAddr: string;

beforeAll(async () => {
  const img = loadElfFile(BUNDLED_IMAGE);
  hotAddr = findSymbol(img, 'checksum_block')!.value.toString(16);
  resultAddr = findSymbol(img, 'kgdb_lab_compute_result')!.value.toString(16);
  server = await startServe({ scenario: 'hardlockup' });
}, 90_000);

afterAll(killAll);

/** Connect and stop the machine; returns the client, the stop reply and CPU 0's result. */
async function attach(): Promise<{ c: RspClient; stop: string; result: string }> {
  const c = await RspClient.connect(server.port);
  await c.ask('qSupported:multiprocess+;swbreak+;hwbreak+');
  const stop = await c.ask('?');
  const result = await c.ask(`m${resultAddr},8`);
  return { c, stop, result };
}

/** Let the machine run a little (host time; the guest computes meanwhile). */
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Sessions that end while stopped with a breakpoint set, each in its own way. */
const endings: [string, (c: RspClient) => Promise<void>][] = [
  ['D (detach)', async (c) => {
    expect(await c.ask('D')).toBe('OK');
    await c.waitClosed(10_000); // the server closes after OK
  }],
  ['k (kill)', async (c) => {
    c.write(frame('k'));
    expect(await c.ackOrNak()).toBe('+');
    await c.waitClosed(10_000); // no reply to k, then the server closes
  }],
  ['a dropped connection while stopped (no D)', async (c) => {
    c.socket.destroy();
    await c.waitClosed(10_000);
  }],
];

test.each(endings)('%s: the server keeps listening, the machine resumed, breakpoints removed', async (_name, end) => {
  const a = await attach();
  expect(await a.c.ask(`Z0,${hotAddr},4`)).toBe('OK');
  await end(a.c);
  await pause(300);
  const b = await attach();
  // A break-in (SIGINT), not the breakpoint's SIGTRAP: nothing stopped the machine meanwhile.
  expect(b.stop).toMatch(/^T02thread:/);
  expect(b.result).not.toBe(a.result);
  // The breakpoint is gone from the table too: removing it fails.
  expect(await b.c.ask(`z0,${hotAddr},4`)).toMatch(/^E[0-9a-f]{2}$/);
  b.c.close();
});

test('a connection dropped while the machine runs (after vCont;c): the next one breaks in normally', async () => {
  const a = await attach();
  expect(await a.c.ask(`Z0,${hotAddr},4`)).toBe('OK');
  expect(await a.c.ask(`z0,${hotAddr},4`)).toBe('OK');
  a.c.write(frame('vCont;c'));
  expect(await a.c.ackOrNak()).toBe('+');
  expect(await a.c.quiet(200)).toBe(true); // running: no stop yet
  a.c.socket.destroy();
  await pause(300);
  const b = await attach();
  expect(b.stop).toMatch(/^T02thread:/);
  expect(b.result).not.toBe(a.result);
  b.c.close();
});

test('a connection dropped while its `?` roundup is still under way: the machine is let go when it stops, not left stopped', async () => {
  // daifmasked: CPU 2 never answers, so the roundup lasts its whole timeout (busy machine time).
  const slow = await startServe({ scenario: 'daifmasked', roundupTimeoutMs: 300 });
  const c = await RspClient.connect(slow.port);
  c.write(frame('?'));
  expect(await c.ackOrNak()).toBe('+');
  c.socket.destroy();
  await slow.waitForStderr(/gdb left before the stop it asked for; the machine runs on/, 60_000);
  expect(slow.stderr()).not.toMatch(/waiting for gdb/);
  // The next client gets a fresh break-in.
  const b = await RspClient.connect(slow.port);
  expect(await b.ask('?', { timeoutMs: 60_000 })).toMatch(/^T02thread:/);
  expect(await b.ask('D')).toBe('OK');
  await slow.stop();
}, 120_000);

test('reconnect 100 times, ending each session a different way', async () => {
  let stops = 0;
  for (let i = 0; i < 100; i++) {
    const c = await RspClient.connect(server.port);
    const supported = await c.ask('qSupported:multiprocess+;swbreak+;hwbreak+');
    if (!/PacketSize=/.test(supported)) throw new Error(`connection ${i}: qSupported gave ${supported}`);
    expect(await c.ask('qfThreadInfo')).toBe('m1,2,3,4');
    if (i % 10 === 0) {
      // Every tenth one stops the machine and reads registers, as gdb's attach does.
      expect(await c.ask('?')).toMatch(/^T02/);
      expect((await c.ask('g')).length).toBe(1576);
      stops++;
    }
    switch (i % 3) {
      case 0:
        expect(await c.ask('D')).toBe('OK');
        await c.waitClosed(10_000);
        break;
      case 1:
        c.close();
        break;
      default:
        c.write(frame('k'));
        await c.ackOrNak();
        await c.waitClosed(10_000);
    }
  }
  expect(stops).toBe(10);
  // And the machine still runs and stops normally.
  const last = await attach();
  expect(last.stop).toMatch(/^T02/);
  last.c.close();
}, 90_000);

test('a second simultaneous client is refused with a clear message; the first goes on', async () => {
  const first = await attach();
  const second = await RspClient.connect(server.port);
  const reply = await second.ask('qSupported:multiprocess+');
  expect(reply).toBe('E.kgdb-lab: another gdb is already connected; only one client at a time');
  await second.waitClosed(10_000);
  expect(await first.c.ask('qC')).toMatch(/^QC/);
  expect(await first.c.ask(`m${resultAddr},8`)).toBe(first.result);

  // What a user sees: gdb prints the message and does not attach.
  const gdb = await runGdb({ port: server.port, commands: ['info threads'], timeoutMs: 30_000 });
  expect(gdb.output).toMatch(/another gdb is already connected; only one client at a time/);
  expect(gdb.output).not.toMatch(/CPU#0/);
  expect(await first.c.ask('qC')).toMatch(/^QC/);
  expect(await first.c.ask('D')).toBe('OK');
  expect(server.stderr()).not.toMatch(/waiting for gdb/);
}, 60_000);

test('a client that sends requests but never reads the replies does not make the server buffer without bound', async () => {
  const rss = (): number => Number(/^VmRSS:\s+(\d+) kB$/m.exec(require('fs').readFileSync(`/proc/${server.pid}/status`, 'utf8'))![1]);
  const c = await RspClient.connect(server.port);
  await c.ask('?');
  c.socket.pause(); // never read again
  const before = rss();
  // 8 KiB reads: 16 KiB of hex each, 160 MiB of replies in all.
  const req = Buffer.from(`$m${resultAddr},2000#${checksum(`m${resultAddr},2000`)}`);
  const batch = Buffer.concat(Array.from({ length: 500 }, () => req));
  for (let i = 0; i < 20; i++) {
    c.socket.write(batch);
    await pause(50);
  }
  await pause(500);
  const grown = rss() - before;
  c.socket.destroy();
  await c.waitClosed(10_000);
  expect(grown).toBeLessThan(48 * 1024);
  // And the server serves the next client normally.
  await pause(300);
  const b = await attach();
  expect(b.stop).toMatch(/^T02thread:/);
  b.c.close();
}, 60_000);

function checksum(payload: string): string {
  let s = 0;
  for (const ch of Buffer.from(payload, 'latin1')) s = (s + ch) & 0xff;
  return s.toString(16).padStart(2, '0');
}
