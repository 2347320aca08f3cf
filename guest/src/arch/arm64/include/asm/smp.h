/*
 * arm64 IPIs (arch/arm64/kernel/smp.c of the v8 series' era, ~v6.3): seven IPIs on SGIs
 * 0-6, and the series' "dynamic" IPI on the next SGI (7), requested as a pseudo-NMI when
 * the GIC supports it and as an ordinary IRQ otherwise (v8 patch 10). The dynamic IPI's
 * handler runs both the NMI backtrace and the kgdb round-up callbacks.
 */
#ifndef ASM_SMP_H
#define ASM_SMP_H
#include <kgdb-lab/cpumask.h>

enum ipi_msg_type {
	IPI_RESCHEDULE,
	IPI_CALL_FUNC,
	IPI_CPU_STOP,
	IPI_CPU_CRASH_STOP,
	IPI_TIMER,
	IPI_IRQ_WORK,
	IPI_WAKEUP,
	NR_IPI
};

/* Register the IPIs on SGIs ipi_base.. (n of them) and set the boot CPU up (gic_smp_init). */
void set_smp_ipi_range(int ipi_base, int n);
/* Enable this CPU's IPIs (called by each CPU as it comes up). */
void ipi_setup(int cpu);
/* Send an IPI: the irqchip's SGI write (gic_ipi_send_mask). */
void smp_cross_call(const struct cpumask *target, unsigned int ipinr);
void arch_send_call_function_single_ipi(int cpu);
void arch_smp_send_reschedule(int cpu);
/* Deliveries of IPI ipinr on cpu. */
unsigned long ipi_count(unsigned int ipinr, unsigned int cpu);

/* Sends SGIs for the generic IPI layer: irqchip-provided (gic_ipi_send_mask). */
extern void (*__smp_cross_call)(const struct cpumask *mask, unsigned int hwirq);

/* ---- the v8 series' dynamic IPI (arch/arm64/kernel/ipi_nmi.c) ---- */

/* Request SGI `ipi` as the dynamic IPI: as an NMI if possible, else as a regular IRQ. */
void set_smp_dynamic_ipi(int ipi);
/* Enable the dynamic IPI on this CPU (prepare+enable the per-CPU NMI, or enable the IRQ). */
void dynamic_ipi_setup(int cpu);
/* True if a dynamic IPI exists (NMI or fallback IRQ): arm64_supports_nmi() of the series. */
bool arm64_supports_nmi(void);
/* True if the dynamic IPI is delivered as a pseudo-NMI. */
bool arm64_dynamic_ipi_is_nmi(void);
/* The dynamic IPI's INTID, or -1. */
int arm64_dynamic_ipi(void);
/* Send the dynamic IPI to every CPU in mask. */
void arm64_send_nmi(const struct cpumask *mask);

#endif
