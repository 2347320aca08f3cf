/*
 * SMP: CPU enumeration from the device tree, secondary bring-up with PSCI, and the IPIs
 * (arch/arm64/kernel/smp.c of the v8 series' era, ~v6.3).
 *
 * Logical CPU numbers follow the order of /cpus/cpu@* nodes (their "reg" is the MPIDR
 * affinity); the boot CPU is logical 0. Each secondary starts at secondary_entry (head.S)
 * with its logical number as the CPU_ON context ID.
 *
 * IPIs are SGIs 0-6 (enum ipi_msg_type), requested as per-CPU IRQs; SGI 7 is the series'
 * dynamic IPI (ipi_nmi.c). All are sent through the irqchip's SGI write.
 */
#include <kgdb-lab/cpumask.h>
#include <kgdb-lab/delay.h>
#include <kgdb-lab/fdt.h>
#include <kgdb-lab/irq.h>
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/preempt.h>
#include <kgdb-lab/scenario.h>
#include <kgdb-lab/sched.h>
#include <kgdb-lab/smp.h>
#include <kgdb-lab/string.h>
#include <irqchip/arm-gic-v3.h>
#include <asm/arch_gicv3.h>
#include <asm/arch_timer.h>
#include <asm/daifflags.h>
#include <asm/psci.h>
#include <asm/smp.h>
#include <asm/sysreg.h>

u64 cpu_logical_map[NR_CPUS];
unsigned int nr_cpu_ids = 1;

/* How long the boot CPU waits for a secondary to report in (Linux: 5 s). */
#define CPU_UP_TIMEOUT_MS 5000

extern char secondary_entry[];
void secondary_start_kernel(unsigned int cpu);

void (*__smp_cross_call)(const struct cpumask *mask, unsigned int hwirq);

static int ipi_irq_base = -1;
static int nr_ipi = NR_IPI;

static const char *const ipi_types[NR_IPI] = {
	[IPI_RESCHEDULE] = "Rescheduling interrupts",
	[IPI_CALL_FUNC] = "Function call interrupts",
	[IPI_CPU_STOP] = "CPU stop interrupts",
	[IPI_CPU_CRASH_STOP] = "CPU stop (for crash dump) interrupts",
	[IPI_TIMER] = "Timer broadcast interrupts",
	[IPI_IRQ_WORK] = "IRQ work interrupts",
	[IPI_WAKEUP] = "CPU wake-up interrupts",
};

void smp_init_cpus(const void *fdt)
{
	for (unsigned int i = 0; i < NR_CPUS; i++)
		cpu_logical_map[i] = INVALID_HWID;
	cpu_logical_map[0] = read_cpuid_mpidr();
	nr_cpu_ids = 1;
	int cpus = fdt ? fdt_path_offset(fdt, "/cpus") : -1;
	if (cpus < 0)
		return;
	u32 len;
	const u32 *ac = fdt_getprop(fdt, cpus, "#address-cells", &len);
	unsigned int addr_cells = ac && len == 4 ? fdt32_to_cpu(*ac) : 1;
	unsigned int n = 0;
	for (int node = fdt_next_child(fdt, cpus, -1); node >= 0; node = fdt_next_child(fdt, cpus, node)) {
		if (strncmp(fdt_node_name(fdt, node), "cpu@", 4) != 0)
			continue;
		const void *reg = fdt_getprop(fdt, node, "reg", &len);
		if (!reg || len < 4 * addr_cells)
			continue;
		u64 hwid = fdt_read_number(reg, addr_cells) & MPIDR_HWID_MASK;
		/* The boot CPU keeps logical number 0 whatever its place in the DTB. */
		if (hwid == cpu_logical_map[0])
			continue;
		if (n + 1 >= NR_CPUS) {
			printk("smp: more than %u CPUs in the device tree, ignoring the rest\n", NR_CPUS);
			break;
		}
		cpu_logical_map[++n] = hwid;
	}
	nr_cpu_ids = n + 1;
}

