import { RspSession, type SessionIo, type SessionOptions } from '../../src/rsp/session';
import { aarch64TargetXml } from '../../src/rsp/target-xml';
import { GdbSignal, TargetError, type StopEvent } from '../../src/rsp/target';
import type { RspTraceEvent } from '../../src/rsp/trace';
import { FakeTarget, RAM_BASE, type FakeOptions } from './fake-target';
import { frame, show, splitItems, unescape, type Item } from './rsp-client';

class FakeIo implements SessionIo {
  writes: Buffer[] = [];
  ended = false;
  private read = 0;
  write(data: Buffer): void {
    this.writes.push(Buffer.from(data));
  }
  end(): void {
    this.ended = true;
  }
  /** Items written since the last call. */
  take(): Item[] {
    const all = Buffer.concat(this.writes);
    const { items, rest } = splitItems(all.subarray(this.read));
    this.read = all.length - rest.length;
    return items;
  }
}

interface Logged {
  level: string;
  msg: string;
}

/** Sessions of the current test: closed afterwards, so no fake run loop outlives its test. */
const live: RspSession[] = [];
afterEach(() => {
  for (const s of live.splice(0)) s.connectionClosed();
});

function setup(fake: FakeOptions = {}, opts: SessionOptions = {}) {
  const target = new FakeTarget(fake);
  const io = new FakeIo();
  const logged: Logged[] = [];
  const rec = (level: string) => (_obj: unknown, msg?: string) => logged.push({ level, msg: String(msg) });
  const log = { debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') };
  const session = new RspSession(target, io, { log, ...opts });
  live.push(session);
  const send = (payload: string | Buffer) => session.receive(frame(payload));
  return { target, io, session, logged, send };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hexText = (s: string) => Buffer.from(s).toString('hex');

/** Poll until `cond` holds (for asynchronous stops). */
async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await sleep(2);
  }
}

describe('RspSession: acknowledgments', () => {
  test('a good packet gets + and its reply in one write', () => {
    const { io, send } = setup();
    send('?');
    expect(io.writes).toHaveLength(1);
    expect(show(io.take())).toEqual(['+', '$T05thread:1;core:0;1d:1d10000000000000;1f:00ff004000000000;20:0001004000000000;']);
  });

  test('a bad checksum is NAKed and not executed', () => {
    const { io, session, target } = setup();
    const before = target.ram[0];
    session.receive(Buffer.from('$M40000000,1:ee#00'));
    expect(show(io.take())).toEqual(['-']);
    expect(target.ram[0]).toBe(before);
  });

  test('- retransmits the last packet byte for byte', () => {
    const { io, session, send } = setup();
    send('qSupported:swbreak+');
    const first = io.take()[1] as Extract<Item, { kind: 'packet' }>;
    session.receive(Buffer.from('-'));
    const again = io.take();
    expect(again).toHaveLength(1);
    expect((again[0] as Extract<Item, { kind: 'packet' }>).raw.equals(first.raw)).toBe(true);
  });

  test('- in no-ack mode retransmits nothing (gdb sends it when its remotetimeout expires; the old reply would answer its next packet)', () => {
    const { io, session, send } = setup();
    send('QStartNoAckMode');
    io.take();
    send('qTStatus');
    expect(show(io.take())).toEqual(['$']);
    session.receive(Buffer.from('-'));
    expect(io.take()).toEqual([]);
    send('qC');
    expect(show(io.take())).toEqual(['$QC1']);
  });

  test('- before any packet was sent does nothing', () => {
    const { io, session } = setup();
    session.receive(Buffer.from('-'));
    expect(io.take()).toEqual([]);
  });

  test('QStartNoAckMode: OK is still acked, then no + or -', () => {
    const { io, session, send } = setup();
    send('QStartNoAckMode');
    expect(show(io.take())).toEqual(['+', '$OK']);
    session.receive(Buffer.from('+'));
    send('qC');
    expect(show(io.take())).toEqual(['$QC1']);
    session.receive(Buffer.from('$g#00'));
    expect(io.take()).toEqual([]);
  });

  test('without the no-ack capability, QStartNoAckMode is unsupported', () => {
    const { io, send } = setup({ without: ['noAck'] });
    send('qSupported');
    expect(show(io.take())[1]).not.toContain('QStartNoAckMode');
    send('QStartNoAckMode');
    expect(show(io.take())).toEqual(['+', '$']);
    send('qC');
    expect(show(io.take())).toEqual(['+', '$QC1']);
  });

  test('oversize: NAK in ack mode, E5a in no-ack mode; the next packet is answered', () => {
    const { io, session, send } = setup({}, { packetSize: 64 });
    session.receive(Buffer.concat([frame(`M40000000,40:${'00'.repeat(64)}`), frame('?')]));
    expect(show(io.take()).slice(0, 2)).toEqual(['-', '+']);
    send('QStartNoAckMode');
    io.take();
    session.receive(frame(`M40000000,40:${'00'.repeat(64)}`));
    send('qC');
    expect(show(io.take())).toEqual(['$E5a', '$QC1']);
  });
});

