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
