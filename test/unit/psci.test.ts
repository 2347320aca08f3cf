/**
 * PSCI CPU_ON / AFFINITY_INFO argument checks as QEMU's virt firmware does them
 * (target/arm/psci.c, arm-powerctl.c): the target MPIDR must match a CPU's affinity
 * exactly (arm_get_cpu_by_id), and an AArch64 entry point must be 4-byte aligned; both
 * are INVALID_PARAMETERS (-2) with the target left off. A real Board, GNU as.
 */
import { Board } from '../../src/machine/board';
import { RunState } from '../../src/machine/cpu/cpu';
import { assemble } from './helpers/assemble';

const BASE = 0x4020_0000;
const CPU_ON = 0xc4000003;
const AFFINITY_INFO = 0xc4000004;

/** CPU 0: x0 = CPU_ON(mpidr, entry, 0) via hvc, result to x19; then AFFINITY_INFO(mpidr, 0) to x20; spin. */
function callOn(mpidr: bigint, entry: bigint): Board {
  const words = assemble(
    [
      `ldr x0, =${CPU_ON}`, `ldr x1, =${mpidr}`, `ldr x2, =${entry}`, 'mov x3, #0', 'hvc #0', 'mov x19, x0',
      `ldr x0, =${AFFINITY_INFO}`, `ldr x1, =${mpidr & 0xffffffn}`, 'mov x2, #0', 'hvc #0', 'mov x20, x0',
      '1: b 1b',
      '.ltorg',
      '.balign 64', 'secondary: b secondary',
    ].join('\n'),
  );
  return boardAfter(words, 100);
}

/** A 2-CPU board with `words` at BASE, after CPU 0 ran `steps` instructions of them. */
function boardAfter(words: number[], steps: number): Board {
  const data = new Uint8Array(words.length * 4);
  const dv = new DataView(data.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  const b = new Board({ cpus: 2, memoryMiB: 64, bootargs: '' });
  b.load({ entry: BASE, segments: [{ paddr: BASE, vaddr: BASE, data, memsz: data.length, flags: 5 }], symbols: [] });
  b.cpus[0].run(steps);
  return b;
}

/** Where `secondary:` is: the first word after the literal pool, 64-byte aligned. */
const SECONDARY = BigInt(BASE + 0x80);

describe('PSCI argument checks (as QEMU)', () => {
  test('a valid CPU_ON starts the CPU', () => {
    const b = callOn(1n, SECONDARY);
    expect(b.cpus[0].getX(19)).toBe(0n);
    expect(b.cpus[0].getX(20)).toBe(0n); // ON
    expect(b.cpus[1].state).toBe(RunState.Running);
    expect(b.cpus[1].pc).toBe(Number(SECONDARY));
  });

  test.each([
    ['a misaligned entry point', 1n, SECONDARY + 2n],
    ['an MPIDR with bit 31 (RES1 in MPIDR_EL1) set', 0x8000_0001n, SECONDARY],
    ['an MPIDR naming no CPU', 7n, SECONDARY],
  ])('%s: INVALID_PARAMETERS, the CPU stays off', (_what, mpidr, entry) => {
    const b = callOn(mpidr, entry);
    expect(b.cpus[0].getX(19)).toBe(BigInt.asUintN(64, -2n));
    expect(b.cpus[1].state).toBe(RunState.Off);
    if ((mpidr & 0xffffffn) === 1n) expect(b.cpus[0].getX(20)).toBe(1n); // AFFINITY_INFO: OFF
  });
});

/** CPU 0: x20 = AFFINITY_INFO(mpidr, level) via hvc; CPU 1 stays off. */
function affinityInfo(mpidr: bigint, level: number): bigint {
  const words = assemble([`ldr x0, =${AFFINITY_INFO}`, `ldr x1, =${mpidr}`, `mov x2, #${level}`, 'hvc #0', 'mov x20, x0', '1: b 1b', '.ltorg'].join('\n'));
  return boardAfter(words, 50).cpus[0].getX(20);
}

test('AFFINITY_INFO: level 0 gives the CPU\'s state; above level 0 everything is always on (0), as QEMU', () => {
  expect(affinityInfo(1n, 0)).toBe(1n); // CPU 1 is OFF
  expect(affinityInfo(1n, 1)).toBe(0n);
  expect(affinityInfo(0x100n, 2)).toBe(0n);
});