describe('RspSession: errors never escape', () => {
  test('a plain exception from the target becomes E79 and a log line; the session goes on', () => {
    const { io, target, send, logged } = setup();
    target.readRegisters = () => {
      throw new Error('boom');
    };
    send('g');
    expect(show(io.take())).toEqual(['+', '$E79']);
    expect(logged.some((l) => l.level === 'warn' && l.msg.includes('packet failed'))).toBe(true);
    send('qC');
    expect(show(io.take())).toEqual(['+', '$QC1']);
  });

  test('a TargetError errno is the reply number', () => {
    const { io, send } = setup();
    send('m1000,4');
    expect(show(io.take())).toEqual(['+', '$E0e']);
  });

  test('malformed known packets are E16, unknown ones empty', () => {
    const { io, send } = setup();
    send('m40000000');
    send('qFooBar');
    expect(show(io.take())).toEqual(['+', '$E16', '+', '$']);
  });

  test('a fatal TargetError ends the session and reaches onFatal', () => {
    const fatal: unknown[] = [];
    const { io, send, session, target } = setup({}, { onFatal: (e) => fatal.push(e) });
    target.readMemory = () => {
      throw TargetError.fatal('machine gone');
    };
    send('m40000000,4');
    expect(show(io.take())).toEqual(['+']);
    expect(io.ended).toBe(true);
    expect(session.active).toBe(false);
    expect(fatal).toHaveLength(1);
    expect(target.events).toEqual(['connect', 'disconnect:error']);
    send('qC');
    expect(io.take()).toEqual([]);
  });

  test('with gdb error-message+, m and qRcmd failures are E.text', () => {
    const { io, send } = setup();
    send('qSupported:error-message+');
    io.take();
    send('m1000,4');
    send(`qRcmd,${hexText('fail')}`);
    send('g1'); // malformed, not m/qRcmd: still a number
    expect(show(io.take())).toEqual(['+', '$E.cannot read memory at 0x1000', '+', '$E.monitor fail', '+', '$E16']);
  });
});

