import * as path from 'path';
import type { Argv, Options } from 'yargs';
import { LOG_LEVELS, type LogLevel } from '../log';
import type { CpuEngine } from '../machine/cpu/cpu';
import { UsageError } from './exit';
import { BUNDLED_KERNEL } from './package-root';

/**
 * The option table shared by every subcommand that builds a machine (run; later serve and
 * compare), so one flag means the same everywhere.
 *
 * The parser is configured with `parse-numbers: false` (see main.ts): every value arrives
 * here as the string the user typed (or as the `default` below), and the `coerce` functions
 * parse it strictly, so "2.5 CPUs", "0x10" and "1e3" are rejected with a message that
 * quotes the user's text, rather than being silently converted by yargs.
 */

/** Limits, inclusive. */
export const CPUS_MIN = 1;
export const CPUS_MAX = 256;
export const MEMORY_MIB_MIN = 16;
export const MEMORY_MIB_MAX = 4096;
export const ICOUNT_SHIFT_MAX = 10;
/** `--icount` given without a value means 2^4 = 16 ns per instruction. */
export const ICOUNT_SHIFT_DEFAULT = 4;
/** setTimeout's limit is 2^31 - 1 ms. */
export const TIMEOUT_SEC_MAX = 2147483;

export const DEFAULT_CPUS = 4;
export const DEFAULT_MEMORY_MIB = 256;

/** The machine configuration after parsing and validation. */
export interface MachineOptions {
  /** Absolute path of the ELF to run. */
  kernel: string;
  /** CPUs present, CPUS_MIN..CPUS_MAX. */
  cpus: number;
  /** RAM size in MiB. */
  memoryMiB: number;
  /** `/chosen/bootargs`. */
  bootargs: string;
  /** log2 of the ns each retired instruction advances machine time; undefined = host time. */
  icountShift: number | undefined;
  /** Host-time limit in seconds; undefined = none. */
  timeoutSec: number | undefined;
  logLevel: LogLevel;
  /** `--gic-trace`: print GIC events (SGI sends, acknowledges, EOIs, DIRs) on stderr; undefined = off. */
  gicTrace?: true;
  /** `--engine`: compiled basic blocks ('jit') or the reference interpreter ('interp'). */
  engine: CpuEngine;
}

/** `--engine` values: the block compiler (default) and the reference interpreter. */
export const ENGINES: readonly CpuEngine[] = ['jit', 'interp'];

/**
 * Parse a whole decimal number within [min, max].
 * @param flag the option name for the message, e.g. "--cpus"
 * @param raw what the parser produced: the user's string, or a number default
 * @throws UsageError naming the flag, the allowed range and the text given
 */
