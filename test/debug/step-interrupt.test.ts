/**
 * A single step that takes an interrupt instead of its instruction (the interrupt became
 * pending after MachinePort.interruptPending said no, e.g. a timer firing in between):
 * the CPU reports it through stepOne's `done(true)`, and the debug core lets the handler
 * run back to the stepped pc and steps the instruction again, as in the pending case
 * (KgdbCore.stepMaster). On a real Board, driven instruction by instruction.
 */
import { Board } from '../../src/machine/board';
import { RunState } from '../../src/machine/cpu/cpu';
import { BoardDebugPort } from '../../src/machine/debug-port';
import { KgdbCore, type StopInfo } from '../../src/debug/kgdb-core';
import { assemble } from '../unit/helpers/assemble';

const BASE = 0x4020_0000;
const VBAR = BASE + 0x800;
/** IRQ, current EL with SP_ELx (ARM ARM D1.10.2 vector offsets). */
const IRQ_VECTOR = VBAR + 0x280;
/** Where the program stands after its set-up: `mov x0, #1`. */
const STEPPED = BASE + 16;

function boardWith(lines: string[]): Board {
  const words = assemble(lines.join('\n'));
  const data = new Uint8Array(words.length * 4);
  const dv = new DataView(data.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  const b = new Board({ cpus: 1, memoryMiB: 64, bootargs: '' });
  b.load({ entry: BASE, segments: [{ paddr: BASE, vaddr: BASE, data, memsz: data.length, flags: 5 }], symbols: [] });
  return b;
}

/** Set up VBAR, unmask IRQs, then `mov x0, #1` at STEPPED; the IRQ handler counts in x5. */
function program(): Board {
  return boardWith([
    'ldr x1, =0x40200800', 'msr vbar_el1, x1', 'isb', 'msr daifclr, #3',
    'mov x0, #1', 'mov x0, #2', '1: b 1b',
    '.ltorg',
    '.balign 0x800', '.skip 0x280', 'add x5, x5, #1', 'eret',
  ]);
}

test('stepOne: an interrupt taken instead of the instruction is reported, nothing retires', () => {
  const b = program();
  const c = b.cpus[0];
  expect(c.run(4)).toBe(4);
  expect(c.pc).toBe(STEPPED);
  c.hold();
  const seen: boolean[] = [];
  new BoardDebugPort(b).stepOne(0, (interrupted) => seen.push(interrupted));
  c.irqLine = true; // the GIC signals an IRQ after the step was asked for
  expect(c.run(100)).toBe(0);
  expect(seen).toEqual([true]);
  expect(c.state).toBe(RunState.Held);
  expect(c.pc).toBe(IRQ_VECTOR);
  expect(c.elr).toBe(BigInt(STEPPED));
  expect(c.getX(0)).toBe(0n);
});

test('a step that took an interrupt runs the handler back to the stepped pc and steps the instruction', () => {
  const b = program();
  const c = b.cpus[0];
  c.run(4);
  const stops: StopInfo[] = [];
  const port = new BoardDebugPort(b);
  const core = new KgdbCore(port, { roundupTimeoutNs: 1_000_000, onStop: (s) => stops.push(s) });
  const kinds: string[] = [];
  b.events.subscribe((e) => kinds.push(e.kind));
  core.haltNow('held for the test');
  expect(stops).toHaveLength(1);
  // The handler's first instruction drops the line again, as an acknowledged timer would.
  b.code.addHook(IRQ_VECTOR, (cpu) => {
    cpu.irqLine = false;
    return false;
  });
  core.resume(true);
  c.irqLine = true; // pending only once the step is under way
  for (let i = 0; i < 10 && stops.length < 2; i++) c.run(100);
  expect(stops).toHaveLength(2);
  expect(stops[1]).toMatchObject({ cpu: 0, reason: 'step' });
  expect(c.getX(5)).toBe(1n); // the handler ran once
  expect(c.getX(0)).toBe(1n); // the stepped instruction retired
  expect(c.pc).toBe(STEPPED + 4);
  expect(core.registers(0)?.pc).toBe(BigInt(STEPPED + 4));
  expect(kinds).toContain('step-interrupted');
});
