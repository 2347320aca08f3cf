/**
 * The machine's data watchpoints (src/machine/watchpoints.ts) as the load/store instructions
 * meet them on Cpu.loadSlow/storeSlow: exact byte overlap, access kind, and the hit taken
 * before the access (memory and registers as before the instruction, pc at it, CPU held),
 * for plain, pair, exclusive and atomic accesses.
 */
import { RunState } from '../../src/machine/cpu/cpu';
import type { WatchHit, WatchKind } from '../../src/machine/watchpoints';
import { PAGE_WATCH } from '../../src/machine/bus';
import { CODE_PC, LdstRig, RAM, asm1 } from './helpers/assemble-ldst';

const W = RAM + 0x5000; // the watched bytes start here

function rig(addr: number, len: number, kind: WatchKind): { r: LdstRig; hits: WatchHit[] } {
  const r = new LdstRig();
  const hits: WatchHit[] = [];
  r.bus.watchpoints.onHit = (h) => hits.push(h);
  r.bus.watchpoints.add({ addr, len, kind });
  return { r, hits };
}

/** Run one instruction on CPU 0 with x0 = `base` and x1..x4 set to recognisable values. */
function run(r: LdstRig, insn: string, base: number): 'ok' | 'exception' {
  r.setX(0, 0, BigInt(base));
  r.setX(0, 1, 0x1111111111111111n);
  r.setX(0, 2, 0x2222222222222222n);
  r.setX(0, 3, 0x3333333333333333n);
  r.setX(0, 4, 0x4444444444444444n);
  return r.exec(asm1(insn));
}

/** The CPU stopped before the access: held, pc at the instruction, no guest exception taken. */
function expectStoppedBefore(r: LdstRig): void {
  const c = r.cpus[0];
  expect(c.state).toBe(RunState.Held);
  expect(c.pc).toBe(CODE_PC);
  expect(c.esr).toBe(0);
}

test('pages under a watchpoint are flagged, and unflagged when the last one on them goes', () => {
  const { r } = rig(W + 0xffc, 8, 'write'); // straddles two pages
  const page = (a: number): number => r.bus.pageFlags[(a - RAM) >>> 12] & PAGE_WATCH;
  expect([page(W), page(W + 0x1000), page(W + 0x2000)]).toEqual([PAGE_WATCH, PAGE_WATCH, 0]);
  r.bus.watchpoints.add({ addr: W + 0x10, len: 4, kind: 'read' });
  expect(r.bus.watchpoints.remove({ addr: W + 0xffc, len: 8, kind: 'write' })).toBe(true);
  expect([page(W), page(W + 0x1000)]).toEqual([PAGE_WATCH, 0]);
  expect(r.bus.watchpoints.remove({ addr: W + 0xffc, len: 8, kind: 'write' })).toBe(false);
});

test('a store that overlaps by one byte hits; the neighbouring bytes do not', () => {
  const { r, hits } = rig(W + 4, 2, 'write');
  r.poke(W, 8, 0n);
  expect(run(r, 'strb w1, [x0]', W + 3)).toBe('ok');
  expect(run(r, 'strb w1, [x0]', W + 6)).toBe('ok');
  expect(hits).toHaveLength(0);
  r.poke(W, 8, 0n);
  expect(run(r, 'str x1, [x0]', W)).toBe('exception'); // bytes 0..7 cover 4..5
  expectStoppedBefore(r);
  expect(r.peek(W, 8)).toBe(0n); // neither half written
  expect(hits).toEqual([{ cpu: 0, pc: CODE_PC, watch: { addr: W + 4, len: 2, kind: 'write' }, addr: W + 4, accessAddr: W, size: 8, write: true }]);
});

