/*
 * The dynamic IPI of the "arm64: Add framework to turn an IPI as NMI" v8 series
 * (arch/arm64/kernel/ipi_nmi.c, patches 01, 03, 05, 09, 10).
 *
 * set_smp_ipi_range() hands the first SGI after the regular IPIs (SGI 7) to
 * set_smp_dynamic_ipi(), which requests it as a per-CPU pseudo-NMI. When the GIC cannot do
 * NMIs (no irqchip.gicv3_pseudo_nmi=1), patch 10 falls back to requesting the same SGI as
 * an ordinary per-CPU IRQ, so the dynamic IPI always exists: kgdb always rounds CPUs up
 * with SGI 7, which reaches a CPU with interrupts masked only in the NMI case.
 *
 * The handler serves both users of the IPI: the NMI backtrace (nmi_cpu_backtrace) and the
 * kgdb round-up (kgdb_nmicallback), each with the interrupted context's registers.
 */
#include <kgdb-lab/irq.h>
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/kgdb.h>
#include <kgdb-lab/nmi.h>
#include <irqchip/arm-gic-v3.h>
#include <asm/smp.h>

static struct irq_desc *ipi_nmi_desc;
static bool ipi_nmi_is_nmi;
int kgdb_roundup_sgi = -1;

bool arm64_supports_nmi(void)
{
	return ipi_nmi_desc != NULL;
}

bool arm64_dynamic_ipi_is_nmi(void)
{
	return ipi_nmi_desc && ipi_nmi_is_nmi;
}

int arm64_dynamic_ipi(void)
{
	return ipi_nmi_desc ? (int)ipi_nmi_desc->irq_data.irq : -1;
}

void arm64_send_nmi(const struct cpumask *mask)
{
	if (!ipi_nmi_desc || !__smp_cross_call)
		return;
	__smp_cross_call(mask, ipi_nmi_desc->irq_data.hwirq);
}

static void arm64_backtrace_ipi(const struct cpumask *mask)
{
	arm64_send_nmi(mask);
}

bool arch_trigger_cpumask_backtrace(const struct cpumask *mask, bool exclude_self)
{
	if (!ipi_nmi_desc)
		return false;
	nmi_trigger_cpumask_backtrace(mask, exclude_self, arm64_backtrace_ipi);
	return true;
}

static irqreturn_t ipi_nmi_handler(int irq, void *data)
{
	irqreturn_t ret = IRQ_NONE;
	(void)irq;
	(void)data;

	if (nmi_cpu_backtrace(get_irq_regs()))
		ret = IRQ_HANDLED;

	if (!kgdb_nmicallback((int)smp_processor_id(), get_irq_regs()))
		ret = IRQ_HANDLED;

	return ret;
}

void dynamic_ipi_setup(int cpu)
{
	(void)cpu;
	if (!ipi_nmi_desc)
		return;
	unsigned int irq = ipi_nmi_desc->irq_data.irq;
	if (ipi_nmi_is_nmi) {
		if (!prepare_percpu_nmi(irq))
			enable_percpu_nmi(irq, IRQ_TYPE_NONE);
	} else {
		enable_percpu_irq(irq, IRQ_TYPE_NONE);
	}
}

void set_smp_dynamic_ipi(int ipi)
{
	bool is_nmi = true;
	if (request_percpu_nmi((unsigned int)ipi, ipi_nmi_handler, "IPI", NULL)) {
		/* Patch 10: no pseudo-NMI, so take the same SGI as a regular IRQ. */
		is_nmi = false;
		int err = request_percpu_irq((unsigned int)ipi, ipi_nmi_handler, "IPI", NULL);
		if (err) {
			printk("WARNING: could not request the dynamic IPI (SGI %d) as an IRQ: %d\n", ipi, err);
			return;
		}
		irq_set_status_flags((unsigned int)ipi, IRQ_HIDDEN);
	}
	ipi_nmi_desc = irq_to_desc((unsigned int)ipi);
	ipi_nmi_is_nmi = is_nmi;
	kgdb_roundup_sgi = ipi;
	printk("smp: dynamic IPI on SGI %d, delivered as %s\n", ipi, is_nmi ? "a pseudo-NMI" : "a regular IRQ (no pseudo-NMI)");
}
