/* kgdb-lab workloads: the lockup scenarios chosen by kgdb_lab.scenario= and the self-test. */
#ifndef KGDB_LAB_SCENARIO_H
#define KGDB_LAB_SCENARIO_H
#include <kgdb-lab/compiler.h>

/* Choose the scenario from the command line and prepare it (boot CPU, before smp_init). */
void kgdb_lab_setup(void);
/* Secondary CPUs: wait for the go signal, then run this CPU's part. Never returns. */
__noreturn void kgdb_lab_secondary(unsigned int cpu);
/* Boot CPU, after every CPU is online: start everybody and run CPU 0's part. Never returns. */
__noreturn void kgdb_lab_main(void);

#endif
