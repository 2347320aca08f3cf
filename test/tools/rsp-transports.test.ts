/**
 * The RSP server's transports without the machine (src/rsp/server.ts): a session over any
 * stream pair (what --stdio uses), and a unix-domain socket listener, both in front of the
 * RSP layer's fake target.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { PassThrough } from 'stream';
import { RspServer, type ClientEvent } from '../../src/rsp/server';
import { FakeTarget } from '../rsp/fake-target';

/** `$payload#cs`. */
function frame(payload: string): string {
  let sum = 0;
  for (const c of Buffer.from(payload, 'latin1')) sum = (sum + c) & 0xff;
  return `$${payload}#${sum.toString(16).padStart(2, '0')}`;
}

/** Resolve once `get()` matches `re` (data arrives asynchronously). */
async function until(get: () => string, re: RegExp, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!re.test(get())) {
    if (Date.now() > end) throw new Error(`timeout waiting for ${re}; got ${JSON.stringify(get())}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('a session over a stream pair: packets both ways, D ends the output, the client events name the peer', async () => {
  const target = new FakeTarget({ cpus: 2 });
  const clients: ClientEvent[] = [];
  const server = new RspServer(target, { onClient: (e) => clients.push(e) });
  const input = new PassThrough();
  const output = new PassThrough();
  let out = '';
  let ended = false;
  output.on('data', (b: Buffer) => (out += b.toString('latin1')));
  output.on('end', () => (ended = true));
  server.serveStream({ input, output, peer: 'pipe', destroy: () => input.destroy() });
  expect(server.connected).toBe(true);
  input.write(frame('qC'));
  await until(() => out, /\$QC1#/);
  input.write(frame('D'));
  await until(() => out, /\$OK#9a/);
  await until(() => (ended ? 'ended' : ''), /ended/);
  expect(out).toBe(`+${frame('QC1')}+${frame('OK')}`);
  expect(target.events).toEqual(['connect', 'disconnect:detach']);
  expect(clients).toEqual([
    { kind: 'connected', peer: 'pipe' },
    { kind: 'disconnected', peer: 'pipe' },
  ]);
  expect(server.connected).toBe(false);
  await server.close();
});

test('a stream pair whose input ends is a lost connection', async () => {
  const target = new FakeTarget({ cpus: 1 });
  const clients: ClientEvent[] = [];
  const server = new RspServer(target, { onClient: (e) => clients.push(e) });
  const input = new PassThrough();
  const output = new PassThrough();
  output.resume();
  server.serveStream({ input, output, peer: 'pipe', destroy: () => input.destroy() });
  input.end();
  await until(() => clients.map((c) => c.kind).join(), /disconnected/);
  expect(target.events).toEqual(['connect', 'disconnect:connection-lost']);
  await server.close();
});

test('a unix-socket listener: a session on it, the socket file removed by close(), an existing path refused', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kgdb-lab-rsp-'));
  try {
    const sock = path.join(dir, 'gdb.sock');
    const server = new RspServer(new FakeTarget({ cpus: 2 }), {});
    await server.listenUnix(sock);
    expect(fs.statSync(sock).isSocket()).toBe(true);
    const c = net.connect({ path: sock });
    let got = '';
    c.on('data', (b: Buffer) => (got += b.toString('latin1')));
    c.write(frame('qfThreadInfo'));
    await until(() => got, /\$m1,2#/);
    c.destroy();
    // A second server on the same path is refused, and leaves the first one's file alone.
    await expect(new RspServer(new FakeTarget({ cpus: 1 }), {}).listenUnix(sock)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(fs.existsSync(sock)).toBe(true);
    await server.close();
    expect(fs.existsSync(sock)).toBe(false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
