/**
 * `kgdb-lab serve` as a child process with any arguments, for the tests of the transports
 * and lifetimes (test/helpers/gdb.ts startServe() always listens on TCP with --port 0).
 * Everything started here is tracked and killed by PID in killServes().
 */
import { spawn, type ChildProcess } from 'child_process';
import { ROOT } from '../helpers/guest-build';
import { BIN, emulatorProblem } from '../helpers/kgdb-lab';

/** The ready line, as README.md "The ready line" documents it: WHERE is HOST:PORT or unix:PATH. */
export const READY_LINE = /^kgdb-lab: listening for gdb on (\S+); attach with: (.*)$/m;

export interface ServeChild {
  readonly child: ChildProcess;
  readonly commandLine: string;
  stdout(): string;
  stderr(): string;
  /** Resolve with `test()`'s value once it has one; reject when the process exits first or after `timeoutMs`. */
  waitFor<T>(what: string, test: () => T | undefined, timeoutMs?: number): Promise<T>;
  /** Resolves with the exit status (null when killed by a signal) and the signal. */
  readonly exited: Promise<{ status: number | null; signal: NodeJS.Signals | null }>;
}

const live = new Set<ChildProcess>();

/** Start `node bin/kgdb-lab.js serve ARGS` (with --icount, --log-level warn and a --timeout safety net). */
export function spawnServe(args: string[]): ServeChild {
  const problem = emulatorProblem();
  if (problem) throw new Error(problem);
  const full = ['serve', '--icount', '--log-level', 'warn', '--timeout', '120', ...args];
  const commandLine = `node bin/kgdb-lab.js ${full.join(' ')}`;
  const child = spawn(process.execPath, [BIN, ...full], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  const changed = (): void => listeners.forEach((l) => l());
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString('utf8');
    changed();
  });
  child.stderr?.on('data', (b: Buffer) => {
    err += b.toString('utf8');
    changed();
  });
  let done: string | undefined;
  const exited = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (status, signal) => {
      live.delete(child);
      done = `exited (status ${status}, signal ${signal})`;
      changed();
      resolve({ status, signal });
    }),
  );
  const waitFor = <T>(what: string, test: () => T | undefined, timeoutMs = 60_000): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const v = test();
        if (v !== undefined) return finish(() => resolve(v));
        if (done) finish(() => reject(new Error(`${commandLine}: ${done} while waiting for ${what}\nstderr:\n${err}\nstdout (end):\n${out.slice(-2000)}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`${commandLine}: no ${what} within ${timeoutMs} ms\nstderr:\n${err}\nstdout (end):\n${out.slice(-2000)}`))), timeoutMs);
      const finish = (f: () => void): void => {
        clearTimeout(timer);
        listeners.delete(check);
        f();
      };
      listeners.add(check);
      check();
    });
  return { child, commandLine, stdout: () => out, stderr: () => err, waitFor, exited };
}

/** SIGKILL every server started here that still runs (by PID). */
export async function killServes(): Promise<void> {
  const waits = [...live].map((c) => new Promise<void>((r) => c.once('close', () => r())));
  for (const c of live) if (c.pid !== undefined) c.kill('SIGKILL');
  await Promise.all(waits);
}
