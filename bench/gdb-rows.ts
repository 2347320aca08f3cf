/**
 * Rows 2 and 4: what a user waits for in real gdb-multiarch, ours against QEMU's gdbstub on
 * the same bundled guest image and bootargs.
 *
 * Row 2, gdb at scale: the `hardlockup` scenario (ours with the pseudo-NMI roundup) at N CPUs,
 * gdb attached and continuing; Ctrl-C (SIGINT to gdb) once the guest is steady; seconds from
 * the Ctrl-C to the end of `info threads` + `thread apply all bt`.
 * Row 4, bulk memory read: `dump binary memory` of 1 MiB (0x40200000..0x40300000) with the
 * machine stopped, three times in one session; the median.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BEFORE_CONTINUE, runTimedGdb, stamp } from './gdb-timing';
import { replayTable, recordingProxy, startReplay } from './replay';
import { median } from './row';
import { STEADY, startOurs, startQemu, type Stub, type StubOptions } from './targets';

/** Bundled-guest bootargs for a scenario with the pseudo-NMI (test/helpers/bundled-kernel.ts scenarioBootargs). */
export function bootargs(scenario: string): string {
  return `console=ttyAMA0 kgdb_lab.scenario=${scenario} irqchip.gicv3_pseudo_nmi=1`;
}

/** Our icount shift for the gdb rows: deterministic machine time, as the tests serve. */
export const SERVE_ICOUNT = 4;

async function withStub<T>(start: (o: StubOptions) => Promise<Stub>, o: StubOptions, f: (s: Stub) => Promise<T>): Promise<T> {
  const s = await start(o);
  try {
    return await f(s);
  } finally {
    await s.stop();
  }
}

/** Ctrl-C to the end of `thread apply all bt`, seconds; plus the thread and frame counts gdb showed. */
export interface ScaleResult {
  seconds: number;
  threads: number;
  frames: number;
  /**
   * Backtraces gdb gave up on ("Backtrace stopped: ..."), e.g. a CPU stopped inside an
   * exception vector, where gdb unwinds a few bogus frames and stops: fewer frames to
   * print, but a wrong stack for the user.
   */
  brokenStacks: number;
}