describe('RspSession: resume and stop', () => {
  test('vCont;c runs until interrupted; 0x03 gives T02 for a resumed CPU', async () => {
    const { io, session, send, target } = setup();
    send('vCont;c');
    expect(show(io.take())).toEqual(['+']);
    expect(session.running).toBe(true);
    await sleep(20);
    session.receive(Buffer.from([0x03]));
    await until(() => !session.running);
    const items = show(io.take());
    expect(items).toHaveLength(1);
    expect(items[0]).toMatch(/^\$T02thread:1;core:0;/);
    expect(target.events).toContain('interrupt');
  });

  test('a breakpoint stop reports swbreak and makes that CPU current', async () => {
    const { io, session, send, target } = setup();
    send('qSupported:swbreak+');
    send(`Z0,${(target.cpus[1].pc + 12n).toString(16)},4`);
    send('vCont;c');
    await until(() => !session.running);
    const items = show(io.take());
    expect(items.at(-1)).toMatch(/^\$T05thread:2;core:1;.*;swbreak:;$/);
    send('qC');
    send('p20');
    expect(show(io.take())).toEqual(['+', '$QC2', '+', `$${Buffer.from((target.cpus[1].pc).toString(16).padStart(16, '0'), 'hex').reverse().toString('hex')}`]);
  });

  test('packets sent while running are queued and answered after the stop, in order', async () => {
    const { io, session, send } = setup();
    send('c');
    send('qC');
    expect(show(io.take())).toEqual(['+', '+']);
    session.receive(Buffer.from([0x03]));
    await until(() => !session.running);
    await sleep(5);
    const items = show(io.take());
    expect(items[0]).toMatch(/^\$T02/);
    expect(items[1]).toBe('$QC1');
  });

  test('0x03 while stopped is ignored', () => {
    const { io, session, target } = setup();
    session.receive(Buffer.from([0x03]));
    expect(io.take()).toEqual([]);
    expect(target.events).not.toContain('interrupt');
  });

  test('vCont plans: leftmost action wins, wildcard covers the rest, 0 means the current CPU', () => {
    const { send, target, io } = setup({ cpus: 3 });
    send('vCont;s:2;c');
    send('vCont;c:1;s:1');
    send('vCont;c:0');
    send('vCont;c:-1;s:2');
    const plans = target.plans.map((p) => ({ per: [...p.perCpu.entries()], others: p.others }));
    // Only the first resume ran (the others were queued behind it); check the ones recorded so far.
    expect(plans[0]).toEqual({ per: [[1, { kind: 'step', signal: 0 }]], others: { kind: 'continue', signal: 0 } });
    expect(show(io.take())).toEqual(['+', '+', '+', '+']);
  });

  test('vCont plans, each after a stop', async () => {
    const { send, target, session } = setup({ cpus: 3, runLimit: 2 });
    const run = async (p: string) => {
      send(p);
      await until(() => !session.running);
      await sleep(1);
    };
    await run('vCont;c:1;s:1');
    await run('vCont;C0b:3;c:2');
    await run('vCont;c:-1;s:2');
    const plans = target.plans.map((p) => ({ per: [...p.perCpu.entries()], others: p.others }));
    expect(plans[0]).toEqual({ per: [[0, { kind: 'continue', signal: 0 }]], others: undefined });
    expect(plans[1]).toEqual({ per: [[2, { kind: 'continue', signal: 11 }], [1, { kind: 'continue', signal: 0 }]], others: undefined });
    expect(plans[2]).toEqual({ per: [], others: { kind: 'continue', signal: 0 } });
  });

  test('legacy c/s follow Hc: a thread alone, or the current one with the others continuing', async () => {
    const { send, target, session } = setup({ cpus: 2, runLimit: 1 });
    const run = async (p: string) => {
      send(p);
      await until(() => !session.running);
      await sleep(1);
    };
    await run('c');
    send('Hc2');
    await run('s');
    await run('C05;40000200');
    const plans = target.plans.map((p) => ({ per: [...p.perCpu.entries()], others: p.others }));
    expect(plans[0]).toEqual({ per: [[0, { kind: 'continue', signal: 0 }]], others: { kind: 'continue', signal: 0 } });
    expect(plans[1]).toEqual({ per: [[1, { kind: 'step', signal: 0 }]], others: undefined });
    expect(plans[2]).toEqual({ per: [[1, { kind: 'continue', signal: 5 }]], others: undefined });
    // `C sig;addr` set the PC first (the fake then ran one tick: +4).
    expect(target.cpus[1].pc).toBe(0x4000_0204n);
  });

  test('vCont t/r, unknown threads and steps without the capability are refused', () => {
    const { io, send } = setup({ without: ['step'] });
    send('vCont?');
    send('vCont;t');
    send('vCont;r40000000,40000010:1');
    send('vCont;c:9');
    send('vCont;s:1');
    send('s');
    expect(show(io.take())).toEqual(['+', '$vCont;c;C', '+', '$E16', '+', '$E16', '+', '$E03', '+', '$E16', '+', '$']);
  });

  test('without the resume capability, resuming is unsupported', () => {
    const { io, send } = setup({ without: ['resume'] });
    send('qSupported');
    const features = show(io.take())[1];
    expect(features).not.toContain('vContSupported');
    for (const p of ['c', 's', 'vCont?', 'vCont;c']) send(p);
    expect(show(io.take())).toEqual(['+', '$', '+', '$', '+', '$', '+', '$']);
  });

  test('a rejected resume is an E reply and the session goes on', async () => {
    const { io, send, target, session } = setup();
    target.resume = () => Promise.reject(TargetError.errno(5, 'cannot run'));
    send('vCont;c');
    await until(() => !session.running);
    await sleep(1);
    send('qC');
    expect(show(io.take())).toEqual(['+', '$E05', '+', '$QC1']);
  });

  test('an asynchronous stop with a watchpoint address', async () => {
    const { io, send, target, session } = setup();
    send('vCont;c');
    await sleep(5);
    target.stopNow({ kind: 'signal', signal: GdbSignal.SIGTRAP, cpu: 1, cause: { kind: 'watch', addr: 0x4000_1000n } });
    await until(() => !session.running);
    expect(show(io.take()).at(-1)).toMatch(/^\$T05thread:2;.*;watch:40001000;$/);
  });

  test('console output while running goes out as O packets', async () => {
    const { io, send, target, session } = setup();
    let out: { write(t: string): void } | undefined;
    const orig = target.resume.bind(target);
    target.resume = (plan, console) => {
      out = console;
      return orig(plan, console);
    };
    send('vCont;c');
    out!.write('kgdb: hello\n');
    await sleep(1);
    session.receive(Buffer.from([0x03]));
    await until(() => !session.running);
    out!.write('dropped after the stop');
    await sleep(1);
    const items = show(io.take());
    expect(items[1]).toBe(`$O${hexText('kgdb: hello\n')}`);
    expect(items[2]).toMatch(/^\$T02/);
    expect(items).toHaveLength(3);
  });

  test('keepalive O packets while waiting for a stop', async () => {
    const { io, send, session } = setup({}, { keepaliveMs: 80 });
    send('vCont;c');
    await sleep(400);
    session.receive(Buffer.from([0x03]));
    await until(() => !session.running);
    const items = show(io.take());
    const keepalives = items.filter((i) => i === '$O').length;
    expect(keepalives).toBeGreaterThanOrEqual(3);
    expect(items.at(-1)).toMatch(/^\$T02/);
  });
});

