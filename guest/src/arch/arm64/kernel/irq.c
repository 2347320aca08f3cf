/* Interrupt controller bring-up (arch/arm64/kernel/irq.c init_IRQ, drivers/irqchip irqchip_init). */
#include <kgdb-lab/irq.h>
#include <kgdb-lab/kernel.h>
#include <irqchip/arm-gic-v3.h>
#include <asm/daifflags.h>

extern const void *initial_boot_params;

void init_IRQ(void)
{
	if (gic_of_init(initial_boot_params))
		panic("no usable GICv3: cannot take interrupts");

	if (system_uses_irq_prio_masking()) {
		/*
		 * Now that the IRQ handler is in place, set the PMR/PSR pair to a consistent state:
		 * PMR = GIC_PRIO_IRQOFF with PSTATE.I/F clear, so NMIs can come in from here on.
		 */
		local_daif_restore(DAIF_PROCCTX_NOIRQ);
	}
}
