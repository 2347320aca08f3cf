/**
 * Compute benchmark: kgdb-lab versus QEMU TCG on the same guest (bench/compute/compute.c).
 *
 * Run: `npx ts-node --transpile-only bench/bench.ts [--runs N]` from the repository root.
 *
 * Method (see bench/README.md):
 *  1. The guest brackets its compute region (recursive fib + sieve) with CNTVCT_EL0 reads
 *     and prints the elapsed ticks; CNTFRQ is 62.5 MHz on both machines (16 ns per tick).
 *  2. The instruction count of that region is measured once on kgdb-lab with `--icount 0`
 *     (every retired instruction advances machine time by 2^0 = 1 ns), so
 *     instructions = ticks x 16. QEMU with `-icount shift=0` is measured the same way as a
 *     cross-check; the two counts must agree within 0.1 %.
 *  3. Each machine then runs the guest in real time (kgdb-lab without --icount, QEMU without
 *     -icount) N times; seconds = ticks / 62.5e6 of the compute region only (start-up and
 *     loading excluded), and IPS = instructions / seconds. The median run is reported.
 *
 * Writes bench/results/compute-<ISO time>.json with the machine (CPU model, cores), the Node
 * and QEMU versions and the git commit.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { emulatorProblem, runKgdbLab } from '../test/helpers/kgdb-lab';
import { runProcess } from '../test/helpers/process';

const ROOT = path.resolve(__dirname, '..');
const ELF = path.join(ROOT, 'bench', 'build', 'compute.elf');
const RESULTS = path.join(ROOT, 'bench', 'results');
const CNTFRQ_HZ = 62_500_000;
const NS_PER_TICK = 1e9 / CNTFRQ_HZ; // 16
const QEMU = 'qemu-system-aarch64';

/** What the guest printed. */
interface GuestReport {
  fib: string;
  primes: string;
  /** Elapsed CNTVCT ticks of the compute region. */
  ticks: number;
}

/**
 * Parse the guest's two result lines.
 * @throws Error when they are missing (the run failed) or CNTFRQ is not 62.5 MHz
 */
function parseReport(stdout: string, what: string): GuestReport {
  const r = /compute: fib\(\d+\)=(\d+) primes\(<\d+\)=(\d+)\n/.exec(stdout);
  const t = /compute: ticks=(\d+) cntfrq=(\d+)\n/.exec(stdout);
  if (!r || !t) throw new Error(`${what}: no result lines in the guest output:\n${stdout}`);
  if (Number(t[2]) !== CNTFRQ_HZ) throw new Error(`${what}: CNTFRQ is ${t[2]}, expected ${CNTFRQ_HZ}`);
  return { fib: r[1], primes: r[2], ticks: Number(t[1]) };
}

async function runQemu(icount: boolean): Promise<GuestReport> {
  const args = ['-M', 'virt,gic-version=3', '-cpu', 'cortex-a57', '-nographic', '-monitor', 'none', '-m', '256M'];
  if (icount) args.push('-icount', 'shift=0');
  args.push('-kernel', ELF);
  const r = await runProcess(QEMU, args, 120_000);
  if (r.status !== 0) throw new Error(`QEMU exited with ${r.status}${r.timedOut ? ' (timeout)' : ''}: ${r.stderr}`);
  return parseReport(r.stdout.toString('latin1'), `QEMU${icount ? ' -icount shift=0' : ''}`);
}

async function runOurs(icount: boolean): Promise<GuestReport> {
  const r = await runKgdbLab({ elf: ELF, cpus: 1, icountShift: icount ? 0 : undefined, timeoutMs: 600_000 });
  if (r.status !== 0) throw new Error(`kgdb-lab exited with ${r.status}${r.timedOut ? ' (timeout)' : ''}: ${r.stderr}`);
  return parseReport(r.stdout.toString('latin1'), `kgdb-lab${icount ? ' --icount 0' : ''}`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown (no commit)';
  }
}

function fmtMips(ips: number): string {
  return `${(ips / 1e6).toFixed(1)} MIPS`;
}

async function main(): Promise<void> {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs needs a whole number >= 1');

  execFileSync('make', ['--no-print-directory', '-C', path.join(ROOT, 'guest'), 'bench'], { stdio: 'inherit' });
  const problem = emulatorProblem();
  if (problem) throw new Error(problem);

  // 1. Instruction count of the compute region.
  const countOurs = await runOurs(true);
  const countQemu = await runQemu(true);
  const instructions = countOurs.ticks * NS_PER_TICK;
  const qemuInstructions = countQemu.ticks * NS_PER_TICK;
  const countDiff = Math.abs(instructions - qemuInstructions) / qemuInstructions;
  console.log(`instructions in the compute region: ${instructions} (kgdb-lab --icount 0), ${qemuInstructions} (QEMU -icount shift=0)`);
  if (countDiff > 0.001) throw new Error(`instruction counts disagree by ${(countDiff * 100).toFixed(2)} %`);
  if (countOurs.fib !== countQemu.fib || countOurs.primes !== countQemu.primes) {
    throw new Error(`results differ: kgdb-lab fib=${countOurs.fib} primes=${countOurs.primes}, QEMU fib=${countQemu.fib} primes=${countQemu.primes}`);
  }

  // 2. Real-time runs.
  const qemuTicks: number[] = [];
  const ourTicks: number[] = [];
  for (let i = 0; i < runs; i++) {
    qemuTicks.push((await runQemu(false)).ticks);
    ourTicks.push((await runOurs(false)).ticks);
  }
  const qemuSec = median(qemuTicks) / CNTFRQ_HZ;
  const ourSec = median(ourTicks) / CNTFRQ_HZ;
  const qemuIps = instructions / qemuSec;
  const ourIps = instructions / ourSec;

  console.log(`QEMU TCG (cortex-a57): ${qemuSec.toFixed(4)} s  ${fmtMips(qemuIps)}  (runs: ${qemuTicks.map((t) => (t / CNTFRQ_HZ).toFixed(4)).join(', ')} s)`);
  console.log(`kgdb-lab:              ${ourSec.toFixed(4)} s  ${fmtMips(ourIps)}  (runs: ${ourTicks.map((t) => (t / CNTFRQ_HZ).toFixed(4)).join(', ')} s)`);
  console.log(`kgdb-lab / QEMU: ${(ourIps / qemuIps).toFixed(4)} (QEMU is ${(qemuIps / ourIps).toFixed(1)}x faster)`);

  const qemuVersion = execFileSync(QEMU, ['--version']).toString().split('\n')[0];
  const result = {
    benchmark: 'compute (recursive fib + sieve), single CPU',
    date: new Date().toISOString(),
    commit: gitCommit(),
    machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, platform: `${os.platform()} ${os.release()}` },
    node: process.version,
    qemuVersion,
    method:
      'instructions = compute-region CNTVCT ticks x 16 under kgdb-lab --icount 0 (cross-checked with QEMU -icount shift=0); ' +
      'seconds = real-time compute-region ticks / 62.5e6; IPS = instructions / seconds; median of runs',
    instructions,
    qemuIcountInstructions: qemuInstructions,
    runs,
    qemu: { ticks: qemuTicks, medianSeconds: qemuSec, ips: qemuIps },
    kgdbLab: { ticks: ourTicks, medianSeconds: ourSec, ips: ourIps },
    ratio: ourIps / qemuIps,
  };
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `compute-${result.date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${path.relative(ROOT, file)}`);
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