describe('RspSession: monitor commands', () => {
  test('output as O packets, then OK', () => {
    const { io, send } = setup();
    send(`qRcmd,${hexText('echo hello world')}`);
    expect(show(io.take())).toEqual(['+', `$O${hexText('hello world\n')}`, '$OK']);
  });

  test('long output is split to fit the PacketSize', () => {
    const { io, send } = setup({}, { packetSize: 64 });
    send(`qRcmd,${hexText('fill 70')}`);
    const items = io.take().filter((i): i is Extract<Item, { kind: 'packet' }> => i.kind === 'packet');
    // 31 bytes per O packet: 31 + 31 + 8, then OK.
    expect(items.length).toBe(4);
    for (const i of items) expect(i.payload.length).toBeLessThanOrEqual(64);
    const text = items.slice(0, -1).map((i) => Buffer.from(i.payload.subarray(1).toString(), 'hex').toString()).join('');
    expect(text).toBe('x'.repeat(70));
    expect(items[3].payload.toString()).toBe('OK');
  });

  test('a slow command gets keepalives, then OK; packets meanwhile wait', async () => {
    const { io, send } = setup({}, { keepaliveMs: 80 });
    send(`qRcmd,${hexText('slow 300')}`);
    send('qC');
    await sleep(400);
    const items = show(io.take());
    expect(items.slice(0, 2)).toEqual(['+', '+']);
    expect(items.filter((i) => i === '$O').length).toBeGreaterThanOrEqual(2);
    expect(items.slice(-2)).toEqual(['$OK', '$QC1']);
  });

  test('failures are E NN; a crash is E79; no capability is the empty reply', () => {
    const { io, send } = setup();
    send(`qRcmd,${hexText('fail')}`);
    send(`qRcmd,${hexText('crash')}`);
    expect(show(io.take())).toEqual(['+', '$E01', '+', '$E79']);
    const other = setup({ without: ['monitor'] });
    other.send(`qRcmd,${hexText('echo x')}`);
    expect(show(other.io.take())).toEqual(['+', '$']);
  });
});

