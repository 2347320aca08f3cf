/**
 * `make bench`: kgdb-lab side by side with QEMU (TCG and its gdbstub) on this machine, in one
 * run, on the same guest images — the table of issue 8 (rows 1–7: ours, QEMU, ratio, goal).
 *
 * Run: `npx ts-node --transpile-only bench/bench.ts [--runs N] [--rows 1,2,3,...] [--sizes 4,64,256]`
 * from the repository root (after `make build` and `make -C guest bench`; `make bench` does both).
 *
 * Writes bench/results/bench-<ISO time>.json: every row's figures and raw measurements, the
 * machine (OS, CPU model, cores, load average at start and end), Node, QEMU and gdb versions
 * and the git commit, so later runs can be compared. See bench/README.md for each method.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { computeRow } from './compute';
import { bulkRead, gdbScaleRow, type ScaleResult, type ScaleRuns } from './gdb-rows';
import { IDLE_SECONDS, idleCost, startUp } from './process-rows';
import { attempt, type Row } from './row';
import { breakIn, echoFloor, packetRoundTrip } from './rsp-rows';
import { QEMU, ROOT, killChildren } from './targets';

const RESULTS = path.join(ROOT, 'bench', 'results');

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return 'unknown (no commit)';
  }
}

function version(cmd: string): string {
  try {
    return execFileSync(cmd, ['--version']).toString().split('\n')[0];
  } catch {
    return 'unavailable';
  }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function fmt(v: number | undefined): string {
  if (v === undefined) return 'n/a';
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toPrecision(3);
}

/** ours/QEMU for higher-is-better figures, QEMU/ours otherwise: > 1 means we are better (the table prints its inverse as "N x worse" below 1). */
function advantage(r: Row): number | undefined {
  if (r.ours === undefined || r.qemu === undefined || r.ours === 0 || r.qemu === 0) return undefined;
  return r.better === 'higher' ? r.ours / r.qemu : r.qemu / r.ours;
}

/** `min–max s` of a row-2 result's sessions, or `?`. */
function range(r: ScaleRuns | undefined): string {
  if (!r) return '?';
  const t = r.sessions.map((x) => x.seconds);
  return `${fmt(Math.min(...t))}-${fmt(Math.max(...t))} s`;
}

