/**
 * Board.reboot (used by `monitor reset`): the GIC, the UART and the CPUs back to their reset
 * state, RAM cleared and the new image loaded, as QEMU's system_reset followed by its
 * -kernel loader; an image that does not fit leaves the machine untouched.
 */
import { Board } from '../../src/machine/board';
import { RunState } from '../../src/machine/cpu/cpu';
import { UARTIMSC } from '../../src/machine/devices/pl011';
import type { ElfImage } from '../../src/loader/elf';

const B_SELF = [0x00, 0x00, 0x00, 0x14]; // `b .`, little-endian

function image(entry: number, extra: number[] = []): ElfImage {
  const data = Uint8Array.from([...B_SELF, ...extra]);
  return { entry, segments: [{ paddr: entry, vaddr: entry, data, memsz: data.length, flags: 5 }], symbols: [] };
}

test('reboot resets the GIC, the UART and every CPU, clears RAM and loads the new image', () => {
  const board = new Board({ cpus: 2, memoryMiB: 16, bootargs: '' });
  board.load(image(0x40080000, [1, 2, 3, 4]));
  // Leave traces everywhere a running guest would.
  board.gic.gicdCtlr = 0x53;
  board.gic.spiEnabled[33] = 1;
  board.gic.private_[1].enabled = 0xffff;
  board.gic.private_[1].pending = 0x80;
  board.uart.write(UARTIMSC, 4, 0x10);
  board.bus.debugWrite(0x40100000, Uint8Array.from([9, 9, 9, 9]));
  board.cpus[1].state = RunState.Running;
  board.cpus[1].pc = 0x40080000;
  board.cpus[0].setX(5, 42n);

  board.reboot(image(0x40090000));

  expect(board.gic.gicdCtlr).toBe(0x50);
  expect(board.gic.spiEnabled[33]).toBe(0);
  expect([board.gic.private_[1].enabled, board.gic.private_[1].pending]).toEqual([0, 0]);
  expect(board.uart.peek(UARTIMSC)).toBe(0);
  expect([...(board.bus.debugRead(0x40100000, 4) ?? [])]).toEqual([0, 0, 0, 0]);
  expect([...(board.bus.debugRead(0x40080000, 8) ?? [])]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  expect([...(board.bus.debugRead(0x40090000, 4) ?? [])]).toEqual(B_SELF);
  expect([board.cpus[0].state, board.cpus[0].pc, board.cpus[0].getX(5)]).toEqual([RunState.Running, 0x40090000, 0n]);
  expect(board.cpus[1].state).toBe(RunState.Off);
  expect(board.entryPoint).toBe(0x40090000);
});

test('an image that does not fit in RAM is refused before anything changes', () => {
  const board = new Board({ cpus: 1, memoryMiB: 16, bootargs: '' });
  board.load(image(0x40080000));
  board.gic.gicdCtlr = 0x53;
  expect(() => board.reboot(image(0x80000000))).toThrow();
  expect(board.gic.gicdCtlr).toBe(0x53);
  expect([...(board.bus.debugRead(0x40080000, 4) ?? [])]).toEqual(B_SELF);
  expect(board.entryPoint).toBe(0x40080000);
});
