/**
 * Driving real gdb against `kgdb-lab serve`, for the debugger's acceptance tests.
 *
 * - startServe(): `node bin/kgdb-lab.js serve --icount --port 0 ...`, waits for the ready line
 *   on stderr ("kgdb-lab: listening for gdb on HOST:PORT; attach with: ...") and, for the
 *   bundled guest, for its steady line on the console (every CPU at its workload), so that
 *   what gdb sees does not depend on how fast the host booted it.
 * - runGdb(): `gdb-multiarch -q -nx -batch` with commands (-ex) and/or command files (-x),
 *   connected first with a generous `remotetimeout`. A Ctrl-C is what a user's terminal
 *   does: SIGINT to the gdb process, which then sends 0x03 to the server.
 * - parseInfoThreads() / parseBacktraces(): gdb's `info threads` and `thread apply all bt`.
 * - killAll(): every process these helpers started that still runs gets SIGKILL, by PID.
 *   Call it in afterAll/afterEach; the servers also get `--timeout` as a safety net, so a
 *   crashed test run leaves nothing behind for long.
 *
 * The CLI runs from dist/; emulatorProblem() (kgdb-lab.ts) compiles it when stale.
 */
import { spawn, type ChildProcess } from 'child_process';
import { StringDecoder } from 'string_decoder';
import { BUNDLED_IMAGE, STEADY, type Scenario } from './bundled-kernel';
import { ROOT } from './guest-build';
import { BIN, emulatorProblem } from './kgdb-lab';

export const GDB = 'gdb-multiarch';
export { BUNDLED_IMAGE };

/** Seconds gdb waits for a reply; a roundup that times out takes a while in host time. */
export const GDB_REMOTE_TIMEOUT_S = 60;

/** Every child these helpers started and that has not exited yet. */
const live = new Set<ChildProcess>();

function track(child: ChildProcess): void {
  live.add(child);
  child.on('exit', () => live.delete(child));
}

