/**
 * `kgdb-lab run --gic-trace`: one JSON line per GIC event on stderr (src/machine/gic/trace.ts),
 * whatever the log level. Checked against what the guest programs themselves report:
 * gic_nmi logs every interrupt it takes, so the trace's acknowledges must be exactly that
 * sequence; gic_sgi on 4 CPUs sends SGIs whose targets are known, so the trace's sends must
 * name exactly those targets and senders, and each must be acknowledged and EOId there.
 */
import { buildGuestTests, ROOT, testElf } from '../helpers/guest-build';
import { BIN, emulatorProblem, kgdbLabArgs } from '../helpers/kgdb-lab';
import { runProcess } from '../helpers/process';

interface TraceEvent {
  timeNs: number;
  cpu: number;
  kind: 'sgi-send' | 'ack' | 'eoi' | 'dir';
  intid: number;
  prio: number;
  sender?: number;
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

/** Shape: exactly the documented fields, numbers where numbers belong, sender only on sends. */
function checkShape(events: TraceEvent[]): void {
  for (const e of events) {
    const keys = Object.keys(e);
    const want = ['timeNs', 'cpu', 'kind', 'intid', 'prio', ...(e.kind === 'sgi-send' ? ['sender'] : [])];
    expect(keys).toEqual(want);
    expect(['sgi-send', 'ack', 'eoi', 'dir']).toContain(e.kind);
    for (const k of ['timeNs', 'cpu', 'intid', 'prio'] as const) expect(Number.isInteger(e[k])).toBe(true);
  }
  for (let i = 1; i < events.length; i++) expect(events[i].timeNs).toBeGreaterThanOrEqual(events[i - 1].timeNs);
}

/** Per CPU, acknowledges and EOIs must nest like brackets (EOImode 0, nesting allowed). */
function checkAckEoiNesting(events: TraceEvent[]): void {
  const stacks = new Map<number, number[]>();
  for (const e of events) {
    const s = stacks.get(e.cpu) ?? [];
    stacks.set(e.cpu, s);
    if (e.kind === 'ack') s.push(e.intid);
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
  expect(events.filter((e) => e.kind === 'ack').map((e) => e.intid)).toEqual(logged);
  // Priorities as gic_nmi configures them: the NMI SGIs 1 and 4 at 0x20, SGI 2 at 0xa0, SGI 3 at 0x60.
  const prioOf = new Map(events.map((e) => [e.intid, e.prio]));
  expect([1, 2, 3, 4, 30].map((i) => prioOf.get(i))).toEqual([0x20, 0xa0, 0x60, 0x20, 0x20]);
  // The first round: the NMI is sent and taken before the ordinary SGIs are even sent.
  expect(events.slice(0, 5).map((e) => `${e.kind} ${e.intid}`)).toEqual(['sgi-send 1', 'ack 1', 'eoi 1', 'sgi-send 2', 'sgi-send 3']);
  expect(events[0]).toMatchObject({ cpu: 0, sender: 0 });
  expect(events.some((e) => e.kind === 'dir')).toBe(false); // gic_nmi runs with EOImode 0
});

test('gic_sgi on 4 CPUs: every send names its sender and exactly the intended targets, and is acknowledged there', async () => {
  const { events } = await run('gic_sgi', 4, ['--gic-trace']);
  checkShape(events);
  checkAckEoiNesting(events);
  const sends = (intid: number): string[] =>
    events.filter((e) => e.kind === 'sgi-send' && e.intid === intid).map((e) => `${e.sender}->${e.cpu}`);
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
    const s = events.filter((e) => e.kind === 'sgi-send' && e.intid === intid);
    expect(s.map((e) => `${e.sender}->${e.cpu} ${e.prio}`)).toEqual(
      [1, 2, 3, 1, 2, 3].map((c) => `0->${c} ${prio}`),
    );
  }
  // Every send is acknowledged on its target afterwards.
  for (const [i, e] of events.entries()) {
    if (e.kind !== 'sgi-send') continue;
    const acked = events.slice(i + 1).some((a) => a.kind === 'ack' && a.cpu === e.cpu && a.intid === e.intid);
    expect([e, acked]).toEqual([e, true]);
  }
});
