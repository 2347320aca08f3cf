/**
 * Run a guest ELF on our emulator through its CLI:
 * `node bin/kgdb-lab.js run --kernel X.elf --cpus N [--memory MiB] [--icount S] [--timeout s]`.
 *
 * The CLI runs from dist/, compiled by `npx tsc -p tsconfig.build.json`. emulatorProblem()
 * compiles it when dist/ is missing or older than src/ (so the tests never exercise stale
 * code) and says why the emulator cannot be used when that fails, so a differential test
 * fails with that message instead of a confusing diff.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './guest-build';
import { runProcess, runProcessUntil, type ProcessResult } from './process';

export const BIN = path.join(ROOT, 'bin', 'kgdb-lab.js');
const MAIN_JS = path.join(ROOT, 'dist', 'cli', 'main.js');
const BUILD_HINT = 'run `cd /work/main && npx tsc -p tsconfig.build.json` first';

/** How to run the emulator. */
export interface KgdbLabOptions {
  elf: string;
  cpus?: number;
  memoryMiB?: number;
  /** --append text (sets /chosen/bootargs). */
  append?: string;
  /** --icount SHIFT: each instruction advances machine time by 2^SHIFT ns. */
  icountShift?: number;
  /** Hard limit in ms; the CLI also gets --timeout slightly below it (default 120 s). */
  timeoutMs?: number;
  /**
   * For guests that never power off: stop the run once a stdout line matches, keeping the
   * output up to and including that line (see runProcessUntil).
   */
  stopOn?: RegExp;
}

export interface KgdbLabResult extends ProcessResult {
  commandLine: string;
  /** With stopOn: whether the line was seen. */
  matched?: boolean;
}

/** Newest modification time (ms) of any .ts file under dir. */
function newestTs(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestTs(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

function buildState(): 'missing' | 'stale' | 'fresh' {
  if (!fs.existsSync(MAIN_JS)) return 'missing';
  return newestTs(path.join(ROOT, 'src')) > fs.statSync(MAIN_JS).mtimeMs ? 'stale' : 'fresh';
}

let buildError: string | undefined;
let buildTried = false;

/**
 * Why the emulator cannot be run right now, or undefined when it can. When dist/cli/main.js
 * is missing or some src/**.ts is newer than it, compiles once per process (serialized with
 * other jest workers by flock on dist/.build.lock); a failed compile is the problem reported.
 * Set KGDB_LAB_NO_BUILD=1 to only report, never compile.
 */
export function emulatorProblem(): string | undefined {
  const state = buildState();
  if (state === 'fresh') return undefined;
  if (process.env.KGDB_LAB_NO_BUILD === '1') {
    return state === 'missing'
      ? `the kgdb-lab CLI is not built (dist/cli/main.js is missing): ${BUILD_HINT}`
      : `the kgdb-lab build in dist/ is older than src/: ${BUILD_HINT}`;
  }
  if (!buildTried) {
    buildTried = true;
    fs.mkdirSync(path.join(ROOT, 'dist'), { recursive: true });
    try {
      execFileSync('flock', [path.join(ROOT, 'dist', '.build.lock'), process.execPath, path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 180_000,
      });
    } catch (e) {
      const err = e as { stdout?: Buffer; message: string };
      buildError = `compiling kgdb-lab (tsc -p tsconfig.build.json) failed:\n${err.stdout?.toString().slice(0, 3000) ?? err.message}`;
    }
  }
  if (buildError) return buildError;
  return buildState() === 'missing' ? `the kgdb-lab CLI is not built: ${BUILD_HINT}` : undefined;
}

/** The CLI arguments (after `node`). */
export function kgdbLabArgs(opts: KgdbLabOptions): string[] {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const args = [BIN, 'run', '--kernel', opts.elf, '--cpus', String(opts.cpus ?? 1), '--log-level', 'warn'];
  if (opts.memoryMiB !== undefined) args.push('--memory', String(opts.memoryMiB));
  if (opts.append !== undefined) args.push('--append', opts.append);
  if (opts.icountShift !== undefined) args.push('--icount', String(opts.icountShift));
  // Let the CLI stop itself first (exit 124) so its own message reaches stderr.
  args.push('--timeout', String(Math.max(1, Math.floor(timeoutMs / 1000) - 2)));
  return args;
}

/**
 * Run the ELF on kgdb-lab.
 * @throws Error when the CLI is missing or stale (see emulatorProblem) or cannot be started
 */
export async function runKgdbLab(opts: KgdbLabOptions): Promise<KgdbLabResult> {
  const problem = emulatorProblem();
  if (problem) throw new Error(problem);
  const args = kgdbLabArgs(opts);
  const commandLine = `node ${args.map((a) => path.relative(ROOT, a) || a).join(' ')}`;
  if (opts.stopOn) {
    const r = await runProcessUntil(process.execPath, args, { stopOn: opts.stopOn, timeoutMs: opts.timeoutMs ?? 120_000, cwd: ROOT });
    return { ...r, commandLine };
  }
  const r = await runProcess(process.execPath, args, opts.timeoutMs ?? 120_000, ROOT);
  return { ...r, commandLine };
}
