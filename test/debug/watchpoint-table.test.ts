/**
 * The debug core's watchpoint table (src/debug/watchpoints.ts) against a recording
 * MachinePort: gdb's Z2/Z3/Z4 are kept in the table and put into the machine only while it
 * runs (kgdb's disable_hw_break on entry / correct_hw_break on exit), MAX_WATCHPOINTS at
 * once, RAM only.
 */
import { BreakpointError } from '../../src/debug/breakpoints';
import type { MachinePort, WatchKind } from '../../src/debug/machine-port';
import { HardwareWatchpoints, MAX_WATCHPOINTS } from '../../src/debug/watchpoints';

const RAM_START = 0x4000_0000;
const RAM_END = 0x5000_0000;

/** The machine's watchpoints as "addr+len:kind" strings. */
function fakePort(): { port: MachinePort; inMachine: Set<string> } {
  const inMachine = new Set<string>();
  const key = (a: number, l: number, k: WatchKind): string => `${a.toString(16)}+${l}:${k}`;
  const port = {
    addWatchpoint: (a: number, l: number, k: WatchKind) => {
      if (a < RAM_START || a + l > RAM_END) return false;
      inMachine.add(key(a, l, k));
      return true;
    },
    removeWatchpoint: (a: number, l: number, k: WatchKind) => inMachine.delete(key(a, l, k)),
  } as unknown as MachinePort;
  return { port, inMachine };
}

function errnoOf(fn: () => void): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof BreakpointError) return e.errno;
    throw e;
  }
  return undefined;
}

test('in the machine only while it runs; re-adding one gdb has is a success', () => {
  const { port, inMachine } = fakePort();
  const w = new HardwareWatchpoints(port);
  w.add(RAM_START + 8, 8, 'write'); // stopped: recorded only
  w.add(RAM_START + 8, 8, 'write');
  expect(w.count).toBe(1);
  expect([...inMachine]).toEqual([]);
  w.activate();
  expect([...inMachine]).toEqual(['40000008+8:write']);
  w.add(RAM_START + 16, 4, 'read'); // while running: straight in
  expect(inMachine.size).toBe(2);
  w.deactivate();
  expect(inMachine.size).toBe(0);
  w.remove(RAM_START + 16, 4, 'read');
  w.activate();
  expect([...inMachine]).toEqual(['40000008+8:write']);
  w.clear();
  expect(inMachine.size).toBe(0);
  expect(w.count).toBe(0);
});

test(`${MAX_WATCHPOINTS} at once (ENOSPC after), RAM only (EFAULT), no empty range (EINVAL), removing an unknown one (ENOENT)`, () => {
  const { port, inMachine } = fakePort();
  const w = new HardwareWatchpoints(port);
  for (let i = 0; i < MAX_WATCHPOINTS; i++) w.add(RAM_START + 8 * i, 8, 'access');
  expect(errnoOf(() => w.add(RAM_START + 0x100, 8, 'access'))).toBe(28);
  expect(errnoOf(() => w.remove(RAM_START + 0x100, 8, 'access'))).toBe(2);
  expect(errnoOf(() => w.remove(RAM_START, 8, 'write'))).toBe(2); // same place, other kind
  w.remove(RAM_START, 8, 'access');
  expect(errnoOf(() => w.add(0x0900_0000, 4, 'write'))).toBe(14);
  expect(errnoOf(() => w.add(RAM_END - 4, 8, 'write'))).toBe(14);
  expect(errnoOf(() => w.add(RAM_START, 0, 'write'))).toBe(22);
  expect(w.count).toBe(MAX_WATCHPOINTS - 1);
  expect(inMachine.size).toBe(0); // the probes left nothing behind while stopped
});