async function scaleOnce(stub: Pick<Stub, 'port'>): Promise<ScaleResult> {
  const t = await runTimedGdb(
    stub.port,
    [BEFORE_CONTINUE, 'continue', stamp('stopped'), 'info threads', 'thread apply all bt', stamp('end'), 'detach'],
    1000,
  );
  const end = t.stamps.get('end');
  if (t.sigintAt === undefined || end === undefined) throw new Error(`gdb session incomplete:\n${t.stdout.slice(-1500)}\n${t.stderr.slice(-800)}`);
  const threads = (t.stdout.match(/^Thread \d+ /gm) ?? []).length;
  const frames = (t.stdout.match(/^#\d+ /gm) ?? []).length;
  const brokenStacks = (t.stdout.match(/^Backtrace stopped: /gm) ?? []).length;
  if (threads === 0) throw new Error(`gdb listed no threads:\n${t.stdout.slice(-1500)}\n${t.stderr.slice(-800)}`);
  return { seconds: end - t.sigintAt, threads, frames, brokenStacks };
}

/** Row 2 rounds: each stub gets one session per round; the figures are the median sessions. */
export const SCALE_ROUNDS = 3;

/** The median session (by seconds) of several, with all of them kept for the JSON. */
export interface ScaleRuns extends ScaleResult {
  sessions: ScaleResult[];
}

function medianSession(sessions: ScaleResult[]): ScaleRuns | undefined {
  if (sessions.length === 0) return undefined;
  const sorted = [...sessions].sort((a, b) => a.seconds - b.seconds);
  return { ...sorted[(sorted.length - 1) >> 1], sessions };
}

/** Row 2 at one size: ours, QEMU, and the floor (the replay of a recorded session of ours). */
export interface ScaleRow {
  ours?: ScaleRuns;
  qemu?: ScaleRuns;
  floor?: ScaleRuns & { recordedFrames: number };
}

/**
 * A booted machine held still between its sessions (SIGSTOP: no host CPU, so the one being
 * measured has the host to itself), run again (SIGCONT) for each one.
 */
class Held {
  constructor(readonly stub: Stub) {
    stub.child.kill('SIGSTOP');
  }

  async session<T>(f: (s: Stub) => Promise<T>): Promise<T> {
    this.stub.child.kill('SIGCONT');
    try {
      return await f(this.stub);
    } finally {
      this.stub.child.kill('SIGSTOP');
    }
  }

  stop(): Promise<void> {
    this.stub.child.kill('SIGCONT');
    return this.stub.stop();
  }
}

/**
 * Row 2 at `cpus` CPUs. Both machines boot to the guest's steady line, then the sessions
 * interleave (ours, QEMU, the floor; SCALE_ROUNDS rounds), each machine held still while
 * the others are measured, so a change in the host's speed during the run (this shared
 * 2-core host has minute-long fast and slow periods) reaches all three alike.
 * Each machine has one untimed session first: ours is recorded through a proxy for the
 * floor (bench/replay-stub.c then serves those replies to the same gdb session, so gdb prints
 * the same frames with a stub that does no work); QEMU gets a plain one, so both enter the
 * rounds alike.
 * @param notes receives a line for each part that could not be measured
 */
export async function gdbScaleRow(cpus: number, notes: string[]): Promise<ScaleRow> {
  const o: StubOptions = { cpus, bootargs: bootargs('hardlockup'), icountShift: SERVE_ICOUNT, waitConsole: STEADY, timeoutMs: 600_000 };
  const held: Held[] = [];
  const boot = async (which: 'kgdb-lab' | 'QEMU'): Promise<Held | undefined> => {
    try {
      const h = new Held(await (which === 'kgdb-lab' ? startOurs : startQemu)(o));
      held.push(h);
      return h;
    } catch (e) {
      notes.push(`row 2 (${cpus} CPUs, ${which}): ${firstLine(e)}`);
      return undefined;
    }
  };
  try {
    const ours = await boot('kgdb-lab');
    const qemu = await boot('QEMU');
    let table: string | undefined;
    let recordedFrames = 0;
    if (ours) {
      try {
        await ours.session(async (s) => {
          const proxy = await recordingProxy(s.port);
          try {
            recordedFrames = (await scaleOnce({ port: proxy.port })).frames;
            table = replayTable(await proxy.done);
          } finally {
            proxy.close();
          }
        });
      } catch (e) {
        notes.push(`row 2 (${cpus} CPUs, floor): recording ours: ${firstLine(e)}`);
      }
    }
    // The same untimed first session for QEMU as ours had (the recording).
    if (qemu) {
      try {
        await qemu.session(scaleOnce);
      } catch (e) {
        notes.push(`row 2 (${cpus} CPUs, QEMU): first session: ${firstLine(e)}`);
      }
    }
    const runs: Record<'ours' | 'qemu' | 'floor', ScaleResult[]> = { ours: [], qemu: [], floor: [] };
    const failed = new Set<string>();
    const measure = async (name: 'ours' | 'qemu' | 'floor', f: () => Promise<ScaleResult>): Promise<void> => {
      if (failed.has(name)) return;
      try {
        runs[name].push(await f());
      } catch (e) {
        failed.add(name);
        notes.push(`row 2 (${cpus} CPUs, ${name}): ${firstLine(e)}`);
      }
    };
    for (let round = 0; round < SCALE_ROUNDS; round++) {
      if (ours) await measure('ours', () => ours.session(scaleOnce));
      if (qemu) await measure('qemu', () => qemu.session(scaleOnce));
      if (table !== undefined) {
        const t = table;
        await measure('floor', async () => {
          // The stub serves one session, as recorded, then exits.
          const replay = await startReplay(t);
          try {
            return await scaleOnce(replay);
          } finally {
            await replay.stop();
          }
        });
      }
    }
    const floor = medianSession(runs.floor);
    return { ours: medianSession(runs.ours), qemu: medianSession(runs.qemu), floor: floor && { ...floor, recordedFrames } };
  } finally {
    for (const h of held) await h.stop();
  }
}

function firstLine(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}

/** Row 4 on one stub: seconds per 1 MiB `dump binary memory`, median of 3. */
export function bulkRead(which: 'ours' | 'qemu'): Promise<{ seconds: number; runs: number[] }> {
  const o: StubOptions = { cpus: 4, bootargs: bootargs('hardlockup'), icountShift: SERVE_ICOUNT, waitConsole: STEADY, timeoutMs: 300_000 };
  return withStub(which === 'ours' ? startOurs : startQemu, o, async (stub) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kgdb-lab-bench-'));
    try {
      const cmds: string[] = [stamp('d0')];
      for (let i = 1; i <= 3; i++) cmds.push(`dump binary memory ${path.join(dir, `m${i}.bin`)} 0x40200000 0x40300000`, stamp(`d${i}`));
      cmds.push('detach');
      const t = await runTimedGdb(stub.port, cmds);
      const runs: number[] = [];
      for (let i = 1; i <= 3; i++) {
        const a = t.stamps.get(`d${i - 1}`);
        const b = t.stamps.get(`d${i}`);
        const file = path.join(dir, `m${i}.bin`);
        if (a === undefined || b === undefined || !fs.existsSync(file) || fs.statSync(file).size !== 1 << 20) {
          throw new Error(`dump ${i} did not complete:\n${t.stdout.slice(-1000)}\n${t.stderr.slice(-1000)}`);
        }
        runs.push(b - a);
      }
      return { seconds: median(runs), runs };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
