/**
 * A rejected resume changes nothing (gdb manual, "Packets": an `E NN` reply to `s addr`,
 * `c addr` or `vCont` means the target did not resume). Before the fix, `s12345` was
 * refused only after the master had been let out of kgdb_handle_exception and its pt_regs
 * pc set, so the next `?` showed its real registers and `c` ran from 0x12345. Against the
 * real server and guest.
 */
import { killAll, startServe, type ServeProcess } from '../helpers/gdb';
import { RspClient } from './rsp-client';

let server: ServeProcess;
let c: RspClient;

beforeAll(async () => {
  server = await startServe({});
  c = await RspClient.connect(server.port);
  await c.ask('qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386');
}, 90_000);

afterAll(async () => {
  c?.close();
  await killAll();
});

/** The pc (register 0x20) from a `g` reply: 33 × 8 bytes in, little-endian. */
function pcOf(g: string): bigint {
  const hexLe = g.slice(32 * 16, 33 * 16);
  return BigInt('0x' + (hexLe.match(/../g) ?? []).reverse().join(''));
}

test('s/c/vCont that are refused leave the stop, the registers and the pc as they were', async () => {
  const stop = await c.ask('?', { timeoutMs: 60_000 });
  expect(stop).toMatch(/^T/);
  const master = await c.ask('qC');
  const regs = await c.ask('g');
  expect(regs).toMatch(/^[0-9a-fx]+$/);
  const pc = pcOf(regs);

  // Not 4-aligned RAM: the step cannot wait for the master there.
  expect(await c.ask('s12345')).toBe('E16');
  expect(await c.ask('s30000000')).toBe('E16');
  // Beyond the 48-bit address space.
  expect(await c.ask('sffffffffffffffff')).toMatch(/^E[0-9a-f]{2}$/);
  // vCont stepping a CPU that is not the master (kgdb steps only the master): refused with
  // a SIGINT stop on that thread where nothing moved (an E reply leaves gdb 13 hanging).
  const masterCpu = parseInt(/QC(?:p1\.)?([0-9a-f]+)/.exec(master)![1], 16) - 1;
  const other = masterCpu === 0 ? 2 : 1; // a thread id (CPU other - 1), not the master's
  const refusedStop = new RegExp(`^T02thread:(p1\\.)?0*${other.toString(16)};`);
  expect(await c.ask(`Hgp1.${other.toString(16)}`)).toBe('OK');
  const otherRegs = await c.ask('g');
  expect(await c.ask(`vCont;s:p1.${other.toString(16)}`)).toMatch(refusedStop);
  expect(await c.ask('g')).toBe(otherRegs);
  // `c addr` for a single CPU that is not the master: only the master runs alone under kgdb.
  expect(await c.ask(`Hcp1.${other.toString(16)}`)).toBe('OK');
  expect(await c.ask('c40200000')).toMatch(refusedStop);
  expect(await c.ask('g')).toBe(otherRegs);
  expect(await c.ask('Hc0')).toBe('OK');
  expect(await c.ask(`Hgp1.${(masterCpu + 1).toString(16)}`)).toBe('OK');

  expect(await c.ask('?')).toBe(stop);
  expect(await c.ask('qC')).toBe(master);
  expect(await c.ask('g')).toBe(regs);

  // A real step afterwards starts from the pc the stop had, not from a refused address.
  const stepped = await c.ask('s', { timeoutMs: 60_000 });
  expect(stepped).toMatch(/^T05/);
  const after = pcOf(await c.ask('g'));
  expect(after).not.toBe(0x12345n);
  expect(after).not.toBe(0x30000000n);
  expect(after).toBeGreaterThan(pc - 0x1000n);
}, 120_000);
