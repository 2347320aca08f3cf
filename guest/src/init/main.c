/*
 * start_kernel (init/main.c): the boot CPU's path after head.S, in Linux's order: arch and
 * command-line set-up, CPU capabilities, interrupts, the timer, the console's input, then
 * the secondary CPUs, and finally the kgdb-lab workloads (in place of Linux's init task).
 */
#include <kgdb-lab/irq.h>
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/param.h>
#include <kgdb-lab/scenario.h>
#include <kgdb-lab/sched.h>
#include <kgdb-lab/serial.h>
#include <kgdb-lab/smp.h>
#include <asm/arch_timer.h>
#include <asm/cpufeature.h>
#include <asm/irqflags.h>
#include <asm/psci.h>
#include <asm/sysreg.h>

extern const void *initial_boot_params;
extern unsigned int console_intid;
void setup_arch(phys_addr_t dtb_pa);
const char *setup_machine_model(void);
__noreturn void start_kernel(phys_addr_t dtb_pa);

static const char banner[] = "kgdb-lab guest kernel (arm64), a demo kernel for kgdb-lab";

__noreturn void start_kernel(phys_addr_t dtb_pa)
{
	init_idle(0);
	write_sysreg(idle_task(0), sp_el0);

	setup_arch(dtb_pa);
	printk("Booting kgdb-lab on physical CPU 0x%010lx [0x%08x]\n", read_cpuid_mpidr(), read_cpuid_id());
	printk("%s\n", banner);
	if (!initial_boot_params)
		printk("No valid device tree found at 0x40000000: assuming one CPU\n");
	if (setup_machine_model())
		printk("Machine model: %s\n", setup_machine_model());
	u32 v = psci_version();
	printk("psci: PSCIv%u.%u detected in firmware.\n", v >> 16, v & 0xffff);
	printk("Kernel command line: %s\n", boot_command_line);

	setup_boot_cpu_capabilities();
	smp_prepare_boot_cpu();
	init_IRQ();
	time_init(initial_boot_params);
	pl011_enable_rx(console_intid);
	local_irq_enable();

	kgdb_lab_setup();
	smp_init();
	kgdb_lab_main();
}
