import { TargetError, Errno, type ConsoleOutput } from '../rsp/target';
import type { KgdbCore, StopInfo } from './kgdb-core';
import type { MachinePort } from './machine-port';
import { monitorCpus } from './monitor-cpus';
import { monitorNmiBacktrace } from './monitor-nmi-backtrace';
import { monitorTruth } from './monitor-truth';
import type { SymbolLookup } from './unwind';

/** Event fields shown in hex (priorities, masks, addresses). */
const HEX_FIELDS = new Set(['prio', 'pmr', 'pc', 'addr']);

/** A monitor command: its usage, its one-line help and its body. */
interface MonitorCommand {
  /**
   * What follows the command name in `monitor help` (e.g. `[halt]`); empty for none. A
   * command without one takes no arguments: any is refused before it runs.
   */
  usage?: string;
  help: string;
  /**
   * Output goes to `out` until the returned promise (if any) settles.
   * @throws TargetError for bad arguments or a failure (gdb gets an error reply)
   */
  run(args: string[], out: ConsoleOutput): void | Promise<void>;
}

/** What the commands beyond the core and the machine need (all optional). */
export interface MonitorTools {
  /** Address → function symbol (for unwinding in `monitor truth`). */
  lookup?: SymbolLookup;
  /** Resolves with the next stop the core reports (`monitor nmi-backtrace` breaks in again). */
  nextStop?: () => Promise<StopInfo>;
  /** Told when a command resumes the machine itself (`monitor nmi-backtrace`), as a continue would be. */
  resumed?: () => void;
  /** Guest address of lib/nmi_backtrace.c's `backtrace_flag`. */
  backtraceFlag?: number;
  /** Reboots the machine for `monitor reset`; without it the command is not offered. */
  reset?: MachineReset;
}

/**
 * Reboots the machine for `monitor reset` (implemented by the CLI, which knows the kernel
 * file and the board).
 */
export interface MachineReset {
  /**
   * Read the kernel ELF again from its file, reboot the machine with it, and either let it
   * run (`halt` false) or hold every CPU at its first instruction (`halt` true).
   * @returns one line for the user saying what was loaded
   * @throws Error when the file cannot be read or loaded; the machine is then unchanged
   */
  reset(halt: boolean): string;
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
    if (tools.reset) {
      this.commands.reset = {
        usage: '[halt]',
        help:
          'read the kernel ELF again from its file and reboot the machine (RAM cleared, GIC/UART/CPUs reset, machine time goes on); ' +
          'the gdb session stays. `reset`: the machine runs, gdb still shows the old stop: `maintenance flush register-cache` (registers are then a snapshot of the running CPUs), then `continue` waits for the next stop (Ctrl-C, a breakpoint). ' +
          '`reset halt`: every CPU held at its first instruction (CPU 0 at the ELF entry, the others powered off) as with --wait: `maintenance flush register-cache`, then `continue`. ' +
          "gdb's breakpoints stay set. If the file cannot be loaded, nothing changes and the command fails",
        run: (a, out) => this.reset(a, out),
      };
    }
  }

  /**
   * Run one command line; a promise when the command takes machine time (nmi-backtrace).
   * @throws TargetError (EINVAL) for an unknown command, or an argument to a command that
   *   takes none (README, "Monitor commands": a line pointing at `monitor help`, an error reply)
   */
  run(line: string, out: ConsoleOutput): void | Promise<void> {
    const [name, ...args] = line.trim().split(/\s+/);
    const cmd = this.commands[name ?? ''];
    if (!cmd) {
      out.write(`kgdb-lab: unknown monitor command "${line.trim()}"; try "monitor help"\n`);
      throw TargetError.errno(Errno.EINVAL, `unknown monitor command ${name}`);
    }
    if (!cmd.usage && args.length > 0) {
      out.write(`kgdb-lab: "monitor ${name}" takes no arguments, got "${args.join(' ')}"; try "monitor help"\n`);
      throw TargetError.errno(Errno.EINVAL, `monitor ${name} takes no arguments, got "${args.join(' ')}"`);
    }
    return cmd.run(args, out);
  }

  private nmiBacktrace(out: ConsoleOutput): Promise<void> {
    const nextStop = this.tools.nextStop;
    if (!nextStop) throw TargetError.errno(Errno.EOPNOTSUPP, 'nmi-backtrace needs the gdb target');
    return monitorNmiBacktrace(this.core, this.port, { nextStop, resumed: this.tools.resumed, backtraceFlag: this.tools.backtraceFlag }, out);
  }

  private help(out: ConsoleOutput): void {
    const usage = (k: string, c: MonitorCommand): string => (c.usage ? `${k} ${c.usage}` : k);
    const width = Math.max(...Object.entries(this.commands).map(([k, c]) => usage(k, c).length));
    for (const [k, c] of Object.entries(this.commands)) out.write(`monitor ${usage(k, c).padEnd(width)}  ${c.help}\n`);
    out.write('cpus, events and truth only read the machine; nmi-backtrace and reset change it. An unknown command prints a line and fails (an error reply).\n');
  }

  private reset(args: string[], out: ConsoleOutput): void {
    if (args.length > 1 || (args.length === 1 && args[0] !== 'halt')) {
      out.write(`kgdb-lab: usage: monitor reset [halt]\n`);
      throw TargetError.errno(Errno.EINVAL, `monitor reset takes "halt" or nothing, got "${args.join(' ')}"`);
    }
    const halt = args[0] === 'halt';
    let line: string;
    try {
      line = (this.tools.reset as MachineReset).reset(halt);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      out.write(`kgdb-lab: monitor reset failed, the machine is unchanged: ${msg}\n`);
      throw TargetError.errno(Errno.EIO, `monitor reset failed: ${msg}`);
    }
    out.write(`${line}\n`);
    out.write(
      halt
        ? 'kgdb-lab: every CPU is held at its first instruction; type "maintenance flush register-cache" (gdb still shows the old registers), then "continue"\n'
        : 'kgdb-lab: the machine is running; type "maintenance flush register-cache" (gdb still shows the old stop); "continue" then waits for the next stop\n',
    );
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

