import { TargetError, Errno, type ConsoleOutput } from '../rsp/target';
import type { KgdbCore } from './kgdb-core';
import type { MachinePort } from './machine-port';

/** Event fields shown in hex (priorities, masks, addresses). */
const HEX_FIELDS = new Set(['prio', 'pmr', 'pc', 'addr']);

/** A monitor command: its one-line help and its body. */
interface MonitorCommand {
  help: string;
  run(args: string[], out: ConsoleOutput): void;
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
  ) {
    this.commands = {
      help: { help: 'list the monitor commands', run: (_a, out) => this.help(out) },
      cpus: {
        help: 'per-CPU table for this stop: kgdb state, PC, PSTATE.I, ICC_PMR_EL1, ICC_RPR_EL1, roundup arrival time',
        run: (_a, out) => this.cpus(out),
      },
      events: { help: 'the roundup events of this stop (machine time in µs)', run: (_a, out) => this.events(out) },
    };
  }

  /** Run one command line. @throws TargetError (EINVAL) for an unknown command */
  run(line: string, out: ConsoleOutput): void {
    const [name, ...args] = line.trim().split(/\s+/);
    const cmd = this.commands[name ?? ''];
    if (!cmd) {
      out.write(`kgdb-lab: unknown monitor command "${line.trim()}"; try "monitor help"\n`);
      throw TargetError.errno(Errno.EINVAL, `unknown monitor command ${name}`);
    }
    cmd.run(args, out);
  }

  private help(out: ConsoleOutput): void {
    const width = Math.max(...Object.keys(this.commands).map((k) => k.length));
    for (const [k, c] of Object.entries(this.commands)) out.write(`monitor ${k.padEnd(width)}  ${c.help}\n`);
  }

  private cpus(out: ConsoleOutput): void {
    const rows = [['CPU', 'thread', 'state', 'PC', 'I', 'PMR', 'RPR', 'arrived']];
    const arrivals = new Map<number, number>();
    const first = this.core.events.length ? this.core.events[0].timeUs : 0;
    for (const e of this.core.events) if (e.kind === 'entered-slave' || e.kind === 'arrived-late' || e.kind === 'entered-master') arrivals.set(e.cpu, e.timeUs - first);
    for (let c = 0; c < this.port.cpuCount; c++) {
      const regs = this.core.registers(c);
      const m = this.port.maskView(c);
      const pc = regs ? this.pcText(Number(regs.pc)) : '<unavailable>';
      const t = arrivals.get(c);
      rows.push([
        String(c),
        String(c + 1),
        this.core.describe(c),
        pc,
        m.irqMasked ? '1' : '0',
        `0x${m.pmr.toString(16).padStart(2, '0')}`,
        `0x${m.rpr.toString(16).padStart(2, '0')}`,
        t === undefined ? '-' : `+${t.toFixed(0)} µs`,
      ]);
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows) out.write(r.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd() + '\n');
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

  private pcText(pc: number): string {
    const s = this.symbolize(pc);
    return s ? `0x${pc.toString(16)} <${s}>` : `0x${pc.toString(16)}`;
  }
}