describe('RspSession: lifecycle', () => {
  test('D: OK, the target hears detach once, the connection closes', () => {
    const { io, send, session, target } = setup();
    send('D');
    expect(show(io.take())).toEqual(['+', '$OK']);
    expect(io.ended).toBe(true);
    session.connectionClosed();
    expect(target.events).toEqual(['connect', 'disconnect:detach']);
  });

  test('k: no reply, kill', () => {
    const { io, send, target } = setup();
    send('k');
    expect(show(io.take())).toEqual(['+']);
    expect(io.ended).toBe(true);
    expect(target.events).toEqual(['connect', 'disconnect:kill']);
  });

  test('a dropped connection while running tells the target', async () => {
    const { send, session, target } = setup();
    send('vCont;c');
    session.connectionClosed();
    session.connectionClosed();
    expect(target.events.filter((e) => e.startsWith('disconnect'))).toEqual(['disconnect:connection-lost']);
    await sleep(5);
    expect(target.isRunning).toBe(false);
  });

  test('an asynchronous ? queues later packets', async () => {
    const { io, send, target } = setup();
    let release: (s: StopEvent) => void = () => undefined;
    target.haltReason = (() => new Promise<StopEvent>((r) => (release = r))) as unknown as () => StopEvent;
    send('?');
    send('qC');
    expect(show(io.take())).toEqual(['+', '+']);
    release({ kind: 'signal', signal: GdbSignal.SIGINT, cpu: 1 });
    await sleep(1);
    expect(show(io.take())).toEqual([expect.stringMatching(/^\$T02thread:2;/), '$QC2']);
  });

  test('the trace callback sees every packet and ack, both ways', () => {
    const trace: RspTraceEvent[] = [];
    const { send, session } = setup({}, { trace: (e) => trace.push(e) });
    send('qC');
    session.receive(Buffer.from('-\x03'));
    expect(trace.map((t) => `${t.direction}:${t.kind}`)).toEqual([
      'in:packet', 'out:ack', 'out:packet', 'in:nak', 'out:retransmit', 'in:interrupt',
    ]);
  });
});

