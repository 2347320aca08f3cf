/**
 * The BigInt-free MRS/MSR paths (SysReg.readTo / writeHalves, used by the decoder when a
 * register offers them) against the BigInt ones (read / write, the debugger's view): for
 * random 64-bit values, writing through either path leaves two identical machines in the
 * same state, and reading through either gives the same 64 bits. Also the timer's Number
 * checks (TimerChannel.output/ctlValue/fireTick) against its 64-bit register view.
 */
import fc from 'fast-check';
import { Board } from '../../src/machine/board';
import type { Cpu } from '../../src/machine/cpu/cpu';
import { TimerChannel } from '../../src/machine/cpu/generic-timer';
import { sysRegByName, type SysReg } from '../../src/machine/cpu/sysregs';

const U64 = fc.bigUintN(64);
const SLOT = 7; // an ordinary X register to read into

function board(): Board {
  return new Board({ cpus: 2, memoryMiB: 16, bootargs: '', icountShift: 4 });
}

function reg(name: string): SysReg {
  const r = sysRegByName(name);
  if (!r) throw new Error(`no ${name}`);
  return r;
}

function halves(v: bigint): [number, number] {
  return [Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0];
}

/** X[slot] as an unsigned 64-bit BigInt. */
function xOf(c: Cpu, slot: number): bigint {
  return (BigInt(c.hi[slot] >>> 0) << 32n) | BigInt(c.lo[slot] >>> 0);
}

/** Everything these registers can change, for comparing two CPUs. */
function state(c: Cpu): unknown {
  return {
    daif: c.daif,
    spsr: c.spsr,
    spBank: Array.from(c.spBank),
    sp: [c.lo[32], c.hi[32]],
    virt: [c.timer.virt.ctl, c.timer.virt.cval],
    phys: [c.timer.phys.ctl, c.timer.phys.cval],
    limit: c.limit,
    lines: [c.irqLine, c.fiqLine],
  };
}

/**
 * What each register reads back after a write of `v` from the reset state (ARM ARM D19 /
 * GICv3 §12.2: RES0 bits dropped; CTL's ISTATUS is live, and CVAL is 0 = the count, so an
 * enabled timer reads ISTATUS = 1; BPR1 has a minimum of 3 with 5 priority bits).
 */
const READ_BACK: Record<string, (v: bigint) => bigint> = {
  DAIF: (v) => v & 0x3c0n,
  SPSR_EL1: (v) => v & 0xffffffffn,
  SP_EL0: (v) => v,
  CNTV_CTL_EL0: (v) => (v & 3n) | ((v & 1n) << 2n),
  CNTP_CTL_EL0: (v) => (v & 3n) | ((v & 1n) << 2n),
  CNTV_CVAL_EL0: (v) => v,
  CNTP_CVAL_EL0: (v) => v,
  ICC_PMR_EL1: (v) => v & 0xf8n,
  ICC_BPR1_EL1: (v) => ((v & 7n) < 3n ? 3n : v & 7n),
  ICC_IGRPEN1_EL1: (v) => v & 1n,
  ICC_AP1R0_EL1: (v) => v & 0xffffffffn,
};

const FAST = ['DAIF', 'SPSR_EL1', 'SP_EL0', 'CNTV_CTL_EL0', 'CNTV_CVAL_EL0', 'CNTP_CTL_EL0', 'CNTP_CVAL_EL0', 'ICC_PMR_EL1', 'ICC_BPR1_EL1', 'ICC_IGRPEN1_EL1', 'ICC_AP1R0_EL1'];

test('the registers on the interrupt and tick path offer both fast paths', () => {
  for (const name of FAST) {
    const r = reg(name);
    expect([name, typeof r.readTo, typeof r.writeHalves]).toEqual([name, 'function', 'function']);
  }
  for (const name of ['CNTVCT_EL0', 'CNTPCT_EL0', 'ICC_IAR1_EL1', 'ICC_RPR_EL1']) expect(typeof reg(name).readTo).toBe('function');
  expect(typeof reg('ICC_EOIR1_EL1').writeHalves).toBe('function');
  expect(typeof reg('ICC_SGI1R_EL1').writeHalves).toBe('function');
});

