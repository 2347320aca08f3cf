/* Logical CPU numbering and bring-up. */
#ifndef KGDB_LAB_SMP_H
#define KGDB_LAB_SMP_H
#include <kgdb-lab/types.h>

/* Largest CPU count supported (QEMU virt with GICv3 allows up to 512; kgdb-lab up to 256). */
#define NR_CPUS 256
#define INVALID_HWID (~0UL)

/* MPIDR_EL1 affinity (Aff3..Aff0) of each logical CPU, from the DTB; INVALID_HWID if absent. */
extern u64 cpu_logical_map[NR_CPUS];
/* Number of CPUs described by the DTB. */
extern unsigned int nr_cpu_ids;

unsigned int smp_processor_id(void);
/* Fill cpu_logical_map from /cpus in the DTB. */
void smp_init_cpus(const void *fdt);
/* Start every secondary CPU with PSCI CPU_ON and wait for it to come online. Returns how many came up. */
unsigned int smp_boot_secondaries(void);
/* Number of CPUs that reported online. */
unsigned int num_online_cpus(void);

#endif
