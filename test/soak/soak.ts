/**
 * The soak (issue 7): real gdb against `kgdb-lab serve` on a 16-CPU machine running the
 * bundled guest's hardlockup scenario (by CPU number modulo 4: computing, idle, deadlocked
 * with IRQs off, deep recursion; rounded up by pseudo-NMI), for as long as asked.
 *
 * One cycle, in a gdb batch session: continue and Ctrl-C (SIGINT to gdb, which sends 0x03),
 * `info threads` (every CPU listed, each the master or rounded up), then a breakpoint for
 * one CPU, the next one each cycle so every CPU gets its turn, in the code that CPU runs
 * (the compute loop, the idle loop, the deadlocked CPUs' spin loop: any deadlocked CPU
 * there), continue until that CPU hits it, delete it. Each gdb
 * session runs `cyclesPerSession` cycles and detaches; the next one attaches afresh, so
 * the soak also exercises detach and reconnect. The server's resident memory is sampled
 * after every session.
 */
import * as fs from 'fs';
import { CONTINUE_MARKER, gdbProblems, killAll, parseInfoThreads, runGdb, startServe, type GdbResult } from '../helpers/gdb';

export interface SoakOptions {
  /** How long to run cycles, host seconds (the session under way is finished). */
  seconds: number;
  cpus?: number;
  /** Cycles per gdb session. Default 8. */
  cyclesPerSession?: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  cpus: number;
  cycles: number;
  failures: string[];
  sessions: number;
  /** Breakpoint hits per CPU. */
  hitsByCpu: number[];
  /** Stops where every CPU was listed as master or rounded up. */
  fullRoundups: number;
  rssStartKiB: number;
  rssEndKiB: number;
  rssMaxKiB: number;
  wallSeconds: number;
}

const CYCLE = '@@soak-cycle@@';

/** Resident set size of a process, KiB; 0 once it has exited. */
function rssKiB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * The gdb commands of one session: `n` cycles starting at global cycle `first`. Cycle g's
 * breakpoint is for CPU g mod cpus only (gdb's thread-specific breakpoint: when another CPU
 * hits it, gdb steps that CPU over it and continues), in the code that CPU's role runs.
 */
function sessionCommands(n: number, cpus: number, where: string[], first: number): string[] {
  const cmds: string[] = [];
  for (let g = first; g < first + n; g++) {
    const cpu = g % cpus;
    cmds.push(`echo ${CYCLE}\\n`, `echo ${CONTINUE_MARKER}\\n`, 'continue', 'info threads');
    // The deadlocked CPUs all spin on the same instruction: the lowest-numbered one always
    // gets there first after a resume, so theirs is a plain breakpoint (any of them).
    const only = cpu % 4 === 2 ? '' : ` thread ${cpu + 1}`;
    cmds.push(`break ${where[cpu % where.length]}${only}`, 'continue', 'delete');
  }
  cmds.push('detach');
  return cmds;
}

/** Check one cycle's gdb output. @returns what went wrong, or undefined */
function checkCycle(text: string, cpus: number, want: number, hits: number[]): { problem?: string; full: boolean } {
  if (!/received signal SIGINT, Interrupt\./.test(text)) return { problem: 'no SIGINT stop after Ctrl-C', full: false };
  let rows;
  try {
    rows = parseInfoThreads(text);
  } catch {
    return { problem: 'no info threads table', full: false };
  }
  if (rows.length !== cpus) return { problem: `info threads listed ${rows.length} of ${cpus} CPUs`, full: false };
  const full = rows.every((r) => r.extra === 'master' || r.extra === 'rounded up by NMI');
  const hit = /^Thread \d+ "CPU#(\d+)" hit Breakpoint \d+, /m.exec(text);
  if (!hit) return { problem: 'breakpoint not reported', full };
  const got = Number(hit[1]);
  if (want % 4 === 2 ? got % 4 !== 2 : got !== want) return { problem: `the breakpoint for CPU ${want} was reported on CPU ${got}`, full };
  hits[got]++;
  return { full };
}

