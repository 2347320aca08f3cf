/**
 * AddressHooks (src/debug/address-hooks.ts): several debug-core hooks on one instruction,
 * over a machine port that keeps a single hook per address.
 */
import { AddressHooks } from '../../src/debug/address-hooks';
import type { MachinePort } from '../../src/debug/machine-port';

/** The hook table of a port, as the board keeps it: one function per address. */
function fakePort() {
  const hooks = new Map<number, (cpu: number) => boolean>();
  const port = {
    hookAddress: (addr: number, fn: (cpu: number) => boolean) => void hooks.set(addr, fn),
    unhookAddress: (addr: number) => void hooks.delete(addr),
  } as unknown as MachinePort;
  /** A CPU reaches `addr`: what the board would do. */
  const reach = (addr: number, cpu: number): boolean => hooks.get(addr)?.(cpu) ?? false;
  return { port, hooks, reach };
}

test('hooks on one address run in order until one takes the CPU', () => {
  const { port, hooks, reach } = fakePort();
  const h = new AddressHooks(port);
  const calls: string[] = [];
  h.add(0x4000_1000, (cpu) => (calls.push(`entry:${cpu}`), cpu === 1));
  const removeStep = h.add(0x4000_1000, (cpu) => (calls.push(`step:${cpu}`), cpu === 2));
  expect(hooks.size).toBe(1);
  expect(reach(0x4000_1000, 1)).toBe(true);
  expect(reach(0x4000_1000, 2)).toBe(true);
  expect(reach(0x4000_1000, 3)).toBe(false);
  expect(calls).toEqual(['entry:1', 'entry:2', 'step:2', 'entry:3', 'step:3']);

  // Removing one keeps the other (the kgdb entry hook must survive a step's hook).
  removeStep();
  calls.length = 0;
  expect(reach(0x4000_1000, 2)).toBe(false);
  expect(calls).toEqual(['entry:2']);
  expect(hooks.size).toBe(1);
});

test('the last removal unhooks the address; a hook may remove itself while it runs', () => {
  const { port, hooks, reach } = fakePort();
  const h = new AddressHooks(port);
  let remove: (() => void) | null = null;
  let runs = 0;
  remove = h.add(0x4000_2000, () => {
    runs++;
    remove?.();
    return true;
  });
  expect(reach(0x4000_2000, 0)).toBe(true);
  expect(runs).toBe(1);
  expect(hooks.has(0x4000_2000)).toBe(false);
  expect(reach(0x4000_2000, 0)).toBe(false);
  // Adding again after that hooks the address anew.
  h.add(0x4000_2000, () => true);
  expect(reach(0x4000_2000, 0)).toBe(true);
});