/*
 * With pseudo-NMI, a CPU starts with PSTATE.I/F set and PMR = GIC_PRIO_IRQON |
 * GIC_PRIO_PSR_I_SET; local_daif_restore(DAIF_PROCCTX) later opens both.
 */
static void init_gic_priority_masking(void)
{
	if (!gic_enable_sre()) {
		printk("WARNING: CPU%u: cannot enable the GIC system register interface\n", smp_processor_id());
		return;
	}
	u64 cpuflags = read_sysreg(daif);
	if (!(cpuflags & PSR_I_BIT) || !(cpuflags & PSR_F_BIT))
		printk("WARNING: CPU%u: IRQs unmasked before priority masking set-up\n", smp_processor_id());
	gic_write_pmr(GIC_PRIO_IRQON | GIC_PRIO_PSR_I_SET);
}

void smp_prepare_boot_cpu(void)
{
	set_cpu_online(0, true);
	if (system_uses_irq_prio_masking())
		init_gic_priority_masking();
}

void secondary_start_kernel(unsigned int cpu)
{
	u64 mpidr = read_cpuid_mpidr();

	write_sysreg(idle_task(cpu), sp_el0);
	if (system_uses_irq_prio_masking())
		init_gic_priority_masking();

	/* Enable GIC and timers (notify_cpu_starting). */
	gic_starting_cpu(cpu);
	arch_timer_starting_cpu(cpu);
	ipi_setup((int)cpu);

	printk("CPU%u: Booted secondary processor 0x%010lx [0x%08x]\n", cpu, mpidr, read_cpuid_id());
	set_cpu_online(cpu, true);

	local_daif_restore(DAIF_PROCCTX);

	kgdb_lab_secondary(cpu);
}

/* Start one secondary and wait for it to come online (__cpu_up). */
static int __cpu_up(unsigned int cpu)
{
	init_idle(cpu);
	int ret = psci_cpu_on(cpu_logical_map[cpu], (phys_addr_t)secondary_entry, cpu);
	if (ret != PSCI_RET_SUCCESS) {
		printk("CPU%u: failed to boot: %d\n", cpu, ret);
		return -EIO;
	}
	u64 deadline = get_cycles() + arch_timer_rate / 1000 * CPU_UP_TIMEOUT_MS;
	while (!cpu_online(cpu)) {
		if ((s64)(get_cycles() - deadline) > 0) {
			printk("CPU%u: failed to come online\n", cpu);
			return -EIO;
		}
		cpu_relax();
	}
	return 0;
}

void smp_init(void)
{
	printk("smp: Bringing up secondary CPUs ...\n");
	for (unsigned int cpu = 1; cpu < nr_cpu_ids; cpu++)
		__cpu_up(cpu);
	unsigned int n = num_online_cpus();
	printk("smp: Brought up 1 node, %u CPU%s\n", n, n > 1 ? "s" : "");
	printk("SMP: Total of %u processors activated.\n", n);
}

/* ---- IPIs ---- */

void smp_cross_call(const struct cpumask *target, unsigned int ipinr)
{
	if (ipi_irq_base < 0 || !__smp_cross_call)
		return;
	__smp_cross_call(target, (unsigned int)ipi_irq_base + ipinr);
}

void arch_send_call_function_single_ipi(int cpu)
{
	struct cpumask mask;
	cpumask_clear(&mask);
	cpumask_set_cpu((unsigned int)cpu, &mask);
	smp_cross_call(&mask, IPI_CALL_FUNC);
}

void arch_smp_send_reschedule(int cpu)
{
	struct cpumask mask;
	cpumask_clear(&mask);
	cpumask_set_cpu((unsigned int)cpu, &mask);
	smp_cross_call(&mask, IPI_RESCHEDULE);
}

