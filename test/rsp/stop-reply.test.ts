import { writeStopReply } from '../../src/rsp/stop-reply';
import type { AArch64CoreRegs, StopEvent } from '../../src/rsp/target';
import { GdbSignal } from '../../src/rsp/target';
import { ReplyBuilder } from '../../src/rsp/writer';

const regs: AArch64CoreRegs = {
  x: Array.from({ length: 31 }, (_, i) => BigInt(i)),
  sp: 0x4000_ff00n,
  pc: 0x4000_0100n,
  cpsr: 0x3c5,
};
const all = { swbreak: true, hwbreak: true };

function reply(ev: StopEvent, r: AArch64CoreRegs | 'none' = regs, f = all): string {
  const out = new ReplyBuilder();
  writeStopReply(out, ev, r === 'none' ? undefined : r, f);
  return Buffer.from(out.payload()).toString('latin1');
}

describe('stop replies (gdb manual, Stop Reply Packets)', () => {
  test('T05 with thread, core and expedited x29, sp, pc', () => {
    expect(reply({ kind: 'signal', signal: GdbSignal.SIGTRAP, cpu: 1 })).toBe(
      'T05thread:2;core:1;1d:1d00000000000000;1f:00ff004000000000;20:0001004000000000;',
    );
  });

  test('swbreak / hwbreak only when gdb announced them', () => {
    const ev: StopEvent = { kind: 'signal', signal: 5, cpu: 0, cause: { kind: 'swbreak' } };
    expect(reply(ev)).toMatch(/^T05thread:1;.*;swbreak:;$/);
    expect(reply(ev, regs, { swbreak: false, hwbreak: true })).not.toContain('swbreak');
    expect(reply({ ...ev, cause: { kind: 'hwbreak' } })).toMatch(/hwbreak:;$/);
  });

  test('watchpoint reasons carry the data address', () => {
    for (const kind of ['watch', 'rwatch', 'awatch'] as const) {
      expect(reply({ kind: 'signal', signal: 5, cpu: 0, cause: { kind, addr: 0x4000_1234n } })).toMatch(
        new RegExp(`;${kind}:40001234;$`),
      );
    }
  });

  test('other signals use the gdb numbers: SIGINT 02, SIGILL 04, SIGBUS 0a, SIGSEGV 0b', () => {
    expect(reply({ kind: 'signal', signal: GdbSignal.SIGINT, cpu: 0 })).toMatch(/^T02thread:1;/);
    expect(reply({ kind: 'signal', signal: GdbSignal.SIGILL, cpu: 0 })).toMatch(/^T04/);
    expect(reply({ kind: 'signal', signal: GdbSignal.SIGBUS, cpu: 0 })).toMatch(/^T0a/);
    expect(reply({ kind: 'signal', signal: GdbSignal.SIGSEGV, cpu: 0 })).toMatch(/^T0b/);
  });

  test('S without a CPU, W and X', () => {
    expect(reply({ kind: 'signal', signal: 2 })).toBe('S02');
    expect(reply({ kind: 'exited', status: 0 })).toBe('W00');
    expect(reply({ kind: 'terminated', signal: 9 })).toBe('X09');
  });

  test('unavailable registers are not expedited', () => {
    const partial: AArch64CoreRegs = { x: new Array(31).fill(undefined), sp: undefined, pc: 0x10n, cpsr: undefined };
    expect(reply({ kind: 'signal', signal: 5, cpu: 2 }, partial)).toBe('T05thread:3;core:2;20:1000000000000000;');
    expect(reply({ kind: 'signal', signal: 5, cpu: 2 }, 'none')).toBe('T05thread:3;core:2;');
  });
});
