/**
 * Child-process runner shared by the QEMU and kgdb-lab helpers: collects stdout as bytes,
 * enforces a hard wall-clock limit (SIGKILL) so a hung guest fails a test instead of
 * stalling the suite.
 */
import { spawn } from 'child_process';

/** What a finished (or killed) child left behind. */
export interface ProcessResult {
  /** Exit status; null when the process was killed by a signal. */
  status: number | null;
  signal: NodeJS.Signals | null;
  /** Everything written to stdout, byte for byte. */
  stdout: Buffer;
  /** stderr decoded as UTF-8. */
  stderr: string;
  /** True when the hard limit expired and the helper killed the process. */
  timedOut: boolean;
  /** Wall-clock run time, ms. */
  wallMs: number;
}

/**
 * Run `command args...` with stdin closed (/dev/null).
 * @param timeoutMs hard limit in ms; on expiry the process gets SIGKILL and timedOut is true
 * @throws Error only when the process cannot be started at all (e.g. ENOENT)
 */
export function runProcess(command: string, args: string[], timeoutMs: number, cwd?: string): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const killer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(killer);
      reject(e);
    });
    child.on('close', (status, signal) => {
      clearTimeout(killer);
      resolve({
        status,
        signal,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        wallMs: Date.now() - started,
      });
    });
  });
}

/** How to run a process that does not exit by itself (a guest kernel that never powers off). */
export interface RunUntilOptions {
  /** Stop as soon as a complete stdout line matches this. */
  stopOn: RegExp;
  /** Hard limit in ms; on expiry the process gets SIGKILL, timedOut is true and matched false. */
  timeoutMs: number;
  cwd?: string;
  /** Bytes written to stdin at given times (ms after start); stdin stays open until the process ends. */
  input?: { atMs: number; bytes: Buffer }[];
}

/** A run stopped on a line (or killed on timeout). */
export interface RunUntilResult extends ProcessResult {
  /** True when a stdout line matched stopOn; stdout then ends with that line (and its newline). */
  matched: boolean;
}

/**
 * Run `command args...` until a stdout line matches `opts.stopOn`, then SIGKILL it. The
 * stdout returned is cut right after the matching line, so what a test compares does not
 * depend on how far the process got before the kill landed.
 * @throws Error only when the process cannot be started at all (e.g. ENOENT)
 */
export function runProcessUntil(command: string, args: string[], opts: RunUntilOptions): Promise<RunUntilResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(command, args, { cwd: opts.cwd, stdio: [opts.input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const { stdout: childOut, stderr: childErr } = child;
    if (!childOut || !childErr) throw new Error('spawn gave no stdout/stderr pipes');
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let matchedAt = -1;
    let scanned = 0; // bytes of complete lines already tested
    const timers: NodeJS.Timeout[] = [];
    const stop = (): void => {
      child.kill('SIGKILL');
    };
    childOut.on('data', (b: Buffer) => {
      if (matchedAt >= 0) return;
      out.push(b);
      const all = Buffer.concat(out);
      let nl: number;
      while ((nl = all.indexOf(0x0a, scanned)) >= 0) {
        const line = all.subarray(scanned, nl).toString('latin1');
        scanned = nl + 1;
        if (opts.stopOn.test(line)) {
          matchedAt = scanned;
          stop();
          break;
        }
      }
    });
    childErr.on('data', (b: Buffer) => err.push(b));
    timers.push(
      setTimeout(() => {
        timedOut = true;
        stop();
      }, opts.timeoutMs),
    );
    for (const { atMs, bytes } of opts.input ?? []) {
      timers.push(setTimeout(() => child.stdin?.write(bytes), atMs));
    }
    child.stdin?.on('error', () => {}); // the child may be gone before a late write
    const clear = (): void => timers.forEach((t) => clearTimeout(t));
    child.on('error', (e) => {
      clear();
      reject(e);
    });
    child.on('close', (status, signal) => {
      clear();
      const stdout = Buffer.concat(out);
      resolve({
        status,
        signal,
        stdout: matchedAt >= 0 ? stdout.subarray(0, matchedAt) : stdout,
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut: timedOut && matchedAt < 0,
        wallMs: Date.now() - started,
        matched: matchedAt >= 0,
      });
    });
  });
}
