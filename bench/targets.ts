/**
 * The two debug stubs the benchmarks compare, started the way a user starts them:
 * - ours: `node bin/kgdb-lab.js serve --port 0 ...`, ready when it prints its
 *   "listening for gdb on HOST:PORT" line (src/cli/serve.ts);
 * - QEMU: `qemu-system-aarch64 -M virt,gic-version=3 -cpu cortex-a57 ... -gdb tcp:127.0.0.1:PORT`,
 *   ready when the port accepts a connection (QEMU prints nothing).
 * Both run the same bundled guest image with the same bootargs; each can also wait for a
 * console line (the guest's steady line: every CPU at its workload).
 */
import { spawn, type ChildProcess } from 'child_process';
import * as net from 'net';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..');

/** Every process the bench started and that has not exited: what an interrupted bench must end. */
const children = new Set<ChildProcess>();

/** Track `child` until it exits (see {@link killChildren}). @returns child */
export function tracked<T extends ChildProcess>(child: T): T {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/**
 * End every tracked process now (SIGKILL, which also ends one that row 2 holds with SIGSTOP),
 * for the bench's SIGINT/SIGTERM handler: an interrupted bench leaves no machine behind.
 */
export function killChildren(): void {
  for (const c of children) c.kill('SIGKILL');
}
export const BIN = path.join(ROOT, 'bin', 'kgdb-lab.js');
export const BUNDLED = path.join(ROOT, 'guest', 'kgdb-lab-guest.elf');
export const QEMU = 'qemu-system-aarch64';
/** The bundled guest's "every CPU at its workload" console line (test/helpers/bundled-kernel.ts STEADY). */
export const STEADY = /\] \[cpu0\] kgdb_lab: steady: /;

/** A started stub. */
export interface Stub {
  /** `replay`: bench/replay.ts's no-work stub. */
  readonly name: 'kgdb-lab' | 'QEMU' | 'replay';
  readonly port: number;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Host ms from spawn to "accepting gdb connections" (QEMU: NaN when started with waitConsole). */
  readonly startMs: number;
  console(): string;
  stop(): Promise<void>;
}

export interface StubOptions {
  cpus: number;
  /** Bundled-guest bootargs (both machines). */
  bootargs: string;
  /** `--icount SHIFT` for ours (QEMU runs without -icount, as its users run it); undefined = host time. */
  icountShift?: number;
  /** Wait for this console line before resolving. */
  waitConsole?: RegExp;
  timeoutMs?: number;
}

/** A free TCP port on 127.0.0.1 (bound then released; QEMU cannot be given port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const k = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(k);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Poll `test` every few ms until it is true, the child exits, or the time is up. On the
 * time running out the child is stopped first: a machine that never got ready must not
 * keep running (and loading the host) under the rows measured after it.
 */
async function until(what: string, child: ChildProcess, test: () => boolean | Promise<boolean>, timeoutMs: number, stderr: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await test()) return;
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what}: the process exited (${child.exitCode ?? child.signalCode})\n${stderr().slice(-2000)}`);
    if (Date.now() > end) {
      await stopChild(child);
      throw new Error(`${what}: not within ${timeoutMs} ms (stopped it)\n${stderr().slice(-2000)}`);
    }
    await sleep(5);
  }
}

function capture(child: ChildProcess): { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString('latin1')));
  child.stderr?.on('data', (b: Buffer) => (err += b.toString('utf8')));
  return { out: () => out, err: () => err };
}

const READY = /listening for gdb on [^:\s]+:(\d+)/;

/** Start `kgdb-lab serve` on the bundled guest. */
export async function startOurs(o: StubOptions): Promise<Stub> {
  const args = [BIN, 'serve', '--port', '0', '--log-level', 'warn', '--cpus', String(o.cpus), '--append', o.bootargs, '--timeout', '900'];
  if (o.icountShift !== undefined) args.push('--icount', String(o.icountShift));
  const t0 = performance.now();
  const child = tracked(spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
  const io = capture(child);
  let port = 0;
  await until('kgdb-lab ready line', child, () => {
    const m = READY.exec(io.err());
    if (m) port = Number(m[1]);
    return m !== null;
  }, o.timeoutMs ?? 60_000, io.err);
  const startMs = performance.now() - t0;
  if (o.waitConsole) await until(`console ${o.waitConsole}`, child, () => o.waitConsole!.test(io.out()), o.timeoutMs ?? 300_000, io.err);
  return { name: 'kgdb-lab', port, pid: child.pid as number, child, startMs, console: io.out, stop: () => stopChild(child) };
}

/** Start QEMU on the bundled guest with its gdbstub on a free port. */
export async function startQemu(o: StubOptions): Promise<Stub> {
  const port = await freePort();
  const args = ['-M', 'virt,gic-version=3', '-cpu', 'cortex-a57', '-nographic', '-monitor', 'none'];
  // Single-threaded TCG as in the test suite: on 2 host cores, MTTCG with many vCPU threads is slower.
  if (o.cpus > 1) args.push('-accel', 'tcg,thread=single');
  args.push('-smp', String(o.cpus), '-m', '256M', '-append', o.bootargs, '-gdb', `tcp:127.0.0.1:${port}`, '-kernel', BUNDLED);
  const t0 = performance.now();
  const child = tracked(spawn(QEMU, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
  const io = capture(child);
  let startMs = NaN;
  if (o.waitConsole) {
    // A connection stops QEMU's VM (gdbstub: the VM pauses when a debugger connects), so
    // probing the port would keep the guest from ever reaching the line: QEMU opens its
    // -gdb socket before the VM runs, so once the guest prints, the port is listening.
    await until(`console ${o.waitConsole}`, child, () => o.waitConsole!.test(io.out()), o.timeoutMs ?? 300_000, io.err);
  } else {
    await until('QEMU gdb port', child, () => tryConnect(port), o.timeoutMs ?? 60_000, io.err);
    startMs = performance.now() - t0;
  }
  return { name: 'QEMU', port, pid: child.pid as number, child, startMs, console: io.out, stop: () => stopChild(child) };
}

/**
 * CPU time the process has used, in seconds, summed over its threads from
 * /proc/PID/task/TID/schedstat (Linux; nanoseconds on the CPU, exact, where /proc/PID/stat's
 * utime/stime are sampled at the kernel tick and misjudge a process that wakes in step with it).
 */
export function cpuSeconds(pid: number): number {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const fs = require('fs') as typeof import('fs');
  let ns = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ns / 1e9;
}
