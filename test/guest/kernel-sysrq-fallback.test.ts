/**
 * SysRq-l without pseudo-NMI (the v8 series' regular-IRQ fallback on the same SGI 7), on
 * QEMU and kgdb-lab, hardlockup on 4 CPUs: the CPU deadlocked with interrupts masked
 * (PSTATE.I) never answers and is simply missing, with no message, while the requester
 * waits out nmi_trigger_cpumask_backtrace's 10 s (as observed on real Linux); the others
 * answer. Each machine takes about 10 s of wall time; both run at once.
 */
import { linesPerCpu, stripTimestamps } from '../helpers/console-compare';
import { BUNDLED_IMAGE, scenarioBootargs } from '../helpers/bundled-kernel';
import { BoardSession, QemuSession, type ConsoleSession } from '../helpers/console-session';

const CPUS = 4;
const STEADY = /\[cpu0\] kgdb_lab: steady: /;
const SENDING = /\[cpu0\] Sending NMI from CPU 0 to CPUs 1-3:/;
const HELP = /\[cpu0\] sysrq: HELP : /;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seconds of the "[    s.micros]" stamp of a line. */
function stamp(line: string): number {
  return Number(/^\[ *(\d+\.\d{6})\]/.exec(line)?.[1]);
}

async function sysrqL(s: ConsoleSession): Promise<{ text: string; waitedS: number }> {
  await s.waitFor(STEADY, 30_000);
  const from = s.output().length;
  s.sendBreak();
  await pause(50);
  s.type('l');
  const sending = await s.waitFor(SENDING, 10_000, from);
  // Queue a second key: it is handled only once the 'l' handler has given up waiting.
  s.sendBreak();
  await pause(50);
  s.type('h');
  const help = await s.waitFor(HELP, 20_000, from);
  return { text: s.output().slice(from), waitedS: stamp(help) - stamp(sending) };
}

it('CPU 2 (IRQs masked by PSTATE) is missing and the requester waits 10 s, on QEMU and kgdb-lab', async () => {
  const append = scenarioBootargs('hardlockup', false);
  const sessions = [
    new QemuSession({ elf: BUNDLED_IMAGE, cpus: CPUS, append }),
    new BoardSession({ elf: BUNDLED_IMAGE, cpus: CPUS, append }),
  ];
  try {
    const results = await Promise.all(sessions.map((s) => sysrqL(s)));
    for (const [i, { text, waitedS }] of results.entries()) {
      const per = linesPerCpu(stripTimestamps(text));
      const what = sessions[i].what;
      expect({ what, cpu2: per.get('cpu2') ?? [] }).toEqual({ what, cpu2: [] });
      expect(per.get('cpu3')?.[0]).toBe('NMI backtrace for cpu 3');
      expect(per.get('cpu1')?.[0]).toMatch(/^NMI backtrace for cpu 1/);
      expect(waitedS).toBeGreaterThanOrEqual(9.9);
    }
  } finally {
    await Promise.all(sessions.map((s) => s.stop()));
  }
}, 60_000);
