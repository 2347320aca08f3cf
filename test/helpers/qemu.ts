/**
 * Run a guest ELF on QEMU, the oracle: `qemu-system-aarch64 -M virt,gic-version=3 -cpu
 * <model> -nographic -kernel X.elf -smp N -m 256M`, with a hard timeout.
 *
 * Results of clean runs (exit status 0, PSCI SYSTEM_OFF; or, with `stopOn`, runs that
 * reached the awaited line) are cached under guest/tests/build/qemu-cache/, keyed by the
 * SHA-256 of the ELF bytes, the full QEMU argument list (without the ELF path), the QEMU
 * version and the awaited line's pattern, so a re-run is free until one of them changes.
 * Runs that feed the serial line (`input`) are never cached.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { TEST_BUILD_DIR } from './guest-build';
import { runProcess, runProcessUntil, type ProcessResult } from './process';

export const QEMU = 'qemu-system-aarch64';
const CACHE_DIR = path.join(TEST_BUILD_DIR, 'qemu-cache');

/** How to run QEMU. */
export interface QemuOptions {
  /** ELF to pass as -kernel. */
  elf: string;
  /** -smp N (1 by default). */
  cpus?: number;
  /** -cpu model: "cortex-a57" (default; Armv8.0) or "max" (for the LSE programs). */
  cpuModel?: string;
  /** -m size in MiB (256 by default). */
  memoryMiB?: number;
  /** -append text (sets /chosen/bootargs). */
  append?: string;
  /** Hard limit in ms (30 s by default). */
  timeoutMs?: number;
  /** Skip the cache (read and write). */
  noCache?: boolean;
  /**
   * For guests that never power off: stop QEMU once a stdout line matches, and keep the
   * output up to and including that line (see runProcessUntil). Such runs are cached too.
   */
  stopOn?: RegExp;
  /**
   * Serial on a multiplexer (`-display none -serial mon:stdio` instead of `-nographic`), so
   * that Ctrl-A b on stdin sends a break to the guest's PL011 (magic SysRq).
   */
  serialMux?: boolean;
  /** Bytes for the serial line at given times (ms after start); disables the cache. */
  input?: { atMs: number; bytes: Buffer }[];
  /** Extra arguments placed before -kernel (e.g. ['-gdb', 'tcp::1234']); part of the cache key. */
  extraArgs?: string[];
}

/** A QEMU run: the process result plus whether it came from the cache. */
export interface QemuResult extends ProcessResult {
  cached: boolean;
  /** The command line, for messages. */
  commandLine: string;
  /** With stopOn: whether the line was seen (always true for a cached result). */
  matched?: boolean;
}

/**
 * The QEMU arguments (without the executable). Multi-CPU runs use single-threaded TCG
 * (`-accel tcg,thread=single`): on a 2-core host, multi-threaded TCG with 64 vCPU threads
 * spinning on a FIFO ticket lock took 1-13 s per run instead of ~0.4 s; guest-visible
 * semantics are the same.
 */
export function qemuArgs(opts: QemuOptions): string[] {
  const cpus = opts.cpus ?? 1;
  const args = ['-M', 'virt,gic-version=3', '-cpu', opts.cpuModel ?? 'cortex-a57'];
  if (cpus > 1) args.push('-accel', 'tcg,thread=single');
  if (opts.serialMux) args.push('-display', 'none', '-monitor', 'none', '-serial', 'mon:stdio');
  else args.push('-nographic', '-monitor', 'none');
  args.push('-smp', String(cpus), '-m', `${opts.memoryMiB ?? 256}M`);
  if (opts.append !== undefined) args.push('-append', opts.append);
  if (opts.extraArgs) args.push(...opts.extraArgs);
  args.push('-kernel', opts.elf);
  return args;
}

let qemuVersion: string | undefined;
function version(): string {
  qemuVersion ??= execFileSync(QEMU, ['--version']).toString().split('\n')[0];
  return qemuVersion;
}

function cacheKey(opts: QemuOptions, args: string[]): string {
  const h = createHash('sha256');
  h.update(fs.readFileSync(opts.elf));
  h.update('\0' + args.filter((a) => a !== opts.elf).join('\0'));
  h.update('\0' + version());
  if (opts.stopOn) h.update('\0stopOn:' + opts.stopOn.source);
  return h.digest('hex').slice(0, 32);
}

/**
 * Run the ELF on QEMU (or return the cached result of an identical earlier run).
 * @throws Error if QEMU cannot be started
 */
export async function runQemu(opts: QemuOptions): Promise<QemuResult> {
  const args = qemuArgs(opts);
  const commandLine = `${QEMU} ${args.join(' ')}`;
  const key = cacheKey(opts, args);
  const file = path.join(CACHE_DIR, `${key}.out`);
  const useCache = !opts.noCache && !opts.input;
  if (useCache && fs.existsSync(file)) {
    return {
      status: 0, signal: null, stdout: fs.readFileSync(file), stderr: '', timedOut: false, wallMs: 0, cached: true, commandLine,
      matched: opts.stopOn ? true : undefined,
    };
  }
  if (opts.stopOn) {
    const r = await runProcessUntil(QEMU, args, { stopOn: opts.stopOn, timeoutMs: opts.timeoutMs ?? 30_000, input: opts.input });
    if (useCache && r.matched) writeCache(file, r.stdout);
    return { ...r, cached: false, commandLine };
  }
  const r = await runProcess(QEMU, args, opts.timeoutMs ?? 30_000);
  if (useCache && r.status === 0 && !r.timedOut) writeCache(file, r.stdout);
  return { ...r, cached: false, commandLine };
}

function writeCache(file: string, stdout: Buffer): void {
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  // Write then rename, so a concurrent reader never sees a partial file.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, stdout);
  fs.renameSync(tmp, file);
}
