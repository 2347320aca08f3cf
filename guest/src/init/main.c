/*
 * start_kernel: the boot CPU's path after head.S. For now the kernel boots, reports the
 * command line and topology from the device tree, brings every CPU online with PSCI, and
 * powers the machine off. The kgdb demo (GICv3, pseudo-NMI IPIs, the debug core) grows
 * from here.
 */
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/smp.h>
#include <asm/psci.h>
#include <asm/sysreg.h>

extern const char *boot_command_line;
extern const void *initial_boot_params;
void setup_arch(phys_addr_t dtb_pa);
__noreturn void start_kernel(phys_addr_t dtb_pa);

static const char banner[] = "kgdb-lab guest kernel (arm64), a demo kernel for kgdb-lab\n";

__noreturn void start_kernel(phys_addr_t dtb_pa)
{
	setup_arch(dtb_pa);
	printk("%s", banner);
	printk("Booting on physical CPU 0x%lx at EL%lu\n", read_cpuid_mpidr(), (read_sysreg(CurrentEL) >> 2) & 3);
	printk("Kernel command line: %s\n", boot_command_line);
	u32 v = psci_version();
	printk("psci: PSCIv%u.%u detected in firmware.\n", v >> 16, v & 0xffff);
	printk("smp: Bringing up secondary CPUs (%u CPUs in the device tree)\n", nr_cpu_ids);
	unsigned int online = smp_boot_secondaries();
	printk("smp: Brought up %u of %u CPUs\n", online, nr_cpu_ids);
	printk("reboot: Power down\n");
	psci_system_off();
}