describe('RspSession: registers, memory, threads', () => {
  test('threads: one m reply, l, T, Hg, qThreadExtraInfo', () => {
    const { io, send } = setup({ cpus: 3, unavailable: [2] });
    for (const p of ['qfThreadInfo', 'qsThreadInfo', 'T3', 'T4', 'Hg4', 'Hg0', 'Hc-1', 'qThreadExtraInfo,3', 'qThreadExtraInfo,1', 'qAttached', 'qC']) send(p);
    expect(show(io.take()).filter((i) => i !== '+')).toEqual([
      '$m1,2,3', '$l', '$OK', '$E03', '$E03', '$OK', '$OK', `$${hexText('not responding')}`, `$${hexText('halted')}`, '$1', '$QC1',
    ]);
  });

  test('g is 1576 hex chars; per-thread; unavailable CPU is all x; p21 is 8 chars', () => {
    const { io, send } = setup({ cpus: 3, unavailable: [2] });
    send('g');
    send('Hg2');
    send('g');
    send('Hg3');
    send('g');
    send('p21');
    send('Hg1');
    send('p21');
    send('p43');
    send('p44');
    send('p4c');
    const r = show(io.take()).filter((i) => i !== '+').map((s) => s.slice(1));
    expect(r[0]).toHaveLength(1576);
    expect(r[0].slice(0, 16)).toBe('0010000000000000');
    expect(r[2].slice(0, 16)).toBe('0020000000000000');
    expect(r[4]).toBe('x'.repeat(1576));
    expect(r[5]).toBe('xxxxxxxx');
    expect(r[7]).toBe('c5030060');
    expect(r[8]).toBe('xxxxxxxx');
    // 68 (0x44) is esr_el1, outside g: 8 bytes, unavailable from a target without system registers.
    expect(r[9]).toBe('x'.repeat(16));
    // Past the system registers (68-75) there is no register.
    expect(r[10]).toBe('E16');
  });

  test('P and G write registers; FP is refused; partial and xx handling', () => {
    const { io, send, target } = setup();
    send('P20=0002004000000000');
    send('P21=00000080');
    send('P22=00000000000000000000000000000000');
    send('P20=00');
    expect(show(io.take()).filter((i) => i !== '+')).toEqual(['$OK', '$OK', '$E5f', '$E16']);
    expect(target.cpus[0].pc).toBe(0x4000_0200n);
    expect(target.cpus[0].cpsr).toBe(0x8000_0000);
    // G: x0 = 1, x1 left alone (xx), the rest cut short after x2.
    send(`G${'0100000000000000'}${'x'.repeat(16)}${'0300000000000000'}`);
    expect(show(io.take())).toEqual(['+', '$OK']);
    expect(target.cpus[0].x.slice(0, 4)).toEqual([1n, 0x1001n, 3n, 0x1003n]);
    send(`G${'01'.repeat(7)}`);
    send(`G${'00'.repeat(789)}`);
    send(`G0x${'0'.repeat(14)}`);
    // A rejected G writes nothing, not even the registers before the bad one.
    send(`G${'0900000000000000'}${'01'.repeat(4)}`);
    send(`G${'0900000000000000'}${'0x'.repeat(8)}`);
    expect(show(io.take()).filter((i) => i !== '+')).toEqual(['$E16', '$E16', '$E16', '$E16', '$E16']);
    expect(target.cpus[0].x.slice(0, 4)).toEqual([1n, 0x1001n, 3n, 0x1003n]);
  });

  test('a full G round trip through g', () => {
    const { io, send } = setup();
    send('Hg2');
    send('g');
    const g = show(io.take())[3].slice(1);
    const changed = `${'ab'.repeat(8)}${g.slice(16)}`;
    send(`G${changed}`);
    send('g');
    const items = show(io.take());
    expect(items[1]).toBe('$OK');
    expect(items[3].slice(1)).toBe(changed);
  });

  test('m: capped at PacketSize/2 bytes, partial at the end of RAM, E0e outside', () => {
    const { io, send, target } = setup({}, { packetSize: 256 });
    send('m40000000,ffffffffffffffff');
    send(`m${(RAM_BASE + 0x10000n - 4n).toString(16)},10`);
    send('mffffffffffffffff,10');
    const r = show(io.take()).filter((i) => i !== '+').map((s) => s.slice(1));
    expect(r[0]).toHaveLength(256);
    expect(r[0]).toBe(Buffer.from(target.ram.subarray(0, 128)).toString('hex'));
    expect(r[1]).toBe(Buffer.from(target.ram.subarray(0x10000 - 4)).toString('hex'));
    expect(r[2]).toBe('E0e');
  });

  test('M and X write; X with escaped bytes; zero-length X probe is OK', () => {
    const { io, send, target, session } = setup();
    send('M40000010,3:a1b2c3');
    session.receive(frame(Buffer.from('X40000020,4:}\x03}\x04}]}\n', 'latin1')));
    send('X40000000,0:');
    send('M00001000,1:00');
    expect(show(io.take()).filter((i) => i !== '+')).toEqual(['$OK', '$OK', '$OK', '$E0e']);
    expect([...target.ram.subarray(0x10, 0x13)]).toEqual([0xa1, 0xb2, 0xc3]);
    expect([...target.ram.subarray(0x20, 0x24)]).toEqual([0x23, 0x24, 0x7d, 0x2a]);
  });

  test('x: binary read with escapes; capped at PacketSize', () => {
    const { io, send, target } = setup({}, { packetSize: 256 });
    target.ram.set([0x23, 0x24, 0x7d, 0x2a, 0x00, 0xff], 0);
    send('x40000000,6');
    send('x40000000,100000');
    send('x40000000,0');
    const items = io.take().filter((i): i is Extract<Item, { kind: 'packet' }> => i.kind === 'packet');
    expect(items[0].payload[0]).toBe(0x62);
    expect([...unescape(items[0].payload.subarray(1))]).toEqual([0x23, 0x24, 0x7d, 0x2a, 0x00, 0xff]);
    expect(unescape(items[1].payload.subarray(1)).length).toBe(256);
    expect(items[2].payload.toString()).toBe('b');
  });

  test('qXfer:features:read in chunks reassembles target.xml; bad annex E00; others empty', () => {
    const { io, send } = setup();
    let offset = 0;
    let doc = Buffer.alloc(0);
    for (;;) {
      send(`qXfer:features:read:target.xml:${offset.toString(16)},100`);
      const reply = (io.take()[1] as Extract<Item, { kind: 'packet' }>).payload;
      const data = unescape(reply.subarray(1));
      expect(data.length).toBeLessThanOrEqual(0x100);
      doc = Buffer.concat([doc, data]);
      offset += data.length;
      if (reply[0] === 0x6c) break;
      expect(reply[0]).toBe(0x6d);
    }
    expect(doc.toString()).toBe(aarch64TargetXml());
    send('qXfer:features:read:other.xml:0,100');
    send('qXfer:auxv:read::0,100');
    send('qXfer:exec-file:read::0,100');
    send('qXfer:features:write:target.xml:0,100');
    send(`qXfer:features:read:target.xml:${(doc.length + 1).toString(16)},100`);
    expect(show(io.take()).filter((i) => i !== '+')).toEqual(['$E00', '$', '$', '$', '$E16']);
  });

  test('qXfer:threads:read lists CPUs with names, cores and extra info', () => {
    const { io, send } = setup({ cpus: 2 });
    send('qXfer:threads:read::0,1000');
    const reply = (io.take()[1] as Extract<Item, { kind: 'packet' }>).payload;
    expect(reply[0]).toBe(0x6c);
    const xml = unescape(reply.subarray(1)).toString();
    expect(xml).toContain('<thread id="1" core="0" name="CPU#0">halted</thread>');
    expect(xml).toContain('<thread id="2" core="1" name="CPU#1">halted</thread>');
  });

  test('qXfer:threads:read past the end is E16 and keeps no snapshot of the threads', () => {
    const { io, send, target } = setup({ cpus: 2 });
    send('qXfer:threads:read::fff,100');
    expect(show(io.take())).toEqual(['+', '$E16']);
    target.cpus[1].available = false;
    // No read in progress: this one sees the threads as they are now, not as they were
    // when the refused read came in.
    send('qXfer:threads:read::1,1000');
    const reply = (io.take()[1] as Extract<Item, { kind: 'packet' }>).payload;
    expect(unescape(reply.subarray(1)).toString()).toContain('<thread id="2" core="1" name="CPU#1">not responding</thread>');
  });

  test('breakpoints: Z0/Z1/z, Z2..Z4 gated on the watchpoint capability', () => {
    const { io, send, target } = setup();
    for (const p of ['Z0,40000100,4', 'Z0,40000100,4', 'z0,40000100,4', 'z0,40000100,4', 'Z1,40000200,4', 'z1,40000200,4',
      'Z2,40001000,8', 'Z3,40001000,4', 'Z4,40001000,4', 'z3,40001000,4', 'Z2,40001000,0', 'Z5,0,0']) send(p);
    expect(show(io.take()).filter((i) => i !== '+')).toEqual([
      '$OK', '$E11', '$OK', '$E16', '$OK', '$OK', '$OK', '$OK', '$OK', '$OK', '$E16', '$',
    ]);
    expect(target.watchpoints.map((w) => w.kind)).toEqual(['write', 'access']);
    const nw = setup({ without: ['watchpoints'] });
    nw.send('Z2,40001000,8');
    nw.send('Z0,40000100,4');
    expect(show(nw.io.take())).toEqual(['+', '$', '+', '$OK']);
  });

  test('qSupported reflects the capabilities', () => {
    const { io, send } = setup();
    send('qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386');
    expect(show(io.take())[1]).toBe(
      '$PacketSize=20000;QStartNoAckMode+;qXfer:features:read+;qXfer:threads:read+;vContSupported+;swbreak+;hwbreak+;binary-upload+',
    );
    const nb = setup({ without: ['breakpoints', 'resume'] });
    nb.send('qSupported');
    expect(show(nb.io.take())[1]).toBe('$PacketSize=20000;QStartNoAckMode+;qXfer:features:read+;qXfer:threads:read+;binary-upload+');
  });
});

describe('RspSession: input after the end', () => {
  test('packets after D in the same chunk are ignored, nothing is written after end()', () => {
    const { io, session, target } = setup();
    session.receive(Buffer.concat([frame('D'), frame('qC'), Buffer.from('-')]));
    expect(show(io.take())).toEqual(['+', '$OK']);
    expect(io.writes).toHaveLength(1);
    expect(target.events).toEqual(['connect', 'disconnect:detach']);
  });
});
