/**
 * Ground truth for backtraces: where each CPU of the bundled kernel really is, as stock gdb
 * sees it through QEMU's own gdbstub (which stops every vCPU from outside, like a hardware
 * debugger, so even a CPU spinning with interrupts masked is shown).
 *
 * derive(): boot the kernel on QEMU with `-gdb tcp:127.0.0.1:PORT`, wait for its steady
 * line, attach `gdb-multiarch -batch`, and take `thread apply all bt`. One thing needs care:
 * when gdb stops QEMU, a vCPU with a pending interrupt takes it first and stops on the
 * exception vector, before the entry code has saved the interrupted PC, where no unwinder
 * can get back to the interrupted code (the PC is only in ELR_EL1). A gdb Python step
 * single-steps such a vCPU alone (scheduler-locking on) past the saving of ELR into
 * pt_regs (a few instructions; QEMU keeps interrupts masked while stepping).
 *
 * Each CPU's chain is the list of function names from its workload function (the first
 * "name()" of its "kgdb_lab: CPU<n>:" announcement) down to the entry point (_start or
 * secondary_entry), with runs of recursive frames collapsed into one.
 *
 * Run as a script to (re)write the committed fixture:
 *   npx ts-node --transpile-only test/helpers/gdb-ground-truth.ts --write
 */
