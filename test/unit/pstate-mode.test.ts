/** checkPstateMode: the cpsr modes a debugger may write (src/debug/kgdb-core.ts). */
import { checkPstateMode } from '../../src/debug/kgdb-core';

test.each([0x3c0, 0x3c4, 0x3c5, 0x600003c5])('0x%s: an AArch64 EL0t/EL1t/EL1h mode is accepted', (v) => {
  expect(() => checkPstateMode(v)).not.toThrow();
});

test.each([
  [0x3c9, /M\[4:0\] = 0x9 is EL2h/],
  [0x3c8, /0x8 is EL2t/],
  [0x3cd, /0xd is EL3h/],
  [0x3d3, /0x13 is AArch32 state/],
  [0x3c6, /0x6 is a reserved mode/],
  [0x3c1, /0x1 is EL0 with SP_ELx/],
])('0x%s is refused, naming the mode', (v, msg) => {
  expect(() => checkPstateMode(v)).toThrow(msg);
});
