/**
 * Issue 7: what the stub answers to packets that are well framed but ask for the wrong
 * thing — memory that is not there, absurd lengths, registers that do not exist,
 * breakpoints on nothing or beyond the table, and the packets other stubs use to reach the
 * host (vFile, vRun, host paths in qXfer). Against the real server and guest.
 *
 * gdb's rule (remote.c packet_ok): a packet type once answered must never get the empty
 * reply later ("conflicting enabled responses"), so every failure here is `E NN`.
 */
import { findSymbol, loadElfFile } from '../../src/loader/elf';
import { MAX_BREAKPOINTS } from '../../src/debug/breakpoints';
import { BUNDLED_IMAGE, killAll, startServe, type ServeProcess } from '../helpers/gdb';
import { RspClient, hex } from './rsp-client';

let server: ServeProcess;
let c: RspClient;
let dataAddr: string;
let textStart: number;

/** Unassigned in QEMU virt's map (between the PCIe window's hole and RAM). */
const UNASSIGNED = '30000000';
const ERROR = /^E[0-9a-f]{2}$/;

beforeAll(async () => {
  const img = loadElfFile(BUNDLED_IMAGE);
  dataAddr = findSymbol(img, 'kgdb_lab_compute_result')!.value.toString(16);
  textStart = findSymbol(img, '_start')!.value;
  server = await startServe({ scenario: 'hardlockup' });
  c = await RspClient.connect(server.port);
  await c.ask('qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386');
  expect(await c.ask('?')).toMatch(/^T02/);
}, 90_000);

afterAll(async () => {
  await c?.close();
  await killAll();
});

test('m/M/X/x on unassigned memory get E0e; a good read before and after still works', async () => {
  const good = await c.ask(`m${dataAddr},8`);
  expect(good).toMatch(/^[0-9a-f]{16}$/);
  expect(await c.ask(`m${UNASSIGNED},4`)).toBe('E0e');
  expect(await c.ask(`M${UNASSIGNED},4:01020304`)).toBe('E0e');
  expect(await c.ask(Buffer.concat([Buffer.from(`X${UNASSIGNED},4:`), Buffer.from([1, 2, 3, 4])]))).toBe('E0e');
  expect(await c.ask(`x${UNASSIGNED},4`)).toBe('E0e');
  // Flash reads as zeros but is not writable; the top of the address space is nothing.
  expect(await c.ask('M0,4:01020304')).toBe('E0e');
  expect(await c.ask('mfffffffffffffff0,10')).toBe('E0e');
  expect(await c.ask('Mfffffffffffffffc,8:0102030405060708')).toBe('E0e');
  // A read that starts in RAM and runs off its end is a partial read (gdb accepts it).
  const ramEnd = (0x40000000 + 256 * 1024 * 1024 - 4).toString(16);
  expect(await c.ask(`m${ramEnd},10`)).toMatch(/^[0-9a-f]{8}$/);
  expect(await c.ask(`m${dataAddr},8`)).toBe(good);
});

test('huge lengths are capped to what fits one reply', async () => {
  const supported = await c.ask('qSupported:swbreak+');
  const packetSize = parseInt(/PacketSize=([0-9a-f]+)/.exec(supported)![1], 16);
  const m = await c.ask(`m${dataAddr},ffffffffffffffff`);
  expect(m).toMatch(/^[0-9a-f]+$/);
  expect(m.length).toBeLessThanOrEqual(packetSize);
  expect(m.length).toBeGreaterThan(0);
  const x = await c.ask(`x${dataAddr},ffffffff`);
  expect(x.startsWith('b')).toBe(true);
  expect(x.length).toBeLessThanOrEqual(2 * packetSize + 1);
  // Lengths that do not parse, or a length that disagrees with the data, are malformed.
  expect(await c.ask(`m${dataAddr},1ffffffffffffffffff`)).toBe('E16');
  expect(await c.ask(`M${dataAddr},ffffffff:00`)).toBe('E16');
  expect(await c.ask('mzz,4')).toBe('E16');
  expect(await c.ask(`m${dataAddr},0`)).toMatch(ERROR);
});

test('register numbers out of range get E.., in range answer with their size', async () => {
  expect(await c.ask('p0')).toMatch(/^[0-9a-f]{16}$/);
  expect(await c.ask('p43')).toMatch(/^[0-9a-fx]{8}$/); // fpcr, the last one of the g packet
  // 0x44–0x4b: the EL1 system registers of the extra target.xml feature (read-only).
  for (const n of ['44', '4b']) expect({ n, reply: await c.ask(`p${n}`) }).toEqual({ n, reply: expect.stringMatching(/^[0-9a-fx]{16}$/) });
  for (const n of ['4c', '4d', '100', 'ffff', 'ffffffff', 'fffffffffffffffff']) {
    expect({ n, reply: await c.ask(`p${n}`) }).toEqual({ n, reply: expect.stringMatching(ERROR) });
  }
  expect(await c.ask('P44=0000000000000000')).toMatch(ERROR); // read-only
  expect(await c.ask('P4c=0000000000000000')).toMatch(ERROR); // no such register
  expect(await c.ask('P0=00')).toMatch(ERROR); // x0 is 8 bytes
  expect(await c.ask(`G${'00'.repeat(789)}`)).toMatch(ERROR); // longer than the register file
  expect(await c.ask('Hg99')).toMatch(ERROR);
  expect(await c.ask('T99')).toMatch(ERROR);
  expect(await c.ask('qThreadExtraInfo,99')).toMatch(ERROR);
});

