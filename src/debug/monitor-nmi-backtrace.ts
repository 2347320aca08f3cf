import { Errno, TargetError, type ConsoleOutput } from '../rsp/target';
import type { KgdbCore, StopInfo } from './kgdb-core';
import type { MachinePort } from './machine-port';

/** How often the guest's progress is checked, machine ns. */
const POLL_NS = 1_000_000;
/** Longest wait for SysRq-l to start (the UART interrupt to be taken), machine ns. */
const START_LIMIT_NS = 2_000_000_000;
/**
 * Longest wait for it to finish, machine ns: Linux's nmi_trigger_cpumask_backtrace waits
 * up to 10 s for CPUs that do not answer (lib/nmi_backtrace.c), plus the dumps themselves.
 */
const FINISH_LIMIT_NS = 15_000_000_000;

/** What `monitor nmi-backtrace` needs besides the core and the machine. */
export interface NmiBacktraceTools {
  /** Resolves with the next stop the core reports. */
  nextStop(): Promise<StopInfo>;
  /** Told when the machine is resumed for the backtrace (`--json`'s `resumed` event). */
  resumed?: () => void;
  /**
   * Guest address of `backtrace_flag` (lib/nmi_backtrace.c: set while a backtrace request
   * runs), to know when it is over; undefined: wait for the 10 s limit after it started.
   */
  backtraceFlag?: number;
}

/**
 * `monitor nmi-backtrace`: what SysRq-l gives a user of real Linux. The machine is resumed
 * (every CPU leaves the debugger), the guest gets a serial break and `l`, and its console
 * lines ("Sending NMI from CPU 0 to CPUs 1-3:", "NMI backtrace for cpu 2" + registers + call
 * trace, "NMI backtrace for cpu 1 skipped: idling at …") reach gdb as O packets as they are
 * printed (the server adds keepalives in gaps, so gdb never times out). Under the IPI
 * fallback a CPU with IRQs masked prints nothing and the guest waits out its 10 s. Then the
 * guest is broken into again (SysRq-g) and the new stop is described.
 * @throws TargetError EINVAL when the machine is not stopped or the guest has no kgdb
 */
export async function monitorNmiBacktrace(core: KgdbCore, port: MachinePort, tools: NmiBacktraceTools, out: ConsoleOutput): Promise<void> {
  if (!core.guestHasKgdb) throw TargetError.errno(Errno.EINVAL, 'the guest has no kgdb: cannot break in again afterwards');
  if (!core.stop) throw TargetError.errno(Errno.EINVAL, 'the machine is not stopped');
  out.write('kgdb-lab: resuming the machine and sending SysRq-l (a serial break, then "l") to the guest\n');
  const relay = lineRelay(out);
  const untap = port.tapConsole(relay.bytes);
  try {
    core.resume(false);
    tools.resumed?.();
    port.serialBreak(new TextEncoder().encode('l'));
    const how = await backtraceDone(port, tools.backtraceFlag, relay.sawStart, () => core.stop !== undefined);
    if (how !== 'finished') out.write(`kgdb-lab: ${how}\n`);
  } finally {
    relay.flush();
    untap();
  }
  // A stop may have come meanwhile (gdb's Ctrl-C, a breakpoint): report that one.
  let s = core.stop;
  if (!s) {
    out.write('kgdb-lab: breaking in again (SysRq-g)\n');
    const next = tools.nextStop();
    core.interrupt();
    s = await next;
  }
  out.write(
    `kgdb-lab: stopped again: ${s.detail}. gdb still holds the previous stop's registers: ` +
      '"maintenance flush register-cache", then "info threads", shows this one\n',
  );
}

/** Console bytes → whole lines to gdb; remembers whether the SysRq-l banner went by. */
function lineRelay(out: ConsoleOutput): { bytes: (b: Uint8Array) => void; flush: () => void; sawStart: () => boolean } {
  let buf = '';
  let started = false;
  const decoder = new TextDecoder();
  return {
    bytes: (b) => {
      buf += decoder.decode(b, { stream: true });
      const nl = buf.lastIndexOf('\n');
      if (nl < 0) return;
      const text = buf.slice(0, nl + 1);
      buf = buf.slice(nl + 1);
      if (/sysrq: Show backtrace of all active CPUs/.test(text)) started = true;
      out.write(text);
    },
    flush: () => {
      if (buf !== '') out.write(buf + '\n');
      buf = '';
    },
    sawStart: () => started,
  };
}

/**
 * Wait (machine time) until the guest's backtrace request is over: `backtrace_flag` seen
 * set (or the SysRq-l banner printed) and then clear again; or until the debugger stops
 * the machine meanwhile.
 * @returns 'finished', or why the wait ended otherwise
 */
function backtraceDone(port: MachinePort, flagAddr: number | undefined, sawStart: () => boolean, stopped: () => boolean): Promise<string> {
  const t0 = port.nowNs();
  let started = false;
  let startedAt = 0;
  const flag = (): number | undefined => {
    if (flagAddr === undefined) return undefined;
    const b = port.readMemory(flagAddr, 8);
    return b ? Number(new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true)) : undefined;
  };
  return new Promise((resolve) => {
    const poll = (): void => {
      const now = port.nowNs();
      if (stopped()) return resolve('the machine stopped in the debugger during the backtrace');
      const v = flag();
      if (!started && (v !== undefined && v !== 0 ? true : sawStart())) {
        started = true;
        startedAt = now;
      }
      if (started && v === 0) return resolve('finished');
      if (started && flagAddr === undefined && now - startedAt > 10_500_000_000) return resolve('finished');
      if (!started && now - t0 > START_LIMIT_NS) return resolve('the guest did not start a backtrace within 2 s (SysRq-l not taken?)');
      if (now - t0 > FINISH_LIMIT_NS) return resolve('the backtrace did not finish within 15 s');
      port.at(now + POLL_NS, poll);
    };
    port.at(t0 + POLL_NS, poll);
  });
}
