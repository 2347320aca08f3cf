/*
 * A small generic IRQ layer in the shape of Linux's kernel/irq: one descriptor per GIC
 * INTID (the kernel's IRQ number is the INTID: the GIC domain maps 1:1), a flow handler per
 * descriptor (handle_percpu_devid_irq for SGIs/PPIs, handle_fasteoi_irq for SPIs, their
 * _nmi variants for interrupts configured as pseudo-NMIs), one action per descriptor, and
 * the request/enable calls the arch and driver code use.
 */
#ifndef KGDB_LAB_IRQ_H
#define KGDB_LAB_IRQ_H
#include <kgdb-lab/smp.h>
#include <kgdb-lab/types.h>

struct pt_regs;

/* INTIDs 0..1019 (1020..1023 are special). */
#define NR_IRQS 1020
/* SGIs and PPIs: banked per CPU. */
#define NR_PRIVATE_IRQS 32

typedef enum { IRQ_NONE = 0, IRQ_HANDLED = 1 } irqreturn_t;
typedef irqreturn_t (*irq_handler_t)(int irq, void *dev_id);

/* Trigger types (include/linux/irq.h). */
#define IRQ_TYPE_NONE 0
#define IRQ_TYPE_EDGE_RISING 1
#define IRQ_TYPE_LEVEL_HIGH 4
#define IRQ_TYPE_LEVEL_LOW 8

/* Descriptor status flags. */
#define IRQ_PER_CPU_DEVID (1u << 0)
#define IRQ_HIDDEN (1u << 1)
#define IRQ_NMI (1u << 2)

/* irq_chip flags. */
#define IRQCHIP_SUPPORTS_NMI (1u << 0)

struct irq_data {
	unsigned int irq;
	unsigned long hwirq;
	struct irq_chip *chip;
};

struct irq_chip {
	const char *name;
	void (*irq_mask)(struct irq_data *d);
	void (*irq_unmask)(struct irq_data *d);
	void (*irq_eoi)(struct irq_data *d);
	int (*irq_set_type)(struct irq_data *d, unsigned int type);
	int (*irq_nmi_setup)(struct irq_data *d);
	void (*irq_nmi_teardown)(struct irq_data *d);
	unsigned int flags;
};

struct irq_desc;
typedef void (*irq_flow_handler_t)(struct irq_desc *desc);

struct irqaction {
	irq_handler_t handler;
	void *dev_id;
	const char *name;
};

struct irq_desc {
	struct irq_data irq_data;
	irq_flow_handler_t handle_irq;
	struct irqaction *action;
	struct irqaction action_storage;
	unsigned int status;
	/* Deliveries of a shared (SPI) interrupt. Per-CPU interrupts count in kstat_irqs_cpu(). */
	unsigned long tot_count;
};

struct irq_desc *irq_to_desc(unsigned int irq);
static inline struct irq_data *irq_desc_get_irq_data(struct irq_desc *desc) { return &desc->irq_data; }
static inline struct irq_chip *irq_desc_get_chip(struct irq_desc *desc) { return desc->irq_data.chip; }

/* Deliveries of per-CPU interrupt irq (< NR_PRIVATE_IRQS) on cpu. */
unsigned long kstat_irqs_cpu(unsigned int irq, unsigned int cpu);

/* Set-up used by the irqchip driver. */
void irq_set_chip_and_handler(unsigned int irq, struct irq_chip *chip, irq_flow_handler_t handle);
void irq_set_handler(unsigned int irq, irq_flow_handler_t handle);
void irq_set_percpu_devid(unsigned int irq);
void irq_set_status_flags(unsigned int irq, unsigned int set);

/* Flow handlers (kernel/irq/chip.c). */
void handle_percpu_devid_irq(struct irq_desc *desc);
void handle_percpu_devid_fasteoi_nmi(struct irq_desc *desc);
void handle_fasteoi_irq(struct irq_desc *desc);
void handle_fasteoi_nmi(struct irq_desc *desc);

/* Requesting interrupts (kernel/irq/manage.c). All return 0 or a negative errno. */
int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags, const char *name, void *dev);
int request_percpu_irq(unsigned int irq, irq_handler_t handler, const char *devname, void *percpu_dev_id);
/* Fails with -EINVAL unless the irqchip supports NMIs (pseudo-NMI enabled). */
int request_percpu_nmi(unsigned int irq, irq_handler_t handler, const char *name, void *dev_id);
/* Configure irq as an NMI on the calling CPU (its redistributor): call before enable_percpu_nmi. */
int prepare_percpu_nmi(unsigned int irq);
void enable_percpu_nmi(unsigned int irq, unsigned int type);
void enable_percpu_irq(unsigned int irq, unsigned int type);
void disable_percpu_irq(unsigned int irq);

/* Dispatch from the irqchip's entry code: -EINVAL when nothing handles hwirq. */
int generic_handle_domain_irq(unsigned int hwirq);
int generic_handle_domain_nmi(unsigned int hwirq);

/* The root interrupt handlers the exception entry calls (set by the irqchip driver). */
extern void (*handle_arch_irq)(struct pt_regs *regs);
extern void (*handle_arch_fiq)(struct pt_regs *regs);
int set_handle_irq(void (*handle_irq)(struct pt_regs *));

/* The pt_regs of the interrupt being handled on this CPU (include/asm-generic/irq_regs.h). */
struct pt_regs *get_irq_regs(void);
struct pt_regs *set_irq_regs(struct pt_regs *new_regs);

/* Bring up the interrupt controller (init/main.c → init_IRQ → irqchip_init). */
void init_IRQ(void);

#endif