function printTable(rows: Row[]): void {
  const head = ['row', 'what', 'unit', 'kgdb-lab', 'QEMU', 'ours vs QEMU', 'goal', 'met'];
  const body = rows.map((r) => {
    const a = advantage(r);
    return [r.id, r.what, r.unit, fmt(r.ours), fmt(r.qemu), a === undefined ? 'n/a' : a >= 1 ? `${a.toFixed(2)}x better` : `${(1 / a).toFixed(2)}x worse`, r.goal, r.met === undefined ? 'n/a' : r.met ? 'yes' : 'NO'];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}

async function main(): Promise<void> {
  const runs = Number(arg('--runs') ?? 3);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs needs a whole number >= 1');
  const want = new Set((arg('--rows') ?? '1,2,3,4,5,6,7').split(','));
  const sizes = (arg('--sizes') ?? '4,64,256').split(',').map(Number);
  const log = (s: string): void => console.log(`bench: ${s}`);
  const notes: string[] = [];
  const rows: Row[] = [];
  const t0 = performance.now();
  const push = (r: Row): void => {
    rows.push(r);
    log(`row ${r.id} (at ${((performance.now() - t0) / 1000).toFixed(0)} s of the run): kgdb-lab ${fmt(r.ours)} ${r.unit}, QEMU ${fmt(r.qemu)} ${r.unit}`);
  };
  const loadStart = os.loadavg();
  const started = new Date();

  if (want.has('1')) {
    const r = await attempt('row 1', () => computeRow(runs, log), notes);
    if (r) push(r);
  }
  if (want.has('2')) {
    for (const n of sizes) {
      log(`row 2: ${n} CPUs`);
      const { ours, qemu, floor } = await gdbScaleRow(n, notes);
      push({
        id: `2/${n}`,
        what: `gdb Ctrl-C to end of thread apply all bt, ${n} CPUs (median session; range here ${range(ours)}, on QEMU ${range(qemu)})`,
        unit: 's',
        ours: ours?.seconds,
        qemu: qemu?.seconds,
        better: 'lower',
        goal: '<= QEMU',
        met: ours && qemu ? ours.seconds <= qemu.seconds : undefined,
        detail: { ours, qemu },
      });
      // Where each machine happened to stop the CPUs decides how deep their stacks are (QEMU
      // stops a CPU anywhere, even in an exception vector where the unwind ends early; kgdb
      // shows the interrupted context), so the frames printed differ and the time per frame
      // is the like-for-like figure.
      const perFrame = (r: ScaleResult | undefined): number | undefined => (r && r.frames > 0 ? (r.seconds * 1000) / r.frames : undefined);
      push({
        id: `2/${n}/frame`,
        what: `the same, ms per frame printed (${ours?.frames ?? '?'} frames here, ${qemu?.frames ?? '?'} on QEMU; backtraces cut short: ${ours?.brokenStacks ?? '?'} here, ${qemu?.brokenStacks ?? '?'} on QEMU)`,
        unit: 'ms',
        ours: perFrame(ours),
        qemu: perFrame(qemu),
        better: 'lower',
        goal: '(reported)',
        detail: {},
      });
      // The least any stub can take to show our stacks (bench/replay.ts): gdb against a C
      // stub that answers from a recorded session of ours and does nothing else.
      push({
        id: `2/${n}/floor`,
        what:
          `floor: the same gdb session against a stub that does no work, replaying a recorded session of ours (${floor?.frames ?? '?'} frames; range ${range(floor)}), ` +
          `in the kgdb-lab column, beside QEMU's: the least any stub showing kgdb's stacks can take; ours takes ${ours && floor ? (ours.seconds / floor.seconds).toFixed(2) : '?'}x it`,
        unit: 's',
        ours: floor?.seconds,
        qemu: qemu?.seconds,
        better: 'lower',
        goal: '(reported)',
        detail: { floor },
      });
    }
  }
  if (want.has('3')) {
    log('row 3: packet round trip');
    const echo = await attempt('row 3 (echo floor)', echoFloor, notes);
    const ours = await attempt('row 3 (kgdb-lab)', () => packetRoundTrip('ours'), notes);
    const qemu = await attempt('row 3 (QEMU)', () => packetRoundTrip('qemu'), notes);
    push({
      id: '3',
      what: `m of 8 bytes, median round trip (echo floor ${fmt(echo?.medianUs)} us)`,
      unit: 'us',
      ours: ours?.medianUs,
      qemu: qemu?.medianUs,
      better: 'lower',
      goal: '<= 2x echo floor',
      met: ours && echo ? ours.medianUs <= 2 * echo.medianUs : undefined,
      detail: { echo, ours, qemu },
    });
    push({
      id: '3/p99',
      what: `m of 8 bytes, 99th percentile (echo floor ${fmt(echo?.p99Us)} us)`,
      unit: 'us',
      ours: ours?.p99Us,
      qemu: qemu?.p99Us,
      better: 'lower',
      goal: '(reported)',
      detail: {},
    });
  }
  if (want.has('4')) {
    log('row 4: 1 MiB dump binary memory');
    const ours = await attempt('row 4 (kgdb-lab)', () => bulkRead('ours'), notes);
    const qemu = await attempt('row 4 (QEMU)', () => bulkRead('qemu'), notes);
    push({
      id: '4',
      what: 'gdb dump binary memory, 1 MiB',
      unit: 's',
      ours: ours?.seconds,
      qemu: qemu?.seconds,
      better: 'lower',
      goal: '< QEMU',
      met: ours && qemu ? ours.seconds < qemu.seconds : undefined,
      detail: { ours, qemu },
    });
  }
  if (want.has('5')) {
    log('row 5: break-in latency');
    const ours = await attempt('row 5 (kgdb-lab)', () => breakIn('ours'), notes);
    const qemu = await attempt('row 5 (QEMU)', () => breakIn('qemu'), notes);
    push({
      id: '5',
      what: 'Ctrl-C (0x03) to stop reply, 4 CPUs (ours: NMI roundup)',
      unit: 'ms',
      ours: ours?.medianMs,
      qemu: qemu?.medianMs,
      better: 'lower',
      goal: '< 20 ms',
      met: ours ? ours.medianMs < 20 : undefined,
      detail: { ours, qemu },
    });
  }
  if (want.has('6')) {
    log(`row 6: idle cost over ${IDLE_SECONDS} s`);
    const ours = await attempt('row 6 (kgdb-lab)', () => idleCost('ours'), notes);
    const qemu = await attempt('row 6 (QEMU)', () => idleCost('qemu'), notes);
    push({
      id: '6',
      what: `host CPU, 4 CPUs all in WFI, ${IDLE_SECONDS} s (guest NO_HZ idle)`,
      unit: '% core',
      ours,
      qemu,
      better: 'lower',
      goal: '< 2 %',
      met: ours !== undefined ? ours < 2 : undefined,
      detail: { ours, qemu },
    });
    // The same with the guest's periodic tick kept in idle (nohz=off): 4 CPUs x 100 Hz, one grid.
    const oursP = await attempt('row 6/periodic (kgdb-lab)', () => idleCost('ours', true), notes);
    const qemuP = await attempt('row 6/periodic (QEMU)', () => idleCost('qemu', true), notes);
    push({
      id: '6/periodic',
      what: `the same, guest ticking in idle (nohz=off)`,
      unit: '% core',
      ours: oursP,
      qemu: qemuP,
      better: 'lower',
      goal: '(reported)',
      met: undefined,
      detail: { ours: oursP, qemu: qemuP },
    });
  }
  if (want.has('7')) {
    log('row 7: start-up');
    const ours = await attempt('row 7 (kgdb-lab)', () => startUp('ours'), notes);
    const qemu = await attempt('row 7 (QEMU)', () => startUp('qemu'), notes);
    push({
      id: '7',
      what: 'process start to listening for gdb',
      unit: 'ms',
      ours: ours?.medianMs,
      qemu: qemu?.medianMs,
      better: 'lower',
      goal: '< 1000 ms',
      met: ours ? ours.medianMs < 1000 : undefined,
      detail: { ours, qemu },
    });
  }

  console.log('');
  printTable(rows);
  for (const n of notes) console.log(`not measured: ${n}`);
  const loadEnd = os.loadavg();
  console.log(`load average (1 min) at start ${loadStart[0].toFixed(2)}, at end ${loadEnd[0].toFixed(2)} on ${os.cpus().length} cores`);

  const result = {
    benchmark: 'kgdb-lab vs QEMU (issue 8 table)',
    date: started.toISOString(),
    commit: gitCommit(),
    machine: {
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryMiB: Math.round(os.totalmem() / 2 ** 20),
      loadAverageStart: loadStart,
      loadAverageEnd: loadEnd,
    },
    node: process.version,
    qemu: version(QEMU),
    gdb: version('gdb-multiarch'),
    rows,
    notMeasured: notes,
  };
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `bench-${result.date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${path.relative(ROOT, file)}`);
}

// An interrupted bench ends the machines, gdbs and stubs it started (row 2 holds some with SIGSTOP).
for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    killChildren();
    process.exit(status);
  });
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
