/**
 * Row 1, emulation speed: kgdb-lab versus QEMU TCG on the compute guest
 * (bench/compute/compute.c: recursive fib + sieve on one CPU, ~69.5 M instructions).
 *
 * Method (see bench/README.md):
 *  1. The guest brackets its compute region with CNTVCT_EL0 reads and prints the elapsed
 *     ticks; CNTFRQ is 62.5 MHz on both machines (16 ns per tick).
 *  2. The region's instruction count is measured on kgdb-lab with `--icount 0` (1 ns per
 *     instruction), so instructions = ticks x 16; QEMU `-icount shift=0` cross-checks it
 *     (the two must agree within 0.1 %).
 *  3. Each machine then runs the guest in real time `runs` times (kgdb-lab without
 *     --icount, QEMU without -icount); seconds = ticks / 62.5e6 of the region only, and
 *     IPS = instructions / seconds, median of the runs.
 */
import * as path from 'path';
import { runProcess } from '../test/helpers/process';
import { median, type Row } from './row';
import { BIN, QEMU, ROOT } from './targets';

export const COMPUTE_ELF = path.join(ROOT, 'bench', 'build', 'compute.elf');
const CNTFRQ_HZ = 62_500_000;
const NS_PER_TICK = 1e9 / CNTFRQ_HZ; // 16

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
  args.push('-kernel', COMPUTE_ELF);
  const r = await runProcess(QEMU, args, 120_000);
  if (r.status !== 0) throw new Error(`QEMU exited with ${r.status}${r.timedOut ? ' (timeout)' : ''}: ${r.stderr}`);
  return parseReport(r.stdout.toString('latin1'), `QEMU${icount ? ' -icount shift=0' : ''}`);
}

async function runOurs(icount: boolean, engine: string): Promise<GuestReport> {
  const args = [BIN, 'run', '--kernel', COMPUTE_ELF, '--cpus', '1', '--log-level', 'warn', '--engine', engine, '--timeout', '600'];
  if (icount) args.push('--icount', '0');
  const r = await runProcess(process.execPath, args, 620_000, ROOT);
  if (r.status !== 0) throw new Error(`kgdb-lab exited with ${r.status}${r.timedOut ? ' (timeout)' : ''}: ${r.stderr}`);
  return parseReport(r.stdout.toString('latin1'), `kgdb-lab${icount ? ' --icount 0' : ''}`);
}

/**
 * Measure row 1. Also runs the reference interpreter (`--engine interp`) for the record.
 * @throws Error when the instruction counts or the results of the two machines disagree
 */
export async function computeRow(runs: number, log: (s: string) => void): Promise<Row> {
  const countOurs = await runOurs(true, 'jit');
  const countQemu = await runQemu(true);
  const instructions = countOurs.ticks * NS_PER_TICK;
  const qemuInstructions = countQemu.ticks * NS_PER_TICK;
  const countDiff = Math.abs(instructions - qemuInstructions) / qemuInstructions;
  log(`instructions in the compute region: ${instructions} (kgdb-lab --icount 0), ${qemuInstructions} (QEMU -icount shift=0)`);
  if (countDiff > 0.001) throw new Error(`instruction counts disagree by ${(countDiff * 100).toFixed(2)} %`);
  if (countOurs.fib !== countQemu.fib || countOurs.primes !== countQemu.primes) {
    throw new Error(`results differ: kgdb-lab fib=${countOurs.fib} primes=${countOurs.primes}, QEMU fib=${countQemu.fib} primes=${countQemu.primes}`);
  }
  const qemuTicks: number[] = [];
  const ourTicks: number[] = [];
  const interpTicks: number[] = [];
  for (let i = 0; i < runs; i++) {
    qemuTicks.push((await runQemu(false)).ticks);
    ourTicks.push((await runOurs(false, 'jit')).ticks);
    interpTicks.push((await runOurs(false, 'interp')).ticks);
  }
  const ips = (ticks: number[]): number => instructions / (median(ticks) / CNTFRQ_HZ);
  const ours = ips(ourTicks);
  const qemu = ips(qemuTicks);
  const s = (t: number[]): string => t.map((x) => (x / CNTFRQ_HZ).toFixed(3)).join(', ');
  log(`compute region seconds: QEMU ${s(qemuTicks)}; kgdb-lab jit ${s(ourTicks)}; kgdb-lab interp ${s(interpTicks)}`);
  return {
    id: '1',
    what: 'emulation speed, compute guest',
    unit: 'M instr/s',
    ours: ours / 1e6,
    qemu: qemu / 1e6,
    better: 'higher',
    goal: '>= 150 M/s',
    met: ours >= 150e6,
    detail: {
      instructions,
      qemuIcountInstructions: qemuInstructions,
      runs,
      method:
        'instructions = compute-region CNTVCT ticks x 16 under kgdb-lab --icount 0 (cross-checked with QEMU -icount shift=0); ' +
        'seconds = real-time compute-region ticks / 62.5e6; IPS = instructions / median seconds',
      qemuTicks,
      kgdbLabJitTicks: ourTicks,
      kgdbLabInterpTicks: interpTicks,
      interpMips: ips(interpTicks) / 1e6,
    },
  };
}
