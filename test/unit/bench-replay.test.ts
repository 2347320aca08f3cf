/**
 * The no-work replay stub behind `make bench` row 2's floor (bench/replay.ts, bench/replay-stub.c):
 * the table pairs each request with its reply, and the stub serves the recorded replies as
 * gdb's remote protocol expects (acks until QStartNoAckMode, registers per Hg thread,
 * repeated requests in recorded order, a resume answered at the interrupt byte).
 */
import * as net from 'net';
import { buildReplayStub, replayTable, startReplay, type Recording } from '../../bench/replay';

function frame(payload: string): string {
  let sum = 0;
  for (const ch of payload) sum = (sum + ch.charCodeAt(0)) & 0xff;
  return `$${payload}#${sum.toString(16).padStart(2, '0')}`;
}

function recording(requests: string[], replies: string[], extraOut = ''): Recording {
  return {
    in: Buffer.from(requests.map((q) => `${frame(q)}+`).join(''), 'latin1'),
    out: Buffer.from(replies.map((r) => `+${frame(r)}`).join('') + extraOut, 'latin1'),
  };
}

/** Table lines back as [key, framed reply] strings. */
function lines(table: string): [string, string][] {
  return table
    .trim()
    .split('\n')
    .map((l) => l.split(' ').map((h) => Buffer.from(h, 'hex').toString('latin1')) as [string, string]);
}

describe('replayTable', () => {
  it('pairs requests with replies, keys registers by the Hg thread, and drops console O packets', () => {
    const rec = recording(['qSupported:x+', 'Hg2', 'g', 'm1000,4', 'Hg3', 'g', 'vCont;c'], ['PacketSize=1000', 'OK', 'aa', '01020304', 'OK', 'bb', 'T05thread:3;']);
    // A console line and a keepalive O before the stop reply answer no request.
    rec.out = Buffer.concat([rec.out.subarray(0, rec.out.lastIndexOf('+$T05')), Buffer.from(frame('O6869') + frame('O'), 'latin1'), rec.out.subarray(rec.out.lastIndexOf('+$T05'))]);
    expect(lines(replayTable(rec))).toEqual([
      ['* qSupported:x+', frame('PacketSize=1000')],
      ['* Hg2', frame('OK')],
      ['2 g', frame('aa')],
      ['* m1000,4', frame('01020304')],
      ['* Hg3', frame('OK')],
      ['3 g', frame('bb')],
      ['* vCont;c', frame('T05thread:3;')],
    ]);
  });

  it('refuses a recording whose requests and replies do not pair up', () => {
    expect(() => replayTable(recording(['g', 'g'], ['aa']))).toThrow(/2 requests, 1 replies/);
  });
});

/** A raw client: send bytes, collect everything the stub writes. */
function client(port: number): Promise<{ send(s: string): void; waitFor(text: string): Promise<string>; close(): void }> {
  return new Promise((resolve, reject) => {
    let got = '';
    const waiters: (() => void)[] = [];
    const sock = net.connect({ host: '127.0.0.1', port }, () =>
      resolve({
        send: (s) => sock.write(Buffer.from(s, 'latin1')),
        waitFor: (text) =>
          new Promise((ok, fail) => {
            const timer = setTimeout(() => fail(new Error(`no ${JSON.stringify(text)} in ${JSON.stringify(got)}`)), 5000);
            const check = (): void => {
              if (!got.includes(text)) return void waiters.push(check);
              clearTimeout(timer);
              ok(got);
            };
            check();
          }),
        close: () => sock.destroy(),
      }),
    );
    sock.on('data', (b: Buffer) => {
      got += b.toString('latin1');
      for (const w of waiters.splice(0)) w();
    });
    sock.on('error', reject);
  });
}

describe('replay-stub', () => {
  beforeAll(() => buildReplayStub(), 60_000);

  it('serves the recorded replies as a stub would', async () => {
    const rec = recording(
      ['QStartNoAckMode', 'Hg1', 'g', 'Hg2', 'g', 'm0,1', 'm0,1', 'vCont;c', 'Hg1', 'g'],
      ['OK', 'OK', '11', 'OK', '22', 'a0', 'a1', 'T02thread:1;', 'OK', '33'],
    );
    const stub = await startReplay(replayTable(rec));
    const c = await client(stub.port);
    try {
      c.send(frame('QStartNoAckMode'));
      await c.waitFor(`+${frame('OK')}`);
      // No acks from here on; each register read answers for the thread of the last Hg.
      c.send(frame('Hg2') + frame('g'));
      await c.waitFor(frame('22'));
      c.send(frame('Hg1') + frame('g'));
      await c.waitFor(frame('11'));
      // The same request twice: the recorded replies in order, then the last one again.
      c.send(frame('m0,1') + frame('m0,1') + frame('m0,1'));
      const got = await c.waitFor(`${frame('a0')}${frame('a1')}${frame('a1')}`);
      expect(got.split('+').length).toBe(2);
      // A resume is answered only when the interrupt byte comes, as by a running target.
      c.send(frame('vCont;c'));
      await new Promise((r) => setTimeout(r, 100));
      expect(await c.waitFor(frame('a1'))).not.toContain('T02');
      c.send('\x03');
      await c.waitFor(frame('T02thread:1;'));
      c.send(frame('g'));
      await c.waitFor(frame('33'));
    } finally {
      c.close();
      await stub.stop();
    }
  });

  it('says when gdb asks for something the recording lacks', async () => {
    const stub = await startReplay(replayTable(recording(['g'], ['aa'])));
    const c = await client(stub.port);
    c.send(frame('qTStatus'));
    await c.waitFor('$#00');
    c.close();
    await expect(stub.stop()).rejects.toThrow(/diverged from the recording: replay-stub: not in the table: \* qTStatus/);
  });
});
