/** The shared option table's parsers (src/cli/options.ts), called directly. */
import * as path from 'path';
import { UsageError } from '../../src/cli/exit';
import {
  ICOUNT_SHIFT_DEFAULT,
  machineOptionsFrom,
  parseCpus,
  parseIcount,
  parseMemory,
  parseTimeout,
  resolveKernel,
} from '../../src/cli/options';

const ROOT = path.resolve(__dirname, '..', '..');

describe('parseCpus', () => {
  test.each([
    ['1', 1],
    ['4', 4],
    ['256', 256],
    [4, 4],
  ])('accepts %j', (raw, want) => expect(parseCpus(raw)).toBe(want));
  test.each(['0', '257', '-1', '2.5', '0x10', '1e2', 'four', '', 0, 3.5])('rejects %j', (raw) => {
    expect(() => parseCpus(raw)).toThrow(UsageError);
  });
});

describe('parseMemory', () => {
  test.each([
    ['16', 16],
    ['256', 256],
    ['4096', 4096],
  ])('accepts %j', (raw, want) => expect(parseMemory(raw)).toBe(want));
  test.each(['15', '4097', 'abc', '256M', '1.5'])('rejects %j', (raw) => {
    expect(() => parseMemory(raw)).toThrow(/--memory/);
  });
});

describe('parseIcount', () => {
  test('absent or --no-icount is off', () => {
    expect(parseIcount(undefined)).toBeUndefined();
    expect(parseIcount(false)).toBeUndefined();
  });
  test('bare --icount is the default shift', () => {
    expect(parseIcount(true)).toBe(ICOUNT_SHIFT_DEFAULT);
    expect(ICOUNT_SHIFT_DEFAULT).toBe(4);
  });
  test.each([
    ['0', 0],
    ['10', 10],
  ])('accepts %j', (raw, want) => expect(parseIcount(raw)).toBe(want));
  test.each(['11', '-1', 'x', '2.0'])('rejects %j', (raw) => expect(() => parseIcount(raw)).toThrow(UsageError));
});

describe('parseTimeout', () => {
  test.each([
    ['1', 1],
    ['0.5', 0.5],
    ['.25', 0.25],
    ['2147483', 2147483],
  ])('accepts %j', (raw, want) => expect(parseTimeout(raw)).toBe(want));
  test.each(['0', '-1', 'x', '1s', '2147484', ''])('rejects %j', (raw) => expect(() => parseTimeout(raw)).toThrow(UsageError));
  test('absent means no limit', () => expect(parseTimeout(undefined)).toBeUndefined());
});

describe('kernel path', () => {
  test('the default is the bundled guest, relative to the package root, not the cwd', () => {
    const cwd = process.cwd();
    try {
      process.chdir('/');
      expect(resolveKernel(undefined)).toBe(path.join(ROOT, 'guest', 'kgdb-lab-guest.elf'));
    } finally {
      process.chdir(cwd);
    }
  });
  test('a given path is made absolute against the cwd', () => {
    expect(resolveKernel('a/b.elf')).toBe(path.resolve('a/b.elf'));
  });
});

test('machineOptionsFrom maps parsed flags to the machine configuration', () => {
  expect(
    machineOptionsFrom({ cpus: 2, memory: 64, append: 'console=ttyAMA0', icount: 3, timeout: 5, 'log-level': 'warn' }),
  ).toEqual({
    kernel: path.join(ROOT, 'guest', 'kgdb-lab-guest.elf'),
    cpus: 2,
    memoryMiB: 64,
    bootargs: 'console=ttyAMA0',
    icountShift: 3,
    timeoutSec: 5,
    logLevel: 'warn',
  });
});
