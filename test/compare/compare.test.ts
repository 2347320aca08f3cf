/**
 * `kgdb-lab compare` (issue 6) on every scenario of the bundled guest, 4 CPUs, through the
 * compiled CLI: which CPUs each roundup mode reached, when, or why not, and what each CPU
 * was doing. Every run is under --icount, so the facts are functions of the instruction
 * stream. Each scenario runs once with --json; the same facts are then checked in the
 * table (src/compare/table.ts renders the table the CLI prints from the same report), and
 * the CLI's own table output is checked on hardlockup.
 */
import * as path from 'path';
import * as fs from 'fs';
import * as os from 'os';
import { ROOT } from '../helpers/guest-build';
import { BIN, emulatorProblem } from '../helpers/kgdb-lab';
import { runProcess } from '../helpers/process';
import { renderTable } from '../../src/compare/table';
import type { CompareReport, CpuModeFacts, RoundupMode } from '../../src/compare/report';

async function compare(args: string[], timeoutMs = 100_000): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const problem = emulatorProblem();
  if (problem) throw new Error(problem);
  const r = await runProcess(process.execPath, [BIN, 'compare', ...args], timeoutMs, ROOT);
  return { status: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr };
}

async function compareJson(args: string[]): Promise<CompareReport> {
  const r = await compare([...args, '--json']);
  if (r.status !== 0) throw new Error(`kgdb-lab compare ${args.join(' ')} --json: status ${r.status}\n${r.stderr}`);
  return JSON.parse(r.stdout) as CompareReport;
}

/** [cpu, outcome] for one mode. */
function outcomes(r: CompareReport, mode: RoundupMode): [number, string][] {
  return r.rows.map((row) => [row.cpu, row[mode].outcome]);
}

/** The table's row for a CPU, split into its columns (two or more spaces apart). */
function tableRow(table: string, cpu: number): string[] {
  const line = table.split('\n').find((l) => new RegExp(`^${cpu}\\s{2,}`).test(l));
  if (!line) throw new Error(`no row for CPU ${cpu} in:\n${table}`);
  return line.split(/\s{2,}/);
}

/** Each mode's roundup column of the table agrees with the JSON facts. */
function expectTableAgrees(r: CompareReport): void {
  const table = renderTable(r);
  for (const row of r.rows) {
    const cols = tableRow(table, row.cpu);
    const cell = (f: CpuModeFacts): RegExp =>
      f.outcome === 'master' ? /^master$/ : f.outcome === 'rounded-up' ? new RegExp(`^${f.takenAs!.toUpperCase()} after `) : f.outcome === 'arrived-late' ? /^late, after / : /^NOT rounded up$/;
    expect({ cpu: row.cpu, nmi: cols[3] }).toEqual({ cpu: row.cpu, nmi: expect.stringMatching(cell(row.nmi)) });
    expect({ cpu: row.cpu, ipi: cols[4] }).toEqual({ cpu: row.cpu, ipi: expect.stringMatching(cell(row.ipi)) });
    expect(cols[1].split(' / ')[0]).toBe(row.nmi.doing.function);
  }
  for (const row of r.rows)
    for (const mode of ['nmi', 'ipi'] as const)
      if (row[mode].why) expect(table).toContain(`CPU ${row.cpu}, ${mode.toUpperCase()} run: ${row[mode].why}`);
}

const ALL_IN: [number, string][] = [
  [0, 'master'],
  [1, 'rounded-up'],
  [2, 'rounded-up'],
  [3, 'rounded-up'],
];