export function parseWholeNumber(flag: string, raw: unknown, min: number, max: number, unit = ''): number {
  const text = String(raw);
  const n = typeof raw === 'number' ? raw : /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number${unit} from ${min} to ${max}, got '${text}'`);
  }
  return n;
}

/** `--cpus N`. @throws UsageError */
export function parseCpus(raw: unknown): number {
  return parseWholeNumber('--cpus', raw, CPUS_MIN, CPUS_MAX);
}

/** `--memory MiB`. @throws UsageError */
export function parseMemory(raw: unknown): number {
  return parseWholeNumber('--memory', raw, MEMORY_MIB_MIN, MEMORY_MIB_MAX, ' of MiB');
}

/**
 * `--icount [SHIFT]`: `true` (given bare, or as `--icount=`) selects ICOUNT_SHIFT_DEFAULT;
 * `false` (`--no-icount`) and absence mean off.
 * @returns the shift, or undefined for off
 * @throws UsageError for a shift outside 0..ICOUNT_SHIFT_MAX
 */
export function parseIcount(raw: unknown): number | undefined {
  if (raw === undefined || raw === false) return undefined;
  if (raw === true || raw === '') return ICOUNT_SHIFT_DEFAULT;
  return parseWholeNumber('--icount', raw, 0, ICOUNT_SHIFT_MAX);
}

/**
 * `--timeout SECONDS`: a positive decimal number of host seconds (fractions allowed).
 * @returns seconds, or undefined for no limit
 * @throws UsageError
 */
export function parseTimeout(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw);
  const n = typeof raw === 'number' ? raw : /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(text) ? Number(text) : NaN;
  if (!(n > 0 && n <= TIMEOUT_SEC_MAX)) {
    throw new UsageError(`--timeout must be a number of seconds greater than 0 and at most ${TIMEOUT_SEC_MAX}, got '${text}'`);
  }
  return n;
}

/** `--kernel FILE`: resolved against the current directory; absent = the bundled guest. */
export function resolveKernel(raw: unknown): string {
  if (raw === undefined) return BUNDLED_KERNEL;
  if (typeof raw !== 'string' || raw === '') throw new UsageError(`--kernel needs a file name`);
  return path.resolve(raw);
}

/** The yargs option table. Keys are the flag names; help text lists them in this order. */
export const MACHINE_OPTIONS = {
  kernel: {
    type: 'string',
    requiresArg: true,
    describe: 'ELF image to run (AArch64, loaded at its physical addresses)',
    defaultDescription: 'the bundled guest, guest/kgdb-lab-guest.elf',
  },
  cpus: {
    requiresArg: true,
    describe: `CPUs present (${CPUS_MIN}-${CPUS_MAX}); CPU 0 starts, the others wait for PSCI CPU_ON`,
    default: DEFAULT_CPUS,
    coerce: parseCpus,
  },
  memory: {
    requiresArg: true,
    describe: `RAM size in MiB (${MEMORY_MIB_MIN}-${MEMORY_MIB_MAX}), at 0x40000000`,
    default: DEFAULT_MEMORY_MIB,
    coerce: parseMemory,
  },
  append: {
    type: 'string',
    requiresArg: true,
    describe: '/chosen/bootargs in the device tree',
    default: '',
  },
  icount: {
    describe:
      'deterministic time: every instruction retired by any CPU advances machine time by 2^SHIFT ns ' +
      `(SHIFT 0-${ICOUNT_SHIFT_MAX}; ${ICOUNT_SHIFT_DEFAULT} when given bare), as QEMU -icount`,
    defaultDescription: 'off (machine time follows host time)',
    coerce: parseIcount,
  },
  timeout: {
    requiresArg: true,
    describe: 'host-time limit in seconds; when reached the machine is halted and the exit status is 124',
    defaultDescription: 'none',
    coerce: parseTimeout,
  },
  'log-level': {
    type: 'string',
    requiresArg: true,
    choices: LOG_LEVELS,
    describe: 'structured (pino JSON) log level; logs go to stderr',
    default: 'info',
  },
  'gic-trace': {
    type: 'boolean',
    describe:
      'print the machine event stream on stderr (SGI sends, interrupt acknowledges, EOI, DIR, debugger entries), ' +
      'one JSON line each: {timeUs, cpu, kind, ...} (README, event stream), whatever --log-level says',
    defaultDescription: 'off',
  },
  engine: {
    type: 'string',
    requiresArg: true,
    choices: ENGINES,
    describe:
      'CPU engine: jit compiles hot code to JavaScript basic blocks, interp is the reference interpreter; ' +
      'both retire the same instructions at the same counts (identical --icount runs)',
    default: 'jit',
  },
} satisfies Record<string, Options>;

/** Add the shared option table to a subcommand's parser. */
export function withMachineOptions<T>(y: Argv<T>) {
  return y.options(MACHINE_OPTIONS).group(Object.keys(MACHINE_OPTIONS), 'Machine options:');
}

/**
 * Turn parsed arguments into a MachineOptions. Range checks ran already (the `coerce`
 * functions above); this resolves defaults that depend on the environment (the kernel path).
 * @throws UsageError
 */
export function machineOptionsFrom(argv: Record<string, unknown>): MachineOptions {
  return {
    kernel: resolveKernel(argv.kernel),
    cpus: argv.cpus as number,
    memoryMiB: argv.memory as number,
    bootargs: String(argv.append ?? ''),
    icountShift: argv.icount as number | undefined,
    timeoutSec: argv.timeout as number | undefined,
    logLevel: argv['log-level'] as LogLevel,
    gicTrace: argv['gic-trace'] === true ? true : undefined,
    engine: argv.engine as CpuEngine,
  };
}