test('breakpoints on unmapped or misaligned addresses get E.., removing one that is not there too', async () => {
  for (const addr of [UNASSIGNED, '0', 'fffffffffffffffc', `${(textStart + 2).toString(16)}`, '1000000000000']) {
    expect({ addr, reply: await c.ask(`Z0,${addr},4`) }).toEqual({ addr, reply: expect.stringMatching(ERROR) });
  }
  expect(await c.ask(`z0,${textStart.toString(16)},4`)).toMatch(ERROR);
  expect(await c.ask(`Z0,${textStart.toString(16)},4`)).toBe('OK');
  expect(await c.ask(`z0,${textStart.toString(16)},4`)).toBe('OK');
});

test(`the breakpoint table holds ${MAX_BREAKPOINTS}; one more gets an error, and removing one makes room`, async () => {
  // Breakpoints in the boot code, which never runs again: harmless if the machine ran.
  const addrs = Array.from({ length: MAX_BREAKPOINTS }, (_, i) => (textStart + 4 * i).toString(16));
  c.write(Buffer.concat(addrs.map((a) => Buffer.from(`$Z0,${a},4#${cs(`Z0,${a},4`)}`))));
  for (let i = 0; i < addrs.length; i++) {
    expect(await c.ackOrNak()).toBe('+');
    const r = await c.answer();
    if (r !== 'OK') throw new Error(`Z0 #${i} at ${addrs[i]}: ${r}`);
  }
  const extra = (textStart + 4 * MAX_BREAKPOINTS).toString(16);
  expect(await c.ask(`Z0,${extra},4`)).toBe('E07');
  expect(await c.ask(`z0,${addrs[0]},4`)).toBe('OK');
  expect(await c.ask(`Z0,${extra},4`)).toBe('OK');
  // Clean up so the other tests see no breakpoints.
  for (const a of [...addrs.slice(1), extra]) expect(await c.ask(`z0,${a},4`)).toBe('OK');
});

test('nothing reaches the host: vFile, vRun, host paths in qXfer get empty or error replies', async () => {
  const supported = await c.ask('qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;fork-events+;vfork-events+');
  for (const f of ['vFile', 'exec-file', 'libraries', 'auxv', 'memory-map', 'osdata', 'qXfer:spu']) expect(supported).not.toContain(f);
  const empty = [
    `vFile:setfs:0`,
    `vFile:open:${hex('/etc/passwd')},0,0`,
    `vFile:readlink:${hex('/proc/self/exe')}`,
    `vFile:unlink:${hex('/tmp/x')}`,
    `vRun;${hex('/bin/sh')};${hex('-c')};${hex('touch /tmp/kgdb-lab-pwned')}`,
    'vAttach;1',
    'vKill;1',
    '!',
    'R00',
    'qXfer:exec-file:read:1:0,fff',
    'qXfer:libraries:read::0,fff',
    'qXfer:libraries-svr4:read::0,fff',
    'qXfer:auxv:read::0,fff',
    'qXfer:osdata:read:processes:0,fff',
    'qOffsets',
    'qGetTLSAddr:1,0,0',
  ];
  for (const p of empty) expect({ p, reply: await c.ask(p) }).toEqual({ p, reply: '' });
  // Writing a feature document is refused one way or the other.
  expect(await c.ask('qXfer:features:write:target.xml:0:aaaa')).toMatch(/^$|^E[0-9a-f]{2}$/);
  for (const annex of ['../../../../etc/passwd', '/etc/passwd', 'target.xml/../../etc/passwd', 'aarch64-core.xml']) {
    const reply = await c.ask(`qXfer:features:read:${annex}:0,fff`);
    expect({ annex, reply }).toEqual({ annex, reply: expect.stringMatching(ERROR) });
  }
  // The documents that are served name no host path.
  const xml = await c.ask('qXfer:features:read:target.xml:0,3fff');
  expect(xml).toMatch(/^l<\?xml/);
  const threads = await c.ask('qXfer:threads:read::0,3fff');
  for (const doc of [xml, threads]) expect(doc).not.toMatch(/\/(work|home|tmp|usr|etc)\//);
  // monitor commands are the debugger's own, never a shell.
  const out: string[] = [];
  expect(await c.ask(`qRcmd,${hex('shell touch /tmp/kgdb-lab-pwned')}`, { consoleOut: out })).toMatch(ERROR);
  expect(out.join('')).toMatch(/unknown monitor command/);
  expect(require('fs').existsSync('/tmp/kgdb-lab-pwned')).toBe(false);
});

test('garbage between and inside packets: the reader resynchronises on the next $', async () => {
  // Noise, a packet cut short by a new `$`, a bare `#`, stray acks, high bytes.
  c.write(Buffer.concat([Buffer.from('hello\x00\xff##}}*'), Buffer.from('$m4020'), Buffer.from('$qC#b4')]));
  expect(await c.ackOrNak()).toBe('+');
  expect(await c.answer()).toMatch(/^QC[0-9a-f]+$/);
  // A `$` inside a packet restarts it even mid-checksum.
  c.write('$qC#b$qC#b4');
  expect(await c.ackOrNak()).toBe('+');
  expect(await c.answer()).toMatch(/^QC/);
  // Malformed bodies (run-length with nothing before it, escape before #) are NAKed.
  c.write(`$*"#${cs('*"')}`);
  expect(await c.ackOrNak()).toBe('-');
  c.write(`$}#${cs('}')}`);
  expect(await c.ackOrNak()).toBe('-');
  expect(await c.ask('?')).toMatch(/^T/);
});

function cs(payload: string): string {
  let s = 0;
  for (const b of Buffer.from(payload, 'latin1')) s = (s + b) & 0xff;
  return s.toString(16).padStart(2, '0');
}