test.each([
  ['write', 'ldr x5, [x0]', false],
  ['write', 'str x1, [x0]', true],
  ['read', 'ldr x5, [x0]', true],
  ['read', 'str x1, [x0]', false],
  ['access', 'ldrh w5, [x0]', true],
  ['access', 'strh w1, [x0]', true],
] as const)('a %s watchpoint and %s: hit = %s', (kind, insn, hit) => {
  const { r, hits } = rig(W, 8, kind);
  r.poke(W, 8, 0x0123456789abcdefn);
  r.setX(0, 5, 0x5555n);
  expect(run(r, insn, W)).toBe(hit ? 'exception' : 'ok');
  expect(hits.length).toBe(hit ? 1 : 0);
  if (hit) {
    expectStoppedBefore(r);
    expect(r.peek(W, 8)).toBe(0x0123456789abcdefn);
    expect(r.x(0, 5)).toBe(0x5555n); // a load that hit did not write its register
  }
});

test('a store pair is two accesses, as on QEMU: the first element is stored, the watched second is not', () => {
  const { r, hits } = rig(W + 8, 8, 'write');
  r.poke(W, 16, 0n);
  expect(run(r, 'stp x1, x2, [x0]', W)).toBe('exception');
  expectStoppedBefore(r);
  expect(r.peek(W, 8)).toBe(0x1111111111111111n);
  expect(r.peek(W + 8, 8)).toBe(0n);
  expect(hits[0]).toMatchObject({ addr: W + 8, accessAddr: W + 8, size: 8, write: true });
});

test('exclusives: LDXR hits a read watchpoint before reserving; a passing STXR hits a write one without storing', () => {
  const { r, hits } = rig(W, 8, 'access');
  r.poke(W, 8, 7n);
  expect(run(r, 'ldxr x5, [x0]', W)).toBe('exception');
  expect(r.cpus[0].exclAddr).toBe(-1);
  expect(hits[0]).toMatchObject({ write: false, size: 8 });
  r.bus.watchpoints.remove({ addr: W, len: 8, kind: 'access' });
  r.cpus[0].state = RunState.Running;
  expect(run(r, 'ldxr x5, [x0]', W)).toBe('ok');
  r.bus.watchpoints.add({ addr: W, len: 8, kind: 'write' });
  r.setX(0, 6, 0x66n);
  expect(r.exec(asm1('stxr w6, x1, [x0]'))).toBe('exception');
  expectStoppedBefore(r);
  expect(r.peek(W, 8)).toBe(7n);
  expect(r.x(0, 6)).toBe(0x66n); // status not written
  expect(hits[1]).toMatchObject({ write: true, size: 8 });
});

test('16-byte atomics (STXP, CASP of X pairs) are checked whole: a hit on the upper half stores nothing', () => {
  // CASP compares x2:x3 with memory: make them equal so it stores.
  const before = (0x3333333333333333n << 64n) | 0x2222222222222222n;
  for (const insn of ['stxp w6, x1, x2, [x0]', 'casp x2, x3, x4, x5, [x0]']) {
    const { r, hits } = rig(W + 8, 8, 'write');
    r.poke(W, 16, before);
    if (insn.startsWith('stxp')) expect(run(r, 'ldxp x8, x9, [x0]', W)).toBe('ok');
    expect({ insn, result: run(r, insn, W) }).toEqual({ insn, result: 'exception' });
    expectStoppedBefore(r);
    expect(r.peek(W, 16)).toBe(before);
    expect(hits[0]).toMatchObject({ accessAddr: W, size: 16, write: true });
  }
});

test('atomic read-modify-write: a read watchpoint stops it at the load, a write one at the store; memory and Rt unchanged', () => {
  for (const kind of ['read', 'write'] as const) {
    const { r, hits } = rig(W, 4, kind);
    r.poke(W, 4, 5n);
    r.setX(0, 5, 0x5555n);
    expect(run(r, 'ldadd w1, w5, [x0]', W)).toBe('exception');
    expectStoppedBefore(r);
    expect(r.peek(W, 4)).toBe(5n);
    expect(r.x(0, 5)).toBe(0x5555n);
    expect(hits[0]).toMatchObject({ write: kind === 'write', size: 4 });
  }
});

test('without watchpoints the same accesses run on the fast path untouched', () => {
  const r = new LdstRig();
  r.poke(W, 16, 0n);
  expect(run(r, 'stp x1, x2, [x0]', W)).toBe('ok');
  expect(r.peek(W + 8, 8)).toBe(0x2222222222222222n);
  expect(r.cpus[0].state).not.toBe(RunState.Held);
});