import { spawn, execFileSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { linesPerCpu, stripTimestamps } from './console-compare';
import { BUNDLED_IMAGE, STEADY, announcedFunction } from './bundled-kernel';
import { ROOT } from './guest-build';
import { QEMU, qemuArgs } from './qemu';
import { runProcess } from './process';

export const GDB = 'gdb-multiarch';
/** Functions a CPU's frame chain must end at: the kernel's entry points (guest head.S). */
export const ENTRY_POINTS = ['_start', 'secondary_entry'];
export const HARDLOCKUP_4_FIXTURE = path.join(ROOT, 'test', 'fixtures', 'ground-truth', 'hardlockup-4.json');
export const HARDLOCKUP_4_BOOTARGS = 'console=ttyAMA0 kgdb_lab.scenario=hardlockup irqchip.gicv3_pseudo_nmi=1';

/** How gdb shows an exception handler's frame (a CFI signal frame). */
export const SIGNAL_FRAME = '<signal handler called>';

/** One vCPU's backtrace as gdb printed it. */
export interface ThreadBacktrace {
  cpu: number;
  /** Function names, innermost first (inlined frames included, "??" when unknown). */
  frames: string[];
  /** gdb's "Backtrace stopped: ..." message, if it printed one. */
  stopped?: string;
}

/** The committed ground truth. */
export interface GroundTruth {
  scenario: string;
  cpus: number;
  bootargs: string;
  derivedWith: string;
  /** Per CPU: the workload function's chain down to the entry point, recursion collapsed. */
  chains: Record<string, string[]>;
}

/** A free TCP port on 127.0.0.1 (there is a small window before QEMU takes it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Collapse runs of the same function (recursion) into one entry. */
export function collapseRecursion(frames: string[]): string[] {
  return frames.filter((f, i) => i === 0 || frames[i - 1] !== f);
}

/**
 * Parse `thread apply all bt` output: "Thread N (Thread 1.K (CPU#C [state])):" headers,
 * "#i  [0x... in ]func (args) at file:line" and "#i  <signal handler called>" frames,
 * "Backtrace stopped: ..." lines.
 */
export function parseThreadApplyAllBt(text: string): ThreadBacktrace[] {
  const threads: ThreadBacktrace[] = [];
  let cur: ThreadBacktrace | undefined;
  for (const line of text.split('\n')) {
    const head = /^Thread \d+ \(Thread \d+\.\d+ \(CPU#(\d+)/.exec(line);
    if (head) {
      cur = { cpu: Number(head[1]), frames: [] };
      threads.push(cur);
      continue;
    }
    if (!cur) continue;
    const frame = /^#\d+\s+(?:0x[0-9a-f]+ in )?(\S+) \(/.exec(line);
    if (frame) cur.frames.push(frame[1]);
    // An exception entry (the handler's CFI marks it a signal frame): the frames below it
    // are the interrupted context.
    else if (/^#\d+\s+<signal handler called>/.test(line)) cur.frames.push(SIGNAL_FRAME);
    const stopped = /^Backtrace stopped: (.*)$/.exec(line);
    if (stopped) cur.stopped = stopped[1];
  }
  return threads.sort((a, b) => a.cpu - b.cpu);
}

/**
 * The chain from `workload` down to the entry point, or an explanation of why the
 * backtrace does not give one.
 */
export function chainFrom(bt: ThreadBacktrace, workload: string): string[] | string {
  if (bt.stopped) return `gdb stopped the backtrace: ${bt.stopped} (frames: ${bt.frames.join(' <- ')})`;
  const frames = collapseRecursion(bt.frames);
  const at = frames.indexOf(workload);
  if (at < 0) return `${workload} is not on the stack (frames: ${frames.join(' <- ')})`;
  const chain = frames.slice(at);
  if (!ENTRY_POINTS.includes(chain[chain.length - 1])) return `the chain does not end at an entry point (frames: ${frames.join(' <- ')})`;
  return chain;
}

/**
 * Bytes at the start of each exception handler (guest entry.S kernel_entry) before the
 * interrupted PC is in pt_regs: stp x0/x1, mrs elr, mrs spsr, stp to S_PC.
 */
const ENTRY_PROLOGUE_BYTES = 16;

/**
 * The gdb Python driver: attach; single-step, alone, each vCPU that stopped where its
 * interrupted context cannot be unwound (on the vector table, in a handler's first
 * ENTRY_PROLOGUE_BYTES, or on the ERET that ends one); print all backtraces.
 */
function gdbScript(port: number): string {
  return `
import gdb
gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("set width 0")
gdb.execute("target remote 127.0.0.1:${port}")
lo = int(gdb.parse_and_eval("(unsigned long)&__entry_text_start"))
hi = int(gdb.parse_and_eval("(unsigned long)&__entry_text_end"))

def unwindable(pc):
    if not (lo <= pc < hi):
        return True
    sym = gdb.execute("info symbol 0x%x" % pc, to_string=True).split()
    name = sym[0] if sym else "?"
    offset = int(sym[2]) if len(sym) > 2 and sym[1] == "+" else 0
    if name == "vectors" or offset < ${ENTRY_PROLOGUE_BYTES}:
        return False
    return "eret" not in gdb.execute("x/i 0x%x" % pc, to_string=True)

gdb.execute("set scheduler-locking on")
for t in sorted(gdb.selected_inferior().threads(), key=lambda t: t.num):
    t.switch()
    steps = 0
    while steps < 64 and not unwindable(int(gdb.parse_and_eval("$pc"))):
        gdb.execute("stepi", to_string=True)
        steps += 1
    print("settled thread %d after %d steps" % (t.num, steps))
gdb.execute("thread apply all bt")
gdb.execute("detach")
`;
}

function killQuietly(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** What derive() saw. */
export interface GdbRun {
  threads: ThreadBacktrace[];
  /** gdb's full output (for failure messages). */
  gdbOutput: string;
  /** The guest console up to the moment gdb attached. */
  console: string;
}

/**
 * Boot the bundled kernel on QEMU with its gdbstub, wait for the steady line, and take
 * every vCPU's backtrace with gdb-multiarch in batch mode.
 * @throws Error if QEMU or gdb cannot be run, or the kernel does not reach its steady line
 */
export async function gdbBacktracesOnQemu(opts: { elf?: string; cpus: number; append: string; timeoutMs?: number }): Promise<GdbRun> {
  const elf = opts.elf ?? BUNDLED_IMAGE;
  const port = await freePort();
  const args = qemuArgs({ elf, cpus: opts.cpus, append: opts.append, extraArgs: ['-gdb', `tcp:127.0.0.1:${port}`] });
  const qemu = spawn(QEMU, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  try {
    let console = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${QEMU} ${args.join(' ')}: no steady line\n${console.slice(-3000)}`)), deadline - Date.now());
      qemu.stdout?.on('data', (b: Buffer) => {
        console += b.toString('latin1');
        if (console.split('\n').slice(0, -1).some((l) => STEADY.test(l))) {
          clearTimeout(timer);
          resolve();
        }
      });
      qemu.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      qemu.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`QEMU exited (${code}) before the steady line\n${console.slice(-3000)}`));
      });
    });
    qemu.removeAllListeners('exit');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kgdb-lab-gdb-'));
    try {
      const script = path.join(dir, 'settle-and-bt.py');
      fs.writeFileSync(script, gdbScript(port));
      const r = await runProcess(GDB, ['-q', '-nx', '-batch', '-x', script, elf], Math.max(1000, deadline - Date.now()));
      const gdbOutput = r.stdout.toString('utf8') + r.stderr;
      if (r.timedOut || r.status !== 0) throw new Error(`${GDB} failed (status ${r.status}, timed out: ${r.timedOut}):\n${gdbOutput}`);
      return { threads: parseThreadApplyAllBt(r.stdout.toString('utf8')), gdbOutput, console };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    killQuietly(qemu);
  }
}

/** Each CPU's workload function, from its announcement line. */
export function workloadFunctions(consoleText: string, cpus: number): string[] {
  const per = linesPerCpu(stripTimestamps(consoleText));
  const out: string[] = [];
  for (let cpu = 0; cpu < cpus; cpu++) {
    const fn = (per.get(`cpu${cpu}`) ?? []).map(announcedFunction).find((f) => f !== undefined);
    if (!fn) throw new Error(`CPU${cpu} announced no workload function`);
    out.push(fn);
  }
  return out;
}

/**
 * Derive the hardlockup ground truth on 4 CPUs: every CPU's chain from its workload down to
 * its entry point. @throws Error when some CPU's backtrace does not give a clean chain.
 */
export async function deriveHardlockup4(): Promise<{ truth: GroundTruth; run: GdbRun }> {
  const cpus = 4;
  const run = await gdbBacktracesOnQemu({ cpus, append: HARDLOCKUP_4_BOOTARGS });
  const workloads = workloadFunctions(run.console, cpus);
  const chains: Record<string, string[]> = {};
  for (let cpu = 0; cpu < cpus; cpu++) {
    const bt = run.threads.find((t) => t.cpu === cpu);
    if (!bt) throw new Error(`gdb showed no thread for CPU${cpu}\n${run.gdbOutput}`);
    const chain = chainFrom(bt, workloads[cpu]);
    if (typeof chain === 'string') throw new Error(`CPU${cpu}: ${chain}\n${run.gdbOutput}`);
    chains[String(cpu)] = chain;
  }
  const qemuVersion = execFileSync(QEMU, ['--version']).toString().split('\n')[0];
  const gdbVersion = execFileSync(GDB, ['--version']).toString().split('\n')[0];
  return {
    truth: {
      scenario: 'hardlockup',
      cpus,
      bootargs: HARDLOCKUP_4_BOOTARGS,
      derivedWith: `${qemuVersion} gdbstub; ${gdbVersion} -batch, thread apply all bt`,
      chains,
    },
    run,
  };
}

if (require.main === module) {
  deriveHardlockup4().then(
    ({ truth }) => {
      const text = JSON.stringify(truth, null, 2) + '\n';
      if (process.argv.includes('--write')) {
        fs.mkdirSync(path.dirname(HARDLOCKUP_4_FIXTURE), { recursive: true });
        fs.writeFileSync(HARDLOCKUP_4_FIXTURE, text);
        process.stdout.write(`wrote ${path.relative(ROOT, HARDLOCKUP_4_FIXTURE)}\n`);
      } else {
        process.stdout.write(text);
      }
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
