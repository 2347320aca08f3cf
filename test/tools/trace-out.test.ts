/**
 * `--trace-out FILE`: the roundups as Trace Event JSON (the format ui.perfetto.dev and
 * chrome://tracing open), for the hardlockup scenario with the pseudo-NMI roundup and with
 * the regular-IPI fallback. Checked: the fields the format requires, one named track per
 * CPU, flow arrows that pair an `s` with an `f`, and what each mode shows of CPU 2 (spinning
 * with IRQs off in spin_lock_irqsave()).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assertGdbOk, killAll, runGdb } from '../helpers/gdb';
import { READY_LINE, killServes, spawnServe } from './serve-process';
import { STEADY } from '../helpers/bundled-kernel';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kgdb-lab-trace-'));
});
afterEach(async () => {
  await killAll();
  await killServes();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Ev {
  ph: string;
  name: string;
  cat?: string;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  s?: string;
  id?: number;
  bp?: string;
  args?: Record<string, unknown>;
}

/** Problems with the Trace Event format itself (Trace Event Format doc; Perfetto's JSON importer). */
function formatProblems(trace: { traceEvents?: unknown; displayTimeUnit?: unknown }, cpus: number): string[] {
  const p: string[] = [];
  if (!Array.isArray(trace.traceEvents)) return ['traceEvents is not an array'];
  if (trace.displayTimeUnit !== 'ms' && trace.displayTimeUnit !== 'ns') p.push(`displayTimeUnit ${String(trace.displayTimeUnit)}`);
  const evs = trace.traceEvents as Ev[];
  for (const e of evs) {
    const where = JSON.stringify(e);
    if (!['X', 'i', 's', 'f', 'M'].includes(e.ph)) p.push(`unknown ph in ${where}`);
    if (typeof e.name !== 'string' || !Number.isInteger(e.pid) || !Number.isInteger(e.tid)) p.push(`name/pid/tid missing in ${where}`);
    if (e.ph === 'M') continue;
    if (typeof e.ts !== 'number' || !(e.ts >= 0)) p.push(`ts missing in ${where}`);
    if (e.ph === 'X' && !(typeof e.dur === 'number' && e.dur > 0)) p.push(`X without dur in ${where}`);
    if (e.ph === 'i' && e.s !== 't') p.push(`instant without thread scope in ${where}`);
    if ((e.ph === 's' || e.ph === 'f') && !Number.isInteger(e.id)) p.push(`flow without id in ${where}`);
    if (e.tid < 0 || e.tid >= cpus) p.push(`event off the CPU tracks in ${where}`);
  }
  const names = evs.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, e.args?.name]);
  if (JSON.stringify(names) !== JSON.stringify(Array.from({ length: cpus }, (_, c) => [c, `CPU#${c}`]))) p.push(`thread names ${JSON.stringify(names)}`);
  // Flows: each id one `s` and one `f` (bound to the enclosing slice), same name and category, not backwards in time.
  const byId = new Map<number, Ev[]>();
  for (const e of evs) if (e.ph === 's' || e.ph === 'f') byId.set(e.id as number, [...(byId.get(e.id as number) ?? []), e]);
  for (const [id, pair] of byId) {
    const [s, f] = pair;
    if (pair.length !== 2 || s.ph !== 's' || f.ph !== 'f' || f.bp !== 'e' || s.name !== f.name || s.cat !== f.cat || (f.ts as number) < (s.ts as number)) {
      p.push(`flow ${id} not a pair: ${JSON.stringify(pair)}`);
    }
  }
  return p;
}

async function traceOf(roundup: 'nmi' | 'ipi') {
  const file = path.join(dir, `roundup-${roundup}.json`);
  const s = spawnServe(['--port', '0', '--once', '--scenario', 'hardlockup', '--roundup', roundup, '--roundup-timeout', '200', '--trace-out', file]);
  const port = Number((await s.waitFor('ready line', () => READY_LINE.exec(s.stderr()) ?? undefined))[1].split(':')[1]);
  await s.waitFor('steady line', () => (STEADY.test(s.stdout()) ? true : undefined));
  const r = await runGdb({ port, commands: ['info threads', 'detach'] });
  assertGdbOk(r);
  expect(await s.exited).toEqual({ status: 0, signal: null });
  return JSON.parse(fs.readFileSync(file, 'utf8')) as { traceEvents: Ev[]; displayTimeUnit: string; otherData: Record<string, unknown> };
}

test.each(['nmi', 'ipi'] as const)('hardlockup --roundup %s: valid Trace Event JSON, one track per CPU, paired flows', async (roundup) => {
  const trace = await traceOf(roundup);
  expect(formatProblems(trace, 4)).toEqual([]);
  expect(trace.otherData).toMatchObject({ roundup, scenario: 'hardlockup' });
  const evs = trace.traceEvents;
  const on = (cpu: number, name: RegExp) => evs.filter((e) => e.tid === cpu && e.ph !== 'M' && name.test(e.name));
  // The master (CPU 0, which takes the UART's SysRq) sends one SGI to each other CPU.
  expect(on(0, /^SGI sent → CPU \d$/).map((e) => e.args?.target)).toEqual([1, 2, 3]);
  expect(on(0, /^in debugger: master$/)).toHaveLength(1);
  expect(on(0, /^released$/)).toHaveLength(1);
  const flowsTo = evs.filter((e) => e.ph === 'f').map((e) => e.tid);
  if (roundup === 'nmi') {
    expect(flowsTo).toEqual([1, 2, 3]);
    for (const cpu of [1, 2, 3]) {
      expect(on(cpu, /^interrupt taken INTID \d+ \(nmi\)$/)).toHaveLength(1);
      expect(on(cpu, /^in debugger: slave$/)).toHaveLength(1);
    }
    expect(evs.some((e) => e.name === 'timed out')).toBe(false);
  } else {
    // CPU 2 spins with IRQs off: the IPI never arrives, the master times out.
    expect(flowsTo).toEqual([1, 3]);
    expect(on(2, /./)).toEqual([]);
    expect(on(0, /^timed out$/).map((e) => e.args?.cpus)).toEqual([[2]]);
    for (const cpu of [1, 3]) expect(on(cpu, /^interrupt taken INTID \d+ \(irq\)$/)).toHaveLength(1);
  }
  // Machine time in µs: the roundup takes microseconds (NMI) or the 200 ms timeout (IPI).
  const [entry] = on(0, /^in debugger: master$/);
  const [release] = on(0, /^released$/);
  const timeout = on(0, /^timed out$/)[0];
  if (timeout) expect((timeout.ts as number) - (entry.ts as number)).toBeCloseTo(200_000, -1);
  expect(release.ts as number).toBeGreaterThan(entry.ts as number);
});
