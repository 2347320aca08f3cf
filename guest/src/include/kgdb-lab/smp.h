/* Logical CPU numbering, bring-up, and cross-CPU function calls (include/linux/smp.h). */
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

/* This CPU's logical number (TPIDR_EL1, set by head.S before any C code runs). */
static inline unsigned int smp_processor_id(void)
{
	unsigned long cpu;
	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(cpu));
	return (unsigned int)cpu;
}
#define raw_smp_processor_id() smp_processor_id()

/* Fill cpu_logical_map from /cpus in the DTB. */
void smp_init_cpus(const void *fdt);
/* Per-CPU and boot-CPU preparation done before interrupts are set up (arch/arm64/kernel/smp.c). */
void smp_prepare_boot_cpu(void);
/* Start every secondary CPU with PSCI CPU_ON and wait for each to come online. */
void smp_init(void);

/* Generic cross-CPU calls (kernel/smp.c), delivered by IPI_CALL_FUNC. */
typedef void (*smp_call_func_t)(void *info);
struct __call_single_data {
	struct __call_single_data *next;
	smp_call_func_t func;
	void *info;
	unsigned int flags; /* CSD_FLAG_LOCK while queued or running */
};
typedef struct __call_single_data call_single_data_t;
#define CSD_FLAG_LOCK 1u
/*
 * Queue csd on cpu and send it IPI_CALL_FUNC; returns -EBUSY if csd is still queued from a
 * previous call, 0 otherwise. Runs csd->func(csd->info) in that CPU's IRQ context.
 */
int smp_call_function_single_async(int cpu, call_single_data_t *csd);
/* Run every queued csd of this CPU (the IPI_CALL_FUNC handler). */
void generic_smp_call_function_single_interrupt(void);

/* Stop all other CPUs (IPI_CPU_STOP), as panic() does. */
void smp_send_stop(void);

#endif
