/**
 * Unit tests of the pure parts of trace export and `--json` (src/debug/trace-export.ts,
 * src/cli/json-events.ts) on hand-written event streams: flow pairing when SGIs coalesce or
 * are never taken, slices still open at the end of the trace, and the roundup summary.
 */
import type { MachineEvent } from '../../src/machine/events';
import { roundupTrace } from '../../src/debug/trace-export';
import { JsonEvents, roundupSummary } from '../../src/cli/json-events';
import type { CpuRole } from '../../src/debug/kgdb-core';

const ev = (timeUs: number, cpu: number, kind: MachineEvent['kind'], extra: Partial<MachineEvent> = {}): MachineEvent => ({ timeUs, cpu, kind, ...extra });

test('flows pair each SGI with the acknowledge that answered it; coalesced and untaken sends get none', () => {
  const events = [
    ev(10, 0, 'entered-master', { signo: 2 }),
    ev(10, 0, 'sgi-sent', { target: 1, intid: 7, prio: 0x20 }),
    ev(10, 0, 'sgi-sent', { target: 1, intid: 7, prio: 0x20 }), // still pending: coalesces
    ev(10, 0, 'sgi-sent', { target: 2, intid: 7, prio: 0x20 }), // never taken
    ev(11, 1, 'irq-taken', { intid: 27, prio: 0xa0 }), // a timer PPI, not the SGI
    ev(12, 1, 'irq-taken', { intid: 7, prio: 0x20 }),
    ev(13, 1, 'entered-slave', { intid: 7, takenAs: 'nmi' }),
    ev(20, 0, 'timed-out', { cpus: [2] }),
  ];
  const t = roundupTrace(events, { cpus: 3, title: 't', endUs: 25 });
  const flows = t.traceEvents.filter((e) => e.ph === 's' || e.ph === 'f');
  expect(flows.map((e) => [e.ph, e.tid, e.ts, e.id])).toEqual([
    ['s', 0, 10, 2],
    ['f', 1, 12, 2],
  ]);
  const slices = t.traceEvents.filter((e) => e.ph === 'X').map((e) => [e.tid, e.name, e.ts, e.dur]);
  expect(slices).toEqual([
    [0, 'in debugger: master', 10, 15], // not released: open until endUs
    [0, 'SGI sent → CPU 1', 10, 0.001],
    [0, 'SGI sent → CPU 1', 10, 0.001],
    [0, 'SGI sent → CPU 2', 10, 0.001],
    [1, 'interrupt taken INTID 27 (irq)', 11, 0.001], // the next acknowledge comes before any entry
    [1, 'interrupt taken INTID 7 (nmi)', 12, 1],
    [1, 'in debugger: slave', 13, 12],
  ]);
  expect(t.traceEvents.filter((e) => e.ph === 'i').map((e) => [e.tid, e.name, e.args?.cpus])).toEqual([[0, 'timed out', [2]]]);
  expect(t.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args?.name)).toEqual(['CPU#0', 'CPU#1', 'CPU#2']);
});

test('slices end at the release', () => {
  const t = roundupTrace([ev(1, 0, 'entered-master'), ev(4, 0, 'released')], { cpus: 1, title: 't', endUs: 100 });
  expect(t.traceEvents.filter((e) => e.ph !== 'M').map((e) => [e.ph, e.name, e.ts, e.dur])).toEqual([
    ['X', 'in debugger: master', 1, 3],
    ['i', 'released', 4, undefined],
  ]);
});

test('the roundup summary: who is in, how, how late; powered-off CPUs in neither list', () => {
  const roles: CpuRole[] = ['master', 'slave', 'none', 'slave', 'none'];
  const s = roundupSummary({
    master: 0,
    cpuCount: 5,
    role: (c) => roles[c],
    describe: (c) => ['master', 'rounded up by NMI', 'not rounded up (IRQs masked, timed out)', 'arrived late', 'powered off'][c],
    isOnline: (c) => c !== 4,
    events: [
      ev(100, 0, 'entered-master'),
      ev(103.5, 1, 'entered-slave', { takenAs: 'nmi' }),
      ev(1100, 0, 'timed-out', { cpus: [2, 3] }),
      ev(2100.25, 3, 'arrived-late', { takenAs: 'irq' }),
    ],
  });
  expect(s).toEqual({
    master: 0,
    stopped: [0, 1, 3],
    notStopped: [2],
    timedOut: true,
    cpus: [
      { cpu: 0, role: 'master', state: 'master', latencyUs: 0 },
      { cpu: 1, role: 'slave', state: 'rounded up by NMI', takenAs: 'nmi', latencyUs: 3.5 },
      { cpu: 2, role: 'none', state: 'not rounded up (IRQs masked, timed out)' },
      { cpu: 3, role: 'slave', state: 'arrived late', takenAs: 'irq', latencyUs: 2000.25, late: true },
      { cpu: 4, role: 'none', state: 'powered off' },
    ],
  });
});

test('console bytes become one console event per line, split UTF-8 and partial lines included', () => {
  const lines: string[] = [];
  const j = new JsonEvents((l) => lines.push(l), () => 1500);
  const text = Buffer.from('µs one\r\ntwo\nthr', 'utf8');
  j.console(text.subarray(0, 1)); // half of "µ"
  j.console(text.subarray(1));
  j.flushConsole();
  expect(lines.map((l) => JSON.parse(l))).toEqual([
    { event: 'console', timeUs: 1.5, text: 'µs one' },
    { event: 'console', timeUs: 1.5, text: 'two' },
    { event: 'console', timeUs: 1.5, text: 'thr' },
  ]);
});
