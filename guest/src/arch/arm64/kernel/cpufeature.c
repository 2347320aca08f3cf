/*
 * The "IRQ priority masking" capability (arch/arm64/kernel/cpufeature.c, ~v6.3): on when
 * the command line says irqchip.gicv3_pseudo_nmi=1 (an early_param parsed with kstrtobool)
 * and the boot CPU has the GICv3 system-register interface (ID_AA64PFR0_EL1.GIC >= 1).
 * Decided once on the boot CPU, before interrupts are set up; secondaries follow it.
 */
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/param.h>
#include <asm/cpufeature.h>
#include <asm/sysreg.h>

u8 arm64_irq_prio_masking;

void setup_boot_cpu_capabilities(void)
{
	bool enable_pseudo_nmi = cmdline_get_bool("irqchip.gicv3_pseudo_nmi", false);
	u64 gic = (read_sysreg(id_aa64pfr0_el1) >> ID_AA64PFR0_EL1_GIC_SHIFT) & 0xf;

	if (enable_pseudo_nmi && gic >= 1) {
		printk("CPU features: detected: IRQ priority masking\n");
		WRITE_ONCE(arm64_irq_prio_masking, 1);
	} else if (enable_pseudo_nmi) {
		printk("CPU features: IRQ priority masking requested, but the CPU has no GICv3 system registers\n");
	}
}
