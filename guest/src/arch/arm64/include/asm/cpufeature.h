/*
 * The one CPU capability this kernel decides at boot: "IRQ priority masking"
 * (ARM64_HAS_IRQ_PRIO_MASKING up to ~6.3, arch/arm64/kernel/cpufeature.c). It is on when
 * the command line has irqchip.gicv3_pseudo_nmi=1 and the boot CPU has the GICv3 system
 * register interface (ID_AA64PFR0_EL1.GIC >= 1). Linux patches the code with alternatives;
 * here the masking helpers test a byte that is written once, before any CPU enables
 * interrupts. entry.S reads the same byte.
 */
#ifndef ASM_CPUFEATURE_H
#define ASM_CPUFEATURE_H

#ifndef __ASSEMBLER__
#include <kgdb-lab/types.h>

extern u8 arm64_irq_prio_masking;

static inline bool system_uses_irq_prio_masking(void)
{
	return arm64_irq_prio_masking != 0;
}

/* The ICC_PMR_EL1 writes need no DSB to take effect (ARM64_HAS_GIC_PRIO_RELAXED_SYNC). */
static inline bool system_has_relaxed_pmr_sync(void)
{
	return true;
}

/* Parse irqchip.gicv3_pseudo_nmi and detect the capability (boot CPU, once). */
void setup_boot_cpu_capabilities(void);
#endif

#endif
