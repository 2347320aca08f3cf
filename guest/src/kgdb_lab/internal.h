/* Shared between the kgdb-lab scenario files. */
#ifndef KGDB_LAB_INTERNAL_H
#define KGDB_LAB_INTERNAL_H
#include <kgdb-lab/compiler.h>
#include <kgdb-lab/types.h>

enum kgdb_lab_scenario {
	SCENARIO_HARDLOCKUP,
	SCENARIO_DAIFMASKED,
	SCENARIO_SOFTLOCKUP,
	SCENARIO_LATE,
	SCENARIO_BREAKPOINT,
	SCENARIO_IDLE,
	SCENARIO_OOPS_UNDEF,
	SCENARIO_OOPS_ABORT,
	SCENARIO_OOPS_ALIGN,
	SCENARIO_BREAKPOINT_PAIR,
	NR_SCENARIOS
};

extern enum kgdb_lab_scenario kgdb_lab_scenario;

/*
 * Called by every CPU once it is in its workload (at the deepest frame it will stay in):
 * counts it in, and on CPU 0 waits for all online CPUs and prints the steady line.
 */
void kgdb_lab_arrive(void);
/* The CPU that runs a single-CPU scenario's workload (CPU 2, or the last CPU on smaller machines). */
unsigned int kgdb_lab_target_cpu(void);

/* The workloads (workloads.c); each announces itself, arrives, and never returns. */
__noreturn void busy_compute_loop(void);
__noreturn void deadlock_on_leaked_lock(void);
__noreturn void recurse_deeply(unsigned int depth);
__noreturn void idle_in_cpu_startup_entry(void);
__noreturn void spin_with_daif_masked(void);
__noreturn void spin_with_irqs_on(void);
__noreturn void irqs_off_for_seconds(void);
__noreturn void breakpoint_after_a_while(void);
/* Wait for kgdb_lab_pair_go, then trap into kgdb together with the other pair CPUs (DAIF masked); rank 0 first. */
__noreturn void breakpoint_pair_when_told(unsigned int partners, unsigned int rank);
/* Fault after a while: an undefined instruction, a data abort or an alignment fault. */
__noreturn void fault_after_a_while(enum kgdb_lab_scenario kind);
/* Take the lock the deadlock workload waits for, and never release it (hardlockup set-up). */
void leak_lock(void);

/* The self-test (selftest.c): CPU 0's part and the other CPUs' parts. */
__noreturn void kgdb_lab_selftest_main(void);
__noreturn void kgdb_lab_selftest_secondary(unsigned int cpu);

/* Print "kgdb_lab: CPU<n>: <what>" for this CPU. */
void kgdb_lab_announce(const char *what);

#endif
