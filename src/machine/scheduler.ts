import { performance } from 'node:perf_hooks';
import { RunState } from './cpu/cpu';
import type { Cpu } from './cpu/cpu';

/** Instructions a CPU runs before the next one gets its turn. */
export const QUANTUM = 4096;
/** Host milliseconds of emulation between visits to Node's event loop (so I/O is served within a few ms). */
const SLICE_MS = 4;
/**
 * Longest single host sleep while every CPU waits (host ms). Everything that can make a CPU
 * runnable from outside (halt()/stop(), UART input and serial breaks, gdb's continue, alarms,
 * PSCI CPU_ON, WFE wake-ups) kick()s the sleep short, so this is not what keeps halt() and
 * input prompt. It is kept at 50 ms because longer sleeps cost more, not less: with a NO_HZ
 * idle guest (no deadline at all), 250 ms or 1000 ms cut the main thread's wake-ups from 20
 * to ~6 a second but woke V8's worker threads ~2 times a second each (idle-time heap work),
 * 0.5-0.9 % of a core against 0.45 % at 50 ms (issue 8, row 6).
 */
const MAX_SLEEP_MS = 50;
/**
 * How much later than the next timer deadline an idle machine may wake (host ms, host time
 * only): deadlines that fall within it are served by the same wake-up. An idle 4-CPU guest
 * with a 100 Hz tick per CPU then wakes the host about half as often (issue 8, row 6).
 */
const TIMER_SLACK_MS = 1;

/** How a slice of CPU turns ended. */
const enum Slice {
  /** Its host time ran out (or the scheduler stopped) with CPUs still runnable. */
  Busy,
  /** No CPU can run: every one waits (WFI/WFE), is off, stopped or held. */
  Idle,
}

/** What the scheduler asks of the board between CPU turns. */
export interface SchedulerHooks {
  /** Raise interrupt lines whose time has come (timers), given machine time in ns. */
  poll(nowNs: number): void;
  /** Machine time (ns) of the next timer event, or Infinity. */
  nextDeadlineNs(): number;
  /** Called before the scheduler goes back to the event loop (flush console output). */
  flush(): void;
}

/**
 * Runs all CPUs interleaved on one thread in fixed quanta, in CPU-index order, and keeps
 * machine time.
 *
 * Time: with `icountShift` set, machine time is a pure function of instructions retired
 * (each retired instruction of any CPU adds 2^shift ns, as QEMU's `-icount`), and when no
 * CPU can run, time jumps to the next timer deadline: runs replay exactly. Without it,
 * machine time follows host time and idle periods are host sleeps. CPUs in WFI/WFE or
 * powered off are skipped and cost no host CPU.
 */
/** A machine-time alarm (see Scheduler.at). */
interface Alarm {
  atNs: number;
  fn: () => void;
  cancelled: boolean;
}

export class Scheduler {
  private running = false;
  private alarms: Alarm[] = [];
  private rr = 0;
  private current: Cpu | null = null;
  /** icount: instructions retired in completed turns, plus warps expressed in ns. */
  private retiredTotal = 0;
  private warpNs = 0;
  private readonly hostStart = performance.now();
  private readonly nsPerInsn: number;
  /** The host timer of an idle sleep (kick() cancels it), or undefined. */
  private sleepTimer: ReturnType<typeof setTimeout> | undefined;
  /** run()'s settlement, while the loop runs. */
  private done: { resolve: () => void; reject: (e: unknown) => void } | null = null;
  /**
   * The run loop's one continuation, for every way back from the event loop (a timer, an
   * immediate, a kick's microtask): one bound function rather than a promise, closures and
   * an async resumption per visit (an idle guest makes a few hundred a second; issue 8, row 6).
   */
  private readonly resume = (): void => {
    this.sleepTimer = undefined;
    this.loop();
  };

  constructor(
    private readonly cpus: readonly Cpu[],
    private readonly hooks: SchedulerHooks,
    /** 2^shift ns per instruction under --icount; undefined for host time. */
    readonly icountShift?: number,
  ) {
    this.nsPerInsn = icountShift === undefined ? 0 : 2 ** icountShift;
  }

  /** Machine time in ns since power-on. */
  nowNs(): number {
    if (this.icountShift === undefined) return (performance.now() - this.hostStart) * 1e6;
    const inFlight = this.current ? this.current.qn : 0;
    return (this.retiredTotal + inFlight) * this.nsPerInsn + this.warpNs;
  }

  /** Instructions retired by all CPUs. */
  get retired(): number {
    let n = 0;
    for (const c of this.cpus) n += c.retired;
    return n + (this.current ? this.current.qn : 0);
  }

  /**
   * Call `fn` once machine time reaches `atNs` (checked between CPU turns, so under
   * --icount it fires at an exact instruction count). Counts as a deadline: an idle
   * machine jumps (icount) or sleeps (host time) to it. @returns a cancel function.
   */
  at(atNs: number, fn: () => void): () => void {
    const a: Alarm = { atNs, fn, cancelled: false };
    this.alarms.push(a);
    this.alarms.sort((x, y) => x.atNs - y.atNs);
    this.kick();
    return () => {
      a.cancelled = true;
    };
  }

