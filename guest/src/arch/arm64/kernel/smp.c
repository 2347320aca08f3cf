/*
 * SMP bring-up in the style of Linux arch/arm64/kernel/smp.c and cpu_ops/psci: logical CPU
 * numbers come from the order of /cpus/cpu@* nodes (their "reg" is the MPIDR affinity),
 * the boot CPU is logical 0, and each secondary is started with PSCI CPU_ON at
 * secondary_entry (head.S) with its logical number as the context ID.
 */
#include <kgdb-lab/fdt.h>
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/smp.h>
#include <kgdb-lab/string.h>
#include <asm/psci.h>
#include <asm/sysreg.h>

u64 cpu_logical_map[NR_CPUS];
unsigned int nr_cpu_ids = 1;

/* Set by each CPU once it runs C code; read by the boot CPU. */
static volatile u32 cpu_online_flag[NR_CPUS];
static u32 online_count = 1;

extern char secondary_entry[];
void secondary_start_kernel(unsigned int cpu);

unsigned int smp_processor_id(void)
{
	u64 mpidr = read_cpuid_mpidr();
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (cpu_logical_map[cpu] == mpidr)
			return cpu;
	return 0; /* only before smp_init_cpus, when the boot CPU is the only one running */
}

void smp_init_cpus(const void *fdt)
{
	for (unsigned int i = 0; i < NR_CPUS; i++)
		cpu_logical_map[i] = INVALID_HWID;
	cpu_logical_map[0] = read_cpuid_mpidr();
	nr_cpu_ids = 1;
	int cpus = fdt_path_offset(fdt, "/cpus");
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
		if (n >= NR_CPUS) {
			printk("DT: more than %u CPUs, ignoring the rest\n", NR_CPUS);
			break;
		}
		/* The boot CPU keeps logical number 0 whatever its place in the DTB. */
		if (hwid == cpu_logical_map[0])
			continue;
		cpu_logical_map[++n] = hwid;
	}
	nr_cpu_ids = n + 1;
	cpu_online_flag[0] = 1;
}

void secondary_start_kernel(unsigned int cpu)
{
	printk("CPU%u: online, MPIDR 0x%lx, booted via PSCI\n", cpu, read_cpuid_mpidr());
	__atomic_store_n(&cpu_online_flag[cpu], 1, __ATOMIC_RELEASE);
	/* Nothing to run yet: idle with interrupts masked (WFI still wakes on a signalled IRQ). */
	for (;;)
		wfi();
}

unsigned int smp_boot_secondaries(void)
{
	for (unsigned int cpu = 1; cpu < nr_cpu_ids; cpu++) {
		int ret = psci_cpu_on(cpu_logical_map[cpu], (phys_addr_t)secondary_entry, cpu);
		if (ret != PSCI_RET_SUCCESS) {
			printk("CPU%u: failed to boot: PSCI CPU_ON returned %d\n", cpu, ret);
			continue;
		}
		/* Wait for it to report in (bounded, so a dead CPU cannot hang the boot). */
		for (unsigned long spins = 0; !__atomic_load_n(&cpu_online_flag[cpu], __ATOMIC_ACQUIRE); spins++) {
			if (spins > 200000000UL) {
				printk("CPU%u: failed to come online\n", cpu);
				break;
			}
		}
		if (cpu_online_flag[cpu])
			online_count++;
	}
	return online_count;
}

unsigned int num_online_cpus(void)
{
	return online_count;
}
