/**
 * The bundled guest's tick (guest/src/kernel/time/tick-sched.c), read through real gdb from
 * `kgdb-lab serve --icount`: NO_HZ_IDLE by default (an idle CPU stops its tick; jiffies is
 * brought up to the counter by whichever CPU ticks or takes an interrupt), `nohz=off` keeps
 * the periodic tick in idle, and every CPU's ticks fall on one grid of 1/HZ s.
 *
 * At 62.5 MHz (CNTFRQ_EL0 on both machines) a tick period is 625,000 counter ticks, 10 ms.
 */
import { assertGdbOk, interruptedContinue, killAll, runGdb, startServe } from '../helpers/gdb';

afterEach(killAll);

const PERIOD = 625_000;
const CPUS = 4;

/** The `$N = value` results of gdb's prints, in order. */
function values(stdout: string): string[] {
  return [...stdout.matchAll(/^\$\d+ = (.*)$/gm)].map((m) => m[1]);
}

/** Prints of every CPU's tick state, then jiffies and the grid's last and next points. */
function tickPrints(): string[] {
  const per = Array.from({ length: CPUS }, (_, i) => [
    `print tick_cpu_sched[${i}].tick_stopped`,
    `print tick_cpu_sched[${i}].last_tick`,
  ]).flat();
  return [...per, 'print jiffies', 'print last_jiffies_update', 'print tick_next_period'];
}

interface TickState {
  stopped: boolean[];
  lastTick: number[];
  jiffies: number;
  lastJiffiesUpdate: number;
  nextPeriod: number;
}

function parseTickState(v: string[]): TickState {
  const stopped: boolean[] = [];
  const lastTick: number[] = [];
  for (let i = 0; i < CPUS; i++) {
    stopped.push(v[2 * i] === 'true');
    lastTick.push(Number(v[2 * i + 1]));
  }
  const [jiffies, lastJiffiesUpdate, nextPeriod] = v.slice(2 * CPUS, 2 * CPUS + 3).map(Number);
  return { stopped, lastTick, jiffies, lastJiffiesUpdate, nextPeriod };
}

/** Machine time (µs) of the current stop's `entered-master` event, from `monitor events`. */
function enteredMasterUs(stderr: string): number {
  const all = [...stderr.matchAll(/^\s*([\d.]+) µs\s+CPU \d+\s+entered-master /gm)];
  expect(all.length).toBeGreaterThan(0);
  return Number(all[all.length - 1][1]);
}

test('daifmasked (NO_HZ idle): idle CPUs stop their tick; a break-in brings a stale jiffies up to the counter', async () => {
  // CPU 2 spins with PSTATE.DAIF masked, so machine time runs on but no CPU takes a tick:
  // jiffies is only right if the interrupt that wakes CPU 0 (the SysRq-g break) catches it up.
  const server = await startServe({ scenario: 'daifmasked' });
  const r = await runGdb({
    port: server.port,
    commands: [...interruptedContinue(), ...tickPrints(), 'monitor events', 'detach'],
    interrupt: { delayMs: 2000 },
  });
  await server.stop();
  assertGdbOk(r, server);
  const s = parseTickState(values(r.stdout));
  expect(s.stopped).toEqual([true, true, false, true]);
  const t = enteredMasterUs(r.stderr);
  expect(t).toBeGreaterThan(200_000);
  // jiffies counts whole periods from the grid point at or before time_init() (counter 0 here).
  expect(s.lastJiffiesUpdate).toBe(s.jiffies * PERIOD);
  expect(s.nextPeriod).toBe(s.lastJiffiesUpdate + PERIOD);
  // Caught up at the UART interrupt, a little before CPU 0 entered kgdb (1 ms of slack).
  expect(s.jiffies).toBeLessThanOrEqual(Math.floor(t / 10_000));
  expect(s.jiffies).toBeGreaterThanOrEqual(Math.floor((t - 1000) / 10_000));
  for (const tick of s.lastTick) expect(tick % PERIOD).toBe(0);
}, 120_000);

test('nohz=off: idle CPUs keep ticking, every CPU on the same grid, jiffies up to date', async () => {
  const server = await startServe({ extraArgs: ['--append', 'kgdb_lab.scenario=idle irqchip.gicv3_pseudo_nmi=1 nohz=off'] });
  const r = await runGdb({
    port: server.port,
    commands: [...interruptedContinue(), ...tickPrints(), 'print tick_cpu_sched[1].ticks', 'monitor events', 'detach'],
    interrupt: { delayMs: 1000 },
  });
  await server.stop();
  assertGdbOk(r, server);
  const v = values(r.stdout);
  const s = parseTickState(v);
  expect(s.stopped).toEqual([false, false, false, false]);
  for (const tick of s.lastTick) expect(tick % PERIOD).toBe(0);
  // All programmed for the same grid point, or one behind whose tick is still to be handled.
  expect(Math.max(...s.lastTick) - Math.min(...s.lastTick)).toBeLessThanOrEqual(PERIOD);
  expect(Number(v[2 * CPUS + 3])).toBeGreaterThan(10);
  const t = enteredMasterUs(r.stderr);
  expect(s.lastJiffiesUpdate).toBe(s.jiffies * PERIOD);
  expect(s.jiffies).toBeLessThanOrEqual(Math.floor(t / 10_000));
  expect(s.jiffies).toBeGreaterThanOrEqual(Math.floor(t / 10_000) - 1);
}, 120_000);
