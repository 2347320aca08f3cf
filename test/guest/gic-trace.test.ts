/**
 * `kgdb-lab run --gic-trace`: one JSON line per machine event on stderr (src/machine/events.ts),
 * whatever the log level. Checked against what the guest programs themselves report:
 * gic_nmi logs every interrupt it takes, so the trace's acknowledges must be exactly that
 * sequence; gic_sgi on 4 CPUs sends SGIs whose targets are known, so the trace's sends must
 * name exactly those targets and senders, and each must be acknowledged and EOId there.
 */
import { buildGuestTests, ROOT, testElf } from '../helpers/guest-build';
import { BIN, emulatorProblem, kgdbLabArgs } from '../helpers/kgdb-lab';
import { runProcess } from '../helpers/process';

interface TraceEvent {
  timeUs: number;
  cpu: number;
  kind: 'sgi-sent' | 'irq-taken' | 'eoi' | 'dir';
  target?: number;
  intid: number;
  prio: number;
  pmr?: number;
  irqMasked?: boolean;
}

beforeAll(() => buildGuestTests());

/** Run a test ELF with extra CLI flags; returns stdout text and the trace events found on stderr. */
async function run(name: string, cpus: number, extra: string[]): Promise<{ stdout: string; events: TraceEvent[]; stderr: string }> {
  const problem = emulatorProblem();
  if (problem) throw new Error(problem);
  const args = [...kgdbLabArgs({ elf: testElf(name), cpus, timeoutMs: 60_000 }), ...extra];
  const r = await runProcess(process.execPath, args, 60_000, ROOT);
  if (r.status !== 0) throw new Error(`exit ${r.status}\n${r.stderr.slice(-2000)}`);
  const events: TraceEvent[] = [];
  for (const line of r.stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    const o = JSON.parse(line) as Record<string, unknown>;
    if ('kind' in o) events.push(o as unknown as TraceEvent);
  }
  return { stdout: r.stdout.toString('latin1'), events, stderr: r.stderr };
}

/** Shape: exactly the documented fields per kind, numbers where numbers belong. */
function checkShape(events: TraceEvent[]): void {
  const fields: Record<TraceEvent['kind'], string[]> = {
    'sgi-sent': ['timeUs', 'cpu', 'kind', 'target', 'intid', 'prio'],
    'irq-taken': ['timeUs', 'cpu', 'kind', 'intid', 'prio', 'pmr', 'irqMasked'],
    eoi: ['timeUs', 'cpu', 'kind', 'intid', 'prio'],
    dir: ['timeUs', 'cpu', 'kind', 'intid', 'prio'],
  };
  for (const e of events) {
    expect(Object.keys(fields)).toContain(e.kind);
    expect(Object.keys(e)).toEqual(fields[e.kind]);
    for (const k of ['cpu', 'intid', 'prio'] as const) expect(Number.isInteger(e[k])).toBe(true);
    expect(Number.isFinite(e.timeUs)).toBe(true);
    // An IRQ exception is only taken with PSTATE.I clear in the interrupted context.
    if (e.kind === 'irq-taken') expect(e.irqMasked).toBe(false);
  }
  for (let i = 1; i < events.length; i++) expect(events[i].timeUs).toBeGreaterThanOrEqual(events[i - 1].timeUs);
}

/** Per CPU, acknowledges and EOIs must nest like brackets (EOImode 0, nesting allowed). */
function checkAckEoiNesting(events: TraceEvent[]): void {
  const stacks = new Map<number, number[]>();
  for (const e of events) {
    const s = stacks.get(e.cpu) ?? [];
    stacks.set(e.cpu, s);
    if (e.kind === 'irq-taken') s.push(e.intid);
    if (e.kind === 'eoi') expect([e.cpu, e.intid]).toEqual([e.cpu, s.pop()]);
  }
  for (const [cpu, s] of stacks) expect([cpu, s]).toEqual([cpu, []]);
}

test('run --help lists --gic-trace', async () => {
  const r = await runProcess(process.execPath, [BIN, 'run', '--help'], 30_000, ROOT);
  expect(r.stdout.toString()).toContain('--gic-trace');
});

