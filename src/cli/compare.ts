import * as fs from 'fs';
import * as path from 'path';
import type { Argv } from 'yargs';
import type { CliCommand } from './command';
import { EXIT_FAILURE, EXIT_OK, EXIT_TIMEOUT, UsageError, oneLine } from './exit';
import { ICOUNT_SHIFT_DEFAULT, parseCpus, parseIcount, parseMemory, parseTimeout, parseWholeNumber, resolveKernel, DEFAULT_MEMORY_MIB } from './options';
import { DEFAULT_ROUNDUP_TIMEOUT_MS } from './serve';

/** Every scenario of the bundled guest (guest/src/kgdb_lab/scenario.c). */
export const COMPARE_SCENARIOS = ['hardlockup', 'daifmasked', 'softlockup', 'late', 'breakpoint', 'idle', 'oops-undef', 'oops-abort', 'oops-align'] as const;

/** `compare` runs at least this many CPUs by default, as `serve` does. */
const DEFAULT_CPUS = 4;

export const COMPARE_OPTIONS = {
  scenario: {
    type: 'string',
    choices: COMPARE_SCENARIOS as unknown as string[],
    default: 'hardlockup',
    describe: "the bundled guest's workload (kgdb_lab.scenario=NAME)",
  },
  cpus: { requiresArg: true, default: DEFAULT_CPUS, describe: 'CPUs present (1-256)', coerce: parseCpus },
  after: {
    requiresArg: true,
    default: 100,
    describe: 'break in (SysRq-g) this many ms of machine time after the later steady line of the two runs',
    coerce: (v: unknown) => parseWholeNumber('--after', v, 0, 600000, ' ms'),
  },
  'roundup-timeout': {
    requiresArg: true,
    default: DEFAULT_ROUNDUP_TIMEOUT_MS,
    describe: 'how long the master waits for the other CPUs, ms of machine time (Linux: 1000)',
    coerce: (v: unknown) => parseWholeNumber('--roundup-timeout', v, 1, 600000, ' ms'),
  },
  linger: {
    requiresArg: true,
    default: 1000,
    describe: 'after a roundup that timed out, keep the debugger stopped this many ms of machine time to see late arrivals',
    coerce: (v: unknown) => parseWholeNumber('--linger', v, 0, 600000, ' ms'),
  },
  icount: {
    describe: `deterministic time, 2^SHIFT ns per instruction (compare always runs under --icount; SHIFT ${ICOUNT_SHIFT_DEFAULT} by default)`,
    coerce: parseIcount,
  },
  memory: { requiresArg: true, default: DEFAULT_MEMORY_MIB, describe: 'RAM size in MiB (16-4096)', coerce: parseMemory },
  kernel: { type: 'string', requiresArg: true, describe: 'a kernel built like the bundled guest (its scenarios, steady line and kgdb entry points)', defaultDescription: 'the bundled guest' },
  json: { type: 'boolean', default: false, describe: 'print the facts as one JSON object (schema in the README) instead of the table' },
  html: { type: 'string', requiresArg: true, describe: 'also write a self-contained HTML page (table and roundup timelines) to FILE' },
  timeout: { requiresArg: true, describe: 'host-time limit in seconds (exit status 124)', coerce: parseTimeout },
} as const;

/**
 * `kgdb-lab compare`: the same guest booted twice in-process, with the pseudo-NMI roundup
 * and with the regular-IPI fallback, broken into at the same machine time; prints who was
 * rounded up in which mode, when, or why not.
 */
export const compareCommand: CliCommand = {
  command: 'compare',
  describe: 'Compare the pseudo-NMI and the regular-IPI kgdb roundup side by side, one row per CPU',
  builder: (y: Argv) =>
    y
      .options(COMPARE_OPTIONS)
      .example('$0 compare', 'hardlockup on 4 CPUs: the table')
      .example('$0 compare --scenario late --cpus 8 --json', 'the facts as JSON')
      .example('$0 compare --html roundup.html', 'also a page with the roundup timelines'),
  run: async (argv) => compare(argv),
};

/** @throws UsageError unless `file` can be created or replaced (checked before anything runs) */
function checkWritable(file: string): void {
  const dir = path.dirname(path.resolve(file));
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new UsageError(`--html ${file}: cannot write in ${dir}`);
  }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new UsageError(`--html ${file}: is a directory`);
}

/**
 * Run both modes and print the comparison (table, or `--json`), plus the `--html` page.
 * @returns 0 done, 1 a run did not reach a debugger stop, 124 `--timeout`
 * @throws UsageError for an unusable kernel or --html path (before anything runs)
 */
async function compare(argv: Record<string, unknown>): Promise<number> {
  const kernel = resolveKernel(argv.kernel);
  const html = argv.html === undefined ? undefined : String(argv.html);
  if (html === '') throw new UsageError('--html needs a file name');
  if (html !== undefined) checkWritable(html);
  const icountShift = (argv.icount as number | undefined) ?? ICOUNT_SHIFT_DEFAULT;
  if (!fs.existsSync(kernel)) throw new UsageError(`cannot read kernel ${kernel}: no such file`);
  // Loaded here so that --help and usage errors do not wait for the machine.
  const { loadElfFile } = await import('../loader/elf');
  const { findGuestKgdb } = await import('./debug-server');
  const { runCompare, CompareAborted } = await import('../compare/compare');
  const { CompareRunError } = await import('../compare/mode-run');
  const { renderTable } = await import('../compare/table');
  let image;
  try {
    image = loadElfFile(kernel);
  } catch (e) {
    throw new UsageError(oneLine((e as Error).message));
  }
  const timeoutSec = argv.timeout as number | undefined;
  const abort = new AbortController();
  const timer = timeoutSec === undefined ? undefined : setTimeout(() => abort.abort(), timeoutSec * 1000);
  try {
    const report = await runCompare({
      image,
      kernelPath: kernel,
      findGuest: findGuestKgdb,
      scenario: String(argv.scenario),
      cpus: argv.cpus as number,
      memoryMiB: argv.memory as number,
      icountShift,
      afterMs: argv.after as number,
      roundupTimeoutMs: argv['roundup-timeout'] as number,
      lingerMs: argv.linger as number,
      signal: abort.signal,
    });
    if (html !== undefined) {
      const { renderHtml } = await import('../compare/html');
      fs.writeFileSync(html, renderHtml(report));
      process.stderr.write(`kgdb-lab: wrote ${html}\n`);
    }
    process.stdout.write(argv.json === true ? JSON.stringify(report, null, 2) + '\n' : renderTable(report));
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CompareAborted) {
      process.stderr.write(`kgdb-lab: timeout: gave up after ${timeoutSec} s of host time\n`);
      return EXIT_TIMEOUT;
    }
    if (e instanceof CompareRunError) {
      process.stderr.write(`kgdb-lab: compare: ${oneLine(e.message)}\n`);
      return EXIT_FAILURE;
    }
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
