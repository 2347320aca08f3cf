/**
 * What the bundled guest kernel (guest/kgdb-lab-guest.elf, sources in guest/src/) promises
 * on its console, for the tests that run it on QEMU and on kgdb-lab.
 *
 * Every line is "[    s.micros] [cpuN] text". A scenario (kgdb_lab.scenario=NAME) makes
 * each CPU announce its workload in one line, "kgdb_lab: CPU<n>: <what>", where the first
 * "name()" in <what> is the workload function that CPU stays in; CPU 0 then prints the
 * steady line once every CPU is there. Scenarios never power off, so runs stop on that line.
 */
import * as path from 'path';
import { linesPerCpu, stripTimestamps } from './console-compare';
import { GUEST_DIR } from './guest-build';

/** The committed image. */
export const BUNDLED_IMAGE = path.join(GUEST_DIR, 'kgdb-lab-guest.elf');

/** The line CPU 0 prints once every CPU has reached its workload. */
export const STEADY = /\] \[cpu0\] kgdb_lab: steady: /;

/** The scenarios that stay up: each reaches its steady line and never stops. */
export const SCENARIOS = ['hardlockup', 'daifmasked', 'softlockup', 'late', 'breakpoint', 'idle', 'breakpoint-pair'] as const;
/** The scenarios where CPU 2 faults after the steady line: the kernel dies, panics and powers off. */
export const OOPS_SCENARIOS = ['oops-undef', 'oops-abort', 'oops-align'] as const;
export type Scenario = (typeof SCENARIOS)[number] | (typeof OOPS_SCENARIOS)[number];

/** Kernel command line for a scenario, with or without pseudo-NMI. */
export function scenarioBootargs(scenario: Scenario, nmi: boolean): string {
  return `console=ttyAMA0 kgdb_lab.scenario=${scenario}${nmi ? ' irqchip.gicv3_pseudo_nmi=1' : ''}`;
}

/** The workload function each role announces (the first "name()" of its line). */
const ROLE_FUNCTION = {
  compute: 'busy_compute_loop',
  idle: 'cpu_startup_entry',
  deadlock: 'deadlock_on_leaked_lock',
  recursion: 'recurse_deeply',
  daifmasked: 'spin_with_daif_masked',
  softlockup: 'spin_with_irqs_on',
  late: 'irqs_off_for_seconds',
  breakpoint: 'breakpoint_after_a_while',
  oops: 'fault_after_a_while',
  pair: 'breakpoint_pair_when_told',
} as const;
export type Role = keyof typeof ROLE_FUNCTION;

/** The CPU that runs a single-CPU scenario's workload (guest: kgdb_lab_target_cpu). */
export function targetCpu(cpus: number): number {
  return cpus > 2 ? 2 : cpus - 1;
}

/** What CPU `cpu` of `cpus` runs in a scenario (guest: kgdb_lab_cpu_main). */
export function roleOf(scenario: Scenario, cpu: number, cpus: number): Role {
  if (scenario === 'hardlockup') return (['compute', 'idle', 'deadlock', 'recursion'] as const)[cpu % 4];
  if (scenario === 'breakpoint-pair') {
    const first = cpus >= 4 ? 2 : Math.max(0, cpus - 2);
    return cpu >= first && cpu < first + Math.min(2, cpus) ? 'pair' : 'idle';
  }
  if (scenario === 'idle' || cpu !== targetCpu(cpus)) return 'idle';
  if (scenario.startsWith('oops-')) return 'oops';
  return scenario as Exclude<Scenario, 'hardlockup' | 'idle' | 'breakpoint-pair' | (typeof OOPS_SCENARIOS)[number]>;
}

/** The workload function of a role. */
export function roleFunction(role: Role): string {
  return ROLE_FUNCTION[role];
}

/** The workload function named by an announcement line body ("kgdb_lab: CPU2: ... name() ..."). */
export function announcedFunction(body: string): string | undefined {
  const m = /^kgdb_lab: CPU\d+: .*?([A-Za-z_][A-Za-z0-9_]*)\(\)/.exec(body);
  return m ? m[1] : undefined;
}

/**
 * Problems with a scenario run's output (up to and including the steady line), or []:
 * every CPU booted and announced exactly the workload its role says, CPU 0 ended with the
 * steady line for the right scenario and CPU count, and pseudo-NMI was on or off as asked.
 */
export function scenarioProblems(rawText: string, scenario: Scenario, cpus: number, nmi: boolean): string[] {
  const problems: string[] = [];
  const per = linesPerCpu(stripTimestamps(rawText));
  for (let cpu = 0; cpu < cpus; cpu++) {
    const lines = per.get(`cpu${cpu}`) ?? [];
    const announced = lines.filter((l) => l.startsWith(`kgdb_lab: CPU${cpu}: `) && announcedFunction(l));
    const want = roleFunction(roleOf(scenario, cpu, cpus));
    const got = announced.map((l) => announcedFunction(l));
    // CPU 0 also announces the lock it leaks in hardlockup (no "name()" in that line).
    if (got.length !== 1 || got[0] !== want) problems.push(`CPU${cpu} announced ${JSON.stringify(got)}, expected [${want}]`);
    if (cpu > 0 && !lines.some((l) => l.startsWith(`CPU${cpu}: Booted secondary processor`))) problems.push(`CPU${cpu} did not boot`);
  }
  const cpu0 = per.get('cpu0') ?? [];
  const steady = `kgdb_lab: steady: scenario ${scenario}, ${cpus} CPUs at their workloads`;
  if (cpu0[cpu0.length - 1] !== steady) problems.push(`CPU 0's last line is ${JSON.stringify(cpu0[cpu0.length - 1])}, not ${JSON.stringify(steady)}`);
  const nmiLine = 'GICv3: Pseudo-NMIs enabled using relaxed ICC_PMR_EL1 synchronisation';
  if (cpu0.includes(nmiLine) !== nmi) problems.push(`pseudo-NMI ${nmi ? 'not enabled' : 'enabled'} (line "${nmiLine}")`);
  if ([...per.keys()].some((k) => k === '-')) problems.push(`lines without a [cpuN] prefix: ${JSON.stringify(per.get('-')?.slice(0, 3))}`);
  return problems;
}