  /** Earliest pending alarm or hook deadline. */
  private nextDeadline(): number {
    while (this.alarms.length > 0 && this.alarms[0].cancelled) this.alarms.shift();
    const a = this.alarms.length > 0 ? this.alarms[0].atNs : Infinity;
    return Math.min(a, this.hooks.nextDeadlineNs());
  }

  private fireAlarms(now: number): void {
    while (this.alarms.length > 0 && (this.alarms[0].cancelled || this.alarms[0].atNs <= now)) {
      const a = this.alarms.shift() as Alarm;
      if (!a.cancelled) a.fn();
    }
  }

  /** Stop the run loop at the next opportunity (the current instruction completes). */
  stop(): void {
    this.running = false;
    if (this.current) {
      this.current.exitRequested = true;
      this.current.limit = 0;
    }
    this.kick();
  }

  /**
   * Wake the loop if it is sleeping because no CPU could run: it runs again in a microtask,
   * right after the caller's event-loop callback (an input byte, a gdb packet) returns.
   */
  kick(): void {
    const t = this.sleepTimer;
    if (t === undefined) return;
    clearTimeout(t);
    this.sleepTimer = undefined;
    queueMicrotask(this.resume);
  }

  /**
   * Run until stop(). The first slice runs before this returns; then the loop goes on from
   * the event loop (setImmediate while CPUs are busy, a host timer while they all wait).
   * Resolves when the loop has exited; rejects if a CPU turn or a hook throws.
   */
  run(): Promise<void> {
    this.running = true;
    return new Promise<void>((resolve, reject) => {
      this.done = { resolve, reject };
      this.loop();
    });
  }

  /** One visit: a slice of CPU turns, then back to the event loop until the next one. */
  private loop(): void {
    try {
      if (this.running) {
        const ran = this.slice();
        this.hooks.flush();
        if (this.running) {
          if (ran === Slice.Busy) setImmediate(this.resume);
          // Nothing can run now (never ran, or every CPU went to WFI/WFE/off): sleep to the
          // next deadline. An idle guest's timer tick then costs one visit, not two.
          else this.idle();
          return;
        }
      }
      this.hooks.flush();
      this.settle();
    } catch (e) {
      this.running = false;
      this.settle(e);
    }
  }

  /** The loop has exited: settle run()'s promise (rejected with `error` when one is given). */
  private settle(error?: unknown): void {
    const d = this.done;
    this.done = null;
    if (d === null) return;
    if (error === undefined) d.resolve();
    else d.reject(error);
  }

  /** Run CPU turns for about SLICE_MS of host time, or until no CPU can run. */
  private slice(): Slice {
    const t0 = performance.now();
    const n = this.cpus.length;
    while (this.running) {
      const now = this.nowNs();
      if (this.alarms.length > 0) {
        this.fireAlarms(now);
        // An alarm that stopped the machine (e.g. to pause it at an exact time) must not
        // be followed by one more CPU turn.
        if (!this.running) break;
      }
      this.hooks.poll(now);
      let idx = -1;
      for (let i = 0; i < n; i++) {
        const j = (this.rr + i) % n;
        if (this.cpus[j].state === RunState.Running) {
          idx = j;
          break;
        }
      }
      if (idx < 0) return Slice.Idle;
      const cpu = this.cpus[idx];
      this.current = cpu;
      const done = cpu.run(this.budget());
      this.current = null;
      this.retiredTotal += done;
      this.rr = (idx + 1) % n;
      if (performance.now() - t0 > SLICE_MS) return Slice.Busy;
    }
    return Slice.Busy;
  }

  /** Instructions for the next turn: a quantum, cut short under icount so timers fire exactly on time. */
  private budget(): number {
    if (this.icountShift === undefined) return QUANTUM;
    const d = this.nextDeadline();
    if (!Number.isFinite(d)) return QUANTUM;
    const left = Math.ceil((d - this.nowNs()) / this.nsPerInsn);
    return Math.max(1, Math.min(QUANTUM, left));
  }

  /** No CPU can run: jump (icount) or sleep (host time) to the next deadline, or wait for a kick. */
  private idle(): void {
    const d = this.nextDeadline();
    const now = this.nowNs();
    if (d <= now) {
      // Due now (an alarm or a timer level): let slice() deliver it.
      this.fireAlarms(now);
      this.hooks.poll(now);
      setImmediate(this.resume);
      return;
    }
    if (this.icountShift !== undefined) {
      if (Number.isFinite(d)) {
        this.warpNs += d - now;
        setImmediate(this.resume);
        return;
      }
      this.sleep(MAX_SLEEP_MS);
      return;
    }
    // Whole milliseconds, rounded up (Node's timers have 1 ms resolution: rounding down woke
    // us just before the deadline, for a second wake-up a moment later), plus a timer slack
    // so that the deadlines of several CPUs a little apart (each CPU's tick) are served by one
    // wake-up, as Linux's timer slack does. Host time only: under --icount nothing sleeps.
    const ms = Number.isFinite(d) ? Math.ceil((d - now) / 1e6) + TIMER_SLACK_MS : MAX_SLEEP_MS;
    this.sleep(Math.min(ms, MAX_SLEEP_MS));
  }

  /** Sleep `ms` host ms, or until kick(). */
  private sleep(ms: number): void {
    this.sleepTimer = setTimeout(this.resume, ms);
  }
}
