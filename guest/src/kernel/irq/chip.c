/*
 * Flow handlers and chip set-up (kernel/irq/chip.c). EOImode 0: the chip's irq_eoi both
 * drops the running priority and deactivates, once the handler has run.
 */
#include <kgdb-lab/irq.h>
#include <kgdb-lab/kernel.h>
#include "internals.h"

void irq_set_chip_and_handler(unsigned int irq, struct irq_chip *chip, irq_flow_handler_t handle)
{
	struct irq_desc *desc = irq_to_desc(irq);
	if (!desc)
		return;
	desc->irq_data.chip = chip;
	desc->handle_irq = handle;
}

void irq_set_handler(unsigned int irq, irq_flow_handler_t handle)
{
	struct irq_desc *desc = irq_to_desc(irq);
	if (desc)
		desc->handle_irq = handle;
}

void irq_set_percpu_devid(unsigned int irq)
{
	irq_set_status_flags(irq, IRQ_PER_CPU_DEVID);
}

void irq_set_status_flags(unsigned int irq, unsigned int set)
{
	struct irq_desc *desc = irq_to_desc(irq);
	if (desc)
		desc->status |= set;
}

static void spurious(struct irq_desc *desc, const char *kind)
{
	printk("Spurious %s IRQ%u on CPU%u\n", kind, desc->irq_data.irq, smp_processor_id());
}

/* Per-CPU interrupts (SGIs, PPIs): not serialised, each CPU runs the handler itself. */
void handle_percpu_devid_irq(struct irq_desc *desc)
{
	struct irq_chip *chip = irq_desc_get_chip(desc);
	struct irqaction *action = desc->action;

	kstat_incr_irqs_this_cpu(desc);
	if (likely(action))
		action->handler((int)desc->irq_data.irq, action->dev_id);
	else
		spurious(desc, "percpu");
	if (chip->irq_eoi)
		chip->irq_eoi(&desc->irq_data);
}

/* The NMI flavour of the above: identical here (no tracing or RCU to stay clear of). */
void handle_percpu_devid_fasteoi_nmi(struct irq_desc *desc)
{
	struct irq_chip *chip = irq_desc_get_chip(desc);
	struct irqaction *action = desc->action;

	kstat_incr_irqs_this_cpu(desc);
	if (likely(action))
		action->handler((int)desc->irq_data.irq, action->dev_id);
	if (chip->irq_eoi)
		chip->irq_eoi(&desc->irq_data);
}

/* Shared peripheral interrupts: mask if nobody handles it, EOI at the end. */
void handle_fasteoi_irq(struct irq_desc *desc)
{
	struct irq_chip *chip = irq_desc_get_chip(desc);
	struct irqaction *action = desc->action;

	kstat_incr_irqs_this_cpu(desc);
	if (unlikely(!action)) {
		spurious(desc, "shared");
		if (chip->irq_mask)
			chip->irq_mask(&desc->irq_data);
	} else {
		action->handler((int)desc->irq_data.irq, action->dev_id);
	}
	if (chip->irq_eoi)
		chip->irq_eoi(&desc->irq_data);
}

void handle_fasteoi_nmi(struct irq_desc *desc)
{
	struct irq_chip *chip = irq_desc_get_chip(desc);
	struct irqaction *action = desc->action;

	kstat_incr_irqs_this_cpu(desc);
	if (likely(action))
		action->handler((int)desc->irq_data.irq, action->dev_id);
	if (chip->irq_eoi)
		chip->irq_eoi(&desc->irq_data);
}