describe('compare on every scenario, 4 CPUs', () => {
  test('hardlockup: the pseudo-NMI reaches the CPU spinning with IRQs masked by PMR; the fallback does not (PSTATE.I)', async () => {
    const r = await compareJson(['--scenario', 'hardlockup']);
    expect(r.modes.nmi.breakInUs).toBe(r.modes.ipi.breakInUs);
    expect(r.breakInUs).toBe(r.modes.nmi.breakInUs);
    expect(outcomes(r, 'nmi')).toEqual(ALL_IN);
    expect(outcomes(r, 'ipi')).toEqual([
      [0, 'master'],
      [1, 'rounded-up'],
      [2, 'not-rounded-up'],
      [3, 'rounded-up'],
    ]);
    const cpu2 = r.rows[2];
    expect(cpu2.nmi).toMatchObject({ takenAs: 'nmi', doing: { function: '_raw_spin_lock_irqsave', irqsMaskedBy: 'PMR', source: 'interrupt' } });
    expect(cpu2.ipi).toMatchObject({ takenAs: null, arrivedUs: null, doing: { function: '_raw_spin_lock_irqsave', irqsMaskedBy: 'PSTATE.I', source: 'real-registers' } });
    expect(cpu2.ipi.why).toMatch(/^IRQs masked by PSTATE\.I.*timed out after 1000 ms/);
    expect(cpu2.nmi.frames.map((f) => f.function)).toContain('deadlock_on_leaked_lock');
    expect(cpu2.ipi.frames.map((f) => f.function)).toContain('deadlock_on_leaked_lock');
    // The master was doing its workload when the UART interrupt (SysRq-g) came.
    expect(r.rows[0].nmi.doing.source).toBe('interrupt');
    expect(r.rows[0].nmi.frames.map((f) => f.function)).toContain('busy_compute_loop');
    expect(r.rows[1].ipi.takenAs).toBe('irq');
    expect(r.modes.nmi).toMatchObject({ timedOutUs: null, notRoundedUp: [], masterCpu: 0, stopReason: 'SysRq-g break-in' });
    expect(r.modes.ipi).toMatchObject({ notRoundedUp: [2], arrivedLate: [] });
    expect(r.modes.ipi.timedOutUs! - r.modes.ipi.enteredUs!).toBeCloseTo(1_000_000, -3);
    expect(r.modes.ipi.console.join('\n')).toMatch(/KGDB: Timed out waiting for secondary CPUs\./);
    // The roundup in events: the SGI to CPU 2 was sent in both modes, taken only with NMI.
    const sgiTo2 = (m: RoundupMode) => r.modes[m].events.filter((e) => e.kind === 'sgi-sent' && e.target === 2).length;
    expect([sgiTo2('nmi'), sgiTo2('ipi')]).toEqual([1, 1]);
    expect(r.modes.ipi.events.some((e) => e.kind === 'timed-out' && e.cpus?.includes(2))).toBe(true);
    expect(r.modes.ipi.releasedUs).not.toBeNull();
    expectTableAgrees(r);
  });

  test('hardlockup: the CLI table names the same facts', async () => {
    const r = await compare(['--scenario', 'hardlockup']);
    expect(r.status).toBe(0);
    expect(tableRow(r.stdout, 2).slice(2, 5)).toEqual(['PMR / PSTATE.I', expect.stringMatching(/^NMI after \d/), 'NOT rounded up']);
    expect(r.stdout).toMatch(/^regular-IPI fallback .*not rounded up: CPU 2; timed out after 1\.000 s$/m);
    expect(r.stdout).toMatch(/^CPU 2, IPI run: IRQs masked by PSTATE\.I.* it was at _raw_spin_lock_irqsave\+0x[0-9a-f]+\/0x[0-9a-f]+ \(real registers, outside kgdb's view\)$/m);
  });

  test('--cpus 1: the table header and the HTML title say "1 CPU"', async () => {
    const html = path.join(os.tmpdir(), `kgdb-lab-compare-1cpu-${process.pid}.html`);
    try {
      const r = await compare(['--scenario', 'hardlockup', '--cpus', '1', '--html', html]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^kgdb-lab compare: scenario hardlockup, 1 CPU, --icount/m);
      expect(r.stdout).not.toMatch(/\b1 CPUs\b/);
      expect(fs.readFileSync(html, 'utf8')).toMatch(/<title>kgdb-lab compare: hardlockup, 1 CPU<\/title>/);
    } finally {
      fs.rmSync(html, { force: true });
    }
  });

  test("daifmasked: PSTATE.I keeps out even the pseudo-NMI", async () => {
    const r = await compareJson(['--scenario', 'daifmasked', '--roundup-timeout', '200', '--linger', '0']);
    for (const mode of ['nmi', 'ipi'] as const) {
      expect(outcomes(r, mode)).toEqual([
        [0, 'master'],
        [1, 'rounded-up'],
        [2, 'not-rounded-up'],
        [3, 'rounded-up'],
      ]);
      expect(r.rows[2][mode]).toMatchObject({ doing: { function: 'spin_with_daif_masked', irqsMaskedBy: 'PSTATE.I', source: 'real-registers' } });
      expect(r.rows[2][mode].why).toMatch(/PSTATE\.I/);
    }
    expect(r.rows[2].nmi.why).toMatch(/not even the pseudo-NMI/);
    expectTableAgrees(r);
  });

  test('late: the fallback reaches the CPU after the timeout, while the debugger is still stopped', async () => {
    const r = await compareJson(['--scenario', 'late', '--linger', '2500']);
    expect(outcomes(r, 'nmi')).toEqual(ALL_IN);
    expect(outcomes(r, 'ipi')).toEqual([
      [0, 'master'],
      [1, 'rounded-up'],
      [2, 'arrived-late'],
      [3, 'rounded-up'],
    ]);
    expect(r.modes.ipi.arrivedLate).toEqual([2]);
    const late = r.rows[2].ipi;
    expect(late.arrivedUs!).toBeGreaterThan(r.modes.ipi.timedOutUs!);
    expect(late.why).toMatch(/timed out after 1000 ms; arrived \d+ ms after the timeout/);
    expect(r.rows[2].nmi.doing.irqsMaskedBy).toBe('PMR');
    expect(r.rows[2].ipi.doing.irqsMaskedBy).toBe('PSTATE.I');
    expectTableAgrees(r);
  });

  test.each([
    ['softlockup', 'spin_with_irqs_on', 'none'],
    ['breakpoint', 'breakpoint_after_a_while', 'none'],
    ['idle', 'do_idle', undefined],
    ['oops-undef', 'fault_after_a_while', 'none'],
    ['oops-abort', 'fault_after_a_while', 'none'],
    ['oops-align', 'fault_after_a_while', 'none'],
  ] as const)('%s: every CPU rounded up in both modes; CPU 2 in %s', async (scenario, fn, mask) => {
    const r = await compareJson(['--scenario', scenario]);
    expect(outcomes(r, 'nmi')).toEqual(ALL_IN);
    expect(outcomes(r, 'ipi')).toEqual(ALL_IN);
    for (const mode of ['nmi', 'ipi'] as const) {
      expect(r.rows[2][mode].frames.map((f) => f.function)).toContain(fn);
      if (mask) expect(r.rows[2][mode].doing.irqsMaskedBy).toBe(mask);
      expect(r.modes[mode]).toMatchObject({ timedOutUs: null, stopReason: 'SysRq-g break-in' });
      for (const row of r.rows.slice(1)) expect(row[mode].takenAs).toBe(mode === 'nmi' ? 'nmi' : 'irq');
    }
    expectTableAgrees(r);
  });

  test('breakpoint with a late --after: the guest enters kgdb on its own first, and that stop is compared', async () => {
    const r = await compareJson(['--scenario', 'breakpoint', '--after', '1500']);
    for (const mode of ['nmi', 'ipi'] as const) {
      expect(r.modes[mode]).toMatchObject({ masterCpu: 2, stopReason: 'kgdb_breakpoint()' });
      expect(r.modes[mode].enteredUs!).toBeLessThan(r.modes[mode].breakInUs);
      expect(r.rows[2][mode]).toMatchObject({ outcome: 'master', doing: { function: 'kgdb_breakpoint', source: 'debug-exception' } });
    }
    expect(outcomes(r, 'nmi').map(([, o]) => o)).toEqual(['rounded-up', 'rounded-up', 'master', 'rounded-up']);
  });

  test('--timeout halts both machines and exits 124 with one line', async () => {
    const r = await compare(['--scenario', 'daifmasked', '--timeout', '0.5']);
    expect(r.status).toBe(124);
    expect(r.stderr).toBe('kgdb-lab: timeout: gave up after 0.5 s of host time\n');
    expect(r.stdout).toBe('');
  });

  test('bad flags are one-line usage errors (exit 2) and nothing runs', async () => {
    const bad = await compare(['--scenario', 'nope']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const html = await compare(['--html', path.join(ROOT, 'no-such-dir', 'x.html')]);
    expect(html.status).toBe(2);
    expect(html.stderr).toMatch(/^kgdb-lab: --html .*cannot write in/);
  });
});