/** SIGKILL every process started here that still runs (by PID), and wait for them to exit. */
export async function killAll(): Promise<void> {
  const waits: Promise<void>[] = [];
  for (const child of live) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    waits.push(new Promise((resolve) => child.once('exit', () => resolve())));
    if (child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  await Promise.all(waits);
  live.clear();
}

/** How to start `kgdb-lab serve`. */
export interface ServeOptions {
  /** Kernel ELF (default: the bundled guest). */
  kernel?: string;
  cpus?: number;
  scenario?: Scenario;
  roundup?: 'nmi' | 'ipi';
  /** `--icount SHIFT` (default: `--icount` bare, i.e. 2^4 ns per instruction). */
  icountShift?: number;
  /** `--roundup-timeout MS` (machine time). */
  roundupTimeoutMs?: number;
  wait?: boolean;
  /** More arguments after the ones above. */
  extraArgs?: string[];
  /**
   * Resolve only once a console line matches. Default: the bundled guest's steady line,
   * except with --wait or another kernel (then no console wait).
   */
  readyConsole?: RegExp | null;
  /** Limit for the start, ms (default 60 s). */
  startTimeoutMs?: number;
  /** `--timeout` given to the CLI: the server halts itself after this many host seconds (default 240). */
  lifetimeS?: number;
}

/** A running `kgdb-lab serve`. */
export interface ServeProcess {
  readonly pid: number;
  readonly port: number;
  /** The command line, for failure messages. */
  readonly commandLine: string;
  /** The ready line as printed. */
  readonly readyLine: string;
  /** Everything the guest printed so far (stdout). */
  console(): string;
  /** Everything kgdb-lab printed on stderr so far. */
  stderr(): string;
  /** Resolve with the console text once a complete line matches; reject after `timeoutMs`. */
  waitForConsole(re: RegExp, timeoutMs: number): Promise<string>;
  /** Resolve with kgdb-lab's stderr once it matches; reject after `timeoutMs`. */
  waitForStderr(re: RegExp, timeoutMs: number): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
  stop(graceMs?: number): Promise<{ status: number | null; signal: NodeJS.Signals | null }>;
}

/** The CLI arguments for `serve` (after `node bin/kgdb-lab.js`). */
export function serveArgs(o: ServeOptions): string[] {
  const args = ['serve', '--port', '0', '--log-level', 'warn', '--timeout', String(o.lifetimeS ?? 240)];
  args.push('--icount', String(o.icountShift ?? 4));
  if (o.kernel) args.push('--kernel', o.kernel);
  if (o.cpus !== undefined) args.push('--cpus', String(o.cpus));
  if (o.scenario) args.push('--scenario', o.scenario);
  if (o.roundup) args.push('--roundup', o.roundup);
  if (o.roundupTimeoutMs !== undefined) args.push('--roundup-timeout', String(o.roundupTimeoutMs));
  if (o.wait) args.push('--wait');
  if (o.extraArgs) args.push(...o.extraArgs);
  return args;
}

const READY = /^kgdb-lab: listening for gdb on (\S+):(\d+); attach with: (.*)$/m;

/**
 * Start `kgdb-lab serve` on a free port and wait until gdb can attach.
 * @throws Error when the CLI cannot be built or started, exits early, or is not ready in time
 */
export async function startServe(o: ServeOptions = {}): Promise<ServeProcess> {
  const problem = emulatorProblem();
  if (problem) throw new Error(problem);
  const args = serveArgs(o);
  const commandLine = `node bin/kgdb-lab.js ${args.join(' ')}`;
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let out = '';
  let err = '';
  // UTF-8 decoded across chunk boundaries (a multi-byte character may straddle two reads).
  const errText = new StringDecoder('utf8');
  const listeners = new Set<() => void>();
  const changed = (): void => listeners.forEach((l) => l());
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString('latin1');
    changed();
  });
  child.stderr?.on('data', (b: Buffer) => {
    err += errText.write(b);
    changed();
  });
  let exited: string | undefined;
  child.on('exit', (status, signal) => {
    exited = `exited (status ${status}, signal ${signal})`;
    changed();
  });

  /** Wait until `test()` gives a value, the process exits, or the time is up. */
  const waitFor = <T>(what: string, test: () => T | undefined, timeoutMs: number): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const v = test();
        if (v !== undefined) return finish(() => resolve(v));
        if (exited) finish(() => reject(new Error(`${commandLine}: ${exited} while waiting for ${what}\nstderr:\n${err}\nconsole:\n${out.slice(-2000)}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`${commandLine}: no ${what} within ${timeoutMs} ms\nstderr:\n${err}\nconsole:\n${out.slice(-2000)}`))),
        timeoutMs,
      );
      const finish = (f: () => void): void => {
        clearTimeout(timer);
        listeners.delete(check);
        f();
      };
      listeners.add(check);
      check();
    });

  const startTimeout = o.startTimeoutMs ?? 60_000;
  const ready = await waitFor('ready line', () => READY.exec(err) ?? undefined, startTimeout);
  const readyConsole = o.readyConsole !== undefined ? o.readyConsole : o.wait || o.kernel ? null : STEADY;
  const completeLines = (re: RegExp): string | undefined => (out.split('\n').slice(0, -1).some((l) => re.test(l)) ? out : undefined);
  if (readyConsole) await waitFor(`console line ${readyConsole}`, () => completeLines(readyConsole), startTimeout);

  return {
    pid: child.pid as number,
    port: Number(ready[2]),
    commandLine,
    readyLine: ready[0],
    console: () => out,
    stderr: () => err,
    waitForConsole: (re, timeoutMs) => waitFor(`console line ${re}`, () => completeLines(re), timeoutMs),
    waitForStderr: (re, timeoutMs) => waitFor(`stderr ${re}`, () => (re.test(err) ? err : undefined), timeoutMs),
    stop: (graceMs = 5000) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve({ status: child.exitCode, signal: child.signalCode });
        const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        child.once('exit', (status, signal) => {
          clearTimeout(killer);
          resolve({ status, signal });
        });
        child.kill('SIGTERM');
      }),
  };
}

/** How to run gdb. */
export interface GdbOptions {
  /** Server port; gdb connects first (`set remotetimeout`, `target remote`) unless `connect` is false. */
  port?: number;
  connect?: boolean;
  /** ELF for symbols (default: the bundled guest); null for none. */
  elf?: string | null;
  /** Commands run (as -ex) after connecting. */
  commands?: string[];
  /** Command files run (as -x) after `commands`. */
  scripts?: string[];
  /** Arguments before everything else (e.g. ['-ex', 'set $kgdb_port = 1234']). */
  preArgs?: string[];
  /**
   * Ctrl-C: send SIGINT to gdb `delayMs` after each stdout line that matches `on`. Batch
   * gdb does not print "Continuing.", so scripts echo a marker before each `continue`
   * (see CONTINUE_MARKER).
   */
  interrupt?: { on?: RegExp; delayMs: number };
  /** Hard limit, ms (default 60 s): gdb gets SIGKILL and the result says timedOut. */
  timeoutMs?: number;
}

/** A marker to `echo` before a `continue` that the helper should interrupt. */
export const CONTINUE_MARKER = '@@kgdb-lab-test: continue@@';

/** The commands for one continue that runGdb's `interrupt` will break with a Ctrl-C. */
export function interruptedContinue(): string[] {
  return [`echo ${CONTINUE_MARKER}\\n`, 'continue'];
}

export interface GdbResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout then stderr, for messages and loose matching. */
  output: string;
  timedOut: boolean;
  wallMs: number;
  /** How many SIGINTs were sent. */
  interrupts: number;
  /** The gdb command line, for messages. */
  commandLine: string;
}

/** The gdb arguments. */
export function gdbArgs(o: GdbOptions): string[] {
  const args = ['-q', '-nx', '-batch', ...(o.preArgs ?? [])];
  args.push('-ex', 'set pagination off', '-ex', 'set width 0', '-ex', 'set confirm off');
  if (o.connect !== false) {
    if (o.port === undefined) throw new Error('runGdb: a port is needed to connect');
    args.push('-ex', `set remotetimeout ${GDB_REMOTE_TIMEOUT_S}`, '-ex', `target remote 127.0.0.1:${o.port}`);
  }
  for (const c of o.commands ?? []) args.push('-ex', c);
  for (const s of o.scripts ?? []) args.push('-x', s);
  const elf = o.elf === undefined ? BUNDLED_IMAGE : o.elf;
  if (elf !== null) args.push(elf);
  return args;
}

/**
 * Run gdb in batch mode to completion (or until the hard limit).
 * @throws Error only when gdb cannot be started
 */
export function runGdb(o: GdbOptions): Promise<GdbResult> {
  const args = gdbArgs(o);
  const commandLine = `${GDB} ${args.map((a) => (/[\s'"$]/.test(a) ? `'${a}'` : a)).join(' ')}`;
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(GDB, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    let out = '';
    let err = '';
    // UTF-8 decoded across chunk boundaries (gdb's `monitor` output has "µs").
    const outText = new StringDecoder('utf8');
    const errText = new StringDecoder('utf8');
    let scanned = 0;
    let interrupts = 0;
    let timedOut = false;
    const timers: NodeJS.Timeout[] = [];
    const on = o.interrupt?.on ?? new RegExp(`^${CONTINUE_MARKER}$`);
    child.stdout?.on('data', (b: Buffer) => {
      out += outText.write(b);
      if (!o.interrupt) return;
      let nl: number;
      while ((nl = out.indexOf('\n', scanned)) >= 0) {
        const line = out.slice(scanned, nl);
        scanned = nl + 1;
        if (on.test(line)) {
          timers.push(
            setTimeout(() => {
              interrupts++;
              child.kill('SIGINT');
            }, o.interrupt.delayMs),
          );
        }
      }
    });
    child.stderr?.on('data', (b: Buffer) => (err += errText.write(b)));
    timers.push(
      setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, o.timeoutMs ?? 60_000),
    );
    child.on('error', (e) => {
      timers.forEach((t) => clearTimeout(t));
      reject(e);
    });
    child.on('close', (status, signal) => {
      timers.forEach((t) => clearTimeout(t));
      resolve({ status, signal, stdout: out, stderr: err, output: out + err, timedOut, wallMs: Date.now() - started, interrupts, commandLine });
    });
  });
}

/** Things gdb says when it rejects or misreads what the stub sent. */
export const GDB_PROTOCOL_TROUBLE = /Architecture rejected|reply is too long|Truncated register|Protocol error|Invalid remote reply|Remote failure|Remote connection closed|Ignoring packet error|Connection timed out/;

/**
 * Problems with a gdb run that every test treats as failures: exit status, time limit,
 * protocol trouble. Empty when fine.
 */
export function gdbProblems(r: GdbResult): string[] {
  const p: string[] = [];
  if (r.timedOut) p.push(`gdb did not finish within its limit`);
  else if (r.status !== 0) p.push(`gdb exited with status ${r.status} (signal ${r.signal})`);
  const trouble = GDB_PROTOCOL_TROUBLE.exec(r.output);
  if (trouble) p.push(`gdb reported "${trouble[0]}"`);
  return p;
}

/** Throw with gdb's output when gdbProblems() finds any. */
export function assertGdbOk(r: GdbResult, server?: ServeProcess): void {
  const p = gdbProblems(r);
  if (p.length === 0) return;
  const srv = server ? `\n--- kgdb-lab stderr ---\n${server.stderr()}\n--- console (end) ---\n${server.console().slice(-1500)}` : '';
  throw new Error(`${p.join('; ')}\n${r.commandLine}\n--- gdb output ---\n${r.output}${srv}`);
}

// ---- parsing gdb's output ----

/** One row of `info threads`. */
export interface ThreadRow {
  /** gdb's thread number. */
  num: number;
  current: boolean;
  /** The CPU of "CPU#n" in the target id. */
  cpu: number;
  /** The extra info in parentheses (our qThreadExtraInfo), e.g. "rounded up by NMI". */
  extra: string;
  /** The frame column, e.g. "cpu_do_idle () at …" or "<unavailable> in ?? ()". */
  frame: string;
}

/** Index just past the ')' that closes the '(' at `open`, or -1. */
function closeParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i + 1;
  }
  return -1;
}

/**
 * Every `info threads` table in a gdb output, in order. Rows look like
 * `* 1    Thread 1 "CPU#0" (master)            arch_kgdb_breakpoint () at …`.
 */
export function parseInfoThreadsAll(text: string): ThreadRow[][] {
  const tables: ThreadRow[][] = [];
  let cur: ThreadRow[] | undefined;
  for (const line of text.split('\n')) {
    if (/^\s+Id\s+Target Id\s+Frame\s*$/.test(line)) {
      cur = [];
      tables.push(cur);
      continue;
    }
    if (!cur) continue;
    const m = /^([* ]) +(\d+) +Thread \d+ "CPU#(\d+)" /.exec(line);
    if (!m) {
      cur = undefined;
      continue;
    }
    const open = m[0].length;
    const end = line[open] === '(' ? closeParen(line, open) : -1;
    cur.push({
      num: Number(m[2]),
      current: m[1] === '*',
      cpu: Number(m[3]),
      extra: end > 0 ? line.slice(open + 1, end - 1) : '',
      frame: (end > 0 ? line.slice(end) : line.slice(open)).trim(),
    });
  }
  return tables;
}

/** The last `info threads` table in a gdb output. @throws Error when there is none */
export function parseInfoThreads(text: string): ThreadRow[] {
  const all = parseInfoThreadsAll(text);
  if (all.length === 0) throw new Error(`no "info threads" table in:\n${text}`);
  return all[all.length - 1];
}

/** How gdb shows an exception handler's frame (a CFI signal frame). */
export const SIGNAL_FRAME = '<signal handler called>';
/** A frame gdb could not read (registers unavailable). */
export const UNAVAILABLE_FRAME = '<unavailable>';

/** One thread's backtrace from `thread apply all bt`. */
export interface ThreadBacktrace {
  num: number;
  cpu: number;
  /** Our extra info, or QEMU's "[running]"-style state. */
  extra: string;
  /** Function names, innermost first; SIGNAL_FRAME and UNAVAILABLE_FRAME as such; "??" unknown. */
  frames: string[];
  /** PCs of the frames where gdb printed one ("0x… in f ()"); frame 0 often has none. */
  pcs: (bigint | undefined)[];
  /** gdb's "Backtrace stopped: …" text, if any. */
  stopped?: string;
}

/**
 * Parse `thread apply all bt` (any depth limit) for our server's thread headers
 * (`Thread 4 (Thread 4 "CPU#3" (rounded up by NMI)):`) and QEMU's
 * (`Thread 4 (Thread 1.4 (CPU#3 [running])):`). Result sorted by CPU.
 */
export function parseBacktraces(text: string): ThreadBacktrace[] {
  const out: ThreadBacktrace[] = [];
  let cur: ThreadBacktrace | undefined;
  for (const line of text.split('\n')) {
    const ours = /^Thread (\d+) \(Thread \d+ "CPU#(\d+)" \((.*)\)\):$/.exec(line);
    const qemu = /^Thread (\d+) \(Thread \d+\.\d+ \(CPU#(\d+) (.*)\)\):$/.exec(line);
    const head = ours ?? qemu;
    if (head) {
      cur = { num: Number(head[1]), cpu: Number(head[2]), extra: head[3], frames: [], pcs: [] };
      out.push(cur);
      continue;
    }
    if (!cur) continue;
    if (line.trim() === '') {
      // gdb separates the threads' blocks with an empty line.
      if (cur.frames.length > 0) cur = undefined;
      continue;
    }
    if (!/^(#\d+\s|Backtrace stopped: |\(More stack frames follow)/.test(line)) {
      // Anything else is the output of the next command (with `set width 0` frames do not wrap).
      cur = undefined;
      continue;
    }
    const frame = /^#\d+\s+(?:(0x[0-9a-f]+) in )?(\S+) \(/.exec(line);
    if (frame) {
      cur.frames.push(frame[2]);
      cur.pcs.push(frame[1] ? BigInt(frame[1]) : undefined);
    } else if (/^#\d+\s+<signal handler called>/.test(line)) {
      cur.frames.push(SIGNAL_FRAME);
      cur.pcs.push(undefined);
    } else if (/^#\d+\s+<unavailable> in /.test(line)) {
      cur.frames.push(UNAVAILABLE_FRAME);
      cur.pcs.push(undefined);
    }
    const stopped = /^Backtrace stopped: (.*)$/.exec(line);
    if (stopped) cur.stopped = stopped[1];
  }
  return out.sort((a, b) => a.cpu - b.cpu);
}

/**
 * Is `want` a subsequence of `frames` (every name of `want` appears, in this order, not
 * necessarily adjacent)? For "kgdb_breakpoint ← uart_handle_sysrq_char ← … ← gic_handle_irq".
 */
export function inOrder(frames: readonly string[], want: readonly string[]): boolean {
  let i = 0;
  for (const f of frames) if (i < want.length && f === want[i]) i++;
  return i === want.length;
}
