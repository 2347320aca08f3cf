/*
 * The IRQ context around WFI (arch/arm64/include/asm/cpuidle.h). With pseudo-NMI, IRQs are
 * masked by PMR when the idle path runs, and a PMR-masked interrupt would not wake WFI
 * (the CPU interface does not signal it). So idle masks PSTATE.I/F for real and opens PMR
 * (GIC_PRIO_IRQON) around the WFI, then puts both back: the interrupt is then taken right
 * after the DAIF restore, inside cpu_do_idle.
 */
#ifndef ASM_CPUIDLE_H
#define ASM_CPUIDLE_H
#include <asm/arch_gicv3.h>
#include <asm/barrier.h>
#include <asm/cpufeature.h>
#include <asm/ptrace.h>

struct arm_cpuidle_irq_context {
	unsigned long pmr;
	unsigned long daif_bits;
};

static __always_inline void arm_cpuidle_save_irq_context(struct arm_cpuidle_irq_context *context)
{
	u32 pmr;

	if (!system_uses_irq_prio_masking())
		return;

	pmr = gic_read_pmr();
	context->daif_bits = read_sysreg(daif);
	write_sysreg(context->daif_bits | PSR_I_BIT | PSR_F_BIT, daif);
	/* Unmask PMR before going idle to make sure interrupts can be raised. */
	pmr_sync();
	gic_write_pmr(GIC_PRIO_IRQON);
	context->pmr = pmr;
}

static __always_inline void arm_cpuidle_restore_irq_context(struct arm_cpuidle_irq_context *context)
{
	if (!system_uses_irq_prio_masking())
		return;

	gic_write_pmr(context->pmr);
	write_sysreg(context->daif_bits, daif);
}

void cpu_do_idle(void);
void arch_cpu_idle(void);

#endif
