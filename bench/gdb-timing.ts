/**
 * Timed sessions of real gdb-multiarch (batch mode) against a stub, for the benchmark rows
 * that measure what a user waits for: Ctrl-C to the end of `thread apply all bt`, and a
 * `dump binary memory`. gdb prints wall-clock stamps with its embedded Python
 * (`time.time()`), and the Ctrl-C is SIGINT to the gdb process, as a terminal sends it,
 * stamped here with Date.now() (the same clock).
 */
import { spawn } from 'child_process';
import { BUNDLED, ROOT, tracked } from './targets';

const MARK = '@@bench:';

export interface GdbTiming {
  /** Stamps printed by `stamp(name)` commands, epoch seconds. */
  stamps: Map<string, number>;
  /** When the SIGINT was sent, epoch seconds (undefined when not interrupted). */
  sigintAt?: number;
  stdout: string;
  stderr: string;
}

/** gdb command printing a named wall-clock stamp. */
export function stamp(name: string): string {
  return `python import time; print("${MARK}${name} %.6f" % time.time())`;
}

/** gdb command printing the marker after which runTimedGdb sends SIGINT (before a `continue`). */
export const BEFORE_CONTINUE = stamp('continue');

/**
 * Run gdb on the bundled guest's symbols against 127.0.0.1:`port` with `commands`.
 * @param interruptAfterMs send SIGINT this long after the `continue` stamp appears
 * @throws Error when gdb fails to start, times out, or prints no stamps
 */
export function runTimedGdb(port: number, commands: string[], interruptAfterMs?: number, timeoutMs = 300_000): Promise<GdbTiming> {
  const args = ['-q', '-nx', '-batch', '-ex', 'set pagination off', '-ex', 'set width 0', '-ex', 'set confirm off'];
  args.push('-ex', 'set remotetimeout 60', '-ex', `target remote 127.0.0.1:${port}`);
  for (const c of commands) args.push('-ex', c);
  args.push(BUNDLED);
  return new Promise((resolve, reject) => {
    const child = tracked(spawn('gdb-multiarch', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    let err = '';
    let sigintAt: number | undefined;
    const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      if (interruptAfterMs !== undefined && sigintAt === undefined && out.includes(`${MARK}continue `)) {
        sigintAt = -1;
        setTimeout(() => {
          sigintAt = Date.now() / 1000;
          child.kill('SIGINT');
        }, interruptAfterMs);
      }
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(kill);
      const stamps = new Map<string, number>();
      for (const m of out.matchAll(/@@bench:(\S+) ([\d.]+)/g)) stamps.set(m[1], Number(m[2]));
      if (stamps.size === 0) return reject(new Error(`gdb (status ${status}) printed no stamps:\n${out.slice(-1500)}\n${err.slice(-1500)}`));
      resolve({ stamps, sigintAt: sigintAt !== undefined && sigintAt > 0 ? sigintAt : undefined, stdout: out, stderr: err });
    });
  });
}
