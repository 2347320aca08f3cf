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

/** Row 2 at `cpus` CPUs on one stub. */
export function gdbScale(which: 'ours' | 'qemu', cpus: number): Promise<ScaleResult> {
  const o: StubOptions = { cpus, bootargs: bootargs('hardlockup'), icountShift: SERVE_ICOUNT, waitConsole: STEADY, timeoutMs: 600_000 };
  return withStub(which === 'ours' ? startOurs : startQemu, o, scaleOnce);
}

/**
 * Row 2's floor at `cpus` CPUs: one session of ours recorded through a proxy (not timed), then
 * the same session against bench/replay-stub.c serving the recorded replies, timed as
 * gdbScale times a stub. gdb prints the same frames as in the recording.
 * @throws Error when the recording does not pair up or the replay leaves it
 */
export async function gdbScaleFloor(cpus: number): Promise<ScaleResult & { recordedFrames: number }> {
  const o: StubOptions = { cpus, bootargs: bootargs('hardlockup'), icountShift: SERVE_ICOUNT, waitConsole: STEADY, timeoutMs: 600_000 };
  const { table, recordedFrames } = await withStub(startOurs, o, async (ours) => {
    const proxy = await recordingProxy(ours.port);
    try {
      const recorded = await scaleOnce({ port: proxy.port });
      return { table: replayTable(await proxy.done), recordedFrames: recorded.frames };
    } finally {
      proxy.close();
    }
  });
  const replay = await startReplay(table);
  try {
    return { ...(await scaleOnce(replay)), recordedFrames };
  } finally {
    await replay.stop();
  }
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
