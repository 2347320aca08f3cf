/**
 * Rows 6 and 7: what the stub process costs the host.
 *
 * Row 6, idle cost: the bundled guest in the `idle` scenario (every CPU in WFI), 4 CPUs, no
 * debugger attached; host CPU time (all threads, /proc/PID/task/TID/schedstat) used over
 * IDLE_SECONDS starting 3 s after the guest is steady, as % of one core. The guest is NO_HZ_IDLE
 * by default (idle CPUs stop their tick, as arm64 Linux); `periodic` boots it with `nohz=off`
 * (every CPU keeps its 100 Hz tick in idle, all on one grid), row 6/periodic. Ours runs on
 * host time here: under --icount an idle machine jumps straight to its next timer deadline,
 * which is by design busy.
 * Row 7, start-up: host ms from spawning the process to its gdb port accepting connections
 * (ours: the "listening for gdb" line; QEMU: a successful connect), median of STARTS.
 */
import { median } from './row';
import { STEADY, cpuSeconds, startOurs, startQemu } from './targets';
import { SERVE_ICOUNT, bootargs } from './gdb-rows';

export const IDLE_SECONDS = 10;
const STARTS = 3;

/** Row 6 on one stub: % of one core. `periodic`: the guest keeps its idle tick (`nohz=off`). */
export async function idleCost(which: 'ours' | 'qemu', periodic = false): Promise<number> {
  const args = bootargs('idle') + (periodic ? ' nohz=off' : '');
  const stub = await (which === 'ours' ? startOurs : startQemu)({ cpus: 4, bootargs: args, waitConsole: STEADY, timeoutMs: 300_000 });
  try {
    // Let boot-time work (JIT warm-up and background compiles, the last console lines) settle first.
    await new Promise((r) => setTimeout(r, 3000));
    const c0 = cpuSeconds(stub.pid);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const c1 = cpuSeconds(stub.pid);
    return ((c1 - c0) / ((performance.now() - t0) / 1000)) * 100;
  } finally {
    await stub.stop();
  }
}

/** Row 7 on one stub: ms, median of STARTS, and the runs. */
export async function startUp(which: 'ours' | 'qemu'): Promise<{ medianMs: number; runsMs: number[] }> {
  const runsMs: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const stub = await (which === 'ours' ? startOurs : startQemu)({ cpus: 4, bootargs: bootargs('hardlockup'), icountShift: SERVE_ICOUNT });
    runsMs.push(stub.startMs);
    await stub.stop();
  }
  return { medianMs: median(runsMs), runsMs };
}
