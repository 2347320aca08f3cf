/*
 * The EL1 virtual timer as each CPU's periodic tick (drivers/clocksource/arm_arch_timer.c
 * with a periodic clockevent): HZ interrupts per second on the timer's virtual PPI
 * (INTID 27 on QEMU virt, read from the DTB). A kernel entered at EL1 uses the virtual
 * timer, as Linux does. The boot CPU's tick advances jiffies.
 */
#include <kgdb-lab/delay.h>
#include <kgdb-lab/fdt.h>
#include <kgdb-lab/irq.h>
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/smp.h>
#include <asm/arch_timer.h>
#include <asm/sysreg.h>

/* Index of the virtual timer in the DTB's "interrupts" list: secure phys, phys, virt, hyp. */
#define ARCH_TIMER_VIRT_PPI 2
#define GIC_FDT_IRQ_TYPE_PPI 1

volatile unsigned long jiffies;
static unsigned int arch_timer_ppi;
static unsigned int arch_timer_ppi_type;
static u64 tick_period;
static unsigned long timer_ticks[NR_CPUS];

unsigned long arch_timer_ticks(unsigned int cpu)
{
	return cpu < NR_CPUS ? READ_ONCE(timer_ticks[cpu]) : 0;
}

static irqreturn_t arch_timer_handler_virt(int irq, void *dev_id)
{
	(void)irq;
	(void)dev_id;
	u64 ctl = read_sysreg(cntv_ctl_el0);
	if (!(ctl & ARCH_TIMER_CTRL_IT_STAT))
		return IRQ_NONE;

	/* Next tick one period after the last deadline; skip ticks that are already past. */
	u64 now = get_cycles();
	u64 next = read_sysreg(cntv_cval_el0) + tick_period;
	if ((s64)(next - now) <= 0)
		next = now + tick_period;
	write_sysreg(next, cntv_cval_el0);

	unsigned int cpu = smp_processor_id();
	timer_ticks[cpu]++;
	if (cpu == 0)
		jiffies++;
	return IRQ_HANDLED;
}

void arch_timer_starting_cpu(unsigned int cpu)
{
	(void)cpu;
	if (!arch_timer_ppi)
		return;
	write_sysreg(get_cycles() + tick_period, cntv_cval_el0);
	write_sysreg(ARCH_TIMER_CTRL_ENABLE, cntv_ctl_el0);
	isb();
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
	tick_period = arch_timer_rate / HZ;
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
	arch_timer_starting_cpu(0);
}
