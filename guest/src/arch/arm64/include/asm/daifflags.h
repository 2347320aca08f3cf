/*
 * Masking of every PSTATE exception bit (D, A, I, F), as Linux v6.3
 * arch/arm64/include/asm/daifflags.h. local_daif_mask() masks PSTATE for real in both
 * modes: not even a pseudo-NMI gets through (that is what the "daifmasked" scenario
 * shows). With pseudo-NMI the PMR is kept consistent: GIC_PRIO_IRQON | GIC_PRIO_PSR_I_SET
 * while PSTATE.I does the masking.
 */
#ifndef ASM_DAIFFLAGS_H
#define ASM_DAIFFLAGS_H
#include <asm/irqflags.h>

#define DAIF_PROCCTX 0
#define DAIF_PROCCTX_NOIRQ (PSR_I_BIT | PSR_F_BIT)
#define DAIF_ERRCTX (PSR_A_BIT | PSR_I_BIT | PSR_F_BIT)
#define DAIF_MASK (PSR_D_BIT | PSR_A_BIT | PSR_I_BIT | PSR_F_BIT)

/* Mask/unmask/save/restore all exceptions, including interrupts. */
static inline void local_daif_mask(void)
{
	__asm__ volatile("msr daifset, #0xf		// local_daif_mask" : : : "memory");
	/* Don't really care for a dsb here, we don't intend to enable IRQs */
	if (system_uses_irq_prio_masking())
		gic_write_pmr(GIC_PRIO_IRQON | GIC_PRIO_PSR_I_SET);
}

static inline unsigned long local_daif_save_flags(void)
{
	unsigned long flags = read_sysreg(daif);
	if (system_uses_irq_prio_masking()) {
		/* If IRQs are masked with PMR, reflect it in the flags */
		if (read_sysreg(icc_pmr_el1) != GIC_PRIO_IRQON)
			flags |= PSR_I_BIT | PSR_F_BIT;
	}
	return flags;
}

static inline unsigned long local_daif_save(void)
{
	unsigned long flags = local_daif_save_flags();
	local_daif_mask();
	return flags;
}

static inline void local_daif_restore(unsigned long flags)
{
	bool irq_disabled = flags & PSR_I_BIT;

	if (!irq_disabled) {
		if (system_uses_irq_prio_masking()) {
			gic_write_pmr(GIC_PRIO_IRQON);
			pmr_sync();
		}
	} else if (system_uses_irq_prio_masking()) {
		u64 pmr;

		if (!(flags & PSR_A_BIT)) {
			/* If interrupts are disabled but we can take asynchronous errors, we can take NMIs */
			flags &= ~(PSR_I_BIT | PSR_F_BIT);
			pmr = GIC_PRIO_IRQOFF;
		} else {
			pmr = GIC_PRIO_IRQON | GIC_PRIO_PSR_I_SET;
		}
		/*
		 * PSTATE writes are not visible to earlier instructions and PMR writes are
		 * self-synchronising (ARM DDI 0487D.a D1.7.1), so no extra barrier is needed.
		 */
		gic_write_pmr(pmr);
	}

	write_sysreg(flags, daif);
}

#endif
