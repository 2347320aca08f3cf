/*
 * Requesting and enabling interrupts (kernel/irq/manage.c). Per-CPU interrupts are enabled
 * by each CPU in its own redistributor; NMIs need an irqchip with IRQCHIP_SUPPORTS_NMI and
 * must be configured (prepare_percpu_nmi) while still disabled, as Linux requires.
 */
#include <kgdb-lab/irq.h>
#include <kgdb-lab/kernel.h>
#include "internals.h"

static int setup_action(struct irq_desc *desc, irq_handler_t handler, const char *name, void *dev_id)
{
	if (!handler)
		return -EINVAL;
	if (desc->action)
		return -EBUSY;
	desc->action_storage.handler = handler;
	desc->action_storage.name = name;
	desc->action_storage.dev_id = dev_id;
	desc->action = &desc->action_storage;
	return 0;
}

int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags, const char *name, void *dev)
{
	(void)flags;
	struct irq_desc *desc = irq_to_desc(irq);
	if (!desc || !desc->irq_data.chip || (desc->status & IRQ_PER_CPU_DEVID))
		return -EINVAL;
	int err = setup_action(desc, handler, name, dev);
	if (err)
		return err;
	if (desc->irq_data.chip->irq_unmask)
		desc->irq_data.chip->irq_unmask(&desc->irq_data);
	return 0;
}

int request_percpu_irq(unsigned int irq, irq_handler_t handler, const char *devname, void *percpu_dev_id)
{
	struct irq_desc *desc = irq_to_desc(irq);
	if (!desc || !desc->irq_data.chip || !(desc->status & IRQ_PER_CPU_DEVID))
		return -EINVAL;
	return setup_action(desc, handler, devname, percpu_dev_id);
}

int request_percpu_nmi(unsigned int irq, irq_handler_t handler, const char *name, void *dev_id)
{
	struct irq_desc *desc = irq_to_desc(irq);
	if (!desc || !desc->irq_data.chip || !(desc->status & IRQ_PER_CPU_DEVID))
		return -EINVAL;
	if (!(desc->irq_data.chip->flags & IRQCHIP_SUPPORTS_NMI))
		return -EINVAL;
	int err = setup_action(desc, handler, name, dev_id);
	if (err)
		return err;
	desc->status |= IRQ_NMI;
	return 0;
}

int prepare_percpu_nmi(unsigned int irq)
{
	struct irq_desc *desc = irq_to_desc(irq);
	if (!desc || !(desc->status & IRQ_NMI) || !desc->irq_data.chip->irq_nmi_setup)
		return -EINVAL;
	return desc->irq_data.chip->irq_nmi_setup(&desc->irq_data);
}

void enable_percpu_irq(unsigned int irq, unsigned int type)
{
	struct irq_desc *desc = irq_to_desc(irq);
	if (!desc || !desc->irq_data.chip)
		return;
	if (type != IRQ_TYPE_NONE && desc->irq_data.chip->irq_set_type)
		desc->irq_data.chip->irq_set_type(&desc->irq_data, type);
	if (desc->irq_data.chip->irq_unmask)
		desc->irq_data.chip->irq_unmask(&desc->irq_data);
}

void enable_percpu_nmi(unsigned int irq, unsigned int type)
{
	enable_percpu_irq(irq, type);
}

void disable_percpu_irq(unsigned int irq)
{
	struct irq_desc *desc = irq_to_desc(irq);
	if (desc && desc->irq_data.chip && desc->irq_data.chip->irq_mask)
		desc->irq_data.chip->irq_mask(&desc->irq_data);
}