test('without --gic-trace nothing is traced', async () => {
  const { events } = await run('gic_nmi', 1, []);
  expect(events).toEqual([]);
});

test('gic_nmi: the acknowledges traced are the interrupts the guest logged, with their priorities', async () => {
  // --log-level silent: the trace does not depend on the log level.
  const { stdout, events } = await run('gic_nmi', 1, ['--gic-trace', '--log-level', 'silent']);
  checkShape(events);
  checkAckEoiNesting(events);
  const logged: number[] = [];
  for (const line of stdout.split('\n')) {
    if (!/^(order|events):/.test(line)) continue;
    for (const m of line.matchAll(/irq-el1h (\d+)/g)) logged.push(Number(m[1]));
  }
  expect(logged.length).toBeGreaterThan(10);
  expect(events.filter((e) => e.kind === 'irq-taken').map((e) => e.intid)).toEqual(logged);
  // Priorities as gic_nmi configures them: the NMI SGIs 1 and 4 at 0x20, SGI 2 at 0xa0, SGI 3 at 0x60.
  const prioOf = new Map(events.map((e) => [e.intid, e.prio]));
  expect([1, 2, 3, 4, 30].map((i) => prioOf.get(i))).toEqual([0x20, 0xa0, 0x60, 0x20, 0x20]);
  // The first round: the NMI is sent and taken before the ordinary SGIs are even sent.
  expect(events.slice(0, 5).map((e) => `${e.kind} ${e.intid}`)).toEqual(['sgi-sent 1', 'irq-taken 1', 'eoi 1', 'sgi-sent 2', 'sgi-sent 3']);
  expect(events[0]).toMatchObject({ cpu: 0, target: 0 });
  expect(events.some((e) => e.kind === 'dir')).toBe(false); // gic_nmi runs with EOImode 0
});

test('gic_sgi on 4 CPUs: every send names its sender and exactly the intended targets, and is acknowledged there', async () => {
  const { events } = await run('gic_sgi', 4, ['--gic-trace']);
  checkShape(events);
  checkAckEoiNesting(events);
  const sends = (intid: number): string[] =>
    events.filter((e) => e.kind === 'sgi-sent' && e.intid === intid).map((e) => `${e.cpu}->${e.target}`);
  expect(sends(0)).toEqual(['0->0']);
  expect(sends(1)).toEqual(['0->3']);
  expect(sends(2)).toEqual(['0->1', '0->2', '0->3']);
  expect(sends(4)).toEqual(['0->1', '0->2', '0->3']); // IRM from cpu0
  expect(sends(5)).toEqual(['3->0', '3->1', '3->2']); // IRM from cpu3
  expect(sends(7)).toEqual([]); // Aff1 = 16: no such CPUs
  expect(sends(10)).toEqual([]); // SGI0R to a Group 1 SGI is dropped
  expect(sends(11)).toEqual(['0->2']); // odd CPUs have SGI 11 in Group 0
  expect(sends(12)).toEqual(['0->1', '0->3', '0->1', '0->3']); // SGI0R then ASGI1R: Group 0, odd CPUs
  // Round-ups: IRQ SGI 13 at 0xa0 and NMI SGI 14 at 0x20 to the three others, twice.
  for (const [intid, prio] of [[13, 0xa0], [14, 0x20]]) {
    const s = events.filter((e) => e.kind === 'sgi-sent' && e.intid === intid);
    expect(s.map((e) => `${e.cpu}->${e.target} ${e.prio}`)).toEqual(
      [1, 2, 3, 1, 2, 3].map((c) => `0->${c} ${prio}`),
    );
  }
  // Every send is acknowledged on its target afterwards.
  for (const [i, e] of events.entries()) {
    if (e.kind !== 'sgi-sent') continue;
    const acked = events.slice(i + 1).some((a) => a.kind === 'irq-taken' && a.cpu === e.target && a.intid === e.intid);
    expect([e, acked]).toEqual([e, true]);
  }
});
