/* Shared between the kernel/irq files (kernel/irq/internals.h). */
#ifndef KERNEL_IRQ_INTERNALS_H
#define KERNEL_IRQ_INTERNALS_H
#include <kgdb-lab/irq.h>

void kstat_incr_irqs_this_cpu(struct irq_desc *desc);

#endif
