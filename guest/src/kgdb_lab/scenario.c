/*
 * kgdb-lab scenarios: what each CPU runs once the kernel is up, chosen by
 * kgdb_lab.scenario= on the command line (default "hardlockup"):
 *
 *   hardlockup  by CPU number modulo 4: 0 computes, 1 idles, 2 deadlocks in
 *               spin_lock_irqsave() on a lock nobody releases (IRQs off), 3 computes at the
 *               bottom of a deep recursion
 *   daifmasked  one CPU spins with every PSTATE exception bit set (local_daif_mask): not
 *               even a pseudo-NMI reaches it
 *   softlockup  one CPU spins with IRQs on
 *   late        one CPU keeps IRQs off for about 2 s of machine time, then briefly on, over
 *               and over: a round-up without NMI reaches it late
 *   breakpoint  one CPU calls kgdb_breakpoint() after about 1 s
 *   breakpoint-pair
 *               two CPUs (2 and 3; the last two on smaller machines) wait until
 *               kgdb_lab_pair_go is set (from gdb: set var kgdb_lab_pair_go = 1), then mask
 *               every PSTATE.DAIF bit, meet, and both call trap_with_daif_masked() →
 *               kgdb_breakpoint(), the higher CPU a moment later: it traps while the
 *               lower one holds the debugger, since not even a pseudo-NMI reaches it
 *               (two successive stops in gdb)
 *   idle        every CPU idles
 *   oops-undef, oops-abort, oops-align
 *               one CPU executes an undefined instruction, loads from an unassigned
 *               physical address, or makes an unaligned access, after about 0.2 s: the
 *               kernel dies (offering the fault to kgdb first), panics and powers off
 *
 * "One CPU" is CPU 2 (the last CPU on machines with fewer than 3); the others idle. Each
 * CPU announces its workload in one line, "kgdb_lab: CPU<n>: <what>", in which the first
 * "name()" is the workload function the CPU stays in (the tests rely on it), and CPU 0
 * prints one steady line once every online CPU has reached its workload:
 *
 *   kgdb_lab: steady: scenario <name>, <n> CPUs at their workloads
 *
 * With kgdb_lab.selftest=1 the self-test (selftest.c) runs instead and powers off.
 *
 * Output stays bounded: nothing is printed per tick or per loop.
 */
#include <kgdb-lab/atomic.h>
#include <kgdb-lab/cpumask.h>
#include <kgdb-lab/delay.h>
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/kgdb.h>
#include <kgdb-lab/param.h>
#include <kgdb-lab/scenario.h>
#include <kgdb-lab/string.h>
#include <asm/barrier.h>
#include <asm/cpufeature.h>
#include <asm/smp.h>
#include <asm/sysreg.h>
#include "internal.h"

/* How long CPU 0 waits for the others to reach their workloads before saying so. */
#define ARRIVAL_TIMEOUT_MS 20000

static const char *const scenario_names[NR_SCENARIOS] = {
	[SCENARIO_HARDLOCKUP] = "hardlockup",
	[SCENARIO_DAIFMASKED] = "daifmasked",
	[SCENARIO_SOFTLOCKUP] = "softlockup",
	[SCENARIO_LATE] = "late",
	[SCENARIO_BREAKPOINT] = "breakpoint",
	[SCENARIO_IDLE] = "idle",
	[SCENARIO_OOPS_UNDEF] = "oops-undef",
	[SCENARIO_OOPS_ABORT] = "oops-abort",
	[SCENARIO_OOPS_ALIGN] = "oops-align",
	[SCENARIO_BREAKPOINT_PAIR] = "breakpoint-pair",
};

enum kgdb_lab_scenario kgdb_lab_scenario = SCENARIO_HARDLOCKUP;
static bool kgdb_lab_selftest;
/* Set by CPU 0 once every CPU is online: the secondaries then start their workloads. */
static int kgdb_lab_go;
static atomic_t kgdb_lab_arrived;

unsigned int kgdb_lab_target_cpu(void)
{
	return nr_cpu_ids > 2 ? 2 : nr_cpu_ids - 1;
}

void kgdb_lab_announce(const char *what)
{
	printk("kgdb_lab: CPU%u: %s\n", smp_processor_id(), what);
}