/**
 * Run the soak. Failures are collected, not thrown.
 * @throws Error when the server cannot be started
 */
export async function soak(opts: SoakOptions): Promise<SoakReport> {
  const cpus = opts.cpus ?? 16;
  const perSession = opts.cyclesPerSession ?? 8;
  const log = opts.log ?? (() => undefined);
  const started = Date.now();
  const server = await startServe({ scenario: 'hardlockup', cpus, lifetimeS: Math.ceil(opts.seconds) + 900, startTimeoutMs: 120_000 });
  const report: SoakReport = {
    cpus,
    cycles: 0,
    failures: [],
    sessions: 0,
    hitsByCpu: new Array(cpus).fill(0),
    fullRoundups: 0,
    rssStartKiB: rssKiB(server.pid),
    rssEndKiB: 0,
    rssMaxKiB: 0,
    wallSeconds: 0,
  };
  report.rssMaxKiB = report.rssStartKiB;
  try {
    // Where the deadlocked CPUs (2, 6, 10, 14) spin: read once from a stop.
    const probe = await runGdb({ port: server.port, commands: ['thread 3', 'p/x $pc', 'detach'] });
    const spin = /^\$1 = (0x[0-9a-f]+)$/m.exec(probe.stdout)?.[1];
    if (!spin) throw new Error(`cannot find CPU 2's spin loop:\n${probe.output}`);
    // By CPU number modulo 4: computing, idle, deadlocked, deep recursion (computing at the bottom).
    const where = ['checksum_block', 'default_idle_call', `*${spin}`, 'checksum_block'];
    const deadline = started + opts.seconds * 1000;
    while (Date.now() < deadline) {
      const r: GdbResult = await runGdb({
        port: server.port,
        commands: sessionCommands(perSession, cpus, where, report.sessions * perSession),
        interrupt: { delayMs: 250 },
        timeoutMs: 60_000 + perSession * 15_000,
      });
      report.sessions++;
      const segments = r.stdout.split(`${CYCLE}\n`).slice(1);
      segments.forEach((seg, i) => {
        const want = ((report.sessions - 1) * perSession + i) % cpus;
        const { problem, full } = checkCycle(seg, cpus, want, report.hitsByCpu);
        if (full) report.fullRoundups++;
        if (problem) report.failures.push(`session ${report.sessions} cycle ${i + 1}: ${problem}`);
        else report.cycles++;
      });
      if (segments.length < perSession) report.failures.push(`session ${report.sessions}: only ${segments.length} of ${perSession} cycles ran`);
      for (const p of gdbProblems(r)) report.failures.push(`session ${report.sessions}: ${p}: ${r.output.slice(-600)}`);
      const rss = rssKiB(server.pid);
      report.rssEndKiB = rss;
      report.rssMaxKiB = Math.max(report.rssMaxKiB, rss);
      log(`soak: ${Math.round((Date.now() - started) / 1000)} s, ${report.sessions} sessions, ${report.cycles} cycles, ${report.failures.length} failures, server RSS ${rss} KiB`);
      if (rss === 0) {
        report.failures.push('the server exited');
        break;
      }
    }
  } catch (e) {
    report.failures.push(String((e as Error).stack ?? e));
  } finally {
    await server.stop();
    await killAll();
  }
  report.wallSeconds = Math.round((Date.now() - started) / 1000);
  return report;
}

/** The report as the lines `make soak` prints. */
export function formatSoak(r: SoakReport): string {
  return [
    `soak: ${r.cpus} CPUs, ${r.wallSeconds} s: ${r.cycles} cycles done (continue + Ctrl-C + info threads + breakpoint), ${r.failures.length} failures, ${r.sessions} gdb sessions`,
    `soak: stops with every CPU rounded up: ${r.fullRoundups}; breakpoint hits per CPU: ${r.hitsByCpu.join(' ')}`,
    `soak: server resident memory: ${r.rssStartKiB} KiB at start, ${r.rssEndKiB} KiB at end (max ${r.rssMaxKiB})`,
    ...r.failures.slice(0, 20).map((f) => `soak: failure: ${f}`),
  ].join('\n');
}

