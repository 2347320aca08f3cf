/*
 * The EL1 virtual timer as each CPU's tick clockevent (drivers/clocksource/arm_arch_timer.c,
 * oneshot mode): the tick code (kernel/time/tick-sched.c) programs it to an absolute
 * counter value and shuts it down when an idle CPU stops its tick. Its interrupt is the
 * timer's virtual PPI (INTID 27 on QEMU virt, read from the DTB). A kernel entered at EL1
 * uses the virtual timer, as Linux does.
 */
#include <kgdb-lab/delay.h>
#include <kgdb-lab/fdt.h>
#include <kgdb-lab/irq.h>
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/smp.h>
#include <kgdb-lab/tick.h>
#include <asm/arch_timer.h>
#include <asm/sysreg.h>

/* Index of the virtual timer in the DTB's "interrupts" list: secure phys, phys, virt, hyp. */
#define ARCH_TIMER_VIRT_PPI 2
#define GIC_FDT_IRQ_TYPE_PPI 1

static unsigned int arch_timer_ppi;
static unsigned int arch_timer_ppi_type;

/*
 * timer_handler(): mask the timer's output (its condition stays true until CVAL moves), then
 * the clockevent's handler, which programs the next event or leaves it masked.
 */
static irqreturn_t arch_timer_handler_virt(int irq, void *dev_id)
{
	(void)irq;
	(void)dev_id;
	u64 ctl = read_sysreg(cntv_ctl_el0);
	if (!(ctl & ARCH_TIMER_CTRL_IT_STAT))
		return IRQ_NONE;
	write_sysreg(ctl | ARCH_TIMER_CTRL_IT_MASK, cntv_ctl_el0);
	tick_sched_timer();
	return IRQ_HANDLED;
}

void arch_timer_set_next_event(u64 cval)
{
	write_sysreg(cval, cntv_cval_el0);
	write_sysreg(ARCH_TIMER_CTRL_ENABLE, cntv_ctl_el0);
	isb();
}

void arch_timer_shutdown(void)
{
	write_sysreg(0, cntv_ctl_el0);
	isb();
}

void arch_timer_starting_cpu(unsigned int cpu)
{
	(void)cpu;
	if (!arch_timer_ppi)
		return;
	tick_setup_sched_timer();
	enable_percpu_irq(arch_timer_ppi, arch_timer_ppi_type);
}

/* The virtual timer's PPI from the "arm,armv8-timer" node, or 0. */
static unsigned int find_virt_ppi(const void *fdt, unsigned int *type)
{
	int root = fdt ? fdt_path_offset(fdt, "/") : -1;
	if (root < 0)
		return 0;
	for (int node = fdt_next_child(fdt, root, -1); node >= 0; node = fdt_next_child(fdt, root, node)) {
		if (!fdt_node_is_compatible(fdt, node, "arm,armv8-timer"))
			continue;
		u32 len;
		const u32 *irqs = fdt_getprop(fdt, node, "interrupts", &len);
		if (!irqs || len < 12 * (ARCH_TIMER_VIRT_PPI + 1))
			return 0;
		const u32 *cell = irqs + 3 * ARCH_TIMER_VIRT_PPI;
		if (fdt32_to_cpu(cell[0]) != GIC_FDT_IRQ_TYPE_PPI)
			return 0;
		*type = fdt32_to_cpu(cell[2]) & 0xf;
		return 16 + fdt32_to_cpu(cell[1]);
	}
	return 0;
}

void time_init(const void *fdt)
{
	arch_timer_rate = read_sysreg(cntfrq_el0);
	arch_timer_ppi = find_virt_ppi(fdt, &arch_timer_ppi_type);
	if (!arch_timer_ppi) {
		printk("arch_timer: no virtual timer interrupt in the device tree: no tick\n");
		return;
	}
	printk("arch_timer: cp15 timer(s) running at %lu.%02luMHz (virt).\n", arch_timer_rate / 1000000,
	       (arch_timer_rate / 10000) % 100);
	int err = request_percpu_irq(arch_timer_ppi, arch_timer_handler_virt, "arch_timer", NULL);
	if (err) {
		printk("arch_timer: can't register interrupt %u (%d)\n", arch_timer_ppi, err);
		arch_timer_ppi = 0;
		return;
	}
	tick_init(arch_timer_rate / HZ);
	arch_timer_starting_cpu(0);
}