void kgdb_lab_setup(void)
{
	char name[32];
	if (cmdline_get("kgdb_lab.scenario", name, sizeof(name)) >= 0) {
		unsigned int i;
		for (i = 0; i < NR_SCENARIOS; i++)
			if (strcmp(name, scenario_names[i]) == 0)
				break;
		if (i < NR_SCENARIOS)
			kgdb_lab_scenario = (enum kgdb_lab_scenario)i;
		else
			printk("kgdb_lab: unknown scenario '%s', running hardlockup\n", name);
	}
	kgdb_lab_selftest = cmdline_get_bool("kgdb_lab.selftest", false);
	printk("kgdb_lab: %s %s, pseudo-NMI %s, kgdb round-up on SGI %d\n",
	       kgdb_lab_selftest ? "self-test" : "scenario",
	       kgdb_lab_selftest ? "of the dynamic IPI" : scenario_names[kgdb_lab_scenario],
	       system_uses_irq_prio_masking() ? "on" : "off", kgdb_roundup_sgi);
	if (!kgdb_lab_selftest && kgdb_lab_scenario == SCENARIO_HARDLOCKUP)
		leak_lock();
}

void kgdb_lab_arrive(void)
{
	atomic_inc_return(&kgdb_lab_arrived);
	if (smp_processor_id() != 0)
		return;

	u64 deadline = get_cycles() + arch_timer_rate / 1000 * ARRIVAL_TIMEOUT_MS;
	while ((unsigned int)atomic_read(&kgdb_lab_arrived) < num_online_cpus()) {
		if ((s64)(get_cycles() - deadline) > 0) {
			printk("kgdb_lab: not steady: %d of %u CPUs reached their workloads\n",
			       atomic_read(&kgdb_lab_arrived), num_online_cpus());
			return;
		}
		cpu_relax();
	}
	if (kgdb_lab_selftest)
		printk("kgdb_lab: steady: self-test, %u CPUs in place\n", num_online_cpus());
	else
		printk("kgdb_lab: steady: scenario %s, %u CPUs at their workloads\n", scenario_names[kgdb_lab_scenario],
		       num_online_cpus());
}

/* This CPU's part of the scenario. */
static noinline __noreturn void kgdb_lab_cpu_main(unsigned int cpu)
{
	if (kgdb_lab_scenario == SCENARIO_HARDLOCKUP) {
		switch (cpu % 4) {
		case 0:
			busy_compute_loop();
		case 1:
			idle_in_cpu_startup_entry();
		case 2:
			deadlock_on_leaked_lock();
		default:
			recurse_deeply(0);
		}
	}
	if (kgdb_lab_scenario == SCENARIO_BREAKPOINT_PAIR) {
		/* CPUs 2 and 3, or the last two (the only one) on smaller machines. */
		unsigned int first = nr_cpu_ids >= 4 ? 2 : (nr_cpu_ids >= 2 ? nr_cpu_ids - 2 : 0);
		unsigned int partners = nr_cpu_ids >= 2 ? 2 : 1;
		if (cpu >= first && cpu < first + partners)
			breakpoint_pair_when_told(partners, cpu - first);
		idle_in_cpu_startup_entry();
	}
	if (cpu != kgdb_lab_target_cpu() || kgdb_lab_scenario == SCENARIO_IDLE)
		idle_in_cpu_startup_entry();
	switch (kgdb_lab_scenario) {
	case SCENARIO_DAIFMASKED:
		spin_with_daif_masked();
	case SCENARIO_SOFTLOCKUP:
		spin_with_irqs_on();
	case SCENARIO_LATE:
		irqs_off_for_seconds();
	case SCENARIO_OOPS_UNDEF:
	case SCENARIO_OOPS_ABORT:
	case SCENARIO_OOPS_ALIGN:
		fault_after_a_while(kgdb_lab_scenario);
	default:
		breakpoint_after_a_while();
	}
}

__noreturn void kgdb_lab_secondary(unsigned int cpu)
{
	while (!READ_ONCE(kgdb_lab_go))
		wfe();
	smp_rmb();
	if (kgdb_lab_selftest)
		kgdb_lab_selftest_secondary(cpu);
	kgdb_lab_cpu_main(cpu);
}

__noreturn void kgdb_lab_main(void)
{
	/* Everything written so far (the leaked lock, the scenario) before the go flag. */
	smp_wmb();
	WRITE_ONCE(kgdb_lab_go, 1);
	dsb(ishst);
	sev();
	if (kgdb_lab_selftest)
		kgdb_lab_selftest_main();
	kgdb_lab_cpu_main(0);
}
