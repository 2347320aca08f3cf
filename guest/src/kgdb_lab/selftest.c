/*
 * Self-test of the dynamic IPI (kgdb_lab.selftest=1): with CPU 2 holding its interrupts
 * off (local_irq_save), CPU 0 sends the dynamic IPI (SGI 7) to every online CPU, itself
 * included, and reports which CPUs took it within 1 s of machine time, counted as Linux's
 * /proc/interrupts counts (kstat_irqs_cpu). With pseudo-NMI every CPU takes it, CPU 2 too:
 * its "IRQs off" is a PMR setting the NMI priority passes. Without, CPU 2 takes it only
 * once it turns interrupts back on, which it then reports. The machine then powers off.
 */
#include <kgdb-lab/cpumask.h>
#include <kgdb-lab/delay.h>
#include <kgdb-lab/irq.h>
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/sched.h>
#include <asm/barrier.h>
#include <asm/irqflags.h>
#include <asm/psci.h>
#include <asm/smp.h>
#include "internal.h"

/* How long CPU 0 waits for the CPUs to take the IPI, and CPU 2 for its late one (ms). */
#define SELFTEST_WAIT_MS 1000

static int irqs_off_ready;	/* CPU 2 has its interrupts off */
static int release_irqs_off;	/* CPU 0 has counted: CPU 2 may turn them back on */
static int irqs_off_done;	/* CPU 2 has reported */

static bool wait_for_flag(const int *flag, unsigned long ms)
{
	u64 deadline = get_cycles() + arch_timer_rate / 1000 * ms;
	while (!READ_ONCE(*flag)) {
		if ((s64)(get_cycles() - deadline) > 0)
			return false;
		cpu_relax();
	}
	return true;
}

static unsigned long dynamic_ipi_count(unsigned int cpu)
{
	return kstat_irqs_cpu((unsigned int)arm64_dynamic_ipi(), cpu);
}

/* CPU 2: interrupts off (the kernel's usual way: PMR with pseudo-NMI, DAIF without) until released. */
static noinline __noreturn void selftest_hold_irqs_off(unsigned int cpu)
{
	unsigned long flags;
	unsigned long before = dynamic_ipi_count(cpu);

	local_irq_save(flags);
	smp_wmb();
	WRITE_ONCE(irqs_off_ready, 1);
	kgdb_lab_arrive();
	while (!READ_ONCE(release_irqs_off))
		cpu_relax();
	bool taken_while_off = dynamic_ipi_count(cpu) > before;
	local_irq_restore(flags);

	if (taken_while_off) {
		printk("kgdb_lab: selftest: CPU%u: took the dynamic IPI while its IRQs were off\n", cpu);
	} else {
		u64 deadline = get_cycles() + arch_timer_rate / 1000 * SELFTEST_WAIT_MS;
		while (dynamic_ipi_count(cpu) == before && (s64)(get_cycles() - deadline) < 0)
			cpu_relax();
		if (dynamic_ipi_count(cpu) > before)
			printk("kgdb_lab: selftest: CPU%u: took the dynamic IPI late, once its IRQs were back on\n", cpu);
		else
			printk("kgdb_lab: selftest: CPU%u: never took the dynamic IPI\n", cpu);
	}
	smp_wmb();
	WRITE_ONCE(irqs_off_done, 1);
	cpu_startup_entry(CPUHP_AP_ONLINE_IDLE);
}

__noreturn void kgdb_lab_selftest_secondary(unsigned int cpu)
{
	if (cpu == kgdb_lab_target_cpu())
		selftest_hold_irqs_off(cpu);
	kgdb_lab_arrive();
	cpu_startup_entry(CPUHP_AP_ONLINE_IDLE);
}

__noreturn void kgdb_lab_selftest_main(void)
{
	static unsigned long before[NR_CPUS];
	struct cpumask taken, missed;
	unsigned int cpu, target = kgdb_lab_target_cpu();
	bool hold = target != 0;

	if (arm64_dynamic_ipi() < 0) {
		printk("kgdb_lab: selftest: no dynamic IPI\n");
		psci_system_off();
	}
	printk("kgdb_lab: selftest: sending the dynamic IPI (SGI %d, %s) to all CPUs%s\n", arm64_dynamic_ipi(),
	       arm64_dynamic_ipi_is_nmi() ? "a pseudo-NMI" : "a regular IRQ", hold ? ", one with IRQs off" : "");
	if (hold && !wait_for_flag(&irqs_off_ready, 5000))
		printk("kgdb_lab: selftest: CPU%u did not turn its IRQs off\n", target);
	/* Every CPU in place (idle, or holding IRQs off), then the snapshot and the IPI. */
	kgdb_lab_arrive();

	for_each_online_cpu(cpu)
		before[cpu] = dynamic_ipi_count(cpu);
	arm64_send_nmi(cpu_online_mask);

	u64 deadline = get_cycles() + arch_timer_rate / 1000 * SELFTEST_WAIT_MS;
	for (;;) {
		cpumask_clear(&taken);
		for_each_online_cpu(cpu)
			if (dynamic_ipi_count(cpu) > before[cpu])
				cpumask_set_cpu(cpu, &taken);
		if (cpumask_equal(&taken, cpu_online_mask) || (s64)(get_cycles() - deadline) > 0)
			break;
		cpu_relax();
	}
	cpumask_andnot(&missed, cpu_online_mask, &taken);
	printk("kgdb_lab: selftest: dynamic IPI taken by CPUs %*pbl\n", (int)nr_cpu_ids, &taken);
	if (!cpumask_empty(&missed))
		printk("kgdb_lab: selftest: dynamic IPI not taken by CPUs %*pbl\n", (int)nr_cpu_ids, &missed);

	if (hold) {
		smp_wmb();
		WRITE_ONCE(release_irqs_off, 1);
		if (!wait_for_flag(&irqs_off_done, 2 * SELFTEST_WAIT_MS))
			printk("kgdb_lab: selftest: CPU%u did not report back\n", target);
	}
	printk("kgdb_lab: selftest: done\n");
	printk("reboot: Power down\n");
	psci_system_off();
}
