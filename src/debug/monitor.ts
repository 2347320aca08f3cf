import { TargetError, Errno, type ConsoleOutput } from '../rsp/target';
import type { KgdbCore, StopInfo } from './kgdb-core';
import type { MachinePort } from './machine-port';
import { monitorCpus } from './monitor-cpus';
import { monitorNmiBacktrace } from './monitor-nmi-backtrace';
import { monitorTruth } from './monitor-truth';
import type { SymbolLookup } from './unwind';

/** Event fields shown in hex (priorities, masks, addresses). */
const HEX_FIELDS = new Set(['prio', 'pmr', 'pc', 'addr']);

/** A monitor command: its one-line help and its body. */
interface MonitorCommand {
  help: string;
  /** Output goes to `out` until the returned promise (if any) settles. */
  run(args: string[], out: ConsoleOutput): void | Promise<void>;
}

/** What the commands beyond the core and the machine need (all optional). */
export interface MonitorTools {
  /** Address → function symbol (for unwinding in `monitor truth`). */
  lookup?: SymbolLookup;
  /** Resolves with the next stop the core reports (`monitor nmi-backtrace` breaks in again). */
  nextStop?: () => Promise<StopInfo>;
  /** Guest address of lib/nmi_backtrace.c's `backtrace_flag`. */
  backtraceFlag?: number;
}

/**
 * `monitor CMD` (qRcmd) commands. Output goes to gdb's console as O packets.
 * Unknown commands get a helpful line and an error reply, never an empty one.
 */
export class MonitorCommands {
  private readonly commands: Record<string, MonitorCommand>;

  constructor(
    private readonly core: KgdbCore,
    private readonly port: MachinePort,
    /** Symbolizer for PCs ("func+0x1c/0x40"), when the kernel has symbols. */
    private readonly symbolize: (addr: number) => string | undefined = () => undefined,
    private readonly tools: MonitorTools = {},
  ) {
    this.commands = {
      help: { help: 'list the monitor commands', run: (_a, out) => this.help(out) },
      cpus: {
        help: 'per-CPU table for this stop: kgdb state, PC, PSTATE.I, ICC_PMR_EL1, ICC_RPR_EL1, roundup result and arrival time, ESR/FAR/ELR/SPSR/VBAR/SCTLR',
        run: (_a, out) => monitorCpus(this.core, this.port, this.symbolize, out),
      },
      events: { help: 'the roundup events of this stop (machine time in µs)', run: (_a, out) => this.events(out) },
      'nmi-backtrace': {
        help: 'resume, send SysRq-l (NMI backtrace of all CPUs) to the guest, show its console, break in again',
        run: (_a, out) => this.nmiBacktrace(out),
      },
      truth: {
        help: "every CPU's real registers and backtrace, as a hardware debugger sees them (also CPUs outside kgdb's view)",
        run: (_a, out) => monitorTruth(this.core, this.port, this.tools.lookup ?? (() => undefined), out),
      },
    };
  }

  /**
   * Run one command line; a promise when the command takes machine time (nmi-backtrace).
   * @throws TargetError (EINVAL) for an unknown command
   */
  run(line: string, out: ConsoleOutput): void | Promise<void> {
    const [name, ...args] = line.trim().split(/\s+/);
    const cmd = this.commands[name ?? ''];
    if (!cmd) {
      out.write(`kgdb-lab: unknown monitor command "${line.trim()}"; try "monitor help"\n`);
      throw TargetError.errno(Errno.EINVAL, `unknown monitor command ${name}`);
    }
    return cmd.run(args, out);
  }

  private nmiBacktrace(out: ConsoleOutput): Promise<void> {
    const nextStop = this.tools.nextStop;
    if (!nextStop) throw TargetError.errno(Errno.EOPNOTSUPP, 'nmi-backtrace needs the gdb target');
    return monitorNmiBacktrace(this.core, this.port, { nextStop, backtraceFlag: this.tools.backtraceFlag }, out);
  }

  private help(out: ConsoleOutput): void {
    const width = Math.max(...Object.keys(this.commands).map((k) => k.length));
    for (const [k, c] of Object.entries(this.commands)) out.write(`monitor ${k.padEnd(width)}  ${c.help}\n`);
  }

  private events(out: ConsoleOutput): void {
    if (this.core.events.length === 0) return out.write('no roundup events for this stop\n');
    if (this.core.log.dropped > 0) out.write(`(${this.core.log.dropped} later events not kept)\n`);
    for (const e of this.core.events) {
      const extra = Object.entries(e)
        .filter(([k]) => k !== 'timeUs' && k !== 'cpu' && k !== 'kind')
        .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : typeof v === 'number' && HEX_FIELDS.has(k) ? '0x' + v.toString(16) : v}`)
        .join(' ');
      out.write(`${e.timeUs.toFixed(1).padStart(12)} µs  CPU ${String(e.cpu).padEnd(3)} ${e.kind} ${extra}\n`);
    }
  }
}
