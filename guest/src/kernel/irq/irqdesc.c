/*
 * Interrupt descriptors (kernel/irq/irqdesc.c): a static table indexed by INTID, the
 * per-CPU delivery counts of the banked interrupts, the root handler pointers and the
 * per-CPU "registers of the interrupt being handled".
 */
#include <kgdb-lab/irq.h>
#include <kgdb-lab/kernel.h>

static struct irq_desc irq_desc[NR_IRQS];
/* Deliveries of SGIs and PPIs per CPU, as kstat_irqs_cpu() reports them (/proc/interrupts). */
static unsigned long kstat_private[NR_CPUS][NR_PRIVATE_IRQS];
static struct pt_regs *irq_regs[NR_CPUS];

void (*handle_arch_irq)(struct pt_regs *regs);
void (*handle_arch_fiq)(struct pt_regs *regs);

struct irq_desc *irq_to_desc(unsigned int irq)
{
	if (irq >= NR_IRQS)
		return NULL;
	struct irq_desc *desc = &irq_desc[irq];
	/* Descriptors exist for every INTID; their number is set on first use. */
	desc->irq_data.irq = irq;
	desc->irq_data.hwirq = irq;
	return desc;
}

void kstat_incr_irqs_this_cpu(struct irq_desc *desc)
{
	unsigned int irq = desc->irq_data.irq;
	if (irq < NR_PRIVATE_IRQS)
		__atomic_fetch_add(&kstat_private[smp_processor_id()][irq], 1UL, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&desc->tot_count, 1UL, __ATOMIC_RELAXED);
}

unsigned long kstat_irqs_cpu(unsigned int irq, unsigned int cpu)
{
	if (irq >= NR_PRIVATE_IRQS || cpu >= NR_CPUS)
		return 0;
	return __atomic_load_n(&kstat_private[cpu][irq], __ATOMIC_RELAXED);
}

int set_handle_irq(void (*handle_irq)(struct pt_regs *))
{
	if (handle_arch_irq)
		return -EBUSY;
	handle_arch_irq = handle_irq;
	return 0;
}

struct pt_regs *get_irq_regs(void)
{
	return irq_regs[smp_processor_id()];
}

struct pt_regs *set_irq_regs(struct pt_regs *new_regs)
{
	unsigned int cpu = smp_processor_id();
	struct pt_regs *old = irq_regs[cpu];
	irq_regs[cpu] = new_regs;
	return old;
}

/* Dispatch to the flow handler; -EINVAL when the INTID has none. */
static int handle_irq_desc(struct irq_desc *desc)
{
	if (!desc || !desc->handle_irq)
		return -EINVAL;
	desc->handle_irq(desc);
	return 0;
}

int generic_handle_domain_irq(unsigned int hwirq)
{
	return handle_irq_desc(irq_to_desc(hwirq));
}

int generic_handle_domain_nmi(unsigned int hwirq)
{
	return handle_irq_desc(irq_to_desc(hwirq));
}
