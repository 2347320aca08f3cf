/*
 * Interrupt masking, as Linux v6.3 arch/arm64/include/asm/irqflags.h. With pseudo-NMI
 * (system_uses_irq_prio_masking()) "IRQs off" means ICC_PMR_EL1 = GIC_PRIO_IRQOFF (0x60)
 * with PSTATE.I left clear, so an interrupt at the NMI priority (0x20) still gets in; the
 * saved flags are the PMR value. Without it, PSTATE.I and F are set and cleared
 * (msr daifset/daifclr, #3), which blocks everything, and the flags are DAIF.
 */
#ifndef ASM_IRQFLAGS_H
#define ASM_IRQFLAGS_H
#include <kgdb-lab/compiler.h>
#include <asm/arch_gicv3.h>
#include <asm/barrier.h>
#include <asm/cpufeature.h>
#include <asm/ptrace.h>

static __always_inline void __daif_local_irq_enable(void)
{
	barrier();
	__asm__ volatile("msr daifclr, #3" : : : "memory");
	barrier();
}

static __always_inline void __pmr_local_irq_enable(void)
{
	barrier();
	gic_write_pmr(GIC_PRIO_IRQON);
	pmr_sync();
	barrier();
}

static inline void arch_local_irq_enable(void)
{
	if (system_uses_irq_prio_masking())
		__pmr_local_irq_enable();
	else
		__daif_local_irq_enable();
}

static __always_inline void __daif_local_irq_disable(void)
{
	barrier();
	__asm__ volatile("msr daifset, #3" : : : "memory");
	barrier();
}

static __always_inline void __pmr_local_irq_disable(void)
{
	barrier();
	gic_write_pmr(GIC_PRIO_IRQOFF);
	barrier();
}

static inline void arch_local_irq_disable(void)
{
	if (system_uses_irq_prio_masking())
		__pmr_local_irq_disable();
	else
		__daif_local_irq_disable();
}

static __always_inline unsigned long __daif_local_save_flags(void)
{
	return read_sysreg(daif);
}

static __always_inline unsigned long __pmr_local_save_flags(void)
{
	return gic_read_pmr();
}

/* Save the current interrupt enable state. */
static inline unsigned long arch_local_save_flags(void)
{
	if (system_uses_irq_prio_masking())
		return __pmr_local_save_flags();
	return __daif_local_save_flags();
}

static inline bool arch_irqs_disabled_flags(unsigned long flags)
{
	if (system_uses_irq_prio_masking())
		return flags != GIC_PRIO_IRQON;
	return flags & PSR_I_BIT;
}

static inline bool arch_irqs_disabled(void)
{
	return arch_irqs_disabled_flags(arch_local_save_flags());
}

static inline unsigned long arch_local_irq_save(void)
{
	unsigned long flags = arch_local_save_flags();
	/* There are too many states with IRQs disabled, just keep the current state if disabled. */
	if (!arch_irqs_disabled_flags(flags))
		arch_local_irq_disable();
	return flags;
}

static __always_inline void __daif_local_irq_restore(unsigned long flags)
{
	barrier();
	write_sysreg(flags, daif);
	barrier();
}

static __always_inline void __pmr_local_irq_restore(unsigned long flags)
{
	barrier();
	gic_write_pmr(flags);
	pmr_sync();
	barrier();
}

/* Restore the saved IRQ state. */
static inline void arch_local_irq_restore(unsigned long flags)
{
	if (system_uses_irq_prio_masking())
		__pmr_local_irq_restore(flags);
	else
		__daif_local_irq_restore(flags);
}

#define local_irq_enable() arch_local_irq_enable()
#define local_irq_disable() arch_local_irq_disable()
#define local_irq_save(flags) ((flags) = arch_local_irq_save())
#define local_irq_restore(flags) arch_local_irq_restore(flags)
#define irqs_disabled() arch_irqs_disabled()
#define raw_local_irq_enable() arch_local_irq_enable()
#define raw_local_irq_disable() arch_local_irq_disable()

#endif