unsigned long ipi_count(unsigned int ipinr, unsigned int cpu)
{
	if (ipi_irq_base < 0)
		return 0;
	return kstat_irqs_cpu((unsigned int)ipi_irq_base + ipinr, cpu);
}

static __noreturn void cpu_park_loop(void)
{
	for (;;) {
		wfe();
		wfi();
	}
}

/* IPI_CPU_STOP: go offline and park, all exceptions masked. */
static __noreturn void local_cpu_stop(void)
{
	set_cpu_online(smp_processor_id(), false);
	local_daif_mask();
	cpu_park_loop();
}

static void do_handle_IPI(int ipinr)
{
	unsigned int cpu = smp_processor_id();

	switch (ipinr) {
	case IPI_RESCHEDULE:
		scheduler_ipi();
		break;
	case IPI_CALL_FUNC:
		generic_smp_call_function_single_interrupt();
		break;
	case IPI_CPU_STOP:
	case IPI_CPU_CRASH_STOP:
		/* No kexec: a crash stop is an ordinary stop. */
		local_cpu_stop();
	case IPI_TIMER:
		/* tick_receive_broadcast(): every CPU has its own tick here. */
		break;
	case IPI_IRQ_WORK:
		/* irq_work_run(): no deferred work is ever queued. */
		break;
	case IPI_WAKEUP:
		printk("WARNING: CPU%u: Wake-up IPI outside the ACPI parking protocol\n", cpu);
		break;
	default:
		printk("CPU%u: Unknown IPI message 0x%x\n", cpu, ipinr);
		break;
	}
}

static irqreturn_t ipi_handler(int irq, void *data)
{
	(void)data;
	do_handle_IPI(irq - ipi_irq_base);
	return IRQ_HANDLED;
}

void ipi_setup(int cpu)
{
	if (ipi_irq_base < 0)
		return;
	for (int i = 0; i < nr_ipi; i++)
		enable_percpu_irq((unsigned int)(ipi_irq_base + i), IRQ_TYPE_NONE);
	dynamic_ipi_setup(cpu);
}

void set_smp_ipi_range(int ipi_base, int n)
{
	if (n < NR_IPI)
		printk("WARNING: only %d SGIs for %d IPIs\n", n, NR_IPI);
	nr_ipi = n < NR_IPI ? n : NR_IPI;

	for (int i = 0; i < nr_ipi; i++) {
		int err = request_percpu_irq((unsigned int)(ipi_base + i), ipi_handler, "IPI", NULL);
		if (err)
			printk("WARNING: could not request IPI %d (%s): %d\n", i, ipi_types[i], err);
		irq_set_status_flags((unsigned int)(ipi_base + i), IRQ_HIDDEN);
	}

	ipi_irq_base = ipi_base;

	/* v8 patch 01: a spare SGI after the regular IPIs becomes the dynamic IPI. */
	if (n > nr_ipi)
		set_smp_dynamic_ipi(ipi_irq_base + nr_ipi);

	/* Setup the boot CPU immediately */
	ipi_setup((int)smp_processor_id());
}

void smp_send_stop(void)
{
	unsigned int this_cpu = smp_processor_id();
	struct cpumask mask;

	cpumask_copy(&mask, cpu_online_mask);
	cpumask_clear_cpu(this_cpu, &mask);
	if (!cpumask_empty(&mask)) {
		printk("SMP: stopping secondary CPUs\n");
		smp_cross_call(&mask, IPI_CPU_STOP);
	}

	/* Wait up to one second (of counter time, see nmi_backtrace.c) for other CPUs to stop */
	u64 deadline = get_cycles() + arch_timer_rate;
	while (num_online_cpus() > 1 && (s64)(get_cycles() - deadline) < 0)
		mdelay(1);

	if (num_online_cpus() > 1) {
		cpumask_copy(&mask, cpu_online_mask);
		cpumask_clear_cpu(this_cpu, &mask);
		printk("SMP: failed to stop secondary CPUs %*pbl\n", (int)nr_cpu_ids, &mask);
	}
}
