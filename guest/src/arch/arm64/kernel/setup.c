/*
 * Architecture setup: find the device tree, bring up the console it names, read the
 * command line (/chosen/bootargs) and the CPU topology.
 */
#include <kgdb-lab/fdt.h>
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/serial.h>
#include <kgdb-lab/smp.h>
#include <kgdb-lab/string.h>
#include <asm/psci.h>

/* QEMU virt RAM base: where the DTB sits when the loader does not pass it in x0. */
#define DTB_DEFAULT_PA 0x40000000UL
/* QEMU virt UART0, used when the DTB does not name a console. */
#define UART0_DEFAULT_PA 0x09000000UL

const void *initial_boot_params;
const char *boot_command_line = "";

void setup_arch(phys_addr_t dtb_pa);

/* Base address of the node named by /chosen/stdout-path ("/pl011@9000000[:options]"). */
static phys_addr_t stdout_base(const void *fdt)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen < 0)
		return UART0_DEFAULT_PA;
	u32 len;
	const char *path = fdt_getprop(fdt, chosen, "stdout-path", &len);
	if (!path || len < 2)
		return UART0_DEFAULT_PA;
	char buf[64];
	size_t n = 0;
	while (n < sizeof(buf) - 1 && path[n] && path[n] != ':')
		buf[n] = path[n], n++;
	buf[n] = '\0';
	int node = fdt_path_offset(fdt, buf);
	if (node < 0)
		return UART0_DEFAULT_PA;
	const void *reg = fdt_getprop(fdt, node, "reg", &len);
	/* The root's #address-cells is 2 on QEMU virt. */
	return reg && len >= 8 ? fdt_read_number(reg, 2) : UART0_DEFAULT_PA;
}

void setup_arch(phys_addr_t dtb_pa)
{
	const void *fdt = (const void *)(dtb_pa ? dtb_pa : DTB_DEFAULT_PA);
	if (!fdt_valid(fdt))
		fdt = fdt_valid((const void *)DTB_DEFAULT_PA) ? (const void *)DTB_DEFAULT_PA : NULL;
	initial_boot_params = fdt;
	pl011_init(fdt ? stdout_base(fdt) : UART0_DEFAULT_PA);
	if (!fdt) {
		printk("No valid device tree found at 0x%lx: assuming one CPU\n", DTB_DEFAULT_PA);
		smp_init_cpus(NULL);
		return;
	}
	int chosen = fdt_path_offset(fdt, "/chosen");
	u32 len;
	const char *args = chosen >= 0 ? fdt_getprop(fdt, chosen, "bootargs", &len) : NULL;
	if (args && len > 0 && strnlen(args, len) < len)
		boot_command_line = args;
	psci_dt_init(fdt);
	smp_init_cpus(fdt);
}