/** CPU 0 of `b` back to one known state (the fields `state` compares and the GIC CPU interface). */
function reset(b: Board, spsel: number): Cpu {
  const c = b.cpus[0];
  c.el = 1;
  c.spsel = spsel;
  c.daif = 0xf;
  c.spsr = 0;
  c.spBank.fill(0);
  c.lo[32] = c.hi[32] = 0;
  for (const t of [c.timer.virt, c.timer.phys]) {
    t.ctl = 0;
    t.cval = 0n;
  }
  c.host.timerChanged(c);
  b.gic.resetCpuInterface(0);
  c.limit = 1;
  return c;
}

test.each(FAST)('%s: writeHalves/readTo agree with write/read', (name) => {
  const r = reg(name);
  const a = board();
  const b = board();
  fc.assert(
    fc.property(U64, fc.boolean(), (v, spsel) => {
      const ca = reset(a, spsel ? 1 : 0);
      const cb = reset(b, spsel ? 1 : 0);
      r.write!(ca, v);
      const [lo, hi] = halves(v);
      r.writeHalves!(cb, lo, hi);
      expect(state(cb)).toEqual(state(ca));
      const viaBig = r.read!(ca);
      r.readTo!(cb, SLOT);
      expect(xOf(cb, SLOT)).toBe(viaBig);
      expect(viaBig).toBe(READ_BACK[name](v));
      expect(state(cb)).toEqual(state(ca));
    }),
    { numRuns: 200 },
  );
});

test('an MRS into XZR still has the read side effects (DISCARD slot), and reads like read()', () => {
  const a = board();
  const c = a.cpus[0];
  reg('CNTV_CVAL_EL0').writeHalves!(c, 0x89abcdef | 0, 0x01234567);
  reg('CNTV_CVAL_EL0').readTo!(c, 33);
  expect(xOf(c, 33)).toBe(0x0123456789abcdefn);
  expect(reg('CNTVCT_EL0').read!(c)).toBe(0n);
  reg('CNTVCT_EL0').readTo!(c, SLOT);
  expect(xOf(c, SLOT)).toBe(0n);
});

test('ICC_SGI1R_EL1 through writeHalves sends the same SGIs as through write', () => {
  const fastBoard = board();
  const bigBoard = board();
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 0xffff }), fc.boolean(), (intid, targets, irm) => {
      const v = (BigInt(irm ? 1 : 0) << 40n) | (BigInt(intid) << 24n) | BigInt(targets);
      const run = (fast: boolean): unknown => {
        const b = fast ? fastBoard : bigBoard;
        b.gic.reset();
        const sent: unknown[] = [];
        const unsubscribe = b.events.subscribe((e) => sent.push({ ...e, timeUs: 0 }));
        // Make every SGI Group 1 on both CPUs so that SGI1R reaches them.
        for (let cpu = 0; cpu < 2; cpu++) b.gic.private_[cpu].group = 0xffff;
        const r = reg('ICC_SGI1R_EL1');
        if (fast) r.writeHalves!(b.cpus[0], ...halves(v));
        else r.write!(b.cpus[0], v);
        unsubscribe();
        return [sent, b.gic.private_.map((p) => p.pending)];
      };
      expect(run(true)).toEqual(run(false));
    }),
    { numRuns: 100 },
  );
});

test('TimerChannel: the Number checks agree with the 64-bit register view', () => {
  fc.assert(
    fc.property(U64, fc.integer({ min: 0, max: 3 }), fc.maxSafeNat(), (cval, ctl, count) => {
      const t = new TimerChannel();
      t.cval = cval;
      t.ctl = ctl;
      expect(t.cval).toBe(cval);
      const big = BigInt(count);
      expect(t.ctlValue(count)).toBe(Number(t.readCtl(big)));
      const out = (ctl & 3) === 1 && big >= cval;
      expect(t.output(count)).toBe(out);
      expect(t.fireTick()).toBe((ctl & 3) === 1 ? Number(cval) : Infinity);
      const [lo, hi] = halves(cval);
      expect([t.cvalHalf(false), t.cvalHalf(true)]).toEqual([lo, hi]);
    }),
    { numRuns: 1000 },
  );
});
