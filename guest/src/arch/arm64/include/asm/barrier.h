/* cpu_relax and the PMR synchronisation barrier (arch/arm64/include/asm/barrier.h, processor.h). */
#ifndef ASM_BARRIER_H
#define ASM_BARRIER_H
#include <kgdb-lab/compiler.h>
#include <asm/cpufeature.h>

/* A spin-wait hint: YIELD lets an SMT sibling (or an emulator's other vCPUs) run. */
static inline void cpu_relax(void)
{
	__asm__ volatile("yield" : : : "memory");
}

/*
 * Make a write to ICC_PMR_EL1 visible to the redistributor. With relaxed PMR
 * synchronisation (every GIC this kernel runs on) the write is self-synchronising and only a
 * compiler barrier is needed; otherwise Linux issues DSB SY.
 */
static inline void pmr_sync(void)
{
	if (system_has_relaxed_pmr_sync())
		barrier();
	else
		__asm__ volatile("dsb sy" : : : "memory");
}

#endif
